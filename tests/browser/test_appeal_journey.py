"""Issue 6, the first journey: a resident on a phone files an appeal with a photo and a map
pin; the grid worker sees it among their tasks and handles it on the spot; the resident
sees the result and rates it; the dashboard's counts change. One test: the live server is
transactional and each browser test reloads the demo."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.journeys import PHONE, login, shot
from tests.conftest import MICRO_A
from wangge.cases.models import Case

pytestmark = pytest.mark.browser


def _closed_on_dashboard(page, live_server) -> int:
    page.goto(f"{live_server.url}/console/dashboard")
    expect(page.locator("#chart-months")).to_have_attribute("data-ready", "1")
    return int(page.locator("[data-kpi=closed] .v").inner_text())


def test_resident_files_worker_handles_resident_rates_dashboard_counts(
        browser, live_server, laocheng, point_a, tmp_path, settings):
    settings.WANGGE_2FA_REQUIRED = False
    lon, lat = point_a
    photo = tmp_path / "垃圾.png"
    Image.new("RGB", (64, 48), (120, 90, 40)).save(photo)

    # The street's command centre before.
    desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    console = desk.new_page()
    login(console, live_server, "street-admin", "/console/dashboard")
    closed_before = _closed_on_dashboard(console, live_server)

    # A resident on a phone, with the phone's position in micro-grid A.
    phone = browser.new_context(**PHONE, geolocation={"latitude": lat, "longitude": lon},
                                permissions=["geolocation"])
    resident = phone.new_page()
    transferred: list[int] = []
    resident.on("response", lambda r: transferred.append(len(r.body()))
                if r.request.method == "GET" and r.status == 200 else None)
    resident.goto(f"{live_server.url}/")
    expect(resident.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(resident.locator(".hero")).to_contain_text("反映")
    shot(resident, "1-resident-home")
    resident.click(".hero a.button")
    expect(resident.locator("#pin-map .leaflet-interactive").first).to_be_attached(
        timeout=20_000)
    # Page weight budget of the residents' pages: ≤ 300 KB on first load, uncompressed
    # here (the live server does not compress; WhiteNoise does in production).
    resident.wait_for_load_state("networkidle")
    assert sum(transferred) <= 300 * 1024, sum(transferred)
    resident.select_option("#id_category", "sanitation")
    resident.fill("#id_description", "小区北门垃圾桶满了三天没人清运,气味很大。")
    resident.click("#use-position")
    expect(resident.locator("#id_lon")).not_to_have_value("")
    resident.set_input_files("#id_photos", str(photo))
    resident.fill("#id_phone", "13912345678")
    shot(resident, "2-resident-appeal-form")
    resident.click("#appeal-form button[type=submit]")
    code = resident.locator("[data-tracking-code]").inner_text().strip()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{10}", code)
    shot(resident, "3-resident-tracking-code")
    case = Case.objects.get(tracking_code=code)
    assert case.grid.code == MICRO_A and case.photos.count() == 1

    # The grid worker of micro-grid A, on a phone: the appeal is among their tasks.
    worker_page = browser.new_context(**PHONE).new_page()
    login(worker_page, live_server, f"worker-{MICRO_A}", "/m/")
    card = worker_page.locator(f"#case-{code}")
    expect(card).to_be_visible()
    shot(worker_page, "4-worker-tasks")
    card.locator("[data-action=handle_on_spot]").click()
    step = worker_page.locator("#step-handle_on_spot")
    step.locator("textarea[name=result]").fill("已联系环卫所清运,并提醒物业每日巡查。")
    shot(worker_page, "5-worker-handles-on-the-spot")
    step.locator("button[type=submit]").click()
    expect(worker_page.locator("body")).to_contain_text("环卫所清运")
    case.refresh_from_db()
    assert case.status == "closed" and case.max_level == "grid"

    # The resident sees the result and rates it.
    resident.goto(f"{live_server.url}/appeal/{code}")
    expect(resident.locator("[data-result]")).to_contain_text("环卫所清运")
    resident.check("input[name=evaluation][value=satisfied]")
    resident.fill("textarea[name=comment]", "处理很及时,谢谢!")
    shot(resident, "6-resident-rates")
    resident.click("form[action$='/rate'] button[type=submit]")
    expect(resident.locator("[data-evaluation]")).to_have_attribute("data-evaluation",
                                                                     "satisfied")
    shot(resident, "7-resident-rated")

    # The dashboard counts one more closed case.
    assert _closed_on_dashboard(console, live_server) == closed_before + 1
    shot(console, "8-dashboard")
    console.click("#db-fullscreen")
    expect(console.locator("body")).to_have_class(re.compile("big-screen"))
    shot(console, "9-dashboard-big-screen")
