"""Prometheus metrics at /metrics: request latency and counts by view, method and status
class (`MetricsMiddleware`), the cases past or near their level's time limit (read from the
database at scrape time, reused for WANGGE_METRICS_CACHE_SECONDS), and the sweeps' runs and
last success.

Under gunicorn with several workers each worker counts its own requests: set
PROMETHEUS_MULTIPROC_DIR to an empty directory writable by the app (deploy/gunicorn.conf.py
empties it at start and tells prometheus-client when a worker exits); the scrape then sums
every worker's files, and `wangge sweep` run by the timer with the same environment adds its
own. Only a scraper with the bearer token WANGGE_METRICS_TOKEN, or from
WANGGE_METRICS_ALLOWED_IPS, gets an answer; anyone else gets 404.

The case gauges live in `wangge.cases.metrics` (registered by the cases app), so core
reads no other app's tables.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import threading
import time

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

log = logging.getLogger("wangge.metrics")

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_LABELS = ["view", "method", "status"]

REQUEST_SECONDS = Histogram(
    "wangge_http_request_duration_seconds",
    "Time from receiving a request to returning its response, by view, method and status "
    "class.", _LABELS,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
REQUESTS = Counter("wangge_http_requests", "Requests answered, by view, method and status "
                   "class.", _LABELS)
SWEEP_RUNS = Counter("wangge_sweep_runs", "Runs of each periodic sweep, by outcome (ok or "
                     "failed).", ["sweep", "outcome"])
SWEEP_LAST_SUCCESS = Gauge("wangge_sweep_last_success_timestamp_seconds",
                           "When each sweep last ran without error (Unix time).", ["sweep"],
                           multiprocess_mode="max")


def _safely(record) -> None:
    """Counting must never break the work counted (e.g. PROMETHEUS_MULTIPROC_DIR missing)."""
    try:
        record()
    except Exception:
        log.warning("metrics: could not record", exc_info=True)


def sweep_finished(name: str, *, ok: bool) -> None:
    """Count one run of a sweep (called by `core.sweeps.run_all`)."""

    def record():
        SWEEP_RUNS.labels(sweep=name, outcome="ok" if ok else "failed").inc()
        if ok:
            SWEEP_LAST_SUCCESS.labels(sweep=name).set(time.time())

    _safely(record)


class MetricsMiddleware:
    """Times every request; the view label is the URL name (`cases:detail`), so that
    `/cases/ABC/` and `/cases/DEF/` count together; unmatched paths count as `unmatched`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        labels = {
            "view": (match.view_name or "unnamed") if match else "unmatched",
            "method": request.method if request.method in _METHODS else "other",
            "status": f"{response.status_code // 100}xx",
        }
        seconds = time.perf_counter() - started
        _safely(lambda: (REQUEST_SECONDS.labels(**labels).observe(seconds),
                         REQUESTS.labels(**labels).inc()))
        return response


# Collectors that read the database at scrape time (e.g. the cases' overdue queue, which
# `wangge.cases.metrics` registers): apps add theirs with `register_scrape_collector`.
_SCRAPED = CollectorRegistry(auto_describe=False)


def register_scrape_collector(collector) -> None:
    _SCRAPED.register(collector)


class CachedCollector:
    """A gauge collector whose `count()` (a database read) is reused for
    WANGGE_METRICS_CACHE_SECONDS, so that several scrapers cost one query; a database error
    leaves its gauges out of that scrape."""

    def __init__(self):
        self._lock = threading.Lock()
        self._at = -float("inf")
        self._values = None

    def count(self):
        raise NotImplementedError

    def values(self):
        with self._lock:
            if time.monotonic() - self._at >= settings.WANGGE_METRICS_CACHE_SECONDS:
                try:
                    self._values = self.count()
                except DatabaseError:
                    log.warning("metrics: cannot count for %s", type(self).__name__,
                                exc_info=True)
                    self._values = None
                self._at = time.monotonic()
            return self._values

    def clear(self) -> None:
        with self._lock:
            self._at = -float("inf")


def allowed(request) -> bool:
    """A scraper with the token, or from an allowed address; nobody when neither is set."""
    token = settings.WANGGE_METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "")
        if hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return True
    if settings.WANGGE_METRICS_ALLOWED_IPS:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(n, strict=False)
                   for n in settings.WANGGE_METRICS_ALLOWED_IPS)
    return False


def exposition() -> bytes:
    """The metrics in Prometheus' text format: this process's, or with
    PROMETHEUS_MULTIPROC_DIR every worker's summed; then the case gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_SCRAPED)


@never_cache
@require_GET
def metrics_view(request):
    if not allowed(request):
        raise Http404
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
