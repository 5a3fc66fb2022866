"""Holding a meeting, completing its tasks, the sweep, and the direct line through the case
workflow."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.cases.test_direct_line import sweep_to_the_direct_line
from wangge.cases.choices import Decision as CaseDecision
from wangge.cases.choices import Status
from wangge.cases.services import MeetingDecision
from wangge.cogovernance.choices import MeetingKind, MeetingStatus, Presence, TaskStatus
from wangge.cogovernance.models import Attendance, FollowUpTask, Meeting
from wangge.cogovernance.services import (
    AttendanceInput,
    CogovernanceError,
    CogovernancePermissionDenied,
    DecisionInput,
    TaskInput,
    followup_sweep,
    meeting_create,
    meeting_hold,
    task_complete,
)
from wangge.workforce.models import Worker

pytestmark = pytest.mark.django_db


def hold(meeting, actor, worker, *, due=None, public=True):
    members = list(meeting.committee.members.current())
    return meeting_hold(
        meeting=meeting, actor=actor, minutes="与会单位讨论楼道照明问题,形成决议。",
        attendance=[AttendanceInput(presence=Presence.PRESENT, member=m) for m in members],
        decisions=[DecisionInput(
            text="供电所一周内修复楼道灯,网格员复查。", agenda_item=meeting.agenda.first(),
            tasks=[TaskInput(title="复查3栋楼道灯", worker=worker,
                             due_on=due or timezone.localdate() + dt.timedelta(days=7)),
                   TaskInput(title="修复3栋楼道灯", member=members[8],
                             due_on=timezone.localdate() + dt.timedelta(days=7))])],
        public=public)


def test_holding_a_meeting_records_it_and_creates_the_tasks(round_table, community_officer,
                                                           worker_a_record):
    meeting = hold(round_table, community_officer, worker_a_record)
    assert meeting.status == MeetingStatus.HELD and meeting.public and meeting.published_at
    assert Attendance.objects.filter(meeting=meeting).count() == 16
    tasks = FollowUpTask.objects.filter(decision__meeting=meeting).order_by("id")
    assert [t.status for t in tasks] == [TaskStatus.OPEN, TaskStatus.OPEN]
    # The public label is the worker's role and micro-grid, never their name.
    assert worker_a_record.name not in tasks[0].assignee_label
    assert tasks[1].assignee_label == tasks[1].member.organisation.name
    with pytest.raises(CogovernanceError):
        hold(meeting, community_officer, worker_a_record)  # recorded once


def test_bad_input_changes_nothing(round_table, community_officer, worker_a_record, worker_b):
    with pytest.raises(CogovernanceError):
        meeting_hold(meeting=round_table, actor=community_officer, minutes="  ")
    other_community = Worker.objects.get(user=worker_b)
    with pytest.raises(CogovernanceError, match="does not serve"):
        hold(round_table, community_officer, other_community)
    with pytest.raises(CogovernanceError, match="before the meeting"):
        hold(round_table, community_officer, worker_a_record,
             due=timezone.localdate() - dt.timedelta(days=3))
    round_table.refresh_from_db()
    assert round_table.status == MeetingStatus.PLANNED
    assert not FollowUpTask.objects.filter(decision__meeting=round_table).exists()


def test_only_the_communitys_officers_run_its_meetings(committee, worker_a, round_table,
                                                       worker_a_record):
    with pytest.raises(CogovernancePermissionDenied):
        meeting_create(kind=MeetingKind.ROUND_TABLE, grid=committee.grid, committee=committee,
                       title="圆桌会", held_at=timezone.now(), actor=worker_a)
    with pytest.raises(CogovernancePermissionDenied):
        hold(round_table, worker_a, worker_a_record)


def test_the_assignee_or_an_officer_completes_a_task(round_table, community_officer,
                                                     worker_a, worker_a_record, leader_a):
    hold(round_table, community_officer, worker_a_record)
    mine, units = FollowUpTask.objects.filter(decision__meeting=round_table).order_by("id")
    with pytest.raises(CogovernancePermissionDenied):
        task_complete(task=mine, actor=leader_a, result="已复查")
    with pytest.raises(CogovernanceError):
        task_complete(task=mine, actor=worker_a, result=" ")
    done = task_complete(task=mine, actor=worker_a, result="已复查,灯已修好")
    assert done.status == TaskStatus.DONE and done.done_by == worker_a
    task_complete(task=units, actor=community_officer, result="供电所已修复")
    with pytest.raises(CogovernanceError):
        task_complete(task=mine, actor=worker_a, result="again")
    assert mine.history.count() == 2  # created, done


def test_the_sweep_marks_overdue_once_and_tells_the_assignee_and_community_after_commit(
        round_table, community_officer, worker_a, worker_a_record, outbox,
        django_capture_on_commit_callbacks):
    hold(round_table, community_officer, worker_a_record)
    ours = set(FollowUpTask.objects.filter(decision__meeting=round_table)
               .values_list("pk", flat=True))
    outbox.clear()
    later = timezone.now() + dt.timedelta(days=9)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = followup_sweep(now=later)
    assert ours <= set(result.overdue) and outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    overdue = [m for m in outbox if m.kind == "task_overdue" and m.extra["task"] in ours]
    assert len(overdue) == 2
    mine = next(m for m in overdue if "复查" in m.subject)
    assert {r.user_id for r in mine.recipients} >= {worker_a.pk, community_officer.pk}
    task = FollowUpTask.objects.get(title="复查3栋楼道灯")
    assert task.overdue and task.overdue_since == later
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = followup_sweep(now=later)
    assert not again and outbox == []


def test_tasks_near_their_due_date_are_warned_once(round_table, community_officer,
                                                   worker_a_record, outbox,
                                                   django_capture_on_commit_callbacks):
    hold(round_table, community_officer, worker_a_record)
    ours = set(FollowUpTask.objects.filter(decision__meeting=round_table)
               .values_list("pk", flat=True))
    soon = timezone.now() + dt.timedelta(days=6)
    with django_capture_on_commit_callbacks(execute=True):
        assert ours <= set(followup_sweep(now=soon).warned)
        assert not followup_sweep(now=soon)
    assert len([m for m in outbox if m.kind == "task_near_due"
                and m.extra["task"] in ours]) == 2


def test_a_direct_line_meeting_decides_its_cases_through_the_case_workflow(
        laocheng, street_staff, point_a, sanitation, community_officer):
    from wangge.cases.services import case_report

    lon, lat = point_a
    case = case_report(source="online", category=sanitation, title="垃圾站长期脏乱",
                       description="小区垃圾站长期脏乱,多次反映未解决。", lon=lon, lat=lat,
                       reported_at=timezone.now() - dt.timedelta(days=28))
    sweep_to_the_direct_line(case)
    with pytest.raises(CogovernanceError):
        meeting_create(kind=MeetingKind.DIRECT_LINE, grid=community_officer.worker
                       .assignments.first().grid, title="直通车", held_at=timezone.now(),
                       actor=community_officer)
    meeting = meeting_create(kind=MeetingKind.DIRECT_LINE, grid=laocheng,
                             title="书记直通车恳谈会", held_at=timezone.now(), actor=street_staff)
    assert meeting.direct_line is not None
    assert [i.case for i in meeting.agenda.all()] == [case]
    meeting_hold(meeting=meeting, actor=street_staff, minutes="街道党工委书记主持,逐件研究。",
                 participants="街道党工委书记、城管中队", decisions=[
                     DecisionInput(text="城管中队十日内清理垃圾站",
                                   agenda_item=meeting.agenda.first())],
                 case_decisions=[MeetingDecision(case=case, decision=CaseDecision.DISPATCH,
                                                 note="城管中队十日内清理",
                                                 handling_unit="老城城管中队")])
    case.refresh_from_db()
    meeting = Meeting.objects.select_related("direct_line").get(pk=meeting.pk)
    assert case.status == Status.DISPATCHED and case.handling_unit == "老城城管中队"
    assert meeting.direct_line.status == "held" and meeting.status == MeetingStatus.HELD
