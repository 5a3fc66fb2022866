"""The case state machine (事件办理闭环) as one table and one function.

`TRANSITIONS` says, for every action, from which statuses it may be taken, the status it
leads to and who may take it. `apply` checks a move against the table and makes it on an
in-memory case, returning the records the move produces (the timeline step, list entries,
notifications). It touches no database: `services.case_act` locks the row, checks scope and
saves what `apply` returns; the demo history and the property-based tests run the very
same function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from wangge.cases.calendar import WorkCalendar
from wangge.cases.choices import (
    LEVEL_ORDER,
    RUNNING,
    Action,
    Decision,
    Evaluation,
    Level,
    Outcome,
    Source,
    Status,
)
from wangge.cases.models import Case, CaseStep, DirectLineItem, DiscussionEntry, FeedbackEntry
from wangge.grids.choices import CODE_LENGTH, Tier


class Who:
    """Who may take an action."""

    LEVEL = "level"  # staff whose part of the tree holds the case's responsible grid
    HANDLER = "handler"  # the case's handler, or level staff
    APPROVER = "approver"  # level staff with the approve_deferral permission
    REPORTER = "reporter"  # the reporter (by tracking code), or level staff on their behalf
    SYSTEM = "system"  # the sweep (no actor), or level staff
    ANYONE_IN_SCOPE = "scope"  # anyone who can see the case


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status does not change
    who: str


_ACTIVE = frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS})
_OPEN = frozenset({*RUNNING, Status.HANDLED, Status.DEFERRED})

TRANSITIONS: dict[str, Transition] = {
    Action.REPORT: Transition(frozenset({""}), Status.REPORTED, Who.ANYONE_IN_SCOPE),
    Action.ACCEPT: Transition(frozenset({Status.REPORTED}), Status.ACCEPTED, Who.LEVEL),
    Action.DECLINE: Transition(frozenset({Status.REPORTED, Status.ACCEPTED}), Status.DECLINED,
                               Who.LEVEL),
    Action.MARK_DUPLICATE: Transition(frozenset({Status.REPORTED, Status.ACCEPTED}),
                                      Status.MERGED, Who.LEVEL),
    Action.DISPATCH: Transition(_ACTIVE, Status.DISPATCHED, Who.LEVEL),
    Action.START: Transition(frozenset({Status.DISPATCHED}), Status.IN_PROGRESS, Who.HANDLER),
    Action.HANDLE: Transition(frozenset({Status.DISPATCHED, Status.IN_PROGRESS}),
                              Status.HANDLED, Who.HANDLER),
    Action.HANDLE_ON_SPOT: Transition(frozenset({Status.REPORTED, Status.ACCEPTED}),
                                      Status.CLOSED, Who.LEVEL),
    Action.CLOSE: Transition(frozenset({Status.HANDLED}), Status.CLOSED, Who.LEVEL),
    Action.REWORK: Transition(frozenset({Status.HANDLED}), Status.IN_PROGRESS, Who.LEVEL),
    Action.EVALUATE: Transition(frozenset({Status.CLOSED}), Status.EVALUATED, Who.REPORTER),
    Action.REOPEN: Transition(frozenset({Status.CLOSED}), Status.IN_PROGRESS, Who.REPORTER),
    Action.RAISE: Transition(RUNNING, Status.ACCEPTED, Who.SYSTEM),
    Action.DIRECT_LINE: Transition(RUNNING, None, Who.SYSTEM),
    Action.DIRECT_LINE_DECISION: Transition(_OPEN, None, Who.LEVEL),
    Action.REQUEST_DEFERRAL: Transition(_ACTIVE, None, Who.HANDLER),
    Action.DEFER: Transition(_ACTIVE, Status.DEFERRED, Who.APPROVER),
    Action.RESUME: Transition(frozenset({Status.DEFERRED}), Status.ACCEPTED, Who.LEVEL),
    Action.DISCUSS: Transition(_OPEN, None, Who.LEVEL),
    Action.RELOCATE: Transition(frozenset({Status.REPORTED, Status.ACCEPTED}), None,
                                Who.LEVEL),
    Action.WARN: Transition(RUNNING, None, Who.SYSTEM),
    Action.COMMENT: Transition(frozenset({*_OPEN, Status.CLOSED, Status.EVALUATED,
                                          Status.DECLINED, Status.MERGED}), None,
                               Who.ANYONE_IN_SCOPE),
}

def possible(case: Case, action: str) -> bool:
    """Whether the table allows `action` from the case's status and the case is where the
    action applies (a level-bound step at its level). For offering buttons; `apply`
    remains the judge."""
    rule = TRANSITIONS.get(action)
    if rule is None or case.status not in rule.sources:
        return False
    if action == Action.HANDLE_ON_SPOT:
        return case.level == Level.GRID
    if action == Action.RAISE:
        return case.level != Level.STREET
    if action == Action.DIRECT_LINE:
        return case.level == Level.STREET
    return True


# Actions a resident may take on their own case through its tracking code.
REPORTER_ACTIONS = frozenset({Action.EVALUATE, Action.REOPEN})


class CaseError(Exception):
    """A move the rules refuse; the message is for the user."""


class CaseConflict(CaseError):
    """The case is not in a state that allows this (someone else acted first)."""

    def __init__(self, message: str, case: Case):
        super().__init__(message)
        self.case = case


@dataclass
class Notice:
    """Something to tell someone after commit: `kind` is one of assigned, near_deadline,
    raised, result_ready."""

    kind: str
    case: Case
    worker_id: int | None = None  # a named worker (the handler)
    grid_code: str = ""  # or the staff of a grid node
    to_reporter: bool = False


@dataclass
class Context:
    """What a move needs besides the case: who, when, the calendar and limits, and a way to
    find grid nodes by code."""

    actor: Any  # a user, or None for the sweep and public channels
    actor_name: str
    at: dt.datetime
    calendar: WorkCalendar
    limits: dict[str, tuple[int, int]]  # level → (working hours, warn hours)
    grid_by_code: Callable[[str], Any]


@dataclass
class Effects:
    step: CaseStep
    discussions: list[DiscussionEntry] = field(default_factory=list)
    feedback: list[FeedbackEntry] = field(default_factory=list)
    updated_feedback: list[FeedbackEntry] = field(default_factory=list)
    new_item: DirectLineItem | None = None
    decided_item: DirectLineItem | None = None
    notices: list[Notice] = field(default_factory=list)


def level_for_tier(tier: str) -> str:
    if tier in (Tier.MICRO_GRID, Tier.GRID):
        return Level.GRID
    if tier == Tier.COMMUNITY:
        return Level.COMMUNITY
    return Level.STREET


def responsible_code(grid_code: str, level: str) -> str:
    """The node that holds a case of this place at this level."""
    if level == Level.COMMUNITY:
        return grid_code[:CODE_LENGTH[Tier.COMMUNITY]]
    if level == Level.STREET:
        return grid_code[:CODE_LENGTH[Tier.STREET]]
    return grid_code


def enter_level(case: Case, level: str, ctx: Context) -> None:
    """Put the case at a level from now on, with that level's time limit."""
    hours, warn = ctx.limits[level]
    case.level = level
    if LEVEL_ORDER.index(level) > LEVEL_ORDER.index(case.max_level):
        case.max_level = level
    case.responsible = ctx.grid_by_code(responsible_code(case.grid.code, level))
    case.level_since = ctx.at
    case.level_due_at = ctx.calendar.add_hours(ctx.at, hours)
    case.level_warn_at = ctx.calendar.add_hours(ctx.at, max(hours - warn, 0))
    case.warned_at = None


