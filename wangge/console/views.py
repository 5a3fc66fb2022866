"""Pages of the cadres' console (`/console/`, 指挥台): the case board with bulk dispatch, a
case with its timeline and steps, the map of the user's part of the street, grid levels with
the reason for each change, the workforce and Party organisation, and the way to the
registry and ledgers.

Views are thin: selectors read from the scoped querysets (a case outside the user's grids is
a 404, an account with no grids sees an empty state), forms check format and keep what was
typed, and every write goes through `cases.services.case_act` or
`grids.services.grid_set_level`, the functions the API calls."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.cases import selectors as case_selectors
from wangge.cases import services as case_services
from wangge.cases.choices import Action
from wangge.cases.lists import lists_top_code
from wangge.cases.models import Case, CasePhoto
from wangge.console import selectors, services
from wangge.console.forms import (
    BoardFilterForm,
    DispatchForm,
    LevelFilterForm,
    LevelForm,
    MapFilterForm,
    StepForm,
    parse_selection,
)
from wangge.core.validators import mask_phone
from wangge.grids import services as grid_services
from wangge.grids.choices import LEVEL_COLOURS
from wangge.grids.choices import Level as GridLevel
from wangge.grids.models import Grid
from wangge.grids.selectors import grid_level_history
from wangge.registry.choices import FacilityCondition

# Colours of a facility's condition on the map (a damaged or missing one stands out).
CONDITION_COLOURS = {
    FacilityCondition.GOOD: "#2e7d32",
    FacilityCondition.UNDER_REPAIR: "#e6a100",
    FacilityCondition.DAMAGED: "#d84315",
    FacilityCondition.MISSING: "#6a1b9a",
}


def _url_or(name: str, fallback: str, *args) -> str:
    """The URL of a page another part of the project provides, or its known path while
    that part is not mounted yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def lists_url(code: str) -> str:
    """The printable three lists of a grid node (三单合一)."""
    return _url_or("cases:lists", f"/cases/lists/{code}/", code)


def _is_htmx(request: HttpRequest) -> bool:
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def render_console(request: HttpRequest, template: str, context: dict, *, tab: str,
                   status: int = 200) -> HttpResponse:
    """Render a page of the console (a template extending `console/base.html`) with what
    its navigation needs; `tab` marks the current item (board, map, dashboard, registry,
    workforce, levels)."""
    top = lists_top_code(user=request.user)
    context = {
        "tab": tab,
        "has_scope": selectors.has_scope(request.user),
        "dashboard_url": _url_or("console:dashboard", "/console/dashboard"),
        "top_lists_url": lists_url(top) if top else "",
        **context,
    }
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _no_scope(request: HttpRequest, template: str, tab: str) -> HttpResponse:
    return render_console(request, template, {}, tab=tab)


# --- the case board -------------------------------------------------------------------------


