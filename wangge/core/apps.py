from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared building blocks: health check, pagination, base pieces used by every app."""

    name = "wangge.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # The audit of logins, lockouts and permission changes.
        from wangge.core import signals, two_factor  # noqa: F401 (connects its audit too)

        signals.connect()
