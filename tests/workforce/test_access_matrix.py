"""The access matrix: each role × a record inside / outside its part of the tree × read /
write, on every registry endpoint and page. Outside is always "not found"."""

import pytest

from tests.conftest import MICRO_A, MICRO_B
from wangge.registry.models import Facility, House, Person

pytestmark = pytest.mark.django_db

ROLES = ["worker_a", "leader_a", "community_officer", "street_staff"]


def _records(code: str) -> dict:
    person = Person.objects.filter(micro_grid__code=code, status="active",
                                   relation="head").first()
    return {
        "pk": person.pk, "hh": person.household_id,
        "house": House.objects.filter(micro_grid__code=code).first().pk,
        "building": person.household.house.building_id,
        "facility": Facility.objects.filter(micro_grid__code=code).first().pk,
        "code": code,
    }


READS = [
    "/api/people/{pk}/", "/api/people/{pk}/history", "/api/households/{hh}/",
    "/api/houses/{house}/", "/api/buildings/{building}/", "/api/facilities/{facility}/",
    "/registry/people/{pk}/", "/registry/grids/{code}/", "/registry/grids/{code}/file.xlsx",
    "/registry/grids/{code}/file.pdf",
]
WRITES = [
    ("patch", "/api/houses/{house}/", {"use": "rented"}),
    ("patch", "/api/facilities/{facility}/", {"condition": "damaged"}),
    ("patch", "/api/people/{pk}/", {"note": "走访核实", "reason": "走访"}),
    ("patch", "/api/buildings/{building}/", {"address": "捞沙巷1号", "reason": "核实门牌"}),
]


def _url(template: str, records: dict) -> str:
    return template.format(**records)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("template", READS)
def test_reads_inside_are_allowed_and_outside_are_not_found(request, client, role, template):
    client.force_login(request.getfixturevalue(role))
    inside = client.get(_url(template, _records(MICRO_A)))
    assert inside.status_code == 200, (role, template)
    outside_code = MICRO_B if role != "street_staff" else None
    if outside_code is None:
        return  # the street admin's part is the whole demo street: nothing is outside
    assert client.get(_url(template, _records(outside_code))).status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "template", "payload"), WRITES)
def test_writes_inside_are_allowed_and_outside_are_not_found(request, client, role, method,
                                                             template, payload):
    client.force_login(request.getfixturevalue(role))
    call = getattr(client, method)
    inside = call(_url(template, _records(MICRO_A)), payload, content_type="application/json")
    assert inside.status_code == 200, (role, template, inside.content[:300])
    if role == "street_staff":
        return
    outside = call(_url(template, _records(MICRO_B)), payload,
                   content_type="application/json")
    assert outside.status_code == 404


@pytest.mark.parametrize(("role", "allowed"), [
    ("worker_a", False), ("leader_a", False), ("community_officer", True),
    ("street_staff", True),
])
def test_only_officers_see_personal_data_unmasked(request, client, role, allowed):
    client.force_login(request.getfixturevalue(role))
    inside = _records(MICRO_A)
    response = client.post(f"/api/people/{inside['pk']}/reveal", {"reason": "核实"})
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("role", ["worker_a", "leader_a", "community_officer"])
def test_the_neighbours_grid_file_and_exports_are_not_found(request, client, role):
    client.force_login(request.getfixturevalue(role))
    outside = MICRO_B[:12]  # the neighbouring community
    for url in (f"/registry/grids/{outside}/", f"/registry/grids/{outside}/file.xlsx"):
        assert client.get(url).status_code == 404
    export = client.post("/registry/ledgers/people/export.xlsx", {"under": outside,
                                                                  "reason": "核对"})
    assert export.status_code in (302, 404)  # no permission, or not found: never a file
    assert export.get("Content-Type", "") != "application/vnd.openxmlformats-officedocument" \
        ".spreadsheetml.sheet"


def test_grid_workers_cannot_change_levels(client, worker_a, street_staff):
    client.force_login(worker_a)
    url = f"/api/grids/{MICRO_A}/levels/"
    assert client.post(url, {"level": "red", "reason": "x"}).status_code == 403
    client.force_login(street_staff)
    assert client.post(url, {"level": "red", "reason": "隐患集中"}).status_code in (200, 201)
