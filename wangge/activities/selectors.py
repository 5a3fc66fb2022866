"""Reads of joint activities and co-built projects. Console and API reads start from
`Model.objects.for_user(user)`; the residents' site reads only public rows and no names."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from wangge.activities.choices import RUNNING, ActivityStatus, Attendance
from wangge.activities.models import (
    Activity,
    Milestone,
    Project,
    ProjectPartner,
    SignUp,
    Volunteer,
)
from wangge.core.scope import restrict, scope_reaches
from wangge.grids.choices import CODE_LENGTH, Tier
from wangge.grids.models import Grid
from wangge.registry.choices import PersonStatus
from wangge.registry.models import Organisation, Person

LIST_LIMIT = 100
SEARCH_LIMIT = 20
ZERO_HOURS = Value(Decimal(0))


def may_manage(user) -> bool:
    """Community officers and street staff run activities and projects: a superuser or an
    account whose part of the tree holds a community or more. Grid workers do not."""
    return scope_reaches(user, widest=CODE_LENGTH[Tier.COMMUNITY])


def communities(*, user) -> list[Grid]:
    """Communities the user runs activities in."""
    qs = Grid.objects.filter(tier=Tier.COMMUNITY).only("id", "code", "name", "tier")
    return list(restrict(qs, user, "code", distinct=False).order_by("code"))


# --- activities ---------------------------------------------------------------------------


def _with_figures(qs: QuerySet) -> QuerySet:
    live = Q(signups__withdrawn_at__isnull=True)
    return qs.annotate(
        signed=Count("signups", filter=live),
        attended=Count("signups", filter=live & Q(signups__attendance=Attendance.ATTENDED)),
        served_hours=Coalesce(Sum("signups__hours", filter=live), ZERO_HOURS),
    )


def activities(*, user, finished: bool, community: str = "") -> QuerySet[Activity]:
    """Activities to come (planned, open) soonest first, or past ones (finished, cancelled)
    latest first, each with its number of sign-ups, attendees and hours served."""
    qs = Activity.objects.for_user(user).select_related("community", "organiser")
    if community:
        qs = qs.filter(community__code=community)
    if finished:
        qs = qs.exclude(status__in=RUNNING).order_by("-starts_at", "-id")
    else:
        qs = qs.filter(status__in=RUNNING).order_by("starts_at", "id")
    return _with_figures(qs)


def activity(*, user, pk: int) -> Activity:
    """One activity in the user's part of the tree (Activity.DoesNotExist outside it)."""
    return _with_figures(Activity.objects.for_user(user).select_related(
        "community", "organiser", "created_by")).get(pk=pk)


def signups(*, activity: Activity) -> list[SignUp]:
    return list(activity.signups.select_related("volunteer__person__micro_grid",
                                                "volunteer__party_org")
                .order_by("withdrawn_at", "signed_at", "id"))


def volunteer_search(*, user, q: str, exclude_activity: Activity | None = None
                     ) -> list[Volunteer]:
    """Active volunteers and registered Party members of the user's grids whose name holds
    `q`, for signing up."""
    q = q.strip()
    if not q:
        return []
    qs = (Volunteer.objects.for_user(user).filter(active=True, person__name__contains=q)
          .select_related("person__micro_grid", "party_org"))
    if exclude_activity is not None:
        qs = qs.exclude(signups__activity=exclude_activity,
                        signups__withdrawn_at__isnull=True)
    return list(qs.order_by("person__name", "id")[:SEARCH_LIMIT])


# --- the register and service records -----------------------------------------------------


def volunteers(*, user, q: str = "", kind: str = "", year: int | None = None
               ) -> QuerySet[Volunteer]:
    """The register in the user's grids, each with the hours credited in `year` (this year
    by default) and in all."""
    year = year or timezone.localdate().year
    qs = Volunteer.objects.for_user(user).select_related("person__micro_grid", "party_org")
    if q.strip():
        qs = qs.filter(person__name__contains=q.strip())
    if kind:
        qs = qs.filter(kind=kind)
    attended = Q(signups__attendance=Attendance.ATTENDED,
                 signups__activity__status=ActivityStatus.FINISHED)
    return qs.annotate(
        hours_year=Coalesce(Sum("signups__hours",
                                filter=attended & Q(signups__activity__starts_at__year=year)),
                            ZERO_HOURS),
        hours_total=Coalesce(Sum("signups__hours", filter=attended), ZERO_HOURS),
        times=Count("signups", filter=attended),
    ).order_by("-active", "person__name", "id")


def volunteer(*, user, pk: int) -> Volunteer:
    return Volunteer.objects.for_user(user).select_related(
        "person__micro_grid", "party_org").get(pk=pk)


