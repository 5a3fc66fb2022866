"""Web pages of the registry: one grid one file, people, ledger import and export."""

import io
import json
import queue
import threading
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wangge.core.scope import scope_prefixes
from wangge.core.validators import mask_phone, mask_resident_id
from wangge.grids.models import Grid
from wangge.grids.selectors import grid_level_history
from wangge.registry import filters, selectors, services
from wangge.registry.grid_file_export import write_grid_file_pdf, write_grid_file_xlsx
from wangge.registry.ledgers.files import (
    LEDGERS,
    export_ledger,
    import_ledger,
    write_error_file,
    write_ledger_template,
)
from wangge.registry.ledgers.people import Mode
from wangge.registry.ledgers.tabular import LedgerFileError
from wangge.registry.models import LedgerImport
from wangge.workforce import selectors as workforce

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _grid_for(user, code: str) -> Grid:
    """A grid the user may see: inside, or above, their part of the tree."""
    prefixes = scope_prefixes(user)
    visible = prefixes is None or any(code.startswith(p) or p.startswith(code)
                                      for p in prefixes)
    if not visible:
        raise Http404
    return get_object_or_404(Grid.objects.select_related("grid_type", "parent"), code=code)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    return quote(name)


@login_required
@require_GET
def grid_file_home(request):
    """The file of the top of the user's part of the tree."""
    prefixes = scope_prefixes(request.user)
    roots = Grid.objects.filter(parent__isnull=True) if prefixes is None else \
        Grid.objects.filter(code__in=prefixes)
    top = roots.order_by("code").first()
    if top is None:
        raise Http404
    return redirect("registry:grid-file", code=top.code)


@login_required
@require_GET
def grid_file_view(request, code: str):
    """一格一档: a grid's figures, each child's, the level history of a micro-grid."""
    grid = _grid_for(request.user, code)
    gf = selectors.grid_file(grid=grid)
    return render(request, "registry/grid_file.html", {
        "gf": gf, "grid": grid, "figures": gf.figures,
        "staff": workforce.serving(grid=grid).filter(grid=grid),
        "leaderless": workforce.micro_grids_without_leader(code=grid.code)[:50],
        "levels": grid_level_history(grid=grid)[:20] if grid.level else [],
        "care_groups": [g for g in gf.care_groups if not g.sensitive],
    })


@login_required
@require_GET
def grid_file_xlsx(request, code: str):
    grid = _grid_for(request.user, code)
    buffer = io.BytesIO()
    write_grid_file_xlsx(selectors.grid_file(grid=grid), buffer)
    return _download(buffer.getvalue(), f"{grid.name}-一格一档.xlsx", XLSX)


@login_required
@require_GET
def grid_file_pdf(request, code: str):
    grid = _grid_for(request.user, code)
    buffer = io.BytesIO()
    write_grid_file_pdf(selectors.grid_file(grid=grid), buffer)
    return _download(buffer.getvalue(), f"{grid.name}-一格一档.pdf", "application/pdf")


@login_required
@require_GET
def person_list(request):
    people = filters.PersonFilter(
        request.GET, queryset=selectors.person_list().for_user(request.user)
        .filter(status="active").order_by("micro_grid__code", "household_id", "id"))
    page = Paginator(people.qs, 50).get_page(request.GET.get("page"))
    rows = [{"person": p, "id_number": mask_resident_id(p.id_number),
             "phone": mask_phone(p.phone)} for p in page]
    return render(request, "registry/person_list.html",
                  {"filter": people, "page": page, "rows": rows})


@login_required
def person_detail(request, pk: int):
    person = get_object_or_404(selectors.person_list().for_user(request.user), pk=pk)
    revealed, error = None, ""
    if request.method == "POST":
        try:
            revealed = services.person_reveal(person=person, actor=request.user,
                                              reason=request.POST.get("reason", ""),
                                              request=request)
        except services.RegistryError as exc:
            error = str(exc)
    return render(request, "registry/person_detail.html", {
        "person": person,
        "id_number": mask_resident_id(person.id_number),
        "phone": mask_phone(person.phone),
        "care_groups": [g for g in person.care_groups.all() if not g.sensitive],
        "revealed": revealed, "error": error,
        "history": person.history.select_related("history_user")[:50],
        "events": person.events.select_related("recorded_by")[:50],
        "can_reveal": request.user.has_perm("registry.view_personal_data"),
    })


