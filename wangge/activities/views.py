"""Pages of joint activities and co-built projects: the console (`/console/activities/`) for
community officers and street staff, and the residents' page (`/activities/`).

Views are thin: reads come from `selectors` (scoped; a row outside the user's communities is
a 404, an account below community level gets a 403), writes go through `services`, whose
refusals come back as a message on the page with nothing changed."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.activities import selectors, services
from wangge.activities.choices import RUNNING, ActivityStatus, Attendance, VolunteerKind
from wangge.activities.forms import (
    ActivityForm,
    CancelForm,
    MilestoneForm,
    PartnerForm,
    ProgressForm,
    ProjectForm,
    RegisterForm,
)
from wangge.activities.models import Activity, Milestone, Project, Volunteer
from wangge.console.views import render_console
from wangge.registry.models import Person
from wangge.workforce.choices import PartyOrgLevel
from wangge.workforce.models import PartyOrg

TAB = "activities"


def officers_only(view):
    """Community officers and street staff; anyone else is refused (403)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not selectors.may_manage(request.user):
            return render_console(request, "activities/forbidden.html", {}, tab=TAB,
                                  status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _get(fn, **kwargs):
    try:
        return fn(**kwargs)
    except (Activity.DoesNotExist, Volunteer.DoesNotExist, Project.DoesNotExist) as exc:
        raise Http404 from exc


# --- activities ---------------------------------------------------------------------------


@officers_only
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    """Activities to come and past ones in the user's communities."""
    community = request.GET.get("community", "")
    finished = Paginator(selectors.activities(user=request.user, finished=True,
                                              community=community), 30)
    return render_console(request, "activities/list.html", {
        "upcoming": selectors.activities(user=request.user, finished=False,
                                         community=community)[:selectors.LIST_LIMIT],
        "finished": finished.get_page(request.GET.get("page")),
        "communities": selectors.communities(user=request.user), "community": community,
    }, tab=TAB)


@officers_only
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    communities = selectors.communities(user=request.user)
    form = ActivityForm(request.POST or None, communities=communities)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                activity = services.activity_create(
                    community=data["community"], title=data["title"], kind=data["kind"],
                    starts_at=data["starts_at"], ends_at=data["ends_at"], hours=data["hours"],
                    place=data["place"], capacity=data["capacity"], public=data["public"],
                    description=data["description"], organiser_text=data["organiser_text"],
                    open_now=data["open_now"], actor=request.user)
            except services.ActivityError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The activity “%(title)s” is created.")
                                 % {"title": activity.title})
                return redirect("activities:detail", pk=activity.pk)
    return render_console(request, "activities/activity_form.html", {"form": form}, tab=TAB,
                          status=status)


def _render_activity(request: HttpRequest, activity: Activity, *, status: int = 200,
                     error: str = "") -> HttpResponse:
    q = request.GET.get("q", "")
    rows = selectors.signups(activity=activity)
    return render_console(request, "activities/activity_detail.html", {
        "activity": activity, "signups": rows,
        "live": [s for s in rows if s.withdrawn_at is None],
        "running": activity.status in RUNNING, "is_open": activity.status == ActivityStatus.OPEN,
        "q": q, "found": selectors.volunteer_search(user=request.user, q=q,
                                                    exclude_activity=activity),
        "attendance_choices": Attendance.choices, "cancel_form": CancelForm(),
        "error": error,
    }, tab=TAB, status=status)


@officers_only
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_activity(request, _get(selectors.activity, user=request.user, pk=pk))


def _act(request: HttpRequest, pk: int, do) -> HttpResponse:
    """Run a change on an activity of the user's; a refusal is shown on the page (400)."""
    activity = _get(selectors.activity, user=request.user, pk=pk)
    try:
        message = do(activity)
    except services.ActivityError as exc:
        return _render_activity(request, activity, status=400, error=str(exc))
    if message:
        messages.success(request, message)
    return redirect("activities:detail", pk=activity.pk)


@officers_only
@require_POST
def activity_open(request: HttpRequest, pk: int) -> HttpResponse:
    def do(activity):
        services.activity_open(activity=activity, actor=request.user)
        return _("The activity is open for sign-up.")

    return _act(request, pk, do)


