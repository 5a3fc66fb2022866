"""One grid, one file (一格一档) as a workbook or a printable A4 PDF.

Both show the same thing: the node's place in the tree and every figure of the node (sheet
"概况", first PDF page), and one row per child grid with the same figures plus a "合计" row
summing them (sheet "下级", landscape PDF pages). Counts of sensitive care groups
(``CareGroup.sensitive``: 社区矫正人员, 刑满释放人员, …) are sensitive personal information and
are left out unless the caller passes ``include_sensitive=True``.

``target`` is a path or a binary file-like object (e.g. an ``HttpResponse``); the document is
built in memory and written to it in one go.
"""

from __future__ import annotations

import datetime
import io
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import xlsxwriter
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from wangge.core.pdf import FONT, numbered_canvas, register_font
from wangge.grids.choices import Tier
from wangge.registry.choices import HouseUse, PopulationType
from wangge.registry.selectors import AGE_BANDS, GridFile

__all__ = [
    "CHILDREN_SHEET",
    "SUMMARY_SHEET",
    "TOTAL_LABEL",
    "FigureColumn",
    "figure_columns",
    "grid_file_filename",
    "write_grid_file_pdf",
    "write_grid_file_xlsx",
]

#: Sheet names and the label of the sum row: fixed, so that programs can find them.
SUMMARY_SHEET = "概况"
CHILDREN_SHEET = "下级"
TOTAL_LABEL = "合计"
DOCUMENT_NAME = "一格一档"

_ZONE = ZoneInfo("Asia/Shanghai")
_HEADER_FILL = "#DDEBF7"
_TOTAL_FILL = "#F2F2F2"
_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")

Target = str | os.PathLike[str] | IO[bytes]


@dataclass(frozen=True)
class FigureColumn:
    """One figure: its key in ``GridFigures.flat()``, its label, and the section it is in."""

    key: str
    label: str
    section: str


def figure_columns(gf: GridFile, *, include_sensitive: bool = False) -> list[FigureColumn]:
    """The figures shown for this file, in order, labelled in the active language.

    Care groups are those of ``gf.care_groups`` (sensitive ones only if asked); a care group
    code counted in the figures but not in that list is of unknown sensitivity and so also
    shown only if sensitive groups are."""
    population, age, care = _("Population"), _("Age"), _("Care groups")
    housing, units = _("Housing"), _("Organisations and facilities")
    cols = [FigureColumn("people", _("Total population"), population)]
    cols += [FigureColumn(f"pop_{v}", capfirst(str(label)), population)
             for v, label in PopulationType.choices]
    cols.append(FigureColumn("households", _("Households"), population))
    cols += [FigureColumn(f"age_{band}", _("Aged %(band)s") % {"band": band}, age)
             for band, _low, _high in AGE_BANDS]
    known = set()
    for group in gf.care_groups:
        known.add(group.code)
        if include_sensitive or not group.sensitive:
            cols.append(FigureColumn(f"care_{group.code}", group.name, care))
    if include_sensitive:
        counted = set(gf.figures.by_care_group)
        for _child, figures in gf.children:
            counted.update(figures.by_care_group)
        cols += [FigureColumn(f"care_{code}", code, care) for code in sorted(counted - known)]
    cols.append(FigureColumn("buildings", _("Buildings"), housing))
    cols.append(FigureColumn("houses", _("Houses"), housing))
    cols += [FigureColumn(f"use_{v}", capfirst(str(label)), housing)
             for v, label in HouseUse.choices]
    cols.append(FigureColumn("organisations", _("Organisations"), units))
    cols.append(FigureColumn("facilities", _("Facilities"), units))
    cols.append(FigureColumn("facilities_needing_repair", _("Facilities needing repair"), units))
    return cols


def grid_file_filename(gf: GridFile, extension: str) -> str:
    """A download name such as "520302001-老城街道-一格一档.xlsx" (no path separators)."""
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", gf.grid.name).strip("_")
    return f"{gf.grid.code}-{name}-{DOCUMENT_NAME}.{extension.lstrip('.')}"


