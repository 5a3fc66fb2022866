"""Writes of co-governance: plan a meeting with its agenda, hold it (attendance, minutes,
decisions and their follow-up tasks in one transaction), publish its minutes, complete a
task, and the sweep that marks tasks overdue. Notifications go out after commit.

A direct-line meeting (书记直通车) is the case workflow's own `DirectLineMeeting` seen from
here: planning one plans that record (its waiting cases become the agenda), and holding it
records the decision on each case through `cases.services.direct_line_meeting_record`, the
one path that moves those cases on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wangge.cases import services as case_services
from wangge.cases.models import Case
from wangge.cogovernance import selectors
from wangge.cogovernance.choices import (
    WARN_DAYS,
    MeetingKind,
    MeetingStatus,
    Presence,
    TaskStatus,
)
from wangge.cogovernance.models import (
    AgendaItem,
    Attendance,
    Committee,
    CommitteeMember,
    Decision,
    FollowUpTask,
    Meeting,
)
from wangge.core import notify
from wangge.grids.choices import Tier
from wangge.grids.models import Grid
from wangge.workforce.choices import RoleKind
from wangge.workforce.models import Assignment, Worker


class CogovernanceError(Exception):
    """A request the rules refuse; the message says why, in the user's language."""


class CogovernancePermissionDenied(CogovernanceError):
    """The user may not do this (not their community, not their task)."""


# --- planning ----------------------------------------------------------------------------------


@dataclass
class AgendaInput:
    title: str
    proposal: str = ""
    case: Case | None = None


def _authorise(actor, grid: Grid) -> None:
    if not selectors.may_manage(user=actor, grid=grid):
        raise CogovernancePermissionDenied(
            _("Only the officers of %(grid)s run its meetings.") % {"grid": grid.name})


def _agenda_rows(meeting: Meeting, agenda: Iterable[AgendaInput], start: int) -> list:
    rows = []
    for order, item in enumerate(agenda, start=start):
        title = (item.title or (item.case.title if item.case else "")).strip()
        if not title:
            raise CogovernanceError(_("Give every agenda item a title."))
        if item.case is not None and not item.case.grid.code.startswith(meeting.grid.code):
            raise CogovernanceError(_("Case %(code)s is outside %(grid)s.")
                                    % {"code": item.case.tracking_code,
                                       "grid": meeting.grid.name})
        rows.append(AgendaItem(meeting=meeting, order=order, title=title[:100],
                               proposal=item.proposal.strip(), case=item.case))
    return rows


def meeting_create(*, kind: str, grid: Grid, title: str, held_at: dt.datetime, actor,
                   committee: Committee | None = None, place: str = "",
                   agenda: Sequence[AgendaInput] = ()) -> Meeting:
    """Plan a meeting of a street or community with its agenda. A direct-line meeting is
    planned through the case workflow too: the cases waiting for it open its agenda."""
    if kind not in MeetingKind.values:
        raise CogovernanceError(_("Choose the kind of meeting."))
    if committee is not None:
        grid = committee.grid
    if grid.tier not in (Tier.STREET, Tier.COMMUNITY):
        raise CogovernanceError(_("A meeting belongs to a street or a community."))
    if kind == MeetingKind.DIRECT_LINE and grid.tier != Tier.STREET:
        raise CogovernanceError(_("The secretary's direct-line meeting belongs to the street."))
    if not title.strip():
        raise CogovernanceError(_("Give the meeting a title."))
    _authorise(actor, grid)
    with transaction.atomic():
        meeting = Meeting(kind=kind, grid=grid, committee=committee, title=title.strip()[:100],
                          held_at=held_at, place=place.strip()[:100], created_by=actor)
        cases_first: list[AgendaInput] = []
        if kind == MeetingKind.DIRECT_LINE:
            try:
                record = case_services.direct_line_meeting_create(
                    street=grid, held_on=timezone.localdate(held_at), title=meeting.title,
                    actor=actor)
            except case_services.CaseError as exc:
                raise CogovernanceError(str(exc)) from exc
            meeting.direct_line = record
            given = {a.case.pk for a in agenda if a.case is not None}
            cases_first = [AgendaInput(title=i.case.title, proposal=i.reason, case=i.case)
                           for i in record.items.select_related("case", "case__grid")
                           if i.case_id not in given]
        meeting.save()
        AgendaItem.objects.bulk_create(_agenda_rows(meeting, [*cases_first, *agenda], 1))
    return meeting


