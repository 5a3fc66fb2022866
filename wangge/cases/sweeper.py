"""The sweep running by itself inside the web server: a daemon thread that calls
`case_sweep` every `WANGGE_SWEEP_INTERVAL` seconds. Several servers may each run one: the
sweep is idempotent and takes row locks. A scheduler running `wangge cases sweep` does the
same where the thread is switched off (interval 0)."""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger("wangge.sweep")
_started = threading.Event()


def _loop(interval: int, stop: threading.Event) -> None:
    from wangge.cases.services import case_sweep

    while not stop.wait(interval):
        try:
            close_old_connections()
            result = case_sweep()
            if result.raised or result.direct_line or result.warned:
                log.info("sweep: %s", result)
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
