"""The periodic sweeps every app may add (cases raised when lapsed, follow-up tasks made
overdue, micro-grid levels re-graded once a day). An app registers its sweep in its
`AppConfig.ready`; the sweeper thread (`core/sweeper.py`) and `wangge sweep` run them all in
registration order. Every sweep must be idempotent: running it twice at the same moment does
nothing the second time, and several servers may run it at once."""

import datetime as dt
import logging
from collections.abc import Callable

log = logging.getLogger("wangge.sweep")

Sweep = Callable[..., object]
_sweeps: dict[str, Sweep] = {}


def register(name: str, sweep: Sweep) -> None:
    """Add a sweep: a callable taking a keyword `now` and returning something printable."""
    _sweeps[name] = sweep


def registered() -> dict[str, Sweep]:
    return dict(_sweeps)


def run_all(*, now: dt.datetime | None = None) -> dict[str, object]:
    """Run every registered sweep; one that fails is logged and does not stop the others."""
    results: dict[str, object] = {}
    for name, sweep in _sweeps.items():
        try:
            results[name] = sweep(now=now)
        except Exception:
            log.exception("sweep %s failed", name)
            results[name] = None
    return results