def _stop_clock(case: Case) -> None:
    case.level_due_at = None
    case.level_warn_at = None


def _require(params: dict, name: str, message: str) -> Any:
    value = params.get(name)
    if value in (None, "", []):
        raise CaseError(message)
    return value


def apply(case: Case, action: str, ctx: Context, params: dict | None = None,
          note: str = "") -> Effects:
    """Make one move on `case` in memory and return what it produced.

    Raises CaseConflict when the table does not allow the action from the case's status,
    CaseError when the move is incomplete (e.g. a dispatch without a handler)."""
    params = params or {}
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise CaseError(_("Unknown action."))
    # A case that has not been reported yet has version 0 and no status to move from.
    from_status = case.status if case.version else ""
    if from_status not in rule.sources:
        raise CaseConflict(
            _("This case is now “%(status)s”; “%(action)s” is not possible.")
            % {"status": Status(case.status).label, "action": Action(action).label}, case)
    from_level = case.level
    effects = Effects(step=CaseStep(case=case, action=action, from_status=from_status,
                                    from_level=from_level if from_status else "",
                                    actor=ctx.actor, actor_name=ctx.actor_name, note=note,
                                    at=ctx.at))
    data: dict[str, Any] = {}
    _EFFECTS[action](case, ctx, params, effects, data)
    if rule.target is not None:
        case.status = rule.target
    if case.status not in RUNNING:
        _stop_clock(case)
    case.version = (case.version or 0) + (1 if from_status else 0)
    step = effects.step
    step.seq = case.version
    step.to_status = case.status
    step.to_level = case.level
    step.responsible = case.responsible
    step.data = data
    return effects


