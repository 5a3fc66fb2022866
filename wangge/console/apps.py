from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The cadres' console (`/console/`): case board, map, dashboard."""

    name = "wangge.console"
    verbose_name = _("cadres' console")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wangge.console.dashboard import dashboard_sweep
        from wangge.core import sweeps

        sweeps.register("dashboard", dashboard_sweep)
