"""The residents' site through the test client: file, follow, rate, browse."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.conftest import MICRO_A
from wangge.cases.choices import Action, Source, Status
from wangge.cases.models import Case
from wangge.cases.services import case_act

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile("photo.png", buf.getvalue(), content_type="image/png")


def test_home_shows_the_streets_figures_in_chinese(client, laocheng):
    before = Case.objects.filter(source=Source.ONLINE).count()
    page = client.get("/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "反映问题" in text or "我要反映" in text
    assert f'data-figure="received">{before}<' in text


def test_a_resident_files_an_appeal_with_a_pin_and_a_photo(client, point_a):
    lon, lat = point_a
    response = client.post("/appeal/new", {
        "category": "sanitation", "description": "小区门口垃圾堆了三天没人清运。",
        "lon": lon, "lat": lat, "name": "王阿姨", "phone": "13912345678",
        "photos": [_png()]}, follow=True)
    assert response.status_code == 200
    case = Case.objects.get(description="小区门口垃圾堆了三天没人清运。")
    assert case.grid.code == MICRO_A and case.source == Source.ONLINE
    assert case.photos.count() == 1
    text = response.content.decode()
    assert case.tracking_code in text
    assert "13912345678" not in text


def test_a_form_error_keeps_what_was_typed_and_says_what_to_do(client, laocheng):
    response = client.post("/appeal/new", {"category": "sanitation",
                                           "description": "路灯坏了一个星期"})
    text = response.content.decode()
    assert response.status_code == 400
    assert "路灯坏了一个星期" in text
    assert "地图" in text  # place a pin on the map or write the address
    assert not Case.objects.filter(description="路灯坏了一个星期").exists()


def test_a_bad_phone_number_is_refused_in_chinese(client, point_a):
    lon, lat = point_a
    response = client.post("/appeal/new", {"category": "sanitation", "description": "测试",
                                           "lon": lon, "lat": lat, "phone": "12345"})
    assert response.status_code == 400
    assert "电话" in response.content.decode() or "手机" in response.content.decode()


def test_a_pin_outside_the_street_is_refused(client, laocheng):
    response = client.post("/appeal/new", {"category": "sanitation", "description": "外地",
                                           "lon": 116.4, "lat": 39.9})
    assert response.status_code == 400
    assert not Case.objects.filter(description="外地").exists()


def test_follow_and_rate_the_result(client, case_a, worker_a):
    page = client.get(f"/appeal/{case_a.tracking_code.lower()}")
    assert page.status_code == 200 and "13800138000" not in page.content.decode()
    assert "张三" not in page.content.decode()
    case = case_act(case=case_a, action=Action.HANDLE_ON_SPOT, actor=worker_a,
                    result="已联系环卫所清运干净")
    page = client.get(f"/appeal/{case.tracking_code}")
    assert "已联系环卫所清运干净" in page.content.decode()
    client.post(f"/appeal/{case.tracking_code}/rate",
                {"evaluation": "satisfied", "comment": "很快", "version": case.version})
    case.refresh_from_db()
    assert case.status == Status.EVALUATED and case.evaluation == "satisfied"
    results = client.get("/results").content.decode()
    assert "已联系环卫所清运干净" in results
    assert case.tracking_code not in results and "张三" not in results


def test_a_stale_rating_is_refused_with_a_message(client, case_a, worker_a):
    case = case_act(case=case_a, action=Action.HANDLE_ON_SPOT, actor=worker_a, result="好了")
    client.post(f"/appeal/{case.tracking_code}/rate",
                {"evaluation": "satisfied", "version": case.version})
    page = client.post(f"/appeal/{case.tracking_code}/rate",
                       {"evaluation": "dissatisfied", "version": case.version}, follow=True)
    case.refresh_from_db()
    assert case.status == Status.EVALUATED
    assert page.status_code == 200


def test_unknown_tracking_code_is_a_friendly_404(client, laocheng):
    assert client.get("/appeal/NOSUCHCODE").status_code == 404
    assert client.get("/appeal/track?code=abc", follow=True).status_code == 404


def test_a_result_photo_is_served_to_the_tracking_code_holder_only(client, case_a, worker_a):
    case = case_act(case=case_a, action=Action.HANDLE_ON_SPOT, actor=worker_a, result="已清运",
                    photos=[_png()])
    photo = case.photos.get(stage="result")
    page = client.get(f"/appeal/{case.tracking_code}").content.decode()
    url = f"/appeal/{case.tracking_code}/photos/{photo.pk}"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert client.get(f"/appeal/AAAAAAAAAA/photos/{photo.pk}").status_code == 404
