"""The load test's bookkeeping: every Open311 request answered 200 must be exactly one case,
and a request that failed must have left none; the check must catch each way of breaking
that."""

import pytest

from wangge.bench.load import _integrity, _summary
from wangge.cases.choices import Source
from wangge.cases.services import case_report

pytestmark = pytest.mark.django_db


def _case(marker: str, point, category) -> None:
    lon, lat = point
    case_report(source=Source.ONLINE, category=category, title="路灯不亮",
                description=f"{marker} 路灯不亮，晚上很黑", lon=lon, lat=lat)


def _row(marker: str, status: int) -> dict:
    return {"kind": "open311", "at": 0.0, "s": 0.01, "status": status, "marker": marker}


def test_lost_twice_and_failed_but_written_are_each_caught(point_a, sanitation):
    run = "42f"
    for marker in ("LOADTEST-42f-1-0-1", "LOADTEST-42f-1-0-2", "LOADTEST-42f-1-0-2",
                   "LOADTEST-42f-1-0-4"):
        _case(marker, point_a, sanitation)
    rows = [_row("LOADTEST-42f-1-0-1", 200),  # one case: right
            _row("LOADTEST-42f-1-0-2", 200),  # two cases: twice
            _row("LOADTEST-42f-1-0-3", 200),  # none: lost
            _row("LOADTEST-42f-1-0-4", 503)]  # failed, yet a case: failed but written
    found = _integrity(rows, run)
    assert (found["lost"], found["twice"], found["failed_but_written"]) == (1, 1, 1)
    assert found["open311_answered_200"] == 3 and found["cases_with_marker"] == 4


def test_a_clean_run_is_clean(point_a, sanitation):
    _case("LOADTEST-7s-1-0-1", point_a, sanitation)
    found = _integrity([_row("LOADTEST-7s-1-0-1", 200), _row("LOADTEST-7s-1-0-2", 0)], "7s")
    assert (found["lost"], found["twice"], found["failed_but_written"]) == (0, 0, 0)


def test_errors_are_counted_and_latency_only_of_answers():
    rows = [_row("a", 200), _row("b", 503), _row("c", 0)]
    rows[0]["s"] = 0.5
    summary = _summary(rows, seconds=1)
    assert summary["errors"] == 2 and summary["statuses"] == {"200": 1, "503": 1, "0": 1}
    assert summary["p99_ms"] == 500.0
