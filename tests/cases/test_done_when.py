"""Issue 5's "done when", as one journey through the public interfaces: a case filed by an
Open311 client lands in its micro-grid, is raised by the sweep when the grid lets it lapse,
is handled by the community, closed, rated by the reporter and published; its three lists
print; the figures count it."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.conftest import MICRO_A
from wangge.cases.models import Case
from wangge.cases.services import case_sweep
from wangge.workforce.models import Worker

pytestmark = pytest.mark.django_db


def test_open311_to_sweep_to_community_to_rating_to_lists_and_figures(
        client, point_a, community_officer):
    lon, lat = point_a
    app = Client()
    filed = app.post("/open311/v2/requests.json", {
        "api_key": settings.WANGGE_DEMO_OPEN311_KEY, "service_code": "road_damage",
        "lat": lat, "long": lon, "description": "人行道地砖塌陷,老人容易绊倒。",
        "phone": "13912345678"})
    code = filed.json()[0]["service_request_id"]
    case = Case.objects.get(tracking_code=code)
    assert case.grid.code == MICRO_A and case.level == "grid"

    # Nobody at the grid acts; the sweep raises it to the community.
    assert code in case_sweep(now=case.level_due_at + dt.timedelta(minutes=1)).raised
    case.refresh_from_db()
    assert case.level == "community" and case.responsible.code == MICRO_A[:12]

    # The community dispatches, its handler reports the result, the community closes.
    client.force_login(community_officer)
    handler = Worker.objects.get(user=community_officer)
    base = f"/api/cases/{code}"
    steps = [("dispatch", {"handler": handler.pk, "plan": "联系市政维护站修复",
                           "participants": "社区、网格长", "units": "市政维护站"}),
             ("start", {}), ("handle", {"result": "市政维护站已重新铺设地砖"}),
             ("close", {"note": "现场核实"})]
    for action, body in steps:
        version = client.get(f"{base}/").json()["version"]
        response = client.post(f"{base}/{action}/", {**body, "version": version},
                               content_type="application/json")
        assert response.status_code == 200, (action, response.json())

    # The reporter follows it by its id and rates it; the result is published.
    assert app.get(f"/open311/v2/requests/{code}.json").json()[0]["status"] == "closed"
    rated = app.post(f"/api/appeals/{code}/evaluate/", {"evaluation": "satisfied"},
                     content_type="application/json")
    assert rated.status_code == 200 and rated.json()["status"] == "evaluated"
    published = app.get("/api/published/").json()["results"]
    assert any(p["result"] == "市政维护站已重新铺设地砖" for p in published)

    # Its three lists print.
    today = timezone.localdate()
    lists = client.get(f"/cases/lists/{MICRO_A[:12]}/?from={today}&to={today}")
    assert lists.status_code == 200 and code in lists.content.decode()
    assert client.get(f"/cases/lists/{MICRO_A[:12]}.pdf?from={today}&to={today}") \
        .content.startswith(b"%PDF")

    # The figures count it: closed, on time, not in the grid (it was raised), rated.
    stats = client.get("/api/stats/cases", {"grid": MICRO_A[:12], "from": today,
                                            "to": today, "source": "online"}).json()
    counts = stats["totals"]["counts"]
    assert counts["closed"] >= 1 and counts["evaluated"] >= 1
    assert stats["totals"]["rates"]["in_grid_rate"]["value"] < 1
