"""Reads of the channels. What every Open311 POST needs and what changes a few times a year
(the streets, the services, the clients' keys) each process keeps for `TTL_S` seconds
instead of asking the database on every request: a change made in the admin reaches the
process that made it at once and every other serving process within that time (a
deactivated key may still be taken for up to `TTL_S` seconds elsewhere)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

from wangge.cases.models import Category
from wangge.cases.selectors import leaf_categories
from wangge.channels.choices import Intake
from wangge.channels.models import ApiClient, Open311Submission
from wangge.channels.services import api_key_hash
from wangge.grids.choices import Tier
from wangge.grids.locate import LocateIndex, current_index
from wangge.grids.models import Grid

TTL_S = 30.0
T = TypeVar("T")
_cache: dict[str, tuple[float, object]] = {}
_lock = threading.Lock()


def _cached(name: str, load: Callable[[], T]) -> T:
    now = time.monotonic()
    hit = _cache.get(name)
    if hit is None or now - hit[0] > TTL_S:
        value = load()
        with _lock:
            _cache[name] = hit = (now, value)
    return hit[1]  # type: ignore[return-value]


def cache_clear() -> None:
    """Forget the kept copies (after a change in this process, and between tests)."""
    with _lock:
        _cache.clear()


def streets() -> list[Grid]:
    """The streets (jurisdictions), by code, without their boundaries."""
    return _cached("streets", lambda: list(Grid.objects.filter(tier=Tier.STREET)
                                           .defer("boundary").order_by("code")))


def services() -> dict[str, Category]:
    """The services offered (active leaf categories, with their line of work) by code."""
    return _cached("services", lambda: {c.code: c for c in leaf_categories()})


def locate_index() -> LocateIndex:
    """The micro-grids' locate index, its revision checked at most every `TTL_S` seconds:
    the intake's check that a point lies in the street. (The drain files the case with
    `case_report`, which locates it again with the current index.)"""
    return _cached("locate", current_index)


def api_client(key: str) -> ApiClient | None:
    """The active client holding `key`. A key not among the kept ones is looked up (it may
    have been issued a moment ago) and kept from then on."""
    if not key:
        return None
    digest = api_key_hash(key)
    clients: dict[str, ApiClient] = _cached(
        "clients", lambda: {c.key_hash: c for c in ApiClient.objects.filter(active=True)})
    client = clients.get(digest)
    if client is None:
        client = ApiClient.objects.filter(key_hash=digest, active=True).first()
        if client is not None:
            with _lock:
                clients[digest] = client
    return client


def intake_for(client: ApiClient | None) -> str:
    """realtime or batch (`choices.Intake`): the client's own choice, else the
    installation's (`WANGGE_OPEN311_INTAKE`)."""
    if client is not None and client.intake:
        return client.intake
    return getattr(settings, "WANGGE_OPEN311_INTAKE", Intake.REALTIME)


def submission_for_token(*, street: Grid, token: str) -> dict | None:
    """A batch submission of the street by its token: `token`, `error` and the case's
    tracking code once filed (`case__tracking_code`, else None)."""
    return (Open311Submission.objects.filter(street=street, token=token.upper())
            .values("token", "error", "case__tracking_code").first())
