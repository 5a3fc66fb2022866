from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    """Who serves each grid (一格一长、一格多员), their duties, the Party organisation, and the
    accounts whose part of the grid tree follows from their assignments."""

    name = "wangge.workforce"
    verbose_name = _("Workforce")