def agenda_item_add(*, meeting: Meeting, item: AgendaInput, actor) -> AgendaItem:
    """Add a matter to a planned meeting's agenda."""
    _authorise(actor, meeting.grid)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("grid").get(pk=meeting.pk)
        if meeting.status != MeetingStatus.PLANNED:
            raise CogovernanceError(_("The agenda of a held or cancelled meeting is closed."))
        last = meeting.agenda.order_by("-order").values_list("order", flat=True).first() or 0
        row = _agenda_rows(meeting, [item], last + 1)[0]
        row.save()
    return row


def meeting_cancel(*, meeting: Meeting, actor, reason: str) -> Meeting:
    _authorise(actor, meeting.grid)
    if not reason.strip():
        raise CogovernanceError(_("Say why the meeting is cancelled."))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != MeetingStatus.PLANNED:
            raise CogovernanceError(_("Only a planned meeting can be cancelled."))
        meeting.status = MeetingStatus.CANCELLED
        meeting.minutes = reason.strip()
        meeting._change_reason = reason.strip()[:100]
        meeting.save()
    return meeting


# --- holding a meeting ---------------------------------------------------------------------------


@dataclass
class AttendanceInput:
    presence: str
    member: CommitteeMember | None = None
    worker: Worker | None = None


@dataclass
class TaskInput:
    title: str
    due_on: dt.date
    member: CommitteeMember | None = None
    worker: Worker | None = None


@dataclass
class DecisionInput:
    text: str
    agenda_item: AgendaItem | None = None
    tasks: list[TaskInput] = field(default_factory=list)


def worker_label(worker: Worker, grid: Grid) -> str:
    """How a worker is named in public: their role where they serve, never their name."""
    assignment = (Assignment.objects.current().filter(worker=worker,
                                                      grid__code__startswith=grid.code)
                  .select_related("role", "grid").order_by("grid__code").first())
    if assignment is None:
        return _("grid worker")
    return f"{assignment.role.name} · {assignment.grid.name}"


def _check_task(meeting: Meeting, task: TaskInput, members: dict[int, CommitteeMember]) -> None:
    if not task.title.strip():
        raise CogovernanceError(_("Say what the follow-up task is."))
    if (task.member is None) == (task.worker is None):
        raise CogovernanceError(_("Give each follow-up task to one member unit or one "
                                  "worker."))
    if task.member is not None and task.member.pk not in members:
        raise CogovernanceError(_("%(unit)s is not a current member of the committee.")
                                % {"unit": task.member.organisation.name})
    if task.worker is not None:
        serving = Assignment.objects.current().filter(
            worker=task.worker, grid__code__startswith=meeting.grid.code)
        if not task.worker.active or not serving.exists():
            raise CogovernanceError(_("%(name)s does not serve in %(grid)s.")
                                    % {"name": task.worker.name, "grid": meeting.grid.name})
    if task.due_on is None:
        raise CogovernanceError(_("Give each follow-up task a due date."))
    if task.due_on < timezone.localdate(meeting.held_at):
        raise CogovernanceError(_("A follow-up task cannot be due before the meeting."))


