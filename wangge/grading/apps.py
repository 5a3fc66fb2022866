from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    name = "wangge.grading"
    verbose_name = _("dynamic grading")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wangge.core import sweeps
        from wangge.grading.services import grading_sweep

        sweeps.register("grading", grading_sweep)
