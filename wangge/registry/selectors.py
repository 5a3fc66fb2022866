"""Reads of the registry, and the figures of one grid, one file (一格一档)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from wangge.grids.models import Grid
from wangge.grids.selectors import grid_ancestors
from wangge.registry.figures import AGE_BANDS, GridFigures, figures_sum, subtree_figures
from wangge.registry.models import CareGroup, Person

__all__ = ["AGE_BANDS", "GridFigures", "GridFile", "grid_figures", "grid_file", "person_list"]

def person_list() -> QuerySet[Person]:
    return Person.objects.select_related("micro_grid", "household__house__building") \
        .prefetch_related("care_groups")


def grid_figures(*, code: str, group_length: int | None = None) -> dict[str, GridFigures]:
    """Figures for the subtree under `code`, grouped by the first `group_length` characters
    of the micro-grid code (default: the whole subtree as one group, keyed by `code`): the
    sums of the micro-grids' kept figures (`registry.figures`)."""
    return subtree_figures(code=code, group_length=group_length)


@dataclass
class GridFile:
    grid: Grid
    ancestors: list[Grid]
    figures: GridFigures
    children: list[tuple[Grid, GridFigures]]
    care_groups: list[CareGroup]


def grid_file(*, grid: Grid) -> GridFile:
    """One grid, one file: the node's figures and each child's, which add up to them."""
    children = list(grid.children.defer("boundary").order_by("code"))
    per_child: dict[str, GridFigures] = {}
    if children:
        # One pass over the micro-grids' rows; the node's own figures are their sum.
        per_child = grid_figures(code=grid.code, group_length=len(children[0].code))
        total = figures_sum(per_child.values())
    else:
        total = grid_figures(code=grid.code).get(grid.code, GridFigures())
    return GridFile(
        grid=grid,
        ancestors=grid_ancestors(grid=grid),
        figures=total,
        children=[(c, per_child.get(c.code, GridFigures())) for c in children],
        care_groups=list(CareGroup.objects.all()),
    )
