"""The warning that next year's holidays are missing from the working calendar."""

import datetime as dt

import pytest

from wangge.cases.checks import calendar_covers_next_year
from wangge.cases.models import CalendarDay

pytestmark = pytest.mark.django_db


def test_a_missing_year_of_holidays_is_warned_of_and_entering_it_clears_the_warning(
        laocheng, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 27))
    warnings = calendar_covers_next_year()
    assert [w.id for w in warnings] == ["cases.W001"] and "2027" in warnings[0].msg
    CalendarDay.objects.create(day=dt.date(2027, 1, 1), workday=False, name="元旦")
    assert calendar_covers_next_year() == []


def test_migrate_runs_on_an_empty_database(tmp_path):
    """`migrate` runs the database checks before the tables exist: the check must wait."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "WANGGE_MODE": "test",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    done = subprocess.run([sys.executable, "-m", "wangge", "migrate", "-v0"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
