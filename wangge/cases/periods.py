"""Periods of local dates, as every page, list, export and figure reads them: both ends
included, in the street's time zone; `?from=YYYY-MM-DD&to=YYYY-MM-DD` parsed in one place."""

import datetime as dt
import re
from collections.abc import Mapping

from django.utils import timezone
from django.utils.translation import gettext as _

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class PeriodError(ValueError):
    """The period asked for cannot be read; the message is for the user."""


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return next_month(day) - dt.timedelta(days=1)


def this_month() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return month_start(today), month_end(today)


def period_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of `date_from` and the first instant after `date_to` (half-open, so
    `start <= t < end`), in the street's time zone. Raises OverflowError for dates at the
    ends of the calendar, which cannot be stored."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(date_from, dt.time(), zone)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), zone)
    start.astimezone(dt.UTC), end.astimezone(dt.UTC)  # raise here rather than in the query
    return start, end


def _date(value: str, label: str) -> dt.date:
    value = value.strip()
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PeriodError(_("%(field)s “%(value)s” is not a date; write it as YYYY-MM-DD, "
                            "e.g. 2025-03-01.") % {"field": label, "value": value}) from None


def parse_period(params: Mapping[str, str], *,
                 default: tuple[dt.date, dt.date] | None = None) -> tuple[dt.date, dt.date]:
    """The period of `?from=YYYY-MM-DD&to=YYYY-MM-DD`; a missing end is that end of
    `default` (the current month unless given). Raises PeriodError with a message for the
    user."""
    first, last = default or this_month()
    raw_from, raw_to = params.get("from", "").strip(), params.get("to", "").strip()
    date_from = _date(raw_from, _("From")) if raw_from else first
    date_to = _date(raw_to, _("To")) if raw_to else last
    if date_from > date_to:
        raise PeriodError(_("The period starts (%(from)s) after it ends (%(to)s).")
                          % {"from": date_from.isoformat(), "to": date_to.isoformat()})
    try:
        period_bounds(date_from, date_to)
    except OverflowError:
        raise PeriodError(_("Choose dates within a sensible range of years.")) from None
    return date_from, date_to
