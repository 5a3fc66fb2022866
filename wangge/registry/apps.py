from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """People, households, houses, buildings, organisations and facilities in their grids
    (人进户、户进房、房进网格), and the Excel ledgers they come in by."""

    name = "wangge.registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from wangge.core import sweeps
        from wangge.registry.figures import figures_sweep

        sweeps.register("registry-figures", figures_sweep)