# --------------------------------------------------------------------------------------------
# What both formats show


@dataclass
class _Content:
    title: str
    info: list[tuple[str, str]]
    columns: list[FigureColumn]
    node: list[int]
    child_tier: str
    children: list[tuple[str, str, list[int]]]
    totals: list[int]
    include_sensitive: bool


def _content(gf: GridFile, include_sensitive: bool,
             generated_at: datetime.datetime | None) -> _Content:
    grid = gf.grid
    columns = figure_columns(gf, include_sensitive=include_sensitive)

    def values(figures) -> list[int]:
        flat = figures.flat()
        return [int(flat.get(c.key, 0)) for c in columns]

    when = timezone.localtime(generated_at or timezone.now(), _ZONE)
    info = [
        (_("Part of"), " / ".join(a.name for a in gf.ancestors) or "—"),
        (_("Code"), grid.code),
        (capfirst(_("tier")), str(grid.get_tier_display())),
    ]
    if grid.tier == Tier.MICRO_GRID:
        grid_type = grid.grid_type
        info.append((_("Level"), str(grid.get_level_display()) or "—"))
        info.append((_("Micro-grid type"), grid_type.name if grid_type else "—"))
    info.append((_("Subordinate grids"), str(len(gf.children))))
    info.append((_("Generated at"), when.strftime("%Y-%m-%d %H:%M")))

    children = [(child.code, child.name, values(figures)) for child, figures in gf.children]
    totals = [sum(row[i] for _c, _n, row in children) for i in range(len(columns))]
    child_tier = str(gf.children[0][0].get_tier_display()) if gf.children else ""
    return _Content(
        title=f"{grid.name} {DOCUMENT_NAME}",
        info=info,
        columns=columns,
        node=values(gf.figures),
        child_tier=child_tier,
        children=children,
        totals=totals,
        include_sensitive=include_sensitive,
    )


def _sections(columns: Sequence[FigureColumn]) -> list[tuple[str, list[int]]]:
    """Consecutive columns grouped by section: (section, column indexes)."""
    out: list[tuple[str, list[int]]] = []
    for index, column in enumerate(columns):
        if out and out[-1][0] == column.section:
            out[-1][1].append(index)
        else:
            out.append((column.section, [index]))
    return out


def _confidential_note() -> str:
    return _("Contains counts of sensitive care groups: sensitive personal information, "
             "keep confidential.")


def _write_out(target: Target, build: Callable[[IO[bytes]], None]) -> None:
    buffer = io.BytesIO()
    build(buffer)
    data = buffer.getvalue()
    if isinstance(target, str | os.PathLike):
        with open(target, "wb") as fh:
            fh.write(data)
    else:
        target.write(data)


def _display_width(text: str) -> int:
    return len(text) + len(_CJK.findall(text))


# --------------------------------------------------------------------------------------------
# Excel


def write_grid_file_xlsx(gf: GridFile, target: Target, *, include_sensitive: bool = False,
                         generated_at: datetime.datetime | None = None) -> None:
    """Write the file as an .xlsx workbook with the sheets "概况" and "下级".

    Every figure is a number cell (the "合计" row too: sums, not formulas, so that it reads
    back without Excel having calculated it); codes are text."""
    content = _content(gf, include_sensitive, generated_at)
    _write_out(target, lambda fh: _build_xlsx(content, fh))


def _build_xlsx(c: _Content, fh: IO[bytes]) -> None:
    book = xlsxwriter.Workbook(fh, {"in_memory": True, "strings_to_numbers": False,
                                    "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": c.title, "subject": DOCUMENT_NAME})
    fmt = _XlsxFormats(book)
    _xlsx_summary(book.add_worksheet(SUMMARY_SHEET), c, fmt)
    _xlsx_children(book.add_worksheet(CHILDREN_SHEET), c, fmt)
    book.close()


