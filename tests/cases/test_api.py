"""The cases HTTP API as its users meet it: staff see and move only the cases of their part
of the tree (anything else is 404), a race is a 409 with the case as it is now, errors
speak Chinese, and residents follow their appeal by tracking code without anyone's
personal data showing."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.conftest import MICRO_A, MICRO_B
from wangge.cases.api import API_STEPS
from wangge.cases.choices import Action, Level, Source, Status
from wangge.cases.models import Case, Category
from wangge.cases.services import case_act, case_report
from wangge.grids.models import Grid
from wangge.workforce.models import Worker

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{4,}")


def hyphen(action: str) -> str:
    return action.replace("_", "-")


def png(name: str = "scene.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["tracking_code"] for row in response.json()["results"]}


def post_json(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def micro_b(laocheng) -> Grid:
    return Grid.objects.get(code=MICRO_B)


# --- scope ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "worker_b"])
def test_a_case_outside_ones_part_of_the_tree_is_not_found(client, request, who, case_a):
    client.force_login(request.getfixturevalue(who))
    base = f"/api/cases/{case_a.tracking_code}/"
    assert client.get(base).status_code == 404
    assert client.get(base + "duplicates/").status_code == 404
    for action in API_STEPS:
        response = post_json(client, f"{base}{hyphen(action)}/",
                             {"version": 1, "note": "试试", "plan": "x", "result": "x",
                              "evaluation": "satisfied", "decision": "decline"})
        assert response.status_code == 404, (action, response.status_code)
    assert case_a.tracking_code not in codes(client.get("/api/cases/?page_size=1000"))
    case_a.refresh_from_db()
    assert case_a.version == 1 and case_a.steps.count() == 1


def test_every_step_has_its_endpoint():
    assert set(API_STEPS) == set(Action.values) - {Action.REPORT, Action.WARN}


def test_a_handler_from_elsewhere_sees_and_works_the_case_dispatched_to_them(
        client, micro_b, sanitation, street_staff, worker_a):
    case = case_report(source=Source.HOTLINE, category=sanitation, title="B 区垃圾",
                       description="垃圾满溢", grid=micro_b)
    case_act(case=case, action=Action.ACCEPT, actor=street_staff)
    case_act(case=case, action=Action.DISPATCH, actor=street_staff, plan="跨网格支援",
             handler=Worker.objects.get(user=worker_a))
    client.force_login(worker_a)
    assert client.get(f"/api/cases/{case.tracking_code}/").status_code == 200
    response = post_json(client, f"/api/cases/{case.tracking_code}/start/", {"version": 3})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.IN_PROGRESS
    # Re-dispatching is the street's, not the handler's: 403 (the case is visible to them).
    response = post_json(client, f"/api/cases/{case.tracking_code}/dispatch/",
                         {"plan": "交给别人", "handling_unit": "城管中队"})
    assert response.status_code == 403


def test_a_handler_from_elsewhere_may_add_a_note(client, micro_b, sanitation, street_staff,
                                                 worker_a):
    case = case_report(source=Source.HOTLINE, category=sanitation, title="B 区垃圾",
                       description="垃圾满溢", grid=micro_b)
    case_act(case=case, action=Action.ACCEPT, actor=street_staff)
    case_act(case=case, action=Action.DISPATCH, actor=street_staff, plan="跨网格支援",
             handler=Worker.objects.get(user=worker_a))
    client.force_login(worker_a)
    response = post_json(client, f"/api/cases/{case.tracking_code}/comment/",
                         {"note": "已到现场,明早清运"})
    assert response.status_code == 200, response.json()


# --- lists ---------------------------------------------------------------------------------


@pytest.fixture
def several(point_a, micro_b, sanitation, leader_a, community_officer):
    """Cases of several kinds, statuses, levels and places."""
    noise = Category.objects.get(code="noise")
    gas = Category.objects.get(code="gas_safety")
    lon, lat = point_a
    now = timezone.now()
    online = case_report(source=Source.ONLINE, category=sanitation, title="垃圾",
                         description="垃圾桶满溢无人清运", lon=lon, lat=lat)
    accepted = case_report(source=Source.PATROL, category=noise, title="噪音",
                           description="夜间施工噪音扰民", lon=lon, lat=lat)
    case_act(case=accepted, action=Action.ACCEPT, actor=leader_a)
    hotline = case_report(source=Source.HOTLINE, category=gas, title="燃气",
                          description="楼道有燃气味", grid=micro_b, external_id="GZ-1")
    raised = case_report(source=Source.PATROL, category=sanitation, title="污水",
                         description="污水外溢需要社区协调", lon=lon, lat=lat)
    case_act(case=raised, action=Action.RAISE, actor=leader_a, note="需社区协调")
    overdue = case_report(source=Source.WALK_IN, category=noise, title="旧事",
                          description="广场舞音响太大", lon=lon, lat=lat,
                          reported_at=now - dt.timedelta(days=14))
    return {"online": online, "accepted": accepted, "hotline": hotline, "raised": raised,
            "overdue": overdue}


@pytest.mark.parametrize(("query", "expected"), [
    ("status=accepted", {"accepted", "raised"}),
    ("status=reported&status=accepted", {"online", "accepted", "hotline", "raised",
                                         "overdue"}),
    ("source=hotline", {"hotline"}),
    ("source=online&source=walk_in", {"online", "overdue"}),
    ("category=sanitation", {"online", "raised"}),
    ("category=civility_hygiene", {"online", "accepted", "raised", "overdue"}),
    ("category=safety", {"hotline"}),
    (f"grid={MICRO_A}", {"online", "accepted", "raised", "overdue"}),
    (f"grid={MICRO_B[:12]}", {"hotline"}),
    ("level=community", {"raised"}),
    ("level=grid", {"online", "accepted", "hotline", "overdue"}),
    ("overdue=true", {"overdue"}),
    ("overdue=false", {"online", "accepted", "hotline", "raised"}),
    ("q=燃气味", {"hotline"}),
    ("q=广场舞", {"overdue"}),
])
def test_list_filters(client, street_staff, several, query, expected):
    client.force_login(street_staff)
    mine = {c.tracking_code: name for name, c in several.items()}
    found = codes(client.get(f"/api/cases/?page_size=1000&{query}"))
    assert {mine[code] for code in found if code in mine} == expected


def test_a_tracking_code_finds_its_case(client, street_staff, several):
    client.force_login(street_staff)
    code = several["hotline"].tracking_code
    assert codes(client.get(f"/api/cases/?q={code.lower()}")) == {code}


def test_the_list_is_scoped(client, leader_a, community_officer, several):
    client.force_login(leader_a)
    found = codes(client.get("/api/cases/?page_size=1000"))
    # The raised case is held by the community now, but it happened in A: still visible.
    assert {several[k].tracking_code for k in ("online", "accepted", "raised",
                                                "overdue")} <= found
    assert several["hotline"].tracking_code not in found
    client.force_login(community_officer)
    assert several["hotline"].tracking_code not in codes(
        client.get("/api/cases/?page_size=1000"))


# --- reporting -------------------------------------------------------------------------------


def test_a_worker_reports_with_a_photo(client, worker_a, worker_b, point_a, settings,
                                       tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(worker_a)
    lon, lat = point_a
    response = client.post("/api/cases/", {
        "category": "sanitation", "description": "巡查发现绿化带内堆放建筑垃圾",
        "lon": lon, "lat": lat, "photos": [png("a.png"), png("b.png")],
        "reporter_phone": "13912345678"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grid"] == MICRO_A and body["source"] == Source.PATROL
    assert body["status"] == Status.REPORTED and body["version"] == 1
    assert body["reporter_phone"] == "139****5678"
    assert [p["stage"] for p in body["photos"]] == ["report", "report"]
    # Photos are served to those who may see the case, not as public files.
    url = body["photos"][0]["url"]
    assert url.startswith(f"/console/cases/{body['tracking_code']}/photos/")
    photo = client.get(url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(photo.streaming_content))).size == (16, 12)
    client.force_login(worker_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code in (302, 403, 404)


def test_a_worker_cannot_report_in_another_grid(client, worker_a, micro_b):
    from shapely.geometry import shape

    client.force_login(worker_a)
    response = post_json(client, "/api/cases/", {"category": "sanitation",
                                                 "description": "别处的事",
                                                 "grid": MICRO_B})
    assert response.status_code == 400  # the other grid is not one of theirs to name
    point = shape(micro_b.boundary).representative_point()
    response = post_json(client, "/api/cases/", {"category": "sanitation",
                                                 "description": "别处的事",
                                                 "lon": point.x, "lat": point.y})
    assert response.status_code == 403
    assert not Case.objects.filter(description="别处的事").exists()


def test_a_file_that_is_not_an_image_is_refused(client, worker_a, point_a):
    client.force_login(worker_a)
    lon, lat = point_a
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.post("/api/cases/", {"category": "sanitation", "description": "x",
                                           "lon": lon, "lat": lat, "photos": [fake]})
    assert response.status_code == 400
    assert "photos" in response.json()


def test_the_same_hotline_order_twice_is_refused_not_a_500(client, worker_a, point_a):
    client.raise_request_exception = False
    client.force_login(worker_a)
    lon, lat = point_a
    order = {"category": "sanitation", "description": "12345 转办: 垃圾未清运", "lon": lon,
             "lat": lat, "source": "hotline", "external_id": "GZ20261127001"}
    assert post_json(client, "/api/cases/", order).status_code == 201
    again = post_json(client, "/api/cases/", order)
    assert again.status_code in (400, 409)
    assert Case.objects.filter(external_id="GZ20261127001").count() == 1


def test_the_reporters_phone_is_masked_for_staff(client, leader_a, case_a):
    client.force_login(leader_a)
    response = client.get(f"/api/cases/{case_a.tracking_code}/")
    assert response.status_code == 200
    assert response.json()["reporter_phone"] == "138****8000"
    assert "13800138000" not in response.content.decode()
    listed = client.get("/api/cases/?page_size=1000").content.decode()
    assert "13800138000" not in listed and "138****8000" in listed


# --- steps -----------------------------------------------------------------------------------


def test_a_stale_version_is_a_409_with_the_case_as_it_is(client, leader_a, case_a):
    client.force_login(leader_a)
    base = f"/api/cases/{case_a.tracking_code}"
    assert post_json(client, f"{base}/accept/", {"version": 1}).status_code == 200
    response = post_json(client, f"{base}/decline/", {"version": 1, "note": "重复"})
    assert response.status_code == 409
    body = response.json()
    assert body["case"] == {"tracking_code": case_a.tracking_code, "status": "accepted",
                            "level": "grid", "version": 2}
    case_a.refresh_from_db()
    assert case_a.status == Status.ACCEPTED and case_a.steps.count() == 2


def test_a_step_not_possible_now_is_a_409(client, leader_a, case_a):
    client.force_login(leader_a)
    response = post_json(client, f"/api/cases/{case_a.tracking_code}/close/", {})
    assert response.status_code == 409
    assert response.json()["case"]["status"] == Status.REPORTED


def test_the_full_loop_through_the_api(client, leader_a, worker_a, case_a, settings,
                                       tmp_path):
    settings.MEDIA_ROOT = tmp_path
    handler = Worker.objects.get(user=worker_a)
    base = f"/api/cases/{case_a.tracking_code}"
    client.force_login(leader_a)
    assert post_json(client, f"{base}/accept/", {"version": 1}).status_code == 200
    response = post_json(client, f"{base}/dispatch/", {
        "version": 2, "handler": handler.pk, "plan": "联系环卫所加派清运车",
        "participants": "网格长、网格员"})
    assert response.status_code == 200, response.content
    assert response.json()["handler"] == handler.name
    client.force_login(worker_a)
    assert post_json(client, f"{base}/start/", {"version": 3}).status_code == 200
    response = client.post(f"{base}/handle/", {"version": 4, "result": "已清运完毕",
                                               "photos": [png("after.png")]})
    assert response.status_code == 200, response.content
    assert [p["stage"] for p in response.json()["photos"]] == ["result"]
    client.force_login(leader_a)
    response = post_json(client, f"{base}/close/", {"version": 5, "note": "现场核实"})
    body = response.json()
    assert body["status"] == Status.CLOSED and body["published"]
    assert [s["action"] for s in body["steps"]] == ["report", "accept", "dispatch", "start",
                                                    "handle", "close"]
    assert len(body["discussions"]) == 1 and len(body["feedback"]) == 1


def test_step_validation_errors_are_400_in_chinese(client, leader_a, case_a):
    client.force_login(leader_a)
    base = f"/api/cases/{case_a.tracking_code}"
    post_json(client, f"{base}/accept/")
    response = post_json(client, f"{base}/dispatch/", {"handler": 999999})
    assert response.status_code == 400
    body = response.json()
    assert body["plan"] == ["该字段是必填项。"]
    assert response.headers["Content-Language"] == "zh-hans"
    # The same request from someone who chose English.
    client.cookies["django_language"] = "en"
    response = post_json(client, f"{base}/dispatch/", {})
    assert response.json()["plan"] == ["This field is required."]
    response = post_json(client, f"{base}/dispatch/", {"plan": "清运", "handler": 999999})
    assert response.status_code == 400 and "handler" in response.json()
    response = post_json(client, f"{base}/evaluate/", {"evaluation": "great"})
    assert response.status_code == 400 and "evaluation" in response.json()


def test_refusals_of_the_rules_are_in_chinese(client, leader_a, worker_b, case_a):
    def chinese(response) -> bool:
        detail = response.json()["detail"]
        return bool(CJK.search(detail)) and not ENGLISH.search(detail)

    client.force_login(leader_a)
    base = f"/api/cases/{case_a.tracking_code}"
    post_json(client, f"{base}/accept/", {"version": 1})
    response = post_json(client, f"{base}/decline/", {"note": ""})
    assert response.status_code == 400 and chinese(response), response.json()
    response = post_json(client, f"{base}/dispatch/", {"plan": "清运"})
    assert response.status_code == 400 and chinese(response), response.json()
    response = post_json(client, f"{base}/decline/", {"version": 1, "note": "重复"})
    assert response.status_code == 409 and chinese(response), response.json()
    response = post_json(client, f"{base}/close/", {})
    assert response.status_code == 409 and chinese(response), response.json()
    client.force_login(worker_b)
    response = post_json(client, "/api/cases/", {"category": "sanitation",
                                                 "description": "别处的事", "lon": case_a.lon,
                                                 "lat": case_a.lat})
    assert response.status_code == 403 and chinese(response), response.json()


def test_relocating_only_to_ones_own_micro_grids(client, leader_a, community_officer,
                                                 case_a):
    client.force_login(leader_a)
    base = f"/api/cases/{case_a.tracking_code}"
    response = post_json(client, f"{base}/relocate/", {"grid": MICRO_B})
    assert response.status_code == 400 and "grid" in response.json()
    client.force_login(community_officer)
    response = post_json(client, f"{base}/relocate/", {"grid": MICRO_A[:15] + "002"})
    assert response.status_code == 200, response.content
    assert response.json()["grid"] == MICRO_A[:15] + "002"


# --- residents -------------------------------------------------------------------------------


def test_the_public_appeal_flow(client, point_a, worker_a, street_admin):
    lon, lat = point_a
    anonymous = client
    response = post_json(anonymous, "/api/appeals/", {
        "category": "sanitation", "description": "单元门口垃圾堆了三天", "lon": lon,
        "lat": lat, "name": "李四", "phone": "13912345678"})
    assert response.status_code == 201, response.content
    code = response.json()["tracking_code"]
    assert response.json()["status"] == Status.REPORTED
    public = anonymous.get(f"/api/appeals/{code.lower()}/")
    assert public.status_code == 200
    assert [s["action"] for s in public.json()["steps"]] == ["report"]
    # Staff handle it on the spot; their note names the resident.
    staff = type(client)()
    staff.force_login(worker_a)
    response = post_json(staff, f"/api/cases/{code}/handle-on-spot/", {
        "version": 1, "result": "已联系环卫工人当场清运", "note": "已电话联系李四 13912345678"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.CLOSED
    public = anonymous.get(f"/api/appeals/{code}/")
    body = public.json()
    assert body["status"] == Status.CLOSED and body["result"] == "已联系环卫工人当场清运"
    assert [s["action"] for s in body["steps"]] == ["report", "handle_on_spot"]
    text = public.content.decode()
    for private in ("李四", "13912345678", "139****5678", "电话联系",
                    Worker.objects.get(user=worker_a).name):
        assert private not in text
    # The resident rates it.
    response = post_json(anonymous, f"/api/appeals/{code}/evaluate/",
                         {"evaluation": "satisfied", "comment": "很快"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.EVALUATED
    again = post_json(anonymous, f"/api/appeals/{code}/evaluate/",
                      {"evaluation": "satisfied"})
    assert again.status_code == 409
    # And the result is published, without the resident.
    published = anonymous.get("/api/published/?page_size=1000")
    assert published.status_code == 200
    rows = [r for r in published.json()["results"] if r["result"] == "已联系环卫工人当场清运"]
    assert len(rows) == 1 and rows[0]["evaluation"] == "satisfied"
    text = published.content.decode()
    assert "李四" not in text and "13912345678" not in text and code not in text


def test_a_dissatisfied_resident_reopens_and_the_result_is_withdrawn(client, case_a,
                                                                    worker_a):
    case_act(case=case_a, action=Action.HANDLE_ON_SPOT, actor=worker_a, result="已清运")
    assert "已清运" in [r["result"] for r in client.get("/api/published/?page_size=1000")
                     .json()["results"]]
    response = post_json(client, f"/api/appeals/{case_a.tracking_code}/evaluate/",
                         {"evaluation": "dissatisfied", "comment": "没有清干净"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.IN_PROGRESS
    results = [r["result"] for r in client.get("/api/published/?page_size=1000")
               .json()["results"]]
    assert "已清运" not in results


def test_an_appeal_outside_the_street_is_refused(client):
    response = post_json(client, "/api/appeals/", {
        "category": "sanitation", "description": "很远的地方", "lon": 116.39, "lat": 39.9})
    assert response.status_code == 400


def test_an_unknown_tracking_code_is_404(client):
    assert client.get("/api/appeals/ZZZZZZZZZZ/").status_code == 404
    assert post_json(client, "/api/appeals/ZZZZZZZZZZ/evaluate/",
                     {"evaluation": "satisfied"}).status_code == 404


def test_categories_are_public(client):
    rows = {r["code"]: r for r in client.get("/api/case-categories/").json()}
    assert rows["sanitation"]["parent"] == "civility_hygiene"
    assert rows["gas_safety"]["handling_days"] == 1


# --- schema ---------------------------------------------------------------------------------


@pytest.fixture
def schema(client, street_admin) -> dict:
    client.force_login(street_admin)
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_the_openapi_schema_has_every_endpoint(schema):
    paths = schema["paths"]
    for action in API_STEPS:
        assert "post" in paths[f"/api/cases/{{code}}/{hyphen(action)}/"], action
    for path in ("/api/cases/", "/api/cases/{code}/", "/api/cases/{code}/duplicates/",
                 "/api/appeals/", "/api/appeals/{code}/", "/api/appeals/{code}/evaluate/",
                 "/api/published/", "/api/case-categories/", "/api/direct-line/meetings/"):
        assert path in paths, path
    assert {"/api/direct-line/meetings/{id}/record/",
            "/api/direct-line/meetings/{pk}/record/"} & set(paths)


def test_the_openapi_schema_documents_each_step_with_its_own_input(schema):
    paths = schema["paths"]
    for action in API_STEPS:
        operation = paths[f"/api/cases/{{code}}/{hyphen(action)}/"]["post"]
        assert operation["operationId"] == f"case_{action}"
        assert {"200", "404", "409"} <= set(operation["responses"])
    dispatch = paths["/api/cases/{code}/dispatch/"]["post"]
    ref = dispatch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "plan" in component["required"]


def test_levels_in_the_api_are_the_levels_of_the_workflow(client, street_staff, several):
    client.force_login(street_staff)
    body = client.get(f"/api/cases/{several['raised'].tracking_code}/").json()
    assert (body["level"], body["responsible"]) == (Level.COMMUNITY, MICRO_A[:12])
