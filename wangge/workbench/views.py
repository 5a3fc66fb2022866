"""Pages of the grid worker's phone workbench (`/m/`): my tasks, a case and its steps,
reporting a case, patrols and visits, the must-report items and my micro-grid's file.

Views are thin: selectors read (scoped, so another micro-grid's case is a 404), forms check
format, and every write goes through `cases.services` or `workbench.services`, the same
functions the API calls."""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.cases import selectors as case_selectors
from wangge.cases import services as case_services
from wangge.cases import triage
from wangge.cases.choices import Action, Source
from wangge.cases.models import Case, CasePhoto, Category
from wangge.cases.selectors import possible_duplicates
from wangge.cogovernance import selectors as cogovernance_selectors
from wangge.grids.choices import Tier
from wangge.grids.models import Grid
from wangge.registry import selectors as registry_selectors
from wangge.registry.models import Household
from wangge.workbench import selectors, services
from wangge.workbench.choices import FindingKind
from wangge.workbench.forms import (
    EndForm,
    FindingForm,
    PatrolStartForm,
    ReportForm,
    StepForm,
    VisitForm,
    parse_points,
)
from wangge.workbench.models import Finding, Patrol
from wangge.workforce.models import Worker

# How a worker came to know of what they report from the report page.
REPORT_SOURCES = (Source.PATROL, Source.VISIT, Source.WALK_IN)


@dataclass
class Bench:
    """Who is at the workbench: the worker and the grids they serve (micro-grids first)."""

    worker: Worker
    grids: list[Grid]

    @property
    def micro_grids(self) -> list[Grid]:
        return [g for g in self.grids if g.tier == Tier.MICRO_GRID]

    @property
    def home(self) -> Grid:
        return self.grids[0]


