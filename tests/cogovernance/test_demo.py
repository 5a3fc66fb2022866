"""The demo committee of 红花岗社区 and its year of meetings."""

import pytest
from django.utils import timezone

from wangge.cogovernance import demo
from wangge.cogovernance.choices import MeetingKind, MeetingStatus, TaskStatus
from wangge.cogovernance.models import Committee, FollowUpTask, Meeting

pytestmark = pytest.mark.django_db


def test_the_committee_has_its_16_member_units_and_a_year_of_meetings(committee):
    assert committee.name == "红花岗社区共建共治协商委员会"
    assert committee.members.current().count() == 16
    held = Meeting.objects.filter(committee=committee, status=MeetingStatus.HELD)
    assert held.filter(kind=MeetingKind.ROUND_TABLE).count() >= 11
    assert held.filter(kind=MeetingKind.PARTY_JOINT).count() >= 3
    assert held.filter(public=True).exists()
    tasks = FollowUpTask.objects.filter(decision__meeting__committee=committee)
    done, open_ = tasks.filter(status=TaskStatus.DONE), tasks.filter(status=TaskStatus.OPEN)
    assert done.count() > open_.count() > 0
    overdue = tasks.filter(overdue=True, status=TaskStatus.OPEN)
    assert overdue.count() == 1 and overdue.get().worker.user is not None
    # Nothing past due is left unmarked: the sweep would change nothing.
    assert not open_.filter(overdue=False, due_on__lt=timezone.localdate()).exists()


def test_loading_again_adds_nothing(committee):
    meetings = Meeting.objects.count()
    demo.load(with_cases=False)
    assert Committee.objects.count() == 1 and Meeting.objects.count() == meetings


def test_demo_tasks_reach_the_phones_of_workers_in_the_community(committee):
    assigned = FollowUpTask.objects.filter(decision__meeting__committee=committee,
                                           worker__user__isnull=False)
    assert assigned.exists()
    assert all(t.worker.user.username.split("-")[1].startswith("520302001001")
               for t in assigned)
