"""When the database cannot be reached, a request answers 503 with Retry-After (so load
balancers and API clients retry), not a bare 500; other errors stay 500."""

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_client(client, street_admin):
    client.raise_request_exception = False
    client.force_login(street_admin)
    return client


def test_an_unreachable_database_answers_503_with_retry_after(failing_client):
    with mock.patch("wangge.cases.api.CaseListApi.get_queryset",
                    side_effect=OperationalError("server closed the connection")):
        response = failing_client.get("/api/cases/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "try again" in response.json()["detail"] or "稍后" in response.json()["detail"]


def test_a_page_says_so_in_html(failing_client):
    with mock.patch("wangge.console.views.selectors.has_scope",
                    side_effect=OperationalError("the database system is shutting down")):
        response = failing_client.get("/console/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")


def test_any_other_error_is_still_a_500(failing_client):
    with mock.patch("wangge.console.views.selectors.has_scope", side_effect=ValueError("bug")):
        response = failing_client.get("/console/")
    assert response.status_code == 500
