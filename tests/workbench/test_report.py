"""Reporting a case from the phone: server-side checks in Chinese, what was typed kept, and
the case placed in the worker's micro-grid."""

import pytest
from django.utils.translation import gettext, override

from tests.conftest import MICRO_A
from tests.workbench.conftest import png
from wangge.cases.models import Case
from wangge.registry.models import Building

pytestmark = pytest.mark.django_db


def _zh(message: str) -> str:
    with override("zh-hans"):
        return gettext(message)


def test_a_missing_description_is_refused_in_chinese_and_the_category_is_kept(client,
                                                                           worker_a,
                                                                           point_a):
    client.force_login(worker_a)
    lon, lat = point_a
    response = client.post("/m/report", {"category": "fire_hazard", "description": "",
                                         "lon": lon, "lat": lat, "urgency": "urgent",
                                         "address": "捞沙巷口"})
    assert response.status_code == 400
    page = response.content.decode()
    required = _zh("This field is required.")
    assert required != "This field is required." and required in page
    assert '<option value="fire_hazard" selected>' in page
    assert 'value="捞沙巷口"' in page
    assert '<option value="urgent" selected>' in page
    assert not Case.objects.filter(reported_by=worker_a).exists()


def test_a_point_outside_the_street_is_refused_with_what_to_do(client, worker_a):
    client.force_login(worker_a)
    response = client.post("/m/report", {"category": "sanitation",
                                         "description": "路边垃圾堆积", "lon": 100.0,
                                         "lat": 20.0, "urgency": "normal"})
    assert response.status_code == 400
    message = _zh("This place is outside every micro-grid of the street. "
                  "Move the pin or give the address.")
    assert message in response.content.decode()
    assert "路边垃圾堆积" in response.content.decode()


def test_no_place_at_all_says_how_to_give_one(client, worker_a):
    client.force_login(worker_a)
    response = client.post("/m/report", {"category": "sanitation", "description": "垃圾",
                                         "urgency": "normal"})
    assert response.status_code == 400
    message = _zh("Say where it is: tap “use my position”, place the pin on the map, or "
                  "choose a building.")
    assert message in response.content.decode()


def test_a_report_with_position_and_photos_opens_a_case_in_my_micro_grid(client, worker_a,
                                                                        point_a):
    client.force_login(worker_a)
    lon, lat = point_a
    response = client.post("/m/report", {
        "source": "patrol", "category": "sanitation", "description": "垃圾桶满溢无人清运",
        "lon": lon, "lat": lat, "urgency": "normal", "photos": [png("a.png"), png("b.png")]})
    assert response.status_code == 302
    case = Case.objects.get(reported_by=worker_a)
    assert response.url == f"/m/cases/{case.tracking_code}"
    assert case.grid.code == MICRO_A and case.source == "patrol"
    assert case.photos.filter(stage="report").count() == 2
    page = client.get(response.url).content.decode()
    assert case.tracking_code in page and "垃圾桶满溢无人清运" in page


def test_a_second_report_of_the_same_matter_shows_the_first_as_possible_duplicate(
        client, worker_a, point_a):
    client.force_login(worker_a)
    lon, lat = point_a
    form = {"category": "sanitation", "description": "垃圾堆积", "lon": lon, "lat": lat,
            "urgency": "normal"}
    client.post("/m/report", form)
    first = Case.objects.get(reported_by=worker_a)
    fragment = client.get("/m/report/duplicates",
                          {"category": "sanitation", "lon": lon, "lat": lat})
    assert first.tracking_code in fragment.content.decode()
    second = client.post("/m/report", form)
    page = client.get(second.url).content.decode()
    assert 'id="duplicates"' in page and first.tracking_code in page


def test_a_building_of_my_micro_grid_places_the_case_without_a_map(client, worker_a):
    building = Building.objects.filter(micro_grid__code=MICRO_A).first()
    client.force_login(worker_a)
    response = client.post("/m/report", {"category": "street_lamp", "description": "路灯不亮",
                                         "building": building.pk, "urgency": "normal"})
    assert response.status_code == 302
    case = Case.objects.get(reported_by=worker_a)
    assert case.building == building and case.grid.code == MICRO_A


def test_another_micro_grids_building_is_not_offered(client, worker_b):
    building = Building.objects.filter(micro_grid__code=MICRO_A).first()
    client.force_login(worker_b)
    page = client.get("/m/report").content.decode()
    assert f'<option value="{building.pk}"' not in page
    response = client.post("/m/report", {"category": "street_lamp", "description": "路灯不亮",
                                         "building": building.pk, "urgency": "normal"})
    assert response.status_code == 400
    assert not Case.objects.filter(reported_by=worker_b).exists()


def test_the_category_can_come_prefilled(client, worker_a):
    client.force_login(worker_a)
    page = client.get("/m/report?category=manhole").content.decode()
    assert '<option value="manhole" selected>' in page
