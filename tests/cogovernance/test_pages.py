"""The console pages, the phone's follow-up tasks and the residents' published minutes."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from wangge.cogovernance.choices import MeetingStatus, TaskStatus
from wangge.cogovernance.models import FollowUpTask, Meeting

pytestmark = pytest.mark.django_db


def hold_in_console(client, meeting, worker, *, public: bool):
    members = list(meeting.committee.members.current())
    data = {"present": [str(m.pk) for m in members[:12]],
            "minutes": "与会单位讨论楼道照明问题。", "decision_1": "网格员复查楼道灯修复情况",
            "item_1": str(meeting.agenda.first().pk), "task_1": "复查3栋楼道灯",
            "assignee_1": f"w{worker.pk}",
            "due_1": (timezone.localdate() + dt.timedelta(days=7)).isoformat()}
    if public:
        data["public"] = "on"
    return client.post(f"/console/cogovernance/meetings/{meeting.pk}/hold", data)


def test_a_community_officer_holds_a_round_table_and_the_worker_sees_the_task(
        client, community_officer, worker_a, round_table, worker_a_record):
    client.force_login(community_officer)
    page = client.get("/console/cogovernance/")
    assert page.status_code == 200 and "红花岗社区共建共治协商委员会" in page.content.decode()
    form = client.get(f"/console/cogovernance/meetings/{round_table.pk}")
    assert "record-meeting" in form.content.decode()
    answer = hold_in_console(client, round_table, worker_a_record, public=True)
    assert answer.status_code == 302
    round_table.refresh_from_db()
    assert round_table.status == MeetingStatus.HELD and round_table.public
    assert round_table.attendance.filter(presence="present").count() == 12
    assert round_table.attendance.filter(presence="absent").count() == 4
    task = FollowUpTask.objects.get(decision__meeting=round_table)

    client.force_login(worker_a)
    phone = client.get("/m/").content.decode()
    assert f'id="follow-up-{task.pk}"' in phone and "复查3栋楼道灯" in phone
    api = client.get("/api/me/tasks/").json()
    assert [t["title"] for t in api["follow_ups"]] == ["复查3栋楼道灯"]
    done = client.post(f"/console/cogovernance/tasks/{task.pk}/done",
                       {"result": "已复查,灯已修好", "next": "/m/#follow-ups"})
    assert done.status_code == 302 and done["Location"] == "/m/#follow-ups"
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.result == "已复查,灯已修好"
    assert f'id="follow-up-{task.pk}"' not in client.get("/m/").content.decode()


def test_a_bad_record_says_why_and_changes_nothing(client, community_officer, round_table):
    client.force_login(community_officer)
    answer = client.post(f"/console/cogovernance/meetings/{round_table.pk}/hold",
                         {"minutes": "", "decision_1": "", "task_1": "复查"})
    assert answer.status_code == 400
    round_table.refresh_from_db()
    assert round_table.status == MeetingStatus.PLANNED


def test_planning_a_meeting_with_a_case_on_its_agenda(client, community_officer, committee,
                                                      case_a):
    client.force_login(community_officer)
    answer = client.post("/console/cogovernance/meetings/new", {
        "kind": "round_table", "committee": committee.pk, "title": "垃圾清运圆桌会",
        "held_at": "2026-12-15T09:30", "place": "会议室", "agenda_title_1": "垃圾清运",
        "agenda_case_1": case_a.tracking_code.lower(), "agenda_title_2": "其他事项"})
    assert answer.status_code == 302
    meeting = Meeting.objects.get(title="垃圾清运圆桌会")
    assert [(i.title, i.case) for i in meeting.agenda.all()] == [
        ("垃圾清运", case_a), ("其他事项", None)]
    bad = client.post("/console/cogovernance/meetings/new", {
        "kind": "round_table", "committee": committee.pk, "title": "x",
        "held_at": "2026-12-15T09:30", "agenda_title_1": "y", "agenda_case_1": "NOSUCHCODE"})
    assert bad.status_code == 400 and "NOSUCHCODE" in bad.content.decode()


@pytest.mark.parametrize("who", ["worker_a", "leader_a", "outsider"])
def test_workers_and_outsiders_have_no_console_pages(client, request, who, round_table):
    client.force_login(request.getfixturevalue(who))
    for url in ("/console/cogovernance/", f"/console/cogovernance/meetings/{round_table.pk}",
                "/console/cogovernance/tasks", "/console/cogovernance/meetings/new"):
        assert client.get(url).status_code == 404, url


def test_another_communitys_officer_and_worker_b_get_404(client, worker_b, round_table,
                                                        community_officer, worker_a_record):
    from django.contrib.auth import get_user_model

    client.force_login(community_officer)
    hold_in_console(client, round_table, worker_a_record, public=False)
    task = FollowUpTask.objects.get(decision__meeting=round_table)
    other = get_user_model().objects.get(username="community-520302001002")
    for user in (other, worker_b):
        client.force_login(user)
        assert client.get(f"/console/cogovernance/meetings/{round_table.pk}").status_code == 404
        assert client.post(f"/console/cogovernance/tasks/{task.pk}/done",
                           {"result": "x"}).status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_the_public_site_shows_only_public_meetings_without_personal_data(
        client, community_officer, round_table, committee, worker_a_record):
    client.force_login(community_officer)
    hold_in_console(client, round_table, worker_a_record, public=False)
    client.logout()
    listing = client.get("/minutes/").content.decode()
    assert round_table.title not in listing
    assert client.get(f"/minutes/{round_table.pk}/").status_code == 404
    public = Meeting.objects.published().filter(committee=committee).first()
    assert public is not None and public.title in listing
    page = client.get(f"/minutes/{public.pk}/").content.decode()
    for decision in public.decisions.all():
        assert decision.text in page
    task = FollowUpTask.objects.filter(decision__meeting=public).first()
    assert task.assignee_label in page
    # No phone numbers, no representatives' or workers' names.
    assert not re.search(r"1[3-9]\d{9}|0851-\d{8}", page)
    for member in committee.members.all():
        assert not member.representative_name or member.representative_name not in page
    worker_names = FollowUpTask.objects.filter(decision__meeting=public,
                                               worker__isnull=False)
    for t in worker_names:
        assert t.worker.name not in page

    client.force_login(community_officer)
    client.post(f"/console/cogovernance/meetings/{round_table.pk}/publish", {"public": "1"})
    client.logout()
    assert round_table.title in client.get("/minutes/").content.decode()
    assert "网格员复查楼道灯修复情况" in client.get(f"/minutes/{round_table.pk}/").content.decode()


def test_the_tasks_page_lists_the_overdue_task(client, community_officer):
    client.force_login(community_officer)
    page = client.get("/console/cogovernance/tasks?overdue=1").content.decode()
    overdue = FollowUpTask.objects.get(overdue=True, status=TaskStatus.OPEN)
    assert f'data-task="{overdue.pk}"' in page
