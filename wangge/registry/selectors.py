"""Reads of the registry, and the figures of one grid, one file (一格一档)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from wangge.grids.models import Grid
from wangge.grids.selectors import grid_ancestors
from wangge.registry.choices import HouseUse, PersonStatus, PopulationType
from wangge.registry.models import (
    Building,
    CareGroup,
    Facility,
    House,
    Household,
    Organisation,
    Person,
)

AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-17", 0, 18), ("18-59", 18, 60), ("60-79", 60, 80), ("80+", 80, None),
)


def person_list() -> QuerySet[Person]:
    return Person.objects.select_related("micro_grid", "household__house__building") \
        .prefetch_related("care_groups")


def _years_ago(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _people_aggregates(today: datetime.date) -> dict:
    aggs = {"people": Count("id")}
    for value in PopulationType.values:
        aggs[f"pop_{value}"] = Count("id", filter=Q(population_type=value))
    for label, low, high in AGE_BANDS:
        cond = Q(birth_date__lte=_years_ago(today, low))
        if high is not None:
            cond &= Q(birth_date__gt=_years_ago(today, high))
        aggs[f"age_{label}"] = Count("id", filter=cond)
    return aggs


@dataclass
class GridFigures:
    """Counts for one node of the tree; a parent's are the sums of its children's."""

    people: int = 0
    by_population_type: dict[str, int] = field(default_factory=dict)
    by_age_band: dict[str, int] = field(default_factory=dict)
    by_care_group: dict[str, int] = field(default_factory=dict)
    households: int = 0
    houses: int = 0
    houses_by_use: dict[str, int] = field(default_factory=dict)
    buildings: int = 0
    organisations: int = 0
    facilities: int = 0
    facilities_needing_repair: int = 0

    def flat(self) -> dict[str, int]:
        out = {"people": self.people, "households": self.households, "houses": self.houses,
               "buildings": self.buildings, "organisations": self.organisations,
               "facilities": self.facilities,
               "facilities_needing_repair": self.facilities_needing_repair}
        for prefix, values in (("pop", self.by_population_type), ("age", self.by_age_band),
                               ("care", self.by_care_group), ("use", self.houses_by_use)):
            out.update({f"{prefix}_{k}": v for k, v in values.items()})
        return out


def _grouped(qs: QuerySet, length: int, aggs: dict) -> dict[str, dict]:
    rows = qs.annotate(prefix=Substr("micro_grid__code", 1, length)).values("prefix") \
        .annotate(**aggs).order_by()
    return {row.pop("prefix"): row for row in rows}


def grid_figures(*, code: str, group_length: int | None = None,
                 today: datetime.date | None = None) -> dict[str, GridFigures]:
    """Figures for the subtree under `code`, grouped by the first `group_length` characters
    of the micro-grid code (default: the whole subtree as one group, keyed by `code`)."""
    today = today or timezone.localdate()
    length = group_length or len(code)
    result: dict[str, GridFigures] = {}

    def fig(prefix: str) -> GridFigures:
        return result.setdefault(prefix, GridFigures())

    people = Person.objects.in_subtree(code).filter(status=PersonStatus.ACTIVE)
    for prefix, row in _grouped(people, length, _people_aggregates(today)).items():
        f = fig(prefix)
        f.people = row["people"]
        f.by_population_type = {v: row[f"pop_{v}"] for v in PopulationType.values}
        f.by_age_band = {label: row[f"age_{label}"] for label, _, _ in AGE_BANDS}
    care = people.filter(care_groups__isnull=False) \
        .annotate(prefix=Substr("micro_grid__code", 1, length)) \
        .values("prefix", "care_groups__code").annotate(n=Count("id")).order_by()
    for row in care:
        fig(row["prefix"]).by_care_group[row["care_groups__code"]] = row["n"]
    # Households with someone living in them: a semi-join, not DISTINCT over the people.
    lived_in = Exists(Person.objects.filter(household=OuterRef("pk"),
                                            status=PersonStatus.ACTIVE))
    for prefix, row in _grouped(Household.objects.in_subtree(code).filter(lived_in),
                                length, {"n": Count("id")}).items():
        fig(prefix).households = row["n"]
    use_aggs = {"n": Count("id")} | {
        f"use_{u}": Count("id", filter=Q(use=u)) for u in HouseUse.values}
    for prefix, row in _grouped(House.objects.in_subtree(code), length, use_aggs).items():
        f = fig(prefix)
        f.houses = row["n"]
        f.houses_by_use = {u: row[f"use_{u}"] for u in HouseUse.values}
    for prefix, row in _grouped(Building.objects.in_subtree(code), length,
                                {"n": Count("id")}).items():
        fig(prefix).buildings = row["n"]
    for prefix, row in _grouped(Organisation.objects.in_subtree(code).filter(active=True),
                                length, {"n": Count("id")}).items():
        fig(prefix).organisations = row["n"]
    repair = ~Q(condition="good")
    for prefix, row in _grouped(Facility.objects.in_subtree(code), length,
                                {"n": Count("id"), "bad": Count("id", filter=repair)}).items():
        fig(prefix).facilities = row["n"]
        fig(prefix).facilities_needing_repair = row["bad"]
    return result


@dataclass
class GridFile:
    grid: Grid
    ancestors: list[Grid]
    figures: GridFigures
    children: list[tuple[Grid, GridFigures]]
    care_groups: list[CareGroup]


def grid_file(*, grid: Grid) -> GridFile:
    """One grid, one file: the node's figures and each child's, which add up to them."""
    total = grid_figures(code=grid.code).get(grid.code, GridFigures())
    children = list(grid.children.order_by("code"))
    per_child: dict[str, GridFigures] = {}
    if children:
        per_child = grid_figures(code=grid.code, group_length=len(children[0].code))
    return GridFile(
        grid=grid,
        ancestors=grid_ancestors(grid=grid),
        figures=total,
        children=[(c, per_child.get(c.code, GridFigures())) for c in children],
        care_groups=list(CareGroup.objects.all()),
    )
