"""The closed loop through the service layer, as the people in it would take it."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from tests.conftest import MICRO_A
from wangge.cases.choices import Action, Level, Status
from wangge.cases.services import (
    CaseConflict,
    CaseError,
    CasePermissionDenied,
    case_act,
    case_sweep,
)
from wangge.workforce.models import Worker

pytestmark = pytest.mark.django_db


def test_a_reported_case_lands_in_its_micro_grid_with_time_limits(case_a):
    assert case_a.grid.code == MICRO_A
    assert case_a.responsible.code == MICRO_A
    assert case_a.level == Level.GRID
    assert case_a.status == Status.REPORTED
    assert case_a.response_due_at > case_a.reported_at
    assert case_a.due_at > case_a.response_due_at
    assert len(case_a.tracking_code) == 10
    assert [s.action for s in case_a.steps.all()] == [Action.REPORT]


def test_full_loop_accept_dispatch_handle_close_evaluate(case_a, worker_a, leader_a):
    handler = Worker.objects.get(user=worker_a)
    case = case_act(case=case_a, action=Action.ACCEPT, actor=leader_a)
    case = case_act(case=case, action=Action.DISPATCH, actor=leader_a, handler=handler,
                    plan="联系环卫所加派清运车", participants="网格长、网格员")
    case = case_act(case=case, action=Action.START, actor=worker_a)
    case = case_act(case=case, action=Action.HANDLE, actor=worker_a, result="已清运完毕")
    case = case_act(case=case, action=Action.CLOSE, actor=leader_a, note="现场核实")
    assert case.status == Status.CLOSED and case.published
    case = case_act(case=case, action=Action.EVALUATE, actor=None, evaluation="satisfied")
    assert case.status == Status.EVALUATED
    steps = list(case.steps.order_by("seq").values_list("action", "from_status", "to_status"))
    assert [s[0] for s in steps] == ["report", "accept", "dispatch", "start", "handle",
                                     "close", "evaluate"]
    assert all(a[2] == b[1] for a, b in itertools.pairwise(steps))
    assert case.discussions.count() == 1 and case.feedback.get().evaluation == "satisfied"


def test_an_illegal_step_is_refused_and_changes_nothing(case_a, leader_a):
    with pytest.raises(CaseConflict):
        case_act(case=case_a, action=Action.CLOSE, actor=leader_a)
    case_a.refresh_from_db()
    assert case_a.status == Status.REPORTED and case_a.steps.count() == 1


def test_a_stale_version_is_a_conflict(case_a, leader_a):
    case_act(case=case_a, action=Action.ACCEPT, actor=leader_a, expected_version=1)
    with pytest.raises(CaseConflict) as caught:
        case_act(case=case_a, action=Action.DECLINE, actor=leader_a, note="重复",
                 expected_version=1)
    assert caught.value.case.status == Status.ACCEPTED


def test_on_the_spot_handling_records_all_three_lists(case_a, worker_a):
    case = case_act(case=case_a, action=Action.HANDLE_ON_SPOT, actor=worker_a,
                    result="当场联系清运")
    assert case.status == Status.CLOSED
    assert case.discussions.count() == 1 and case.feedback.count() == 1
    assert case.accepted_at is not None


def test_the_outsider_worker_cannot_act(case_a, worker_b):
    with pytest.raises(CasePermissionDenied):
        case_act(case=case_a, action=Action.ACCEPT, actor=worker_b)


def test_raising_needs_a_reason_and_moves_to_the_community(case_a, leader_a, worker_a):
    with pytest.raises(CaseError):
        case_act(case=case_a, action=Action.RAISE, actor=leader_a)
    case = case_act(case=case_a, action=Action.RAISE, actor=leader_a, note="需要社区协调")
    assert case.level == Level.COMMUNITY and case.responsible.code == MICRO_A[:12]
    # The grid's own worker no longer holds it.
    with pytest.raises(CasePermissionDenied):
        case_act(case=case, action=Action.ACCEPT, actor=worker_a)


def test_sweep_raises_lapsed_cases_level_by_level_and_is_idempotent(case_a):
    later = case_a.level_due_at + dt.timedelta(minutes=1)
    first = case_sweep(now=later)
    assert first.raised == [case_a.tracking_code]
    assert case_sweep(now=later).raised == []
    case_a.refresh_from_db()
    assert case_a.level == Level.COMMUNITY and case_a.status == Status.ACCEPTED
    case_sweep(now=case_a.level_due_at + dt.timedelta(minutes=1))
    case_a.refresh_from_db()
    assert case_a.level == Level.STREET
    result = case_sweep(now=case_a.level_due_at + dt.timedelta(minutes=1))
    assert result.direct_line == [case_a.tracking_code]
    case_a.refresh_from_db()
    assert case_a.direct_line_items.filter(decided_at__isnull=True).count() == 1
    assert case_a.level_due_at is None


def test_sweep_warns_once_before_the_limit(case_a):
    moment = case_a.level_warn_at + dt.timedelta(minutes=1)
    assert moment < case_a.level_due_at
    assert case_sweep(now=moment).warned == [case_a.tracking_code]
    assert case_sweep(now=moment).warned == []


def test_dissatisfied_reporter_reopens(case_a, worker_a):
    case = case_act(case=case_a, action=Action.HANDLE_ON_SPOT, actor=worker_a, result="已处理")
    case = case_act(case=case, action=Action.REOPEN, actor=None, evaluation="dissatisfied")
    assert case.status == Status.IN_PROGRESS and case.rework_count == 1
    assert not case.published and case.closed_at is None


def test_time_limits_skip_the_spring_festival(sanitation, point_a):
    from wangge.cases.calendar import WorkCalendar

    cal = WorkCalendar.load()
    tz = timezone.get_current_timezone()
    eve = dt.datetime(2026, 2, 13, 17, 0, tzinfo=tz)  # Friday before the holiday
    # Saturday 14 Feb is a make-up workday; then the holiday to 23 Feb.
    assert cal.add_hours(eve, 1).date() == dt.date(2026, 2, 14)
    assert cal.add_hours(eve, 9).date() == dt.date(2026, 2, 24)


def test_a_community_officer_approves_a_deferral_the_worker_asked_for(case_a, worker_a,
                                                                    leader_a,
                                                                    community_officer):
    case = case_act(case=case_a, action=Action.ACCEPT, actor=leader_a)
    case = case_act(case=case, action=Action.REQUEST_DEFERRAL, actor=worker_a,
                    note="需等待雨季结束后施工")
    with pytest.raises(CasePermissionDenied):
        case_act(case=case, action=Action.DEFER, actor=worker_a, note="自行缓办")
    case = case_act(case=case, action=Action.DEFER, actor=community_officer, note="同意缓办")
    assert case.status == Status.DEFERRED and case.level_due_at is None