class _XlsxFormats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        cell = {"border": 1, "valign": "vcenter"}
        self.title = book.add_format({"bold": True, "font_size": 16, "align": "center",
                                      "valign": "vcenter"})
        self.note = book.add_format({"font_color": "#C00000", "text_wrap": True})
        self.label = book.add_format({**cell, "bold": True, "bg_color": _HEADER_FILL})
        self.value = book.add_format({**cell, "align": "left"})
        self.header = book.add_format({**cell, "bold": True, "bg_color": _HEADER_FILL,
                                       "align": "center", "text_wrap": True})
        self.text = book.add_format({**cell, "text_wrap": True})
        self.section = book.add_format({**cell, "align": "center", "text_wrap": True})
        self.number = book.add_format({**cell, "num_format": "0"})
        self.total_text = book.add_format({**cell, "bold": True, "bg_color": _TOTAL_FILL,
                                           "align": "center"})
        self.total_number = book.add_format({**cell, "bold": True, "bg_color": _TOTAL_FILL,
                                             "num_format": "0"})


def _xlsx_summary(sheet, c: _Content, fmt: _XlsxFormats) -> None:
    widths = [max(_display_width(s) for s in (*(col.section for col in c.columns), "")) + 4,
              max(_display_width(col.label) for col in c.columns) + 4, 12]
    widths[0] = max(widths[0], max(_display_width(label) for label, _v in c.info) + 4, 14)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(width, 50))
    sheet.set_row(0, 30)
    sheet.merge_range(0, 0, 0, 2, c.title, fmt.title)
    row = 1
    if c.include_sensitive:
        sheet.merge_range(row, 0, row, 2, _confidential_note(), fmt.note)
        sheet.set_row(row, 30)
        row += 1
    for label, value in c.info:
        sheet.write_string(row, 0, label, fmt.label)
        sheet.merge_range(row, 1, row, 2, value, fmt.value)
        row += 1
    row += 1
    for col, heading in enumerate((_("Category"), _("Item"), _("Count"))):
        sheet.write_string(row, col, heading, fmt.header)
    row += 1
    for section, indexes in _sections(c.columns):
        if len(indexes) > 1:
            sheet.merge_range(row, 0, row + len(indexes) - 1, 0, section, fmt.section)
        else:
            sheet.write_string(row, 0, section, fmt.section)
        for i in indexes:
            sheet.write_string(row, 1, c.columns[i].label, fmt.text)
            sheet.write_number(row, 2, c.node[i], fmt.number)
            row += 1
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()


def _xlsx_children(sheet, c: _Content, fmt: _XlsxFormats) -> None:
    ncols = 2 + len(c.columns)
    code_width = max((len(code) for code, _n, _v in c.children), default=12) + 2
    name_width = max((_display_width(name) for _c, name, _v in c.children), default=10) + 2
    sheet.set_column(0, 0, max(code_width, 10))
    sheet.set_column(1, 1, min(max(name_width, 12), 40))
    sheet.set_column(2, ncols - 1, 11)
    sheet.set_row(0, 30)
    title = f"{c.title}: {CHILDREN_SHEET}{c.child_tier}"
    sheet.merge_range(0, 0, 0, ncols - 1, title, fmt.title)
    row = 1
    if c.include_sensitive:
        sheet.merge_range(row, 0, row, ncols - 1, _confidential_note(), fmt.note)
        row += 1
    # A band of section names above the column headings.
    sheet.merge_range(row, 0, row + 1, 0, _("Code"), fmt.header)
    sheet.merge_range(row, 1, row + 1, 1, capfirst(_("name")), fmt.header)
    for section, indexes in _sections(c.columns):
        first, last = 2 + indexes[0], 2 + indexes[-1]
        if first == last:
            sheet.write_string(row, first, section, fmt.header)
        else:
            sheet.merge_range(row, first, row, last, section, fmt.header)
    row += 1
    sheet.set_row(row, 45)
    for i, column in enumerate(c.columns):
        sheet.write_string(row, 2 + i, column.label, fmt.header)
    row += 1
    sheet.freeze_panes(row, 2)
    for code, name, values in c.children:
        sheet.write_string(row, 0, code, fmt.text)
        sheet.write_string(row, 1, name, fmt.text)
        for i, value in enumerate(values):
            sheet.write_number(row, 2 + i, value, fmt.number)
        row += 1
    sheet.merge_range(row, 0, row, 1, TOTAL_LABEL, fmt.total_text)
    for i, value in enumerate(c.totals):
        sheet.write_number(row, 2 + i, value, fmt.total_number)
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


