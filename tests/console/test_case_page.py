"""A case in the console: timeline, the three lists, the steps open now, conflicts."""

import re

import pytest

from tests.conftest import MICRO_A
from wangge.cases.choices import Action, Level, Status
from wangge.cases.services import case_act
from wangge.workforce.models import Worker

pytestmark = pytest.mark.django_db


def offered(page: str) -> set[str]:
    """The steps the page offers a form for."""
    return set(re.findall(r'<details class="step" id="step-(\w+)"', page))


def test_the_case_page_shows_the_timeline_and_lists(login, community_officer, leader_a,
                                                    case_a):
    handler = Worker.objects.get(user__username=f"worker-{MICRO_A}")
    case_act(case=case_a, action=Action.ACCEPT, actor=leader_a, note="已受理")
    case_act(case=case_a, action=Action.DISPATCH, actor=leader_a, handler=handler,
             plan="联系环卫所加派清运车", participants="网格长、网格员")
    response = login(community_officer).get(f"/console/cases/{case_a.tracking_code}")
    assert response.status_code == 200
    page = response.content.decode()
    timeline = page[page.index('id="timeline"'):]
    assert [m for m in re.findall(r'<tr data-action="(\w+)"', timeline)] == [
        "report", "accept", "dispatch"]
    assert "已受理" in timeline and handler.name in page
    assert "联系环卫所加派清运车" in page[page.index('id="discussion-list"'):]
    assert "楼下垃圾桶三天没有清运" in page[page.index('id="collection-list"'):]
    assert "/cases/lists/" in page  # the printable three lists of the micro-grid


def test_only_the_steps_allowed_now_are_offered(login, community_officer, worker_a, leader_a,
                                                case_a):
    page = login(community_officer).get(f"/console/cases/{case_a.tracking_code}") \
        .content.decode()
    steps = offered(page)
    assert {"accept", "handle_on_spot", "raise", "decline", "mark_duplicate", "relocate",
            "comment"} <= steps
    assert not steps & {"dispatch", "start", "handle", "close", "evaluate", "resume",
                        "direct_line", "direct_line_decision", "defer"}
    case_act(case=case_a, action=Action.ACCEPT, actor=leader_a)
    steps = offered(login(community_officer).get(f"/console/cases/{case_a.tracking_code}")
                    .content.decode())
    assert "dispatch" in steps and "accept" not in steps
    # Raised to the community, the case is no longer the micro-grid worker's to move.
    case_act(case=case_a, action=Action.RAISE, actor=leader_a, note="需社区协调")
    worker_page = login(worker_a).get(f"/console/cases/{case_a.tracking_code}").content.decode()
    assert offered(worker_page) <= {"comment"}
    assert "handle_on_spot" not in offered(
        login(community_officer).get(f"/console/cases/{case_a.tracking_code}").content.decode())


def test_taking_a_step_moves_the_case(login, community_officer, case_a):
    client = login(community_officer)
    response = client.post(f"/console/cases/{case_a.tracking_code}/act/accept",
                           {"version": case_a.version, "note": "社区受理"})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == Status.ACCEPTED
    assert case_a.steps.order_by("-seq").first().note == "社区受理"
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="accepted"' in page and "msg-success" in page


def test_a_stale_version_shows_that_the_case_changed(login, community_officer, leader_a,
                                                     case_a):
    seen = case_a.version
    case_act(case=case_a, action=Action.ACCEPT, actor=leader_a)  # someone else, meanwhile
    response = login(community_officer).post(
        f"/console/cases/{case_a.tracking_code}/act/decline",
        {"version": seen, "note": "不属于本社区"})
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="conflict"' in page
    assert 'data-status="accepted"' in page  # the case as it is now
    assert f'name="version" value="{seen + 1}"' in page  # forms carry the new version
    case_a.refresh_from_db()
    assert case_a.status == Status.ACCEPTED


def test_a_step_missing_its_reason_keeps_what_was_typed(login, community_officer, case_a):
    response = login(community_officer).post(
        f"/console/cases/{case_a.tracking_code}/act/handle_on_spot",
        {"version": case_a.version, "outcome": "resolved", "result": "",
         "plan": "当场联系环卫工"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "当场联系环卫工" in page and 'class="error"' in page
    assert 'id="step-handle_on_spot" data-action="handle_on_spot" open' in page
    case_a.refresh_from_db()
    assert case_a.status == Status.REPORTED


def test_the_services_refusal_is_shown(login, worker_a, leader_a, case_a):
    case_act(case=case_a, action=Action.ACCEPT, actor=leader_a)
    case_act(case=case_a, action=Action.RAISE, actor=leader_a, note="需社区协调")
    case_a.refresh_from_db()
    assert case_a.level == Level.COMMUNITY
    response = login(worker_a).post(f"/console/cases/{case_a.tracking_code}/act/raise",
                                    {"version": case_a.version, "note": "再上报"})
    assert response.status_code == 403
    assert 'id="step-error"' in response.content.decode()
    case_a.refresh_from_db()
    assert case_a.level == Level.COMMUNITY


def test_another_micro_grids_worker_gets_404(login, worker_b, case_a):
    client = login(worker_b)
    assert client.get(f"/console/cases/{case_a.tracking_code}").status_code == 404
    assert client.post(f"/console/cases/{case_a.tracking_code}/act/accept",
                       {"version": case_a.version}).status_code == 404
    case_a.refresh_from_db()
    assert case_a.status == Status.REPORTED


def test_the_reporters_phone_is_masked(login, community_officer, case_a):
    page = login(community_officer).get(f"/console/cases/{case_a.tracking_code}") \
        .content.decode()
    assert "138****8000" in page and "13800138000" not in page


def test_possible_duplicates_are_listed(login, community_officer, case_a, point_a,
                                        sanitation):
    from wangge.cases.choices import Source
    from wangge.cases.services import case_report

    lon, lat = point_a
    again = case_report(source=Source.ONLINE, category=sanitation, title="垃圾没人收",
                        description="垃圾桶满了没人收。", lon=lon, lat=lat)
    page = login(community_officer).get(f"/console/cases/{again.tracking_code}") \
        .content.decode()
    assert case_a.tracking_code in page[page.index('id="duplicates"'):]


def test_marking_a_duplicate_needs_a_case_of_ones_own_grids(login, community_officer, case_a,
                                                           case_b):
    response = login(community_officer).post(
        f"/console/cases/{case_a.tracking_code}/act/mark_duplicate",
        {"version": case_a.version, "duplicate_of": case_b.tracking_code})
    assert response.status_code == 400
    case_a.refresh_from_db()
    assert case_a.status == Status.REPORTED
