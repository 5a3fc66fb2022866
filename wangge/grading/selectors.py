"""Reads of dynamic grading: the models, who may tune and decide, the open proposals in a
user's part of the tree, what a proposal's reasons say, and the preview of a model being
tuned (computed, never written)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.scope import restrict, scope_prefixes, scope_reaches
from wangge.grading import indicators, reference
from wangge.grading.choices import Indicator, ProposalStatus
from wangge.grading.indicators import Config
from wangge.grading.models import GradingModel, GradingSetting, LevelProposal
from wangge.grids.choices import CODE_LENGTH, Level, Tier
from wangge.grids.models import Grid, GridType
from wangge.grids.selectors import may_set_level

PREVIEW_ROWS = 50


# --- who may do what --------------------------------------------------------------------------


def may_tune(*, user) -> bool:
    """The street's officers tune the model and the setting and ask for a recompute: a
    superuser, or an account whose part of the tree is a street or wider."""
    return scope_reaches(user, widest=CODE_LENGTH[Tier.STREET])


def may_decide(*, user, proposal: LevelProposal) -> bool:
    """Community officers and above confirm or override (as they change levels by hand)."""
    return may_set_level(user=user, grid=proposal.grid)


# --- models -----------------------------------------------------------------------------------


def model_list() -> list[GradingModel]:
    return list(GradingModel.objects.select_related("grid_type", "updated_by"))


def configs() -> dict[int | None, Config]:
    """The saved model of each micro-grid type (key: type id), and the default (key None)."""
    out = {m.grid_type_id: Config.of(m) for m in GradingModel.objects.all()}
    out.setdefault(None, Config(dict(reference.DEFAULT_WEIGHTS),
                                dict(reference.DEFAULT_CATEGORY_WEIGHTS),
                                reference.DEFAULT_YELLOW_FROM, reference.DEFAULT_RED_FROM))
    return out


def config_for(configs: dict[int | None, Config], grid_type_id: int | None) -> Config:
    return configs.get(grid_type_id) or configs[None]


def grid_types() -> list[GridType]:
    return list(GridType.objects.order_by("sort_order", "code"))


def setting_for(*, street: Grid) -> GradingSetting:
    """The street's setting, unsaved with the defaults when it has none yet."""
    return GradingSetting.objects.filter(street=street).first() or GradingSetting(street=street)


def settings_of(*, streets: list[Grid]) -> dict[int, GradingSetting]:
    """Each street's setting in one query (unsaved defaults where a street has none)."""
    saved = {s.street_id: s for s in GradingSetting.objects.filter(street__in=streets)}
    return {s.pk: saved.get(s.pk) or GradingSetting(street=s) for s in streets}


def streets_of(*, user) -> list[Grid]:
    return list(restrict(Grid.objects.filter(tier=Tier.STREET).only("id", "code", "name"),
                         user, "code", distinct=False).order_by("code"))


# --- proposals --------------------------------------------------------------------------------


