"""Writes of joint activities and co-built projects; views, the API and the demo call these.

An activity is planned, opened for sign-up, then finished or cancelled. Finishing records the
attendance and credits the hours once: a second finish changes nothing. State changes lock
the activity row, so that two officers signing up the last place do not both get it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.activities.choices import (
    RUNNING,
    ActivityKind,
    ActivityStatus,
    Attendance,
    ProjectStatus,
    VolunteerKind,
)
from wangge.activities.models import (
    Activity,
    Milestone,
    Project,
    ProjectPartner,
    SignUp,
    Volunteer,
)
from wangge.grids.choices import Tier
from wangge.grids.models import Grid
from wangge.registry.choices import PersonStatus
from wangge.registry.models import Organisation, Person
from wangge.workforce.models import PartyOrg

MAX_HOURS = Decimal("24")


class ActivityError(ValueError):
    """A change refused; the message is for the user."""


def _saved(obj, actor, **kwargs):
    obj._history_user = actor if getattr(actor, "is_authenticated", False) else None
    obj.save(**kwargs)
    return obj


def _check_community(community: Grid) -> None:
    if community.tier != Tier.COMMUNITY:
        raise ActivityError(_("Activities and projects belong to a community."))


def _check_hours(hours: Decimal) -> Decimal:
    hours = Decimal(hours)
    if hours < 0 or hours > MAX_HOURS:
        raise ActivityError(_("Hours are between 0 and 24."))
    return hours


# --- the register of volunteers and registered Party members ------------------------------


def volunteer_register(*, person: Person, kind: str, actor, party_org: PartyOrg | None = None,
                       workplace: str = "", registered_on: datetime.date | None = None
                       ) -> Volunteer:
    """Put a resident into the register as a volunteer or a registered Party member."""
    if kind not in VolunteerKind.values:
        raise ActivityError(_("Unknown kind of volunteer."))
    if person.status != PersonStatus.ACTIVE:
        raise ActivityError(_("%(name)s no longer lives here.") % {"name": person.name})
    if kind == VolunteerKind.VOLUNTEER and party_org is not None:
        raise ActivityError(_("Only registered Party members register with a Party "
                              "organisation."))
    volunteer = Volunteer(person=person, kind=kind, party_org=party_org, workplace=workplace,
                          registered_on=registered_on or timezone.localdate())
    try:
        with transaction.atomic():
            _saved(volunteer, actor)
    except IntegrityError:
        raise ActivityError(_("%(name)s is already in the register.")
                            % {"name": person.name}) from None
    return volunteer


def volunteer_set_active(*, volunteer: Volunteer, active: bool, actor) -> Volunteer:
    with transaction.atomic():
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if locked.active != active:
            locked.active = active
            _saved(locked, actor, update_fields=["active", "updated_at"])
    return locked


# --- activities ---------------------------------------------------------------------------


def activity_create(*, community: Grid, title: str, kind: str, starts_at: datetime.datetime,
                    ends_at: datetime.datetime, hours: Decimal, actor, place: str = "",
                    capacity: int | None = None, public: bool = True, description: str = "",
                    organiser: Organisation | None = None, organiser_text: str = "",
                    open_now: bool = False) -> Activity:
    _check_community(community)
    if kind not in ActivityKind.values:
        raise ActivityError(_("Unknown kind of activity."))
    if ends_at < starts_at:
        raise ActivityError(_("An activity cannot end before it starts."))
    if capacity is not None and capacity < 1:
        raise ActivityError(_("The capacity is at least one person, or empty for no limit."))
    activity = Activity(
        community=community, title=title.strip(), kind=kind, starts_at=starts_at,
        ends_at=ends_at, hours=_check_hours(hours), place=place, capacity=capacity,
        public=public, description=description, organiser=organiser,
        organiser_text=organiser_text,
        status=ActivityStatus.OPEN if open_now else ActivityStatus.PLANNED,
        created_by=actor if getattr(actor, "is_authenticated", False) else None)
    if not activity.title:
        raise ActivityError(_("Give the activity a title."))
    with transaction.atomic():
        _saved(activity, actor)
    return activity


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


def activity_open(*, activity: Activity, actor) -> Activity:
    """Open a planned activity for sign-up."""
    with transaction.atomic():
        locked = _lock(activity)
        if locked.status != ActivityStatus.PLANNED:
            raise ActivityError(_("Only a planned activity can be opened for sign-up; this one "
                                  "is “%(status)s”.") % {"status": locked.get_status_display()})
        locked.status = ActivityStatus.OPEN
        _saved(locked, actor, update_fields=["status", "updated_at"])
    return locked


def activity_cancel(*, activity: Activity, reason: str, actor) -> Activity:
    """Cancel an activity still to come; its sign-ups stay, with no hours."""
    reason = reason.strip()
    if not reason:
        raise ActivityError(_("Say why the activity is cancelled."))
    with transaction.atomic():
        locked = _lock(activity)
        if locked.status not in RUNNING:
            raise ActivityError(_("This activity is already “%(status)s”.")
                                % {"status": locked.get_status_display()})
        locked.status = ActivityStatus.CANCELLED
        locked.cancel_reason = reason
        _saved(locked, actor, update_fields=["status", "cancel_reason", "updated_at"])
    return locked


def signup_create(*, activity: Activity, volunteer: Volunteer, actor,
                  now: datetime.datetime | None = None) -> SignUp:
    """Sign a volunteer up for an open activity: once, while places are left."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(activity)
        name = volunteer.person.name
        if locked.status != ActivityStatus.OPEN:
            raise ActivityError(_("“%(title)s” is not open for sign-up (it is “%(status)s”).")
                                % {"title": locked.title,
                                   "status": locked.get_status_display()})
        if not volunteer.active:
            raise ActivityError(_("%(name)s is no longer an active volunteer.")
                                % {"name": name})
        existing = SignUp.objects.select_for_update().filter(
            activity=locked, volunteer=volunteer).first()
        if existing is not None and existing.withdrawn_at is None:
            raise ActivityError(_("%(name)s has already signed up for this activity.")
                                % {"name": name})
        taken = SignUp.objects.filter(activity=locked, withdrawn_at__isnull=True).count()
        if locked.capacity is not None and taken >= locked.capacity:
            raise ActivityError(_("“%(title)s” is full: all %(capacity)s places are taken.")
                                % {"title": locked.title, "capacity": locked.capacity})
        signup = existing or SignUp(activity=locked, volunteer=volunteer)
        signup.signed_at = now
        signup.withdrawn_at = None
        signup.attendance = Attendance.UNKNOWN
        signup.signed_by = actor if getattr(actor, "is_authenticated", False) else None
        _saved(signup, actor)
    return signup


