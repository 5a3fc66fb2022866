"""Writes of the workbench: patrols and visits (巡查、走访) and what was found on them.

Every function takes the acting user, checks that the patrol is theirs and still running
under a row lock, and runs in one transaction. A finding becomes a case through
`cases.services.case_report` (source patrol or visit), so it gets the same checks, time
limits and timeline as any other case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases import services as cases
from wangge.cases.choices import Source
from wangge.cases.models import Category
from wangge.core.scope import scope_prefixes
from wangge.grids.choices import Tier
from wangge.grids.models import Grid
from wangge.grids.selectors import locate_point
from wangge.registry.models import Household
from wangge.workbench.choices import FindingKind, PatrolKind
from wangge.workbench.models import Finding, Patrol, PatrolVisit
from wangge.workforce.models import Worker

__all__ = [
    "PatrolConflict",
    "PatrolError",
    "finding_resolve",
    "patrol_add_points",
    "patrol_end",
    "patrol_finding_to_case",
    "patrol_finding_to_registry_note",
    "patrol_start",
    "patrol_visit_household",
]

# A route longer than this is not a walk through one micro-grid; later points are dropped.
MAX_ROUTE_POINTS = 5000


class PatrolError(ValueError):
    """A patrol step the rules refuse; the message is for the user."""


class PatrolConflict(PatrolError):
    """The patrol is not in a state that allows this: it has ended, or another is running."""


def _worker(actor) -> Worker:
    worker = Worker.objects.filter(user_id=getattr(actor, "pk", None), active=True).first()
    if worker is None:
        raise PatrolError(_("Your account has no active worker record."))
    return worker


def _in_scope(actor, code: str) -> bool:
    prefixes = scope_prefixes(actor)
    return prefixes is None or any(code.startswith(p) for p in prefixes)


def _lock(patrol: Patrol, actor) -> Patrol:
    """The patrol, locked, if it is the actor's own and still running."""
    locked = (Patrol.objects.select_for_update(of=("self",))
              .select_related("micro_grid", "worker").get(pk=patrol.pk))
    if locked.worker.user_id != getattr(actor, "pk", None):
        raise PatrolError(_("Only the worker on this patrol can record on it."))
    if locked.ended_at is not None:
        raise PatrolConflict(_("This patrol has ended; start a new one."))
    return locked


@transaction.atomic
def patrol_start(*, actor, micro_grid: Grid, kind: str = PatrolKind.PATROL,
                 at: dt.datetime | None = None) -> Patrol:
    """Start a patrol or round of visits in one of the actor's micro-grids."""
    worker = _worker(actor)
    if kind not in PatrolKind.values:
        raise PatrolError(_("Choose patrol or visit."))
    if micro_grid.tier != Tier.MICRO_GRID or not _in_scope(actor, micro_grid.code):
        raise PatrolError(_("Choose one of your micro-grids."))
    if Patrol.objects.filter(worker=worker).running().exists():
        raise PatrolConflict(_("You already have a patrol running: end it before starting "
                            "another."))
    try:
        with transaction.atomic():
            return Patrol.objects.create(worker=worker, micro_grid=micro_grid, kind=kind,
                                         started_at=at or timezone.now())
    except IntegrityError:  # two starts at once: the constraint lets one through
        raise PatrolConflict(_("You already have a patrol running: end it before starting "
                            "another.")) from None


def patrol_add_points(*, patrol: Patrol, actor,
                      points: Iterable[tuple[float, float, dt.datetime]]) -> int:
    """Append points the phone recorded to the route, in time order; points not after the
    last one kept (a resend after a lost answer) are skipped. Returns how many were added."""
    with transaction.atomic():
        locked = _lock(patrol, actor)
        last = dt.datetime.fromisoformat(locked.route[-1][2]) if locked.route else None
        added = 0
        for lon, lat, at in sorted(points, key=lambda p: p[2]):
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                continue
            if last is not None and at <= last:
                continue
            if len(locked.route) >= MAX_ROUTE_POINTS:
                break
            locked.route.append([round(lon, 7), round(lat, 7), at.isoformat()])
            last = at
            added += 1
        if added:
            locked.save(update_fields=["route"])
    patrol.route = locked.route
    return added


