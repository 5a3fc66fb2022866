"""Reads of the cadres' console (指挥台). Every read starts from the scoped querysets
(`Case.objects.for_user`, `Building.objects.for_user`, `restrict(...)`) so that a page shows
only the user's part of the street, and a user with no grids sees nothing (an empty state,
not an error). The case board filters through `cases.filters.CaseFilter`, the very filter of
`GET /api/cases/`, so that the page and the API agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.http import QueryDict
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

from wangge.cases import selectors as case_selectors
from wangge.cases import services as case_services
from wangge.cases.choices import FINISHED, RUNNING, UNFINISHED, Action, Level, Status
from wangge.cases.filters import CaseFilter
from wangge.cases.models import Case, Category, DirectLineItem
from wangge.core.scope import restrict, scope_prefixes
from wangge.grids.choices import CODE_LENGTH, TIER_ORDER, Tier
from wangge.grids.models import Grid, GridLevelChange
from wangge.grids.selectors import ancestor_codes, may_set_level
from wangge.registry.models import Building, Facility
from wangge.workforce.choices import PartyOrgLevel
from wangge.workforce.models import Assignment, PartyOrg, Worker

# Grid columns a page needs; a grid's boundary is a large GeoJSON document no table shows.
PLACE_TIERS = (Tier.DISTRICT, Tier.STREET, Tier.COMMUNITY, Tier.GRID)
PLACE_CHOICES_MAX = 300  # options of the board's place filter (each costs render time)
LEADERLESS_SHOWN = 60  # micro-grids without a leader named on a workforce page
GRID_ONLY = ("id", "code", "name", "tier", "level", "parent_id", "grid_type_id")

# Steps people take from the console, in the order the forms appear. The report comes in
# through the channels and the workbench, the warning is the sweep's.
CONSOLE_ACTIONS: tuple[str, ...] = (
    Action.ACCEPT, Action.DISPATCH, Action.HANDLE_ON_SPOT, Action.START, Action.HANDLE,
    Action.CLOSE, Action.REWORK, Action.EVALUATE, Action.REOPEN, Action.DISCUSS,
    Action.RAISE, Action.DIRECT_LINE, Action.DIRECT_LINE_DECISION, Action.REQUEST_DEFERRAL,
    Action.DEFER, Action.RESUME, Action.RELOCATE, Action.MARK_DUPLICATE, Action.DECLINE,
    Action.COMMENT,
)

BOARD_PAGE_SIZE = 50
MAP_CASE_LIMIT = 5000


# --- the user's part of the tree ----------------------------------------------------------------


def has_scope(user) -> bool:
    """Whether the account sees any part of the tree (a superuser sees all of it)."""
    return scope_prefixes(user) != []


def in_scope(user, code: str) -> bool:
    """Whether the node lies inside the user's part of the tree."""
    prefixes = scope_prefixes(user)
    return prefixes is None or any(code.startswith(p) for p in prefixes)


def scope_tops(*, user) -> list[Grid]:
    """The top nodes of the user's part of the tree (the street for street staff, the
    community for a community officer, the micro-grid for a worker)."""
    prefixes = scope_prefixes(user)
    qs = Grid.objects.only(*GRID_ONLY)
    if prefixes is None:
        qs = qs.filter(parent__isnull=True)
    elif not prefixes:
        return []
    else:
        qs = qs.filter(code__in=prefixes)
    return list(qs.order_by("code"))


