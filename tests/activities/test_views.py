"""The console pages (community officers and street staff, scoped) and the residents' page
(no personal data)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.activities.conftest import COMMUNITY_B, make_activity
from wangge.activities import services
from wangge.activities.choices import ActivityStatus, Attendance
from wangge.activities.models import Activity, Project, SignUp, Volunteer


@pytest.fixture
def officer_b(laocheng):
    return get_user_model().objects.get(username=f"community-{COMMUNITY_B}")


@pytest.mark.parametrize("who", ["worker_a", "leader_a", "worker_b", "outsider"])
def test_grid_workers_and_outsiders_are_refused(request, client, who, activity_a):
    client.force_login(request.getfixturevalue(who))
    for url in ["/console/activities/", f"/console/activities/{activity_a.pk}/",
                "/console/activities/volunteers/", "/console/activities/projects/"]:
        assert client.get(url).status_code == 403, url
    response = client.post(f"/console/activities/{activity_a.pk}/open")
    assert response.status_code == 403


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/console/activities/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_communitys_rows_are_not_found(client, officer_b, activity_a, member_a):
    client.force_login(officer_b)
    project = Project.objects.get(title="捞沙巷电子支付示范街")
    for url in [f"/console/activities/{activity_a.pk}/",
                f"/console/activities/volunteers/{member_a.pk}/",
                f"/console/activities/projects/{project.pk}/"]:
        assert client.get(url).status_code == 404, url
    response = client.post(f"/console/activities/{activity_a.pk}/signup",
                           {"volunteer": member_a.pk})
    assert response.status_code == 404
    page = client.get("/console/activities/").content.decode()
    assert "红花岗社区" not in page


def test_an_officer_runs_an_activity_from_the_console(client, community_officer, community_a,
                                                      member_a, volunteer_a):
    client.force_login(community_officer)
    start = timezone.localtime() - datetime.timedelta(hours=3)
    response = client.post("/console/activities/new", {
        "title": "敬老院慰问", "kind": "volunteer_service", "community": community_a.pk,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "hours": "2.5", "capacity": "10", "public": "on", "open_now": "on"})
    activity = Activity.objects.get(title="敬老院慰问")
    assert response.status_code == 302
    url = f"/console/activities/{activity.pk}/"
    page = client.get(url, {"q": member_a.person.name}).content.decode()
    assert member_a.person.name in page
    assert member_a.person.id_number not in page
    for v in (member_a, volunteer_a):
        assert client.post(url + "signup", {"volunteer": v.pk}).status_code == 302
    # Twice is refused with a message, nothing changed.
    response = client.post(url + "signup", {"volunteer": member_a.pk})
    assert response.status_code == 400
    assert "already signed up" in response.content.decode()
    assert activity.signups.count() == 2
    mine = activity.signups.get(volunteer=member_a)
    theirs = activity.signups.get(volunteer=volunteer_a)
    response = client.post(url + "attendance", {
        f"att-{mine.pk}": Attendance.ATTENDED, f"att-{theirs.pk}": Attendance.ABSENT,
        "action": "finish"}, follow=True)
    assert "2.5" in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.FINISHED
    record = client.get(f"/console/activities/volunteers/{member_a.pk}/").content.decode()
    assert "敬老院慰问" in record
    # Finishing again credits nothing.
    response = client.post(url + "attendance", {f"att-{theirs.pk}": Attendance.ATTENDED,
                                                "action": "finish"}, follow=True)
    assert "no hours were credited again" in response.content.decode()
    assert SignUp.objects.get(pk=theirs.pk).hours == 0


def test_bad_input_is_refused_with_a_message(client, community_officer, community_a,
                                             activity_a, member_a):
    client.force_login(community_officer)
    count = Activity.objects.count()
    response = client.post("/console/activities/new", {
        "title": "x", "kind": "volunteer_service", "community": community_a.pk,
        "starts_at": "2025-05-02T09:00", "ends_at": "2025-05-01T09:00", "hours": "99"})
    assert response.status_code == 400
    assert "cannot end before it starts" in response.content.decode()
    assert Activity.objects.count() == count
    response = client.post(f"/console/activities/{activity_a.pk}/signup", {"volunteer": "x"})
    assert response.status_code == 400
    mine = services.signup_create(activity=activity_a, volunteer=member_a, actor=None)
    for bad in ({f"att-{mine.pk}": "maybe"}, {f"hours-{mine.pk}": "abc"},
                {f"att-{mine.pk}": "attended", f"hours-{mine.pk}": "30"}):
        response = client.post(f"/console/activities/{activity_a.pk}/attendance",
                               {**bad, "action": "finish"})
        assert response.status_code == 400
        assert 'id="activity-error"' in response.content.decode()
    activity_a.refresh_from_db()
    assert activity_a.status == ActivityStatus.OPEN
    assert SignUp.objects.get(pk=mine.pk).hours == 0


def test_register_and_projects_pages(client, community_officer, member_a):
    client.force_login(community_officer)
    page = client.get("/console/activities/volunteers/", {"q": member_a.person.name})
    assert member_a.person.name in page.content.decode()
    page = client.get("/console/activities/projects/").content.decode()
    assert "捞沙巷电子支付示范街" in page
    project = Project.objects.get(title="捞沙巷电子支付示范街")
    milestone = project.milestones.order_by("id").last()
    response = client.post(f"/console/activities/projects/{project.pk}/milestones/"
                           f"{milestone.pk}", {"progress": "100", "note": "验收通过"})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.progress == 100 and milestone.done_on is not None
    response = client.post(f"/console/activities/projects/{project.pk}/milestones/"
                           f"{milestone.pk}", {"progress": "150"})
    assert response.status_code == 400
    assert Project.objects.get(pk=project.pk).milestones.get(pk=milestone.pk).progress == 100


def test_registering_a_resident(client, community_officer, community_a):
    from wangge.registry.models import Person

    person = Person.objects.filter(micro_grid__code__startswith=community_a.code,
                                   status="active", volunteer_registrations__isnull=True,
                                   political_status="party_member").first()
    client.force_login(community_officer)
    page = client.get("/console/activities/volunteers/", {"find": person.name}).content.decode()
    assert person.name in page
    response = client.post("/console/activities/volunteers/register", {
        "person": person.pk, "kind": "party_member", "workplace": "红花岗区人民医院"})
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(person=person)
    assert volunteer.party_org is not None
    response = client.post("/console/activities/volunteers/register", {
        "person": person.pk, "kind": "volunteer"}, follow=True)
    assert "already in the register" in response.content.decode()


def test_the_public_page_shows_activities_and_projects_without_names(client, activity_a,
                                                                     member_a):
    services.signup_create(activity=activity_a, volunteer=member_a, actor=None)
    services.activity_finish(activity=activity_a, actor=None,
                             attendance={activity_a.signups.get().pk: Attendance.ATTENDED})
    hidden = make_activity(activity_a.community, title="内部培训会", public=False)
    response = client.get("/activities/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "捞沙巷电子支付示范街" in page and 'data-progress="' in page
    assert activity_a.title in page
    assert hidden.title not in page
    names = Volunteer.objects.values_list("person__name", flat=True)
    assert not [n for n in names if n in page]
