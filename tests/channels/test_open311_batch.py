"""Open311 batch intake (异步受理): a client in batch mode gets a token at once, the drain
files each submission as exactly one case, and the token then gives its
service_request_id. Everything the spec says to refuse is still refused at once."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from wangge.cases.choices import Source
from wangge.cases.models import Case, Category
from wangge.channels import selectors
from wangge.channels.choices import Intake
from wangge.channels.models import ApiClient, Open311Submission
from wangge.channels.services import (
    DrainResult,
    _claim,
    _file,
    api_client_create,
    api_client_set_intake,
    submissions_drain,
)
from wangge.core import sweeps

from .test_open311 import BASE, KEY, OUTSIDE, REPORTER, assert_json_error, post, xml_root

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def batch_key(laocheng) -> str:
    """The demo client, switched to batch intake."""
    demo = ApiClient.objects.get(name__contains="demo")
    api_client_set_intake(client=demo, intake=Intake.BATCH)
    return KEY


def submit(client: Client, point, fmt: str = "json", **fields):
    lon, lat = point
    data = {"api_key": KEY, "service_code": "sanitation", "lat": str(lat), "long": str(lon),
            "description": "小区门口垃圾堆放三天无人清运", **REPORTER, **fields}
    return post(client, fmt, **data)


def token_of(response) -> str:
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body) == 1 and "service_request_id" not in body[0]
    assert body[0]["service_notice"]
    return body[0]["token"]


def lookup(client: Client, token: str, fmt: str = "json"):
    return client.get(f"{BASE}/tokens/{token}.{fmt}")


def test_a_batch_post_answers_a_token_and_files_nothing_yet(client, batch_key, point_a):
    cases = Case.objects.count()
    token = token_of(submit(client, point_a))
    assert Case.objects.count() == cases
    assert Open311Submission.objects.pending().get().token == token
    # Before the drain the token is known, its service_request_id still empty.
    assert lookup(client, token).json() == [{"service_request_id": None, "token": token}]
    root = xml_root(lookup(client, token, "xml"))
    assert root.findtext("request/token") == token
    assert not root.findtext("request/service_request_id")


def test_the_token_gives_the_request_id_after_the_drain(client, batch_key, point_a, micro_a):
    token = token_of(submit(client, point_a, media_url="https://example.org/p.jpg",
                            **{"attribute[floor]": "3"}))
    received = Open311Submission.objects.get(token=token).received_at
    result = submissions_drain()
    assert len(result.filed) == 1 and not result.failed
    answer = lookup(client, token).json()
    code = answer[0]["service_request_id"]
    assert answer == [{"service_request_id": code, "token": token}]
    case = Case.objects.get(tracking_code=code)
    assert (case.source, case.grid, case.category.code) == (Source.ONLINE, micro_a, "sanitation")
    assert case.reported_at == received  # when the resident sent it, not when it was filed
    assert (case.reporter_name, case.reporter_phone) == ("王小明", "13912345678")
    assert case.steps.get(seq=1).data["media_url"] == "https://example.org/p.jpg"
    # The reporter's words are no longer kept twice.
    assert Open311Submission.objects.get(token=token).data == ""
    # And the case is followed like any other.
    followed = client.get(f"{BASE}/requests/{code}.json")
    assert followed.json()[0]["service_request_id"] == code


def test_draining_again_files_nothing_twice(client, batch_key, point_a):
    tokens = [token_of(submit(client, point_a)) for _ in range(3)]
    before = Case.objects.count()
    assert len(submissions_drain(batch=2).filed) == 3
    assert not submissions_drain()
    call_command("channels", "open311-drain")
    assert Case.objects.count() == before + 3
    codes = {lookup(client, t).json()[0]["service_request_id"] for t in tokens}
    assert len(codes) == 3 and None not in codes


def test_two_drains_racing_for_one_submission_make_one_case(client, batch_key, point_a):
    token_of(submit(client, point_a))
    before = Case.objects.count()
    # One process claims the submission and is slow; its claim lapses, and another drain
    # files it. The first then tries with the rows it read before.
    stale = _claim(10, None)
    later = timezone.now() + dt.timedelta(minutes=10)
    assert len(submissions_drain(now=later).filed) == 1
    result = DrainResult()
    _file(stale[0], Category.objects.in_bulk(), result)
    assert (result.filed, result.skipped) == ([], 1)
    assert Case.objects.count() == before + 1


def test_a_claimed_submission_is_left_to_its_drain(client, batch_key, point_a):
    token_of(submit(client, point_a))
    assert len(_claim(10, None)) == 1
    assert not submissions_drain()  # another process is filing it


@pytest.mark.parametrize("fields, status", [
    ({"api_key": "wrong-key"}, 403),
    ({"service_code": "no_such_service"}, 404),
    ({"lat": str(OUTSIDE[1]), "long": str(OUTSIDE[0])}, 400),
    ({"phone": "12"}, 400),
    ({"email": "not-an-address"}, 400),
])
def test_a_bad_batch_post_is_refused_at_once_and_records_nothing(client, batch_key, point_a,
                                                                 fields, status):
    cases = Case.objects.count()
    assert_json_error(submit(client, point_a, **fields), status)
    assert not Open311Submission.objects.exists()
    assert not submissions_drain()
    assert Case.objects.count() == cases


def test_a_point_in_another_street_is_refused_at_once(client, batch_key, point_a, monkeypatch):
    # Only the street's own micro-grids: the same point, asked of a street it is not in.
    from wangge.grids.models import Grid

    other = Grid(pk=999999, code="520302999", name="别的街道")
    monkeypatch.setattr(selectors, "streets", lambda: [other])
    assert_json_error(submit(client, point_a), 400, "别的街道")
    assert not Open311Submission.objects.exists()


def test_a_submission_the_rules_refuse_by_then_says_why(client, batch_key, point_a):
    token = token_of(submit(client, point_a))
    Category.objects.filter(code="sanitation").update(active=False)
    cases = Case.objects.count()
    result = submissions_drain()
    assert result.failed == [token] and not result.filed
    assert Case.objects.count() == cases
    assert_json_error(lookup(client, token), 404, token)
    assert not submissions_drain()


def test_the_sweep_drains_too(client, batch_key, point_a):
    token = token_of(submit(client, point_a))
    assert sweeps.run_all()["open311-drain"]
    assert lookup(client, token).json()[0]["service_request_id"]


def test_the_drain_is_told_after_commit(client, batch_key, point_a,
                                        django_capture_on_commit_callbacks):
    from wangge.channels import drainer

    with django_capture_on_commit_callbacks() as callbacks:
        token_of(submit(client, point_a))
    assert drainer.kick in callbacks


def test_a_realtime_client_keeps_its_ids_when_batch_is_the_default(client, laocheng,
                                                                   point_a, settings):
    settings.WANGGE_OPEN311_INTAKE = Intake.BATCH
    _realtime, key = api_client_create(name="old app", intake=Intake.REALTIME)
    answer = submit(client, point_a, api_key=key)
    assert answer.status_code == 200
    code = answer.json()[0]["service_request_id"]
    assert Case.objects.filter(tracking_code=code).exists()
    assert not Open311Submission.objects.exists()
    # A client without its own choice follows the installation.
    _, plain = api_client_create(name="new app")
    token_of(submit(client, point_a, api_key=plain))


def test_the_service_type_tells_the_client_what_to_expect(client, laocheng, batch_key,
                                                          settings):
    def types(query: str = "") -> set[str]:
        return {s["type"] for s in client.get(f"{BASE}/services.json{query}").json()}

    assert types() == {"realtime"}
    assert types(f"?api_key={KEY}") == {"batch"}
    settings.WANGGE_OPEN311_INTAKE = Intake.BATCH
    assert types() == {"batch"}


def test_a_realtime_post_is_unchanged(client, laocheng, point_a):
    body = submit(client, point_a).json()
    assert set(body[0]) == {"service_request_id", "service_notice", "account_id"}
    assert not Open311Submission.objects.exists()


def test_the_drain_gives_way_to_a_burst_but_not_for_ever(client, batch_key, point_a,
                                                         settings):
    from wangge.channels import drainer

    settings.WANGGE_OPEN311_DRAIN_MAX_LAG = 30
    assert drainer.next_step()[0] == "idle"
    token_of(submit(client, point_a))
    received = Open311Submission.objects.get().received_at
    # Requests still coming in: wait for a quiet moment.
    step, wait = drainer.next_step(now=received + dt.timedelta(seconds=0.2))
    assert step == "wait" and 0 < wait <= drainer.QUIET_S
    # A quiet second: file.
    assert drainer.next_step(now=received + dt.timedelta(seconds=2))[0] == "drain"
    # Requests kept coming for longer than the lag allowed: file the oldest anyway.
    token_of(submit(client, point_a))
    newest = Open311Submission.objects.order_by("-id").first()
    Open311Submission.objects.filter(pk=newest.pk).update(
        received_at=received + dt.timedelta(seconds=31))
    assert drainer.next_step(now=received + dt.timedelta(seconds=31.5))[0] == "lagging"
    submissions_drain()
    assert drainer.next_step()[0] == "idle"
