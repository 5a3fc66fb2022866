"""Public notice boards (公示牌): no login; a finder by address or map, a printable A4 board
with a QR code pointing at the board's page."""

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wangge.grids.models import Grid
from wangge.registry.models import Building
from wangge.workforce import selectors
from wangge.workforce.models import MustReportItem, WorkItem


def _micro_grid(code: str) -> Grid:
    grid = Grid.objects.micro_grids().select_related("parent", "grid_type").filter(
        code=code).first()
    if grid is None:
        raise Http404
    return grid


@login_required
@require_GET
def my_work(request):
    """A worker's own page: where they serve, what their roles ask of them, what to report."""
    worker = getattr(request.user, "worker", None)
    assignments = list(worker.assignments.current().select_related("grid", "role")) \
        if worker else []
    roles = {a.role_id for a in assignments}
    return render(request, "workforce/my_work.html", {
        "worker": worker, "assignments": assignments,
        "work_items": WorkItem.objects.filter(role_id__in=roles).select_related("role"),
        "must_report": MustReportItem.objects.all(),
    })


@require_GET
def board_find(request):
    """Find my board: type an address or a building, or tap the map."""
    query = request.GET.get("q", "").strip()
    results = []
    if query:
        buildings = Building.objects.filter(Q(name__icontains=query) |
                                            Q(address__icontains=query)) \
            .select_related("micro_grid").order_by("micro_grid__code", "name")[:30]
        results = [(b.address or b.name, b.micro_grid) for b in buildings]
        grids = Grid.objects.micro_grids().filter(name__icontains=query).order_by("code")[:10]
        results += [(g.name, g) for g in grids]
    return render(request, "workforce/board_find.html", {
        "query": query, "results": results,
        "map_config": {"tileUrl": settings.WANGGE_MAP_TILE_URL,
                       "tileAttribution": settings.WANGGE_MAP_TILE_ATTRIBUTION,
                       "outside": _("This place is not in any micro-grid of this street.")},
    })


@require_GET
def board_view(request, code: str):
    return render(request, "workforce/board.html",
                  {"board": selectors.board(micro_grid=_micro_grid(code))})


@require_GET
def board_print(request, code: str):
    """An A4 board to print and put up in the micro-grid, with a QR code of its page."""
    board = selectors.board(micro_grid=_micro_grid(code))
    url = request.build_absolute_uri(f"/board/{code}/")
    qr = segno.make(url, error="m").svg_inline(scale=4, border=2)
    return render(request, "workforce/board_print.html", {"board": board, "qr": qr, "url": url})