def proposal_list(*, user, status: str = ProposalStatus.PROPOSED) -> QuerySet[LevelProposal]:
    """Proposals in the user's part of the tree (open ones by default), largest score first."""
    qs = (LevelProposal.objects.for_user(user)
          .select_related("grid", "grid__grid_type", "grid__parent", "decided_by")
          .defer("grid__boundary", "grid__parent__boundary"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-score", "grid__code")


def proposal_get(*, user, pk: int) -> LevelProposal:
    """One proposal in the user's part of the tree; DoesNotExist otherwise."""
    return proposal_list(user=user, status="").get(pk=pk)


def indicator_label(code: str) -> str:
    try:
        return str(Indicator(code).label)
    except ValueError:
        return code


def _number(value: float) -> str:
    return f"{value:g}"


def _moved_points(c: dict) -> float:
    """How many points an indicator's change since the level was set is worth."""
    since = c.get("since")
    return 0.0 if since is None else abs((c["value"] - since) * c["weight"])


def contribution_lines(proposal: LevelProposal, *, limit: int | None = None) -> list[str]:
    """Why: the indicators that moved since the level was set (when known), then those that
    give points, the largest first, with value, weight, points and how much each moved."""
    lines = []
    for c in sorted(proposal.contributions, key=lambda c: (-_moved_points(c), -c["points"])):
        if not c.get("points") and not _moved_points(c):
            continue
        line = _("%(indicator)s %(value)s × %(weight)s = %(points)s points") % {
            "indicator": indicator_label(c["indicator"]), "value": _number(c["value"]),
            "weight": _number(c["weight"]), "points": _number(c["points"])}
        since = c.get("since")
        if since is not None and since != c["value"]:
            line += _(" (%(delta)s since the level was set)") % {
                "delta": f"{c['value'] - since:+g}"}
        lines.append(line)
    return lines[:limit] if limit else lines


# The grid's history row keeps a level change's reason in 100 characters
# (django-simple-history's change reason), so the reason written with a level change is the
# short form; the proposal keeps the whole breakdown.
REASON_LENGTH = 100


def fit_reason(text: str) -> str:
    return text if len(text) <= REASON_LENGTH else text[:REASON_LENGTH - 1] + "…"


def proposal_reason(proposal: LevelProposal, *, limit: int = 3) -> str:
    """The reason written into the level history when the proposal is applied: the score,
    the new level and what moved it, the most first."""
    parts = []
    for c in sorted(proposal.contributions, key=lambda c: (-_moved_points(c), -c["points"])):
        if not c.get("points") and not _moved_points(c):
            continue
        part = f"{indicator_label(c['indicator'])} {_number(c['value'])}"
        since = c.get("since")
        if since is not None and since != c["value"]:
            part += f" ({c['value'] - since:+g})"
        parts.append(part)
    return _("Grading score %(score)s → %(to)s: %(reasons)s") % {
        "score": _number(proposal.score), "to": Level(proposal.to_level).label,
        "reasons": "; ".join(parts[:limit]) or "—"}


# --- preview ----------------------------------------------------------------------------------


@dataclass
class PreviewRow:
    code: str
    name: str
    current: str
    computed: str
    score: float


@dataclass
class Preview:
    """What a model would do, against the micro-grids' current levels."""

    scored: int = 0
    changes: int = 0
    saved_changes: int = 0
    recoloured: int = 0  # micro-grids whose computed colour differs from the saved model's
    by_move: dict[tuple[str, str], int] = field(default_factory=dict)
    rows: list[PreviewRow] = field(default_factory=list)

    def moves(self) -> list[dict]:
        return [{"from": a, "to": b, "from_label": Level(a).label, "to_label": Level(b).label,
                 "count": n} for (a, b), n in sorted(self.by_move.items())]


def grading_preview(*, user, configs_by_type: dict[int | None, Config],
                    now: dt.datetime | None = None) -> Preview:
    """How many of the user's micro-grids would change colour with these models (and which),
    against how many with the saved ones. Reads only."""
    now = now or timezone.now()
    saved = configs()
    trial = {**saved, **configs_by_type}
    grids = list(restrict(Grid.objects.micro_grids(), user, "code", distinct=False)
                 .values_list("id", "code", "name", "level", "grid_type_id").order_by("code"))
    raws = indicators.collect(now=now) if scope_prefixes(user) is None or len(grids) > 2000 \
        else indicators.collect(now=now, grid_ids=[g[0] for g in grids])
    empty = indicators.Raw()
    preview = Preview(scored=len(grids))
    moves: Counter = Counter()
    for gid, code, name, level, type_id in grids:
        raw = raws.get(gid, empty)
        new = indicators.score(raw, config_for(trial, type_id))
        old = indicators.score(raw, config_for(saved, type_id))
        if old.level != level:
            preview.saved_changes += 1
        if new.level != old.level:
            preview.recoloured += 1
        if new.level != level:
            preview.changes += 1
            moves[(level, new.level)] += 1
            if len(preview.rows) < PREVIEW_ROWS:
                preview.rows.append(PreviewRow(code, name, level, new.level, new.score))
    preview.by_move = dict(moves)
    return preview
