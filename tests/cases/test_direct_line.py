"""The secretary's direct line (书记直通车): a case the street could not solve in time goes on
the agenda of the next planned meeting, and the meeting's record drives it on."""

import datetime as dt

import pytest
from django.utils import timezone

from wangge.cases.calendar import WorkCalendar
from wangge.cases.choices import Action, Decision, Level, MeetingStatus, Source, Status
from wangge.cases.models import DirectLineItem, DirectLineMeeting
from wangge.cases.services import (
    CaseConflict,
    MeetingDecision,
    case_act,
    case_report,
    case_sweep,
    direct_line_meeting_create,
    direct_line_meeting_record,
)
from wangge.workforce.models import Worker

pytestmark = pytest.mark.django_db

PARTICIPANTS = "街道党工委书记、城管中队队长、社区书记、居民代表"


@pytest.fixture
def old_case(point_a, sanitation):
    """An appeal reported four weeks ago, so that its whole escalation lies in the past."""
    lon, lat = point_a
    return case_report(source=Source.ONLINE, category=sanitation, title="垃圾站长期脏乱",
                       description="小区垃圾站长期脏乱,多次反映未解决。", lon=lon, lat=lat,
                       reporter_phone="13800138000",
                       reported_at=timezone.now() - dt.timedelta(days=28))


def sweep_to_the_direct_line(case) -> None:
    for level in (Level.COMMUNITY, Level.STREET):
        result = case_sweep(now=case.level_due_at + dt.timedelta(minutes=1))
        assert result.raised == [case.tracking_code]
        case.refresh_from_db()
        assert case.level == level
    result = case_sweep(now=case.level_due_at + dt.timedelta(minutes=1))
    assert result.direct_line == [case.tracking_code]
    case.refresh_from_db()
    assert case.level_due_at is None


def plan(laocheng, actor, days_ahead=7) -> DirectLineMeeting:
    return direct_line_meeting_create(
        street=laocheng, held_on=timezone.localdate() + dt.timedelta(days=days_ahead),
        title="书记直通车恳谈会", actor=actor)


def test_a_case_goes_on_the_meeting_planned_before_it_arrived(old_case, laocheng,
                                                             street_staff):
    meeting = plan(laocheng, street_staff)
    sweep_to_the_direct_line(old_case)
    item = DirectLineItem.objects.get(case=old_case)
    assert item.meeting == meeting and item.decided_at is None
    step = old_case.steps.order_by("-seq").first()
    assert (step.action, step.actor_id, step.data["meeting"]) == (Action.DIRECT_LINE, None,
                                                                  meeting.pk)
    assert item.reason == step.note[:300] and item.reason


def test_a_waiting_case_goes_on_the_meeting_planned_after_it_arrived(old_case, laocheng,
                                                                    street_staff):
    sweep_to_the_direct_line(old_case)
    assert DirectLineItem.objects.get(case=old_case).meeting is None
    meeting = plan(laocheng, street_staff)
    assert [i.case for i in meeting.items.all()] == [old_case]


def test_a_meeting_already_held_takes_no_new_cases(old_case, laocheng, street_staff):
    held = plan(laocheng, street_staff, days_ahead=0)
    direct_line_meeting_record(meeting=held, participants=PARTICIPANTS, minutes="无议题",
                               decisions=[], actor=street_staff)
    sweep_to_the_direct_line(old_case)
    assert DirectLineItem.objects.get(case=old_case).meeting is None
    assert plan(laocheng, street_staff).items.get().case == old_case