def place_choices(*, user, selected: str = "") -> list[tuple[str, str]]:
    """The nodes a board can be narrowed to: the user's top nodes and the districts,
    streets, communities and grids below them, indented by tier, as deep as stays within
    PLACE_CHOICES_MAX options (a city has 5,000 grids: a list no one scrolls, and seconds
    to render); `selected`, when in the user's part of the tree, is always among them."""
    tops = scope_tops(user=user)
    if not tops:
        return []
    nodes = {g.code: g for g in tops}
    below = restrict(Grid.objects.only(*GRID_ONLY).filter(tier__in=PLACE_TIERS), user, "code",
                     distinct=False)
    counts = dict(below.values_list("tier").annotate(n=Count("id")).order_by())
    shown, total = [], len(nodes)
    for tier in PLACE_TIERS:
        total += counts.get(tier, 0)
        if total > PLACE_CHOICES_MAX:
            break
        shown.append(tier)
    for grid in below.filter(tier__in=shown):
        nodes.setdefault(grid.code, grid)
    if selected and selected not in nodes:
        chosen = below.filter(code=selected).first()
        if chosen is not None:
            nodes[chosen.code] = chosen
    top = min(TIER_ORDER.index(g.tier) for g in nodes.values())
    return [(code, "\u3000" * (TIER_ORDER.index(nodes[code].tier) - top) + nodes[code].name)
            for code in sorted(nodes)]


def micro_grids(*, user) -> QuerySet[Grid]:
    """The micro-grids in the user's part of the tree, without their boundaries."""
    return restrict(Grid.objects.micro_grids().only(*GRID_ONLY), user, "code",
                    distinct=False).order_by("code")


# --- the case board ------------------------------------------------------------------------------


def category_choices() -> list[tuple[str, str]]:
    """Lines of work (a line includes its categories) and their categories, as one list."""
    lines: dict[int, Category] = {}
    leaves: dict[int, list[Category]] = {}
    for category in case_selectors.categories().order_by("sort_order", "code"):
        if category.parent_id is None:
            lines[category.pk] = category
        else:
            leaves.setdefault(category.parent_id, []).append(category)
    choices = []
    for line in lines.values():
        choices.append((line.code, f"■ {line.name}"))
        choices.extend((c.code, f"\u3000{c.name}") for c in leaves.get(line.pk, []))
    return choices


def board_queryset(*, user) -> QuerySet[Case]:
    """The cases the user may see, with what a board row shows, in one query."""
    return (case_selectors.case_list(user=user)
            .defer("grid__boundary", "responsible__boundary", "description",
                   "reporter_phone", "reporter_email", "result"))


SORTS = {
    "new": ("-reported_at", "-id"),
    "old": ("reported_at", "id"),
    "due": ("level_due_at", "-reported_at", "-id"),
}


def board_cases(*, user, params: QueryDict, sort: str = "new") -> QuerySet[Case]:
    """The board's cases: the user's, through `CaseFilter` with the page's parameters."""
    filtered = CaseFilter(params, queryset=board_queryset(user=user)).qs
    if sort == "due":
        # Cases without a running clock last.
        return filtered.order_by(F("level_due_at").asc(nulls_last=True), "-reported_at",
                                 "-id")
    return filtered.order_by(*SORTS.get(sort, SORTS["new"]))


@dataclass(frozen=True)
class TimeLeft:
    """How the clock of a case's level stands: `kind` is overdue, near, running or none."""

    kind: str
    text: str
    due_at: dt.datetime | None


def time_left(case: Case, now: dt.datetime) -> TimeLeft:
    """Time left at the case's level, or how long it is overdue (wall-clock)."""
    if case.status not in RUNNING or case.level_due_at is None:
        return TimeLeft("none", "", None)
    if case.level_due_at <= now:
        return TimeLeft("overdue", timesince(case.level_due_at, now, depth=2),
                        case.level_due_at)
    kind = "near" if case.level_warn_at is not None and case.level_warn_at <= now else "running"
    return TimeLeft(kind, timeuntil(case.level_due_at, now, depth=2), case.level_due_at)


@dataclass(frozen=True)
class BoardRow:
    case: Case
    time_left: TimeLeft


def board_rows(cases, now: dt.datetime | None = None) -> list[BoardRow]:
    now = now or timezone.now()
    return [BoardRow(c, time_left(c, now)) for c in cases]


