from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "wangge.activities"
    verbose_name = _("joint activities and projects")
    default_auto_field = "django.db.models.BigAutoField"