# --- one function per action: field changes and records -----------------------------------


def _report(case, ctx, params, fx, data):
    case.version = 1
    case.level = case.max_level = level_for_tier(case.grid.tier)
    case.response_due_at = ctx.calendar.add_hours(case.reported_at,
                                                   case.category.response_hours)
    case.due_at = ctx.calendar.add_days(case.reported_at, case.category.handling_days)
    enter_level(case, case.level, ctx)
    data["source"] = case.source
    data["grid"] = case.grid.code


def _accept(case, ctx, params, fx, data):
    case.accepted_at = ctx.at


def _decline(case, ctx, params, fx, data):
    if not fx.step.note.strip():
        raise CaseError(_("Say why the case is declined."))
    case.accepted_at = case.accepted_at or ctx.at
    case.closed_at = ctx.at


def _mark_duplicate(case, ctx, params, fx, data):
    original = _require(params, "duplicate_of", _("Choose the case this one duplicates."))
    if original is case or (original.pk is not None and original.pk == case.pk) \
            or original.status == Status.MERGED:
        raise CaseError(_("A case cannot duplicate itself or another duplicate."))
    case.duplicate_of = original
    case.accepted_at = case.accepted_at or ctx.at
    case.closed_at = ctx.at
    data["duplicate_of"] = original.tracking_code


def _dispatch(case, ctx, params, fx, data):
    handler = params.get("handler")
    unit = params.get("handling_unit", "")
    if handler is None and not unit:
        raise CaseError(_("Choose a handler or a handling unit."))
    plan = _require(params, "plan", _("Write down the plan (joint discussion list)."))
    case.handler = handler
    case.handling_unit = unit
    case.accepted_at = case.accepted_at or ctx.at
    fx.discussions.append(DiscussionEntry(
        case=case, plan=plan, participants=params.get("participants", ""),
        units=params.get("units", unit), recorded_by=ctx.actor, at=ctx.at))
    data.update(handler=handler.name if handler else "", handling_unit=unit)
    if handler is not None:
        fx.notices.append(Notice("assigned", case, worker_id=handler.pk))


def _start(case, ctx, params, fx, data):
    pass


def _feedback(case, ctx, params, fx, data) -> None:
    outcome = params.get("outcome") or Outcome.RESOLVED
    if outcome not in Outcome.values:
        raise CaseError(_("Unknown outcome."))
    result = _require(params, "result", _("Describe the result (feedback list)."))
    case.outcome, case.result, case.handled_at = outcome, result, ctx.at
    fx.feedback.append(FeedbackEntry(case=case, outcome=outcome, result=result,
                                     recorded_by=ctx.actor, at=ctx.at))
    data["outcome"] = outcome


def _handle(case, ctx, params, fx, data):
    _feedback(case, ctx, params, fx, data)


def _handle_on_spot(case, ctx, params, fx, data):
    if case.level != Level.GRID:
        raise CaseError(_("Only a case still in its grid can be handled on the spot."))
    _feedback(case, ctx, params, fx, data)
    case.accepted_at = case.accepted_at or ctx.at
    case.handler = params.get("handler") or case.handler
    fx.discussions.append(DiscussionEntry(
        case=case, plan=params.get("plan") or _("Handled on the spot (小事即办)."),
        participants=params.get("participants") or ctx.actor_name,
        units=params.get("units", ""), recorded_by=ctx.actor, at=ctx.at))
    _close(case, ctx, params, fx, data)


