"""Reads of the workbench. Every read starts from the scoped querysets
(`Case.objects.for_user`, `Person.objects.for_user`, `Patrol.objects.for_user`), so what lies
outside the worker's micro-grid is "not found"; a worker's patrols are theirs alone (the
route is where they walked)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from wangge.cases import selectors as case_selectors
from wangge.cases import services as case_services
from wangge.cases import triage
from wangge.cases.choices import Action
from wangge.cases.models import Case, Category
from wangge.core.validators import mask_phone, mask_resident_id
from wangge.grids.choices import Tier
from wangge.grids.models import Grid
from wangge.registry import selectors as registry_selectors
from wangge.registry.choices import PersonStatus, Relation
from wangge.registry.models import Building, Household, Person
from wangge.workbench.choices import FindingKind
from wangge.workbench.models import Finding, Patrol, PatrolVisit
from wangge.workforce.models import Assignment, MustReportItem, Worker, WorkItem

# Steps a worker takes from the phone, in the order the buttons appear. Dispatching,
# declining and the direct line are desk work (the console); the table decides which of
# these a case allows now.
WORKBENCH_ACTIONS: tuple[str, ...] = (
    Action.ACCEPT, Action.START, Action.HANDLE_ON_SPOT, Action.HANDLE, Action.CLOSE,
    Action.RAISE, Action.REQUEST_DEFERRAL, Action.COMMENT,
)


# --- who the user is on the workbench ---------------------------------------------------------


def current_worker(user) -> Worker | None:
    """The user's active worker record, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Worker.objects.filter(user=user, active=True).first()


def assignments(*, worker: Worker) -> QuerySet[Assignment]:
    return (worker.assignments.current().select_related("grid", "role")
            .order_by("-grid__tier", "grid__code"))


def my_grids(*, worker: Worker) -> list[Grid]:
    """The grids the worker currently serves, micro-grids first, then upwards."""
    seen: dict[str, Grid] = {}
    for a in assignments(worker=worker):
        seen.setdefault(a.grid.code, a.grid)
    return sorted(seen.values(), key=lambda g: (-len(g.code), g.code))


def my_micro_grids(*, worker: Worker) -> list[Grid]:
    return [g for g in my_grids(worker=worker) if g.tier == Tier.MICRO_GRID]


# --- my tasks ---------------------------------------------------------------------------------


@dataclass
class Tasks:
    """The open cases a worker holds or handles, in three piles: past this level's time
    limit, near it (the warning time has passed), and the rest."""

    overdue: list[Case] = field(default_factory=list)
    near_deadline: list[Case] = field(default_factory=list)
    to_do: list[Case] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.near_deadline) + len(self.to_do)


def my_tasks(*, user, worker: Worker, now: dt.datetime | None = None) -> Tasks:
    """Open cases held at one of the worker's own grids (the level that holds them now is
    theirs) or dispatched to the worker as handler."""
    now = now or timezone.now()
    codes = [g.code for g in my_grids(worker=worker)]
    cases = (case_selectors.case_list(user=user).open()
             .filter(Q(handler__user=user) | Q(responsible__code__in=codes))
             .select_related("building")
             .order_by("level_due_at", "reported_at"))
    tasks = Tasks()
    for case in cases:
        if case.level_due_at is not None and case.level_due_at <= now:
            tasks.overdue.append(case)
        elif case.level_warn_at is not None and case.level_warn_at <= now:
            tasks.near_deadline.append(case)
        else:
            tasks.to_do.append(case)
    return tasks


# --- one case ---------------------------------------------------------------------------------


def allowed_actions(*, case: Case, user) -> list[str]:
    """The workbench steps the user may take on the case now: the status must be a source
    of the step in `workflow.TRANSITIONS` and the user must be who the step is for (checked
    by the service's own rule)."""
    return case_services.case_actions_for(case=case, user=user, actions=WORKBENCH_ACTIONS)


# --- categories and must-report items ---------------------------------------------------------


def category_groups() -> list[tuple[str, list[Category]]]:
    """Leaf categories grouped by their line of work ("grid + X"), for a select."""
    groups: dict[int, tuple[str, list[Category]]] = {}
    for category in case_selectors.leaf_categories():
        groups.setdefault(category.parent_id, (category.parent.name, []))[1].append(category)
    return list(groups.values())


def category_for_text(text: str, categories: list[Category]) -> Category | None:
    """The leaf category that fits a piece of text best: the triage classifier's confident
    guess when a model is trained (cases.triage), else the keyword rule: its name or its
    line's name in the text, then how many of its keywords occur. None when nothing fits."""
    guess = triage.best_category(text, categories)
    if guess is not None:
        return guess
    best, best_score = None, 0
    for category in categories:
        score = sum(1 for word in category.keywords.split() if word and word in text)
        if category.name in text:
            score += 3
        if category.parent is not None and category.parent.name in text:
            score += 2
        if score > best_score:
            best, best_score = category, score
    return best