def test_the_meetings_dispatch_decision_moves_the_case_on(old_case, laocheng, street_staff,
                                                         worker_a):
    meeting = plan(laocheng, street_staff)
    sweep_to_the_direct_line(old_case)
    handler = Worker.objects.get(user=worker_a)
    steps_before = old_case.steps.count()
    direct_line_meeting_record(
        meeting=meeting, participants=PARTICIPANTS, minutes="研究垃圾站整治方案",
        actor=street_staff, decisions=[MeetingDecision(
            case=old_case, decision=Decision.DISPATCH, note="城管中队牵头,五个工作日内整治",
            handler=handler, handling_unit="城管中队", days=5)])
    old_case.refresh_from_db()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.participants == PARTICIPANTS
    assert old_case.status == Status.DISPATCHED and old_case.level == Level.STREET
    assert old_case.handler == handler and old_case.handling_unit == "城管中队"
    step = old_case.steps.order_by("-seq").first()
    assert old_case.steps.count() == steps_before + 1
    assert (step.action, step.data["decision"]) == (Action.DIRECT_LINE_DECISION,
                                                    Decision.DISPATCH)
    # A new time limit of five working days from the meeting's decision.
    assert old_case.level_due_at == WorkCalendar.load().add_days(step.at, 5)
    entry = old_case.discussions.order_by("-at", "-id").first()
    assert entry.participants == PARTICIPANTS
    assert entry.plan == "城管中队牵头,五个工作日内整治"
    item = DirectLineItem.objects.get(case=old_case)
    assert item.decision == Decision.DISPATCH and item.decided_at is not None
    # The handler takes it from here.
    case = case_act(case=old_case, action=Action.HANDLE, actor=worker_a, result="已整治完毕")
    assert case.status == Status.HANDLED


def test_defer_and_decline_decisions(old_case, point_a, sanitation, laocheng, street_staff):
    sweep_to_the_direct_line(old_case)
    lon, lat = point_a
    second = case_report(source=Source.HOTLINE, category=sanitation, title="历史遗留问题",
                         description="小区产权不清,无人管理。", lon=lon, lat=lat,
                         reported_at=old_case.reported_at + dt.timedelta(hours=1))
    sweep_to_the_direct_line(second)
    meeting = plan(laocheng, street_staff)
    until = timezone.localdate() + dt.timedelta(days=90)
    direct_line_meeting_record(
        meeting=meeting, participants=PARTICIPANTS, minutes="", actor=street_staff,
        decisions=[MeetingDecision(case=old_case, decision=Decision.DEFER,
                                   note="纳入明年改造计划", until=until),
                   MeetingDecision(case=second, decision=Decision.DECLINE,
                                   note="属产权纠纷,已向当事人解释,引导通过诉讼解决")])
    old_case.refresh_from_db()
    second.refresh_from_db()
    assert (old_case.status, old_case.deferred_until) == (Status.DEFERRED, until)
    assert old_case.level_due_at is None
    assert second.status == Status.DECLINED and second.closed_at is not None
    assert not DirectLineItem.objects.filter(decided_at__isnull=True).exists()


def test_recording_a_meeting_twice_is_a_conflict(old_case, laocheng, street_staff, client):
    meeting = plan(laocheng, street_staff)
    sweep_to_the_direct_line(old_case)
    direct_line_meeting_record(
        meeting=meeting, participants=PARTICIPANTS, minutes="", actor=street_staff,
        decisions=[MeetingDecision(case=old_case, decision=Decision.DECLINE, note="已解释")])
    version = DirectLineMeeting.objects.get(pk=meeting.pk).history.count()
    with pytest.raises(CaseConflict):
        direct_line_meeting_record(
            meeting=meeting, participants="另一批人", minutes="", actor=street_staff,
            decisions=[])
    meeting.refresh_from_db()
    assert meeting.participants == PARTICIPANTS
    assert meeting.history.count() == version
    # And through the API: 409.
    client.force_login(street_staff)
    response = client.post(f"/api/direct-line/meetings/{meeting.pk}/record/",
                           {"participants": "另一批人", "decisions": []},
                           content_type="application/json")
    assert response.status_code == 409


