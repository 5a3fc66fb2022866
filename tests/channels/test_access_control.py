"""Smart doors report signed events; the street's rules turn them into cases."""

import datetime as dt
import json
import logging
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import MICRO_A
from wangge.cases.choices import Action, Source, Status
from wangge.cases.models import Case
from wangge.cases.services import case_act
from wangge.channels.access_control import sign
from wangge.channels.models import AccessEvent
from wangge.core.models import AuditEvent

pytestmark = [pytest.mark.django_db]

SECRET = "test-door-secret"
DOOR_A = f"DOOR-{MICRO_A}-1"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.WANGGE_ACCESS_CONTROL_SECRET = SECRET


def post(client, payload: dict | bytes, *, secret: str = SECRET, timestamp: int | None = None,
         body: bytes | None = None, headers: dict | None = None):
    """Send an event as a door does: the body signed with the timestamp. `body` replaces the
    signed body afterwards (a tampered request)."""
    signed = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    ts = int(time.time()) if timestamp is None else timestamp
    if headers is None:
        headers = {"X-Wangge-Signature": sign(signed, timestamp=ts, secret=secret),
                   "X-Wangge-Timestamp": str(ts)}
    return client.post(reverse("api-access-control-events"), data=body or signed,
                       content_type="application/json", headers=headers)


def event(kind: str = "forced_open", *, door: str = DOOR_A, at: dt.datetime | None = None,
          event_id: str = "", **extra) -> dict:
    body = {"door": door, "time": (at or timezone.now()).isoformat(), "event": kind, **extra}
    if event_id:
        body["event_id"] = event_id
    return body


def test_a_forced_door_opens_an_urgent_case_in_the_doors_micro_grid(client, laocheng):
    response = post(client, event(event_id="e-1", detail={"camera": "cam-3"}))
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.select_related("grid", "category").get(tracking_code=body["case"])
    assert case.source == Source.ACCESS_CONTROL and case.grid.code == MICRO_A
    assert case.category.code == "public_order_incident" and case.urgency == "urgent"
    assert DOOR_A in case.description
    stored = AccessEvent.objects.get(pk=body["event"])
    assert stored.case == case and stored.payload["detail"] == {"camera": "cam-3"}


def test_a_door_held_open_needs_three_events_within_two_hours(client, laocheng):
    now = timezone.now()
    early = post(client, event("held_open", at=now - dt.timedelta(minutes=200)))
    first = post(client, event("held_open", at=now - dt.timedelta(minutes=100)))
    second = post(client, event("held_open", at=now - dt.timedelta(minutes=60)))
    # Three so far, but never three within 120 minutes.
    assert [r.json()["case"] for r in (early, first, second)] == [None, None, None]
    third = post(client, event("held_open", at=now))
    code = third.json()["case"]
    assert third.status_code == 201 and code is not None
    case = Case.objects.get(tracking_code=code)
    assert case.category.code == "property_service"
    linked = set(case.access_events.values_list("pk", flat=True))
    assert linked == {first.json()["event"], second.json()["event"], third.json()["event"]}


def test_the_same_event_sent_again_is_stored_once(client, laocheng):
    payload = event(event_id="dev-42")
    first = post(client, payload)
    cases = Case.objects.count()
    again = post(client, payload)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    assert AccessEvent.objects.filter(event_id="dev-42").count() == 1
    assert Case.objects.count() == cases


def test_a_second_forced_opening_joins_the_open_case_and_a_later_one_opens_a_new(
        client, laocheng):
    first = post(client, event(event_id="f-1")).json()
    second = post(client, event(event_id="f-2")).json()
    assert second["case"] == first["case"]
    case = Case.objects.get(tracking_code=first["case"])
    assert case.access_events.count() == 2
    assert case.steps.filter(action=Action.COMMENT).count() == 1  # the handler sees it
    case_act(case=case, action=Action.HANDLE_ON_SPOT, actor=None, result="已检查门锁,恢复正常")
    third = post(client, event(event_id="f-3")).json()
    assert third["case"] not in (None, first["case"])
    assert Case.objects.get(tracking_code=first["case"]).status == Status.CLOSED


def _signed_with_wrong_secret(client):
    return post(client, event(), secret="not-the-secret")


def _tampered(client):
    good = event(event_id="t-1")
    bad = json.dumps({**good, "door": f"DOOR-{MICRO_A}-2"}).encode()
    return post(client, good, body=bad)


def _old(client):
    return post(client, event(), timestamp=int(time.time()) - 301)


def _unsigned(client):
    return post(client, event(), headers={})


@pytest.mark.parametrize("send", [_signed_with_wrong_secret, _tampered, _old, _unsigned])
def test_a_bad_signature_is_refused_and_logged(client, laocheng, send, caplog):
    audits, events = AuditEvent.objects.count(), AccessEvent.objects.count()
    with caplog.at_level(logging.WARNING, logger="wangge.channels"):
        response = send(client)
    assert response.status_code == 401 and response.json()["detail"]
    assert AccessEvent.objects.count() == events
    assert AuditEvent.objects.count() == audits + 1
    audit = AuditEvent.objects.first()
    assert audit.target_type == "channels.access_control" and audit.actor is None
    assert any("refused" in r.getMessage() for r in caplog.records)


def test_an_unknown_door_is_a_404(client, laocheng):
    response = post(client, event(door="DOOR-NOWHERE"))
    assert response.status_code == 404 and "DOOR-NOWHERE" in response.json()["detail"]


@pytest.mark.parametrize("change", [
    {"event": "explosion"}, {"time": "yesterday"}, {"door": None},
])
def test_a_bad_field_is_a_400(client, laocheng, change):
    payload = {**event(), **change}
    response = post(client, payload)
    assert response.status_code == 400
    assert not AccessEvent.objects.exists()


def test_a_body_that_is_not_json_is_a_400(client, laocheng):
    assert post(client, b"door=DOOR-1").status_code == 400


def test_without_a_secret_the_endpoint_says_it_is_not_configured(client, laocheng, settings):
    settings.WANGGE_ACCESS_CONTROL_SECRET = ""
    response = post(client, event(), secret="")
    assert response.status_code == 503
    assert not AccessEvent.objects.exists()