@login_required
@require_GET
def ledgers(request):
    return render(request, "registry/ledgers.html", {
        "ledgers": [(kind, ledger.title) for kind, ledger in LEDGERS.items()],
        "modes": Mode.CHOICES,
        "imports": LedgerImport.objects.filter(created_by=request.user)[:10],
        "top": Grid.objects.filter(parent__isnull=True).order_by("code"),
        "text": {
            "upload": _("Uploading"), "check": _("Checking rows"), "write": _("Saving"),
            "summary": _("imported %(imported)s, updated %(updated)s, unchanged %(unchanged)s, "
                         "rejected %(rejected)s"),
            "nothing": _("Some rows are wrong, so nothing was imported. Download the rows to "
                         "correct, fix them and import that file again."),
            "download": _("Download the rows to correct (.xlsx)"),
            "failed": _("The import failed; nothing was changed."),
        },
    })


@login_required
@require_POST
def ledger_import(request):
    """Import an uploaded ledger, streaming progress as lines of JSON while it runs."""
    kind = request.POST.get("kind", "")
    mode = request.POST.get("mode", Mode.ALL_OR_NOTHING)
    upload = request.FILES.get("file")
    if kind not in LEDGERS or mode not in Mode.CHOICES or upload is None:
        return HttpResponse(json.dumps({"error": _("Choose a ledger, a mode and a file.")}),
                            status=400, content_type="application/json")
    scope = scope_prefixes(request.user)
    if scope == []:
        raise Http404
    content = upload.read()
    events: queue.Queue = queue.Queue()
    user = request.user

    def work() -> None:
        try:
            report = import_ledger(kind=kind, file=io.BytesIO(content), filename=upload.name,
                                   mode=mode, actor=user, scope=scope,
                                   progress=lambda s, d, t: events.put(
                                       {"stage": s, "done": d, "total": t}))
            error_file = None
            if report.rejected:
                buffer = io.BytesIO()
                write_error_file(kind=kind, report=report, target=buffer)
                error_file = buffer.getvalue()
            record = LedgerImport.objects.create(
                kind=kind, filename=upload.name[:200], mode=mode,
                rows=report.imported + report.updated + report.unchanged + report.rejected,
                imported=report.imported, updated=report.updated, unchanged=report.unchanged,
                rejected=report.rejected, written=report.written, error_file=error_file,
                created_by=user)
            events.put({"finished": True, "imported": report.imported, "updated": report.updated,
                        "unchanged": report.unchanged, "rejected": report.rejected,
                        "written": report.written,
                        "errors": [str(e) for e in report.errors[:50]],
                        "error_file": f"/registry/ledgers/imports/{record.pk}/errors.xlsx"
                        if error_file else None})
        except LedgerFileError as exc:
            events.put({"finished": True, "error": str(exc)})
        except Exception:  # reported to the page, and re-raised for the server log
            events.put({"finished": True,
                        "error": _("The import failed; nothing was changed.")})
            raise
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()

    def stream():
        while True:
            event = events.get()
            yield json.dumps(event, ensure_ascii=False, default=str) + "\n"
            if event.get("finished"):
                break
        thread.join()

    response = StreamingHttpResponse(stream(), content_type="application/x-ndjson")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@login_required
@require_GET
def ledger_errors(request, pk: int):
    record = get_object_or_404(LedgerImport, pk=pk, created_by=request.user,
                               error_file__isnull=False)
    return _download(bytes(record.error_file), f"{record.filename}-待更正.xlsx", XLSX)


@login_required
@require_GET
def ledger_template(request, kind: str):
    if kind not in LEDGERS:
        raise Http404
    buffer = io.BytesIO()
    write_ledger_template(kind=kind, target=buffer)
    return _download(buffer.getvalue(), f"{LEDGERS[kind].title}-模板.xlsx", XLSX)


@login_required
def ledger_export(request, kind: str):
    """Export a ledger under a grid: unmasked, so it needs the permission and a reason."""
    if kind not in LEDGERS or request.method != "POST":
        raise Http404
    under = request.POST.get("under", "")
    reason = request.POST.get("reason", "").strip()
    if not reason or not request.user.has_perm("registry.view_personal_data"):
        return redirect("registry:ledgers")
    if under:
        _grid_for(request.user, under)
    elif scope_prefixes(request.user) is not None:
        raise Http404
    buffer = io.BytesIO()
    export_ledger(kind=kind, target=buffer, under=under, actor=request.user, reason=reason,
                  request=request)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return _download(buffer.getvalue(), f"{LEDGERS[kind].title}-{stamp}.xlsx", XLSX)
