"""Working time (工作时间): time limits count working hours on working days, skipping lunch,
evenings, weekends and the State Council's holidays, and counting make-up workdays.

The seeded calendar comes from the `chinesecalendar` package. For 2026 it says: National
Day is 1–7 October (3 and 4 October are a weekend anyway), with make-up workdays on Sunday
20 September and Saturday 10 October; the Mid-autumn Festival is Friday 25 September."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from wangge.cases.calendar import WorkCalendar, parse_work_hours
from wangge.cases.models import CalendarDay

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def at(y, mo, d, h=0, mi=0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=TZ)


@pytest.fixture
def cal(laocheng) -> WorkCalendar:
    return WorkCalendar.load()


def test_the_working_day_is_the_configured_seven_hours(cal):
    assert settings.WANGGE_WORK_HOURS == "09:00-12:00,13:30-17:30"
    assert cal.hours_per_day == 7


def test_the_seeded_calendar_knows_national_day_2026(laocheng):
    days = dict(CalendarDay.objects.filter(day__range=(dt.date(2026, 9, 19),
                                                       dt.date(2026, 10, 11)))
                .values_list("day", "workday"))
    assert days == {
        dt.date(2026, 9, 20): True,  # Sunday, make-up workday
        dt.date(2026, 9, 25): False,  # Friday, Mid-autumn Festival
        dt.date(2026, 10, 1): False, dt.date(2026, 10, 2): False,
        dt.date(2026, 10, 5): False, dt.date(2026, 10, 6): False,
        dt.date(2026, 10, 7): False,
        dt.date(2026, 10, 10): True,  # Saturday, make-up workday
    }
    assert CalendarDay.objects.get(day=dt.date(2026, 10, 10)).name == "国庆节调休上班"
    assert CalendarDay.objects.get(day=dt.date(2026, 10, 1)).name == "国庆节"


def test_lunch_does_not_count(cal):
    # Monday 2 March 2026, 11:00 + 2 h: one hour before lunch, one after 13:30.
    assert cal.add_hours(at(2026, 3, 2, 11), 2) == at(2026, 3, 2, 14, 30)
    # Asked during lunch, the clock starts at 13:30.
    assert cal.add_hours(at(2026, 3, 2, 12, 45), 1) == at(2026, 3, 2, 14, 30)


def test_evenings_do_not_count(cal):
    assert cal.add_hours(at(2026, 3, 2, 17), 1) == at(2026, 3, 3, 9, 30)
    assert cal.add_hours(at(2026, 3, 2, 20), 1) == at(2026, 3, 3, 10)
    assert cal.add_hours(at(2026, 3, 3, 6), 1) == at(2026, 3, 3, 10)


def test_weekends_do_not_count(cal):
    # Friday 6 March 17:00 + 1 h → Monday 9 March 09:30.
    assert cal.add_hours(at(2026, 3, 6, 17), 1) == at(2026, 3, 9, 9, 30)
    # Reported on a Saturday: the clock starts on Monday morning.
    assert cal.add_hours(at(2026, 3, 7, 11), 1) == at(2026, 3, 9, 10)
    # Two working days (14 h) from Friday morning end on Monday evening.
    assert cal.add_days(at(2026, 3, 6, 9), 2) == at(2026, 3, 9, 17, 30)


def test_national_day_2026_is_skipped(cal):
    # Wednesday 30 September 17:00 + 1 h: the holiday runs 1–7 October.
    assert cal.add_hours(at(2026, 9, 30, 17), 1) == at(2026, 10, 8, 9, 30)
    # A grid's 16 working hours from 30 September 16:00: 1.5 h that day, 7 on 8 October,
    # 7 on 9 October and the last half hour on the make-up Saturday.
    assert cal.add_hours(at(2026, 9, 30, 16), 16) == at(2026, 10, 10, 9, 30)
    assert cal.hours_between(at(2026, 9, 30, 12), at(2026, 10, 8, 12)) == 4 + 3


def test_make_up_weekend_days_are_working_days(cal):
    # Friday 9 October 17:00 + 1 h → the make-up Saturday 10 October.
    assert cal.add_hours(at(2026, 10, 9, 17), 1) == at(2026, 10, 10, 9, 30)
    # Friday 18 September 17:00 + 1 h → Sunday 20 September (Saturday 19 is a rest day).
    assert cal.add_hours(at(2026, 9, 18, 17), 1) == at(2026, 9, 20, 9, 30)
    assert cal.is_workday(dt.date(2026, 9, 20)) and not cal.is_workday(dt.date(2026, 9, 19))


def test_the_mid_autumn_friday_is_a_holiday(cal):
    assert cal.add_hours(at(2026, 9, 24, 17), 1) == at(2026, 9, 28, 9, 30)


def test_hours_between_counts_only_working_time(cal):
    assert cal.hours_between(at(2026, 3, 2, 8), at(2026, 3, 2, 20)) == 7
    assert cal.hours_between(at(2026, 3, 6, 17), at(2026, 3, 9, 9, 30)) == 1
    assert cal.hours_between(at(2026, 3, 9, 9, 30), at(2026, 3, 6, 17)) == -1
    assert cal.hours_between(at(2026, 3, 7, 8), at(2026, 3, 8, 20)) == 0


moments = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 11, 30)
                       ).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=TZ))


@hyp_settings(max_examples=200, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=moments, hours=st.integers(min_value=0, max_value=7 * 40).map(lambda q: q / 4))
def test_hours_between_is_the_inverse_of_add_hours(cal, start, hours):
    end = cal.add_hours(start, hours)
    assert end >= start
    assert cal.hours_between(start, end) == pytest.approx(hours, abs=1e-6)


@hyp_settings(max_examples=200, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=moments, days=st.integers(min_value=0, max_value=30),
       minutes=st.integers(min_value=1, max_value=7 * 60))
def test_add_hours_lands_on_a_moment_inside_working_time(cal, start, days, minutes):
    """Adding the working hours between two moments leads back to the later one, when it
    is itself inside working time."""
    day = (start + dt.timedelta(days=days)).date()
    while not cal.is_workday(day):
        day += dt.timedelta(days=1)
    end = at(day.year, day.month, day.day, 9) + dt.timedelta(minutes=minutes)
    if dt.time(12) < end.time() <= dt.time(13, 30):
        end += dt.timedelta(minutes=90)
    if end <= start:
        return
    assert cal.add_hours(start, cal.hours_between(start, end)) == end


@pytest.mark.parametrize("text", [
    "", "abc", "9-12", "9:00-12:00", "12:00-09:00", "09:00-09:00", "09:00-",
    "09:00-12:00,", "09:00-12:00;13:00-17:00", "09:00-12:00,11:00-13:00",
    "13:30-17:30,09:00-12:00", "25:00-26:00",
])
def test_bad_working_hours_are_refused(text):
    with pytest.raises(ValueError):
        parse_work_hours(text)


@pytest.mark.parametrize("text", ["08:00-12:00-13:00", "08:00-12:00+01:00"])
def test_a_stray_dash_in_working_hours_is_a_value_error(text):
    with pytest.raises(ValueError):
        parse_work_hours(text)


def test_good_working_hours_are_parsed():
    assert parse_work_hours(" 08:30-12:00 , 14:00-18:00 ") == (
        (dt.time(8, 30), dt.time(12)), (dt.time(14), dt.time(18)))
