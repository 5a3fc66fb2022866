"""The sweeps running by themselves inside the web server: a daemon thread that runs every
registered sweep (`core/sweeps.py`) every `WANGGE_SWEEP_INTERVAL` seconds. Several servers
may each run one: sweeps are idempotent and take row locks. A scheduler running
`wangge sweep` does the same where the thread is switched off (interval 0)."""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger("wangge.sweep")
_started = threading.Event()


def _loop(interval: int, stop: threading.Event) -> None:
    from wangge.core.sweeps import run_all

    while not stop.wait(interval):
        try:
            close_old_connections()
            for name, result in run_all().items():
                if result:
                    log.info("sweep %s: %s", name, result)
        except Exception:
            log.exception("sweep failed; trying again in %s s", interval)
        finally:
            close_old_connections()


def start(stop: threading.Event | None = None) -> bool:
    """Start the thread once per process; False when switched off or already running."""
    interval = settings.WANGGE_SWEEP_INTERVAL
    if interval <= 0 or _started.is_set():
        return False
    _started.set()
    threading.Thread(target=_loop, args=(interval, stop or threading.Event()),
                     name="wangge-sweep", daemon=True).start()
    return True
