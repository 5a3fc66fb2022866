"""Writes of the case workflow. `case_report` opens a case, `case_act` is the one way to
move it (it runs `workflow.apply` under a row lock and saves what the move produced),
`case_sweep` raises what has lapsed, and the direct-line functions record the secretary's
meetings. Notifications go out after commit."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases import notices, stats
from wangge.cases.calendar import WorkCalendar
from wangge.cases.choices import FINISHED, RUNNING, Action, Decision, Level, MeetingStatus
from wangge.cases.lists import staff_name
from wangge.cases.models import (
    Case,
    CasePhoto,
    Category,
    DirectLineItem,
    DirectLineMeeting,
    LevelLimit,
)
from wangge.cases.workflow import (
    TRANSITIONS,
    CaseConflict,
    CaseError,
    Context,
    Effects,
    Who,
    apply,
    possible,
)
from wangge.core.scope import scope_prefixes
from wangge.core.validators import InvalidValue, parse_phone
from wangge.grids.choices import Tier
from wangge.grids.locate import OUTSIDE, current_index
from wangge.grids.models import Grid
from wangge.registry.models import Building
from wangge.registry.services import phone_hash

__all__ = [
    "CaseConflict",
    "CaseError",
    "CasePermissionDenied",
    "case_act",
    "case_report",
    "case_sweep",
    "direct_line_meeting_create",
    "direct_line_meeting_record",
    "tracking_code_new",
]

_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud on the phone
DEFAULT_LIMITS = {Level.GRID: (16, 4), Level.COMMUNITY: (24, 4), Level.STREET: (40, 8)}


class CasePermissionDenied(CaseError):
    """The user may see the case but this step is not theirs to take."""


class DuplicateExternalId(CaseError):
    """A case from this source with this external number (e.g. a 12345 work order) exists."""


def tracking_code_new() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def level_limits() -> dict[str, tuple[int, int]]:
    limits = dict(DEFAULT_LIMITS)
    for row in LevelLimit.objects.all():
        limits[row.level] = (row.working_hours, row.warn_hours)
    return limits


# The calendar and the level limits change a few times a year; each process reads them at
# most once a minute (a change in the admin reaches every server within that minute).
_REFERENCE_TTL_S = 60.0
_reference: dict[str, tuple[float, object]] = {}


def _cached(name: str, load):
    now = time.monotonic()
    hit = _reference.get(name)
    if hit is None or now - hit[0] > _REFERENCE_TTL_S:
        hit = (now, load())
        _reference[name] = hit
    return hit[1]


def reference_cache_clear() -> None:
    _reference.clear()


def context(*, actor, at: dt.datetime | None = None,
            calendar: WorkCalendar | None = None,
            limits: dict[str, tuple[int, int]] | None = None,
            known: Iterable[Grid] = ()) -> Context:
    cache: dict[str, Grid] = {g.code: g for g in known}
    calendar = calendar or _cached("calendar", WorkCalendar.load)
    limits = limits or _cached("limits", level_limits)

    def grid_by_code(code: str) -> Grid:
        if code not in cache:
            cache[code] = Grid.objects.defer("boundary").get(code=code)
        return cache[code]

    return Context(actor=actor, actor_name=_actor_name(actor), at=at or timezone.now(),
                   calendar=calendar, limits=limits, grid_by_code=grid_by_code)


def _actor_name(actor) -> str:
    return _("system") if actor is None else staff_name(actor)


# --- opening a case --------------------------------------------------------------------------


def _place(*, lon, lat, building: Building | None, grid: Grid | None) -> Grid:
    """Where the case happened: the point's micro-grid, the building's, or a given node."""
    if lon is not None and lat is not None:
        index = current_index()
        found = index.locate(lon, lat)
        if found == OUTSIDE:
            raise CaseError(_("This place is outside every micro-grid of the street. "
                              "Move the pin or give the address."))
        # The case needs the node, not its boundary: a light row.
        return Grid.objects.defer("boundary").get(code=index.codes[found])
    if building is not None:
        return building.micro_grid
    if grid is not None:
        return grid
    raise CaseError(_("Say where it is: a point on the map, a building or a grid."))


def case_report(*, source: str, category: Category, title: str, description: str,
                actor=None, lon: float | None = None, lat: float | None = None,
                address: str = "", building: Building | None = None,
                grid: Grid | None = None, urgency: str = "normal",
                reporter_name: str = "", reporter_phone: str = "", reporter_email: str = "",
                external_id: str = "", reported_at: dt.datetime | None = None,
                handling_unit: str = "", photos: Iterable[UploadedFile] = (),
                note: str = "", step_data: dict | None = None,
                within: Grid | None = None) -> Case:
    """Open a case (信息收集). A staff `actor` may only report in their own part of the
    tree; `actor=None` is a channel (resident, hotline, access control). `step_data` is
    kept with the first step (e.g. the channel's own references); `within` refuses a place
    outside that node (a channel serving one street).

    Everything that only reads (checks, locating, the calendar) happens before the write
    transaction, which holds the database's write lock for the two inserts alone."""
    if not category.active or category.children.exists():
        raise CaseError(_("Choose a specific, active category."))
    if not description.strip():
        raise CaseError(_("Describe the matter."))
    phone = ""
    if reporter_phone.strip():
        try:
            phone = parse_phone(reporter_phone)
        except InvalidValue as exc:
            raise CaseError(str(exc)) from exc
    place = _place(lon=lon, lat=lat, building=building, grid=grid)
    if within is not None and not place.code.startswith(within.code):
        raise CaseError(_("This place is outside %(grid)s.") % {"grid": within.name})
    if actor is not None:
        prefixes = scope_prefixes(actor)
        if prefixes is not None and not any(place.code.startswith(p) for p in prefixes):
            raise CasePermissionDenied(
                _("%(grid)s is outside your grids; its own workers report matters there.")
                % {"grid": place.name})
    at = reported_at or timezone.now()
    case = Case(source=source, category=category, title=(title or description)[:100].strip(),
                description=description.strip(), urgency=urgency, address=address[:200],
                lon=lon, lat=lat, building=building, grid=place, responsible=place,
                reporter_name=reporter_name[:50], reporter_phone=phone,
                reporter_phone_hash=phone_hash(phone) if phone else "",
                reporter_email=reporter_email[:200], reported_by=actor,
                external_id=external_id[:60], reported_at=at,
                handling_unit=handling_unit[:100],
                tracking_code=tracking_code_new())
    ctx = context(actor=actor, at=at, known=[place])
    effects = apply(case, Action.REPORT, ctx, {}, note=note)
    effects.step.data.update(step_data or {})
    try:
        with transaction.atomic():
            _save_move(case, effects, None)
            _save_photos(case, photos, CasePhoto.Stage.REPORT)
    except IntegrityError as exc:
        if external_id and Case.objects.filter(source=source,
                                               external_id=external_id[:60]).exists():
            raise DuplicateExternalId(
                _("A case with the number %(number)s from this source is already registered.")
                % {"number": external_id}) from exc
        raise
    return case


# --- moving a case ---------------------------------------------------------------------------


def _authorise(case: Case, who: str, actor) -> None:
    if actor is None:  # the sweep, a channel or an importer: trusted code paths
        return
    prefixes = scope_prefixes(actor)
    holds = prefixes is None or any(case.responsible.code.startswith(p) for p in prefixes)
    is_handler = case.handler is not None and case.handler.user_id == actor.pk
    if who == Who.ANYONE_IN_SCOPE:
        ok = holds or is_handler or any(case.grid.code.startswith(p) for p in prefixes)
    elif who == Who.HANDLER:
        ok = holds or is_handler
    elif who == Who.APPROVER:
        ok = holds and actor.has_perm("cases.approve_deferral")
    else:
        ok = holds
    if not ok:
        if who == Who.APPROVER and holds:
            raise CasePermissionDenied(_("Deferring a case needs the approval of a community "
                                         "or street officer."))
        raise CasePermissionDenied(
            _("The case is held by %(grid)s (%(level)s); this step is theirs.")
            % {"grid": case.responsible.name, "level": case.get_level_display()})


def case_actions_for(*, case: Case, user, actions: Iterable[str]) -> list[str]:
    """Of `actions`, those the user may take on the case now: possible from its status and
    level (`workflow.possible`) and the user's to take (`_authorise`)."""
    allowed = []
    for action in actions:
        if not possible(case, action):
            continue
        try:
            _authorise(case, TRANSITIONS[action].who, user)
        except CasePermissionDenied:
            continue
        allowed.append(action)
    return allowed


def _lock(case_id: int) -> Case:
    return (Case.objects.select_for_update(of=("self",))
            .select_related("grid", "responsible", "category", "handler")
            .get(pk=case_id))


def case_act(*, case: Case | int, action: str, actor, note: str = "",
             expected_version: int | None = None, at: dt.datetime | None = None,
             photos: Iterable[UploadedFile] = (), **params) -> Case:
    """Take one step on a case (the one transition function). Runs atomically under a row
    lock; if the case moved since the caller saw it (`expected_version`) or the step is not
    allowed from its status, raises `CaseConflict` carrying the current case."""
    case_id = case if isinstance(case, int) else case.pk
    with transaction.atomic():
        if action == Action.MARK_DUPLICATE and params.get("duplicate_of") is not None:
            # Both rows, always in the same order, before anything is written: two merges
            # crossing each other, or a merge and a step on the original, never deadlock,
            # and the original's status is read under its lock.
            original_id = params["duplicate_of"].pk
            list(Case.objects.select_for_update().filter(pk__in=[case_id, original_id])
                 .order_by("pk").values_list("pk", flat=True))
            params["duplicate_of"] = _lock(original_id)
        locked = _lock(case_id)
        if expected_version is not None and locked.version != expected_version:
            raise CaseConflict(_("The case changed while you were looking at it: it is now "
                                 "“%(status)s”. Reload and try again.")
                               % {"status": locked.get_status_display()}, locked)
        rule = TRANSITIONS.get(action)
        if rule is None:
            raise CaseError(_("Unknown action."))
        _authorise(locked, rule.who, actor)
        params = _load_params(locked, action, params)
        _move(locked, action, context(actor=actor, at=at), params, note.strip())
        if action == Action.MARK_DUPLICATE:
            _note_merge(locked, params["duplicate_of"], actor, at)
        stage = (CasePhoto.Stage.RESULT if action in (Action.HANDLE, Action.HANDLE_ON_SPOT)
                 else CasePhoto.Stage.REPORT)
        _save_photos(locked, photos, stage)
    return locked


def _load_params(case: Case, action: str, params: dict) -> dict:
    """Add what a move needs from the database: the latest feedback row for an evaluation,
    the open agenda item for the direct line."""
    if action in (Action.EVALUATE, Action.REOPEN):
        params["latest_feedback"] = case.feedback.order_by("-at", "-id").first()
    if action in (Action.DIRECT_LINE, Action.DIRECT_LINE_DECISION):
        params["open_item"] = (DirectLineItem.objects.select_for_update()
                               .filter(case=case, decided_at__isnull=True).first())
        if action == Action.DIRECT_LINE and "meeting" not in params:
            params["meeting"] = (DirectLineMeeting.objects
                                 .filter(street__code=case.grid.code[:9],
                                         status=MeetingStatus.PLANNED,
                                         held_on__gte=timezone.localdate())
                                 .order_by("held_on").first())
    return params


def _note_merge(duplicate: Case, original: Case, actor, at) -> None:
    """The original case's timeline says which duplicate was merged into it (the original
    is already locked by `case_act`)."""
    effects = _move(original, Action.COMMENT, context(actor=actor, at=at), {},
                    _("Duplicate %(code)s merged into this case.")
                    % {"code": duplicate.tracking_code})
    effects.step.data["merged"] = duplicate.tracking_code
    effects.step.save(update_fields=["data"])


def _move(case: Case, action: str, ctx: Context, params: dict, note: str) -> Effects:
    """Make the move, save the case and what the move produced, and keep the precomputed
    figures current, all in the caller's transaction."""
    before = stats.facts(case) if case.pk else None
    effects = apply(case, action, ctx, params, note=note)
    _save_move(case, effects, before)
    return effects


def _save_move(case: Case, effects: Effects, before) -> None:
    case.save()
    _save_effects(case, effects)
    if case.status in FINISHED and effects.decided_item is None and case.escalated:
        # Solved (or declined, merged) while waiting for the direct line: off the agenda.
        DirectLineItem.objects.filter(case=case, decided_at__isnull=True).update(
            decided_at=effects.step.at,
            decision_note=_("Finished before the meeting: %(step)s")
            % {"step": effects.step.get_action_display()})
    stats.record_change(case, before, stats.facts(case))


def _save_effects(case: Case, effects: Effects) -> None:
    effects.step.case = case
    effects.step.save()
    for row in effects.discussions:
        row.case = case
        row.save()
    for row in effects.feedback:
        row.case = case
        row.save()
    for row in effects.updated_feedback:
        row.save(update_fields=["evaluation", "evaluation_comment", "evaluated_at"])
    if effects.new_item is not None:
        effects.new_item.case = case
        effects.new_item.save()
    if effects.decided_item is not None:
        effects.decided_item.save()
    if effects.notices:
        pending = list(effects.notices)
        transaction.on_commit(lambda: notices.send(pending))


def _save_photos(case: Case, photos: Iterable[UploadedFile], stage: str) -> None:
    for photo in photos:
        CasePhoto.objects.create(case=case, stage=stage, image=photo)


# --- the sweep ---------------------------------------------------------------------------------


@dataclass
class SweepResult:
    raised: list[str] = field(default_factory=list)
    direct_line: list[str] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.raised or self.direct_line or self.warned)

    def __str__(self) -> str:
        return (f"raised {len(self.raised)}, to the direct line {len(self.direct_line)}, "
                f"warned {len(self.warned)}")