def _board_context(request: HttpRequest, params: QueryDict) -> dict:
    form = BoardFilterForm(params, user=request.user)
    form.is_valid()
    cases = selectors.board_cases(user=request.user, params=form.case_filter_params(),
                                  sort=form.ordering())
    page = Paginator(cases, selectors.BOARD_PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return {"form": form, "page": page, "rows": selectors.board_rows(page.object_list),
            "query": query.urlencode(), "now": timezone.now()}


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """The case board (案件): the user's cases, filtered and paginated, with bulk dispatch.
    A filter change asks for the table alone (htmx) and puts the filters in the address."""
    if not selectors.has_scope(request.user):
        return _no_scope(request, "console/board.html", "board")
    context = _board_context(request, request.GET)
    if _is_htmx(request):
        return render_console(request, "console/_board_results.html", context, tab="board")
    context["dispatch_form"] = DispatchForm(user=request.user)
    return render_console(request, "console/board.html", context, tab="board")


@login_required
@require_POST
def board_dispatch(request: HttpRequest) -> HttpResponse:
    """Dispatch the ticked cases (批量派遣), each with the version the board showed; says
    for every case whether it was dispatched, and if not, why."""
    if not selectors.has_scope(request.user):
        return _no_scope(request, "console/board.html", "board")
    form = DispatchForm(request.POST, user=request.user)
    items = parse_selection(request.POST.getlist("case"))
    outcomes = None
    selection_error = "" if items else _("Tick the cases to dispatch in the table first.")
    status = 400
    if form.is_valid() and items:
        data = form.cleaned_data
        outcomes = services.cases_dispatch(
            user=request.user, items=items, handler=data.get("handler"),
            handling_unit=data.get("handling_unit", "").strip(), plan=data["plan"],
            participants=data.get("participants", ""))
        status = 200
        if all(o.ok for o in outcomes):
            form = DispatchForm(user=request.user)
    context = _board_context(request, QueryDict(request.POST.get("query", "")))
    context.update(dispatch_form=form, outcomes=outcomes, selection_error=selection_error,
                   dispatched=sum(1 for o in outcomes or [] if o.ok),
                   failed=[o for o in outcomes or [] if not o.ok])
    template = "console/_board_body.html" if _is_htmx(request) else "console/board.html"
    return render_console(request, template, context, tab="board", status=status)


# --- one case ---------------------------------------------------------------------------------


def _render_case(request: HttpRequest, code: str, *, bound: StepForm | None = None,
                 error: str = "", conflict: bool = False, status: int = 200) -> HttpResponse:
    try:
        case = case_selectors.case_get(user=request.user, code=code)
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    step_forms = []
    for action in selectors.allowed_actions(case=case, user=request.user):
        if bound is not None and bound.action == action:
            form = bound
        else:
            form = StepForm(action=action, user=request.user,
                            initial={"version": case.version})
        step_forms.append((action, Action(action).label, form))
    if bound is not None and bound.action not in {a for a, _l, _f in step_forms}:
        # The step is no longer open (the case moved): say so, with what was typed.
        step_forms.insert(0, (bound.action, Action(bound.action).label, bound))
    photos = list(case.photos.all())
    steps = list(case.steps.all())
    return render_console(request, "console/case_detail.html", {
        "case": case, "step_forms": step_forms, "error": error, "conflict": conflict,
        "open_action": bound.action if bound is not None else request.GET.get("do", ""),
        "reporter_phone": mask_phone(case.reporter_phone),
        "duplicates": case_selectors.case_duplicates(case=case, user=request.user),
        "steps": steps, "last_step": steps[-1] if steps else None,
        "time_left": selectors.time_left(case, timezone.now()),
        "report_photos": [p for p in photos if p.stage == CasePhoto.Stage.REPORT],
        "result_photos": [p for p in photos if p.stage == CasePhoto.Stage.RESULT],
        "lists_url": lists_url(case.grid.code),
        "direct_line_item": selectors.open_direct_line_item(case),
    }, tab="board", status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A case: its facts, the three lists so far, photos, possible duplicates, the
    timeline, and a form for each step the user may take now."""
    return _render_case(request, code)


@login_required
@require_POST
def case_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Take one step on a case through `cases.services.case_act`, with the version the page
    showed: if the case moved meanwhile, the page says so and shows it as it is now."""
    action = action.replace("-", "_")
    if action not in selectors.CONSOLE_ACTIONS:
        raise Http404
    try:
        case = case_selectors.case_scoped(user=request.user, code=code)
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    form = StepForm(request.POST, request.FILES, action=action, user=request.user)
    if not form.is_valid():
        return _render_case(request, case.tracking_code, bound=form, status=400)
    try:
        case_services.case_act(case=case.pk, action=action, actor=request.user,
                               **form.params())
    except case_services.CaseConflict as exc:
        return _render_case(request, case.tracking_code, error=str(exc), conflict=True,
                            status=409)
    except case_services.CasePermissionDenied as exc:
        return _render_case(request, case.tracking_code, error=str(exc), status=403)
    except case_services.CaseError as exc:
        form.add_error(None, str(exc))
        return _render_case(request, case.tracking_code, bound=form, status=400)
    messages.success(request, _("Done: %(action)s, case %(code)s.")
                     % {"action": Action(action).label, "code": case.tracking_code})
    return redirect("console:case", code=case.tracking_code)


@login_required
@require_GET
def case_photo(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """A photo of a case the user may see (case photos are not public files)."""
    try:
        case = case_selectors.case_scoped(user=request.user, code=code)
        photo = case.photos.get(pk=pk)
        handle = photo.image.open("rb")
    except (Case.DoesNotExist, CasePhoto.DoesNotExist, FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    kind = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=kind)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- the map ----------------------------------------------------------------------------------


@login_required
@require_GET
def map_view(request: HttpRequest) -> HttpResponse:
    """The map of the user's part of the street: micro-grids by level, cases as points and
    as heat, buildings, facilities by condition, and each micro-grid's leader."""
    if not selectors.has_scope(request.user):
        return _no_scope(request, "console/map.html", "map")
    prefixes = [g.code for g in selectors.scope_tops(user=request.user)]
    levels = [{"value": v, "label": str(label), "colour": LEVEL_COLOURS[v]}
              for v, label in GridLevel.choices]
    conditions = [{"value": v, "label": str(label), "colour": CONDITION_COLOURS[v]}
                  for v, label in FacilityCondition.choices]
    return render_console(request, "console/map.html", {
        "levels": levels, "conditions": conditions, "filter": MapFilterForm(),
        "map_config": {
            "tileUrl": settings.WANGGE_MAP_TILE_URL,
            "tileAttribution": settings.WANGGE_MAP_TILE_ATTRIBUTION,
            "prefixes": prefixes,
            "levels": levels,
            "conditions": conditions,
            "urls": {
                "features": "/api/grids/features",
                "cases": reverse("console:map-cases"),
                "grids": reverse("console:map-grids"),
                "buildings": reverse("console:map-buildings"),
                "facilities": reverse("console:map-facilities"),
                "case": reverse("console:case", args=["CODE"]),
                "gridFile": reverse("registry:grid-file", args=["CODE"]),
                "board": reverse("console:board") + "?grid=CODE",
                "publicBoard": reverse("board", args=["CODE"]),
            },
            "text": {
                "microGrids": _("Micro-grids by level"),
                "cases": _("Cases"),
                "heat": _("Cases as heat"),
                "buildings": pgettext("map layer", "Buildings"),
                "facilities": pgettext("map layer", "Facilities"),
                "staff": _("Grid leaders"),
                "failed": _("The map data could not be loaded. Reload the page; if it "
                            "persists, tell the system administrator."),
                "loaded": _("micro-grids shown"),
                "casesShown": _("cases shown"),
                "truncated": _("only the latest are shown: narrow the dates"),
                "openCases": _("Open cases"),
                "leader": _("Grid leader"),
                "noLeader": _("no grid leader"),
                "staffCount": _("Team"),
                "gridFile": _("Grid file"),
                "boardLink": _("Cases here"),
                "publicBoard": _("Public board"),
                "overdue": _("overdue"),
                "condition": _("condition"),
            },
        },
    }, tab="map")


def _json(payload: dict) -> JsonResponse:
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def map_cases(request: HttpRequest) -> JsonResponse:
    """The user's cases as points: open by default, `state=closed|all`, `reported_from`,
    `reported_to`. Nothing about the reporter."""
    form = MapFilterForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    data = form.cleaned_data
    points, truncated = selectors.map_cases(
        user=request.user, state=data.get("state") or "open",
        date_from=data.get("reported_from"), date_to=data.get("reported_to"))
    return _json({"cases": points, "count": len(points), "truncated": truncated})


@login_required
@require_GET
def map_grids(request: HttpRequest) -> JsonResponse:
    """The user's micro-grids: level, open cases, grid leader, team size, a label point, and
    the latest level change (why and when; one more query for all of them)."""
    from django.db.models import OuterRef, Subquery

    from wangge.core.scope import restrict
    from wangge.grids.models import GridLevelChange

    rows = selectors.map_micro_grids(user=request.user)
    latest = GridLevelChange.objects.filter(grid=OuterRef("pk")).order_by("-changed_at", "-id")
    changes = {code: (reason, at) for code, reason, at in
               restrict(Grid.objects.micro_grids(), request.user, "code", distinct=False)
               .annotate(reason=Subquery(latest.values("reason")[:1]),
                         at=Subquery(latest.values("changed_at")[:1]))
               .values_list("code", "reason", "at")}
    for row in rows:
        reason, at = changes.get(row["code"], (None, None))
        row["level_reason"] = reason or ""
        row["level_changed_at"] = timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""
    return _json({"grids": rows, "text": {"levelReason": _("Why this level")}})


@login_required
@require_GET
def map_buildings(request: HttpRequest) -> JsonResponse:
    return _json({"buildings": selectors.map_buildings(user=request.user)})


@login_required
@require_GET
def map_facilities(request: HttpRequest) -> JsonResponse:
    return _json({"facilities": selectors.map_facilities(user=request.user)})


# --- grid levels ------------------------------------------------------------------------------


@login_required
@require_GET
def levels(request: HttpRequest) -> HttpResponse:
    """Micro-grids by level (绿黄红牌), filterable, and the latest changes with their
    reasons."""
    if not selectors.has_scope(request.user):
        return _no_scope(request, "console/levels.html", "levels")
    form = LevelFilterForm(request.GET)
    level = form.cleaned_data.get("level", "") if form.is_valid() else ""
    grids = Paginator(selectors.level_grids(user=request.user, level=level), 100) \
        .get_page(request.GET.get("page"))
    counts = selectors.level_counts(user=request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render_console(request, "console/levels.html", {
        "form": form, "page": grids, "query": query.urlencode(),
        "counts": [{"value": v, "label": label, "count": counts.get(v, 0)}
                   for v, label in GridLevel.choices],
        "changes": selectors.level_changes(user=request.user)[:30],
    }, tab="levels")


@login_required
@require_http_methods(["GET", "POST"])
def level_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One micro-grid's level and its history, and the form to change it with a reason
    (through `grids.services.grid_set_level`; community officers and above)."""
    try:
        grid = selectors.level_grid(user=request.user, code=code)
    except Grid.DoesNotExist as exc:
        raise Http404 from exc
    may_change = selectors.can_set_level(user=request.user, grid=grid)
    status = 200
    if request.method == "POST":
        form = LevelForm(request.POST)
        if not may_change:
            form.is_valid()
            form.add_error(None, _("Only community officers and above change a micro-grid's "
                                   "level; ask your community."))
            status = 403
        elif form.is_valid():
            try:
                change = grid_services.grid_set_level(
                    grid=grid, level=form.cleaned_data["level"], actor=request.user,
                    reason=form.cleaned_data["reason"])
            except grid_services.GridChangeError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                if change is None:
                    messages.info(request, _("The level is unchanged: %(grid)s is already "
                                             "“%(level)s”.")
                                  % {"grid": grid.name, "level": grid.get_level_display()})
                else:
                    messages.success(request, _("%(grid)s is now “%(level)s”.")
                                     % {"grid": grid.name, "level": grid.get_level_display()})
                return redirect("console:level", code=grid.code)
        else:
            status = 400
    else:
        form = LevelForm(initial={"level": grid.level})
    return render_console(request, "console/level_detail.html", {
        "grid": grid, "form": form, "may_change": may_change,
        "history": grid_level_history(grid=grid),
        "colours": LEVEL_COLOURS,
    }, tab="levels", status=status)


# --- the workforce ----------------------------------------------------------------------------


@login_required
@require_GET
def workforce(request: HttpRequest, code: str = "") -> HttpResponse:
    """Who serves a node of the user's part of the tree, each child node's team in a line,
    the Party organisation (四位一体), micro-grids without a grid leader, public boards."""
    tops = selectors.scope_tops(user=request.user)
    if not tops:
        return _no_scope(request, "console/workforce.html", "workforce")
    try:
        node = selectors.workforce_node(user=request.user, code=code or tops[0].code)
    except Grid.DoesNotExist as exc:
        raise Http404 from exc
    team = selectors.workforce(node=node)
    return render_console(request, "console/workforce.html", {
        "wf": team, "node": node, "tops": tops if len(tops) > 1 else [],
        "ancestors": [a for a in team.ancestors if selectors.in_scope(request.user, a.code)],
    }, tab="workforce")


# --- registry and ledgers ---------------------------------------------------------------------


@login_required
@require_GET
def registry(request: HttpRequest) -> HttpResponse:
    """The way to the registry: grid files (一格一档), people, ledgers (import with progress,
    export), public boards; those pages are the registry's own."""
    tops = selectors.scope_tops(user=request.user)
    return render_console(request, "console/registry.html", {"tops": tops}, tab="registry")