def _close(case, ctx, params, fx, data):
    case.closed_at = ctx.at
    case.published = case.source == Source.ONLINE and not case.category.sensitive
    if case.reporter_phone or case.reporter_email or case.source == Source.ONLINE:
        fx.notices.append(Notice("result_ready", case, to_reporter=True))


def _rework(case, ctx, params, fx, data):
    if not fx.step.note.strip():
        raise CaseError(_("Say what must be redone."))
    case.rework_count += 1
    case.handled_at = None
    # The level's time starts again for the redo.
    enter_level(case, case.level, ctx)


def _evaluation(params) -> str:
    value = _require(params, "evaluation", _("Choose satisfied, basically satisfied or "
                                             "dissatisfied."))
    if value not in Evaluation.values:
        raise CaseError(_("Choose satisfied, basically satisfied or dissatisfied."))
    return value


def _record_view(case, ctx, params, fx, data, value):
    case.evaluation = value
    case.evaluation_comment = params.get("comment", "")[:500]
    case.evaluated_at = ctx.at
    latest = params.get("latest_feedback")
    if latest is not None:
        latest.evaluation, latest.evaluated_at = value, ctx.at
        latest.evaluation_comment = case.evaluation_comment
        fx.updated_feedback.append(latest)
    data["evaluation"] = value


def _evaluate(case, ctx, params, fx, data):
    value = _evaluation(params)
    if value == Evaluation.DISSATISFIED:
        raise CaseError(_("A dissatisfied reporter reopens the case."))
    _record_view(case, ctx, params, fx, data, value)


def _reopen(case, ctx, params, fx, data):
    value = params.get("evaluation") or Evaluation.DISSATISFIED
    if value != Evaluation.DISSATISFIED:
        raise CaseError(_("Only a dissatisfied reporter reopens the case."))
    _record_view(case, ctx, params, fx, data, value)
    case.rework_count += 1
    case.closed_at = case.handled_at = None
    case.published = False
    enter_level(case, case.level, ctx)
    if case.handler_id:
        fx.notices.append(Notice("assigned", case, worker_id=case.handler_id))


def _raise(case, ctx, params, fx, data):
    index = LEVEL_ORDER.index(case.level)
    if index + 1 >= len(LEVEL_ORDER):
        raise CaseError(_("The street is the top level: put the case on the secretary's "
                          "direct line instead."))
    if not fx.step.note.strip():
        raise CaseError(_("Say why the case is raised."))
    case.accepted_at = case.accepted_at or ctx.at
    case.handler = None
    case.handling_unit = ""
    case.escalated = True
    enter_level(case, LEVEL_ORDER[index + 1], ctx)
    data["automatic"] = ctx.actor is None
    fx.notices.append(Notice("raised", case, grid_code=case.responsible.code))


def _direct_line(case, ctx, params, fx, data):
    if case.level != Level.STREET:
        raise CaseError(_("Only the street puts a case on the secretary's direct line."))
    if params.get("open_item") is not None:
        raise CaseConflict(_("This case is already on the direct-line agenda."), case)
    if not fx.step.note.strip():
        raise CaseError(_("Say why the case goes to the direct line."))
    meeting = params.get("meeting")
    fx.new_item = DirectLineItem(case=case, meeting=meeting, reason=fx.step.note[:300],
                                 added_at=ctx.at)
    case.escalated = True
    _stop_clock(case)
    data["meeting"] = meeting.pk if meeting else None
    fx.notices.append(Notice("raised", case, grid_code=case.responsible.code))


