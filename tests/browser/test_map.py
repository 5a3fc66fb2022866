"""The street map as a new user sees it after `make demo`."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def map_page(page, live_server):
    # The demo was loaded and committed when the test database was set up.
    page.goto(f"{live_server.url}/map")
    expect(page.locator("#map-status")).to_have_attribute("data-count", "885", timeout=30_000)
    return page


def test_the_map_shows_885_micro_grids_in_three_colours_in_chinese(map_page):
    page = map_page
    # Chinese by default, even though this browser asks for English.
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".legend")).to_contain_text("绿")
    expect(page.locator("#map-status")).to_contain_text("885")
    assert page.locator("path.micro-grid").count() == 885
    fills = page.eval_on_selector_all(
        "path.micro-grid", "els => [...new Set(els.map(e => e.getAttribute('fill')))]")
    assert sorted(fills) == sorted(["#2e9d4f", "#e6b400", "#d7263d"])
    for level in ("green", "yellow", "red"):
        assert page.locator(f"path.level-{level}").count() > 0
    # Communities and grids are outlined on top.
    assert page.locator("path.community-outline").count() == 7
    assert page.locator("path.grid-outline").count() == 51
    page.screenshot(path="test-results/map.png")


def test_clicking_a_micro_grid_shows_its_detail(map_page):
    page = map_page
    page.locator("path.level-red").first.click(force=True)
    detail = page.locator("#grid-detail")
    expect(detail).to_be_visible()
    expect(page.locator("#detail-code")).to_have_text(re.compile(r"^520302001\d{9}$"))
    expect(page.locator("#detail-level")).to_contain_text("红")
    expect(page.locator("#detail-ancestors")).to_contain_text("老城街道")


def test_english_is_available(map_page):
    page = map_page
    page.select_option("select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".legend")).to_contain_text("Green")
