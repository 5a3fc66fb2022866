"""The three lists in one (三单合一) as tables, an .xlsx workbook and a landscape A4 PDF.

`list_tables` turns the selected lists into three tables of display cells (headings in the
active language); the printable page, the workbook and the PDF all show exactly these, so
what is printed is what is exported. The reporter appears only as a masked name and never
with a phone. `export_lists` builds a file and records the export in the audit log in the
same transaction: the lists hold residents' matters.

The workbook has one sheet per list, named with the list's fixed Chinese name so that
programs can find it, each with a title row (grid and period) above the heading row. The
PDF has one section per list, one table row per entry, in Adobe's STSong-Light CID font as
`registry/grid_file_export.py` does (no font file needed).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any
from xml.sax.saxutils import escape

import xlsxwriter
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases.lists import ThreeLists, mask_name, place_names, staff_name
from wangge.core.models import AuditAction
from wangge.core.pdf import FONT, numbered_canvas, register_font
from wangge.core.services import audit_record
from wangge.grids.choices import Tier

__all__ = [
    "COLLECTION_SHEET",
    "DISCUSSION_SHEET",
    "DOCUMENT_NAME",
    "FEEDBACK_SHEET",
    "FORMATS",
    "ListTable",
    "export_lists",
    "list_tables",
    "lists_filename",
    "lists_title",
    "write_lists_pdf",
    "write_lists_xlsx",
]

#: The lists' fixed names: sheet names of the workbook, and the document's name.
COLLECTION_SHEET = "问题收集清单"
DISCUSSION_SHEET = "干群共议清单"
FEEDBACK_SHEET = "问题反馈清单"
DOCUMENT_NAME = "三单合一"

_HEADER_FILL = "#DDEBF7"
_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
_TIME = "%Y-%m-%d %H:%M"

Target = str | os.PathLike[str] | IO[bytes]
Cell = str | int


@dataclass(frozen=True)
class ListTable:
    """One of the three lists as a table: `weights` are the columns' relative widths."""

    key: str
    sheet: str
    title: str
    headers: list[str]
    weights: list[int]
    rows: list[list[Cell]]
    number_columns: frozenset[int] = frozenset()


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime(_TIME) if value else ""


def lists_title(lists: ThreeLists) -> str:
    """E.g. "文化路社区 三单合一"."""
    return f"{lists.grid.name} {DOCUMENT_NAME}"


def lists_subtitle(lists: ThreeLists) -> str:
    """Where the node is and which period the lists cover."""
    parts = []
    if lists.ancestors:
        parts.append(" / ".join(a.name for a in lists.ancestors))
    parts.append(f"{lists.grid.get_tier_display()} {lists.grid.code}")
    parts.append(_("Reported from %(from)s to %(to)s")
                 % {"from": lists.date_from.isoformat(), "to": lists.date_to.isoformat()})
    return " · ".join(parts)


def lists_filename(lists: ThreeLists, extension: str) -> str:
    """A download name such as "520302001001-文化路社区-三单合一-2025-03-01-2025-03-31.xlsx"."""
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", lists.grid.name).strip("_")
    return (f"{lists.grid.code}-{name}-{DOCUMENT_NAME}-{lists.date_from.isoformat()}-"
            f"{lists.date_to.isoformat()}.{extension.lstrip('.')}")


