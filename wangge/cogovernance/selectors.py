"""Reads of co-governance. Everything starts from the scoped querysets (`Meeting.objects.
for_user`, ...), so a meeting of another community is "not found"; the residents' site reads
only meetings marked public, and nothing personal."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from wangge.cogovernance.choices import MeetingStatus, Presence, TaskStatus
from wangge.cogovernance.models import (
    AgendaItem,
    Attendance,
    Committee,
    CommitteeMember,
    Decision,
    FollowUpTask,
    Meeting,
)
from wangge.core.scope import restrict, scope_reaches
from wangge.grids.choices import CODE_LENGTH, Tier
from wangge.grids.models import Grid
from wangge.workforce.models import Worker

COMMUNITY_CODE = CODE_LENGTH[Tier.COMMUNITY]


# --- who may do what -------------------------------------------------------------------------


def is_desk_user(user) -> bool:
    """Community officers and street staff (an account whose part of the tree is a community
    or wider) work on co-governance at the console; grid workers only see their own tasks."""
    return scope_reaches(user, widest=COMMUNITY_CODE)


def may_manage(*, user, grid: Grid) -> bool:
    """Whether the user runs meetings of this street or community: their part of the tree
    holds it and is a community or wider."""
    if user is None:
        return True  # trusted code paths: the demo, the sweep
    return scope_reaches(user, widest=COMMUNITY_CODE, code=grid.code)


def is_assignee(*, task: FollowUpTask, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if task.worker_id is not None:
        return task.worker.user_id == user.pk
    representative = task.member.representative
    return representative is not None and representative.user_id == user.pk


# --- committees ------------------------------------------------------------------------------


def committees(*, user) -> QuerySet[Committee]:
    return (Committee.objects.for_user(user).select_related("grid", "convener")
            .annotate(member_count=Count("members", filter=Q(members__left_on__isnull=True)))
            .order_by("grid__code", "name"))


def committee_get(*, user, pk: int) -> Committee:
    return (Committee.objects.for_user(user).select_related("grid", "convener")
            .prefetch_related(Prefetch("members", CommitteeMember.objects
                                       .select_related("organisation", "representative")))
            .get(pk=pk))


def current_members(committee: Committee) -> QuerySet[CommitteeMember]:
    return (committee.members.current().select_related("organisation", "representative")
            .order_by("role", "id"))


# --- meetings --------------------------------------------------------------------------------


def meetings(*, user, kind: str = "", status: str = "") -> QuerySet[Meeting]:
    qs = (Meeting.objects.for_user(user).select_related("grid", "committee")
          .annotate(task_count=Count("decisions__tasks", distinct=True),
                    open_task_count=Count("decisions__tasks", distinct=True,
                                          filter=Q(decisions__tasks__status=TaskStatus.OPEN)))
          .order_by("-held_at", "-id"))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def _meeting_prefetch(qs: QuerySet[Meeting], *, public: bool = False) -> QuerySet[Meeting]:
    tasks = FollowUpTask.objects.order_by("due_on", "id")
    if not public:
        tasks = tasks.select_related("member__organisation", "member__representative",
                                     "worker")
    return qs.select_related("grid", "committee", "direct_line").prefetch_related(
        Prefetch("agenda", AgendaItem.objects.select_related("case")),
        Prefetch("attendance", Attendance.objects.select_related("member__organisation",
                                                                 "worker")),
        Prefetch("decisions", Decision.objects.select_related("agenda_item")),
        Prefetch("decisions__tasks", tasks),
    )


def meeting_get(*, user, pk: int) -> Meeting:
    return _meeting_prefetch(Meeting.objects.for_user(user)).get(pk=pk)


def attendance_summary(meeting: Meeting) -> dict[str, int]:
    counts = {p: 0 for p in Presence.values}
    for row in meeting.attendance.all():
        counts[row.presence] += 1
    return counts


# --- follow-up tasks -------------------------------------------------------------------------


def tasks(*, user, status: str = "", overdue: bool = False) -> QuerySet[FollowUpTask]:
    qs = (FollowUpTask.objects.for_user(user)
          .select_related("decision__meeting__grid", "member__organisation", "worker"))
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue=True, status=TaskStatus.OPEN)
    return qs


def task_get(*, user, pk: int) -> FollowUpTask:
    return (FollowUpTask.objects.for_user(user)
            .select_related("decision__meeting__grid", "member__organisation",
                            "member__representative", "worker").get(pk=pk))


def my_follow_ups(*, user) -> QuerySet[FollowUpTask]:
    """Open follow-up tasks given to the user: to them as a worker, or to a member unit they
    represent. Soonest due first; what the phone's task list shows."""
    if not getattr(user, "is_authenticated", False):
        return FollowUpTask.objects.none()
    return (FollowUpTask.objects.open().assigned_to(user)
            .select_related("decision__meeting", "member__organisation")
            .order_by("due_on", "id"))


# --- choices for the console forms -------------------------------------------------------------


def meeting_grids(*, user) -> QuerySet[Grid]:
    """Streets and communities the user runs meetings for."""
    qs = Grid.objects.filter(tier__in=[Tier.STREET, Tier.COMMUNITY]).defer("boundary")
    return restrict(qs, user, "code", distinct=False).order_by("code")


def assignable_workers(*, grid: Grid) -> QuerySet[Worker]:
    """Workers with an account currently serving in the street or community: those a task
    can be given to so that it reaches their phone."""
    from wangge.workforce.models import Assignment

    serving = Assignment.objects.current().filter(grid__code__startswith=grid.code)
    return (Worker.objects.filter(active=True, user__isnull=False,
                                  assignments__in=serving)
            .distinct().order_by("name", "id"))


# --- the residents' site -----------------------------------------------------------------------


def public_meetings() -> QuerySet[Meeting]:
    """Held meetings marked public, newest first."""
    return (Meeting.objects.published().select_related("grid", "committee")
            .annotate(decision_count=Count("decisions", distinct=True))
            .order_by("-held_at", "-id"))


def public_meeting_get(pk: int) -> Meeting:
    return _meeting_prefetch(Meeting.objects.published(), public=True).get(pk=pk)


def is_held(meeting: Meeting) -> bool:
    return meeting.status == MeetingStatus.HELD
