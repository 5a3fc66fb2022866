import copy
import json

import pytest
from django.core.management import CommandError, call_command

from tests.grids import factories
from wangge.grids import services
from wangge.grids.models import BoundaryRevision, Grid, GridLevelChange

pytestmark = pytest.mark.django_db


def _import(data):
    return services.grids_import_geojson(data=data, actor=None, reason="test")


def _snapshot():
    return (
        sorted(Grid.objects.values_list("code", "name", "level", "boundary")),
        GridLevelChange.objects.count(),
        BoundaryRevision.objects.get(pk=1).revision,
    )


def test_a_new_tree_is_created_and_reimporting_it_changes_nothing(db):
    result = _import(factories.small_tree())
    assert (result.created, result.updated, result.unchanged) == (7, 0, 0)
    micro = Grid.objects.get(code=factories.GRID + "002")
    assert micro.parent.code == factories.GRID
    assert micro.level == "yellow"
    # 0.005° of longitude at 39.9° N is 427 m, 0.005° of latitude 556 m.
    assert micro.area_m2 == pytest.approx(427 * 556, rel=0.01)
    assert micro.level_changes.get().to_level == "yellow"
    assert not result.gaps

    before = _snapshot()
    again = _import(factories.small_tree())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    assert _snapshot() == before


def test_a_level_changed_in_the_file_is_kept_in_history(db):
    _import(factories.small_tree())
    tree = factories.small_tree()
    tree["features"][3]["properties"]["level"] = "red"
    result = _import(tree)
    assert (result.updated, result.level_changes) == (1, 1)
    change = Grid.objects.get(code=factories.GRID + "001").level_changes.first()
    assert (change.from_level, change.to_level, change.reason) == ("green", "red", "test")


def _bad(mutate):
    tree = factories.small_tree()
    mutate(tree["features"])
    return tree


BAD_FILES = {
    "self-intersecting polygon": (
        lambda f: f[4]["geometry"].update(coordinates=[[[116.40, 39.90], [116.405, 39.905],
                                                        [116.405, 39.90], [116.40, 39.905],
                                                        [116.40, 39.90]]]),
        "多边形无效",
    ),
    "overlapping siblings": (
        lambda f: f[4]["geometry"].update(coordinates=[[[116.40, 39.90], [116.4075, 39.90],
                                                        [116.4075, 39.905], [116.40, 39.905],
                                                        [116.40, 39.90]]]),
        "重叠",
    ),
    "outside its parent": (
        lambda f: f[6]["geometry"].update(coordinates=[[[116.405, 39.905], [116.42, 39.905],
                                                        [116.42, 39.91], [116.405, 39.91],
                                                        [116.405, 39.905]]]),
        "超出上级",
    ),
    "a point, not a polygon": (
        lambda f: f[5].update(geometry={"type": "Point", "coordinates": [116.4, 39.9]}),
        "Polygon",
    ),
    "missing name": (lambda f: f[3]["properties"].pop("name"), "name"),
    "bad code": (lambda f: f[3]["properties"].update(code="12ab"), "code"),
    "duplicate code": (lambda f: f[4]["properties"].update(code=factories.GRID + "001"),
                       "重复"),
    "unknown level": (lambda f: f[3]["properties"].update(level="purple"), "purple"),
    "missing parent": (
        lambda f: f[4]["properties"].update(code=factories.COMMUNITY + "009001"), "上级"),
    "projected coordinates": (
        lambda f: f[3]["geometry"].update(coordinates=[[[500000, 4400000], [500100, 4400000],
                                                        [500100, 4400100], [500000, 4400000]]]),
        "WGS84",
    ),
    "same name twice under one parent": (
        lambda f: f[4]["properties"].update(name="微网格1"), "已被"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_whole_and_says_which_feature(case, db):
    _import(factories.small_tree())
    mutate, expected = BAD_FILES[case]
    tree = _bad(mutate)
    # A good change in the same file must not slip through either.
    tree["features"][0]["properties"]["name"] = "改名街道"
    before = _snapshot()
    with pytest.raises(services.GridImportError) as refused:
        _import(tree)
    assert _snapshot() == before
    messages = [str(p) for p in refused.value.problems]
    assert any(expected in m for m in messages), messages
    assert all("要素" in m for m in messages)  # each problem names its feature


def test_a_file_that_is_not_a_feature_collection_is_refused(db):
    with pytest.raises(services.GridImportError):
        _import({"type": "Feature"})
    with pytest.raises(services.GridImportError):
        _import({"type": "FeatureCollection", "features": []})


def test_gaps_are_reported_but_do_not_refuse_the_file(db):
    tree = factories.small_tree()
    tree["features"].pop()  # the north-east micro-grid
    result = _import(tree)
    assert result.created == 6
    assert len(result.gaps) == 1
    assert factories.GRID in result.gaps[0].where
    assert "未被任何下级覆盖" in result.gaps[0].message


def test_changing_a_parent_must_still_hold_its_children(db):
    _import(factories.small_tree())
    tree = factories.small_tree()
    grid = copy.deepcopy(tree["features"][2])
    grid["geometry"]["coordinates"] = [[[116.40, 39.90], [116.405, 39.90], [116.405, 39.91],
                                        [116.40, 39.91], [116.40, 39.90]]]
    with pytest.raises(services.GridImportError) as refused:
        _import(factories.collection(grid))
    assert any("超出上级" in str(p) for p in refused.value.problems)


def test_command_round_trip_export_then_import_changes_nothing(db, tmp_path, capsys):
    _import(factories.small_tree())
    out = tmp_path / "grids.geojson"
    call_command("grids", "export", "-o", str(out), "--under", factories.STREET)
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert len(exported["features"]) == 7
    props = exported["features"][-1]["properties"]
    assert props["tier"] == "micro_grid" and props["level"] == "green"

    before = _snapshot()
    call_command("grids", "import", str(out))
    assert "未变 7" in capsys.readouterr().out
    assert _snapshot() == before


def test_command_refuses_a_bad_file_with_reasons(db, tmp_path, capsys):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="JSON"):
        call_command("grids", "import", str(bad))
    bad.write_text(json.dumps(_bad(BAD_FILES["overlapping siblings"][0])), encoding="utf-8")
    before = _snapshot()
    with pytest.raises(CommandError, match=r"nothing was changed|未作任何更改"):
        call_command("grids", "import", str(bad))
    assert _snapshot() == before
