"""Reads of the three lists in one (三单合一) of a grid node over a period.

The collection list (问题收集清单) is the cases themselves as they came in; the joint
discussion list (干群共议清单) is their `DiscussionEntry` rows; the feedback list (问题反馈清单)
their `FeedbackEntry` rows with the count of result photos. All three cover the same cases:
those that happened in the node's subtree (any tier: micro-grid, grid, community, street)
and were reported on a local date in [date_from, date_to]. Every read starts from
`Case.objects.for_user(user)`; a node outside the user's part of the tree does not exist
for them. Each list is one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from wangge.cases.models import Case, CasePhoto, DiscussionEntry, FeedbackEntry
from wangge.cases.periods import period_bounds
from wangge.core.scope import scope_prefixes
from wangge.grids.choices import Tier
from wangge.grids.models import Grid
from wangge.grids.selectors import ancestor_codes

__all__ = [
    "ThreeLists",
    "in_scope",
    "lists_grid",
    "lists_top_code",
    "mask_name",
    "place_names",
    "staff_name",
    "three_lists",
]

# A grid's boundary is a large GeoJSON document that no list shows.
_GRID_CHAIN = ("grid", "grid__parent", "grid__parent__parent")


@dataclass(frozen=True)
class ThreeLists:
    """The three lists of one node and period, ready to show or export."""

    grid: Grid
    ancestors: list[Grid]
    date_from: dt.date
    date_to: dt.date
    collection: list[Case]
    discussions: list[DiscussionEntry]
    feedback: list[FeedbackEntry]


def in_scope(*, user, code: str) -> bool:
    """Whether the node lies inside the user's part of the tree (so its lists are whole)."""
    prefixes = scope_prefixes(user)
    return prefixes is None or any(code.startswith(p) for p in prefixes)


def lists_grid(*, user, code: str) -> Grid:
    """The grid node whose lists the user asks for; `Grid.DoesNotExist` when there is no
    such node or it lies outside the user's part of the tree. A node above the user's
    grids is refused too: its lists would silently hold only part of its cases."""
    if not in_scope(user=user, code=code):
        raise Grid.DoesNotExist(code)
    return Grid.objects.defer("boundary").get(code=code)


def lists_top_code(*, user) -> str | None:
    """The widest node the user may list: the street for street staff, their community or
    micro-grid for others; None for an account with no grids."""
    prefixes = scope_prefixes(user)
    if prefixes is None:
        top = Grid.objects.filter(parent__isnull=True).order_by("code").values_list(
            "code", flat=True).first()
        return top
    return min(prefixes, key=lambda p: (len(p), p)) if prefixes else None


def _cases(*, user, grid: Grid, date_from: dt.date, date_to: dt.date) -> QuerySet[Case]:
    start, end = period_bounds(date_from, date_to)
    return (Case.objects.for_user(user)
            .filter(grid__code__startswith=grid.code, reported_at__gte=start,
                    reported_at__lt=end))


def three_lists(*, user, code: str, date_from: dt.date, date_to: dt.date) -> ThreeLists:
    """The collection, joint discussion and feedback lists of a node for a period (by the
    local date the case was reported, both ends included), oldest first."""
    grid = lists_grid(user=user, code=code)
    cases = _cases(user=user, grid=grid, date_from=date_from, date_to=date_to)
    collection = list(
        cases.select_related("category", "reported_by__worker", *_GRID_CHAIN[1:])
        .defer(*(f"{g}__boundary" for g in _GRID_CHAIN))
        .order_by("reported_at", "id"))
    in_period = cases.values("pk")
    discussions = list(
        DiscussionEntry.objects.filter(case__in=in_period)
        .select_related("case", "recorded_by__worker")
        .order_by("case__reported_at", "case_id", "at", "id"))
    result_photos = (CasePhoto.objects
                     .filter(case=OuterRef("case"), stage=CasePhoto.Stage.RESULT)
                     .order_by().values("case").annotate(n=Count("id")).values("n"))
    feedback = list(
        FeedbackEntry.objects.filter(case__in=in_period)
        .select_related("case")
        .annotate(result_photos=Coalesce(Subquery(result_photos, output_field=IntegerField()),
                                         0))
        .order_by("case__reported_at", "case_id", "at", "id"))
    ancestors = list(Grid.objects.filter(code__in=ancestor_codes(grid.code))
                     .defer("boundary").order_by("code"))
    return ThreeLists(grid=grid, ancestors=ancestors, date_from=date_from, date_to=date_to,
                      collection=collection, discussions=discussions, feedback=feedback)


def place_names(case: Case) -> dict[str, str]:
    """The names of the community, grid and micro-grid where the case happened, from the
    grid chain the collection query loaded (a case placed at a higher node has fewer)."""
    names: dict[str, str] = {}
    node: Grid = case.grid
    for depth in range(len(_GRID_CHAIN)):
        names[node.tier] = node.name
        # Step up only as far as the query loaded: one more level would be a query per row.
        if depth == len(_GRID_CHAIN) - 1 or node.parent_id is None:
            break
        node = node.parent
    return {tier: names.get(tier, "") for tier in (Tier.COMMUNITY, Tier.GRID, Tier.MICRO_GRID)}


def mask_name(name: str) -> str:
    """A reporter's name as the lists show it: the surname and a star per other character,
    "张三" → "张*", "欧阳娜娜" → "欧***"."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def staff_name(user) -> str:
    """A staff account as the lists name it: the worker's name, else the login."""
    if user is None:
        return ""
    try:
        worker = user.worker
    except ObjectDoesNotExist:  # an account without a worker record
        worker = None
    return (worker.name if worker is not None else "") or user.get_username()