def meeting_hold(*, meeting: Meeting, actor, minutes: str,
                 attendance: Sequence[AttendanceInput] = (),
                 decisions: Sequence[DecisionInput] = (), public: bool = False,
                 held_at: dt.datetime | None = None,
                 case_decisions: Sequence[case_services.MeetingDecision] = (),
                 participants: str = "") -> Meeting:
    """Record a held meeting in one transaction: who attended, the minutes, the decisions
    and their follow-up tasks (which go to the assignees' task lists), and whether the
    minutes are published. For a direct-line meeting, `case_decisions` move its cases on
    through the case workflow's record."""
    _authorise(actor, meeting.grid)
    if not minutes.strip():
        raise CogovernanceError(_("Write the minutes."))
    for row in decisions:
        if not row.text.strip():
            raise CogovernanceError(_("Write what was decided."))
    if case_decisions and meeting.kind != MeetingKind.DIRECT_LINE:
        raise CogovernanceError(_("Only the secretary's direct-line meeting decides cases."))
    now = timezone.now()
    with transaction.atomic():
        meeting = (Meeting.objects.select_for_update(of=("self",))
                   .select_related("grid", "direct_line").get(pk=meeting.pk))
        if meeting.status != MeetingStatus.PLANNED:
            raise CogovernanceError(_("This meeting has already been recorded or was "
                                      "cancelled."))
        if held_at is not None:
            meeting.held_at = held_at
        members = ({m.pk: m for m in meeting.committee.members.current()
                    .select_related("organisation")} if meeting.committee_id else {})
        items = {i.pk: i for i in meeting.agenda.all()}
        rows = _attendance_rows(meeting, attendance, members)
        for row in decisions:
            if row.agenda_item is not None and row.agenda_item.pk not in items:
                raise CogovernanceError(_("That agenda item belongs to another meeting."))
            for task in row.tasks:
                _check_task(meeting, task, members)
        if meeting.kind == MeetingKind.DIRECT_LINE and meeting.direct_line is not None:
            present = [r for r in rows if r.presence == Presence.PRESENT]
            names = participants.strip() or "、".join(
                r.member.organisation.name if r.member else r.worker.name for r in present)
            try:
                case_services.direct_line_meeting_record(
                    meeting=meeting.direct_line, participants=names, minutes=minutes,
                    decisions=list(case_decisions), actor=actor)
            except case_services.CaseError as exc:
                raise CogovernanceError(str(exc)) from exc
        meeting.status = MeetingStatus.HELD
        meeting.minutes = minutes.strip()
        meeting.public = public
        meeting.published_at = now if public else None
        meeting.save()
        Attendance.objects.bulk_create(rows)
        created: list[FollowUpTask] = []
        for order, row in enumerate(decisions, start=1):
            decision = Decision.objects.create(meeting=meeting, agenda_item=row.agenda_item,
                                               order=order, text=row.text.strip())
            for task in row.tasks:
                created.append(_task_create(decision, task, meeting, now))
        if created:
            ids = [t.pk for t in created]
            transaction.on_commit(lambda: _notify_tasks("task_assigned", ids))
    return meeting


def _attendance_rows(meeting: Meeting, attendance: Sequence[AttendanceInput],
                     members: dict[int, CommitteeMember]) -> list[Attendance]:
    rows, seen = [], set()
    for row in attendance:
        if row.presence not in Presence.values:
            raise CogovernanceError(_("Choose present, absent or excused."))
        if (row.member is None) == (row.worker is None):
            raise CogovernanceError(_("Record attendance for a member unit or a worker."))
        if row.member is not None and row.member.pk not in members:
            raise CogovernanceError(_("%(unit)s is not a current member of the committee.")
                                    % {"unit": row.member.organisation.name})
        key = ("m", row.member.pk) if row.member else ("w", row.worker.pk)
        if key in seen:
            raise CogovernanceError(_("Attendance is recorded once for each."))
        seen.add(key)
        rows.append(Attendance(meeting=meeting, member=row.member, worker=row.worker,
                               presence=row.presence))
    return rows


