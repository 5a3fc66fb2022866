"""Duplicates (重复件): the same matter reported twice is found by category, place and time,
and merging keeps both timelines, with the original saying what was merged into it."""

import datetime as dt
import math

import pytest
from django.conf import settings
from django.utils import timezone

from tests.conftest import MICRO_A
from wangge.cases.choices import Action, Source, Status
from wangge.cases.models import Category
from wangge.cases.selectors import possible_duplicates
from wangge.cases.services import CaseError, case_act, case_report
from wangge.grids.selectors import locate_point

pytestmark = pytest.mark.django_db


def offset(lon: float, lat: float, metres: float, bearing_deg: float) -> tuple[float, float]:
    """The point `metres` away from (lon, lat) in the direction `bearing_deg` (0 = north)."""
    b = math.radians(bearing_deg)
    dlat = metres * math.cos(b) / 111_320
    dlon = metres * math.sin(b) / (111_320 * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def away(lon: float, lat: float, metres: float, within: str = MICRO_A[:12]
         ) -> tuple[float, float]:
    """A point `metres` away inside a micro-grid under `within` (by default micro-grid A's
    community; cases are only taken inside micro-grids)."""
    for bearing in range(0, 360, 15):
        p = offset(lon, lat, metres, bearing)
        micro = locate_point(lon=p[0], lat=p[1]).micro_grid
        if micro is not None and micro.code.startswith(within):
            return p
    raise AssertionError("no point that far inside the street")


def report(category, point, when, description="楼下垃圾堆积,无人清运。"):
    return case_report(source=Source.ONLINE, category=category, title="垃圾堆积",
                       description=description, lon=point[0], lat=point[1],
                       reported_at=when, reporter_phone="13800138000")


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def yesterday_case(sanitation, point_a, now):
    return report(sanitation, away(*point_a, 50), now - dt.timedelta(days=1))


def test_the_settings_this_file_relies_on():
    assert settings.WANGGE_DUPLICATE_DISTANCE_M == 150
    assert settings.WANGGE_DUPLICATE_DAYS == 7


def test_a_same_category_case_50_m_away_yesterday_is_a_possible_duplicate(
        sanitation, point_a, now, yesterday_case):
    new = report(sanitation, point_a, now)
    found = possible_duplicates(category=sanitation, lon=new.lon, lat=new.lat,
                                at=new.reported_at, exclude_id=new.pk)
    assert [c.case for c in found] == [yesterday_case]
    assert found[0].distance_m == pytest.approx(50, abs=2)


def test_far_other_category_or_old_cases_are_not_duplicates(sanitation, point_a, now):
    noise = Category.objects.get(code="noise")
    far = report(sanitation, away(*point_a, 500, within=""), now - dt.timedelta(hours=3))
    other = report(noise, point_a, now - dt.timedelta(hours=3), description="晚上广场舞太吵。")
    old = report(sanitation, point_a, now - dt.timedelta(days=8))
    near = report(sanitation, away(*point_a, 100), now - dt.timedelta(days=6))
    new = report(sanitation, point_a, now)
    found = [c.case for c in possible_duplicates(category=sanitation, lon=new.lon,
                                                 lat=new.lat, at=new.reported_at,
                                                 exclude_id=new.pk)]
    assert near in found
    assert far not in found and other not in found and old not in found


def test_a_later_case_is_not_a_duplicate_of_an_earlier_one(sanitation, point_a, now,
                                                           yesterday_case):
    """The window looks back from the case: yesterday's case has no duplicate from today."""
    report(sanitation, point_a, now)
    found = possible_duplicates(category=sanitation, lon=yesterday_case.lon,
                                lat=yesterday_case.lat, at=yesterday_case.reported_at,
                                exclude_id=yesterday_case.pk)
    assert found == []


def test_marking_a_duplicate_keeps_both_timelines(client, sanitation, point_a, now,
                                                 yesterday_case, leader_a):
    new = report(sanitation, point_a, now)
    dup = case_act(case=new, action=Action.MARK_DUPLICATE, actor=leader_a,
                   duplicate_of=yesterday_case, note="同一处垃圾")
    assert dup.status == Status.MERGED and dup.duplicate_of == yesterday_case
    assert dup.closed_at is not None
    assert list(dup.steps.values_list("action", flat=True)) == [Action.REPORT,
                                                               Action.MARK_DUPLICATE]
    original = type(yesterday_case).objects.get(pk=yesterday_case.pk)
    assert original.status == Status.REPORTED
    steps = list(original.steps.order_by("seq"))
    assert [s.action for s in steps] == [Action.REPORT, Action.COMMENT]
    assert dup.tracking_code in steps[-1].note
    assert steps[-1].data["merged"] == dup.tracking_code
    assert original.version == 2
    # A merged case is no longer offered as a duplicate.
    again = report(sanitation, point_a, now + dt.timedelta(minutes=5))
    found = [c.case for c in possible_duplicates(category=sanitation, lon=again.lon,
                                                 lat=again.lat, at=again.reported_at,
                                                 exclude_id=again.pk)]
    assert dup not in found and original in found
    # The reporter of the duplicate follows the original's progress, but never learns its
    # tracking code (which would let them read and rate another resident's appeal).
    body = client.get(f"/api/appeals/{dup.tracking_code}/").json()
    assert body["status"] == Status.MERGED
    assert body["merged_into"]["status"] == yesterday_case.status
    assert yesterday_case.tracking_code not in str(body)
    page = client.get(f"/appeal/{dup.tracking_code}").content.decode()
    assert "data-merged-into" in page and yesterday_case.tracking_code not in page


def test_a_case_cannot_duplicate_itself_or_a_merged_case(sanitation, point_a, now,
                                                        yesterday_case, leader_a):
    new = report(sanitation, point_a, now)
    with pytest.raises(CaseError):
        case_act(case=new, action=Action.MARK_DUPLICATE, actor=leader_a, duplicate_of=new)
    third = report(sanitation, point_a, now + dt.timedelta(minutes=1))
    case_act(case=new, action=Action.MARK_DUPLICATE, actor=leader_a,
             duplicate_of=yesterday_case)
    new.refresh_from_db()
    with pytest.raises(CaseError):
        case_act(case=third, action=Action.MARK_DUPLICATE, actor=leader_a, duplicate_of=new)
    third.refresh_from_db()
    assert third.status == Status.REPORTED and third.version == 1


def test_two_cases_cannot_become_duplicates_of_each_other(sanitation, point_a, now,
                                                         yesterday_case, leader_a):
    """Two leaders merge at once, each from the screen they had: one merges yesterday's case
    into today's, the other today's into yesterday's. The second must be refused."""
    new = report(sanitation, point_a, now)
    seen_yesterday = type(new).objects.get(pk=yesterday_case.pk)  # the second leader's view
    case_act(case=yesterday_case, action=Action.MARK_DUPLICATE, actor=leader_a,
             duplicate_of=new)
    with pytest.raises(CaseError):
        case_act(case=new, action=Action.MARK_DUPLICATE, actor=leader_a,
                 duplicate_of=seen_yesterday)
    new.refresh_from_db()
    assert new.status == Status.REPORTED and new.duplicate_of is None


def test_the_api_marks_a_duplicate_by_tracking_code(client, sanitation, point_a, now,
                                                   yesterday_case, community_officer):
    new = report(sanitation, point_a, now)
    client.force_login(community_officer)
    url = f"/api/cases/{new.tracking_code}/duplicates/"
    body = client.get(url).json()
    assert [row["tracking_code"] for row in body] == [yesterday_case.tracking_code]
    response = client.post(f"/api/cases/{new.tracking_code}/mark-duplicate/",
                           {"duplicate_of": yesterday_case.tracking_code.lower(),
                            "version": new.version}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.MERGED
    assert response.json()["duplicate_of"] == yesterday_case.tracking_code
