"""Who is told what when a case moves (通知), and that nothing is told before the move is
committed, or at all when it is rolled back."""

import datetime as dt

import pytest
from django.db import transaction

from tests.conftest import MICRO_A
from wangge.cases.choices import Action, Decision, Level
from wangge.cases.models import DirectLineMeeting
from wangge.cases.services import (
    CaseError,
    MeetingDecision,
    case_act,
    case_report,
    case_sweep,
    direct_line_meeting_create,
    direct_line_meeting_record,
)
from wangge.core import notify
from wangge.core.notify import MemoryNotifier
from wangge.workforce.models import Worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings):
    settings.WANGGE_NOTIFIERS = ["wangge.core.notify.MemoryNotifier"]
    notify._backends.cache_clear()
    MemoryNotifier.outbox.clear()
    yield MemoryNotifier.outbox
    MemoryNotifier.outbox.clear()
    notify._backends.cache_clear()


def user_ids(message) -> set[int]:
    return {r.user_id for r in message.recipients}


def test_dispatch_tells_the_handler_after_commit(case_a, leader_a, worker_a, outbox,
                                                 django_capture_on_commit_callbacks):
    handler = Worker.objects.get(user=worker_a)
    case_act(case=case_a, action=Action.ACCEPT, actor=leader_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case_act(case=case_a, action=Action.DISPATCH, actor=leader_a, handler=handler,
                 plan="联系环卫所清运")
    assert outbox == []  # not before the commit
    for callback in callbacks:
        callback()
    [message] = outbox
    assert message.kind == "assigned"
    assert user_ids(message) == {worker_a.pk}
    assert message.recipients[0].name == handler.name
    assert case_a.tracking_code in message.subject
    assert message.link == f"/console/cases/{case_a.tracking_code}"


def test_raising_tells_the_community_desk(case_a, leader_a, community_officer, outbox,
                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_act(case=case_a, action=Action.RAISE, actor=leader_a, note="需社区协调")
    assert case.level == Level.COMMUNITY
    [message] = outbox
    assert message.kind == "raised"
    assert community_officer.pk in user_ids(message)
    assert leader_a.pk not in user_ids(message)


def test_the_sweeps_warning_tells_the_grid_desk(case_a, leader_a, worker_a, worker_b, outbox,
                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = case_sweep(now=case_a.level_warn_at + dt.timedelta(minutes=1))
    assert result.warned == [case_a.tracking_code]
    [message] = outbox
    assert message.kind == "near_deadline"
    # Nobody handles the case yet: the grid leader and the full-time worker of A are told.
    assert {leader_a.pk, worker_a.pk} <= user_ids(message)
    assert worker_b.pk not in user_ids(message)


def test_the_sweeps_warning_tells_the_handler_once_there_is_one(
        case_a, leader_a, worker_a, outbox, django_capture_on_commit_callbacks):
    handler = Worker.objects.get(user=worker_a)
    case_act(case=case_a, action=Action.ACCEPT, actor=leader_a)
    case = case_act(case=case_a, action=Action.DISPATCH, actor=leader_a, handler=handler,
                    plan="清运")
    with django_capture_on_commit_callbacks(execute=True):
        case_sweep(now=case.level_warn_at + dt.timedelta(minutes=1))
    [message] = outbox
    assert (message.kind, user_ids(message)) == ("near_deadline", {worker_a.pk})


def test_closing_tells_the_reporter(case_a, worker_a, outbox,
                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case_act(case=case_a, action=Action.HANDLE_ON_SPOT, actor=worker_a,
                 result="已当场清运")
    [message] = outbox
    assert message.kind == "result_ready"
    [reporter] = message.recipients
    assert (reporter.name, reporter.phone, reporter.user_id) == ("张三", "13800138000", None)
    assert message.link == f"/appeal/{case_a.tracking_code}"


def test_nothing_is_sent_when_the_transaction_rolls_back(case_a, leader_a, worker_a, outbox,
                                                        django_capture_on_commit_callbacks):
    handler = Worker.objects.get(user=worker_a)
    case_act(case=case_a, action=Action.ACCEPT, actor=leader_a)
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        case_act(case=case_a, action=Action.DISPATCH, actor=leader_a, handler=handler,
                 plan="清运")
        raise RuntimeError("the caller's next step failed")
    assert callbacks == [] and outbox == []
    case_a.refresh_from_db()
    assert case_a.handler is None


def test_a_meeting_that_fails_on_its_second_decision_tells_nobody(
        case_a, laocheng, street_staff, worker_a, outbox, django_capture_on_commit_callbacks):
    """The first decision dispatches a case to a handler; the second names a case that is
    not on the agenda, so the whole record is refused and the handler hears nothing."""
    handler = Worker.objects.get(user=worker_a)
    for _ in range(3):  # grid → community → street → the direct line
        case_a.refresh_from_db()
        case_sweep(now=case_a.level_due_at + dt.timedelta(minutes=1))
    meeting = direct_line_meeting_create(street=laocheng, held_on=dt.date.today(),
                                         title="书记直通车恳谈会", actor=street_staff)
    assert meeting.items.get().case == case_a
    stranger = case_report(source=case_a.source, category=case_a.category, title="另一件",
                           description="另一件事", grid=case_a.grid)
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CaseError):
        direct_line_meeting_record(
            meeting=meeting, participants="街道党工委书记、社区书记", minutes="",
            actor=street_staff, decisions=[
                MeetingDecision(case=case_a, decision=Decision.DISPATCH, note="限期清运",
                                handler=handler),
                MeetingDecision(case=stranger, decision=Decision.DISPATCH, note="?",
                                handler=handler)])
    assert outbox == []
    meeting = DirectLineMeeting.objects.get(pk=meeting.pk)
    assert meeting.status == "planned"
    case_a.refresh_from_db()
    assert case_a.handler is None and case_a.grid.code == MICRO_A
