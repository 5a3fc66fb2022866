"""The console map's data: scoped, and nothing about the reporter."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.conftest import MICRO_A, MICRO_B
from wangge.cases.choices import Action
from wangge.cases.services import case_act
from wangge.registry.models import Building, Facility
from wangge.workforce.models import Assignment

pytestmark = pytest.mark.django_db


def case_codes(response) -> set[str]:
    assert response.status_code == 200
    return {c["code"] for c in response.json()["cases"]}


def test_the_case_points_are_scoped(login, worker_b, community_officer, case_a, case_b):
    assert case_a.tracking_code not in case_codes(
        login(worker_b).get("/console/map/cases.json", {"state": "all"}))
    assert case_b.tracking_code in case_codes(
        login(worker_b).get("/console/map/cases.json", {"state": "all"}))
    officer = case_codes(login(community_officer).get("/console/map/cases.json"))
    assert case_a.tracking_code in officer and case_b.tracking_code not in officer


def test_the_case_points_carry_nothing_about_the_reporter(login, community_officer, case_a):
    response = login(community_officer).get("/console/map/cases.json", {"state": "all"})
    body = response.content.decode()
    assert "张三" not in body and "13800138000" not in body and "8000" not in body
    point = next(c for c in response.json()["cases"] if c["code"] == case_a.tracking_code)
    assert not {k for k in point if "reporter" in k or "phone" in k or "address" in k}
    assert point["lon"] == pytest.approx(case_a.lon, abs=1e-5)
    assert point["status"] == "reported" and point["overdue"] is False


def test_open_closed_and_dates(login, community_officer, worker_a, case_a):
    client = login(community_officer)
    case_act(case=case_a, action=Action.HANDLE_ON_SPOT, actor=worker_a, result="已清运")
    assert case_a.tracking_code not in case_codes(client.get("/console/map/cases.json"))
    assert case_a.tracking_code in case_codes(
        client.get("/console/map/cases.json", {"state": "closed"}))
    today = timezone.localdate()
    assert case_a.tracking_code in case_codes(client.get(
        "/console/map/cases.json", {"state": "all", "reported_from": today.isoformat()}))
    assert case_a.tracking_code not in case_codes(client.get(
        "/console/map/cases.json",
        {"state": "all", "reported_to": (today - dt.timedelta(days=1)).isoformat()}))
    bad = client.get("/console/map/cases.json", {"reported_from": "yesterday"})
    assert bad.status_code == 400 and "reported_from" in bad.json()["errors"]


def test_micro_grids_buildings_and_facilities_are_the_users(login, worker_a):
    client = login(worker_a)
    grids = client.get("/console/map/grids.json").json()["grids"]
    assert [g["code"] for g in grids] == [MICRO_A]
    leader = Assignment.objects.current().get(grid__code=MICRO_A, is_leader=True)
    assert grids[0]["leader"] == leader.worker.name
    assert grids[0]["staff"] == Assignment.objects.current().filter(grid__code=MICRO_A).count()
    assert grids[0]["point"] is not None
    buildings = client.get("/console/map/buildings.json").json()["buildings"]
    assert {b["grid"] for b in buildings} == {MICRO_A}
    assert len(buildings) == Building.objects.filter(micro_grid__code=MICRO_A,
                                                     lon__isnull=False).count()
    facilities = client.get("/console/map/facilities.json").json()["facilities"]
    assert {f["grid"] for f in facilities} <= {MICRO_A}
    assert len(facilities) == Facility.objects.filter(micro_grid__code=MICRO_A).count()


def test_the_map_page_passes_its_configuration_as_data(login, community_officer):
    response = login(community_officer).get("/console/map")
    page = response.content.decode()
    assert response.status_code == 200
    start = page.index('<script id="console-map-config" type="application/json">')
    config = json.loads(page[start:].split(">", 1)[1].split("</script>", 1)[0])
    assert config["prefixes"] == [MICRO_A[:12]]
    assert config["urls"]["gridFile"] == "/registry/grids/CODE/"
    assert "vendor/leaflet-heat/leaflet-heat.js" in page
    assert "<script>" not in page  # no inline script: the CSP forbids it


def test_the_outsider_gets_empty_data(login, outsider, case_a):
    client = login(outsider)
    assert client.get("/console/map/cases.json", {"state": "all"}).json()["cases"] == []
    assert client.get("/console/map/grids.json").json()["grids"] == []
    assert client.get("/console/map/buildings.json").json()["buildings"] == []
    assert MICRO_B not in client.get("/console/map/facilities.json").content.decode()