def signup_withdraw(*, signup: SignUp, actor) -> SignUp:
    with transaction.atomic():
        activity = _lock(signup.activity)
        locked = SignUp.objects.select_for_update().get(pk=signup.pk)
        if activity.status not in RUNNING:
            raise ActivityError(_("The activity is “%(status)s”; its sign-ups no longer "
                                  "change.") % {"status": activity.get_status_display()})
        if locked.withdrawn_at is None:
            locked.withdrawn_at = timezone.now()
            _saved(locked, actor, update_fields=["withdrawn_at"])
    return locked


def _check_attendance(values: dict[int, str]) -> None:
    if set(values.values()) - set(Attendance.values):
        raise ActivityError(_("Unknown attendance."))


def attendance_record(*, activity: Activity, attendance: dict[int, str], actor) -> int:
    """Record who came (sign-up id → attendance) before the activity is finished; returns
    how many sign-ups changed."""
    _check_attendance(attendance)
    with transaction.atomic():
        locked = _lock(activity)
        if locked.status not in RUNNING:
            raise ActivityError(_("The activity is “%(status)s”; its attendance no longer "
                                  "changes.") % {"status": locked.get_status_display()})
        changed = 0
        for signup in SignUp.objects.select_for_update().filter(
                activity=locked, withdrawn_at__isnull=True, pk__in=attendance):
            if signup.attendance != attendance[signup.pk]:
                signup.attendance = attendance[signup.pk]
                _saved(signup, actor, update_fields=["attendance"])
                changed += 1
    return changed


