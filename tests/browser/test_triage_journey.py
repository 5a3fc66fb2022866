"""Issue 8 §4, "done when": a resident describes the matter in their own words on the
appeal form, sees the suggested category with its confidence, picks it with one click and
files the appeal under it. Nothing is chosen for them until they click."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import PHONE, shot
from tests.cases.test_triage import demo_phrasings
from tests.conftest import MICRO_A
from wangge.cases import triage
from wangge.cases.models import Case

pytestmark = pytest.mark.browser


def test_resident_sees_the_suggested_category_picks_it_and_files(
        browser, live_server, laocheng, point_a):
    triage.train(samples=demo_phrasings(), cv_folds=0)
    lon, lat = point_a
    phone = browser.new_context(**PHONE, geolocation={"latitude": lat, "longitude": lon},
                                permissions=["geolocation"])
    resident = phone.new_page()
    resident.goto(f"{live_server.url}/appeal/new")
    suggest = resident.locator("#triage-suggest")
    expect(suggest).to_be_hidden()

    resident.locator("#id_description").press_sequentially(
        "我们楼下那个垃圾站好几天没人来收了,天气又热,臭得窗户都不敢开", delay=5)
    expect(suggest).to_be_visible(timeout=10_000)
    # "建议类别: 环境卫生 (置信度 82%)", whatever the catalogue has translated so far.
    expect(suggest.locator(".suggest-name")).to_have_text(re.compile(r"环境卫生 \(\S+ \d+%\)"))
    assert resident.locator("#id_category").input_value() == ""  # not chosen for them
    shot(resident, "triage-1-suggested")

    suggest.locator(".suggest-first button").click()
    expect(resident.locator("#id_category")).to_have_value("sanitation")
    expect(suggest.locator(".suggest-first button")).to_have_attribute("aria-pressed", "true")
    resident.click("#use-position")
    expect(resident.locator("#id_lon")).not_to_have_value("")
    shot(resident, "triage-2-picked")
    resident.click("#appeal-form button[type=submit]")
    code = resident.locator("[data-tracking-code]").inner_text().strip()
    case = Case.objects.get(tracking_code=code)
    assert case.category.code == "sanitation" and case.grid.code == MICRO_A
    phone.close()
