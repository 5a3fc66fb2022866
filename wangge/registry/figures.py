"""The registry's figures of every micro-grid, kept in `MicroGridFigures`, and the figures of
any node of the tree as the sums of its micro-grids' (一格一档, the dashboard).

Counting 6,000,000 people for a city's dashboard on every request is too slow, so the
counts are kept per micro-grid:

- `figures_refresh(micro_grid_ids=…)` recounts some micro-grids. The registry's services
  and the ledger importers call it inside their transaction, after their writes, for every
  micro-grid they touched; the rows are locked first, so two writers in one micro-grid
  leave the right count.
- `figures_rebuild()` recounts every micro-grid; the daily sweep "registry-figures" runs
  it when a row was counted on an earlier day (age bands move with the date) or a
  micro-grid has no row yet; `wangge registry figures` runs it on demand.
- `subtree_figures(code=…, group_length=…)` sums them for a subtree, grouped by a code
  prefix: a parent's figures are by construction the sums of its children's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from wangge.grids.models import Grid
from wangge.registry.choices import HouseUse, PersonStatus, PopulationType
from wangge.registry.models import (
    Building,
    Facility,
    House,
    Household,
    MicroGridCareFigure,
    MicroGridFigures,
    Organisation,
    Person,
)

AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-17", 0, 18), ("18-59", 18, 60), ("60-79", 60, 80), ("80+", 80, None),
)
# The column of MicroGridFigures that holds each age band.
AGE_COLUMNS = {"0-17": "age_0_17", "18-59": "age_18_59", "60-79": "age_60_79",
               "80+": "age_80"}
COUNT_COLUMNS = (
    ["people"] + [f"pop_{v}" for v in PopulationType.values] + list(AGE_COLUMNS.values())
    + ["households", "houses"] + [f"use_{u}" for u in HouseUse.values]
    + ["buildings", "organisations", "facilities", "facilities_needing_repair"]
)
CHUNK = 2000  # micro-grids recounted per statement


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


def figures_sum(parts) -> GridFigures:
    """The figures of a node from its children's."""
    total: dict[str, int] = {}
    for part in parts:
        for key, value in part.flat().items():
            total[key] = total.get(key, 0) + value
    return GridFigures(
        people=total.get("people", 0),
        by_population_type={v: total.get(f"pop_{v}", 0) for v in PopulationType.values},
        by_age_band={label: total.get(f"age_{label}", 0) for label in AGE_COLUMNS},
        by_care_group={k[5:]: v for k, v in total.items() if k.startswith("care_") and v},
        households=total.get("households", 0), houses=total.get("houses", 0),
        houses_by_use={u: total.get(f"use_{u}", 0) for u in HouseUse.values},
        buildings=total.get("buildings", 0), organisations=total.get("organisations", 0),
        facilities=total.get("facilities", 0),
        facilities_needing_repair=total.get("facilities_needing_repair", 0))


# --- counting from the registry ----------------------------------------------------------------


def _years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _people_aggregates(today: dt.date) -> dict:
    aggs = {"people": Count("id")}
    for value in PopulationType.values:
        aggs[f"pop_{value}"] = Count("id", filter=Q(population_type=value))
    for label, low, high in AGE_BANDS:
        cond = Q(birth_date__lte=_years_ago(today, low))
        if high is not None:
            cond &= Q(birth_date__gt=_years_ago(today, high))
        aggs[AGE_COLUMNS[label]] = Count("id", filter=cond)
    return aggs


