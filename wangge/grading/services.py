"""Writes of dynamic grading. Views, the API, the sweep and the command come through here.
A micro-grid's level changes only through `grids.services.grid_set_level`, with the
proposal's reasons as the reason kept in the level history."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from wangge.grading import indicators, selectors
from wangge.grading.choices import Indicator, ProposalStatus, RunKind
from wangge.grading.indicators import Config, Scored
from wangge.grading.models import (
    GradingBaseline,
    GradingModel,
    GradingRun,
    GradingSetting,
    LevelProposal,
)
from wangge.grids.choices import Level, Tier
from wangge.grids.models import Grid, GridType
from wangge.grids.services import GridChangeError, grid_set_level

MAX_WEIGHT = 1000.0


class GradingError(ValueError):
    """A grading change that is not allowed; the message is for the user."""


class GradingForbidden(GradingError):
    """The account may not do this (HTTP 403)."""


# --- the model and the setting ----------------------------------------------------------------


def _number(value, what: str, *, low: float = 0.0, high: float = MAX_WEIGHT) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise GradingError(_("%(what)s must be a number.") % {"what": what}) from None
    if math.isnan(number) or not low <= number <= high:
        raise GradingError(_("%(what)s must be between %(low)s and %(high)s.")
                           % {"what": what, "low": f"{low:g}", "high": f"{high:g}"})
    return number


def validate_config(*, weights: dict, category_weights: dict, yellow_from, red_from) -> Config:
    """Check a model's numbers (the form, the API and the preview use it too)."""
    unknown = set(weights) - set(Indicator.values)
    if unknown:
        raise GradingError(_("Unknown indicator: %(codes)s")
                           % {"codes": ", ".join(sorted(unknown))})
    clean = {code: _number(weights.get(code, 0), selectors.indicator_label(code))
             for code in Indicator.values}
    lines = {str(k): _number(v, str(k)) for k, v in (category_weights or {}).items()}
    yellow = _number(yellow_from, _("The yellow threshold"), low=0.1, high=100_000)
    red = _number(red_from, _("The red threshold"), low=0.1, high=100_000)
    if red <= yellow:
        raise GradingError(_("The red threshold must be above the yellow one."))
    return Config(clean, lines, yellow, red)


def grading_model_update(*, actor, grid_type: GridType | None, weights: dict,
                         category_weights: dict | None = None, yellow_from, red_from,
                         reason: str = "") -> GradingModel:
    """Save the model of a micro-grid type (None: the default); kept in its history."""
    if actor is not None and not selectors.may_tune(user=actor):
        raise GradingForbidden(_("Only the street's officers tune the grading model."))
    with transaction.atomic():
        # Ordered by id: the default ordering joins the (nullable) type, which PostgreSQL
        # will not lock.
        model = (GradingModel.objects.select_for_update().filter(grid_type=grid_type)
                 .order_by("pk").first()
                 or GradingModel(grid_type=grid_type))
        config = validate_config(
            weights=weights,
            category_weights=model.category_weights if category_weights is None
            else category_weights,
            yellow_from=yellow_from, red_from=red_from)
        model.weights = config.weights
        model.category_weights = config.category_weights
        model.yellow_from, model.red_from = config.yellow_from, config.red_from
        model.updated_by = actor
        model._history_user = actor
        model._change_reason = selectors.fit_reason(reason or _("tuned in the console"))
        model.save()
    return model


def grading_setting_update(*, actor, street: Grid, auto_apply: bool) -> GradingSetting:
    if actor is not None and not selectors.may_tune(user=actor):
        raise GradingForbidden(_("Only the street's officers change the grading setting."))
    if street.tier != Tier.STREET:
        raise GradingError(_("The setting belongs to a street."))
    with transaction.atomic():
        setting, _created = GradingSetting.objects.select_for_update().get_or_create(
            street=street)
        setting.auto_apply = bool(auto_apply)
        setting.updated_by = actor
        setting._history_user = actor
        setting.save()
    return setting


# --- computing --------------------------------------------------------------------------------


def _contributions(scored: Scored, config: Config, since: dict | None) -> list[dict]:
    rows = [{"indicator": code, "value": value,
             "weight": float(config.weights.get(code, 0.0)), "points": scored.points[code],
             "since": None if since is None else since.get(code)}
            for code, value in scored.values.items()]
    return sorted(rows, key=lambda r: (-r["points"], r["indicator"]))


