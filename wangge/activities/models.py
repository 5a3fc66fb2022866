"""Joint activities and co-built projects (活动联办、公益联动、共建项目).

Volunteers and registered Party members are kept in a register (`Volunteer`, placed where the
person lives); activities of a community take their sign-ups, the attendance and the hours
credited to each person (a person's service record, 服务记录, is their attended sign-ups).
Co-built projects have partner units and milestones; a project's progress is the mean of its
milestones' progress. Nothing is deleted: activities are cancelled, sign-ups withdrawn,
volunteers deactivated, and every row that changes keeps its history.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.activities.choices import (
    ActivityKind,
    ActivityStatus,
    Attendance,
    ProjectStatus,
    VolunteerKind,
)
from wangge.core.scope import ScopedQuerySet
from wangge.grids.models import Grid
from wangge.registry.models import Organisation, Person
from wangge.workforce.models import PartyOrg


class VolunteerQuerySet(ScopedQuerySet):
    scope_path = "person__micro_grid__code"


class CommunityQuerySet(ScopedQuerySet):
    scope_path = "community__code"


class SignUpQuerySet(ScopedQuerySet):
    scope_path = "activity__community__code"


class ProjectPartQuerySet(ScopedQuerySet):
    scope_path = "project__community__code"


class Volunteer(models.Model):
    """A volunteer (志愿者) or a registered Party member (报到党员: an in-service Party member
    registered with the community where they live), from the registry of people; seen by
    whoever's grids hold the person's micro-grid."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="volunteer_registrations")
    kind = models.CharField(_("kind"), max_length=20, choices=VolunteerKind.choices)
    party_org = models.ForeignKey(PartyOrg, verbose_name=_("Party organisation registered with"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="registered_members")
    workplace = models.CharField(_("workplace"), max_length=100, blank=True)
    registered_on = models.DateField(_("registered on"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = VolunteerQuerySet.as_manager()

    class Meta:
        ordering = ["person__name", "id"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            models.UniqueConstraint(fields=["person"], name="volunteer_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.get_kind_display()})"


class Activity(models.Model):
    """A joint activity (联办活动) of a community: volunteer service, public-good event,
    civility campaign, Party theme day. Planned, open for sign-up, then finished (hours are
    credited once) or cancelled."""

    community = models.ForeignKey(Grid, verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="activities")
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    organiser = models.ForeignKey(Organisation, verbose_name=_("organising unit"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="activities")
    organiser_text = models.CharField(_("organised with"), max_length=100, blank=True,
                                      help_text=_("e.g. the co-governance committee"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True,
                                           help_text=_("empty: no limit"))
    hours = models.DecimalField(_("hours to credit"), max_digits=4, decimal_places=1)
    status = models.CharField(_("status"), max_length=12, choices=ActivityStatus.choices,
                              default=ActivityStatus.PLANNED)
    public = models.BooleanField(_("shown on the residents' site"), default=True)
    description = models.TextField(_("description"), blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")),
                                   name="activity_ends_after_start"),
        ]
        indexes = [models.Index(fields=["community", "status", "starts_at"],
                                name="activity_comm_status_start")]

    def __str__(self) -> str:
        return self.title


class SignUp(models.Model):
    """A volunteer signed up for an activity (报名), their attendance (签到) and the hours
    credited when the activity is finished; withdrawn, never deleted."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT,
                                 related_name="signups")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("volunteer"),
                                  on_delete=models.PROTECT, related_name="signups")
    signed_at = models.DateTimeField(_("signed up at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices,
                                  default=Attendance.UNKNOWN)
    hours = models.DecimalField(_("hours credited"), max_digits=4, decimal_places=1, default=0)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed up by"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    history = HistoricalRecords()
    objects = SignUpQuerySet.as_manager()

    class Meta:
        ordering = ["activity_id", "signed_at", "id"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"],
                                    name="signup_once_per_activity"),
        ]
        indexes = [models.Index(fields=["volunteer", "attendance"], name="signup_vol_attend")]

    def __str__(self) -> str:
        return f"{self.volunteer.person.name} · {self.activity}"


class Project(models.Model):
    """A co-built project (共建项目) of a community with partner units, e.g. the 捞沙巷
    E-payment demonstration street; its progress comes from its milestones."""

    community = models.ForeignKey(Grid, verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="projects")
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ProjectStatus.choices,
                              default=ProjectStatus.PLANNED)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    public = models.BooleanField(_("shown on the residents' site"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "title"]
        verbose_name = _("co-built project")
        verbose_name_plural = _("co-built projects")

    def __str__(self) -> str:
        return self.title


class ProjectPartner(models.Model):
    """A partner unit of a co-built project (共建单位) and what it contributes."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="partners")
    organisation = models.ForeignKey(Organisation, verbose_name=_("unit"),
                                     on_delete=models.PROTECT, related_name="project_partners")
    role = models.CharField(_("role or contribution"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ProjectPartQuerySet.as_manager()

    class Meta:
        ordering = ["project_id", "id"]
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"],
                                    name="project_partner_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.project}"


class Milestone(models.Model):
    """A milestone of a co-built project (节点): due date, progress in percent, done date."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="milestones")
    title = models.CharField(_("title"), max_length=100)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0,
                                                validators=[MaxValueValidator(100)])
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = ProjectPartQuerySet.as_manager()

    class Meta:
        ordering = ["project_id", "due_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="milestone_progress_100"),
        ]

    def __str__(self) -> str:
        return self.title