def case_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Raise every running case whose level's time limit has passed (grid → community →
    street → the secretary's direct line) and warn of those near it. Idempotent: a raised
    case gets the new level's limit, a warned case is not warned again at the same level,
    so a second sweep at the same moment does nothing."""
    now = now or timezone.now()
    result = SweepResult()
    # One context for the whole sweep: its grid cache serves every case it moves.
    ctx = context(actor=None, at=now, calendar=WorkCalendar.load(), limits=level_limits())
    lapsed = list(Case.objects.filter(status__in=RUNNING, level_due_at__lte=now)
                  .order_by("level_due_at").values_list("pk", flat=True))
    for case_id in lapsed:
        _sweep_one(case_id, ctx, result)
    near = list(Case.objects.filter(status__in=RUNNING, level_warn_at__lte=now,
                                    level_due_at__gt=now, warned_at__isnull=True)
                .values_list("pk", flat=True))
    for case_id in near:
        with transaction.atomic():
            case = _lock(case_id)
            if (case.status not in RUNNING or case.warned_at is not None
                    or case.level_warn_at is None or case.level_warn_at > now):
                continue
            _move(case, Action.WARN, ctx, {},
                  _("The time limit at this level is near: %(due)s.")
                  % {"due": timezone.localtime(case.level_due_at).strftime("%Y-%m-%d %H:%M")})
            result.warned.append(case.tracking_code)
    return result


def _sweep_one(case_id, ctx: Context, result: SweepResult) -> None:
    now = ctx.at
    with transaction.atomic():
        case = _lock(case_id)
        # Looked at again under the lock: someone may have acted since the list was read.
        if case.status not in RUNNING or case.level_due_at is None or case.level_due_at > now:
            return
        level = case.get_level_display()
        if case.level == Level.STREET:
            params = _load_params(case, Action.DIRECT_LINE, {})
            if params["open_item"] is not None:
                return
            _move(case, Action.DIRECT_LINE, ctx, params,
                  _("Not solved within the street's time limit: put on the secretary's "
                    "direct line automatically."))
            result.direct_line.append(case.tracking_code)
        else:
            _move(case, Action.RAISE, ctx, {},
                  _("The time limit at the %(level)s level passed: raised automatically.")
                  % {"level": level})
            result.raised.append(case.tracking_code)


# --- the secretary's direct line --------------------------------------------------------------


@transaction.atomic
def direct_line_meeting_create(*, street: Grid, held_on: dt.date, title: str,
                               actor) -> DirectLineMeeting:
    """Plan a meeting; cases already waiting for the direct line go on its agenda."""
    if street.tier != Tier.STREET:
        raise CaseError(_("A direct-line meeting belongs to a street."))
    prefixes = scope_prefixes(actor) if actor is not None else None
    if prefixes is not None and not any(street.code.startswith(p) for p in prefixes):
        raise CasePermissionDenied(_("Only the street's own staff plan its meetings."))
    meeting = DirectLineMeeting.objects.create(street=street, held_on=held_on, title=title)
    # Waiting items, and those a held meeting left undecided, go on the new agenda.
    DirectLineItem.objects.filter(
        Q(meeting__isnull=True) | Q(meeting__status=MeetingStatus.HELD),
        decided_at__isnull=True, case__grid__code__startswith=street.code).update(
            meeting=meeting)
    return meeting


@dataclass
class MeetingDecision:
    case: Case
    decision: str
    note: str
    handler: object | None = None
    handling_unit: str = ""
    days: int = 10
    until: dt.date | None = None


def direct_line_meeting_record(*, meeting: DirectLineMeeting, participants: str,
                               minutes: str, decisions: list[MeetingDecision],
                               actor) -> DirectLineMeeting:
    """Record a held meeting: who took part, the minutes, and the decision on each case,
    which moves the case on (dispatched with a new time limit, deferred, or declined)."""
    if not participants.strip():
        raise CaseError(_("List the participants."))
    for item in decisions:
        if item.decision not in Decision.values:
            raise CaseError(_("Choose a decision."))
    with transaction.atomic():
        meeting = DirectLineMeeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == MeetingStatus.HELD:
            raise CaseConflict(_("This meeting has already been recorded."), None)
        # Every case of the record, in one order, before any is moved: a step taken on one
        # of them meanwhile waits for the record instead of deadlocking with it.
        list(Case.objects.select_for_update().filter(pk__in=[d.case.pk for d in decisions])
             .order_by("pk").values_list("pk", flat=True))
        meeting.participants, meeting.minutes = participants.strip(), minutes.strip()
        meeting.status = MeetingStatus.HELD
        meeting.save()
        for item in decisions:
            case_act(case=item.case, action=Action.DIRECT_LINE_DECISION, actor=actor,
                     note=item.note, decision=item.decision, handler=item.handler,
                     handling_unit=item.handling_unit, days=item.days, until=item.until,
                     meeting=meeting)
    return meeting

