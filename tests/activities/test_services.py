"""Sign-up rules, finishing and crediting hours, service records, project progress."""

import datetime
from decimal import Decimal

import pytest

from tests.activities.conftest import make_activity
from wangge.activities import selectors, services
from wangge.activities.choices import ActivityStatus, Attendance
from wangge.activities.models import SignUp


def test_a_volunteer_signs_up_once(activity_a, member_a):
    services.signup_create(activity=activity_a, volunteer=member_a, actor=None)
    with pytest.raises(services.ActivityError, match="already signed up"):
        services.signup_create(activity=activity_a, volunteer=member_a, actor=None)
    assert SignUp.objects.filter(activity=activity_a).count() == 1


def test_a_full_activity_takes_no_more(community_a, member_a, volunteer_a):
    activity = make_activity(community_a, capacity=1)
    services.signup_create(activity=activity, volunteer=member_a, actor=None)
    with pytest.raises(services.ActivityError, match="full"):
        services.signup_create(activity=activity, volunteer=volunteer_a, actor=None)
    # A place given back can be taken.
    services.signup_withdraw(signup=activity.signups.get(), actor=None)
    services.signup_create(activity=activity, volunteer=volunteer_a, actor=None)
    assert [s.volunteer for s in activity.signups.filter(withdrawn_at__isnull=True)] == \
        [volunteer_a]


def test_no_sign_up_for_a_cancelled_or_planned_activity(community_a, activity_a, member_a):
    services.activity_cancel(activity=activity_a, reason="下雨", actor=None)
    with pytest.raises(services.ActivityError, match="not open"):
        services.signup_create(activity=activity_a, volunteer=member_a, actor=None)
    planned = make_activity(community_a, open_now=False)
    with pytest.raises(services.ActivityError, match="not open"):
        services.signup_create(activity=planned, volunteer=member_a, actor=None)
    services.activity_open(activity=planned, actor=None)
    services.signup_create(activity=planned, volunteer=member_a, actor=None)
    with pytest.raises(services.ActivityError):
        services.activity_cancel(activity=activity_a, reason="again", actor=None)


def test_finishing_credits_hours_to_attendees_once(activity_a, member_a, volunteer_a):
    before = selectors.service_record(volunteer=member_a).total
    mine = services.signup_create(activity=activity_a, volunteer=member_a, actor=None)
    theirs = services.signup_create(activity=activity_a, volunteer=volunteer_a, actor=None)
    finished, credited = services.activity_finish(
        activity=activity_a, actor=None,
        attendance={mine.pk: Attendance.ATTENDED, theirs.pk: Attendance.UNKNOWN})
    assert finished.status == ActivityStatus.FINISHED
    assert credited == Decimal("2.0")
    theirs.refresh_from_db()
    assert theirs.attendance == Attendance.ABSENT and theirs.hours == 0
    # Finishing again credits nothing, whatever is sent.
    _again, credited = services.activity_finish(
        activity=activity_a, actor=None, attendance={theirs.pk: Attendance.ATTENDED})
    assert credited == 0
    theirs.refresh_from_db()
    assert theirs.attendance == Attendance.ABSENT
    record = selectors.service_record(volunteer=member_a)
    assert record.total == before + Decimal("2.0")
    assert record.entries[0].activity == activity_a


def test_hours_can_be_given_per_person_but_not_absurd(activity_a, member_a):
    mine = services.signup_create(activity=activity_a, volunteer=member_a, actor=None)
    with pytest.raises(services.ActivityError, match="between 0 and 24"):
        services.activity_finish(activity=activity_a, actor=None,
                                 attendance={mine.pk: Attendance.ATTENDED},
                                 hours={mine.pk: Decimal("30")})
    assert activity_a.signups.get().hours == 0
    _activity, credited = services.activity_finish(
        activity=activity_a, actor=None, attendance={mine.pk: Attendance.ATTENDED},
        hours={mine.pk: Decimal("3.5")})
    assert credited == Decimal("3.5")


def test_an_activity_to_come_cannot_be_finished(community_a, member_a):
    later = make_activity(community_a, days=3)
    with pytest.raises(services.ActivityError, match="before it starts"):
        services.activity_finish(activity=later, actor=None)
    later.refresh_from_db()
    assert later.status == ActivityStatus.OPEN


def test_service_record_totals_per_year(street_staff, member_a):
    record = selectors.service_record(volunteer=member_a)
    assert record.total == sum((hours for _y, hours, _n in record.years), Decimal(0))
    assert sum(n for _y, _h, n in record.years) == len(record.entries)
    row = selectors.volunteers(user=street_staff).get(pk=member_a.pk)
    assert row.hours_total == record.total
    assert row.times == len(record.entries)


def test_project_progress_is_the_mean_of_its_milestones(street_staff, community_a):
    project = services.project_create(community=community_a, title="院落微改造", actor=None)
    assert selectors.project(user=street_staff, pk=project.pk).progress == 0
    first = services.milestone_add(project=project, title="方案", progress=100, actor=None)
    services.milestone_add(project=project, title="施工", progress=50, actor=None)
    assert first.done_on is not None
    assert selectors.project(user=street_staff, pk=project.pk).progress == 75
    services.milestone_update(milestone=first, progress=80, actor=None)
    first.refresh_from_db()
    assert first.done_on is None
    assert selectors.project(user=street_staff, pk=project.pk).progress == 65
    with pytest.raises(services.ActivityError):
        services.milestone_update(milestone=first, progress=120, actor=None)


def test_a_unit_joins_a_project_once(community_a):
    from wangge.registry.models import Organisation

    project = services.project_create(community=community_a, title="院落微改造", actor=None)
    bank = Organisation.objects.get(name="中国工商银行遵义碧云支行")
    services.partner_add(project=project, organisation=bank, role="资金", actor=None)
    with pytest.raises(services.ActivityError, match="already a partner"):
        services.partner_add(project=project, organisation=bank, actor=None)


def test_activities_belong_to_a_community(micro_a):
    start = datetime.datetime(2025, 5, 1, 9, tzinfo=datetime.UTC)
    with pytest.raises(services.ActivityError, match="community"):
        services.activity_create(community=micro_a, title="x", kind="other", starts_at=start,
                                 ends_at=start, hours=Decimal(1), actor=None)
