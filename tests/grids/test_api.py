import pytest

from wangge.grids.models import Grid

pytestmark = pytest.mark.django_db

MICRO = "520302001001001001"


def test_list_is_public_paginated_and_counted(laocheng, client):
    body = client.get("/api/grids/").json()
    assert body["count"] == Grid.objects.count()
    assert len(body["results"]) == 50
    assert body["next"]


@pytest.mark.parametrize(("query", "expected"), [
    ("tier=community", 7),
    ("tier=grid", 51),
    ("tier=micro_grid", 885),
    ("parent=520302001", 7),
    ("parent=520302001001", None),
    ("code=520302001001", None),
])
def test_list_filters(laocheng, client, query, expected):
    body = client.get(f"/api/grids/?{query}&page_size=1000").json()
    if expected is None:
        key, value = query.split("=")
        if key == "parent":
            expected = Grid.objects.filter(parent__code=value).count()
        else:
            expected = Grid.objects.filter(code__startswith=value).count()
        assert 0 < expected < 300
    assert body["count"] == expected
    assert len(body["results"]) == expected


def test_level_filter_returns_only_that_level(laocheng, client):
    for level in ("green", "yellow", "red"):
        body = client.get(f"/api/grids/?level={level}&page_size=1000").json()
        assert body["count"] == Grid.objects.filter(level=level).count() > 0
        assert {g["level"] for g in body["results"]} == {level}


def test_a_bad_filter_is_a_clear_400(laocheng, client):
    response = client.get("/api/grids/?level=purple")
    assert response.status_code == 400
    assert "level" in response.json()


def test_detail_has_boundary_and_ancestors(laocheng, client):
    body = client.get(f"/api/grids/{MICRO}/").json()
    assert body["code"] == MICRO and body["tier"] == "micro_grid"
    assert body["boundary"]["type"] == "Polygon"
    assert [a["tier"] for a in body["ancestors"]] == ["street", "community", "grid"]
    assert body["ancestors"][1]["name"] == "红花岗社区"
    assert client.get("/api/grids/999999999/").status_code == 404


def test_locate_inside_and_outside(laocheng, client):
    grid = Grid.objects.get(code=MICRO)
    lon = (grid.min_lon + grid.max_lon) / 2
    lat = (grid.min_lat + grid.max_lat) / 2
    body = client.get(f"/api/grids/locate?lon={lon}&lat={lat}").json()
    assert body["found"] is True
    assert body["micro_grid"]["code"].startswith("520302001")
    assert [a["tier"] for a in body["ancestors"]] == ["street", "community", "grid"]

    far = client.get("/api/grids/locate?lon=100.0&lat=30.0")
    assert far.status_code == 200
    assert far.json()["found"] is False
    assert far.json()["message"]


@pytest.mark.parametrize("query", ["lon=abc&lat=27.7", "lat=27.7", "lon=200&lat=27.7"])
def test_locate_rejects_bad_input_with_400(laocheng, client, query):
    assert client.get(f"/api/grids/locate?{query}").status_code == 400


def test_bulk_locate(laocheng, client):
    response = client.post("/api/grids/locate/bulk",
                           {"points": [[106.92, 27.70], [100.0, 30.0]]},
                           content_type="application/json")
    codes = response.json()["codes"]
    assert codes[0].startswith("520302001") and len(codes[0]) == 18
    assert codes[1] is None
    bad = client.post("/api/grids/locate/bulk", {"points": [[1]]},
                      content_type="application/json")
    assert bad.status_code == 400


def test_features_are_a_feature_collection_with_levels(laocheng, client):
    body = client.get("/api/grids/features?tier=micro_grid").json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 885
    assert {f["properties"]["level"] for f in body["features"]} == {"green", "yellow", "red"}


def test_level_changes_need_an_admin(laocheng, client, outsider, street_admin):
    url = f"/api/grids/{MICRO}/levels/"
    payload = {"level": "red", "reason": "隐患集中"}
    assert client.post(url, payload).status_code in (401, 403)
    client.force_login(outsider)
    assert client.post(url, payload).status_code == 403
    client.force_login(street_admin)
    grid = Grid.objects.get(code=MICRO)
    payload["level"] = "red" if grid.level != "red" else "yellow"
    response = client.post(url, payload)
    assert response.status_code == 201
    assert response.json()["changed_by"] == "test-superuser"
    history = client.get(url).json()
    assert history[0]["level"] == payload["level"] and history[0]["reason"] == "隐患集中"


def test_openapi_schema_and_docs(laocheng, client):
    schema = client.get("/api/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/grids/", "/api/grids/{code}/", "/api/grids/locate",
                 "/api/grids/locate/bulk", "/api/grids/features"):
        assert path in schema["paths"], path
    params = {p["name"] for p in schema["paths"]["/api/grids/"]["get"]["parameters"]}
    assert {"level", "tier", "parent", "code", "page"} <= params
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"/static/vendor/swagger-ui" in docs.content


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