def activity_finish(*, activity: Activity, actor, attendance: dict[int, str] | None = None,
                    hours: dict[int, Decimal] | None = None,
                    now: datetime.datetime | None = None) -> tuple[Activity, Decimal]:
    """Finish an activity: record the last attendance, credit each attendee the activity's
    hours (or the hours given for them), and nothing to those absent or not recorded, who
    count as absent. Returns the activity and the hours credited; finishing an activity
    already finished credits nothing (0)."""
    attendance = attendance or {}
    hours = {k: _check_hours(v) for k, v in (hours or {}).items()}
    _check_attendance(attendance)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(activity)
        if locked.status == ActivityStatus.FINISHED:
            return locked, Decimal(0)
        if locked.status == ActivityStatus.CANCELLED:
            raise ActivityError(_("A cancelled activity cannot be finished."))
        if locked.starts_at > now:
            raise ActivityError(_("An activity cannot be finished before it starts."))
        credited = Decimal(0)
        for signup in SignUp.objects.select_for_update().filter(activity=locked,
                                                               withdrawn_at__isnull=True):
            signup.attendance = attendance.get(signup.pk, signup.attendance)
            if signup.attendance == Attendance.ATTENDED:
                signup.hours = hours.get(signup.pk, locked.hours)
            else:
                signup.attendance = Attendance.ABSENT
                signup.hours = Decimal(0)
            credited += signup.hours
            _saved(signup, actor, update_fields=["attendance", "hours"])
        locked.status = ActivityStatus.FINISHED
        locked.finished_at = now
        _saved(locked, actor, update_fields=["status", "finished_at", "updated_at"])
    return locked, credited


# --- co-built projects --------------------------------------------------------------------


def project_create(*, community: Grid, title: str, actor, description: str = "",
                   status: str = ProjectStatus.PLANNED,
                   started_on: datetime.date | None = None, public: bool = True) -> Project:
    _check_community(community)
    if status not in ProjectStatus.values:
        raise ActivityError(_("Unknown project status."))
    if not title.strip():
        raise ActivityError(_("Give the project a title."))
    project = Project(community=community, title=title.strip(), description=description,
                      status=status, started_on=started_on, public=public)
    with transaction.atomic():
        _saved(project, actor)
    return project


def project_set_status(*, project: Project, status: str, actor) -> Project:
    if status not in ProjectStatus.values:
        raise ActivityError(_("Unknown project status."))
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status != status:
            locked.status = status
            if status == ProjectStatus.IN_PROGRESS and locked.started_on is None:
                locked.started_on = timezone.localdate()
            _saved(locked, actor)
    return locked


def partner_add(*, project: Project, organisation: Organisation, actor,
                role: str = "") -> ProjectPartner:
    partner = ProjectPartner(project=project, organisation=organisation, role=role.strip())
    try:
        with transaction.atomic():
            _saved(partner, actor)
    except IntegrityError:
        raise ActivityError(_("%(unit)s is already a partner of this project.")
                            % {"unit": organisation.name}) from None
    return partner


def _check_progress(progress: int) -> int:
    if not 0 <= progress <= 100:
        raise ActivityError(_("Progress is between 0 and 100 per cent."))
    return progress


def milestone_add(*, project: Project, title: str, actor, due_on: datetime.date | None = None,
                  progress: int = 0, note: str = "") -> Milestone:
    if not title.strip():
        raise ActivityError(_("Give the milestone a title."))
    milestone = Milestone(project=project, title=title.strip(), due_on=due_on,
                          progress=_check_progress(progress), note=note,
                          done_on=timezone.localdate() if progress == 100 else None)
    with transaction.atomic():
        _saved(milestone, actor)
    return milestone


def milestone_update(*, milestone: Milestone, progress: int, actor, note: str | None = None,
                     done_on: datetime.date | None = None) -> Milestone:
    """Move a milestone on: at 100 % it is done (today unless a date is given); below, it is
    not done."""
    _check_progress(progress)
    with transaction.atomic():
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        locked.progress = progress
        if progress == 100:
            locked.done_on = done_on or locked.done_on or timezone.localdate()
        else:
            locked.done_on = None
        if note is not None:
            locked.note = note
        _saved(locked, actor)
    return locked
