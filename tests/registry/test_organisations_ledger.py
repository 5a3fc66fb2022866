import pytest

from tests.registry.factories import MICRO
from wangge.core.validators import build_credit_code
from wangge.registry.ledgers import organisations
from wangge.registry.ledgers.files import export_ledger, import_ledger, write_ledger_template
from wangge.registry.ledgers.people import Mode
from wangge.registry.ledgers.tabular import read_sheet, write_sheet
from wangge.registry.models import Organisation

pytestmark = pytest.mark.django_db


def _row(name: str, code: str = "", **extra) -> list:
    values = {"单位名称": name, "统一社会信用代码": code, "类型": "企业", "地址": "测试路1号",
              "微网格编码": MICRO, "负责人": "李四", "联系电话": "0851-28221234",
              "是否共治委成员单位": "否", **extra}
    return [values[c] for c in organisations.HEADER]


def _import(tmp_path, rows, mode=Mode.ALL_OR_NOTHING, name="orgs.xlsx"):
    path = tmp_path / name
    write_sheet(path, sheet_name=organisations.SHEET_NAME, header=organisations.HEADER,
                rows=rows, text_columns=organisations.TEXT_COLUMNS)
    with open(path, "rb") as fh:
        return import_ledger(kind="organisations", file=fh, filename=name, mode=mode)


def test_organisations_import_keyed_by_credit_code_and_round_trip(tmp_path, laocheng):
    code = build_credit_code("91520303MA6TEXT01")
    rows = [_row("测试科技有限公司", code, 是否共治委成员单位="是"),
            _row("测试小卖部", 类型="个体工商户")]
    report = _import(tmp_path, rows)
    assert (report.imported, report.rejected) == (2, 0)
    org = Organisation.objects.get(credit_code=code)
    assert org.co_governance_member and org.micro_grid.code == MICRO
    renamed = _import(tmp_path, [_row("测试科技(遵义)有限公司", code)], name="v2.xlsx")
    assert (renamed.imported, renamed.updated) == (0, 1)
    assert Organisation.objects.get(credit_code=code).history.count() == 2

    out = tmp_path / "export.xlsx"
    count = export_ledger(kind="organisations", target=out, under=MICRO, actor=None,
                          reason="核对")
    with open(out, "rb") as fh:
        again = import_ledger(kind="organisations", file=fh, filename="export.xlsx")
    assert (again.imported, again.updated, again.unchanged) == (0, 0, count)


def test_bad_credit_codes_and_kinds_are_refused(tmp_path, laocheng):
    good = build_credit_code("91520303MA6TEXT02")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    report = _import(tmp_path, [_row("甲", bad), _row("乙", 类型="公司"), _row("丙", good)])
    assert (report.rejected, report.written) == (2, False)
    assert {e.column for e in report.errors} == {"统一社会信用代码", "类型"}
    assert not Organisation.objects.filter(name="丙").exists()


def test_templates_have_the_ledger_header(tmp_path):
    for kind, required in (("people", {"公民身份号码", "姓名"}), ("organisations", {"单位名称"})):
        path = tmp_path / f"{kind}.xlsx"
        write_ledger_template(kind=kind, target=path)
        sheet = read_sheet(path, required=required)
        assert sheet.header_row == 2  # a title row above the header


def test_the_dashboard_counts_imported_and_moved_organisations(tmp_path, laocheng):
    from tests.registry.factories import OTHER_MICRO
    from wangge.registry.selectors import grid_figures

    def counted() -> tuple[int, int]:
        return (grid_figures(code=MICRO)[MICRO].organisations,
                grid_figures(code=OTHER_MICRO)[OTHER_MICRO].organisations)

    here, there = counted()
    code = build_credit_code("91520303MA6TEXT03")
    _import(tmp_path, [_row("测试搬家公司", code), _row("测试茶馆", 类型="个体工商户")])
    assert counted() == (here + 2, there)
    _import(tmp_path, [_row("测试搬家公司", code, 微网格编码=OTHER_MICRO)], name="moved.xlsx")
    assert counted() == (here + 1, there + 1)
