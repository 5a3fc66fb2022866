from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "wangge.cases"
    verbose_name = _("cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wangge.cases import checks  # noqa: F401 - registers the calendar check
        from wangge.cases.metrics import CASES
        from wangge.cases.services import case_sweep
        from wangge.core import metrics, sweeps

        sweeps.register("cases", case_sweep)
        metrics.register_scrape_collector(CASES)
