"""Staff web pages of cases: the three lists in one (三单合一) of a grid node, printable and
downloadable as .xlsx and PDF for a period."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from wangge.cases.lists import ThreeLists, in_scope, lists_top_code, three_lists
from wangge.cases.lists_export import (
    DOCUMENT_NAME,
    export_lists,
    list_tables,
    lists_filename,
    lists_subtitle,
    lists_title,
)
from wangge.cases.periods import PeriodError, parse_period
from wangge.grids.models import Grid

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"xlsx": XLSX, "pdf": "application/pdf"}


def _lists(request: HttpRequest, code: str, period: tuple[dt.date, dt.date]) -> ThreeLists:
    try:
        return three_lists(user=request.user, code=code, date_from=period[0],
                           date_to=period[1])
    except Grid.DoesNotExist:
        raise Http404 from None


def _grid_or_404(request: HttpRequest, code: str) -> Grid:
    if not in_scope(user=request.user, code=code):
        raise Http404
    grid = Grid.objects.defer("boundary").filter(code=code).first()
    if grid is None:
        raise Http404
    return grid


@login_required
@require_GET
def lists_home(request: HttpRequest):
    """The lists of the widest node the user may see, for the current month."""
    code = lists_top_code(user=request.user)
    if code is None:
        raise Http404
    return redirect("cases:lists", code=code)


@login_required
@require_GET
def lists_page(request: HttpRequest, code: str):
    """三单合一: a printable page of the node's three lists for a period, with the period
    form, the downloads, and links to the nodes above and below within the user's grids."""
    try:
        period = parse_period(request.GET)
    except PeriodError as exc:
        return _period_error_page(request, code, exc)
    lists = _lists(request, code, period)
    query = urlencode({"from": period[0].isoformat(), "to": period[1].isoformat()})
    children = Grid.objects.filter(parent=lists.grid).only("code", "name").order_by("code")
    return render(request, "cases/lists.html", {
        "grid": lists.grid, "lists": lists, "tables": list_tables(lists),
        "title": lists_title(lists), "subtitle": lists_subtitle(lists),
        "document_name": DOCUMENT_NAME, "query": query,
        "date_from": period[0].isoformat(), "date_to": period[1].isoformat(),
        "ancestors": [a for a in lists.ancestors if in_scope(user=request.user, code=a.code)],
        "children": children,
        "generated_at": timezone.localtime(),
    })


def _period_error_page(request: HttpRequest, code: str, error: PeriodError) -> HttpResponse:
    """The page with the message and the period form, so that the dates can be corrected;
    400 because nothing was listed."""
    grid = _grid_or_404(request, code)
    return render(request, "cases/lists.html", {
        "grid": grid, "error": str(error), "document_name": DOCUMENT_NAME,
        "date_from": request.GET.get("from", ""), "date_to": request.GET.get("to", ""),
    }, status=400)


@login_required
@require_GET
def lists_download(request: HttpRequest, code: str, fmt: str):
    """The three lists as .xlsx or PDF; every download is an audit row."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    try:
        period = parse_period(request.GET)
    except PeriodError as exc:
        return _period_error_page(request, code, exc)
    lists = _lists(request, code, period)
    content = export_lists(lists=lists, fmt=fmt, actor=request.user, request=request)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(lists_filename(lists, fmt))}")
    return response
