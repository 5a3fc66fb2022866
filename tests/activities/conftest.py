"""Fixtures of the activities tests: an activity of micro-grid A's community open for
sign-up, and a registered Party member and a volunteer of that community."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from tests.conftest import MICRO_A, MICRO_B
from wangge.activities import services
from wangge.activities.choices import ActivityKind, VolunteerKind
from wangge.activities.models import Volunteer
from wangge.grids.models import Grid

COMMUNITY_A = MICRO_A[:12]
COMMUNITY_B = MICRO_B[:12]


@pytest.fixture
def community_a(laocheng) -> Grid:
    return Grid.objects.get(code=COMMUNITY_A)


@pytest.fixture
def community_b(laocheng) -> Grid:
    return Grid.objects.get(code=COMMUNITY_B)


def make_activity(community, *, capacity=None, open_now=True, hours="2.0", days=-1,
                  title="楼道清理测试活动", public=True):
    start = timezone.now() + datetime.timedelta(days=days)
    return services.activity_create(
        community=community, title=title, kind=ActivityKind.VOLUNTEER_SERVICE,
        starts_at=start, ends_at=start + datetime.timedelta(hours=2), hours=Decimal(hours),
        capacity=capacity, open_now=open_now, public=public, actor=None)


@pytest.fixture
def activity_a(community_a):
    """Open for sign-up, started yesterday (so it can be finished)."""
    return make_activity(community_a)


@pytest.fixture
def member_a(community_a) -> Volunteer:
    return (Volunteer.objects.filter(kind=VolunteerKind.PARTY_MEMBER, active=True,
                                     person__micro_grid__code__startswith=COMMUNITY_A)
            .select_related("person").order_by("id").first())


@pytest.fixture
def volunteer_a(community_a) -> Volunteer:
    return (Volunteer.objects.filter(kind=VolunteerKind.VOLUNTEER, active=True,
                                     person__micro_grid__code__startswith=COMMUNITY_A)
            .select_related("person").order_by("id").first())


@pytest.fixture
def volunteer_b(community_b) -> Volunteer:
    return (Volunteer.objects.filter(person__micro_grid__code__startswith=COMMUNITY_B)
            .select_related("person").order_by("id").first())


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read the English messages (the default language is Chinese; the
    catalogue is checked by `tests/core/test_settings.py` and the pages' own tests)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
