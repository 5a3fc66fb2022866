"""A patrol from start to end: route points, households visited, findings turned into a
case or a registry note in one step."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.conftest import MICRO_A
from wangge.registry.models import Household
from wangge.workbench.models import Patrol

pytestmark = pytest.mark.django_db


def _start(client, kind="patrol") -> Patrol:
    response = client.post("/m/patrols", {"kind": kind, "micro_grid": MICRO_A})
    assert response.status_code == 302, response.content[:500]
    patrol = Patrol.objects.latest("id")
    assert response.url == f"/m/patrols/{patrol.pk}"
    return patrol


def _post_points(client, patrol, points):
    return client.post(f"/m/patrols/{patrol.pk}/points", json.dumps({"points": points}),
                       content_type="application/json")


def _household_a() -> Household:
    return Household.objects.filter(micro_grid__code=MICRO_A,
                                    members__status="active").first()


def test_a_patrol_records_route_visits_and_a_finding_that_becomes_a_case(client, worker_a,
                                                                        point_a):
    client.force_login(worker_a)
    patrol = _start(client)
    lon, lat = point_a
    t0 = timezone.now() - dt.timedelta(minutes=5)
    points = [[lon - 0.0002, lat, t0.isoformat()],
              [lon, lat, (t0 + dt.timedelta(minutes=1)).isoformat()]]
    answer = _post_points(client, patrol, points).json()
    assert answer == {"added": 2, "total": 2}
    # The phone resends a batch whose answer it lost: nothing is added twice.
    assert _post_points(client, patrol, points).json() == {"added": 0, "total": 2}

    household = _household_a()
    page = client.get(f"/m/patrols/{patrol.pk}").content.decode()
    assert f'data-household="{household.pk}"' in page
    response = client.post(f"/m/patrols/{patrol.pk}/visits",
                           {"household": household.pk, "note": "老人独居,身体尚好"})
    assert response.status_code == 302
    assert patrol.visits.get().household == household

    response = client.post(f"/m/patrols/{patrol.pk}/findings", {
        "text": "单元门口消防通道被杂物堵塞", "category": "fire_hazard", "turn": "case"})
    assert response.status_code == 302
    finding = patrol.findings.get()
    case = finding.case
    assert case.grid.code == MICRO_A and case.source == "patrol"
    assert (case.lon, case.lat) == pytest.approx((lon, lat))
    assert case.reported_by == worker_a

    response = client.post(f"/m/patrols/{patrol.pk}/end", {"note": "巡查一圈,发现一处隐患"})
    assert response.status_code == 302
    patrol.refresh_from_db()
    assert patrol.ended_at is not None and len(patrol.route) == 2
    # An ended patrol takes no more points.
    assert _post_points(client, patrol, points).status_code == 409


def test_a_visit_finding_becomes_a_visit_case_and_a_registry_note(client, worker_a):
    client.force_login(worker_a)
    patrol = _start(client, kind="visit")
    household = _household_a()
    response = client.post(f"/m/patrols/{patrol.pk}/findings", {
        "text": "反映楼上漏水", "category": "neighbour_dispute", "turn": "case",
        "household": household.pk})
    assert response.status_code == 302
    case = patrol.findings.get().case
    # No route yet: the case is placed at the household's building.
    assert case.source == "visit" and case.building == household.house.building

    response = client.post(f"/m/patrols/{patrol.pk}/findings", {
        "text": "租户已搬走,需更新人口信息", "turn": "registry", "household": household.pk})
    assert response.status_code == 302
    note = patrol.findings.get(kind="registry")
    assert note.household == household and note.resolved_at is None
    grid_page = client.get("/m/grid").content.decode()
    assert "租户已搬走,需更新人口信息" in grid_page
    client.post(f"/m/grid/notes/{note.pk}/done")
    note.refresh_from_db()
    assert note.resolved_at is not None and note.resolved_by == worker_a


def test_a_registry_note_needs_a_household_and_a_case_a_category(client, worker_a):
    client.force_login(worker_a)
    patrol = _start(client)
    response = client.post(f"/m/patrols/{patrol.pk}/findings",
                           {"text": "信息有变", "turn": "registry"})
    assert response.status_code == 400
    assert "信息有变" in response.content.decode()  # what was typed is kept
    response = client.post(f"/m/patrols/{patrol.pk}/findings",
                           {"text": "有隐患", "turn": "case"})
    assert response.status_code == 400
    assert not patrol.findings.exists()


def test_one_running_patrol_at_a_time(client, worker_a):
    client.force_login(worker_a)
    first = _start(client)
    response = client.post("/m/patrols", {"kind": "visit", "micro_grid": MICRO_A})
    assert response.status_code == 400
    assert Patrol.objects.filter(worker__user=worker_a, ended_at__isnull=True).get() == first


def test_the_household_search_finds_by_room_and_shows_no_full_names(client, worker_a):
    client.force_login(worker_a)
    patrol = _start(client)
    household = _household_a()
    head = household.members.get(relation="head", status="active")
    fragment = client.get(f"/m/patrols/{patrol.pk}/households",
                          {"q": household.house.number}).content.decode()
    assert f'data-household="{household.pk}"' in fragment
    assert head.name not in fragment or len(head.name) == 1
    assert head.id_number not in fragment


def test_another_worker_cannot_see_or_write_on_my_patrol(client, worker_a, worker_b):
    client.force_login(worker_a)
    patrol = _start(client)
    client.force_login(worker_b)
    assert client.get(f"/m/patrols/{patrol.pk}").status_code == 404
    assert _post_points(client, patrol, [[106.9, 27.7, timezone.now().isoformat()]]) \
        .status_code == 404
    assert client.post(f"/m/patrols/{patrol.pk}/end").status_code == 404
    # Nor start a patrol in micro-grid A.
    response = client.post("/m/patrols", {"kind": "patrol", "micro_grid": MICRO_A})
    assert response.status_code == 400
    assert not Patrol.objects.filter(worker__user=worker_b).exists()