def workbench(view):
    """Login required, and a worker record with a current assignment: anyone else gets a
    page that says what is missing and whom to ask."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        worker = selectors.current_worker(request.user)
        grids = selectors.my_grids(worker=worker) if worker else []
        if worker is None or not grids:
            return render(request, "workbench/no_worker.html", {"worker": worker}, status=403)
        request.bench = Bench(worker, grids)
        return view(request, *args, **kwargs)

    return wrapper


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _map_config(grids: list[Grid], **extra) -> dict:
    return {"tileUrl": settings.WANGGE_MAP_TILE_URL,
            "tileAttribution": settings.WANGGE_MAP_TILE_ATTRIBUTION,
            "grids": [g.code for g in grids if g.tier == Tier.MICRO_GRID][:4],
            **extra}


# --- my tasks ---------------------------------------------------------------------------------


@require_GET
@workbench
def tasks(request):
    """My tasks: overdue, near the deadline, and the rest, each with its one-tap steps."""
    bench = request.bench
    now = timezone.now()
    my = selectors.my_tasks(user=request.user, worker=bench.worker, now=now)

    def cards(cases: list[Case]) -> list[dict]:
        return [{"case": c, "actions": [(a, Action(a).label) for a in
                                        selectors.allowed_actions(case=c, user=request.user)]}
                for c in cases]

    return render(request, "workbench/tasks.html", {
        "bench": bench, "tasks": my, "now": now, "tab": "tasks",
        "follow_ups": list(cogovernance_selectors.my_follow_ups(user=request.user)),
        "sections": [
            ("overdue", _("Overdue"), cards(my.overdue)),
            ("near-deadline", _("Near the deadline"), cards(my.near_deadline)),
            ("to-do", _("To do"), cards(my.to_do)),
        ],
    })


# --- one case ---------------------------------------------------------------------------------


def _render_case(request, code: str, *, bound: StepForm | None = None, error: str = "",
                 status: int = 200):
    try:
        case = case_selectors.case_get(user=request.user, code=code)
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    allowed = selectors.allowed_actions(case=case, user=request.user)
    step_forms = []
    for action in allowed:
        if bound is not None and bound.action == action:
            form = bound
        else:
            form = StepForm(action=action, initial={"version": case.version})
        step_forms.append((action, Action(action).label, form))
    return render(request, "workbench/case_detail.html", {
        "bench": request.bench, "case": case, "step_forms": step_forms,
        "open_action": bound.action if bound is not None else request.GET.get("do", ""),
        "error": error, "duplicates": case_selectors.case_duplicates(case=case, user=request.user),
        "steps": case.steps.all(), "tab": "tasks",
        "report_photos": [p for p in case.photos.all() if p.stage == CasePhoto.Stage.REPORT],
        "result_photos": [p for p in case.photos.all() if p.stage == CasePhoto.Stage.RESULT],
    }, status=status)


@require_GET
@workbench
def case_detail(request, code: str):
    """A case with its timeline, the three lists, photos and the steps open to me."""
    return _render_case(request, code)


@require_POST
@workbench
def case_act(request, code: str, action: str):
    """Take one step on a case (through `cases.services.case_act`, with the version the
    page showed, so that a step on a case that changed meanwhile is refused)."""
    action = action.replace("-", "_")
    if action not in selectors.WORKBENCH_ACTIONS:
        raise Http404
    try:
        case = case_selectors.case_scoped(user=request.user, code=code)
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    form = StepForm(request.POST, request.FILES, action=action)
    if not form.is_valid():
        return _render_case(request, case.tracking_code, bound=form, status=400)
    try:
        case_services.case_act(case=case.pk, action=action, actor=request.user,
                               **form.params())
    except case_services.CaseConflict as exc:
        return _render_case(request, case.tracking_code, status=409, error=str(exc))
    except case_services.CasePermissionDenied as exc:
        return _render_case(request, case.tracking_code, status=403, error=str(exc))
    except case_services.CaseError as exc:
        form.add_error(None, str(exc))
        return _render_case(request, case.tracking_code, bound=form, status=400)
    messages.success(request, _("Done: %(action)s, case %(code)s.")
                     % {"action": Action(action).label, "code": case.tracking_code})
    return redirect(_safe_next(request, reverse("workbench:case", args=[case.tracking_code])))


@require_GET
@workbench
def case_photo(request, code: str, pk: int):
    """A photo of a case the user may see (photos are not public files)."""
    try:
        case = case_selectors.case_scoped(user=request.user, code=code)
        photo = case.photos.get(pk=pk)
    except (Case.DoesNotExist, CasePhoto.DoesNotExist) as exc:
        raise Http404 from exc
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    kind = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=kind)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- report a case ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@workbench
def report(request):
    """Report a case: category, description, photos, and where (my position, a pin on the
    map, or a building)."""
    bench = request.bench
    source = request.POST.get("source") or request.GET.get("source") or Source.PATROL
    if source not in REPORT_SOURCES:
        source = Source.PATROL
    photos_lost = False
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, user=request.user, grids=bench.grids)
        if form.is_valid():
            data = form.cleaned_data
            place = ({"lon": data["lon"], "lat": data["lat"]} if data["lon"] is not None
                     else {"building": data["building"]})
            try:
                case = case_services.case_report(
                    source=source, category=data["category"], title=data["title"],
                    description=data["description"], urgency=data["urgency"],
                    address=data["address"], photos=data["photos"], actor=request.user,
                    **place)
            except case_services.CaseError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Reported. Tracking code %(code)s.")
                                 % {"code": case.tracking_code})
                return redirect("workbench:case", code=case.tracking_code)
        photos_lost = bool(request.FILES.getlist("photos"))
        status = 400
    else:
        initial = {}
        code = request.GET.get("category", "")
        if Category.objects.filter(code=code, active=True, parent__isnull=False).exists():
            initial["category"] = code
        if request.GET.get("text"):
            initial["description"] = request.GET["text"][:4000]
        form = ReportForm(initial=initial, user=request.user, grids=bench.grids)
        status = 200
    return render(request, "workbench/report.html", {
        "bench": bench, "form": form, "tab": "report", "photos_lost": photos_lost,
        "source": source, "sources": [(s, Source(s).label) for s in REPORT_SOURCES],
        "map_config": _map_config(bench.grids, text={
            "outside": _("This place is not in any micro-grid of this street."),
            "noGeo": _("This phone cannot give its position: place the pin on the map or "
                       "choose a building."),
            "denied": _("The position was refused or not found: allow location for this "
                        "site, or place the pin on the map."),
            "located": _("Position set"),
        }),
    }, status=status)


@require_GET
@workbench
def report_duplicates(request):
    """While the report is being written: the categories its words suggest (cases.triage;
    the worker picks), and cases reported near the same place lately, of the same category
    or with similar words, so that the same matter is not reported twice."""
    category = Category.objects.filter(code=request.GET.get("category", ""),
                                       active=True).first()
    text = request.GET.get("description", "")[:4000].strip()
    suggestion = triage.suggest(text, duplicates=False) if text else None
    found = []
    if category is not None or text:
        lon, lat = _float(request.GET.get("lon")), _float(request.GET.get("lat"))
        grid_code = ""
        if lon is None or lat is None:
            lon = lat = None
            building = selectors.buildings(user=request.user, grids=request.bench.grids) \
                .filter(pk=_int(request.GET.get("building"))).first()
            if building is not None:
                grid_code = building.micro_grid.code
        if lon is not None or grid_code:
            found = possible_duplicates(category=category, lon=lon, lat=lat,
                                        grid_code=grid_code, user=request.user, text=text)
    return render(request, "workbench/_duplicates.html", {
        "duplicates": found, "suggestion": suggestion,
        "chosen": category.code if category else ""})


def _float(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- patrols and visits -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@workbench
def patrols(request):
    """My patrols and visits; start a new one."""
    bench = request.bench
    form = PatrolStartForm(request.POST or None, grids=bench.micro_grids)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                patrol = services.patrol_start(actor=request.user,
                                               micro_grid=form.cleaned_data["micro_grid"],
                                               kind=form.cleaned_data["kind"])
            except services.PatrolError as exc:
                error = str(exc)
            else:
                return redirect("workbench:patrol", pk=patrol.pk)
        status = 400
    mine = selectors.my_patrols(user=request.user)
    return render(request, "workbench/patrols.html", {
        "bench": bench, "form": form, "error": error, "tab": "patrols",
        "running": mine.running().first(), "patrols": mine[:30],
    }, status=status)


def _patrol(request, pk: int) -> Patrol:
    try:
        return selectors.patrol_get(user=request.user, pk=pk)
    except Patrol.DoesNotExist as exc:
        raise Http404 from exc


def _render_patrol(request, patrol: Patrol, *, finding_form: FindingForm | None = None,
                   end_form: EndForm | None = None, error: str = "", status: int = 200):
    return render(request, "workbench/patrol_detail.html", {
        "bench": request.bench, "patrol": patrol, "tab": "patrols", "error": error,
        "finding_form": finding_form or FindingForm(initial={"turn": FindingKind.CASE}),
        "end_form": end_form or EndForm(),
        "households": selectors.households(user=request.user, micro_grid=patrol.micro_grid),
        "visited": {v.household_id for v in patrol.visits.all()},
        "map_config": _map_config([patrol.micro_grid], route=patrol.route,
                                  running=patrol.running,
                                  pointsUrl=reverse("workbench:patrol-points",
                                                    args=[patrol.pk]),
                                  text={"recording": _("Recording the route"),
                                        "paused": _("No position: allow location for this "
                                                    "site to record the route."),
                                        "points": _("points"),
                                        "unsent": _("waiting to be sent")}),
    }, status=status)


@require_GET
@workbench
def patrol_detail(request, pk: int):
    """A patrol: its route being recorded, households visited, findings, and its end."""
    return _render_patrol(request, _patrol(request, pk))


@require_POST
@workbench
def patrol_points(request, pk: int):
    """Points the phone recorded, posted as JSON; answers how many were kept."""
    patrol = selectors.my_patrols(user=request.user).filter(pk=pk).first()
    if patrol is None:
        raise Http404
    try:
        points = parse_points(json.loads(request.body or b"{}"))
    except (ValueError, ValidationError):
        return HttpResponseBadRequest(_("Send the points as JSON."))
    try:
        added = services.patrol_add_points(patrol=patrol, actor=request.user, points=points)
    except services.PatrolError as exc:
        return JsonResponse({"detail": str(exc)}, status=409)
    return JsonResponse({"added": added, "total": len(patrol.route)})


@require_GET
@workbench
def patrol_households(request, pk: int):
    """Households of the patrol's micro-grid matching a search (an htmx fragment)."""
    patrol = _patrol(request, pk)
    return render(request, "workbench/_households.html", {
        "patrol": patrol, "visited": {v.household_id for v in patrol.visits.all()},
        "households": selectors.households(user=request.user, micro_grid=patrol.micro_grid,
                                           query=request.GET.get("q", "")),
    })