def _values_of(proposal: LevelProposal) -> dict:
    return {c["indicator"]: c["value"] for c in proposal.contributions}


def _set_baseline(*, grid: Grid, values: dict, level: str, at: dt.datetime) -> None:
    GradingBaseline.objects.update_or_create(grid=grid, defaults={
        "values": values, "level": level, "at": at})


def grading_recompute(*, actor, now: dt.datetime | None = None,
                      kind: str = RunKind.ON_DEMAND) -> GradingRun:
    """Score every micro-grid; propose a change where the computed level differs from the
    current one (updating the open proposal when it proposes the same), supersede proposals
    no longer borne out, and apply at once where the street's setting says so."""
    if actor is not None and not selectors.may_tune(user=actor):
        raise GradingForbidden(_("Only the street's officers recompute the levels."))
    now = now or timezone.now()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        run = GradingRun.objects.create(kind=kind, day=timezone.localdate(now), started_at=now,
                                        actor=actor)
        configs = selectors.configs()
        grids = list(Grid.objects.micro_grids()
                     .values_list("id", "code", "level", "grid_type_id").order_by("code"))
        raws = indicators.collect(now=now)
        open_by_grid = {p.grid_id: p for p in
                        LevelProposal.objects.open().select_for_update().order_by()}
        # A baseline counts while the micro-grid still has the level it was taken at.
        baselines = {gid: (values, level) for gid, values, level in
                     GradingBaseline.objects.values_list("grid_id", "values", "level")}
        empty = indicators.Raw()
        created: list[LevelProposal] = []
        updated: list[LevelProposal] = []
        superseded: list[LevelProposal] = []
        new_baselines: list[GradingBaseline] = []
        stale_baselines: list[GradingBaseline] = []
        for gid, _code, level, type_id in grids:
            config = selectors.config_for(configs, type_id)
            scored = indicators.score(raws.get(gid, empty), config)
            current = open_by_grid.get(gid)
            since, since_level = baselines.get(gid, (None, None))
            if since_level != level:
                since = None
            if scored.level == level:
                if current is not None:
                    superseded.append(current)
                if since is None:
                    row = GradingBaseline(grid_id=gid, values=scored.values, level=level, at=now)
                    (new_baselines if since_level is None else stale_baselines).append(row)
                continue
            fields = {"run": run, "score": scored.score, "yellow_from": config.yellow_from,
                      "red_from": config.red_from, "updated_at": now,
                      "contributions": _contributions(scored, config, since)}
            if current is not None and (current.from_level, current.to_level) == \
                    (level, scored.level):
                for name, value in fields.items():
                    setattr(current, name, value)
                updated.append(current)
                continue
            if current is not None:
                superseded.append(current)
            created.append(LevelProposal(grid_id=gid, from_level=level, to_level=scored.level,
                                         created_at=now, **fields))
        for proposal in superseded:
            proposal.status = ProposalStatus.SUPERSEDED
            proposal.updated_at = now
        reason = _("grading computation")
        if superseded:
            bulk_update_with_history(superseded, LevelProposal, ["status", "updated_at"],
                                     batch_size=1000, default_user=actor,
                                     default_change_reason=reason)
        if updated:
            bulk_update_with_history(
                updated, LevelProposal, ["run", "score", "yellow_from", "red_from",
                                         "contributions", "updated_at"],
                batch_size=1000, default_user=actor, default_change_reason=reason)
        if created:
            created = bulk_create_with_history(created, LevelProposal, batch_size=1000,
                                               default_user=actor, default_change_reason=reason)
        GradingBaseline.objects.bulk_create(new_baselines, batch_size=1000)
        if stale_baselines:
            GradingBaseline.objects.bulk_create(
                stale_baselines, batch_size=1000, update_conflicts=True,
                unique_fields=["grid"], update_fields=["values", "level", "at"])
        run.micro_grids, run.proposed = len(grids), len(created)
        run.updated, run.superseded = len(updated), len(superseded)
        run.applied = _auto_apply(run, now=now)
        run.save()
    return run