# --------------------------------------------------------------------------------------------
# PDF

_NUMBER_COLUMNS_PER_TABLE = 10


def write_grid_file_pdf(gf: GridFile, target: Target, *, include_sensitive: bool = False,
                        generated_at: datetime.datetime | None = None) -> None:
    """Write the file as an A4 PDF: the node's details and figures on a portrait page, then
    the children's figures on landscape pages, in tables that repeat their heading rows
    when they run onto another page. Every page has a footer "page n of m"."""
    content = _content(gf, include_sensitive, generated_at)
    _write_out(target, lambda fh: _build_pdf(content, fh))


def _build_pdf(c: _Content, fh: IO[bytes]) -> None:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    register_font()
    portrait, wide = A4, landscape(A4)
    margin = 18 * mm
    doc = BaseDocTemplate(
        fh,
        pagesize=portrait,
        leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=margin,
        title=c.title, subject=DOCUMENT_NAME, creator="wangge", author="",
    )

    def frame(size: tuple[float, float], name: str) -> Frame:
        return Frame(margin, margin, size[0] - 2 * margin, size[1] - 2 * margin, id=name,
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    doc.addPageTemplates([
        PageTemplate(id="portrait", frames=[frame(portrait, "p")], pagesize=portrait),
        PageTemplate(id="wide", frames=[frame(wide, "w")], pagesize=wide),
    ])
    story = _pdf_story(c, portrait[0] - 2 * margin, wide[0] - 2 * margin)
    doc.build(story, canvasmaker=numbered_canvas(c.title))


def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER, TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12, alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", base, fontSize=18, leading=26, alignment=TA_CENTER,
                                spaceAfter=10),
        "heading": ParagraphStyle("heading", base, fontSize=12, leading=16, spaceBefore=8,
                                  spaceAfter=6, keepWithNext=True),
        "note": ParagraphStyle("note", base, textColor="#C00000", spaceAfter=6),
        "cell": base,
        "head": ParagraphStyle("head", base, alignment=TA_CENTER),
        "total": ParagraphStyle("total", base, alignment=TA_CENTER),
    }


def _para(text: str, style) -> Any:
    """A paragraph that wraps Chinese anywhere and other text at spaces."""
    from reportlab.platypus import Paragraph

    if _CJK.search(text):
        style = style.clone(style.name + "-cjk", wordWrap="CJK")
    return Paragraph(escape(text), style)


def _table_style(extra: Sequence[tuple] = ()) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    return TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("BOX", (0, 0), (-1, -1), 1, colors.black),
        *extra,
    ])


