"""Reads of the workforce: who serves a grid, the public board, a worker's duties."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from wangge.grids.models import Grid
from wangge.grids.selectors import ancestor_codes, grid_ancestors
from wangge.workforce.choices import PartTimeDuty, PartyOrgLevel, RoleKind
from wangge.workforce.models import Assignment, MustReportItem, PartyOrg, WorkItem

# Roles shown on a micro-grid's public board, from the grid's own team outwards.
BOARD_KINDS = [RoleKind.GRID_LEADER, RoleKind.FULL_TIME, RoleKind.PART_TIME,
               RoleKind.INSTRUCTOR, RoleKind.POLICE, RoleKind.DOCTOR, RoleKind.PARTY_MEMBER,
               RoleKind.VOLUNTEER, RoleKind.PROPERTY]


def serving(*, grid: Grid) -> QuerySet[Assignment]:
    """Current assignments in this grid and every grid above it."""
    return (Assignment.objects.current()
            .filter(grid__code__in=[*ancestor_codes(grid.code), grid.code])
            .select_related("worker", "role", "grid").order_by("role__sort_order", "id"))


@dataclass(frozen=True)
class BoardMember:
    name: str
    role: str
    kind: str
    phone: str
    promise: str
    duties: list[str]
    level: str  # the grid the assignment is in


@dataclass(frozen=True)
class Board:
    """The micro-grid's public notice board (网格连心、组团服务 公示牌)."""

    micro_grid: Grid
    ancestors: list[Grid]
    members: list[BoardMember]
    work_items: dict[str, list[WorkItem]]
    must_report: list[MustReportItem]
    party_orgs: list[PartyOrg]

    @property
    def leader(self) -> BoardMember | None:
        return next((m for m in self.members if m.kind == RoleKind.GRID_LEADER), None)


def board(*, micro_grid: Grid) -> Board:
    duty_labels = dict(PartTimeDuty.choices)
    members = [
        BoardMember(a.worker.name, a.role.name, a.role.kind, a.worker.work_phone,
                    a.worker.promise, [str(duty_labels.get(d, d)) for d in a.duties],
                    a.grid.name)
        for a in serving(grid=micro_grid).filter(role__kind__in=BOARD_KINDS)
    ]
    kinds = {m.kind for m in members}
    items: dict[str, list[WorkItem]] = {}
    for item in WorkItem.objects.filter(role__kind__in=kinds).select_related("role"):
        items.setdefault(item.role.name, []).append(item)
    codes = [*ancestor_codes(micro_grid.code), micro_grid.code]
    party = list(PartyOrg.objects.filter(
        Q(grid__code__in=codes, level__in=[PartyOrgLevel.GENERAL_BRANCH,
                                           PartyOrgLevel.GRID_BRANCH])
        | Q(grid=micro_grid, level=PartyOrgLevel.BUILDING_GROUP)
    ).select_related("grid").order_by("level"))
    return Board(micro_grid, grid_ancestors(grid=micro_grid), members, items,
                 list(MustReportItem.objects.all()), party)


def micro_grids_without_leader(*, code: str) -> QuerySet[Grid]:
    """Micro-grids under `code` that have no current grid leader (shown in the grid file)."""
    led = Assignment.objects.current().filter(is_leader=True).values("grid_id")
    return Grid.objects.micro_grids().filter(code__startswith=code).exclude(pk__in=led)
