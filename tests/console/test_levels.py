"""Grid levels (绿黄红牌): the list, the history with reasons, the change form."""

import pytest

from tests.conftest import MICRO_A, MICRO_B
from wangge.grids.models import Grid, GridLevelChange

pytestmark = pytest.mark.django_db


def other_level(grid: Grid) -> str:
    return "red" if grid.level != "red" else "green"


def test_a_level_change_needs_a_reason(login, community_officer, micro_a):
    before, history = micro_a.level, GridLevelChange.objects.filter(grid=micro_a).count()
    response = login(community_officer).post(f"/console/levels/{MICRO_A}",
                                             {"level": other_level(micro_a), "reason": "  "})
    assert response.status_code == 400
    assert "变更等级必须填写原因" in response.content.decode()  # in Chinese
    micro_a.refresh_from_db()
    assert micro_a.level == before
    assert GridLevelChange.objects.filter(grid=micro_a).count() == history


def test_a_level_change_is_kept_in_the_history(login, community_officer, micro_a):
    client = login(community_officer)
    target = other_level(micro_a)
    response = client.post(f"/console/levels/{MICRO_A}",
                           {"level": target, "reason": "发现两处消防隐患,列为重点治理"})
    assert response.status_code == 302
    micro_a.refresh_from_db()
    assert micro_a.level == target
    change = GridLevelChange.objects.filter(grid=micro_a).order_by("-changed_at", "-id")[0]
    assert change.changed_by == community_officer and change.to_level == target
    page = client.get(response["Location"]).content.decode()
    assert "发现两处消防隐患,列为重点治理" in page[page.index('id="level-history"'):]
    listing = client.get("/console/levels").content.decode()
    assert "发现两处消防隐患,列为重点治理" in listing[listing.index('id="level-changes"'):]


def test_the_level_filter_narrows_the_list(login, community_officer, micro_a):
    client = login(community_officer)
    page = client.get("/console/levels", {"level": micro_a.level}).content.decode()
    assert f'<tr data-code="{MICRO_A}" data-level="{micro_a.level}">' in page
    other = client.get("/console/levels", {"level": other_level(micro_a)}).content.decode()
    assert f'data-code="{MICRO_A}"' not in other
    assert MICRO_B not in page  # another community's micro-grid


def test_a_grid_worker_cannot_change_the_level(login, worker_a, micro_a):
    history = GridLevelChange.objects.filter(grid=micro_a).count()
    client = login(worker_a)
    page = client.get(f"/console/levels/{MICRO_A}").content.decode()
    assert 'name="reason"' not in page
    response = client.post(f"/console/levels/{MICRO_A}",
                           {"level": other_level(micro_a), "reason": "想改"})
    assert response.status_code == 403
    assert GridLevelChange.objects.filter(grid=micro_a).count() == history


def test_another_communitys_micro_grid_is_not_found(login, community_officer):
    client = login(community_officer)
    assert client.get(f"/console/levels/{MICRO_B}").status_code == 404
    assert client.post(f"/console/levels/{MICRO_B}",
                       {"level": "red", "reason": "x"}).status_code == 404