def _pdf_story(c: _Content, portrait_width: float, wide_width: float) -> list:
    from reportlab.lib import colors
    from reportlab.platypus import NextPageTemplate, PageBreak, Spacer, Table

    st = _styles()
    header_fill = colors.HexColor(_HEADER_FILL)
    total_fill = colors.HexColor(_TOTAL_FILL)
    story: list = [_para(c.title, st["title"])]
    if c.include_sensitive:
        story.append(_para(_confidential_note(), st["note"]))

    # Details: a bordered form, label | value | label | value, "part of" on its own line.
    label_w = 0.17 * portrait_width
    value_w = portrait_width / 2 - label_w
    (part_label, part), *pairs = c.info
    rows = [[_para(part_label, st["cell"]), _para(part, st["cell"]), "", ""]]
    for i in range(0, len(pairs), 2):
        row: list = []
        for label, value in pairs[i:i + 2]:
            row += [_para(label, st["cell"]), _para(value, st["cell"])]
        rows.append(row + [""] * (4 - len(row)))
    info = Table(rows, colWidths=[label_w, value_w, label_w, value_w], hAlign="CENTER")
    info.setStyle(_table_style([
        ("SPAN", (1, 0), (3, 0)),
        ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (0, -1), header_fill),
        ("BACKGROUND", (2, 1), (2, -1), header_fill),
    ]))
    story += [info, Spacer(1, 10), _para(_("Figures"), st["heading"])]

    # Figures of the node: category | item | count. The category is written once per
    # section and its cell drawn as one box, without a SPAN, so the table can split.
    rows = [[_para(h, st["head"]) for h in (_("Category"), _("Item"), _("Count"))]]
    extra: list[tuple] = [
        ("BACKGROUND", (0, 0), (-1, 0), header_fill),
        ("GRID", (1, 0), (-1, -1), 0.5, colors.black),
        ("LINEBELOW", (0, 0), (0, 0), 0.5, colors.black),
        ("ALIGN", (2, 1), (2, -1), "RIGHT"),
        ("VALIGN", (0, 1), (0, -1), "TOP"),
    ]
    for section, indexes in _sections(c.columns):
        start = len(rows)
        extra.append(("LINEABOVE", (0, start), (0, start), 0.5, colors.black))
        for n, i in enumerate(indexes):
            rows.append([_para(section, st["head"]) if n == 0 else "",
                         _para(c.columns[i].label, st["cell"]), str(c.node[i])])
    widths = [0.3 * portrait_width, 0.45 * portrait_width, 0.25 * portrait_width]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(_table_style(extra))
    story.append(table)

    if not c.children:
        return story

    # The children: landscape pages, one table per group of sections.
    story += [NextPageTemplate("wide"), PageBreak(),
              _para(_("Subordinate %(tier)s (%(count)d)")
                    % {"tier": c.child_tier, "count": len(c.children)}, st["heading"])]
    code_w = 4.6 * max(len(code) for code, _n, _v in c.children) + 12
    for heading, indexes in _child_tables(c.columns):
        number_w = min(62.0, (wide_width - code_w - 110) / len(indexes))
        name_w = min(180.0, wide_width - code_w - number_w * len(indexes))
        rows = [[_para(_("Code"), st["head"]), _para(capfirst(_("name")), st["head"]),
                 *(_para(c.columns[i].label, st["head"]) for i in indexes)]]
        for code, name, values in c.children:
            rows.append([code, _para(name, st["cell"]), *(str(values[i]) for i in indexes)])
        rows.append([_para(TOTAL_LABEL, st["total"]), "", *(str(c.totals[i]) for i in indexes)])
        table = Table(rows, colWidths=[code_w, name_w, *[number_w] * len(indexes)],
                      repeatRows=1, hAlign="LEFT")
        table.setStyle(_table_style([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), header_fill),
            ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
            ("SPAN", (0, -1), (1, -1)),
            ("BACKGROUND", (0, -1), (-1, -1), total_fill),
            ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
        ]))
        story += [_para(heading, st["heading"]), table]
    return story


def _child_tables(columns: Sequence[FigureColumn]) -> list[tuple[str, list[int]]]:
    """The children's columns as tables of at most ten figures: population with age, care
    groups, housing with organisations and facilities."""
    sections = _sections(columns)
    groups: list[tuple[str, list[int]]] = []
    pending: tuple[str, list[int]] | None = None
    for section, indexes in sections:
        care = columns[indexes[0]].key.startswith("care_")
        if pending and not care and not columns[pending[1][0]].key.startswith("care_") \
                and len(pending[1]) + len(indexes) <= _NUMBER_COLUMNS_PER_TABLE:
            pending = (f"{pending[0]} / {section}", pending[1] + indexes)
            continue
        if pending:
            groups.append(pending)
        pending = (section, list(indexes))
    if pending:
        groups.append(pending)
    out: list[tuple[str, list[int]]] = []
    for heading, indexes in groups:
        chunks = [indexes[i:i + _NUMBER_COLUMNS_PER_TABLE]
                  for i in range(0, len(indexes), _NUMBER_COLUMNS_PER_TABLE)]
        for n, chunk in enumerate(chunks, 1):
            out.append((heading if len(chunks) == 1 else f"{heading} ({n}/{len(chunks)})",
                        chunk))
    return out