def dispatch_handlers(*, user) -> QuerySet[Worker]:
    """Workers a case can be dispatched to: active, with an account (the handler signs for
    and reports the case from the workbench), currently assigned in the user's part of the
    tree; each annotated with the place and role of their narrowest assignment."""
    current = restrict(Assignment.objects.current(), user, "grid__code", distinct=False)
    narrowest = (Assignment.objects.current().filter(worker=OuterRef("pk"))
                 .order_by("-grid__code"))
    return (Worker.objects.filter(active=True, user__isnull=False,
                                  pk__in=current.values("worker_id"))
            .annotate(place_code=Subquery(narrowest.values("grid__code")[:1]),
                      place=Subquery(narrowest.values("grid__name")[:1]),
                      role_name=Subquery(narrowest.values("role__name")[:1]))
            .only("id", "name")
            .order_by("place_code", "name", "id"))


# --- one case ------------------------------------------------------------------------------------


def open_direct_line_item(case: Case) -> DirectLineItem | None:
    """The case's undecided item on the secretary's direct-line agenda, from the prefetch."""
    return next((i for i in case.direct_line_items.all() if i.decided_at is None), None)


def allowed_actions(*, case: Case, user) -> list[str]:
    """The console steps the user may take on the case now (the workflow's own rules:
    `cases.services.case_actions_for`), less the direct-line steps an open or missing
    agenda item rules out, so that no form is offered that can only fail."""
    open_item = open_direct_line_item(case)
    allowed = case_services.case_actions_for(case=case, user=user, actions=CONSOLE_ACTIONS)
    if open_item is not None:
        allowed = [a for a in allowed if a != Action.DIRECT_LINE]
    else:
        allowed = [a for a in allowed if a != Action.DIRECT_LINE_DECISION]
    return allowed


# --- the map -------------------------------------------------------------------------------------


