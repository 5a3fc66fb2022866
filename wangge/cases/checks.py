"""`wangge check --database default`: warns when the working calendar has no public holidays
for this year or the next, so that time limits would count New Year and the Spring
Festival as working days. The State Council publishes each year's schedule in November."""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError
from django.utils import timezone


@register(Tags.database)
def calendar_covers_next_year(app_configs=None, **kwargs):
    from wangge.cases.models import CalendarDay

    today = timezone.localdate()
    problems = []
    try:
        known = set(CalendarDay.objects.filter(workday=False, day__year__gte=today.year)
                    .values_list("day__year", flat=True).distinct())
    except DatabaseError:  # not migrated yet (`migrate` runs the checks first)
        return []
    for year in (today.year, today.year + 1):
        if year > today.year and today.month < 11:
            continue  # next year's schedule is not published before November
        if year not in known:
            problems.append(Warning(
                f"The working calendar has no public holidays for {year}: time limits "
                "will count them as working days.",
                hint="Enter the State Council's holidays and make-up workdays for that year "
                     "in the admin (cases › calendar days).",
                id="cases.W001"))
    return problems