def _count(ids: list[int] | None, today: dt.date) -> tuple[dict[int, dict], dict[int, dict]]:
    """Live counts of the micro-grids `ids` (None: all): ({id: {column: n}},
    {id: {care group id: n}}). Micro-grids with nothing in them are left out."""

    def by_grid(qs, aggs: dict) -> None:
        if ids is not None:
            qs = qs.filter(micro_grid_id__in=ids)
        for row in qs.values("micro_grid_id").annotate(**aggs).order_by():
            counts.setdefault(row.pop("micro_grid_id"), {}).update(row)

    counts: dict[int, dict] = {}
    people = Person.objects.filter(status=PersonStatus.ACTIVE)
    by_grid(people, _people_aggregates(today))
    # Households with someone living in them: a semi-join, not DISTINCT over the people.
    lived_in = Exists(Person.objects.filter(household=OuterRef("pk"),
                                            status=PersonStatus.ACTIVE))
    by_grid(Household.objects.filter(lived_in), {"households": Count("id")})
    by_grid(House.objects.all(), {"houses": Count("id")} | {
        f"use_{u}": Count("id", filter=Q(use=u)) for u in HouseUse.values})
    by_grid(Building.objects.all(), {"buildings": Count("id")})
    by_grid(Organisation.objects.filter(active=True), {"organisations": Count("id")})
    by_grid(Facility.objects.all(), {"facilities": Count("id"),
                                     "facilities_needing_repair":
                                         Count("id", filter=~Q(condition="good"))})
    care: dict[int, dict] = {}
    links = Person.care_groups.through.objects.filter(person__status=PersonStatus.ACTIVE)
    if ids is not None:
        links = links.filter(person__micro_grid_id__in=ids)
    for row in links.values("person__micro_grid_id", "caregroup_id") \
            .annotate(n=Count("id")).order_by():
        care.setdefault(row["person__micro_grid_id"], {})[row["caregroup_id"]] = row["n"]
    return counts, care


# --- keeping the figures (writes) --------------------------------------------------------------


def _store(ids: list[int], today: dt.date) -> None:
    """Recount and store the micro-grids `ids`, inside the caller's transaction."""
    # Every row exists before it is locked (a first writer's uncommitted row makes a
    # second wait here, then skip it) ...
    existing = set(MicroGridFigures.objects.filter(pk__in=ids).values_list("pk", flat=True))
    MicroGridFigures.objects.bulk_create(
        [MicroGridFigures(micro_grid_id=i, counted_on=today) for i in ids if i not in existing],
        ignore_conflicts=True)
    # ... and is locked before counting: a second writer in the same micro-grid waits, then
    # counts what the first committed.
    list(MicroGridFigures.objects.select_for_update().filter(pk__in=ids).order_by("pk")
         .values_list("pk", flat=True))
    counts, care = _count(ids, today)
    codes = dict(Grid.objects.filter(pk__in=ids).values_list("pk", "code"))
    empty = dict.fromkeys(COUNT_COLUMNS, 0)
    # Rows replaced, not updated field by field: one DELETE and one INSERT per chunk.
    MicroGridFigures.objects.filter(pk__in=ids).delete()
    MicroGridFigures.objects.bulk_create(
        [MicroGridFigures(micro_grid_id=i, code=codes[i], counted_on=today,
                          **(empty | counts.get(i, {}))) for i in ids], batch_size=1000)
    MicroGridCareFigure.objects.filter(micro_grid_id__in=ids).delete()
    MicroGridCareFigure.objects.bulk_create(
        [MicroGridCareFigure(micro_grid_id=i, care_group_id=g, people=n)
         for i, groups in care.items() for g, n in groups.items()], batch_size=1000)


def figures_refresh(*, micro_grid_ids: Iterable[int | None], today: dt.date | None = None
                    ) -> None:
    """Recount the micro-grids a registry write touched; call it inside that write's
    transaction, after the write."""
    ids = sorted({i for i in micro_grid_ids if i is not None})
    today = today or timezone.localdate()
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            _store(ids[start:start + CHUNK], today)