def _household(request, patrol: Patrol, pk) -> Household:
    try:
        return selectors.household_get(user=request.user, micro_grid=patrol.micro_grid, pk=pk)
    except Household.DoesNotExist as exc:
        raise Http404 from exc


@require_POST
@workbench
def patrol_visit(request, pk: int):
    """Record a household as visited."""
    patrol = _patrol(request, pk)
    form = VisitForm(request.POST)
    if not form.is_valid():
        return _render_patrol(request, patrol, status=400,
                              error=_("Choose a household from the list."))
    household = _household(request, patrol, form.cleaned_data["household"])
    try:
        services.patrol_visit_household(patrol=patrol, actor=request.user, household=household,
                                        note=form.cleaned_data["note"])
    except services.PatrolError as exc:
        return _render_patrol(request, patrol, status=409, error=str(exc))
    if _is_htmx(request):
        patrol = _patrol(request, pk)
        return render(request, "workbench/_visits.html", {"patrol": patrol})
    messages.success(request, _("Visit to %(place)s recorded.") % {"place": household.house})
    return redirect("workbench:patrol", pk=patrol.pk)


@require_POST
@workbench
def patrol_finding(request, pk: int):
    """A finding, turned in one step into a case or a registry note."""
    patrol = _patrol(request, pk)
    form = FindingForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_patrol(request, patrol, finding_form=form, status=400)
    data = form.cleaned_data
    household = _household(request, patrol, data["household"]) if data["household"] else None
    try:
        if data["turn"] == FindingKind.CASE:
            finding = services.patrol_finding_to_case(
                patrol=patrol, actor=request.user, text=data["text"],
                category=data["category"], household=household, lon=data["lon"],
                lat=data["lat"], photos=data["photos"])
            messages.success(request, _("Reported as case %(code)s.")
                             % {"code": finding.case.tracking_code})
        else:
            services.patrol_finding_to_registry_note(
                patrol=patrol, actor=request.user, text=data["text"], household=household)
            messages.success(request, _("Noted: the record of %(place)s needs updating.")
                             % {"place": household.house})
    except (services.PatrolError, case_services.CaseError) as exc:
        form.add_error(None, str(exc))
        return _render_patrol(request, patrol, finding_form=form, status=400)
    return redirect("workbench:patrol", pk=patrol.pk)