def _auto_apply(run: GradingRun, *, now: dt.datetime) -> int:
    """Apply this run's open proposals in streets whose setting says so, without an actor."""
    streets = list(GradingSetting.objects.filter(auto_apply=True)
                   .values_list("street__code", flat=True))
    if not streets:
        return 0
    in_streets = Q()
    for code in streets:
        in_streets |= Q(grid__code__startswith=code)
    applied = 0
    for proposal in (LevelProposal.objects.open().filter(in_streets, run=run)
                     .select_related("grid").defer("grid__boundary").order_by("grid__code")):
        _decide(proposal, actor=None, status=ProposalStatus.AUTO_APPLIED,
                level=proposal.to_level, note="", now=now)
        applied += 1
    return applied


def grading_sweep(*, now: dt.datetime | None = None) -> str:
    """The daily recompute: once a day, whichever server gets there first; '' otherwise."""
    now = now or timezone.now()
    if GradingRun.objects.filter(kind=RunKind.SWEEP, day=timezone.localdate(now)).exists():
        return ""
    try:
        run = grading_recompute(actor=None, now=now, kind=RunKind.SWEEP)
    except IntegrityError:  # another server's sweep of the same day got in first
        return ""
    return (f"{run.micro_grids} micro-grids scored: {run.proposed} proposed, "
            f"{run.updated} updated, {run.superseded} superseded, {run.applied} applied")


# --- deciding ---------------------------------------------------------------------------------


def _decide(proposal: LevelProposal, *, actor, status: str, level: str, note: str,
            now: dt.datetime) -> None:
    """Apply a decision on a locked, open proposal: the level through `grid_set_level`."""
    grid = proposal.grid
    if grid.level != proposal.from_level:
        raise GradingError(_("The level of %(grid)s changed since this proposal was made; "
                             "recompute first.") % {"grid": grid.name})
    if level != grid.level:
        if status == ProposalStatus.OVERRIDDEN:
            reason = _("Grading proposal overridden: %(note)s") % {"note": note}
        else:
            with translation.override(settings.LANGUAGE_CODE):
                reason = selectors.proposal_reason(proposal)
            if status == ProposalStatus.AUTO_APPLIED:
                reason = _("Applied automatically.") + " " + reason
            if note:
                reason += " " + _("Note: %(note)s") % {"note": note}
        try:
            grid_set_level(grid=grid, level=level, actor=actor,
                           reason=selectors.fit_reason(reason))
        except GridChangeError as exc:
            raise GradingError(str(exc)) from None
    proposal.status = status
    proposal.decided_level = level
    proposal.decided_by = actor
    proposal.decided_at = now
    proposal.note = note
    proposal.updated_at = now
    proposal._change_reason = selectors.fit_reason(note or status)
    proposal._history_user = actor
    proposal.save()
    _set_baseline(grid=grid, values=_values_of(proposal), level=level, at=now)


def _lock_open(proposal: LevelProposal, actor) -> LevelProposal:
    locked = (LevelProposal.objects.select_for_update().select_related("grid")
              .get(pk=proposal.pk))
    if not selectors.may_decide(user=actor, proposal=locked):
        raise GradingForbidden(_("Only community officers and above decide on a level "
                                 "proposal."))
    if locked.status != ProposalStatus.PROPOSED:
        raise GradingError(_("This proposal has already been %(status)s.")
                           % {"status": locked.get_status_display()})
    return locked


def proposal_confirm(*, proposal: LevelProposal, actor, note: str = "") -> LevelProposal:
    """Accept the proposed level: it is set with the proposal's reasons as the reason."""
    note = (note or "").strip()
    with transaction.atomic():
        locked = _lock_open(proposal, actor)
        _decide(locked, actor=actor, status=ProposalStatus.CONFIRMED, level=locked.to_level,
                note=note, now=timezone.now())
    return locked


def proposal_override(*, proposal: LevelProposal, actor, level: str,
                      note: str) -> LevelProposal:
    """Keep the current level, or set another than proposed, with the officer's note."""
    note = (note or "").strip()
    if level not in Level.values:
        raise GradingError(_("Unknown level: %(level)s") % {"level": level})
    if not note:
        raise GradingError(_("Say why the proposal is overridden."))
    with transaction.atomic():
        locked = _lock_open(proposal, actor)
        _decide(locked, actor=actor, status=ProposalStatus.OVERRIDDEN, level=level, note=note,
                now=timezone.now())
    return locked
