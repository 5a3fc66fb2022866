from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchConfig(AppConfig):
    """Benchmarks (`wangge bench ...`), whose figures go to docs/benchmarks.md."""

    name = "wangge.bench"
    verbose_name = _("Benchmarks")