def test_the_api_shows_the_agenda_and_records_the_meeting(old_case, laocheng, street_staff,
                                                         worker_a, client, outsider,
                                                         worker_b):
    client.force_login(street_staff)
    response = client.post("/api/direct-line/meetings/",
                           {"street": laocheng.code, "title": "十一月恳谈会",
                            "held_on": str(timezone.localdate() + dt.timedelta(days=3))},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    sweep_to_the_direct_line(old_case)
    body = client.get("/api/direct-line/meetings/").json()
    [meeting] = [m for m in body["results"] if m["id"] == pk]
    assert [i["case"] for i in meeting["items"]] == [old_case.tracking_code]
    for user in (outsider, worker_b):
        client.force_login(user)
        assert client.post(f"/api/direct-line/meetings/{pk}/record/",
                           {"participants": "x", "decisions": []},
                           content_type="application/json").status_code == 404
    client.force_login(street_staff)
    handler = Worker.objects.get(user=worker_a)
    response = client.post(f"/api/direct-line/meetings/{pk}/record/", {
        "participants": PARTICIPANTS, "minutes": "议定整治方案",
        "decisions": [{"case": old_case.tracking_code.lower(), "decision": "dispatch",
                       "note": "限期整治", "handler": handler.pk, "days": 3}]},
        content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == MeetingStatus.HELD
    assert response.json()["items"][0]["decision"] == Decision.DISPATCH
    old_case.refresh_from_db()
    assert old_case.status == Status.DISPATCHED and old_case.handler == handler


def test_a_case_that_lapses_again_returns_to_the_direct_line(old_case, laocheng,
                                                            street_staff):
    meeting = plan(laocheng, street_staff)
    sweep_to_the_direct_line(old_case)
    direct_line_meeting_record(
        meeting=meeting, participants=PARTICIPANTS, minutes="", actor=street_staff,
        decisions=[MeetingDecision(case=old_case, decision=Decision.DISPATCH, note="限期",
                                   handling_unit="城管中队", days=2)])
    old_case.refresh_from_db()
    result = case_sweep(now=old_case.level_due_at + dt.timedelta(minutes=1))
    assert result.direct_line == [old_case.tracking_code]
    assert DirectLineItem.objects.filter(case=old_case, decided_at__isnull=True).count() == 1


def test_a_case_solved_before_the_meeting_leaves_the_agenda(old_case, laocheng, street_staff,
                                                           worker_a):
    meeting = plan(laocheng, street_staff)
    sweep_to_the_direct_line(old_case)
    handler = Worker.objects.get(user=worker_a)
    case_act(case=old_case, action=Action.DISPATCH, actor=street_staff, handler=handler,
             plan="街道协调城管中队先行处理")
    case_act(case=old_case, action=Action.HANDLE, actor=worker_a, result="已整治")
    case = case_act(case=old_case, action=Action.CLOSE, actor=street_staff, note="核实")
    assert case.status == Status.CLOSED
    assert not meeting.items.filter(decided_at__isnull=True).exists()


def test_a_case_the_meeting_did_not_decide_goes_on_the_next_meeting(
        old_case, point_a, sanitation, laocheng, street_staff):
    lon, lat = point_a
    first_meeting = plan(laocheng, street_staff, days_ahead=1)
    sweep_to_the_direct_line(old_case)
    second = case_report(source=Source.ONLINE, category=sanitation, title="第二件",
                         description="楼道堆物无人清理", lon=lon, lat=lat,
                         reported_at=old_case.reported_at + dt.timedelta(hours=2))
    sweep_to_the_direct_line(second)
    assert first_meeting.items.count() == 2
    direct_line_meeting_record(
        meeting=first_meeting, participants=PARTICIPANTS, minutes="时间不够,第二件下次再议",
        actor=street_staff, decisions=[MeetingDecision(
            case=old_case, decision=Decision.DECLINE, note="已解释")])
    next_meeting = plan(laocheng, street_staff, days_ahead=8)
    assert [i.case for i in next_meeting.items.filter(decided_at__isnull=True)] == [second]
