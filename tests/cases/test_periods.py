"""One reading of `?from=&to=` for the lists, the dashboard and the figures."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from wangge.cases.periods import PeriodError, month_end, parse_period, period_bounds


def test_a_missing_end_takes_the_default():
    default = (dt.date(2026, 1, 1), dt.date(2026, 11, 27))
    assert parse_period({"from": "2026-03-01"}, default=default) == (
        dt.date(2026, 3, 1), dt.date(2026, 11, 27))
    assert parse_period({}, default=default) == default


@pytest.mark.parametrize("params, words", [
    ({"from": "2026-3-1"}, "YYYY-MM-DD"),
    ({"from": "2026-02-30"}, "YYYY-MM-DD"),
    ({"from": "2026-05-01", "to": "2026-04-01"}, "after it ends"),
    ({"from": "0001-01-01", "to": "9999-12-31"}, "sensible range"),
])
def test_unreadable_periods_are_refused_with_a_message(params, words):
    with translation.override("en"), pytest.raises(PeriodError, match=words):
        parse_period(params)


def test_the_last_day_is_included_and_the_next_is_not():
    start, end = period_bounds(dt.date(2026, 2, 1), month_end(dt.date(2026, 2, 10)))
    zone = timezone.get_default_timezone()
    last_moment = dt.datetime(2026, 2, 28, 23, 59, 59, 999999, tzinfo=zone)
    assert start <= last_moment < end
    assert not dt.datetime(2026, 3, 1, tzinfo=zone) < end


@pytest.mark.django_db
def test_the_dashboard_says_what_was_wrong_and_shows_the_default(client, street_staff):
    client.force_login(street_staff)
    response = client.get("/console/dashboard?from=2026-13-01")
    assert response.status_code == 400
    assert "2026-13-01" in response.content.decode()
