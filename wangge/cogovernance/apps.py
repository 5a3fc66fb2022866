from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CogovernanceConfig(AppConfig):
    name = "wangge.cogovernance"
    verbose_name = _("co-governance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wangge.cogovernance.services import followup_sweep
        from wangge.core import sweeps

        sweeps.register("cogovernance", followup_sweep)
