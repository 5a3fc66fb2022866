from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """Ways matters come in from outside: Open311, the 12345 hotline, smart access control."""

    name = "wangge.channels"
    label = "channels"
    verbose_name = _("channels")
    default_auto_field = "django.db.models.BigAutoField"
