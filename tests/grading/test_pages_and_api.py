"""The grading page and API: the street officer tunes, previews and saves; community officers
decide on their community's proposals; workers and outsiders cannot (403/404)."""

import pytest

from tests.conftest import MICRO_B
from tests.grading.conftest import set_bad_facilities
from wangge.grading.models import GradingModel, LevelProposal
from wangge.grading.services import grading_recompute
from wangge.grids.models import Grid, GridType
from wangge.grids.services import grid_set_level

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposals(green_a, street_staff):
    """Open proposals green → red in micro-grid A and in micro-grid B (another community)."""
    micro_b = Grid.objects.get(code=MICRO_B)
    set_bad_facilities(micro_b, 0)
    grid_set_level(grid=micro_b, level="green", actor=None, reason="test set-up")
    set_bad_facilities(green_a, 3)
    set_bad_facilities(micro_b, 3)
    grading_recompute(actor=street_staff)
    return (LevelProposal.objects.open().get(grid=green_a),
            LevelProposal.objects.open().get(grid=micro_b))


def _form_data(page_form) -> dict:
    return {name: field.value() for name, field in
            ((n, page_form[n]) for n in page_form.fields)}


def test_the_street_officer_previews_and_saves(client, street_staff, laocheng):
    client.force_login(street_staff)
    page = client.get("/console/grading/")
    assert page.status_code == 200
    form = page.context["form"]
    data = _form_data(form)
    data["residential__bad_facilities"] = 40  # a single damaged facility makes it red
    histories = GradingModel.history.count()
    preview = client.post("/console/grading/preview", data, HTTP_HX_REQUEST="true")
    assert preview.status_code == 200
    result = preview.context["preview"]
    assert result.recoloured > 0 and result.changes > result.saved_changes
    assert f'data-changes="{result.changes}"' in preview.content.decode()
    assert GradingModel.history.count() == histories  # nothing saved

    bad = client.post("/console/grading/preview", {**data, "residential__red_from": "x"})
    assert bad.status_code == 400

    saved = client.post("/console/grading/save", data)
    assert saved.status_code == 302
    residential = GradingModel.objects.get(grid_type__code="residential")
    assert residential.weights["bad_facilities"] == 40
    assert LevelProposal.objects.open().count() == result.changes


def test_proposals_in_scope_and_who_decides(client, proposals, community_officer, worker_a,
                                            worker_b, outsider):
    mine, other = proposals
    client.force_login(community_officer)
    page = client.get("/console/grading/")
    shown = {row["p"].pk for row in page.context["proposals"]}
    assert mine.pk in shown and other.pk not in shown
    assert page.context["form"] is None  # a community officer does not tune
    assert client.post("/console/grading/preview", {}).status_code == 403
    assert client.post(f"/console/grading/proposals/{other.pk}/confirm").status_code == 404

    for user, code in ((worker_a, 403), (worker_b, 404), (outsider, 404)):
        client.force_login(user)
        response = client.post(f"/console/grading/proposals/{mine.pk}/confirm")
        assert response.status_code == code, user
    mine.refresh_from_db()
    assert mine.status == "proposed"

    client.force_login(community_officer)
    response = client.post(f"/console/grading/proposals/{mine.pk}/override",
                           {f"p{mine.pk}-level": "yellow", f"p{mine.pk}-note": ""})
    assert response.status_code == 400
    response = client.post(f"/console/grading/proposals/{mine.pk}/confirm",
                           {f"c{mine.pk}-note": "同意"})
    assert response.status_code == 302
    assert Grid.objects.get(pk=mine.grid_id).level == "red"


def test_the_map_explains_the_latest_level_change(client, proposals, street_staff):
    mine, _other = proposals
    client.force_login(street_staff)
    client.post(f"/console/grading/proposals/{mine.pk}/confirm")
    grids = {g["code"]: g for g in client.get("/console/map/grids.json").json()["grids"]}
    row = grids[mine.grid.code]
    assert row["level"] == "red"
    assert "30" in row["level_reason"] and row["level_changed_at"]


def test_the_api(client, proposals, street_staff, community_officer, worker_a, worker_b):
    mine, other = proposals
    client.force_login(street_staff)
    models = client.get("/api/grading/model/").json()
    assert {m["grid_type"] for m in models} >= {None, "residential", "lanes", "commercial"}
    body = {"models": [{"grid_type": t, "weights": {"bad_facilities": 10},
                        "yellow_from": 5, "red_from": 8} for t in
                       [None, *GridType.objects.values_list("code", flat=True)]]}
    preview = client.post("/api/grading/preview/", body, content_type="application/json")
    assert preview.status_code == 200 and preview.json()["changes"] > 0
    refused = client.post("/api/grading/preview/", {"models": [
        {"weights": {"bad_facilities": 1}, "yellow_from": 9, "red_from": 3}]},
        content_type="application/json")
    assert refused.status_code == 400
    saved = client.post("/api/grading/model/", {"grid_type": "lanes", "weights": {
        "bad_facilities": 12}, "yellow_from": 10, "red_from": 25},
        content_type="application/json")
    assert saved.status_code == 200 and saved.json()["weights"]["bad_facilities"] == 12

    client.force_login(community_officer)
    listed = client.get("/api/grading/proposals/").json()
    assert [p["id"] for p in listed if p["id"] in (mine.pk, other.pk)] == [mine.pk]
    assert listed[0]["reasons"]
    assert client.post("/api/grading/model/", {}, content_type="application/json") \
        .status_code == 403
    assert client.post(f"/api/grading/proposals/{other.pk}/confirm/").status_code == 404

    client.force_login(worker_a)
    assert client.post(f"/api/grading/proposals/{mine.pk}/confirm/").status_code == 403
    client.force_login(worker_b)
    assert client.post(f"/api/grading/proposals/{mine.pk}/override/",
                       {"level": "green", "note": "x"}).status_code == 404

    client.force_login(community_officer)
    done = client.post(f"/api/grading/proposals/{mine.pk}/override/",
                       {"level": "green", "note": "已整改"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "overridden"
    again = client.post(f"/api/grading/proposals/{mine.pk}/confirm/")
    assert again.status_code == 409


def test_the_api_is_in_the_schema(client, street_staff):
    client.force_login(street_staff)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    for path in ("/api/grading/model/", "/api/grading/preview/",
                 "/api/grading/proposals/{id}/confirm/"):
        assert path in text
