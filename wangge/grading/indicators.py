"""The indicators of every micro-grid at once, and the score a model gives them.

`collect` runs a handful of aggregate queries grouped by micro-grid (households, houses,
care-group members, facilities, cases), never one query per micro-grid, so a street of
90,000 micro-grids is scored in a few seconds. `values_of` and `score` are pure."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from wangge.cases.choices import RUNNING, Status
from wangge.cases.models import Case
from wangge.grading.choices import DISPUTES_LINE, RECENT_DAYS, SAFETY_LINE, Indicator
from wangge.grids.choices import Level, Tier
from wangge.registry.choices import FacilityCondition, HouseUse, PersonStatus
from wangge.registry.models import Facility, House, Household, Person

BAD_CONDITIONS = (FacilityCondition.DAMAGED, FacilityCondition.MISSING)
# Cases that count as something that happened: not refused, not a duplicate.
NOT_COUNTED = (Status.DECLINED, Status.MERGED)


@dataclass
class Raw:
    """What the platform holds about one micro-grid, before any weighting."""

    households: int = 0
    houses: int = 0
    rented: int = 0
    special: int = 0
    care: int = 0
    open_hazards: int = 0
    disputes: int = 0
    bad_facilities: int = 0
    overdue: int = 0
    recent_by_line: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    """A scoring model as numbers: the saved `GradingModel` or one being tried."""

    weights: dict[str, float]
    category_weights: dict[str, float]
    yellow_from: float
    red_from: float

    @classmethod
    def of(cls, model) -> Config:
        return cls(dict(model.weights), dict(model.category_weights or {}),
                   float(model.yellow_from), float(model.red_from))


@dataclass(frozen=True)
class Scored:
    score: float
    level: str
    values: dict[str, float]
    points: dict[str, float]


def collect(*, now: dt.datetime, grid_ids=None) -> dict[int, Raw]:
    """Raw figures of every micro-grid (or of `grid_ids`, a list or a queryset of ids)."""
    out: dict[int, Raw] = defaultdict(Raw)

    def placed(qs, path="micro_grid_id"):
        return qs.filter(**{f"{path}__in": grid_ids}) if grid_ids is not None else qs

    for gid, n in placed(Household.objects.all()).values_list("micro_grid_id") \
            .annotate(n=Count("id")).order_by():
        out[gid].households = n
    for gid, n, rented in placed(House.objects.all()).values_list("micro_grid_id").annotate(
            n=Count("id"), rented=Count("id", filter=Q(use=HouseUse.RENTED))).order_by():
        out[gid].houses, out[gid].rented = n, rented
    members = Person.care_groups.through.objects.filter(person__status=PersonStatus.ACTIVE)
    for gid, special, care in placed(members, "person__micro_grid_id") \
            .values_list("person__micro_grid_id").annotate(
                special=Count("person_id", distinct=True, filter=Q(caregroup__sensitive=True)),
                care=Count("person_id", distinct=True, filter=Q(caregroup__sensitive=False))) \
            .order_by():
        out[gid].special, out[gid].care = special, care
    for gid, n in placed(Facility.objects.filter(condition__in=BAD_CONDITIONS)) \
            .values_list("micro_grid_id").annotate(n=Count("id")).order_by():
        out[gid].bad_facilities = n

    cases = placed(Case.objects.filter(grid__tier=Tier.MICRO_GRID), "grid_id")
    line = Coalesce("category__parent__code", "category__code")
    # A hazard is open until the case is closed (handled but not verified still counts).
    open_statuses = [*RUNNING, Status.HANDLED, Status.DEFERRED]
    for gid, n in cases.filter(status__in=open_statuses).annotate(line=line) \
            .filter(line=SAFETY_LINE).values_list("grid_id").annotate(n=Count("id")).order_by():
        out[gid].open_hazards = n
    for gid, n in cases.filter(status__in=RUNNING, level_due_at__lt=now) \
            .values_list("grid_id").annotate(n=Count("id")).order_by():
        out[gid].overdue = n
    since = now - dt.timedelta(days=RECENT_DAYS)
    for gid, code, n in cases.filter(reported_at__gte=since, reported_at__lte=now) \
            .exclude(status__in=NOT_COUNTED).annotate(line=line) \
            .values_list("grid_id", "line").annotate(n=Count("id")).order_by():
        out[gid].recent_by_line[code] = n
        if code == DISPUTES_LINE:
            out[gid].disputes = n
    return out


def values_of(raw: Raw, config: Config) -> dict[str, float]:
    """The eight indicator values of one micro-grid."""
    per_100 = 100.0 / raw.households if raw.households else 0.0
    weighted_cases = sum(n * float(config.category_weights.get(line, 1.0))
                         for line, n in raw.recent_by_line.items())
    return {
        Indicator.SPECIAL_PER_100.value: round(raw.special * per_100, 1),
        Indicator.CARE_PER_100.value: round(raw.care * per_100, 1),
        Indicator.RENTED_SHARE.value: round(100.0 * raw.rented / raw.houses, 1)
        if raw.houses else 0.0,
        Indicator.OPEN_HAZARDS.value: float(raw.open_hazards),
        Indicator.CASES_90D.value: round(weighted_cases, 1),
        Indicator.DISPUTES_90D.value: float(raw.disputes),
        Indicator.BAD_FACILITIES.value: float(raw.bad_facilities),
        Indicator.OVERDUE_CASES.value: float(raw.overdue),
    }


def level_for(score: float, config: Config) -> str:
    if score >= config.red_from:
        return Level.RED
    if score >= config.yellow_from:
        return Level.YELLOW
    return Level.GREEN


def score(raw: Raw, config: Config) -> Scored:
    values = values_of(raw, config)
    points = {code: round(value * float(config.weights.get(code, 0.0)), 1)
              for code, value in values.items()}
    total = round(sum(points.values()), 1)
    return Scored(total, level_for(total, config), values, points)