def _direct_line_decision(case, ctx, params, fx, data):
    item = params.get("open_item")
    if item is None:
        raise CaseError(_("This case is not on the direct-line agenda."))
    decision = _require(params, "decision", _("Choose a decision."))
    item.decision, item.decision_note, item.decided_at = decision, fx.step.note, ctx.at
    meeting = params.get("meeting") or item.meeting
    item.meeting = meeting
    fx.decided_item = item
    data["decision"] = decision
    if decision == Decision.DISPATCH:
        days = int(params.get("days") or 10)
        fx.discussions.append(DiscussionEntry(
            case=case, plan=fx.step.note or _("Decided at the direct-line meeting."),
            participants=getattr(meeting, "participants", "")[:300],
            units=params.get("handling_unit", ""), recorded_by=ctx.actor, at=ctx.at))
        handler = params.get("handler")
        if handler is None and not params.get("handling_unit"):
            raise CaseError(_("Choose a handler or a handling unit."))
        case.handler, case.handling_unit = handler, params.get("handling_unit", "")
        case.status = Status.DISPATCHED
        case.level_since = ctx.at
        case.level_due_at = ctx.calendar.add_days(ctx.at, days)
        case.level_warn_at = ctx.calendar.add_days(ctx.at, max(days - 1, 0))
        case.warned_at = None
        data["days"] = days
        if handler is not None:
            fx.notices.append(Notice("assigned", case, worker_id=handler.pk))
    elif decision == Decision.DEFER:
        case.status = Status.DEFERRED
        case.deferred_until = params.get("until")
    elif decision == Decision.DECLINE:
        case.status = Status.DECLINED
        case.closed_at = ctx.at
    else:
        raise CaseError(_("Choose a decision."))


def _request_deferral(case, ctx, params, fx, data):
    if not fx.step.note.strip():
        raise CaseError(_("Say why the case should be deferred."))
    case.deferral_requested = True
    fx.notices.append(Notice("deferral_requested", case, grid_code=case.responsible.code))


def _defer(case, ctx, params, fx, data):
    if not fx.step.note.strip():
        raise CaseError(_("Say why the case is deferred."))
    case.deferral_requested = False
    case.deferred_until = params.get("until")
    data["until"] = str(case.deferred_until or "")


def _resume(case, ctx, params, fx, data):
    case.deferred_until = None
    enter_level(case, case.level, ctx)


def _discuss(case, ctx, params, fx, data):
    plan = _require(params, "plan", _("Write down the plan (joint discussion list)."))
    fx.discussions.append(DiscussionEntry(
        case=case, plan=plan, participants=params.get("participants", ""),
        units=params.get("units", ""), recorded_by=ctx.actor, at=ctx.at))


def _relocate(case, ctx, params, fx, data):
    grid = _require(params, "grid", _("Choose the micro-grid."))
    if grid.tier != Tier.MICRO_GRID:
        raise CaseError(_("Choose a micro-grid."))
    data["from_grid"] = case.grid.code
    data["grid"] = grid.code
    case.grid = grid
    # The new micro-grid takes the case on from the start of the loop. A case that was
    # only filed high up for want of a place (an address-only hotline order) has not left
    # the grid; one raised by a level has.
    if not case.escalated:
        case.max_level = Level.GRID
    enter_level(case, Level.GRID, ctx)


def _warn(case, ctx, params, fx, data):
    case.warned_at = ctx.at
    fx.notices.append(Notice("near_deadline", case, worker_id=case.handler_id,
                             grid_code="" if case.handler_id else case.responsible.code))


def _comment(case, ctx, params, fx, data):
    if not fx.step.note.strip():
        raise CaseError(_("Write the note."))


_EFFECTS: dict[str, Callable] = {
    Action.REPORT: _report,
    Action.ACCEPT: _accept,
    Action.DECLINE: _decline,
    Action.MARK_DUPLICATE: _mark_duplicate,
    Action.DISPATCH: _dispatch,
    Action.START: _start,
    Action.HANDLE: _handle,
    Action.HANDLE_ON_SPOT: _handle_on_spot,
    Action.CLOSE: _close,
    Action.REWORK: _rework,
    Action.EVALUATE: _evaluate,
    Action.REOPEN: _reopen,
    Action.RAISE: _raise,
    Action.DIRECT_LINE: _direct_line,
    Action.DIRECT_LINE_DECISION: _direct_line_decision,
    Action.REQUEST_DEFERRAL: _request_deferral,
    Action.DEFER: _defer,
    Action.RESUME: _resume,
    Action.DISCUSS: _discuss,
    Action.RELOCATE: _relocate,
    Action.WARN: _warn,
    Action.COMMENT: _comment,
}
assert set(_EFFECTS) == set(TRANSITIONS) == set(Action.values)