@dataclass(frozen=True)
class MustReport:
    item: MustReportItem
    category: Category | None


def must_report_items() -> list[MustReport]:
    """The must-report items (八必报), each with the category a report of it goes under."""
    leaves = list(case_selectors.leaf_categories())
    return [MustReport(item, category_for_text(f"{item.title} {item.description}", leaves))
            for item in MustReportItem.objects.all()]


def my_work_items(*, worker: Worker) -> QuerySet[WorkItem]:
    roles = assignments(worker=worker).values("role_id")
    return WorkItem.objects.filter(role_id__in=roles).select_related("role")


# --- places -----------------------------------------------------------------------------------


def buildings(*, user, grids: list[Grid]) -> QuerySet[Building]:
    """Buildings of the worker's micro-grids, to say where a matter is without a map."""
    codes = [g.code for g in grids if g.tier == Tier.MICRO_GRID]
    return (Building.objects.for_user(user).filter(micro_grid__code__in=codes)
            .select_related("micro_grid").order_by("micro_grid__code", "name"))


def mask_name(name: str) -> str:
    """Keep a name's first and (for three or more characters) last character: "张三丰" →
    "张*丰", "张三" → "张*". Enough to recognise a household one is standing at."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@dataclass(frozen=True)
class HouseholdRow:
    household: Household
    place: str
    head: str  # masked name
    members: int


def households(*, user, micro_grid: Grid, query: str = "", limit: int = 30) -> list[HouseholdRow]:
    """Households of a micro-grid with people living there, searchable by building, unit,
    room or address; the head's name masked, no ID numbers."""
    active = Person.objects.filter(status=PersonStatus.ACTIVE).only(
        "id", "household_id", "name", "relation")
    qs = (Household.objects.for_user(user).filter(micro_grid=micro_grid,
                                                  members__status=PersonStatus.ACTIVE)
          .distinct().select_related("house__building")
          .prefetch_related(Prefetch("members", active, to_attr="active_members"))
          .order_by("house__building__name", "house__unit", "house__number", "id"))
    for word in query.split():
        qs = qs.filter(Q(house__building__name__icontains=word)
                       | Q(house__building__address__icontains=word)
                       | Q(house__number__icontains=word) | Q(house__unit__icontains=word))
    rows = []
    for household in qs[:limit]:
        members = household.active_members
        head = next((p for p in members if p.relation == Relation.HEAD), None)
        rows.append(HouseholdRow(household, str(household.house),
                                 mask_name(head.name) if head else "", len(members)))
    return rows


def household_get(*, user, micro_grid: Grid, pk: int) -> Household:
    return (Household.objects.for_user(user).select_related("house__building")
            .get(pk=pk, micro_grid=micro_grid))


# --- patrols ----------------------------------------------------------------------------------


def my_patrols(*, user) -> QuerySet[Patrol]:
    """The user's own patrols and visits (a route is where its worker walked: nobody
    else's to browse here)."""
    return (Patrol.objects.for_user(user).filter(worker__user=user)
            .select_related("micro_grid"))


def patrol_get(*, user, pk: int) -> Patrol:
    return (my_patrols(user=user)
            .prefetch_related(
                Prefetch("visits", PatrolVisit.objects
                         .select_related("household__house__building")),
                Prefetch("findings", Finding.objects.select_related(
                    "case", "category", "household__house__building")))
            .get(pk=pk))


# --- my micro-grid's file ---------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    person: Person
    id_number: str  # masked
    phone: str  # masked
    care_groups: list[str]  # not the sensitive ones


def grid_people(*, user, grid: Grid, query: str = "") -> QuerySet[Person]:
    """Active people of the grid, as the registry's people list reads them."""
    qs = (registry_selectors.person_list().for_user(user)
          .filter(status=PersonStatus.ACTIVE, micro_grid__code__startswith=grid.code)
          .order_by("micro_grid__code", "household_id", "id"))
    for word in query.split():
        qs = qs.filter(Q(name__icontains=word)
                       | Q(household__house__building__name__icontains=word)
                       | Q(household__house__number__icontains=word))
    return qs


def person_rows(people) -> list[PersonRow]:
    return [PersonRow(p, mask_resident_id(p.id_number), mask_phone(p.phone),
                      [g.name for g in p.care_groups.all() if not g.sensitive])
            for p in people]


def registry_notes(*, user, grid: Grid) -> QuerySet[Finding]:
    """Open notes that a household's record needs updating, in the grid."""
    return (Finding.objects.filter(kind=FindingKind.REGISTRY, resolved_at__isnull=True,
                                   household__in=Household.objects.for_user(user).filter(
                                       micro_grid__code__startswith=grid.code))
            .select_related("household__house__building", "patrol__worker")
            .order_by("-at"))
