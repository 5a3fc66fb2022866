"""Issue 6, the second journey: a community officer finds an overdue case on the console,
raises it to the street with a reason, and prints the three lists (page and PDF)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.journeys import login, shot
from tests.conftest import MICRO_A
from wangge.cases.choices import Level, Source
from wangge.cases.models import Case, Category
from wangge.cases.services import case_report, case_sweep

pytestmark = pytest.mark.browser


def test_community_officer_raises_an_overdue_case_and_prints_the_three_lists(
        browser, live_server, laocheng, point_a, tmp_path):
    lon, lat = point_a
    # A hazard reported ten days ago that the grid let lapse: the sweep raised it to the
    # community a week ago, and the community's own time limit has passed since.
    reported = timezone.now() - dt.timedelta(days=10)
    case = case_report(source=Source.PATROL, category=Category.objects.get(code="fire_hazard"),
                       title="楼道堆放杂物堵塞消防通道",
                       description="3栋1单元楼道堆满纸箱和旧家具,堵塞消防通道。",
                       lon=lon, lat=lat, reported_at=reported)
    case_sweep(now=reported + dt.timedelta(days=3))
    case.refresh_from_db()
    assert case.level == Level.COMMUNITY and case.level_due_at < timezone.now()

    page = browser.new_context(viewport={"width": 1440, "height": 900},
                               locale="zh-CN").new_page()
    login(page, live_server, f"community-{MICRO_A[:12]}", "/console/")
    page.goto(f"{live_server.url}/console/?overdue=on&state=open")
    row = page.locator("tr", has_text=case.tracking_code)
    expect(row).to_be_visible()
    shot(page, "10-console-overdue-board")
    row.locator("a").first.click()
    expect(page.locator("body")).to_contain_text(case.tracking_code)
    step = page.locator("#step-raise")
    step.locator("summary").click()
    step.locator("textarea[name=note]").fill("涉及多户居民和物业,需街道协调消防部门联合整治。")
    shot(page, "11-console-raise")
    step.locator("button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("街道")
    case.refresh_from_db()
    assert case.level == Level.STREET and case.escalated
    shot(page, "12-console-raised")

    lists = f"{live_server.url}/cases/lists/{MICRO_A[:12]}/?from={reported.date()}" \
            f"&to={timezone.localdate()}"
    page.goto(lists)
    expect(page.locator("body")).to_contain_text(case.tracking_code)
    page.emulate_media(media="print")
    shot(page, "13-three-lists-print")
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.click("a[href*='.pdf']")
    pdf = tmp_path / "three-lists.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert Case.objects.get(pk=case.pk).level == Level.STREET