@dataclass
class ServiceRecord:
    """A person's service record (服务记录): the activities they attended with the hours
    credited, and the total per year."""

    entries: list[SignUp]
    years: list[tuple[int, Decimal, int]] = field(default_factory=list)  # year, hours, times
    total: Decimal = Decimal(0)


def service_record(*, volunteer: Volunteer) -> ServiceRecord:
    entries = list(SignUp.objects.filter(
        volunteer=volunteer, attendance=Attendance.ATTENDED,
        activity__status=ActivityStatus.FINISHED,
    ).select_related("activity__community").order_by("-activity__starts_at", "-id"))
    by_year: dict[int, list] = {}
    for entry in entries:
        year = timezone.localtime(entry.activity.starts_at).year
        hours, times = by_year.get(year, (Decimal(0), 0))
        by_year[year] = (hours + entry.hours, times + 1)
    years = sorted(((y, h, n) for y, (h, n) in by_year.items()), reverse=True)
    return ServiceRecord(entries=entries, years=years,
                         total=sum((e.hours for e in entries), Decimal(0)))


def people_to_register(*, user, q: str) -> list[Person]:
    """Residents of the user's grids, living here, not yet in the register, by name."""
    q = q.strip()
    if not q:
        return []
    return list(Person.objects.for_user(user).filter(
        name__contains=q, status=PersonStatus.ACTIVE,
        volunteer_registrations__isnull=True,
    ).select_related("micro_grid").order_by("name", "id")[:SEARCH_LIMIT])


# --- co-built projects --------------------------------------------------------------------


def _projects(qs: QuerySet) -> QuerySet[Project]:
    return (qs.select_related("community")
            .annotate(progress=Coalesce(Avg("milestones__progress"), Value(0.0)))
            .prefetch_related(Prefetch("partners", queryset=ProjectPartner.objects
                                       .select_related("organisation"))))


def projects(*, user) -> QuerySet[Project]:
    return _projects(Project.objects.for_user(user))


def project(*, user, pk: int) -> Project:
    return _projects(Project.objects.for_user(user)).prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "id"))).get(pk=pk)


def partner_choices(*, user, project: Project) -> list[Organisation]:
    """Units that can join a project: the active ones of the user's grids and the member
    units of the co-governance committees (who work across communities)."""
    own = restrict(Organisation.objects.filter(active=True), user, "micro_grid__code",
                   distinct=False)
    members = Organisation.objects.filter(active=True, co_governance_member=True)
    taken = project.partners.values("organisation_id")
    return list((own | members).exclude(pk__in=taken).order_by("name")[:500])


# --- the residents' site ------------------------------------------------------------------


def public_upcoming(*, now: datetime.datetime | None = None) -> QuerySet[Activity]:
    now = now or timezone.now()
    return _with_figures(Activity.objects.filter(
        public=True, status__in=RUNNING, ends_at__gte=now,
    ).select_related("community")).order_by("starts_at", "id")


def public_finished() -> QuerySet[Activity]:
    return _with_figures(Activity.objects.filter(
        public=True, status=ActivityStatus.FINISHED).select_related("community")
    ).order_by("-starts_at", "-id")


def public_projects() -> QuerySet[Project]:
    return _projects(Project.objects.filter(public=True)).order_by("-started_on", "title")


def public_figures(*, year: int | None = None) -> dict:
    """Hours served and activities held in a year, street-wide (no names)."""
    year = year or timezone.localdate().year
    served = SignUp.objects.filter(attendance=Attendance.ATTENDED,
                                   activity__status=ActivityStatus.FINISHED,
                                   activity__starts_at__year=year)
    figures = served.aggregate(hours=Coalesce(Sum("hours"), ZERO_HOURS),
                               people=Count("volunteer", distinct=True))
    figures["activities"] = Activity.objects.filter(
        status=ActivityStatus.FINISHED, starts_at__year=year).count()
    figures["year"] = year
    return figures


def years_served(volunteer_ids: list[int]) -> dict[int, dict[int, Decimal]]:
    """Hours per year for several volunteers at once (the API's service records)."""
    rows = (SignUp.objects.filter(volunteer_id__in=volunteer_ids,
                                  attendance=Attendance.ATTENDED,
                                  activity__status=ActivityStatus.FINISHED)
            .annotate(year=ExtractYear("activity__starts_at"))
            .values("volunteer_id", "year").annotate(hours=Sum("hours")))
    out: dict[int, dict[int, Decimal]] = {}
    for row in rows:
        out.setdefault(row["volunteer_id"], {})[row["year"]] = row["hours"]
    return out
