"""Working time (工作时间): time limits count working hours on working days. A day is a
working day Monday to Friday unless a `CalendarDay` says otherwise (public holidays, and
make-up workdays on weekends); a working day has the hours of `WANGGE_WORK_HOURS`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

_MAX_DAYS = 3660  # a limit of ten years is a configuration mistake, not a deadline


def parse_work_hours(text: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """'09:00-12:00,13:30-17:30' → ((9:00, 12:00), (13:30, 17:30)); raises ValueError."""
    periods = []
    for part in text.split(","):
        start, _, end = part.strip().partition("-")
        a, b = dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())
        if a.tzinfo is not None or b.tzinfo is not None:
            raise ValueError(f"working hours are local times like 09:00-12:00, not {text!r}")
        if b <= a or (periods and a < periods[-1][1]):
            raise ValueError(f"working hours must be increasing periods, not {text!r}")
        periods.append((a, b))
    if not periods:
        raise ValueError("no working hours")
    return tuple(periods)


@dataclass
class WorkCalendar:
    """The calendar with its exceptions loaded once; each day's working periods are worked
    out once too, so it is cheap to ask many times (the demo history asks ~30,000 times)."""

    overrides: dict[dt.date, bool] = field(default_factory=dict)
    periods: tuple[tuple[dt.time, dt.time], ...] = ()
    _days: dict[dt.date, list[tuple[dt.datetime, dt.datetime]]] = field(
        default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls) -> WorkCalendar:
        from wangge.cases.models import CalendarDay

        return cls(dict(CalendarDay.objects.values_list("day", "workday")),
                   parse_work_hours(settings.WANGGE_WORK_HOURS))

    @property
    def hours_per_day(self) -> float:
        return sum(_seconds(a, b) for a, b in self.periods) / 3600

    def is_workday(self, day: dt.date) -> bool:
        return self.overrides.get(day, day.weekday() < 5)

    def _periods_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        found = self._days.get(day)
        if found is None:
            tz = timezone.get_current_timezone()
            found = [(dt.datetime.combine(day, a, tz), dt.datetime.combine(day, b, tz))
                     for a, b in self.periods] if self.is_workday(day) else []
            self._days[day] = found
        return found

    def add_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """The moment `hours` working hours after `start`."""
        local = timezone.localtime(start)
        remaining = hours * 3600
        day = local.date()
        for _ in range(_MAX_DAYS):
            for begin, end in self._periods_on(day):
                if end <= local:
                    continue
                begin = max(begin, local)
                available = (end - begin).total_seconds()
                if remaining <= available:
                    return begin + dt.timedelta(seconds=remaining)
                remaining -= available
            day += dt.timedelta(days=1)
        raise ValueError("time limit too long")

    def hours_before(self, end: dt.datetime, hours: float) -> dt.datetime:
        """The moment `hours` working hours before `end` (the inverse of `add_hours`)."""
        local = timezone.localtime(end)
        remaining = hours * 3600
        day = local.date()
        for _ in range(_MAX_DAYS):
            for begin, finish in reversed(self._periods_on(day)):
                finish = min(finish, local)
                if finish <= begin:
                    continue
                available = (finish - begin).total_seconds()
                if remaining <= available:
                    return finish - dt.timedelta(seconds=remaining)
                remaining -= available
            day -= dt.timedelta(days=1)
        raise ValueError("time limit too long")

    def add_days(self, start: dt.datetime, days: float) -> dt.datetime:
        return self.add_hours(start, days * self.hours_per_day)

    def hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working hours from `start` to `end` (negative when `end` is earlier)."""
        if end < start:
            return -self.hours_between(end, start)
        a_local, b_local = timezone.localtime(start), timezone.localtime(end)
        total = 0.0
        day = a_local.date()
        while day <= b_local.date():
            for begin, finish in self._periods_on(day):
                begin, finish = max(begin, a_local), min(finish, b_local)
                if finish > begin:
                    total += (finish - begin).total_seconds()
            day += dt.timedelta(days=1)
        return total / 3600


def _seconds(a: dt.time, b: dt.time) -> float:
    return (dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)) \
        .total_seconds()
