"""Case figures (办结率, 按期办结率, ...). `facts` and `record_change` are called by
`services` around every move so that precomputed figures stay current in the same
transaction; `rebuild` recomputes them from the cases (after bulk loads)."""

from __future__ import annotations

from wangge.cases.models import Case


def facts(case: Case):
    """What the figures need to know of one case (None for a case not yet saved)."""
    return None


def record_change(case: Case, before, after) -> None:
    """Apply the difference a move made to the precomputed figures."""


def rebuild() -> None:
    """Recompute every precomputed figure from the cases."""
