from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """The grid worker's phone workbench (`/m/`)."""

    name = "wangge.workbench"
    verbose_name = _("grid worker's workbench")
    default_auto_field = "django.db.models.BigAutoField"
