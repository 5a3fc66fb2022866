"""The clerk's journey (issue: registry, "done when"): import a 2,000-row ledger full of
mistakes in the browser, get the rows to correct, fix them, import them, see the grid file's
counts change and add up to the street; export and import again changes nothing."""

import pytest
from playwright.sync_api import expect

from tests.registry.factories import MICRO, messy_ledger, rows_in_header_order
from wangge.registry.ledgers import people
from wangge.registry.ledgers.files import export_ledger, import_ledger
from wangge.registry.ledgers.tabular import read_sheet, write_sheet
from wangge.registry.selectors import grid_figures

pytestmark = pytest.mark.browser


def _login(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/?next=/registry/ledgers/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pw-street-admin")
    page.click(".login button[type=submit]")
    expect(page.locator("h1")).to_have_text("台账")


def _upload(page, path, mode: str):
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=mode]", mode)
    page.click("#import-form button[type=submit]")
    expect(page.locator("#import-summary")).to_be_visible(timeout=60_000)
    assert page.locator("#progress-bar").get_attribute("value") == "100"
    return page.locator("#import-summary").inner_text()


def test_a_clerk_imports_a_messy_ledger_fixes_it_and_the_counts_add_up(
        page, live_server, laocheng, street_admin, tmp_path, settings):
    # The clerk here is a superuser; two-factor login has tests of its own.
    settings.WANGGE_2FA_REQUIRED = False
    street, community = "520302001", MICRO[:12]
    before = grid_figures(code=community)[community].people
    rows, fixes = messy_ledger(2000)
    ledger = tmp_path / "红花岗社区实有人口.xlsx"
    write_sheet(ledger, sheet_name=people.SHEET_NAME, header=people.HEADER,
                rows=rows_in_header_order(rows), title="老城街道红花岗社区实有人口信息采集表",
                text_columns=people.TEXT_COLUMNS)

    _login(page, live_server, street_admin)
    summary = _upload(page, ledger, "valid-rows")
    rejected = len(fixes)
    assert summary == f"新增 {2000 - rejected}，更新 0，未变 0，拒绝 {rejected}"

    with page.expect_download() as download:
        page.click("#error-file")
    errors = tmp_path / "待更正.xlsx"
    download.value.save_as(errors)
    sheet = read_sheet(errors, required=people.REQUIRED)
    assert len(sheet.rows) == rejected
    assert all(r.values["错误原因"].startswith("第 ") for r in sheet.rows)

    # The clerk corrects each refused row and imports the corrected file.
    corrected = [fixes[r.values["姓名"].strip()] for r in sheet.rows]
    fixed = tmp_path / "已更正.xlsx"
    write_sheet(fixed, sheet_name=people.SHEET_NAME, header=people.HEADER,
                rows=rows_in_header_order(corrected), text_columns=people.TEXT_COLUMNS)
    page.reload()
    assert _upload(page, fixed, "all-or-nothing") == f"新增 {rejected}，更新 0，未变 0，拒绝 0"

    # The grid file's figures moved by 2,000 people and still add up to the street.
    page.goto(f"{live_server.url}/registry/grids/{community}/")
    after = int(page.locator("[data-figure=people]").inner_text())
    assert after == before + 2000
    totals = grid_figures(code=street, group_length=12)
    assert sum(f.people for f in totals.values()) == grid_figures(code=street)[street].people

    # Export and import again: nothing changes.
    exported = tmp_path / "export.xlsx"
    count = export_ledger(kind="people", target=exported, under=community, actor=street_admin,
                          reason="核对台账")
    with open(exported, "rb") as fh:
        report = import_ledger(kind="people", file=fh, filename="export.xlsx")
    assert (report.imported, report.updated, report.rejected, report.unchanged) == \
        (0, 0, 0, count)