def list_tables(lists: ThreeLists) -> list[ListTable]:
    """The collection, joint discussion and feedback lists as display tables."""
    collection = []
    for case in lists.collection:
        places = place_names(case)
        reporter = mask_name(case.reporter_name) or staff_name(case.reported_by)
        collection.append([
            case.tracking_code, _when(case.reported_at), str(case.get_source_display()),
            places[Tier.COMMUNITY], places[Tier.GRID], places[Tier.MICRO_GRID], case.address,
            case.category.name, case.title, case.description,
            str(case.get_urgency_display()), reporter,
        ])
    discussions = [
        [entry.case.tracking_code, entry.case.title, _when(entry.at), entry.plan,
         entry.participants, entry.units, staff_name(entry.recorded_by)]
        for entry in lists.discussions
    ]
    feedback = [
        [entry.case.tracking_code, entry.case.title, _when(entry.at),
         str(entry.get_outcome_display()), entry.result, int(entry.result_photos),
         str(entry.get_evaluation_display()) if entry.evaluation else _("not evaluated"),
         entry.evaluation_comment, _when(entry.case.closed_at)]
        for entry in lists.feedback
    ]
    return [
        ListTable(
            key="collection", sheet=COLLECTION_SHEET, title=_("Problem collection list"),
            headers=[_("Tracking code"), _("Reported at"), _("Source"), _("Community"),
                     _("Grid"), _("Micro-grid"), _("Address"), _("Category"), _("Title"),
                     _("Description"), _("Urgency"), _("Reporter")],
            weights=[13, 12, 11, 10, 10, 11, 15, 10, 15, 30, 7, 8],
            rows=collection),
        ListTable(
            key="discussion", sheet=DISCUSSION_SHEET,
            title=_("Cadre and resident joint discussion list"),
            headers=[_("Tracking code"), _("Title"), _("Discussed at"), _("Plan"),
                     _("Participants"), _("Units involved"), _("Recorded by")],
            weights=[13, 18, 12, 40, 22, 20, 10],
            rows=discussions),
        ListTable(
            key="feedback", sheet=FEEDBACK_SHEET, title=_("Problem feedback list"),
            headers=[_("Tracking code"), _("Title"), _("Handled at"), _("Outcome"),
                     _("Result"), _("Result photos"), _("Reporter's view"),
                     _("Reporter's comment"), _("Closed at")],
            weights=[13, 17, 12, 12, 36, 7, 10, 20, 12],
            rows=feedback, number_columns=frozenset({5})),
    ]


# --------------------------------------------------------------------------------------------
# Writing a file, with the audit row

FORMATS = ("xlsx", "pdf")


