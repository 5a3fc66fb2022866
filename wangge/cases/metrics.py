"""The cases' gauges for Prometheus (`/metrics`, `core/metrics.py`): running cases past their
level's time limit (overdue) and within the warning time before it (near the limit), by
level, counted at scrape time through the sweep's index and reused for a few seconds."""

from django.db.models import Count
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from wangge.cases.choices import RUNNING, Level
from wangge.cases.models import Case
from wangge.core.metrics import CachedCollector


class CaseCollector(CachedCollector):
    def count(self) -> dict[str, dict[str, int]]:
        now = timezone.now()
        running = Case.objects.filter(status__in=RUNNING)
        result = {}
        for key, rows in (
            ("overdue", running.filter(level_due_at__lt=now)),
            ("near_limit", running.filter(level_warn_at__lte=now, level_due_at__gte=now)),
        ):
            counts = dict.fromkeys(Level.values, 0)
            counts.update(rows.order_by().values_list("level").annotate(n=Count("pk")))
            result[key] = counts
        return result

    def collect(self):
        values = self.values()
        if values is None:
            return
        for key, doc in (("overdue", "Running cases past their level's time limit."),
                         ("near_limit", "Running cases within the warning time before their "
                                        "level's time limit.")):
            family = GaugeMetricFamily(f"wangge_cases_{key}", doc, labels=["level"])
            for level, count in values[key].items():
                family.add_metric([level], count)
            yield family


CASES = CaseCollector()
