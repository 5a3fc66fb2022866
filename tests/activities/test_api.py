"""The API under /api/activities/: scoped, in the OpenAPI schema."""

from wangge.activities.models import Project


def test_lists_and_records_are_scoped(client, community_officer, worker_b, activity_a,
                                      member_a):
    client.force_login(community_officer)
    ids = [a["id"] for a in client.get("/api/activities/activities/").json()["results"]]
    assert activity_a.pk in ids
    record = client.get(f"/api/activities/volunteers/{member_a.pk}/record").json()
    assert record["name"] == member_a.person.name
    assert float(record["total"]) == sum(float(y["hours"]) for y in record["years"])
    volunteers = client.get("/api/activities/volunteers/").json()["results"]
    assert volunteers and "id_number" not in volunteers[0] and "phone" not in volunteers[0]
    project = Project.objects.get(title="捞沙巷电子支付示范街")
    data = client.get(f"/api/activities/projects/{project.pk}/").json()
    assert 0 < data["progress"] < 100 and data["partners"] and data["milestones"]

    client.force_login(worker_b)
    assert client.get(f"/api/activities/activities/{activity_a.pk}/").status_code == 404
    assert client.get(f"/api/activities/volunteers/{member_a.pk}/record").status_code == 404
    assert client.get(f"/api/activities/projects/{project.pk}/").status_code == 404
    assert client.get("/api/activities/activities/").json()["results"] == []


def test_signing_up_through_the_api(client, community_officer, worker_a, activity_a,
                                    member_a):
    url = f"/api/activities/activities/{activity_a.pk}/signups/"
    client.force_login(worker_a)
    assert client.post(url, {"volunteer": member_a.pk}).status_code == 404
    client.force_login(community_officer)
    response = client.post(url, {"volunteer": member_a.pk})
    assert response.status_code == 201, response.content
    response = client.post(url, {"volunteer": member_a.pk})
    assert response.status_code == 400
    assert "already signed up" in str(response.json())
    assert [s["name"] for s in client.get(url).json()] == [member_a.person.name]


def test_the_api_is_in_the_schema(client, street_staff):
    client.force_login(street_staff)
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path in ["/api/activities/activities/", "/api/activities/activities/{id}/signups/",
                 "/api/activities/volunteers/{id}/record", "/api/activities/projects/"]:
        assert path in paths, path
