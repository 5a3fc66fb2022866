"""The organisations ledger (辖区单位): units, shops and social organisations in the area.
Keyed by unified social credit code when there is one, else by name within the micro-grid."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from wangge.core import validators as v
from wangge.core.models import AuditAction
from wangge.core.services import audit_record
from wangge.grids.choices import Tier
from wangge.grids.models import Grid
from wangge.registry.choices import OrganisationKind
from wangge.registry.figures import figures_refresh
from wangge.registry.ledgers.people import ImportReport, Mode, RowError, _chunks
from wangge.registry.ledgers.tabular import SheetRow
from wangge.registry.models import Organisation

SHEET_NAME = "辖区单位"
COL_NAME, COL_CODE, COL_KIND, COL_ADDRESS = "单位名称", "统一社会信用代码", "类型", "地址"
COL_GRID, COL_LEADER, COL_PHONE = "微网格编码", "负责人", "联系电话"
COL_MEMBER = "是否共治委成员单位"
HEADER = [COL_NAME, COL_CODE, COL_KIND, COL_ADDRESS, COL_GRID, COL_LEADER, COL_PHONE, COL_MEMBER]
REQUIRED = {COL_NAME, COL_KIND, COL_GRID}
TEXT_COLUMNS = {COL_CODE, COL_GRID, COL_PHONE}
KINDS = {"机关": OrganisationKind.GOVERNMENT, "企业": OrganisationKind.ENTERPRISE,
         "个体工商户": OrganisationKind.SOLE_TRADER, "社会组织": OrganisationKind.SOCIAL,
         "学校": OrganisationKind.SCHOOL, "医院": OrganisationKind.HOSPITAL,
         "其他": OrganisationKind.OTHER}
KIND_LABELS = {value: label for label, value in KINDS.items()}
YES = {"是", "Y", "YES", "1", "TRUE", "√"}
NO = {"否", "N", "NO", "0", "FALSE", ""}
FIELDS = ["name", "credit_code", "kind", "address", "micro_grid_id", "leader", "phone",
          "co_governance_member"]


def _check(sheet_row: SheetRow, grids: dict[str, int]) -> tuple[dict | None, list[RowError]]:
    values = sheet_row.values
    errors: list[RowError] = []

    def fail(column: str, message: str) -> None:
        errors.append(RowError(sheet_row.number, column, message))

    name = v.normalize_text(values.get(COL_NAME))
    if not name:
        fail(COL_NAME, _("is required"))
    elif len(name) > 200:
        fail(COL_NAME, _("is longer than 200 characters"))
    code = ""
    if v.normalize_text(values.get(COL_CODE)):
        try:
            code = v.parse_credit_code(values.get(COL_CODE))
        except v.InvalidValue as exc:
            fail(COL_CODE, str(exc))
    kind_text = v.normalize_text(values.get(COL_KIND))
    kind = KINDS.get(kind_text)
    if kind is None:
        fail(COL_KIND, _("'%(value)s' is not one of: %(choices)s") % {
            "value": kind_text, "choices": "、".join(KINDS)} if kind_text else _("is required"))
    grid_code = v.normalize_text(values.get(COL_GRID))
    grid_id = grids.get(grid_code)
    if not grid_code:
        fail(COL_GRID, _("is required"))
    elif grid_id is None:
        fail(COL_GRID, _("no micro-grid has this code"))
    phone = ""
    try:
        phone = v.parse_phone(values.get(COL_PHONE))
    except v.InvalidValue as exc:
        fail(COL_PHONE, str(exc))
    member_text = v.normalize_text(values.get(COL_MEMBER)).upper()
    if member_text not in YES | NO:
        fail(COL_MEMBER, _("must be 是 or 否"))
    if errors:
        return None, errors
    return {
        "name": name, "credit_code": code, "kind": kind,
        "address": v.normalize_text(values.get(COL_ADDRESS))[:200],
        "micro_grid_id": grid_id, "leader": v.normalize_text(values.get(COL_LEADER))[:50],
        "phone": phone, "co_governance_member": member_text in YES,
    }, []


def import_organisations(*, rows: Iterable[SheetRow], mode: str = Mode.ALL_OR_NOTHING,
                         actor=None, reason: str = "", filename: str = "",
                         progress=None, scope: list[str] | None = None) -> ImportReport:
    if mode not in Mode.CHOICES:
        raise ValueError(f"unknown mode {mode!r}")
    reason = reason or _("organisations ledger import %(file)s") % {"file": filename}
    sheet_rows = list(rows)
    codes = {v.normalize_text(r.values.get(COL_GRID)) for r in sheet_rows}
    grids = dict(Grid.objects.filter(code__in=codes, tier=Tier.MICRO_GRID)
                 .values_list("code", "pk"))
    if scope is not None:  # outside the importer's part of the tree: as if it did not exist
        grids = {code: pk for code, pk in grids.items() if code.startswith(tuple(scope))}
    report = ImportReport()
    errors: dict[int, list[RowError]] = {}
    parsed: list[tuple[SheetRow, dict]] = []
    seen: dict[tuple, int] = {}
    for sheet_row in sheet_rows:
        data, row_errors = _check(sheet_row, grids)
        if data is not None:
            key = ("code", data["credit_code"]) if data["credit_code"] else \
                ("name", data["micro_grid_id"], data["name"])
            first = seen.setdefault(key, sheet_row.number)
            if first != sheet_row.number:
                row_errors = [RowError(sheet_row.number, COL_CODE if key[0] == "code" else
                                       COL_NAME, _("the same organisation as row %(row)d")
                                       % {"row": first})]
            else:
                parsed.append((sheet_row, data))
        if row_errors:
            errors[sheet_row.number] = row_errors
    by_code: dict[str, Organisation] = {}
    by_name: dict[tuple, Organisation] = {}
    credit_codes = [d["credit_code"] for _row, d in parsed if d["credit_code"]]
    for chunk in _chunks(credit_codes):
        by_code.update({o.credit_code: o for o in
                        Organisation.objects.filter(credit_code__in=chunk)})
    names = [d["name"] for _row, d in parsed]
    for chunk in _chunks(names):
        by_name.update({(o.micro_grid_id, o.name): o for o in
                        Organisation.objects.filter(name__in=chunk)})
    finished = _finish(report, errors, sheet_rows)
    if errors and mode == Mode.ALL_OR_NOTHING:
        return finished
    now = timezone.now()
    to_create, to_update = [], []
    touched: set[int] = set()  # micro-grids whose figures change
    for _sheet_row, data in parsed:
        org = by_code.get(data["credit_code"]) if data["credit_code"] else None
        org = org or by_name.get((data["micro_grid_id"], data["name"]))
        if org is None:
            to_create.append(Organisation(**data))
            touched.add(data["micro_grid_id"])
            continue
        if all(getattr(org, f) == data[f] for f in FIELDS) and org.active:
            report.unchanged += 1
            continue
        touched |= {org.micro_grid_id, data["micro_grid_id"]}
        for f in FIELDS:
            setattr(org, f, data[f])
        org.active = True
        org.updated_at = now
        to_update.append(org)
    actor_user = actor if getattr(actor, "pk", None) else None
    history = {"default_user": actor_user, "default_change_reason": reason, "default_date": now}
    with transaction.atomic():
        if to_create:
            bulk_create_with_history(to_create, Organisation, batch_size=1000, **history)
        if to_update:
            bulk_update_with_history(to_update, Organisation, [*FIELDS, "active", "updated_at"],
                                     batch_size=1000, **history)
        figures_refresh(micro_grid_ids=touched)
        report.imported, report.updated, report.written = len(to_create), len(to_update), True
        audit_record(actor=actor, action=AuditAction.IMPORT,
                     target_type="registry.organisation", target_label=filename or SHEET_NAME,
                     reason=reason, detail={"ledger": "organisations", "rows": len(sheet_rows),
                                            "imported": report.imported,
                                            "updated": report.updated,
                                            "rejected": len(errors)})
    return report


def _finish(report: ImportReport, errors: dict[int, list[RowError]],
            sheet_rows: list[SheetRow]) -> ImportReport:
    report.errors = [e for n in sorted(errors) for e in errors[n]]
    report.rejected = len(errors)
    numbers = set(errors)
    report.rejected_rows = [r for r in sheet_rows if r.number in numbers]
    return report


def export_rows(organisations) -> list[list]:
    return [[o.name, o.credit_code, KIND_LABELS[o.kind], o.address, o.micro_grid.code, o.leader,
             o.phone, "是" if o.co_governance_member else "否"] for o in organisations]
