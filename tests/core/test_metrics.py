"""/metrics (Prometheus) answers only the scraper, counts requests by view, shows the
overdue queue, and sums several processes' counts; logs carry request ids and can be JSON."""

import datetime as dt
import json
import logging
import os
import subprocess
import sys

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from wangge.cases.metrics import CASES
from wangge.cases.models import Case
from wangge.core.logging import JsonFormatter, RequestIdFilter, current_request_id

TOKEN = "scrape-token-for-tests"


@pytest.fixture
def metrics_on(db, settings):
    settings.WANGGE_METRICS_TOKEN = TOKEN
    settings.WANGGE_METRICS_ALLOWED_IPS = []
    CASES.clear()
    yield
    CASES.clear()


def _scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.content.decode())
            for s in family.samples}


def test_only_the_scraper_gets_an_answer(client, settings, metrics_on):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    # By address instead of a token.
    settings.WANGGE_METRICS_TOKEN = ""
    settings.WANGGE_METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.9").status_code == 404
    # Neither configured: off for everyone.
    settings.WANGGE_METRICS_ALLOWED_IPS = []
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_requests_are_counted_by_view_method_and_status_class(client, metrics_on):
    key = ("wangge_http_requests_total",
           (("method", "GET"), ("status", "2xx"), ("view", "healthz")))
    before = _scrape(client).get(key, 0)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/page/")
    after = _scrape(client)
    assert after[key] == before + 2
    assert after[("wangge_http_request_duration_seconds_count",
                  (("method", "GET"), ("status", "2xx"), ("view", "healthz")))] >= 2
    assert after[("wangge_http_requests_total",
                  (("method", "GET"), ("status", "4xx"), ("view", "unmatched")))] >= 1


def test_overdue_and_near_limit_cases_are_gauges(client, metrics_on, case_a):
    before = _scrape(client)
    overdue = ("wangge_cases_overdue", (("level", case_a.level),))
    near = ("wangge_cases_near_limit", (("level", case_a.level),))
    now = timezone.now()
    Case.objects.filter(pk=case_a.pk).update(level_due_at=now - dt.timedelta(hours=1))
    assert _scrape(client)[overdue] == before[overdue]  # reused for a while
    CASES.clear()
    after = _scrape(client)
    assert after[overdue] == before[overdue] + 1
    Case.objects.filter(pk=case_a.pk).update(level_due_at=now + dt.timedelta(hours=1),
                                             level_warn_at=now - dt.timedelta(hours=1))
    CASES.clear()
    later = _scrape(client)
    assert later[overdue] == before[overdue]
    assert later[near] == before[near] + 1


def test_several_processes_are_summed(client, metrics_on, tmp_path, monkeypatch):
    """As under gunicorn with PROMETHEUS_MULTIPROC_DIR: another process's counts (here a
    `wangge sweep` run) show in this one's scrape."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c",
                    "from wangge.core.metrics import sweep_finished;"
                    "sweep_finished('cases', ok=True); sweep_finished('cases', ok=True);"
                    "sweep_finished('grading', ok=False)"],
                   env=env, check=True, timeout=120)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    samples = _scrape(client)
    assert samples[("wangge_sweep_runs_total", (("outcome", "ok"), ("sweep", "cases")))] == 2
    assert samples[("wangge_sweep_runs_total",
                    (("outcome", "failed"), ("sweep", "grading")))] == 1
    assert samples[("wangge_sweep_last_success_timestamp_seconds", (("sweep", "cases"),))] > 0
    assert ("wangge_cases_overdue", (("level", "grid"),)) in samples


def test_every_response_carries_a_request_id(db, client, settings, caplog):
    settings.WANGGE_LOG_REQUESTS = True
    caplog.set_level(logging.INFO, logger="wangge.request")
    given = client.get("/healthz", HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef")
    assert given["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith a newline")
    assert len(made["X-Request-ID"]) == 32 and "\n" not in made["X-Request-ID"]
    record = [r for r in caplog.records if r.name == "wangge.request"][-1]
    assert (record.method, record.path, record.status) == ("GET", "/healthz", 200)
    assert record.duration_ms >= 0


def test_json_logs_are_one_object_per_line():
    record = logging.LogRecord("wangge.request", logging.INFO, __file__, 1, "GET %s %s",
                               ("/healthz", 200), None)
    record.status, record.duration_ms = 200, 3.2
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "GET /healthz 200"
    assert (data["level"], data["logger"], data["status"], data["duration_ms"]) == (
        "INFO", "wangge.request", 200, 3.2)
    assert data["request_id"] == current_request_id() and data["time"].endswith("Z")
    try:
        raise ValueError("broken")
    except ValueError:
        record.exc_info = sys.exc_info()
    assert "ValueError: broken" in json.loads(JsonFormatter().format(record))["exc_info"]
