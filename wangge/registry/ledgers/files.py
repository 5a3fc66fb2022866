"""Ledger files in and out: which columns each ledger has, reading an upload or a path,
writing the error file, the export and the blank template."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from wangge.core.models import AuditAction
from wangge.core.services import audit_record
from wangge.registry.ledgers import organisations, people
from wangge.registry.ledgers.people import ERROR_COLUMN, ImportReport, Mode
from wangge.registry.ledgers.tabular import read_sheet, write_sheet, write_template
from wangge.registry.models import Organisation, Person


@dataclass(frozen=True)
class Ledger:
    kind: str
    sheet: str
    title: str
    header: list[str]
    required: set[str]
    text_columns: set[str]
    importer: Any
    notes: dict[str, str]
    example: list[list[Any]]


LEDGERS: dict[str, Ledger] = {
    "people": Ledger(
        "people", people.SHEET_NAME, "实有人口信息采集表", people.HEADER, people.REQUIRED,
        people.TEXT_COLUMNS, people.import_people,
        {
            people.COL_GRID: "18 位微网格编码;楼栋已登记时可不填",
            people.COL_BUILDING: "必填,如 3栋、捞沙巷12号",
            people.COL_ROOM: "必填,如 2-301",
            people.COL_RELATION: "户主、配偶、子、女、父亲、母亲、孙子女、兄弟姐妹、其他;"
                                 "每户一名户主,户主行在前",
            people.COL_ID: "18 位公民身份号码,请保持本列为文本格式",
            people.COL_SEX: "男 / 女,须与身份号码一致",
            people.COL_BIRTH: "如 1990-01-01,须与身份号码一致",
            people.COL_PHONE: "11 位手机号或带区号的固定电话",
            people.COL_POPULATION: "户籍人口 / 流动人口 / 境外人员",
            people.COL_POLITICAL: "中共党员、中共预备党员、共青团员、民主党派、群众",
            people.COL_CARE: "多个用顿号分隔,如 独居老人、低保户",
        },
        [[1, "520302001001001001", "捞沙巷12号", "", "1-101", "户主", "张三",
          "520302199001012372", "男", "1990-01-01", "汉族", "13800000000", "户籍人口", "群众",
          "贵州省遵义市红花岗区", "", "示例行,导入前请删除"]],
    ),
    "organisations": Ledger(
        "organisations", organisations.SHEET_NAME, "辖区单位信息表", organisations.HEADER,
        organisations.REQUIRED, organisations.TEXT_COLUMNS, organisations.import_organisations,
        {
            organisations.COL_CODE: "18 位统一社会信用代码,无则留空",
            organisations.COL_KIND: "机关、企业、个体工商户、社会组织、学校、医院、其他",
            organisations.COL_GRID: "必填,18 位微网格编码",
            organisations.COL_MEMBER: "是 / 否",
        },
        [["示例商店", "", "个体工商户", "捞沙巷1号", "520302001001001001", "李四", "13800000000",
          "否"]],
    ),
}


def read_ledger(*, kind: str, file, filename: str | None = None):
    ledger = LEDGERS[kind]
    return read_sheet(file, required=ledger.required, known=set(ledger.header) | {ERROR_COLUMN},
                      sheet_name=ledger.sheet, filename=filename)


def import_ledger(*, kind: str, file, filename: str, mode: str = Mode.ALL_OR_NOTHING, actor=None,
                  progress=None, scope: list[str] | None = None) -> ImportReport:
    """Read and import a ledger file; raises LedgerFileError if the file cannot be read.
    Rows outside `scope` (grid-code prefixes; None: everywhere) are refused."""
    sheet = read_ledger(kind=kind, file=file, filename=filename)
    return LEDGERS[kind].importer(rows=sheet.rows, mode=mode, actor=actor, filename=filename,
                                  progress=progress, scope=scope)


def write_error_file(*, kind: str, report: ImportReport, target) -> None:
    """The rejected rows in the ledger's own shape, each with its reasons, the faulty cells
    marked; a clerk corrects it and imports it again."""
    ledger = LEDGERS[kind]
    header = [*ledger.header, ERROR_COLUMN]
    by_row: dict[int, list] = {}
    for error in report.errors:
        by_row.setdefault(error.row, []).append(error)
    rows, notes = [], {}
    for index, sheet_row in enumerate(report.rejected_rows):
        errors = by_row.get(sheet_row.number, [])
        reasons = ";".join(
            _("row %(row)d %(column)s: %(message)s") % {
                "row": e.row, "column": e.column, "message": e.message} for e in errors)
        rows.append([sheet_row.values.get(col) for col in ledger.header] + [reasons])
        for e in errors:
            if e.column in ledger.header:
                notes[(index, e.column)] = e.message
    write_sheet(target, sheet_name=ledger.sheet, header=header, rows=rows,
                title=_("%(title)s: rows to correct") % {"title": ledger.title},
                text_columns=ledger.text_columns, cell_notes=notes, error_column=ERROR_COLUMN)


def export_ledger(*, kind: str, target, under: str, actor, reason: str, request=None) -> int:
    """Write every active record under a grid code in the ledger's shape, unmasked (a ledger
    must re-import as it is), and record the export in the audit log."""
    ledger = LEDGERS[kind]
    if kind == "people":
        records = (
            Person.objects.in_subtree(under).filter(status="active")
            .select_related("micro_grid", "household__house__building")
            .prefetch_related("care_groups")
            .annotate(head_first=Case(When(relation="head", then=Value(0)), default=Value(1),
                                      output_field=IntegerField()))
            .order_by("micro_grid__code", "household__house__building__name",
                      "household__house__unit", "household__house__number", "household_id",
                      "head_first", "id")
        )
        rows = people.export_rows(records)
    else:
        records = Organisation.objects.in_subtree(under).filter(active=True) \
            .select_related("micro_grid").order_by("micro_grid__code", "name")
        rows = organisations.export_rows(records)
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.EXPORT, target_type=f"ledger.{kind}",
                     target_id=under, target_label=ledger.title, reason=reason,
                     detail={"rows": len(rows)}, request=request)
        write_sheet(target, sheet_name=ledger.sheet, header=ledger.header, rows=rows,
                    title=ledger.title, text_columns=ledger.text_columns)
    return len(rows)


def write_ledger_template(*, kind: str, target) -> None:
    ledger = LEDGERS[kind]
    write_template(target, sheet_name=ledger.sheet, header=ledger.header, title=ledger.title,
                   example_rows=ledger.example, text_columns=ledger.text_columns,
                   notes=ledger.notes)