def patrol_visit_household(*, patrol: Patrol, actor, household: Household, note: str = "",
                           at: dt.datetime | None = None) -> PatrolVisit:
    """Record a household called on; calling again on the same household adds to the note."""
    with transaction.atomic():
        locked = _lock(patrol, actor)
        if household.micro_grid_id != locked.micro_grid_id:
            raise PatrolError(_("This household is not in the patrol's micro-grid."))
        visit, created = PatrolVisit.objects.get_or_create(
            patrol=locked, household=household,
            defaults={"note": note.strip()[:500], "at": at or timezone.now()})
        if not created and note.strip():
            visit.note = "; ".join(p for p in (visit.note, note.strip()) if p)[:500]
            visit.save(update_fields=["note"])
    return visit


def _case_place(patrol: Patrol, actor, lon: float | None, lat: float | None,
                household: Household | None) -> dict:
    """Where a finding's case happened: the given point, else the route's last point, if it
    lies in the actor's part of the tree; else the household's building; else the patrol's
    micro-grid as a whole."""
    point = (lon, lat) if lon is not None and lat is not None else patrol.last_point
    if point is not None:
        located = locate_point(lon=point[0], lat=point[1])
        if located.micro_grid is not None and _in_scope(actor, located.micro_grid.code):
            return {"lon": point[0], "lat": point[1]}
    if household is not None:
        return {"building": household.house.building}
    return {"grid": patrol.micro_grid}


def patrol_finding_to_case(*, patrol: Patrol, actor, text: str, category: Category,
                           household: Household | None = None, lon: float | None = None,
                           lat: float | None = None, urgency: str = "normal",
                           photos: Iterable[UploadedFile] = (),
                           at: dt.datetime | None = None) -> Finding:
    """Turn a finding into a case in one step (source patrol or visit), placed at the point
    given or where the patrol last was."""
    if not text.strip():
        raise PatrolError(_("Describe what you found."))
    with transaction.atomic():
        locked = _lock(patrol, actor)
        if household is not None and household.micro_grid_id != locked.micro_grid_id:
            raise PatrolError(_("This household is not in the patrol's micro-grid."))
        place = _case_place(locked, actor, lon, lat, household)
        source = Source.VISIT if locked.kind == PatrolKind.VISIT else Source.PATROL
        case = cases.case_report(source=source, category=category, title="",
                                 description=text, actor=actor, urgency=urgency,
                                 photos=photos, **place)
        return Finding.objects.create(
            patrol=locked, kind=FindingKind.CASE, text=text.strip(), category=category,
            case=case, household=household, lon=case.lon, lat=case.lat,
            at=at or timezone.now())


def patrol_finding_to_registry_note(*, patrol: Patrol, actor, text: str,
                                    household: Household,
                                    at: dt.datetime | None = None) -> Finding:
    """Note against a household that its registry record needs updating (someone moved in
    or out, a phone changed, the house is now rented): it stays open on the micro-grid's
    file until the record is updated and the note marked done."""
    if not text.strip():
        raise PatrolError(_("Describe what needs updating."))
    with transaction.atomic():
        locked = _lock(patrol, actor)
        if household.micro_grid_id != locked.micro_grid_id:
            raise PatrolError(_("This household is not in the patrol's micro-grid."))
        point = locked.last_point
        return Finding.objects.create(
            patrol=locked, kind=FindingKind.REGISTRY, text=text.strip(), household=household,
            lon=point[0] if point else None, lat=point[1] if point else None,
            at=at or timezone.now())


@transaction.atomic
def finding_resolve(*, finding: Finding, actor, at: dt.datetime | None = None) -> Finding:
    """Mark a registry note done once the record has been updated."""
    locked = (Finding.objects.select_for_update(of=("self",))
              .select_related("household__micro_grid").get(pk=finding.pk))
    if locked.kind != FindingKind.REGISTRY:
        raise PatrolError(_("Only a registry note is marked as updated."))
    if not _in_scope(actor, locked.household.micro_grid.code):
        raise PatrolError(_("This household is outside your grids."))
    if locked.resolved_at is None:
        locked.resolved_at = at or timezone.now()
        locked.resolved_by = actor
        locked.save(update_fields=["resolved_at", "resolved_by"])
    return locked


def patrol_end(*, patrol: Patrol, actor, note: str = "",
               at: dt.datetime | None = None) -> Patrol:
    """End the patrol with a summary of what was seen (巡查情况)."""
    with transaction.atomic():
        locked = _lock(patrol, actor)
        locked.ended_at = max(at or timezone.now(), locked.started_at)
        locked.note = note.strip()
        locked.save(update_fields=["ended_at", "note"])
    return locked
