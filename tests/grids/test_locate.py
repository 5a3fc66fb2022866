import numpy as np
import pytest
import shapely
from shapely.geometry import box

from tests.grids import factories
from wangge.grids import services
from wangge.grids.locate import OUTSIDE, LocateIndex, current_index

pytestmark = pytest.mark.django_db


def _random_points(index: LocateIndex, n: int, seed: int):
    x0, y0, x1, y1 = shapely.total_bounds(index.geoms)
    rng = np.random.default_rng(seed)
    # A margin around the street, so that some points fall outside every micro-grid.
    return (rng.uniform(x0 - 0.002, x1 + 0.002, n), rng.uniform(y0 - 0.002, y1 + 0.002, n))


def test_locate_agrees_with_brute_force_on_10000_random_points(laocheng):
    index = current_index()
    assert len(index) == 885
    lons, lats = _random_points(index, 10_000, seed=11)
    bulk = index.locate_many(lons, lats)
    expected = np.array([index.brute_force(x, y) for x, y in zip(lons, lats, strict=True)])
    single = np.array([index.locate(x, y) for x, y in zip(lons, lats, strict=True)])
    assert (expected == OUTSIDE).any() and (expected != OUTSIDE).sum() > 5000
    assert (bulk == expected).all()
    assert (single == expected).all()


def test_a_point_on_a_shared_edge_goes_to_the_lowest_code():
    left, right = box(0, 0, 1, 1), box(1, 0, 2, 1)
    index = LocateIndex.build(["002", "001"], [right, left])
    assert index.locate_code(1.0, 0.5) == "001"
    assert index.codes[index.locate_many([1.0], [0.5])[0]] == "001"
    assert index.locate(5, 5) == OUTSIDE
    assert index.locate_many([5.0], [5.0])[0] == OUTSIDE


def test_an_empty_index_finds_nothing():
    index = LocateIndex.build([], [])
    assert index.locate(1, 1) == OUTSIDE
    assert list(index.locate_many([1.0], [1.0])) == [OUTSIDE]


def test_the_index_follows_a_boundary_change(db):
    services.grids_import_geojson(data=factories.small_tree(), actor=None, reason="test")
    # (116.4025, 39.9025) lies in the south-west micro-grid (…001).
    assert current_index().locate_code(116.4025, 39.9025) == factories.GRID + "001"

    # Swap the boundaries of the two southern micro-grids.
    tree = factories.small_tree()
    features = {f["properties"]["code"]: f for f in tree["features"]}
    first, second = features[factories.GRID + "001"], features[factories.GRID + "002"]
    first["geometry"], second["geometry"] = second["geometry"], first["geometry"]
    services.grids_import_geojson(data=tree, actor=None, reason="boundaries swapped")

    assert current_index().locate_code(116.4025, 39.9025) == factories.GRID + "002"
