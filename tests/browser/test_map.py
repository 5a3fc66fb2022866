"""The street map as a new user sees it after `make demo`: one journey, because every
browser test flushes the database afterwards (pytest-django's live server is transactional)
and reloading the demo costs seconds."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_street_map_journey(page, live_server, laocheng):
    page.goto(f"{live_server.url}/map")
    expect(page.locator("#map-status")).to_have_attribute("data-count", "885", timeout=30_000)

    # Chinese by default, even though this browser asks for English.
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".legend")).to_contain_text("绿")
    expect(page.locator("#map-status")).to_contain_text("885")
    # 885 micro-grids in three colours, communities and grids outlined on top.
    assert page.locator("path.micro-grid").count() == 885
    fills = page.eval_on_selector_all(
        "path.micro-grid", "els => [...new Set(els.map(e => e.getAttribute('fill')))]")
    assert sorted(fills) == sorted(["#2e9d4f", "#e6b400", "#d7263d"])
    for level in ("green", "yellow", "red"):
        assert page.locator(f"path.level-{level}").count() > 0
    assert page.locator("path.community-outline").count() == 7
    assert page.locator("path.grid-outline").count() == 51
    page.screenshot(path="test-results/map.png")

    # Clicking a red micro-grid shows its detail.
    page.locator("path.level-red").first.click(force=True)
    expect(page.locator("#grid-detail")).to_be_visible()
    expect(page.locator("#detail-code")).to_have_text(re.compile(r"^520302001\d{9}$"))
    expect(page.locator("#detail-level")).to_contain_text("红")
    expect(page.locator("#detail-ancestors")).to_contain_text("老城街道")

    # English is one choice away.
    page.select_option("select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".legend")).to_contain_text("Green")