def _task_create(decision: Decision, task: TaskInput, meeting: Meeting,
                 now: dt.datetime) -> FollowUpTask:
    label = (task.member.organisation.name if task.member is not None
             else worker_label(task.worker, meeting.grid))
    return FollowUpTask.objects.create(
        decision=decision, title=task.title.strip()[:200], member=task.member,
        worker=task.worker, assignee_label=label[:120], due_on=task.due_on, created_at=now)


def meeting_publish(*, meeting: Meeting, actor, public: bool) -> Meeting:
    """Publish a held meeting's minutes on the residents' site, or take them down."""
    _authorise(actor, meeting.grid)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != MeetingStatus.HELD:
            raise CogovernanceError(_("Only the minutes of a held meeting are published."))
        if meeting.public != public:
            meeting.public = public
            meeting.published_at = timezone.now() if public else None
            meeting.save()
    return meeting


# --- follow-up tasks -----------------------------------------------------------------------------


def _lock_task(pk: int) -> FollowUpTask:
    return (FollowUpTask.objects.select_for_update(of=("self",))
            .select_related("decision__meeting__grid", "worker", "member__representative",
                            "member__organisation").get(pk=pk))


def task_complete(*, task: FollowUpTask, actor, result: str,
                  at: dt.datetime | None = None) -> FollowUpTask:
    """Mark a task done with what was done: by its assignee (the worker, or the unit's
    representative) or an officer of the meeting's community or street."""
    if not result.strip():
        raise CogovernanceError(_("Say what was done."))
    with transaction.atomic():
        task = _lock_task(task.pk)
        grid = task.decision.meeting.grid
        if not (selectors.is_assignee(task=task, user=actor)
                or selectors.may_manage(user=actor, grid=grid)):
            raise CogovernancePermissionDenied(
                _("Only the task's assignee or the officers of %(grid)s complete it.")
                % {"grid": grid.name})
        if task.status != TaskStatus.OPEN:
            raise CogovernanceError(_("This task is already %(status)s.")
                                    % {"status": task.get_status_display()})
        task.status = TaskStatus.DONE
        task.done_at = at or timezone.now()
        task.done_by = actor
        task.result = result.strip()
        task.save()
    return task


def task_cancel(*, task: FollowUpTask, actor, reason: str) -> FollowUpTask:
    if not reason.strip():
        raise CogovernanceError(_("Say why the task is cancelled."))
    with transaction.atomic():
        task = _lock_task(task.pk)
        _authorise(actor, task.decision.meeting.grid)
        if task.status != TaskStatus.OPEN:
            raise CogovernanceError(_("Only an open task can be cancelled."))
        task.status = TaskStatus.CANCELLED
        task.result = reason.strip()
        task.done_by = actor
        task.done_at = timezone.now()
        task.save()
    return task


# --- the sweep -----------------------------------------------------------------------------------


@dataclass
class SweepResult:
    overdue: list[int] = field(default_factory=list)
    warned: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.overdue or self.warned)

    def __str__(self) -> str:
        return f"tasks overdue {len(self.overdue)}, warned {len(self.warned)}"


def followup_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Mark open tasks past their due date overdue and tell their assignee and the
    community once; warn of tasks due within `WARN_DAYS` once. Idempotent: a task is marked
    and warned at most once, so a second sweep at the same moment does nothing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = SweepResult()
    with transaction.atomic():
        for task in (FollowUpTask.objects.select_for_update()
                     .filter(status=TaskStatus.OPEN, overdue=False, due_on__lt=today)):
            task.overdue, task.overdue_since = True, now
            task.save(update_fields=["overdue", "overdue_since"])
            result.overdue.append(task.pk)
        for task in (FollowUpTask.objects.select_for_update()
                     .filter(status=TaskStatus.OPEN, overdue=False, warned_at__isnull=True,
                             due_on__gte=today,
                             due_on__lte=today + dt.timedelta(days=WARN_DAYS))):
            task.warned_at = now
            task.save(update_fields=["warned_at"])
            result.warned.append(task.pk)
        overdue, warned = list(result.overdue), list(result.warned)
        if overdue:
            transaction.on_commit(lambda: _notify_tasks("task_overdue", overdue))
        if warned:
            transaction.on_commit(lambda: _notify_tasks("task_near_due", warned))
    return result


