"""The demo's register, activities and the 捞沙巷 project."""

from decimal import Decimal

from wangge.activities import selectors
from wangge.activities.choices import ActivityStatus, VolunteerKind
from wangge.activities.models import Activity, Project, Volunteer


def test_demo_has_a_register_a_year_of_activities_and_the_laoshaxiang_project(laocheng):
    assert 200 <= Volunteer.objects.count() <= 600
    assert Volunteer.objects.filter(kind=VolunteerKind.PARTY_MEMBER).count() >= 100
    assert Activity.objects.filter(status=ActivityStatus.FINISHED).count() >= 50
    assert Activity.objects.filter(status=ActivityStatus.OPEN).count() >= 7
    project = selectors.public_projects().get(title="捞沙巷电子支付示范街")
    assert project.community.name == "红花岗社区"
    assert 0 < project.progress < 100
    names = {p.organisation.name for p in project.partners.all()}
    assert {"中国工商银行遵义碧云支行", "红花岗区老城市场监管所"} <= names
    assert Project.objects.get(pk=project.pk).milestones.filter(done_on__isnull=False).exists()


def test_a_registered_party_members_record_shows_several_activities(street_staff):
    member = (selectors.volunteers(user=street_staff, kind=VolunteerKind.PARTY_MEMBER)
              .order_by("-times").first())
    record = selectors.service_record(volunteer=member)
    assert len(record.entries) >= 3
    assert record.total == sum((e.hours for e in record.entries), Decimal(0)) > 0

