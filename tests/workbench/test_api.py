"""The workbench API: the same patrol journey as the pages, for a phone app."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import MICRO_A
from wangge.registry.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(worker_a):
    client = APIClient()
    client.force_authenticate(worker_a)
    return client


def test_a_patrol_through_the_api(api, point_a, case_a):
    tasks = api.get("/api/me/tasks/").json()
    assert case_a.tracking_code in [c["tracking_code"] for c in tasks["to_do"]]

    started = api.post("/api/patrols/", {"kind": "patrol", "micro_grid": MICRO_A},
                       format="json")
    assert started.status_code == 201
    pk = started.json()["id"]
    assert api.post("/api/patrols/", {"kind": "visit", "micro_grid": MICRO_A},
                    format="json").status_code == 409

    lon, lat = point_a
    at = (timezone.now() - dt.timedelta(minutes=1)).isoformat()
    answer = api.post(f"/api/patrols/{pk}/points/", {"points": [[lon, lat, at]]},
                      format="json")
    assert answer.json() == {"added": 1, "total": 1}

    household = Household.objects.filter(micro_grid__code=MICRO_A).first()
    visited = api.post(f"/api/patrols/{pk}/visits/", {"household": household.pk},
                       format="json")
    assert [v["household"] for v in visited.json()["visits"]] == [household.pk]

    finding = api.post(f"/api/patrols/{pk}/findings/", {
        "text": "路灯不亮", "turn": "case", "category": "street_lamp"}, format="json")
    assert finding.status_code == 201
    code = finding.json()["case"]
    case = api.get(f"/api/patrols/{pk}/").json()["findings"][0]
    assert case["case"] == code

    ended = api.post(f"/api/patrols/{pk}/end/", {"note": "完成"}, format="json")
    assert ended.status_code == 200 and ended.json()["ended_at"]
    assert api.post(f"/api/patrols/{pk}/points/", {"points": [[lon, lat, at]]},
                    format="json").status_code == 409


def test_another_worker_gets_404_for_my_patrol(api, worker_b):
    pk = api.post("/api/patrols/", {"kind": "patrol", "micro_grid": MICRO_A},
                  format="json").json()["id"]
    other = APIClient()
    other.force_authenticate(worker_b)
    assert other.get(f"/api/patrols/{pk}/").status_code == 404
    assert other.post(f"/api/patrols/{pk}/end/", {}, format="json").status_code == 404
    assert other.get("/api/patrols/").json()["count"] == 0
    assert other.post("/api/patrols/", {"kind": "patrol", "micro_grid": MICRO_A},
                      format="json").status_code == 400