# --- notifications (after commit) ----------------------------------------------------------------

_SUBJECTS = {
    "task_assigned": gettext_noop("A follow-up task is yours: %(title)s (due %(due)s)"),
    "task_near_due": gettext_noop("A follow-up task is due soon: %(title)s (due %(due)s)"),
    "task_overdue": gettext_noop("A follow-up task is overdue: %(title)s (was due %(due)s)"),
}


def _recipient(worker: Worker) -> notify.Recipient:
    email = getattr(worker.user, "email", "") if worker.user_id else ""
    return notify.Recipient(worker.name, worker.work_phone, email or "", worker.user_id)


def task_recipients(task: FollowUpTask, *, with_desk: bool) -> tuple[notify.Recipient, ...]:
    """The assignee (the worker, or the unit's representative, or else the unit itself) and,
    `with_desk`, the officers of the meeting's community or street."""
    out: list[notify.Recipient] = []
    if task.worker is not None:
        out.append(_recipient(task.worker))
    elif task.member.representative is not None:
        out.append(_recipient(task.member.representative))
    else:
        out.append(notify.Recipient(task.member.representative_name
                                    or task.member.organisation.name,
                                    task.member.organisation.phone))
    if with_desk:
        officers = (Worker.objects.select_related("user")
                    .filter(assignments__in=Assignment.objects.current().filter(
                        grid=task.decision.meeting.grid, role__kind=RoleKind.OFFICER))
                    .distinct())
        known = {r.user_id for r in out if r.user_id}
        out.extend(_recipient(w) for w in officers if w.user_id not in known)
    return tuple(out)


def _notify_tasks(kind: str, ids: list[int]) -> None:
    tasks = (FollowUpTask.objects.filter(pk__in=ids)
             .select_related("worker__user", "member__representative__user",
                             "member__organisation", "decision__meeting__grid"))
    for task in tasks:
        meeting = task.decision.meeting
        notify.send(notify.Message(
            kind=kind,
            subject=_(_SUBJECTS[kind]) % {"title": task.title,
                                                "due": task.due_on.isoformat()},
            body=f"{meeting.title}: {task.decision.text[:160]}",
            recipients=task_recipients(task, with_desk=kind == "task_overdue"),
            link="/m/#follow-ups", extra={"task": task.pk, "meeting": meeting.pk}))


# --- committees ----------------------------------------------------------------------------------


def member_join(*, committee: Committee, organisation, actor, joined_on: dt.date,
                representative_name: str = "", representative: Worker | None = None,
                role: str = "member") -> CommitteeMember:
    """A unit of the area joins the committee (a unit holds one current seat)."""
    _authorise(actor, committee.grid)
    if not organisation.micro_grid.code.startswith(committee.grid.code[:9]):
        raise CogovernanceError(_("%(unit)s is not in this street.")
                                % {"unit": organisation.name})
    with transaction.atomic():
        Committee.objects.select_for_update().get(pk=committee.pk)
        if committee.members.current().filter(organisation=organisation).exists():
            raise CogovernanceError(_("%(unit)s is already a member.")
                                    % {"unit": organisation.name})
        return CommitteeMember.objects.create(
            committee=committee, organisation=organisation, role=role, joined_on=joined_on,
            representative_name=(representative_name
                                 or (representative.name if representative else ""))[:50],
            representative=representative)


def member_leave(*, member: CommitteeMember, actor, left_on: dt.date) -> CommitteeMember:
    """A unit leaves the committee; its seat and its tasks stay on record."""
    _authorise(actor, member.committee.grid)
    with transaction.atomic():
        member = CommitteeMember.objects.select_for_update().get(pk=member.pk)
        if member.left_on is not None:
            raise CogovernanceError(_("This unit has already left."))
        member.left_on = left_on
        member.save()
    return member