@require_POST
@workbench
def patrol_end(request, pk: int):
    patrol = _patrol(request, pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        return _render_patrol(request, patrol, end_form=form, status=400)
    try:
        services.patrol_end(patrol=patrol, actor=request.user, note=form.cleaned_data["note"])
    except services.PatrolError as exc:
        return _render_patrol(request, patrol, end_form=form, status=409, error=str(exc))
    messages.success(request, _("The patrol has ended."))
    return redirect("workbench:patrols")


# --- must-report items ------------------------------------------------------------------------


@require_GET
@workbench
def must_report(request):
    """The must-report items (八必报) with a "report now" for each, and my work items."""
    bench = request.bench
    return render(request, "workbench/must_report.html", {
        "bench": bench, "tab": "must-report", "items": selectors.must_report_items(),
        "work_items": selectors.my_work_items(worker=bench.worker),
    })


# --- my micro-grid ----------------------------------------------------------------------------


@require_GET
@workbench
def grid(request):
    """My micro-grid's file: its figures, its people (masked) and the open registry notes."""
    bench = request.bench
    chosen = next((g for g in bench.grids if g.code == request.GET.get("grid")), bench.home)
    gf = registry_selectors.grid_file(grid=chosen)
    query = request.GET.get("q", "").strip()
    page = Paginator(selectors.grid_people(user=request.user, grid=chosen, query=query),
                     30).get_page(request.GET.get("page"))
    figures = gf.figures
    age_max = max(figures.by_age_band.values(), default=0) or 1
    return render(request, "workbench/grid.html", {
        "bench": bench, "tab": "grid", "grid": chosen, "gf": gf, "figures": figures,
        "ages": [(band, n, round(100 * n / age_max)) for band, n in
                 figures.by_age_band.items()],
        "care_groups": [(g, figures.by_care_group.get(g.code, 0)) for g in gf.care_groups
                        if not g.sensitive],
        "page": page, "rows": selectors.person_rows(page), "query": query,
        "notes": selectors.registry_notes(user=request.user, grid=chosen)[:50],
    })


@require_POST
@workbench
def finding_resolve(request, pk: int):
    """Mark a registry note done once the record is updated."""
    finding = Finding.objects.filter(pk=pk, kind=FindingKind.REGISTRY).first()
    if finding is None or not Household.objects.for_user(request.user).filter(
            pk=finding.household_id).exists():
        raise Http404
    try:
        services.finding_resolve(finding=finding, actor=request.user)
    except services.PatrolError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Marked as updated."))
    return redirect(_safe_next(request, reverse("workbench:grid")))
