from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The residents' site (`/`): appeals, tracking, published results, who serves me."""

    name = "wangge.portal"
    verbose_name = _("residents' site")
    default_auto_field = "django.db.models.BigAutoField"
