from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The synthetic Laocheng Street demo (老城街道): generated, deterministic, no real data."""

    name = "wangge.demo"
    verbose_name = _("Demo")
