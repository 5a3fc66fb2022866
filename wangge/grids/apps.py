from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    """The grid tree: street → community → grid → micro-grid, boundaries, levels, locate."""

    name = "wangge.grids"
    verbose_name = _("Grid tree")
