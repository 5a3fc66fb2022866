from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared building blocks: health check, pagination, base pieces used by every app."""

    name = "wangge.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # The audit of logins, lockouts and permission changes; `wangge check --deploy`.
        from wangge.core import checks, signals, two_factor  # noqa: F401 (connect themselves)

        signals.connect()