def map_cases(*, user, state: str = "open", date_from: dt.date | None = None,
              date_to: dt.date | None = None,
              limit: int = MAP_CASE_LIMIT) -> tuple[list[dict], bool]:
    """Points of the user's cases for the map: where it is (the case's point, else its
    building's), what, and how it stands. No reporter's name, phone or address. Returns
    the points and whether the list was cut at `limit`."""
    qs = Case.objects.for_user(user)
    if state == "open":
        qs = qs.filter(status__in=UNFINISHED)
    elif state == "closed":
        qs = qs.filter(status__in=FINISHED)
    if date_from:
        qs = qs.filter(reported_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(reported_at__date__lte=date_to)
    qs = qs.filter(Q(lon__isnull=False, lat__isnull=False)
                   | Q(building__lon__isnull=False, building__lat__isnull=False))
    rows = list(qs.order_by("-reported_at", "-id").values(
        "tracking_code", "title", "status", "level", "lon", "lat", "building__lon",
        "building__lat", "category__name", "grid__code", "level_due_at")[:limit + 1])
    now = timezone.now()
    statuses = dict(Status.choices)
    levels = dict(Level.choices)
    points = []
    for row in rows[:limit]:
        lon = row["lon"] if row["lon"] is not None else row["building__lon"]
        lat = row["lat"] if row["lat"] is not None else row["building__lat"]
        points.append({
            "code": row["tracking_code"], "title": row["title"], "status": row["status"],
            "status_label": str(statuses.get(row["status"], row["status"])),
            "level": row["level"], "level_label": str(levels.get(row["level"], "")),
            "category": row["category__name"], "grid": row["grid__code"],
            "overdue": bool(row["status"] in RUNNING and row["level_due_at"]
                            and row["level_due_at"] < now),
            "lon": round(lon, 6), "lat": round(lat, 6),
        })
    return points, len(rows) > limit


def map_buildings(*, user) -> list[dict]:
    """The user's buildings that have a location."""
    return [{"name": b["name"], "address": b["address"], "grid": b["micro_grid__code"],
             "lon": round(b["lon"], 6), "lat": round(b["lat"], 6)}
            for b in Building.objects.for_user(user)
            .filter(lon__isnull=False, lat__isnull=False)
            .values("name", "address", "micro_grid__code", "lon", "lat").order_by("id")]


def map_facilities(*, user) -> list[dict]:
    """The user's facilities (部件) with their kind and condition."""
    from wangge.registry.choices import FacilityCondition

    labels = dict(FacilityCondition.choices)
    return [{"code": f["code"], "kind": f["kind__name"], "condition": f["condition"],
             "condition_label": str(labels.get(f["condition"], f["condition"])),
             "grid": f["micro_grid__code"], "lon": round(f["lon"], 6),
             "lat": round(f["lat"], 6)}
            for f in Facility.objects.for_user(user)
            .values("code", "kind__name", "condition", "micro_grid__code", "lon", "lat")
            .order_by("id")]


def map_micro_grids(*, user) -> list[dict]:
    """For each of the user's micro-grids: its level, open cases, grid leader and team
    size, and a point inside it where the map writes the leader's name (workers carry no
    live position, so the staff layer shows who answers for each micro-grid)."""
    from shapely.geometry import shape

    open_counts = dict(Case.objects.for_user(user).filter(status__in=UNFINISHED)
                       .filter(grid__tier=Tier.MICRO_GRID)
                       .values_list("grid__code").annotate(n=Count("id")).order_by())
    team: dict[str, dict] = {}
    for code, name, is_leader in (
            restrict(Assignment.objects.current().filter(grid__tier=Tier.MICRO_GRID), user,
                     "grid__code", distinct=False)
            .values_list("grid__code", "worker__name", "is_leader")):
        entry = team.setdefault(code, {"leader": "", "staff": 0})
        entry["staff"] += 1
        if is_leader:
            entry["leader"] = name
    rows = []
    for grid in restrict(Grid.objects.micro_grids(), user, "code", distinct=False) \
            .only("code", "name", "level", "boundary").order_by("code"):
        point = None
        if grid.boundary:
            try:
                inside = shape(grid.boundary).representative_point()
                point = [round(inside.x, 6), round(inside.y, 6)]
            except (ValueError, TypeError, AttributeError):
                point = None
        entry = team.get(grid.code, {"leader": "", "staff": 0})
        rows.append({"code": grid.code, "name": grid.name, "level": grid.level,
                     "open_cases": open_counts.get(grid.code, 0), "leader": entry["leader"],
                     "staff": entry["staff"], "point": point})
    return rows


# --- grid levels ---------------------------------------------------------------------------------


def can_set_level(*, user, grid: Grid) -> bool:
    return may_set_level(user=user, grid=grid)


def level_grids(*, user, level: str = "") -> QuerySet[Grid]:
    """The user's micro-grids with their level and their latest change (when, why)."""
    latest = GridLevelChange.objects.filter(grid=OuterRef("pk")).order_by("-changed_at", "-id")
    qs = micro_grids(user=user).select_related("grid_type").annotate(
        last_changed_at=Subquery(latest.values("changed_at")[:1]),
        last_reason=Subquery(latest.values("reason")[:1]))
    return qs.filter(level=level) if level else qs


def level_counts(*, user) -> dict[str, int]:
    return dict(micro_grids(user=user).values_list("level").annotate(n=Count("id"))
                .order_by())


def level_changes(*, user) -> QuerySet[GridLevelChange]:
    """Level changes of the user's micro-grids, the latest first."""
    return (restrict(GridLevelChange.objects.all(), user, "grid__code", distinct=False)
            .select_related("grid", "changed_by")
            .defer("grid__boundary")
            .order_by("-changed_at", "-id"))


def level_grid(*, user, code: str) -> Grid:
    """One of the user's micro-grids; DoesNotExist otherwise."""
    return micro_grids(user=user).select_related("grid_type", "parent").get(code=code)


# --- the workforce -------------------------------------------------------------------------------


@dataclass
class ChildTeam:
    """A node below the one shown: its grid leader (for a micro-grid), how many people serve
    in it (each once, whatever their roles), and how many micro-grids under it lack a
    leader."""

    grid: Grid
    leader: str = ""
    staff: int = 0
    leaderless: int = 0


@dataclass
class Workforce:
    """Who serves one node of the tree and the Party organisation there (四位一体)."""

    node: Grid
    ancestors: list[Grid]
    assignments: list[Assignment]
    children: list[ChildTeam]
    party_orgs: list[PartyOrg]
    centre_households: int
    leaderless: list[Grid] = field(default_factory=list)  # the first LEADERLESS_SHOWN
    leaderless_total: int = 0


def workforce_node(*, user, code: str) -> Grid:
    """A node in the user's part of the tree; DoesNotExist otherwise."""
    if not in_scope(user, code):
        raise Grid.DoesNotExist(code)
    return Grid.objects.only(*GRID_ONLY).get(code=code)


def workforce(*, node: Grid) -> Workforce:
    """The current team of the node, its children's teams in a line each, the Party
    organisation from the community down to the node's building groups, and the micro-grids
    under it without a grid leader."""
    from wangge.workforce.selectors import micro_grids_without_leader

    assignments = list(Assignment.objects.current().filter(grid=node)
                       .select_related("worker", "role")
                       .order_by("role__sort_order", "worker__name", "id"))
    children = {g.code: ChildTeam(g) for g in
                Grid.objects.filter(parent=node).only(*GRID_ONLY).order_by("code")}
    without_leader = micro_grids_without_leader(code=node.code)
    leaderless = list(without_leader.only(*GRID_ONLY).order_by("code")[:LEADERLESS_SHOWN])
    leaderless_total = len(leaderless) if len(leaderless) < LEADERLESS_SHOWN \
        else without_leader.count()
    if children:
        length = len(next(iter(children)))
        serving: dict[str, set[int]] = {}
        for code, worker_id, name, is_leader in (
                Assignment.objects.current().filter(grid__code__startswith=node.code)
                .exclude(grid=node)
                .values_list("grid__code", "worker_id", "worker__name", "is_leader")):
            child = children.get(code[:length])
            if child is None:
                continue
            serving.setdefault(child.grid.code, set()).add(worker_id)
            if is_leader and code == child.grid.code:
                child.leader = name
        for code, workers in serving.items():
            children[code].staff = len(workers)
        for prefix, n in (without_leader.annotate(prefix=Substr("code", 1, length))
                          .values_list("prefix").annotate(n=Count("id")).order_by()):
            if prefix in children:
                children[prefix].leaderless = n
    codes = [*ancestor_codes(node.code), node.code]
    party = (PartyOrg.objects.filter(Q(grid__code__in=codes) | Q(grid__code__startswith=node.code))
             .exclude(level=PartyOrgLevel.CENTRE_HOUSEHOLD)
             .select_related("grid", "building", "secretary", "parent")
             .defer("grid__boundary")
             .order_by("grid__code", "level", "name"))
    if len(node.code) < CODE_LENGTH[Tier.STREET]:
        # Above a street, down to the streets' own organisations: the rest is a click
        # away, and a city has tens of thousands of building groups.
        party = party.annotate(code_length=Length("grid__code")) \
            .filter(code_length__lte=CODE_LENGTH[Tier.STREET])
    centre = PartyOrg.objects.filter(level=PartyOrgLevel.CENTRE_HOUSEHOLD,
                                     grid__code__startswith=node.code).count()
    ancestors = list(Grid.objects.filter(code__in=ancestor_codes(node.code))
                     .only(*GRID_ONLY).order_by("code"))
    return Workforce(node=node, ancestors=ancestors, assignments=assignments,
                     children=list(children.values()), party_orgs=list(party),
                     centre_households=centre, leaderless=leaderless,
                     leaderless_total=leaderless_total)