@officers_only
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    def do(activity):
        services.activity_cancel(activity=activity, reason=request.POST.get("reason", ""),
                                 actor=request.user)
        return _("The activity is cancelled.")

    return _act(request, pk, do)


@officers_only
@require_POST
def activity_signup(request: HttpRequest, pk: int) -> HttpResponse:
    def do(activity):
        try:
            volunteer = selectors.volunteer(user=request.user,
                                            pk=int(request.POST.get("volunteer", "")))
        except (ValueError, Volunteer.DoesNotExist):
            raise services.ActivityError(_("Choose a volunteer from the register of your "
                                           "grids.")) from None
        services.signup_create(activity=activity, volunteer=volunteer, actor=request.user)
        return _("%(name)s is signed up.") % {"name": volunteer.person.name}

    return _act(request, pk, do)


@officers_only
@require_POST
def activity_withdraw(request: HttpRequest, pk: int, signup: int) -> HttpResponse:
    def do(activity):
        row = activity.signups.select_related("volunteer__person").filter(pk=signup).first()
        if row is None:
            raise Http404
        services.signup_withdraw(signup=row, actor=request.user)
        return _("%(name)s is no longer signed up.") % {"name": row.volunteer.person.name}

    return _act(request, pk, do)


def _attendance_from(post, activity: Activity) -> tuple[dict[int, str], dict[int, Decimal]]:
    attendance: dict[int, str] = {}
    hours: dict[int, Decimal] = {}
    for signup in activity.signups.filter(withdrawn_at__isnull=True).only("pk"):
        value = post.get(f"att-{signup.pk}")
        if value:
            attendance[signup.pk] = value
        raw = (post.get(f"hours-{signup.pk}") or "").strip()
        if raw:
            try:
                hours[signup.pk] = Decimal(raw)
            except InvalidOperation:
                raise services.ActivityError(_("Hours are a number, e.g. 2 or 1.5.")) from None
    return attendance, hours


@officers_only
@require_POST
def activity_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the attendance, or save it and finish the activity, crediting the hours."""

    def do(activity):
        attendance, hours = _attendance_from(request.POST, activity)
        if request.POST.get("action") != "finish":
            services.attendance_record(activity=activity, attendance=attendance,
                                       actor=request.user)
            return _("The attendance is saved.")
        was_finished = activity.status == ActivityStatus.FINISHED
        _activity, credited = services.activity_finish(
            activity=activity, attendance=attendance, hours=hours, actor=request.user)
        if was_finished:
            return _("The activity was already finished; no hours were credited again.")
        return _("The activity is finished: %(hours)s hours credited.") % {"hours": credited}

    return _act(request, pk, do)


# --- the register and service records -----------------------------------------------------


@officers_only
@require_GET
def volunteer_list(request: HttpRequest) -> HttpResponse:
    """The register of volunteers and registered Party members with their hours, and the way
    to register a resident."""
    q = request.GET.get("q", "")
    kind = request.GET.get("kind", "")
    kind = kind if kind in VolunteerKind.values else ""
    rows = Paginator(selectors.volunteers(user=request.user, q=q, kind=kind), 50)
    find = request.GET.get("find", "")
    return render_console(request, "activities/volunteers.html", {
        "page": rows.get_page(request.GET.get("page")), "q": q, "kind": kind,
        "kinds": VolunteerKind.choices, "find": find,
        "people": selectors.people_to_register(user=request.user, q=find),
        "register_form": RegisterForm(),
    }, tab=TAB)


@officers_only
@require_POST
def volunteer_register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a resident and the kind of registration."))
        return redirect("activities:volunteers")
    data = form.cleaned_data
    person = Person.objects.for_user(request.user).filter(pk=data["person"]).first()
    if person is None:
        raise Http404
    party_org = None
    if data["kind"] == VolunteerKind.PARTY_MEMBER:
        party_org = PartyOrg.objects.filter(
            level=PartyOrgLevel.GENERAL_BRANCH,
            grid__code=person.micro_grid.code[:12]).first()
    try:
        volunteer = services.volunteer_register(person=person, kind=data["kind"],
                                                party_org=party_org,
                                                workplace=data["workplace"],
                                                actor=request.user)
    except services.ActivityError as exc:
        messages.error(request, str(exc))
        return redirect("activities:volunteers")
    messages.success(request, _("%(name)s is in the register.") % {"name": person.name})
    return redirect("activities:volunteer", pk=volunteer.pk)


@officers_only
@require_GET
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's service record (服务记录): the activities attended, hours per year."""
    volunteer = _get(selectors.volunteer, user=request.user, pk=pk)
    return render_console(request, "activities/volunteer_detail.html", {
        "volunteer": volunteer, "record": selectors.service_record(volunteer=volunteer),
    }, tab=TAB)