def figures_rebuild(*, stale_only: bool = False, today: dt.date | None = None) -> int:
    """Recount every micro-grid (or, `stale_only`, those counted on an earlier day or never);
    returns how many were recounted. The stale ones go a chunk per transaction (the daily
    sweep, beside the day's writes); all of them in one transaction that counts each table
    once (`_rebuild_all`)."""
    today = today or timezone.localdate()
    if not stale_only:
        return _rebuild_all(today)
    fresh = MicroGridFigures.objects.filter(counted_on=today, micro_grid=OuterRef("pk"))
    ids = list(Grid.objects.micro_grids().order_by("pk").exclude(Exists(fresh))
               .values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            _store(ids[start:start + CHUNK], today)
    return len(ids)


def _rebuild_all(today: dt.date) -> int:
    """Every micro-grid's figures replaced in one transaction, counted with one grouped pass
    over each table (a city's 6,000,000 people: seconds, where 2,000 micro-grids at a time
    took more than a minute). The figure tables are locked before anything is counted
    (PostgreSQL: EXCLUSIVE mode; SQLite: the first write locks the database), so a registry
    write that is waiting to refresh its micro-grids recounts them after this commits."""
    tables = [MicroGridFigures, MicroGridCareFigure]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE " + ", ".join(
                    connection.ops.quote_name(m._meta.db_table) for m in tables)
                    + " IN EXCLUSIVE MODE")
        for model in tables:
            model.objects.all().delete()
        grids = list(Grid.objects.micro_grids().order_by("pk").values_list("pk", "code"))
        counts, care = _count(None, today)
        empty = dict.fromkeys(COUNT_COLUMNS, 0)
        MicroGridFigures.objects.bulk_create(
            [MicroGridFigures(micro_grid_id=i, code=code, counted_on=today,
                              **(empty | counts.get(i, {}))) for i, code in grids],
            batch_size=5000)
        micro = {i for i, _code in grids}
        MicroGridCareFigure.objects.bulk_create(
            [MicroGridCareFigure(micro_grid_id=i, care_group_id=g, people=n)
             for i, groups in care.items() if i in micro for g, n in groups.items()],
            batch_size=5000)
    return len(grids)


def figures_sweep(*, now: dt.datetime | None = None) -> str:
    """The daily recount: what was counted on an earlier day; '' when nothing was."""
    today = timezone.localdate(now or timezone.now())
    done = figures_rebuild(stale_only=True, today=today)
    return f"{done} micro-grids recounted" if done else ""


# --- reading -----------------------------------------------------------------------------------


def subtree_figures(*, code: str, group_length: int | None = None) -> dict[str, GridFigures]:
    """Figures for the subtree under `code`, grouped by the first `group_length` characters
    of the micro-grid code (default: the whole subtree as one group, keyed by `code`)."""
    from wangge.registry.models import CareGroup

    length = group_length or len(code)
    rows = (MicroGridFigures.objects.filter(code__startswith=code)
            .annotate(prefix=Substr("code", 1, length)).values("prefix")
            .annotate(**{c: Sum(c) for c in COUNT_COLUMNS}).order_by())
    result: dict[str, GridFigures] = {}
    for row in rows:
        result[row["prefix"]] = GridFigures(
            people=row["people"],
            by_population_type={v: row[f"pop_{v}"] for v in PopulationType.values},
            by_age_band={label: row[column] for label, column in AGE_COLUMNS.items()},
            households=row["households"], houses=row["houses"],
            houses_by_use={u: row[f"use_{u}"] for u in HouseUse.values},
            buildings=row["buildings"], organisations=row["organisations"],
            facilities=row["facilities"],
            facilities_needing_repair=row["facilities_needing_repair"])
    groups = dict(CareGroup.objects.values_list("pk", "code"))
    care = (MicroGridCareFigure.objects.filter(micro_grid__code__startswith=code, people__gt=0)
            .annotate(prefix=Substr("micro_grid__code", 1, length))
            .values("prefix", "care_group_id").annotate(n=Sum("people")).order_by())
    for row in care:
        figures = result.setdefault(row["prefix"], GridFigures())
        figures.by_care_group[groups[row["care_group_id"]]] = row["n"]
    return result
