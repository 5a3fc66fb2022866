"""The indicators of a micro-grid follow what the registry and the cases hold."""

import datetime as dt

import pytest
from django.utils import timezone

from wangge.cases.choices import Source
from wangge.cases.models import Category
from wangge.cases.services import case_report
from wangge.grading import indicators, reference
from wangge.grading.indicators import Config
from wangge.registry.models import House, Household, Person

pytestmark = pytest.mark.django_db

DEFAULTS = Config(reference.DEFAULT_WEIGHTS, reference.DEFAULT_CATEGORY_WEIGHTS, 10, 25)


def _raw(grid, now):
    return indicators.collect(now=now, grid_ids=[grid.pk]).get(grid.pk, indicators.Raw())


def test_registry_indicators_of_a_micro_grid(micro_a):
    now = timezone.now()
    raw = _raw(micro_a, now)
    assert raw.households == Household.objects.filter(micro_grid=micro_a).count() > 0
    assert raw.houses == House.objects.filter(micro_grid=micro_a).count()
    active = Person.objects.filter(micro_grid=micro_a, status="active")
    assert raw.special == active.filter(care_groups__sensitive=True).distinct().count()
    assert raw.care == active.filter(care_groups__sensitive=False).distinct().count()

    House.objects.filter(pk=House.objects.filter(micro_grid=micro_a).first().pk) \
        .update(use="rented")
    after = _raw(micro_a, now)
    rented = House.objects.filter(micro_grid=micro_a, use="rented").count()
    assert after.rented == rented >= 1
    values = indicators.values_of(after, DEFAULTS)
    assert values["rented_share"] == round(100 * rented / after.houses, 1)
    assert values["special_per_100"] == round(100 * after.special / after.households, 1)


def test_case_indicators_weigh_categories_and_count_hazards_disputes_and_overdue(point_a,
                                                                               micro_a):
    lon, lat = point_a
    before = _raw(micro_a, timezone.now())
    for code in ("fire_hazard", "neighbour_dispute"):
        case_report(source=Source.ONLINE, category=Category.objects.get(code=code),
                    title="测试", description="测试事件", lon=lon, lat=lat,
                    reporter_name="张三", reporter_phone="13800138000")
    # A month on, both are still open and past their level's time limit.
    later = timezone.now() + dt.timedelta(days=30)
    raw = _raw(micro_a, later)
    assert raw.open_hazards == before.open_hazards + 1
    assert raw.disputes == before.disputes + 1
    assert raw.overdue == before.overdue + 2
    values = indicators.values_of(raw, DEFAULTS)
    old = indicators.values_of(before, DEFAULTS)
    # A safety case counts 1.5, a dispute 1 (the lines' default weights).
    assert values["cases_90d"] == pytest.approx(old["cases_90d"] + 2.5)
    # Four months on, they are no longer recent.
    gone = _raw(micro_a, timezone.now() + dt.timedelta(days=120))
    assert gone.disputes == before.disputes


def test_the_score_is_the_sum_of_weighted_values_and_sets_the_level():
    raw = indicators.Raw(households=10, houses=10, rented=5, special=1, bad_facilities=1)
    scored = indicators.score(raw, DEFAULTS)
    # 10 per 100 × 1 + 50 % × 0.2 + 1 facility × 10
    assert scored.points["special_per_100"] == 10.0
    assert scored.points["rented_share"] == 10.0
    assert scored.points["bad_facilities"] == 10.0
    assert scored.score == 30.0 and scored.level == "red"
    assert indicators.score(indicators.Raw(households=10), DEFAULTS).level == "green"