# --- co-built projects --------------------------------------------------------------------


@officers_only
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    return render_console(request, "activities/projects.html", {
        "projects": selectors.projects(user=request.user),
    }, tab=TAB)


@officers_only
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None,
                       communities=selectors.communities(user=request.user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = services.project_create(
                    community=data["community"], title=data["title"],
                    description=data["description"], status=data["status"],
                    started_on=data["started_on"], public=data["public"], actor=request.user)
            except services.ActivityError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The project “%(title)s” is created.")
                                 % {"title": project.title})
                return redirect("activities:project", pk=project.pk)
    return render_console(request, "activities/project_form.html", {"form": form}, tab=TAB,
                          status=status)


def _render_project(request: HttpRequest, project: Project, *, status: int = 200,
                    partner_form=None, milestone_form=None) -> HttpResponse:
    return render_console(request, "activities/project_detail.html", {
        "project": project,
        "units": selectors.partner_choices(user=request.user, project=project),
        "partner_form": partner_form or PartnerForm(),
        "milestone_form": milestone_form or MilestoneForm(),
    }, tab=TAB, status=status)


@officers_only
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_project(request, _get(selectors.project, user=request.user, pk=pk))


@officers_only
@require_POST
def project_partner_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get(selectors.project, user=request.user, pk=pk)
    form = PartnerForm(request.POST)
    if form.is_valid():
        units = {u.pk: u for u in selectors.partner_choices(user=request.user,
                                                            project=project)}
        unit = units.get(form.cleaned_data["organisation"])
        if unit is None:
            form.add_error("organisation", _("Choose a unit from the list."))
        else:
            try:
                services.partner_add(project=project, organisation=unit,
                                     role=form.cleaned_data["role"], actor=request.user)
            except services.ActivityError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(unit)s joins the project.") % {"unit": unit})
                return redirect("activities:project", pk=project.pk)
    return _render_project(request, project, status=400, partner_form=form)


@officers_only
@require_POST
def project_milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get(selectors.project, user=request.user, pk=pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.milestone_add(project=project, title=data["title"], due_on=data["due_on"],
                                   progress=data["progress"], note=data["note"],
                                   actor=request.user)
        except services.ActivityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The milestone is added."))
            return redirect("activities:project", pk=project.pk)
    return _render_project(request, project, status=400, milestone_form=form)


@officers_only
@require_POST
def milestone_progress(request: HttpRequest, pk: int, milestone: int) -> HttpResponse:
    project = _get(selectors.project, user=request.user, pk=pk)
    row = Milestone.objects.filter(project=project, pk=milestone).first()
    if row is None:
        raise Http404
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Progress is between 0 and 100 per cent."))
        return _render_project(request, project, status=400)
    services.milestone_update(milestone=row, progress=form.cleaned_data["progress"],
                              note=form.cleaned_data["note"], actor=request.user)
    messages.success(request, _("“%(title)s” is at %(progress)s%%.")
                     % {"title": row.title, "progress": form.cleaned_data["progress"]})
    return redirect("activities:project", pk=project.pk)


# --- the residents' site ------------------------------------------------------------------


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """Public activities to come, past ones with the hours served, public projects with
    their progress; no names."""
    finished = Paginator(selectors.public_finished(), 20)
    return render(request, "activities/public.html", {
        "upcoming": selectors.public_upcoming()[:50],
        "finished": finished.get_page(request.GET.get("page")),
        "projects": selectors.public_projects(),
        "figures": selectors.public_figures(),
    })
