import json

import pytest
import shapely

from wangge.demo import laocheng
from wangge.grids.choices import Tier
from wangge.grids.geometry import area_m2
from wangge.grids.models import Grid, GridLevelChange

pytestmark = pytest.mark.django_db


def _geoms(qs):
    return [shapely.from_geojson(json.dumps(b)) for b in qs.values_list("boundary", flat=True)]


def test_the_demo_has_the_seed_counts(laocheng):
    street = Grid.objects.subtree(laocheng.code)
    assert street.filter(tier=Tier.STREET).count() == 1
    assert street.filter(tier=Tier.COMMUNITY).count() == 7
    assert street.filter(tier=Tier.GRID).count() == 51
    assert street.filter(tier=Tier.MICRO_GRID).count() == 885
    assert street.filter(tier=Tier.COMMUNITY, name="红花岗社区").exists()
    assert Grid.objects.get(code="520302001").name == "老城街道"


def test_every_level_tiles_its_parent_without_gaps_or_overlaps(laocheng):
    street_area = area_m2(_geoms(Grid.objects.filter(code=laocheng.code))[0])
    for tier in (Tier.COMMUNITY, Tier.GRID, Tier.MICRO_GRID):
        geoms = _geoms(Grid.objects.filter(tier=tier, code__startswith=laocheng.code))
        total = sum(area_m2(g) for g in geoms)
        assert total == pytest.approx(street_area, rel=1e-3), tier
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        overlap = sum(
            area_m2(shapely.intersection(geoms[i], geoms[j]))
            for i, j in zip(left, right, strict=True) if i < j
        )
        assert overlap < 1.0, f"{tier}: {overlap} m² of overlap"


def test_children_lie_inside_their_parents(laocheng):
    parents = {g.code: shapely.from_geojson(json.dumps(g.boundary))
               for g in Grid.objects.exclude(tier=Tier.MICRO_GRID).filter(code__startswith="5203")}
    for grid in Grid.objects.filter(code__startswith="5203", parent__isnull=False):
        child = shapely.from_geojson(json.dumps(grid.boundary))
        outside = area_m2(shapely.difference(child, parents[grid.parent.code]))
        assert outside < 1.0, grid.code


def test_codes_follow_the_hierarchy(laocheng):
    for grid in Grid.objects.filter(code__startswith="5203").select_related("parent"):
        expected = {Tier.STREET: 9, Tier.COMMUNITY: 12, Tier.GRID: 15, Tier.MICRO_GRID: 18}
        assert len(grid.code) == expected[grid.tier]
        if grid.parent:
            assert grid.code.startswith(grid.parent.code)


def test_micro_grids_spread_over_three_levels_and_three_types(laocheng):
    micro = Grid.objects.micro_grids().filter(code__startswith="5203")
    levels = {lvl: micro.filter(level=lvl).count() for lvl in ("green", "yellow", "red")}
    assert all(n >= 50 for n in levels.values()), levels
    assert micro.values("grid_type").distinct().count() == 3
    # Every micro-grid's initial level is in its history.
    assert GridLevelChange.objects.filter(grid__in=micro, from_level="").count() == 885


def test_generation_is_deterministic():
    first, second = laocheng.generate(), laocheng.generate()
    assert [n.code for n in first] == [n.code for n in second]
    assert [n.name for n in first] == [n.name for n in second]
    assert all(a.geom.equals_exact(b.geom, 0) for a, b in zip(first, second, strict=True))
