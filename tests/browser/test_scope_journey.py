"""Issue 6, the third journey: a grid worker types addresses of things outside their
micro-grid and reaches none of them."""

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import PHONE, login, shot
from tests.conftest import MICRO_A, MICRO_B
from wangge.cases.choices import Source
from wangge.cases.models import Category
from wangge.cases.services import case_report
from wangge.grids.models import Grid
from wangge.registry.models import Person

pytestmark = pytest.mark.browser


def test_a_grid_worker_cannot_reach_outside_their_micro_grid(browser, live_server, laocheng):
    from shapely.geometry import shape

    grid_b = Grid.objects.get(code=MICRO_B)
    p = shape(grid_b.boundary).representative_point()
    case_b = case_report(source=Source.ONLINE, category=Category.objects.get(code="noise"),
                         title="广场舞噪音", description="晚上十点后广场舞音响很大。",
                         lon=p.x, lat=p.y, reporter_phone="13700001111")
    person_b = Person.objects.filter(micro_grid=grid_b).first()

    page = browser.new_context(**PHONE).new_page()
    login(page, live_server, f"worker-{MICRO_A}", "/m/")
    expect(page.locator("body")).not_to_contain_text(case_b.tracking_code)
    outside = [
        f"/m/cases/{case_b.tracking_code}",
        f"/console/cases/{case_b.tracking_code}",
        f"/api/cases/{case_b.tracking_code}/",
        f"/registry/grids/{MICRO_B}/",
        f"/registry/people/{person_b.pk}/",
        f"/api/people/{person_b.pk}/",
        f"/cases/lists/{MICRO_B}/",
        f"/cases/lists/{MICRO_A[:12]}/",
        f"/console/dashboard?grid={MICRO_B[:12]}",
    ]
    for n, url in enumerate(outside):
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 404, url
        if n == 0:
            shot(page, "14-worker-outside-is-not-found")
    # Their own micro-grid is there.
    assert page.goto(f"{live_server.url}/registry/grids/{MICRO_A}/").status == 200
    assert page.goto(f"{live_server.url}/m/grid").status == 200
    shot(page, "15-worker-own-grid")
