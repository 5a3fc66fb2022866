"""Reads of the grid tree. Grids are public reference data: every user may read them."""

from dataclasses import dataclass

from django.db.models import QuerySet

from wangge.grids.choices import CODE_LENGTH, TIER_ORDER, Tier
from wangge.grids.locate import OUTSIDE, current_index
from wangge.grids.models import Grid, GridLevelChange


def grid_list() -> QuerySet[Grid]:
    return Grid.objects.select_related("parent", "grid_type").order_by("code")


def grid_get(*, code: str) -> Grid:
    return grid_list().get(code=code)


def ancestor_codes(code: str) -> list[str]:
    """Codes of every ancestor, from the top, derived from the hierarchical code."""
    return [code[:CODE_LENGTH[t]] for t in TIER_ORDER if CODE_LENGTH[t] < len(code)]


def grid_ancestors(*, grid: Grid) -> list[Grid]:
    return list(Grid.objects.filter(code__in=ancestor_codes(grid.code)).order_by("code"))


def grid_level_history(*, grid: Grid) -> QuerySet[GridLevelChange]:
    return grid.level_changes.select_related("changed_by").order_by("-changed_at", "-id")


@dataclass(frozen=True)
class Located:
    """Where a point falls: its micro-grid and the ancestors, or nothing."""

    lon: float
    lat: float
    micro_grid: Grid | None
    ancestors: list[Grid]


def locate_point(*, lon: float, lat: float) -> Located:
    index = current_index()
    idx = index.locate(lon, lat)
    if idx == OUTSIDE:
        return Located(lon, lat, None, [])
    code = index.codes[idx]
    grids = {g.code: g for g in grid_list().defer("boundary", "parent__boundary")
             .filter(code__in=[*ancestor_codes(code), code])}
    micro = grids.get(code)
    return Located(lon, lat, micro, [grids[c] for c in ancestor_codes(code) if c in grids])


def locate_points(*, points: list[tuple[float, float]]) -> list[str | None]:
    """Micro-grid codes for many points at once (None where outside every micro-grid)."""
    index = current_index()
    if not points:
        return []
    lons, lats = zip(*points, strict=True)
    return [None if i == OUTSIDE else index.codes[i] for i in index.locate_many(lons, lats)]




def feature_collection(*, grids: QuerySet[Grid]) -> dict:
    """GeoJSON FeatureCollection of these grids; the shape `grids import` reads back."""
    features = []
    for grid in grids:
        properties = {
            "code": grid.code,
            "name": grid.name,
            "tier": grid.tier,
            "parent": grid.parent.code if grid.parent_id else None,
        }
        if grid.level:
            properties["level"] = grid.level
        if grid.grid_type_id:
            properties["type"] = grid.grid_type.code
            properties["type_name"] = grid.grid_type.name
        features.append({"type": "Feature", "properties": properties, "geometry": grid.boundary})
    return {"type": "FeatureCollection", "features": features}


def may_set_level(*, user, grid: Grid) -> bool:
    """Community officers and above change a micro-grid's level: a superuser, or an account
    whose part of the tree holding the micro-grid is a community or wider."""
    from wangge.core.scope import scope_reaches

    return scope_reaches(user, widest=CODE_LENGTH["community"], code=grid.code)


def first_street() -> Grid | None:
    """The street an installation serves (the first, where it serves several): where an
    appeal with an address but no point goes to be placed."""
    return Grid.objects.filter(tier=Tier.STREET).defer("boundary").order_by("code").first()
