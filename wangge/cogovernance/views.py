"""Co-governance pages: the console's (`/console/cogovernance/`: committees, meetings, holding
a meeting, follow-up tasks) for community officers and street staff, and the residents'
published minutes (`/minutes/`). Grid workers see their own tasks on the workbench (`/m/`)
and complete them here (`task_done`).

Views are thin: selectors read from the scoped querysets (another community's meeting is a
404), forms check format, and every write goes through `cogovernance.services`."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.cogovernance import selectors, services
from wangge.cogovernance.choices import MeetingKind, MeetingStatus, TaskStatus
from wangge.cogovernance.forms import HoldForm, MeetingForm, TaskDoneForm
from wangge.cogovernance.models import Committee, FollowUpTask, Meeting
from wangge.console.views import render_console

TAB = "cogovernance"


def desk(view):
    """Community officers and street staff only: anyone else finds no such page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.is_desk_user(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _meeting(request, pk: int) -> Meeting:
    try:
        return selectors.meeting_get(user=request.user, pk=pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc


# --- console -------------------------------------------------------------------------------------


@require_GET
@desk
def meetings(request: HttpRequest) -> HttpResponse:
    """Committees and meetings of the user's community (or street), newest first."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in MeetingKind.values else ""
    page = Paginator(selectors.meetings(user=request.user, kind=kind), 30).get_page(
        request.GET.get("page"))
    overdue = selectors.tasks(user=request.user, overdue=True).count()
    return render_console(request, "cogovernance/meetings.html", {
        "committees": selectors.committees(user=request.user), "page": page, "kind": kind,
        "kinds": MeetingKind.choices, "overdue": overdue}, tab=TAB)


@require_GET
@desk
def committee(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found = selectors.committee_get(user=request.user, pk=pk)
    except Committee.DoesNotExist as exc:
        raise Http404 from exc
    return render_console(request, "cogovernance/committee.html", {
        "committee": found, "members": selectors.current_members(found),
        "former": [m for m in found.members.all() if m.left_on],
        "meetings": selectors.meetings(user=request.user).filter(committee=found)[:12]},
        tab=TAB)


@require_http_methods(["GET", "POST"])
@desk
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None, user=request.user,
                       initial={"kind": MeetingKind.ROUND_TABLE})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                kind=data["kind"], grid=data["grid"] or data["committee"].grid,
                committee=data["committee"], title=data["title"], held_at=data["held_at"],
                place=data["place"], agenda=data["agenda"], actor=request.user)
        except services.CogovernanceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Meeting planned."))
            return redirect("cogovernance:meeting", pk=meeting.pk)
    return render_console(request, "cogovernance/meeting_new.html", {"form": form}, tab=TAB,
                          status=400 if form.errors else 200)


def _render_meeting(request, meeting: Meeting, *, form: HoldForm | None = None,
                    status: int = 200) -> HttpResponse:
    may_manage = selectors.may_manage(user=request.user, grid=meeting.grid)
    if form is None and meeting.status == MeetingStatus.PLANNED and may_manage:
        form = HoldForm(meeting=meeting)
    return render_console(request, "cogovernance/meeting_detail.html", {
        "meeting": meeting, "form": form, "may_manage": may_manage,
        "attendance": selectors.attendance_summary(meeting)}, tab=TAB, status=status)


@require_GET
@desk
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_meeting(request, _meeting(request, pk))


@require_POST
@desk
def meeting_hold(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the meeting: attendance, minutes, decisions and their tasks, publication."""
    meeting = _meeting(request, pk)
    form = HoldForm(request.POST, meeting=meeting)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_hold(
                meeting=meeting, actor=request.user, minutes=data["minutes"],
                attendance=data["attendance"], decisions=data["decisions"],
                public=data["public"], case_decisions=data["case_decisions"])
        except services.CogovernanceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The meeting is recorded; its tasks are in the "
                                        "assignees' lists."))
            return redirect("cogovernance:meeting", pk=meeting.pk)
    return _render_meeting(request, meeting, form=form, status=400)


@require_POST
@desk
def meeting_publish(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    public = request.POST.get("public") == "1"
    try:
        services.meeting_publish(meeting=meeting, actor=request.user, public=public)
    except services.CogovernanceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The minutes are published.") if public
                         else _("The minutes are no longer public."))
    return redirect("cogovernance:meeting", pk=meeting.pk)


@require_GET
@desk
def tasks(request: HttpRequest) -> HttpResponse:
    """Follow-up tasks with their status; overdue ones first when asked."""
    status = request.GET.get("status", "")
    status = status if status in TaskStatus.values else ""
    overdue = request.GET.get("overdue") == "1"
    page = Paginator(selectors.tasks(user=request.user, status=status, overdue=overdue)
                     .order_by("-overdue", "status", "due_on", "id"), 50).get_page(
        request.GET.get("page"))
    return render_console(request, "cogovernance/tasks.html", {
        "page": page, "status": status, "overdue": overdue,
        "statuses": TaskStatus.choices}, tab=TAB)


@require_POST
@login_required
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete a task with a result note: its assignee (from the phone) or an officer."""
    try:
        task = selectors.task_get(user=request.user, pk=pk)
    except FollowUpTask.DoesNotExist as exc:
        raise Http404 from exc
    form = TaskDoneForm(request.POST)
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("cogovernance:tasks")
    if not form.is_valid():
        messages.error(request, _("Say what was done."))
        return redirect(target)
    try:
        services.task_complete(task=task, actor=request.user,
                               result=form.cleaned_data["result"])
    except services.CogovernancePermissionDenied as exc:
        raise Http404 from exc
    except services.CogovernanceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Task done: %(title)s") % {"title": task.title})
    return redirect(target)


# --- the residents' site -------------------------------------------------------------------------


@require_GET
def minutes(request: HttpRequest) -> HttpResponse:
    """Published meetings: what was discussed and decided, and how the tasks are going."""
    page = Paginator(selectors.public_meetings(), 20).get_page(request.GET.get("page"))
    return render(request, "cogovernance/minutes.html", {"page": page})


@require_GET
def minutes_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        meeting = selectors.public_meeting_get(pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "cogovernance/minutes_detail.html", {
        "meeting": meeting, "attendance": selectors.attendance_summary(meeting)})
