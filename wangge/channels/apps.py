from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """Ways matters come in from outside: Open311, the 12345 hotline, smart access control."""

    name = "wangge.channels"
    label = "channels"
    verbose_name = _("channels")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wangge.channels.services import submissions_drain
        from wangge.core import sweeps

        # Open311 batch submissions a serving process could not file (it stopped, or its
        # drain thread is switched off) are filed by the sweep.
        sweeps.register("open311-drain", lambda now=None: submissions_drain(now=now))
