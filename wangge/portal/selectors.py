"""Public reads for the residents' site: nothing here carries anyone's personal data."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from wangge.cases.choices import CLOSED, Evaluation, Source, Status
from wangge.cases.models import Case
from wangge.grids.choices import Tier
from wangge.grids.models import Grid

# The online platform's figures count from its start (the seed: "since early 2020").
APPEALS_SINCE = dt.date(2020, 1, 1)


@dataclass(frozen=True)
class StreetFigures:
    street: str
    since: dt.date
    received: int
    closed: int
    evaluated: int
    satisfied: int

    @property
    def closure_rate(self) -> float | None:
        return self.closed / self.received if self.received else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.evaluated if self.evaluated else None


def street_figures() -> StreetFigures:
    """Residents' online appeals since the platform started: received, closed, rated."""
    street = Grid.objects.filter(tier=Tier.STREET).order_by("code").first()
    since = dt.datetime.combine(APPEALS_SINCE, dt.time(), timezone.get_current_timezone())
    row = (Case.objects.filter(source=Source.ONLINE, reported_at__gte=since)
           .exclude(status=Status.MERGED)
           .aggregate(received=Count("id"),
                      closed=Count("id", filter=Q(status__in=CLOSED)),
                      evaluated=Count("id", filter=Q(status__in=CLOSED) & ~Q(evaluation="")),
                      satisfied=Count("id", filter=Q(status__in=CLOSED, evaluation__in=[
                          Evaluation.SATISFIED, Evaluation.BASICALLY]))))
    return StreetFigures(street=street.name if street else "", since=APPEALS_SINCE, **row)


def communities() -> list[Grid]:
    return list(Grid.objects.filter(tier=Tier.COMMUNITY).order_by("code"))
