import pytest

from wangge.grids import services
from wangge.grids.models import Grid

pytestmark = pytest.mark.django_db

MICRO = "520302001001001001"


def test_a_level_change_keeps_who_when_and_why(laocheng, street_admin):
    grid = Grid.objects.get(code=MICRO)
    old = grid.level
    new = "red" if old != "red" else "green"
    change = services.grid_set_level(grid=grid, level=new, actor=street_admin,
                                     reason="三起纠纷未化解")
    grid.refresh_from_db()
    assert grid.level == new
    assert (change.from_level, change.to_level) == (old, new)
    assert change.changed_by == street_admin and change.reason == "三起纠纷未化解"
    assert change.changed_at is not None
    assert list(grid.level_changes.values_list("to_level", flat=True)[:2]) == [new, old]
    # The record's own history shows the change too.
    assert grid.history.first().level == new


def test_a_long_reason_is_kept_whole(laocheng, street_admin):
    grid = Grid.objects.get(code=MICRO)
    reason = "分数 31.5 → 红: 设施失修 3 处 (+30), 安全隐患未办结 2 件 (+8); " * 5
    new = "red" if grid.level != "red" else "green"
    services.grid_set_level(grid=grid, level=new, actor=street_admin, reason=reason)
    assert grid.level_changes.first().reason == reason.strip()
    assert grid.history.first().history_change_reason == reason.strip()


def test_setting_the_same_level_records_nothing(laocheng, street_admin):
    grid = Grid.objects.get(code=MICRO)
    before = grid.level_changes.count()
    assert services.grid_set_level(grid=grid, level=grid.level, actor=street_admin,
                                   reason="复核") is None
    assert grid.level_changes.count() == before


@pytest.mark.parametrize(("code", "level", "reason"), [
    (MICRO, "red", "  "),         # no reason
    (MICRO, "purple", "reason"),  # no such level
    ("520302001001", "red", "reason"),  # a community has no level
])
def test_refused_level_changes_change_nothing(laocheng, street_admin, code, level, reason):
    grid = Grid.objects.get(code=code)
    before = (grid.level, grid.level_changes.count())
    with pytest.raises(services.GridChangeError):
        services.grid_set_level(grid=grid, level=level, actor=street_admin, reason=reason)
    grid.refresh_from_db()
    assert (grid.level, grid.level_changes.count()) == before


def test_the_admin_demands_a_reason_for_a_level_change(laocheng, street_admin, client):
    client.force_login(street_admin)
    grid = Grid.objects.get(code=MICRO)
    url = f"/admin/grids/grid/{grid.pk}/change/"
    new = "yellow" if grid.level != "yellow" else "green"
    form = {"name": grid.name, "grid_type": grid.grid_type_id, "level": new,
            "level_reason": "", "change_reason": ""}
    response = client.post(url, form)
    assert response.status_code == 200  # form shown again with the error
    grid.refresh_from_db()
    assert grid.level != new

    response = client.post(url, {**form, "level_reason": "居民反映噪音扰民增多"})
    assert response.status_code == 302
    grid.refresh_from_db()
    assert grid.level == new
    assert grid.level_changes.first().reason == "居民反映噪音扰民增多"
    assert grid.level_changes.first().changed_by == street_admin


@pytest.mark.parametrize(("who", "allowed"), [
    ("community_officer", True), ("street_staff", True), ("leader_a", False),
    ("worker_b", False), ("outsider", False)])
def test_community_officers_and_above_change_levels_through_the_api(
        laocheng, client, request, who, allowed):
    from tests.conftest import MICRO_A

    user = request.getfixturevalue(who)
    client.force_login(user)
    grid = Grid.objects.get(code=MICRO_A)
    target = "red" if grid.level != "red" else "yellow"
    response = client.post(f"/api/grids/{MICRO_A}/levels/", {"level": target,
                                                             "reason": "连续发生盗窃案件"})
    grid.refresh_from_db()
    assert (response.status_code == 201 or response.status_code == 200) is allowed
    assert (grid.level == target) is allowed
