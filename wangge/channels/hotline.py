"""The 12345 government service hotline (12345热线) channel: the centre's work-order
spreadsheet (12345工单导出) comes in, each order becomes a case, and the results go back as a
file of the same shape (shared/domain/ledgers.md).

Columns differ by city, so a `HotlineMapping` says which header holds which of our fields
(`FIELDS`) and how the centre's 诉求类型 texts map to our category codes (the key "*" names
a fallback category). An export writes the mapped columns in `FIELDS` order (the order of
the common format), since a JSON object's key order does not survive every database.

The work-order number (工单编号) is the key: an order already imported is counted as
unchanged, never created twice. Our side does the handling, so a result or a
closing the centre's file carries for a case we still have open is not taken over.

Reporter phones are exported in full, unlike everywhere else: the number came from the
hotline centre, which owns it and needs it for its return visit (回访). Every import and
export writes an audit row; the export's row says that the phones went out unmasked.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases import selectors as case_selectors
from wangge.cases.choices import CLOSED, Action, Evaluation, Source, Status
from wangge.cases.models import Case, CaseStep, Category
from wangge.cases.services import CaseError, DuplicateExternalId, case_report
from wangge.channels.models import HotlineMapping
from wangge.core import validators as v
from wangge.core.models import AuditAction
from wangge.core.scope import scope_prefixes
from wangge.core.services import audit_record
from wangge.grids.choices import Tier
from wangge.grids.models import Grid
from wangge.grids.selectors import locate_points
from wangge.registry.ledgers.people import ERROR_COLUMN, Mode, RowError
from wangge.registry.ledgers.tabular import Sheet, SheetRow, read_sheet, write_sheet

__all__ = [
    "FIELDS",
    "HotlineError",
    "HotlineReport",
    "Mode",
    "hotline_cases",
    "hotline_error_file",
    "hotline_export",
    "hotline_import",
    "mapping_get",
    "mapping_problems",
]

# Our fields, in the order the common format has them; an export writes the mapped ones so.
FIELDS: tuple[str, ...] = (
    "external_id", "reported_at", "reporter_name", "reporter_phone", "category",
    "description", "address", "lon", "lat", "handling_unit", "due_at", "closed_at", "result",
    "evaluation",
)
# Without these columns a file is not a work-order list.
REQUIRED_FIELDS: tuple[str, ...] = ("external_id", "reported_at", "description")
TEXT_FIELDS = frozenset({"external_id", "reporter_phone"})
FALLBACK_KEY = "*"
SHEET_NAME = "12345工单"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
AUDIT_TARGET = "channels.hotline"
# The centre's return-visit labels (回访满意度): a file format, not translations.
EVALUATION_LABELS = {Evaluation.SATISFIED: "满意", Evaluation.BASICALLY: "基本满意",
                     Evaluation.DISSATISFIED: "不满意"}
# A call time this far ahead of our clock is a typing error, not clock skew.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
MAX_DESCRIPTION = 4000


class HotlineError(Exception):
    """The whole import or export cannot go ahead (no mapping, a broken mapping); the message
    is for the user. An unreadable file raises `tabular.LedgerFileError` instead."""


@dataclass
class HotlineReport:
    """What an import did: counts, the reasons for every rejected row (row number and
    column), and the rejected rows themselves for the error file."""

    imported: int = 0
    unchanged: int = 0
    rejected: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: list[SheetRow] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)  # tracking codes of the new cases

    def summary(self) -> str:
        return (f"imported {self.imported}, unchanged {self.unchanged}, "
                f"rejected {self.rejected}")


# --- the column mapping -----------------------------------------------------------------------


def mapping_get(name: str | None = None) -> HotlineMapping:
    """The mapping called `name`, or the default one."""
    if name:
        found = HotlineMapping.objects.filter(name=name).first()
        if found is None:
            raise HotlineError(_("There is no 12345 column mapping called “%(name)s”.")
                               % {"name": name})
    else:
        found = (HotlineMapping.objects.filter(default=True).first()
                 or HotlineMapping.objects.order_by("name").first())
        if found is None:
            raise HotlineError(_("No 12345 column mapping is set up; add one in the admin."))
    problems = mapping_problems(found.columns, found.category_names)
    if problems:
        raise HotlineError(_("The 12345 column mapping “%(name)s” is not usable: %(problems)s")
                           % {"name": found.name, "problems": "; ".join(problems)})
    return found


def mapping_problems(columns: Any, category_names: Any) -> list[str]:
    """What is wrong with a mapping (empty if nothing): unknown fields, missing required
    fields, headers used twice, category names pointing at no active category."""
    problems: list[str] = []
    if not isinstance(columns, dict):
        return [_("The columns must be an object of our field → their column header.")]
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        problems.append(_("Unknown fields: %(fields)s. Known fields: %(known)s.")
                        % {"fields": ", ".join(unknown), "known": ", ".join(FIELDS)})
    missing = [f for f in REQUIRED_FIELDS if not columns.get(f)]
    if missing:
        problems.append(_("These fields need a column: %(fields)s.")
                        % {"fields": ", ".join(missing)})
    headers = [_header(h) for h in columns.values() if isinstance(h, str)]
    if len(headers) != len(columns) or not all(headers):
        problems.append(_("Every column header must be a non-empty text."))
    elif len(set(headers)) != len(headers):
        problems.append(_("A column header is used for two fields."))
    if not isinstance(category_names, dict):
        problems.append(_("The category names must be an object of their name → our "
                          "category code."))
        return problems
    codes = set(case_selectors.leaf_categories().values_list("code", flat=True))
    wrong = sorted({str(c) for c in category_names.values() if c not in codes})
    if wrong:
        problems.append(_("No active category has the code(s): %(codes)s.")
                        % {"codes": ", ".join(wrong)})
    return problems


def _header(text: str) -> str:
    """A header as `tabular.read_sheet` gives it back: whitespace removed."""
    return "".join(text.split())


def _headers(mapping: HotlineMapping) -> dict[str, str]:
    """field → header, in `FIELDS` order (a JSON object's key order is not kept by every
    database)."""
    return {f: _header(mapping.columns[f]) for f in FIELDS if mapping.columns.get(f)}


# --- reading one row --------------------------------------------------------------------------


_DATETIME = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[\sT]*(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*(?:分|[:分]\s*(\d{1,2})(?:\.\d+)?\s*秒?)?)?",
    flags=re.ASCII)
_EXCEL_DAY_ZERO = dt.datetime(1899, 12, 30)


def parse_datetime(value: Any) -> dt.datetime | None:
    """A call or closing time from a cell: a date/datetime cell, an Excel serial number, or
    text such as 2024-05-01 09:30:00, 2024/5/1 9:30, 2024年5月1日 9时30分 or ISO 8601.
    Times without a zone are Beijing time (the server's zone). Empty → None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, bool):
        raise _datetime_error(value)
    elif isinstance(value, int | float):
        if not 61 <= value < 2958466:
            raise _datetime_error(value)
        moment = _EXCEL_DAY_ZERO + dt.timedelta(days=float(value))
        moment = moment.replace(microsecond=0) + dt.timedelta(
            seconds=round(moment.microsecond / 1e6))
    else:
        text = v.normalize_text(value)
        if not text:
            return None
        match = _DATETIME.fullmatch(text)
        try:
            if match:
                y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
                moment = dt.datetime(y, mo, d, h, mi, s)
            else:
                moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise _datetime_error(value) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _datetime_error(value: Any) -> v.InvalidValue:
    return v.InvalidValue(_('"%(value)s" is not a date and time. Write it as '
                            "2024-05-01 09:30:00."), code="datetime",
                          params={"value": v.normalize_text(value)})


def _coordinate(value: Any, low: float, high: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value if isinstance(value, int | float) else v.normalize_text(value))
    except ValueError:
        raise v.InvalidValue(_('"%(value)s" is not a number.'),
                             params={"value": v.normalize_text(value)}) from None
    if not low <= number <= high:  # also NaN
        raise v.InvalidValue(_("%(value)s is out of range (%(low)s to %(high)s)."),
                             params={"value": number, "low": low, "high": high})
    return number


def _order_number(value: Any) -> str:
    """A work-order number as text: a number Excel made of it loses its ".0"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return v.normalize_text(value)


@dataclass
class _Order:
    """One work order, checked."""

    sheet: SheetRow
    external_id: str
    reported_at: dt.datetime | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    type_text: str = ""
    description: str = ""
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    handling_unit: str = ""
    due_text: str = ""
    category: Category | None = None
    grid: Grid | None = None  # the micro-grid of the point, or the street (address only)


class _Categories:
    """Their 诉求类型 text → one of our active leaf categories: the mapping's names first,
    then our category names, then our categories' keywords in the type and content, then the
    mapping's fallback ("*")."""

    def __init__(self, names: dict[str, str]):
        self.leaves = list(case_selectors.leaf_categories())
        self.by_code = {c.code: c for c in self.leaves}
        self.by_name = {c.name: c for c in self.leaves}
        self.names = {v.normalize_text(k): c for k, c in names.items() if k != FALLBACK_KEY}
        self.fallback = self.by_code.get(names.get(FALLBACK_KEY, ""))
        self.keywords = [(c, c.keywords.split()) for c in self.leaves]

    def resolve(self, type_text: str, content: str) -> Category | None:
        if type_text in self.names:
            return self.by_code.get(self.names[type_text])
        if type_text in self.by_name:
            return self.by_name[type_text]
        text = f"{type_text} {content}"
        best, best_hits = None, 0
        for category, words in self.keywords:  # in the street's sort order: ties go first
            hits = sum(1 for word in words if word in text)
            if hits > best_hits:
                best, best_hits = category, hits
        return best or self.fallback


# --- import -----------------------------------------------------------------------------------


class _Rollback(Exception):
    """All-or-nothing: a row failed while writing, so nothing is kept."""


class _Importer:
    def __init__(self, *, mapping: HotlineMapping, actor, mode: str):
        self.mapping, self.actor, self.mode = mapping, actor, mode
        self.col = _headers(mapping)
        self.prefixes = scope_prefixes(actor) if actor is not None else None
        self.report = HotlineReport()
        self.errors: dict[int, list[RowError]] = {}
        self.rows: dict[int, SheetRow] = {}

    def reject(self, row: SheetRow, field_name: str, message: str) -> None:
        column = self.col.get(field_name, "") if field_name else ""
        self.errors.setdefault(row.number, []).append(RowError(row.number, column, message))

    def ok(self, order: _Order) -> bool:
        return order.sheet.number not in self.errors

    def text(self, row: SheetRow, field_name: str) -> str:
        header = self.col.get(field_name)
        return v.normalize_text(row.values.get(header)) if header else ""

    # -- stage 1: each row on its own, and numbers already known ----------------------------
    def check(self, sheet_rows: list[SheetRow]) -> list[_Order]:
        first_row: dict[str, int] = {}
        orders: list[_Order] = []
        for row in sheet_rows:
            self.rows[row.number] = row
            number = _order_number(row.values.get(self.col["external_id"]))
            if not number:
                self.reject(row, "external_id", _("is required"))
                continue
            if len(number) > 60:
                self.reject(row, "external_id", _("is longer than 60 characters"))
                continue
            first = first_row.setdefault(number, row.number)
            if first != row.number:
                self.reject(row, "external_id", _(
                    "the same work order as row %(row)d (work-order number repeated)")
                    % {"row": first})
                continue
            orders.append(_Order(sheet=row, external_id=number))
        known = set(Case.objects.filter(
            source=Source.HOTLINE, external_id__in=[o.external_id for o in orders])
            .values_list("external_id", flat=True))
        new = []
        for order in orders:
            if order.external_id in known:
                # Imported before: our side handles it; the centre's result columns are not
                # taken over.
                self.report.unchanged += 1
            else:
                self.check_fields(order)
                new.append(order)
        return new

    def check_fields(self, order: _Order) -> None:
        row = order.sheet

        def parse(field_name: str, parser, *args):
            header = self.col.get(field_name)
            if not header:
                return None
            try:
                return parser(row.values.get(header), *args)
            except v.InvalidValue as exc:
                self.reject(row, field_name, str(exc))
                return None

        order.reported_at = parse("reported_at", parse_datetime)
        if order.reported_at is None and row.number not in self.errors:
            self.reject(row, "reported_at", _("is required"))
        elif order.reported_at and order.reported_at > timezone.now() + FUTURE_TOLERANCE:
            self.reject(row, "reported_at", _("is in the future"))
        order.description = self.text(row, "description")
        if not order.description:
            self.reject(row, "description", _("is required"))
        elif len(order.description) > MAX_DESCRIPTION:
            self.reject(row, "description", _("is longer than %(n)d characters")
                        % {"n": MAX_DESCRIPTION})
        order.reporter_name = self.text(row, "reporter_name")
        if len(order.reporter_name) > 50:
            self.reject(row, "reporter_name", _("is longer than 50 characters"))
        order.reporter_phone = parse("reporter_phone", v.parse_phone) or ""
        order.type_text = self.text(row, "category")
        order.address = self.text(row, "address")
        if len(order.address) > 200:
            self.reject(row, "address", _("is longer than 200 characters"))
        order.lon = parse("lon", _coordinate, -180.0, 180.0)
        order.lat = parse("lat", _coordinate, -90.0, 90.0)
        order.handling_unit = self.text(row, "handling_unit")
        order.due_text = self.text(row, "due_at")
        errors = self.errors.get(row.number, [])
        lon_or_lat = {self.col.get("lon"), self.col.get("lat")}
        if not any(e.column in lon_or_lat for e in errors):
            if (order.lon is None) != (order.lat is None):
                self.reject(row, "lat" if order.lat is None else "lon",
                            _("give both longitude and latitude, or neither"))
            elif order.lon is None and not order.address:
                self.reject(row, "address", _(
                    "is empty and there are no coordinates: the order cannot be placed"))

    # -- stage 2: category, place and scope -------------------------------------------------
    def resolve(self, orders: list[_Order]) -> None:
        categories = _Categories(self.mapping.category_names or {})
        for order in orders:
            if not self.ok(order):
                continue
            order.category = categories.resolve(order.type_text, order.description)
            if order.category is None:
                self.reject(order.sheet, "category", _(
                    "“%(text)s” matches no category: add it to the column mapping's category "
                    "names") % {"text": order.type_text} if order.type_text else _(
                    "is empty and the content matches no category's keywords: fill it in"))
        located = [o for o in orders if self.ok(o) and o.lon is not None]
        codes = locate_points(points=[(o.lon, o.lat) for o in located])
        grids = {g.code: g for g in Grid.objects.filter(code__in={c for c in codes if c})}
        for order, code in zip(located, codes, strict=True):
            if code is None:
                self.reject(order.sheet, "lon", _(
                    "the point (%(lon)s, %(lat)s) is outside every micro-grid of the street: "
                    "check the longitude and latitude") % {"lon": order.lon, "lat": order.lat})
            else:
                order.grid = grids[code]
        unplaced = [o for o in orders if self.ok(o) and o.grid is None]
        street = self.street() if unplaced else None
        for order in unplaced:
            if street is None:
                self.reject(order.sheet, "lon", _(
                    "has no coordinates, and the street to place the order by its "
                    "address cannot be told: fill in the longitude and latitude"))
            order.grid = street
        for order in orders:
            if self.ok(order) and not self.in_scope(order.grid):
                if order.grid.tier == Tier.STREET:
                    self.reject(order.sheet, "address", _(
                        "has no coordinates, so the order goes to the street to place; only "
                        "street staff import such orders"))
                else:
                    self.reject(order.sheet, "lon", _(
                        "the order is in %(grid)s, outside your grids: its own workers import "
                        "it") % {"grid": order.grid.name})

    def street(self) -> Grid | None:
        """The street an order placed by address alone goes to: the importer's street, or
        the only one."""
        streets = list(Grid.objects.filter(tier=Tier.STREET).order_by("code"))
        if self.prefixes is not None:
            streets = [s for s in streets if any(p.startswith(s.code) for p in self.prefixes)]
        return streets[0] if len(streets) == 1 else None

    def in_scope(self, grid: Grid) -> bool:
        return self.prefixes is None or any(grid.code.startswith(p) for p in self.prefixes)

    # -- stage 3: write ---------------------------------------------------------------------
    def write(self, orders: list[_Order]) -> None:
        for order in orders:
            if not self.ok(order):
                continue
            try:
                with transaction.atomic():
                    case = case_report(
                        source=Source.HOTLINE, category=order.category, title="",
                        description=order.description, lon=order.lon, lat=order.lat,
                        address=order.address, grid=order.grid,
                        reporter_name=order.reporter_name, reporter_phone=order.reporter_phone,
                        external_id=order.external_id, reported_at=order.reported_at,
                        handling_unit=order.handling_unit, actor=self.actor,
                        note=self.note(order))
            except (IntegrityError, DuplicateExternalId):
                # Another import of the same order got there first.
                self.report.unchanged += 1
                continue
            except CaseError as exc:
                self.reject(order.sheet, "", str(exc))
                if self.mode == Mode.ALL_OR_NOTHING:
                    raise _Rollback from exc
                continue
            self.report.imported += 1
            self.report.cases.append(case.tracking_code)

    def note(self, order: _Order) -> str:
        """What the centre said that the case has no field for, kept on its timeline."""
        parts = [_("12345 work order %(number)s") % {"number": order.external_id}]
        if order.type_text:
            parts.append(_("type: %(text)s") % {"text": order.type_text})
        if order.handling_unit:
            parts.append(_("handling unit: %(unit)s") % {"unit": order.handling_unit})
        if order.due_text:
            parts.append(_("the centre's time limit: %(due)s") % {"due": order.due_text})
        return "; ".join(parts)

    def finish(self) -> HotlineReport:
        report = self.report
        report.errors = [e for n in sorted(self.errors) for e in self.errors[n]]
        report.rejected = len(self.errors)
        report.rejected_rows = [self.rows[n] for n in sorted(self.errors)]
        return report


def hotline_read(*, file: str | IO[bytes], filename: str | None = None,
                 mapping: HotlineMapping) -> Sheet:
    """The rows of a work-order file (.xlsx, .xls, .ods or .csv); raises
    `tabular.LedgerFileError` when it cannot be read or lacks a required column."""
    headers = _headers(mapping)
    return read_sheet(file, required={headers[f] for f in REQUIRED_FIELDS},
                      filename=filename)


def hotline_import(*, file: str | IO[bytes] | None = None,
                   rows: Iterable[SheetRow] | None = None, filename: str = "",
                   mapping: HotlineMapping | None = None, actor=None,
                   mode: str = Mode.ALL_OR_NOTHING, request=None) -> HotlineReport:
    """Import a 12345 work-order file (or rows already read): every new order becomes a
    case (source 12345, the work-order number as its external number), placed by its
    coordinates, or at the street for the street to place when there is only an address.
    A staff `actor` imports only orders in their part of the tree; `actor=None` is the
    command line. In all-or-nothing mode a single bad row means nothing is written."""
    if mode not in Mode.CHOICES:
        raise ValueError(f"unknown mode {mode!r}")
    mapping = mapping or mapping_get()
    problems = mapping_problems(mapping.columns, mapping.category_names)
    if problems:
        raise HotlineError("; ".join(problems))
    header: list[str] = []
    if rows is None:
        if file is None:
            raise ValueError("give a file or rows")
        sheet = hotline_read(file=file, filename=filename or None, mapping=mapping)
        rows, header = sheet.rows, sheet.header
    importer = _Importer(mapping=mapping, actor=actor, mode=mode)
    importer.report.header = header or list(_headers(mapping).values())
    sheet_rows = list(rows)
    orders = importer.check(sheet_rows)
    importer.resolve(orders)
    report = importer.report
    if not (importer.errors and mode == Mode.ALL_OR_NOTHING):
        try:
            with transaction.atomic():
                importer.write(orders)
                report.written = True
                _audit_import(actor, filename, mapping, sheet_rows, importer, request)
        except _Rollback:
            report.written = False
            report.imported = 0
            report.cases = []
    if not report.written:
        with transaction.atomic():
            _audit_import(actor, filename, mapping, sheet_rows, importer, request)
    return importer.finish()


def _audit_import(actor, filename, mapping, sheet_rows, importer: _Importer, request) -> None:
    report = importer.report
    audit_record(actor=actor, action=AuditAction.IMPORT, target_type=AUDIT_TARGET,
                 target_label=filename or SHEET_NAME,
                 reason=_("12345 work-order import %(file)s") % {"file": filename},
                 detail={"mapping": mapping.name, "rows": len(sheet_rows),
                         "imported": report.imported, "unchanged": report.unchanged,
                         "rejected": len(importer.errors), "written": report.written,
                         "mode": importer.mode},
                 request=request)


def hotline_error_file(*, report: HotlineReport, target: str | IO[bytes]) -> None:
    """The rejected rows in the file's own shape with a column of reasons, the faulty cells
    marked; corrected, it imports again."""
    header = [h for h in report.header if h != ERROR_COLUMN]
    by_row: dict[int, list[RowError]] = {}
    for error in report.errors:
        by_row.setdefault(error.row, []).append(error)
    rows, notes = [], {}
    for index, sheet_row in enumerate(report.rejected_rows):
        errors = by_row.get(sheet_row.number, [])
        rows.append([sheet_row.values.get(h) for h in header] + ["; ".join(map(str, errors))])
        for error in errors:
            if error.column in header:
                notes[(index, error.column)] = error.message
    write_sheet(target, sheet_name=SHEET_NAME, header=[*header, ERROR_COLUMN], rows=rows,
                cell_notes=notes, error_column=ERROR_COLUMN)


# --- export -----------------------------------------------------------------------------------


def hotline_cases(*, actor, date_from: dt.date | None = None,
                  date_to: dt.date | None = None) -> QuerySet[Case]:
    """The 12345 cases in the actor's part of the tree (all for `actor=None`, the command
    line), called in between the two dates (local, inclusive)."""
    cases = Case.objects.all() if actor is None else Case.objects.for_user(actor)
    if date_from is not None:
        cases = cases.filter(reported_at__date__gte=date_from)
    if date_to is not None:
        cases = cases.filter(reported_at__date__lte=date_to)
    return _for_export(cases)


def _for_export(cases: QuerySet[Case]) -> QuerySet[Case]:
    closing = CaseStep.objects.filter(
        action__in=[Action.DECLINE, Action.MARK_DUPLICATE, Action.DIRECT_LINE_DECISION]
    ).order_by("seq")
    return (cases.filter(source=Source.HOTLINE)
            .select_related("category", "responsible", "duplicate_of")
            .prefetch_related(Prefetch("steps", closing, to_attr="closing_steps"))
            .order_by("reported_at", "id"))


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime(TIME_FORMAT) if moment else ""


def _result(case: Case) -> tuple[str, str]:
    """(办结时间, 办理结果) of a finished case; empty for one still being handled."""
    if case.status in CLOSED:
        return _local(case.closed_at), case.result
    if case.status == Status.DECLINED:
        reason = next((s.note for s in reversed(case.closing_steps) if s.note), "")
        return _local(case.closed_at), _("Not accepted: %(reason)s") % {"reason": reason}
    if case.status == Status.MERGED and case.duplicate_of is not None:
        original = case.duplicate_of.external_id or case.duplicate_of.tracking_code
        return _local(case.closed_at), _("A duplicate of %(number)s; handled there.") % {
            "number": original}
    return "", ""


def _export_row(case: Case, headers: dict[str, str], their_names: dict[str, str]) -> list:
    closed_at, result = _result(case)
    values = {
        "external_id": case.external_id,
        "reported_at": _local(case.reported_at),
        "reporter_name": case.reporter_name,
        "reporter_phone": case.reporter_phone,
        "category": their_names.get(case.category.code, case.category.name),
        "description": case.description,
        "address": case.address,
        "lon": case.lon,
        "lat": case.lat,
        "handling_unit": case.handling_unit or case.responsible.name,
        "due_at": _local(case.due_at),
        "closed_at": closed_at,
        "result": result,
        "evaluation": EVALUATION_LABELS.get(case.evaluation, "")
        if case.status in CLOSED else "",
    }
    return [values[f] for f in headers]


def hotline_export(*, actor, mapping: HotlineMapping | None = None,
                   date_from: dt.date | None = None, date_to: dt.date | None = None,
                   queryset: QuerySet[Case] | None = None, request=None) -> bytes:
    """The 12345 cases (in the actor's scope, optionally called between two dates, or the
    given queryset) as an xlsx in the centre's columns, with 办结时间, 办理结果 and
    回访满意度 filled in for finished ones. Recorded in the audit log, phones unmasked."""
    mapping = mapping or mapping_get()
    headers = _headers(mapping)
    if queryset is None:
        queryset = hotline_cases(actor=actor, date_from=date_from, date_to=date_to)
    else:
        queryset = _for_export(queryset)
    their_names: dict[str, str] = {}
    for text, code in sorted((mapping.category_names or {}).items()):
        if text != FALLBACK_KEY:
            their_names.setdefault(code, text)
    rows = [_export_row(case, headers, their_names) for case in queryset]
    out = io.BytesIO()
    with transaction.atomic():
        audit_record(
            actor=actor, action=AuditAction.EXPORT, target_type=AUDIT_TARGET,
            target_label=SHEET_NAME,
            reason=_("12345 results export; reporters' phones in full, as the hotline centre "
                     "gave them"),
            detail={"mapping": mapping.name, "rows": len(rows),
                    "from": date_from.isoformat() if date_from else None,
                    "to": date_to.isoformat() if date_to else None,
                    "reporter_phone": "unmasked"},
            request=request)
        write_sheet(out, sheet_name=SHEET_NAME, header=list(headers.values()), rows=rows,
                    text_columns={headers[f] for f in TEXT_FIELDS if f in headers})
    return out.getvalue()
