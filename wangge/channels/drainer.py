"""The drain of Open311 batch submissions running by itself inside a serving process: a
daemon thread, started by the first submission the process accepts, that files waiting
submissions (`services.submissions_drain`) and otherwise looks again every
`WANGGE_OPEN311_DRAIN_INTERVAL` seconds, so that it also picks up what another process
left behind. Several processes may each run one: the drain is idempotent and claims its
rows. With the interval at 0 there is no thread, and a scheduler runs
`wangge channels open311-drain` (or `wangge sweep`, which drains too).

The point of batch intake is to answer a burst of requests quickly, so the drain gives way
to them: it files while no new submission has come in for `QUIET_S` (the moment a burst
ends, or at once between the requests of ordinary traffic), and while requests keep
coming, once the oldest has waited `WANGGE_OPEN311_DRAIN_MAX_LAG` seconds, `LAG_BATCH` at a
time with a pause of `QUIET_S` between, so that filing goes on at a bounded share of the
machine (some 35 cases/s with four processes) while the requests keep their answers fast."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

log = logging.getLogger("wangge.channels.open311")
DEFAULT_INTERVAL_S = 5
DEFAULT_MAX_LAG_S = 30
QUIET_S = 1.0
LAG_BATCH = 10
_wake = threading.Event()
_lock = threading.Lock()
_started_in: int | None = None  # the process id: a forked child starts its own thread


def interval() -> int:
    return int(getattr(settings, "WANGGE_OPEN311_DRAIN_INTERVAL", DEFAULT_INTERVAL_S))


def max_lag() -> float:
    return float(getattr(settings, "WANGGE_OPEN311_DRAIN_MAX_LAG", DEFAULT_MAX_LAG_S))


def next_step(*, now: dt.datetime | None = None) -> tuple[str, float]:
    """What the drain does now: ("idle", 0) with nothing waiting; ("drain", 0) when no
    submission came in for `QUIET_S`; ("lagging", 0) when requests keep coming but the
    oldest has waited `max_lag()`; else ("wait", seconds until one of those)."""
    from wangge.channels.models import Open311Submission

    now = now or timezone.now()
    pending = Open311Submission.objects.pending().values_list("received_at", flat=True)
    newest = pending.order_by("-id").first()
    if newest is None:
        return "idle", 0.0
    quiet_in = QUIET_S - (now - newest).total_seconds()
    if quiet_in <= 0:
        return "drain", 0.0
    oldest = pending.order_by("id").first() or newest
    lag_in = max_lag() - (now - oldest).total_seconds()
    if lag_in <= 0:
        return "lagging", 0.0
    return "wait", min(quiet_in, lag_in)


def drain_step() -> tuple[str, float]:
    """One pass of the thread: file what `next_step` allows. Returns the step taken and
    how long to wait before the next."""
    from wangge.channels.services import DRAIN_BATCH, submissions_drain

    step, wait = next_step()
    if step in ("drain", "lagging"):
        result = submissions_drain(limit=DRAIN_BATCH if step == "drain" else LAG_BATCH)
        if result:
            log.info("open311 drain: %s", result)
        if not result or step == "lagging":
            # Lagging: a pause for the requests. Nothing filed: the rest is claimed by
            # other processes' drains; look again in a moment.
            return "wait", QUIET_S
    return step, wait


def _loop(every: int) -> None:
    while True:
        _wake.wait(every)
        _wake.clear()
        step = "drain"
        while step != "idle":
            try:
                close_old_connections()
                step, wait = drain_step()
            except Exception:
                log.exception("open311 drain failed; trying again in %s s", every)
                step, wait = "idle", 0.0
            finally:
                close_old_connections()
            if step == "wait":
                time.sleep(wait)


def start() -> bool:
    """Start this process's drain thread once; False when switched off or running."""
    global _started_in
    every = interval()
    if every <= 0 or _started_in == os.getpid():
        return False
    with _lock:
        if _started_in == os.getpid():
            return False
        _started_in = os.getpid()
        threading.Thread(target=_loop, args=(every,), name="wangge-open311-drain",
                         daemon=True).start()
    return True


def kick() -> None:
    """A submission was committed: look soon (starting the thread if need be)."""
    if interval() > 0:
        start()
        _wake.set()
