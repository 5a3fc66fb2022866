"""Every user sees exactly their part of the tree: lists, details, search, exports, API."""

import pytest

from tests.conftest import MICRO_A, MICRO_B
from wangge.registry.models import Building, Facility, Household, Person

pytestmark = pytest.mark.django_db

PASSWORD = "wangge-demo"


def _person_in(code: str) -> Person:
    return Person.objects.filter(micro_grid__code=code, status="active").first()


@pytest.mark.parametrize(("user_fixture", "prefix"), [
    ("worker_a", MICRO_A), ("leader_a", MICRO_A), ("community_officer", MICRO_A[:12]),
    ("street_staff", "520302001"),
])
def test_lists_hold_exactly_the_users_subtree(request, client, user_fixture, prefix):
    client.force_login(request.getfixturevalue(user_fixture))
    for url, model in (("/api/people/", Person), ("/api/households/", Household),
                       ("/api/buildings/", Building), ("/api/facilities/", Facility)):
        body = client.get(url, {"page_size": 1}).json()
        expected = model.objects.filter(micro_grid__code__startswith=prefix).count()
        assert body["count"] == expected, url


@pytest.mark.parametrize("url", [
    "/api/people/{pk}/", "/api/people/{pk}/history", "/registry/people/{pk}/",
    "/api/households/{hh}/",
])
def test_a_neighbours_records_are_not_found(client, worker_a, url):
    neighbour = _person_in(MICRO_B)
    client.force_login(worker_a)
    assert client.get(url.format(pk=neighbour.pk, hh=neighbour.household_id)).status_code == 404
    own = _person_in(MICRO_A)
    assert client.get(url.format(pk=own.pk, hh=own.household_id)).status_code == 200


def test_search_by_id_number_does_not_reach_outside(client, worker_a):
    neighbour = _person_in(MICRO_B)
    client.force_login(worker_a)
    body = client.get("/api/people/", {"id_number": neighbour.id_number}).json()
    assert body["count"] == 0


def test_grid_files_follow_the_scope(client, worker_a, community_officer):
    client.force_login(worker_a)
    assert client.get(f"/registry/grids/{MICRO_A}/").status_code == 200
    assert client.get(f"/registry/grids/{MICRO_B}/").status_code == 404
    assert client.get("/registry/grids/").url.endswith(f"/registry/grids/{MICRO_A}/")
    client.force_login(community_officer)
    assert client.get(f"/registry/grids/{MICRO_A[:12]}/").status_code == 200
    assert client.get(f"/registry/grids/{MICRO_B[:12]}/").status_code == 404


def test_workers_do_not_see_personal_data_unmasked(client, worker_a, community_officer):
    person = _person_in(MICRO_A)
    client.force_login(worker_a)
    assert client.post(f"/api/people/{person.pk}/reveal", {"reason": "走访"}).status_code == 403
    client.force_login(community_officer)
    assert client.post(f"/api/people/{person.pk}/reveal", {"reason": "走访"}).status_code == 200


def test_token_login_for_api_clients(client, worker_a):
    response = client.post("/api/auth/token/", {"username": worker_a.username,
                                                "password": PASSWORD})
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    body = client.get("/api/people/", {"page_size": 1},
                      HTTP_AUTHORIZATION=f"Token {token}").json()
    assert body["count"] == Person.objects.filter(micro_grid__code=MICRO_A).count()
    bad = client.post("/api/auth/token/", {"username": worker_a.username, "password": "nope"})
    assert bad.status_code == 400


def test_workers_log_in_on_the_login_page_and_land_on_their_work(client, worker_a):
    response = client.post("/accounts/login/", {"username": worker_a.username,
                                                "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert client.get("/me/").status_code == 200
    # Grid workers are not staff: the admin is closed to them.
    assert client.get("/admin/").status_code == 302


def test_the_admin_shows_staff_only_their_subtree(client, street_staff):
    import datetime

    from django.contrib.auth.models import Permission

    from tests.grids import factories
    from wangge.grids.models import Grid
    from wangge.grids.services import grids_import_geojson
    from wangge.workforce.models import Assignment, Role, Worker

    grids_import_geojson(data=factories.small_tree(), actor=None, reason="another street")
    elsewhere = Assignment.objects.create(
        worker=Worker.objects.create(name="别的街道干部"), grid=Grid.objects.get(
            code=factories.STREET), role=Role.objects.get(code="street_officer"),
        started_on=datetime.date(2026, 1, 1))
    street_staff.user_permissions.add(Permission.objects.get(codename="view_assignment"))
    client.force_login(street_staff)
    listing = client.get("/admin/workforce/assignment/?q=别的街道干部")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 0
    own = Assignment.objects.filter(grid__code__startswith="520302001").first()
    assert client.get(f"/admin/workforce/assignment/{own.pk}/change/").status_code == 200
    assert client.get(f"/admin/workforce/assignment/{elsewhere.pk}/change/").status_code \
        in (302, 404)
