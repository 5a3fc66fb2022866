"""The co-governance API: plan and hold a meeting, list scoped, complete a task."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import MICRO_A
from wangge.cogovernance.models import FollowUpTask

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_plan_hold_and_complete_through_the_api(community_officer, committee, worker_a,
                                                worker_a_record, worker_b, outsider):
    api = client_for(community_officer)
    committees = api.get("/api/cogovernance/committees/").json()["results"]
    assert [(c["name"], len(c["members"])) for c in committees] == [(committee.name, 16)]
    planned = api.post("/api/cogovernance/meetings/", {
        "kind": "round_table", "committee": committee.pk, "title": "API圆桌会",
        "held_at": timezone.now().isoformat(), "agenda": [{"title": "停车难"}]},
        format="json")
    assert planned.status_code == 201, planned.json()
    meeting = planned.json()
    member = committee.members.current().first()
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    held = api.post(f"/api/cogovernance/meetings/{meeting['id']}/hold/", {
        "minutes": "讨论停车难。", "public": True,
        "attendance": [{"member": member.pk, "presence": "present"}],
        "decisions": [{"text": "错时共享停车", "agenda_item": meeting["agenda"][0]["id"],
                       "tasks": [{"title": "摸排车位", "worker": worker_a_record.pk,
                                  "due_on": due},
                                 {"title": "开放停车场", "member": member.pk, "due_on": due}]}]},
        format="json")
    assert held.status_code == 200, held.json()
    assert held.json()["status"] == "held"
    assert len(held.json()["decisions"][0]["tasks"]) == 2
    task = FollowUpTask.objects.get(title="摸排车位")

    for user in (worker_b, outsider):
        other = client_for(user)
        assert other.get(f"/api/cogovernance/meetings/{meeting['id']}/").status_code == 404
        assert other.get(f"/api/cogovernance/tasks/{task.pk}/").status_code == 404
        assert other.post(f"/api/cogovernance/tasks/{task.pk}/complete/",
                          {"result": "x"}).status_code == 404

    mine = client_for(worker_a)
    assert [t["id"] for t in mine.get("/api/cogovernance/tasks/?mine=1").json()["results"]] \
        == [task.pk]
    assert mine.get(f"/api/cogovernance/meetings/{meeting['id']}/").status_code == 404
    assert mine.post(f"/api/cogovernance/tasks/{task.pk}/complete/",
                     {"result": ""}).status_code == 400
    done = mine.post(f"/api/cogovernance/tasks/{task.pk}/complete/", {"result": "已摸排"})
    assert done.status_code == 200 and done.json()["status"] == "done"


def test_a_meeting_outside_the_users_community_is_refused(community_officer, laocheng):
    api = client_for(community_officer)
    answer = api.post("/api/cogovernance/meetings/", {
        "kind": "party_joint", "grid": "520302001002", "title": "x",
        "held_at": timezone.now().isoformat()}, format="json")
    assert answer.status_code == 400
    answer = api.post("/api/cogovernance/meetings/", {
        "kind": "direct_line", "grid": MICRO_A[:12], "title": "x",
        "held_at": timezone.now().isoformat()}, format="json")
    assert answer.status_code == 400


def test_the_api_is_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/cogovernance/meetings/{id}/hold/", "/api/cogovernance/tasks/",
                 "/api/cogovernance/tasks/{id}/complete/", "/api/cogovernance/committees/"):
        assert path in schema
    assert "follow_ups" in schema