def export_lists(*, lists: ThreeLists, fmt: str, actor, request=None) -> bytes:
    """Build the lists as an "xlsx" or "pdf" file and record the export in the audit log
    (who, which node and period, how many rows), in one transaction: a file that fails to
    build leaves no audit row."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    writer = write_lists_xlsx if fmt == "xlsx" else write_lists_pdf
    buffer = io.BytesIO()
    with transaction.atomic():
        audit_record(
            actor=actor, action=AuditAction.EXPORT, target_type="cases.three_lists",
            target_id=lists.grid.code, target_label=lists_title(lists), request=request,
            detail={"format": fmt, "from": lists.date_from.isoformat(),
                    "to": lists.date_to.isoformat(),
                    "rows": {"collection": len(lists.collection),
                             "discussion": len(lists.discussions),
                             "feedback": len(lists.feedback)}})
        writer(lists, buffer)
    return buffer.getvalue()


def _write_out(target: Target, build: Callable[[IO[bytes]], None]) -> None:
    buffer = io.BytesIO()
    build(buffer)
    data = buffer.getvalue()
    if isinstance(target, str | os.PathLike):
        with open(target, "wb") as fh:
            fh.write(data)
    else:
        target.write(data)


def _generated_line() -> str:
    return _("Generated at %(when)s") % {"when": _when(timezone.now())}


# --------------------------------------------------------------------------------------------
# Excel


def write_lists_xlsx(lists: ThreeLists, target: Target) -> None:
    """Write the three lists as a workbook: one sheet per list, a title row with the grid
    and period, a note row, then the heading row and one row per entry (texts, and the
    photo count as a number). Sheets print landscape on A4, headings repeated."""
    tables = list_tables(lists)
    title, subtitle = lists_title(lists), f"{lists_subtitle(lists)} · {_generated_line()}"
    _write_out(target, lambda fh: _build_xlsx(tables, title, subtitle, fh))


def _build_xlsx(tables: Sequence[ListTable], title: str, subtitle: str, fh: IO[bytes]) -> None:
    book = xlsxwriter.Workbook(fh, {"in_memory": True, "strings_to_numbers": False,
                                    "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": title, "subject": DOCUMENT_NAME})
    cell = {"border": 1, "valign": "top", "text_wrap": True}
    f_title = book.add_format({"bold": True, "font_size": 14, "align": "center",
                               "valign": "vcenter"})
    f_sub = book.add_format({"align": "center", "font_color": "#555555"})
    f_head = book.add_format({**cell, "bold": True, "bg_color": _HEADER_FILL,
                              "align": "center", "valign": "vcenter"})
    f_text = book.add_format(cell)
    f_number = book.add_format({**cell, "num_format": "0", "align": "right"})
    for table in tables:
        sheet = book.add_worksheet(table.sheet)
        last = len(table.headers) - 1
        for col, weight in enumerate(table.weights):
            sheet.set_column(col, col, max(weight, 8))
        sheet.set_row(0, 28)
        sheet.merge_range(0, 0, 0, last, f"{title} · {table.title}", f_title)
        sheet.merge_range(1, 0, 1, last, subtitle, f_sub)
        for col, heading in enumerate(table.headers):
            sheet.write_string(2, col, heading, f_head)
        for r, row in enumerate(table.rows, start=3):
            for col, value in enumerate(row):
                if col in table.number_columns:
                    sheet.write_number(r, col, int(value), f_number)
                else:
                    sheet.write_string(r, col, str(value), f_text)
        sheet.freeze_panes(3, 0)
        sheet.autofilter(2, 0, 2 + len(table.rows), last)
        sheet.repeat_rows(2)
        sheet.set_paper(9)  # A4
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
    book.close()


# --------------------------------------------------------------------------------------------
# PDF



def write_lists_pdf(lists: ThreeLists, target: Target) -> None:
    """Write the three lists as a landscape A4 PDF: a section per list, each starting on a
    new page, one table row per entry with the heading row repeated on every page, and a
    footer "title · page n of m"."""
    tables = list_tables(lists)
    title, subtitle = lists_title(lists), lists_subtitle(lists)
    _write_out(target, lambda fh: _build_pdf(tables, title, subtitle, fh))


def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER, TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("base", fontName=FONT, fontSize=8, leading=10, alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", base, fontSize=16, leading=22, alignment=TA_CENTER,
                                spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=9, leading=12,
                                   alignment=TA_CENTER, textColor="#555555", spaceAfter=8),
        "heading": ParagraphStyle("heading", base, fontSize=12, leading=16, spaceBefore=4,
                                  spaceAfter=6, keepWithNext=True),
        "cell": base,
        "head": ParagraphStyle("head", base, alignment=TA_CENTER),
        "number": ParagraphStyle("number", base, alignment=2),  # right
        "empty": ParagraphStyle("empty", base, fontSize=9, textColor="#555555"),
    }


def _para(text: str, style) -> Any:
    """A paragraph that wraps Chinese anywhere and other text at spaces; line breaks kept."""
    from reportlab.platypus import Paragraph

    if _CJK.search(text):
        style = style.clone(style.name + "-cjk", wordWrap="CJK")
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _build_pdf(tables: Sequence[ListTable], title: str, subtitle: str, fh: IO[bytes]) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, SimpleDocTemplate, Table, TableStyle

    register_font()
    size = landscape(A4)
    margin = 14 * mm
    doc = SimpleDocTemplate(fh, pagesize=size, leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin + 4 * mm, title=title,
                            subject=DOCUMENT_NAME, creator="wangge", author="")
    width = size[0] - 2 * margin
    st = _styles()
    story: list = [_para(title, st["title"]),
                   _para(f"{subtitle} · {_generated_line()}", st["subtitle"])]
    for n, table in enumerate(tables):
        if n:
            story.append(PageBreak())
        story.append(_para(_("%(list)s (%(count)d entries)")
                           % {"list": table.title, "count": len(table.rows)}, st["heading"]))
        if not table.rows:
            story.append(_para(_("No entries in this period."), st["empty"]))
            continue
        total = sum(table.weights)
        widths = [width * w / total for w in table.weights]
        rows = [[_para(h, st["head"]) for h in table.headers]]
        for row in table.rows:
            rows.append([_para(str(value), st["number"] if col in table.number_columns
                               else st["cell"]) for col, value in enumerate(row)])
        grid = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        grid.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), FONT, 8),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(_HEADER_FILL)),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]))
        story.append(grid)
    doc.build(story, canvasmaker=numbered_canvas(title, margin_mm=14, baseline_mm=8))
