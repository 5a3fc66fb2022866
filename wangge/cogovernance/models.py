"""Co-governance (共建共治): committees of the units in an area, their meetings (round
tables, Party joint meetings, the secretary's direct line), what the meetings decide and the
follow-up tasks that carry the decisions out. Only `services` writes these rows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.cases.models import Case, DirectLineMeeting
from wangge.cogovernance.choices import (
    CommitteeKind,
    MeetingKind,
    MeetingStatus,
    MemberRole,
    Presence,
    TaskStatus,
)
from wangge.core.scope import ScopedQuerySet, scope_prefixes
from wangge.grids.models import Grid
from wangge.registry.models import Organisation
from wangge.workforce.models import Worker


class CommitteeQuerySet(ScopedQuerySet):
    scope_path = "grid__code"


class Committee(models.Model):
    """A co-governance committee (共治委, 共建共治协商委员会) of a community: the units in
    the area that discuss matters, run activities and do public-good work together."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=CommitteeKind.choices,
                            default=CommitteeKind.CONSULTATION)
    grid = models.ForeignKey(Grid, verbose_name=_("community"), on_delete=models.PROTECT,
                             related_name="committees")
    convener = models.ForeignKey(Worker, verbose_name=_("convener"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text=_("normally the community Party secretary"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = CommitteeQuerySet.as_manager()

    class Meta:
        ordering = ["grid__code", "name"]
        verbose_name = _("co-governance committee")
        verbose_name_plural = _("co-governance committees")
        constraints = [
            models.UniqueConstraint(fields=["grid", "name"], name="committee_name_per_grid"),
        ]

    def __str__(self) -> str:
        return self.name


class MemberQuerySet(ScopedQuerySet):
    scope_path = "committee__grid__code"

    def current(self):
        return self.filter(left_on__isnull=True)


class CommitteeMember(models.Model):
    """A member unit of a committee (成员单位) from the organisations registry, and the person
    who represents it. Members leave (`left_on`); they are never deleted."""

    committee = models.ForeignKey(Committee, verbose_name=_("committee"),
                                  on_delete=models.PROTECT, related_name="members")
    organisation = models.ForeignKey(Organisation, verbose_name=_("unit"),
                                     on_delete=models.PROTECT, related_name="committee_seats")
    representative_name = models.CharField(_("representative"), max_length=50, blank=True)
    representative = models.ForeignKey(
        Worker, verbose_name=_("representative's worker record"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="committee_seats",
        help_text=_("when the representative has an account, the unit's tasks appear in "
                    "their task list"))
    role = models.CharField(_("role"), max_length=12, choices=MemberRole.choices,
                            default=MemberRole.MEMBER)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    history = HistoricalRecords()
    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["committee", "role", "id"]
        verbose_name = _("committee member unit")
        verbose_name_plural = _("committee member units")
        constraints = [
            models.UniqueConstraint(fields=["committee", "organisation"],
                                    condition=Q(left_on__isnull=True),
                                    name="one_current_seat_per_unit"),
        ]

    def __str__(self) -> str:
        return self.organisation.name


class MeetingQuerySet(ScopedQuerySet):
    scope_path = "grid__code"

    def published(self):
        return self.filter(public=True, status=MeetingStatus.HELD)


class Meeting(models.Model):
    """A meeting of co-governance: a community round-table decision meeting (事务决策圆桌
    会议), a street or community Party joint meeting (党建联席会) or the secretary's
    direct-line meeting (书记直通车恳谈会, linked to the case workflow's own record)."""

    committee = models.ForeignKey(Committee, verbose_name=_("committee"), null=True,
                                  blank=True, on_delete=models.PROTECT,
                                  related_name="meetings")
    kind = models.CharField(_("kind"), max_length=12, choices=MeetingKind.choices)
    grid = models.ForeignKey(Grid, verbose_name=_("street or community"),
                             on_delete=models.PROTECT, related_name="cogovernance_meetings")
    title = models.CharField(_("title"), max_length=100)
    held_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)
    minutes = models.TextField(_("minutes"), blank=True)
    public = models.BooleanField(_("published on the residents' site"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    direct_line = models.OneToOneField(
        DirectLineMeeting, verbose_name=_("direct-line record"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="cogovernance_meeting",
        help_text=_("the case workflow's record, which decides the cases on the agenda"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_at", "-id"]
        verbose_name = _("co-governance meeting")
        verbose_name_plural = _("co-governance meetings")
        indexes = [models.Index(fields=["public", "status", "held_at"],
                                name="meeting_published")]

    def __str__(self) -> str:
        return f"{self.held_at:%Y-%m-%d} {self.title}"


class AgendaItem(models.Model):
    """A matter on a meeting's agenda (议题): a case, or a proposal in words."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=100)
    proposal = models.TextField(_("proposal"), blank=True)
    case = models.ForeignKey(Case, verbose_name=_("case"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="agenda_items")

    class Meta:
        ordering = ["meeting", "order"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="agenda_order"),
        ]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """Whether a member unit (or a worker) attended a meeting (出席情况)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(CommitteeMember, verbose_name=_("member unit"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(Worker, verbose_name=_("worker"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    presence = models.CharField(_("attendance"), max_length=8, choices=Presence.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.CheckConstraint(condition=Q(member__isnull=True) ^ Q(worker__isnull=True),
                                   name="attendance_member_or_worker"),
            models.UniqueConstraint(fields=["meeting", "member"],
                                    condition=Q(member__isnull=False),
                                    name="attendance_once_per_member"),
            models.UniqueConstraint(fields=["meeting", "worker"],
                                    condition=Q(worker__isnull=False),
                                    name="attendance_once_per_worker"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.member_id or self.worker_id} {self.presence}"


class Decision(models.Model):
    """What a meeting decided (决议), on an agenda item or in general. Never changed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    agenda_item = models.ForeignKey(AgendaItem, verbose_name=_("agenda item"), null=True,
                                    blank=True, on_delete=models.PROTECT,
                                    related_name="decisions")
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("decision"))

    class Meta:
        ordering = ["meeting", "order"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:40]


class TaskQuerySet(ScopedQuerySet):
    """Tasks are scoped by their meeting's street or community; an assignee from outside it
    (a worker of a micro-grid, a unit's representative) also sees their own tasks."""

    scope_path = "decision__meeting__grid__code"

    def for_user(self, user):
        in_tree = super().for_user(user)
        if not getattr(user, "is_authenticated", False) or scope_prefixes(user) is None:
            return in_tree
        return in_tree | self.assigned_to(user)

    def assigned_to(self, user):
        return self.filter(Q(worker__user=user) | Q(member__representative__user=user))

    def open(self):
        return self.filter(status=TaskStatus.OPEN)


class FollowUpTask(models.Model):
    """A follow-up task (督办事项) that carries out a decision: given to a member unit or a
    worker, due on a date, done with a result note. The sweep marks it overdue once."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    member = models.ForeignKey(CommitteeMember, verbose_name=_("member unit"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="tasks")
    worker = models.ForeignKey(Worker, verbose_name=_("worker"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="follow_up_tasks")
    assignee_label = models.CharField(
        _("assignee as shown publicly"), max_length=120,
        help_text=_("the unit's name or the worker's role: never a private person's name"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices,
                              default=TaskStatus.OPEN)
    overdue = models.BooleanField(_("overdue"), default=False)
    overdue_since = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"),
                                null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    result = models.TextField(_("result"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    history = HistoricalRecords()
    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        constraints = [
            models.CheckConstraint(condition=Q(member__isnull=True) ^ Q(worker__isnull=True),
                                   name="task_member_or_worker"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="task_sweep")]

    def __str__(self) -> str:
        return self.title
