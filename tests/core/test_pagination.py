"""API pages: a first page shorter than a page is the whole result and is counted without a
COUNT query; longer results are counted, linked and paged as before."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wangge.grids.models import Grid

pytestmark = pytest.mark.django_db

URL = "/api/grids/?tier=community"  # 7 communities in Laocheng


def _get(client, query: str) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"{URL}&{query}").json()
    return body, [q["sql"] for q in queries.captured_queries]


def test_a_short_first_page_is_the_whole_result_without_a_count_query(laocheng, client):
    body, sql = _get(client, "page_size=10")
    assert body["count"] == len(body["results"]) == 7
    assert body["next"] is None and body["previous"] is None
    assert not [s for s in sql if "COUNT(" in s.upper()]


@pytest.mark.parametrize("page_size", [3, 7])
def test_a_full_first_page_is_counted_and_linked(laocheng, client, page_size):
    body, sql = _get(client, f"page_size={page_size}")
    assert body["count"] == 7
    assert len(body["results"]) == page_size
    assert (body["next"] is not None) == (page_size < 7)
    assert [s for s in sql if "COUNT(" in s.upper()]


def test_later_pages_and_the_last_page(laocheng, client):
    codes = list(Grid.objects.filter(tier="community").order_by("code")
                 .values_list("code", flat=True))
    seen = []
    for page in ("1", "2", "3"):
        body, _sql = _get(client, f"page_size=3&page={page}")
        assert body["count"] == 7
        seen += [g["code"] for g in body["results"]]
    assert seen == codes
    last, _sql = _get(client, "page_size=3&page=last")
    assert [g["code"] for g in last["results"]] == codes[6:]
    assert client.get(f"{URL}&page_size=3&page=9").status_code == 404
