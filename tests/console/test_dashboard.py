"""The dashboard: figures for the user's part of the tree, each linking to its list."""

import json
import re

import pytest

from tests.conftest import MICRO_A
from wangge.cases.choices import Action, Source
from wangge.cases.models import Case
from wangge.cases.services import case_act

pytestmark = pytest.mark.django_db


def _data(response) -> dict:
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    return json.loads(match.group(1))


def test_counts_change_when_a_case_is_filed_and_closed(client, community_officer, case_a,
                                                       worker_a):
    client.force_login(community_officer)
    before = _data(client.get("/console/dashboard"))
    kpi = {k["key"]: k for k in before["kpis"]}
    assert before["node"]["code"] == MICRO_A[:12]
    assert kpi["received"]["value"] >= 1
    closed_before = kpi["closed"]["value"]
    case_act(case=case_a, action=Action.HANDLE_ON_SPOT, actor=worker_a, result="已清运")
    after = {k["key"]: k for k in _data(client.get("/console/dashboard"))["kpis"]}
    assert after["closed"]["value"] == closed_before + 1
    # The figure links to the list behind it.
    assert "state=finished" in after["closed"]["link"]


def test_the_street_sees_its_communities_ranked_and_a_drill_down(client, street_staff,
                                                                 case_a):
    client.force_login(street_staff)
    data = _data(client.get("/console/dashboard"))
    assert data["child_dim"] == "community" and len(data["children"]) == 7
    community = next(c for c in data["children"] if c["key"] == MICRO_A[:12])
    assert community["received"] >= 1
    page = client.get(community["link"])
    assert _data(page)["node"]["code"] == MICRO_A[:12]
    assert any(r["label"] for r in data["population"]["by_type"])


def test_sensitive_care_groups_are_not_shown(client, street_staff, laocheng):
    from wangge.registry.models import CareGroup

    client.force_login(street_staff)
    data = _data(client.get("/console/dashboard"))
    sensitive = set(CareGroup.objects.filter(sensitive=True).values_list("code", flat=True))
    assert sensitive and not {r["key"] for r in data["population"]["by_care_group"]} & sensitive


def test_another_communitys_worker_cannot_open_this_community(client, worker_b, laocheng):
    client.force_login(worker_b)
    assert client.get(f"/console/dashboard?grid={MICRO_A[:12]}").status_code == 404


def test_an_account_without_grids_sees_what_to_do(client, outsider, laocheng):
    client.force_login(outsider)
    page = client.get("/console/dashboard")
    assert page.status_code == 200 and "dashboard-data" not in page.content.decode()


def test_bad_dates_fall_back_with_a_message(client, street_staff, laocheng):
    client.force_login(street_staff)
    page = client.get("/console/dashboard?from=2026-13-01")
    assert page.status_code == 400 and _data(page)["from"].endswith("-01-01")


def test_the_demo_history_shows_467_appeals_all_closed(client, street_staff, laocheng):
    from wangge.demo import cases as demo_cases

    demo_cases.load()
    client.force_login(street_staff)
    page = client.get("/console/dashboard?from=2020-01-01")
    data = _data(page)
    online = Case.objects.filter(source=Source.ONLINE).count()
    assert online == 467
    months = data["months"]
    assert months[0] == "2020-01"
    online_series = next(s for s in data["series"] if s["key"] == Source.ONLINE)
    assert sum(online_series["data"]) == 467
    stats = client.get("/api/stats/cases", {"from": "2020-01-01", "source": "online"})
    totals = stats.json()["totals"]
    assert totals["counts"]["received"] == 467
    assert totals["rates"]["closure_rate"]["value"] == 1.0


def test_the_ranking_names_every_community_even_without_cases(client, street_staff, laocheng):
    from wangge.grids.models import Grid

    client.force_login(street_staff)
    data = _data(client.get("/console/dashboard"))
    names = dict(Grid.objects.filter(tier="community").values_list("code", "name"))
    assert {c["label"] for c in data["children"]} == set(names.values())


def test_a_city_or_district_dashboard_comes_from_the_cache_the_sweep_fills(
        client, street_admin, laocheng, monkeypatch):
    """The demo has no district above its street, so the street stands in for one."""
    from django.core.cache import cache

    from wangge.console import dashboard
    from wangge.grids.choices import Tier

    cache.clear()
    monkeypatch.setattr(dashboard, "CACHED_TIERS", (Tier.STREET,))
    assert dashboard.dashboard_sweep() == "1 dashboards cached"
    client.force_login(street_admin)
    expected = _data(client.get("/console/dashboard?grid=520302001"))

    def no_counting(**kwargs):
        raise AssertionError("counted again instead of reading the cache")

    monkeypatch.setattr(dashboard.stats, "case_figures", no_counting)
    again = _data(client.get("/console/dashboard?grid=520302001"))
    assert again["kpis"] == expected["kpis"] and again["children"] == expected["children"]
    assert again["population"]["total"] > 50_000
    cache.clear()
    with pytest.raises(AssertionError, match="counted again"):
        client.get("/console/dashboard?grid=520302001")
