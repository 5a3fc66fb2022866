"""Issue 8 §1: a street officer changes a weight of the grading model, previews how many
micro-grids would change colour, saves, confirms a proposal, and the map shows the new
colour with the reason."""

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import login, shot
from wangge.grading.models import GradingModel, LevelProposal
from wangge.grids.models import Grid, GridLevelChange

pytestmark = pytest.mark.browser


def test_street_officer_tunes_previews_saves_and_the_map_explains(browser, live_server,
                                                                   laocheng, settings):
    settings.WANGGE_2FA_REQUIRED = False
    page = browser.new_context(viewport={"width": 1440, "height": 900},
                               locale="zh-CN").new_page()
    login(page, live_server, "street-admin", "/console/grading/")
    page.goto(f"{live_server.url}/console/grading/")
    weight = page.locator("input[name=residential__bad_facilities]")
    expect(weight).to_be_visible()
    # One damaged facility is to make a residential estate red at once.
    weight.fill("40")
    page.click("#preview-button")
    count = page.locator("#preview-count")
    expect(count).to_be_visible(timeout=30_000)
    assert int(count.inner_text()) > 0
    shot(page, "80-grading-preview")
    # The preview saved nothing.
    residential = GradingModel.objects.get(grid_type__code="residential")
    assert residential.weights["bad_facilities"] == 10

    page.click("#save-button")
    expect(page.locator(".msg-success")).to_be_visible(timeout=30_000)
    residential.refresh_from_db()
    assert residential.weights["bad_facilities"] == 40
    row = page.locator("#proposals tbody tr").first
    expect(row).to_be_visible()
    code = row.get_attribute("data-code")
    proposal = LevelProposal.objects.open().get(grid__code=code)
    shot(page, "81-grading-proposals")
    row.locator("form.decide button[type=submit]").click()
    expect(page.locator(".msg-success")).to_be_visible()

    grid = Grid.objects.get(code=code)
    assert grid.level == proposal.to_level
    change = GridLevelChange.objects.filter(grid=grid).first()
    counts = {lvl: Grid.objects.micro_grids().filter(level=lvl).count()
              for lvl in ("green", "yellow", "red")}

    page.goto(f"{live_server.url}/console/map?grid={code}")
    expect(page.locator("#map-status")).to_have_attribute("data-count", "885", timeout=30_000)
    for lvl, n in counts.items():
        expect(page.locator(f".legend .count[data-level={lvl}]")).to_have_text(f"({n})")
    expect(page.locator("#gp-code")).to_have_text(code)
    expect(page.locator("#gp-level")).to_have_text(grid.get_level_display())
    expect(page.locator("#gp-reason")).to_contain_text(change.reason)
    shot(page, "82-grading-map")
