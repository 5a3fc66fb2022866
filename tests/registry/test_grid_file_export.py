"""One grid, one file (一格一档) as .xlsx and PDF, from hand-built figures: no database."""

import base64
import contextlib
import datetime
import io
import re
import zlib
from pathlib import Path

import pytest
import python_calamine
from django.utils import translation

from wangge.grids.models import Grid, GridType
from wangge.registry.grid_file_export import (
    CHILDREN_SHEET,
    SUMMARY_SHEET,
    TOTAL_LABEL,
    figure_columns,
    grid_file_filename,
    write_grid_file_pdf,
    write_grid_file_xlsx,
)
from wangge.registry.models import CareGroup
from wangge.registry.selectors import GridFigures, GridFile

CARE_GROUPS = [
    CareGroup(code="elderly_alone", name="独居老人", sensitive=False),
    CareGroup(code="disabled", name="残疾人", sensitive=False),
    CareGroup(code="community_correction", name="社区矫正人员", sensitive=True),
    CareGroup(code="released_prisoner", name="刑满释放人员", sensitive=True),
]
SENSITIVE = ("社区矫正人员", "刑满释放人员")
WHEN = datetime.datetime(2025, 3, 1, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Shanghai


def figures(seed: int) -> GridFigures:
    n = seed * 7 + 3
    return GridFigures(
        people=n * 10,
        by_population_type={"registered": n * 7, "floating": n * 3 - 1, "overseas": 1},
        by_age_band={"0-17": n * 2, "18-59": n * 5, "60-79": n * 2, "80+": n},
        by_care_group={"elderly_alone": n % 5, "disabled": seed % 3,
                       "community_correction": seed % 2 + 1, "released_prisoner": 2},
        households=n * 4,
        houses=n * 4 + 2,
        houses_by_use={"owner_occupied": n * 3, "rented": n, "vacant": 1, "business": 1},
        buildings=seed + 2,
        organisations=seed % 4,
        facilities=seed + 5,
        facilities_needing_repair=seed % 3,
    )


def total(parts: list[GridFigures]) -> GridFigures:
    out = GridFigures()
    for part in parts:
        out.people += part.people
        out.households += part.households
        out.houses += part.houses
        out.buildings += part.buildings
        out.organisations += part.organisations
        out.facilities += part.facilities
        out.facilities_needing_repair += part.facilities_needing_repair
        for mine, theirs in ((out.by_population_type, part.by_population_type),
                             (out.by_age_band, part.by_age_band),
                             (out.by_care_group, part.by_care_group),
                             (out.houses_by_use, part.houses_by_use)):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + value
    return out


def grid_file(children: int = 17) -> GridFile:
    """A grid of the Laocheng street with `children` micro-grids."""
    ancestors = [
        Grid(code="520302001", name="老城街道", tier="street"),
        Grid(code="520302001001", name="文化路社区", tier="community"),
    ]
    grid = Grid(code="520302001001003", name="第三网格", tier="grid")
    residential = GridType(code="residential", name="居民小区")
    kids = [
        (Grid(code=f"520302001001003{i:03d}", name=f"幸福里{i}号楼微网格", tier="micro_grid",
              level="green", grid_type=residential), figures(i))
        for i in range(1, children + 1)
    ]
    return GridFile(grid=grid, ancestors=ancestors, figures=total([f for _g, f in kids]),
                    children=kids, care_groups=CARE_GROUPS)


def sheets(data: bytes) -> dict[str, list[list]]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def xlsx(gf: GridFile, **kwargs) -> dict[str, list[list]]:
    out = io.BytesIO()
    write_grid_file_xlsx(gf, out, generated_at=WHEN, **kwargs)
    return sheets(out.getvalue())


def children_table(rows: list[list], codes: list[str]) -> tuple[list[str], list[list], list]:
    """The heading row, the rows of the children and the 合计 row of sheet 下级."""
    first = next(i for i, row in enumerate(rows) if row[0] == codes[0])
    last = first + len(codes)
    assert rows[last][0] == TOTAL_LABEL
    return rows[first - 1], rows[first:last], rows[last]


def texts(rows: list[list]) -> set[str]:
    return {cell for row in rows for cell in row if isinstance(cell, str)}


def test_xlsx_children_and_sum_row_read_back():
    gf = grid_file(17)
    book = xlsx(gf)
    assert list(book) == [SUMMARY_SHEET, CHILDREN_SHEET]
    codes = [child.code for child, _f in gf.children]
    header, rows, sums = children_table(book[CHILDREN_SHEET], codes)
    columns = figure_columns(gf)
    assert header[2:] == [c.label for c in columns]
    assert [row[0] for row in rows] == codes  # codes stay text: no 5.2e17
    assert [row[1] for row in rows] == [child.name for child, _f in gf.children]
    for row, (_child, figs) in zip(rows, gf.children, strict=True):
        flat = figs.flat()
        assert row[2:] == [flat[c.key] for c in columns]
    assert all(isinstance(v, float | int) for v in sums[2:])  # numbers, not formulas
    for col in range(2, len(header)):
        assert sums[col] == sum(row[col] for row in rows)
    # The children add up to the node, and the sum row says so.
    node = gf.figures.flat()
    assert sums[2:] == [node[c.key] for c in columns]


def test_xlsx_summary_lists_every_figure_of_the_node():
    gf = grid_file(3)
    rows = xlsx(gf)[SUMMARY_SHEET]
    assert rows[0][0] == "第三网格 一格一档"
    cells = texts(rows)
    assert "老城街道 / 文化路社区" in cells
    assert "520302001001003" in cells
    assert "2025-03-01 09:30" in cells  # Asia/Shanghai
    node = gf.figures.flat()
    by_label = {row[1]: row[2] for row in rows if isinstance(row[2], float | int)}
    for column in figure_columns(gf):
        assert by_label[column.label] == node[column.key]


def test_xlsx_micro_grid_shows_level_and_type_and_an_empty_children_sheet():
    kid, figs = grid_file(1).children[0]
    gf = GridFile(grid=kid, ancestors=[], figures=figs, children=[], care_groups=CARE_GROUPS)
    book = xlsx(gf)
    cells = texts(book[SUMMARY_SHEET])
    assert "居民小区" in cells
    assert str(kid.get_level_display()) in cells
    assert book[CHILDREN_SHEET][-1][0] == TOTAL_LABEL
    assert set(book[CHILDREN_SHEET][-1][2:]) == {0}


def test_sensitive_care_groups_only_when_asked():
    gf = grid_file(5)
    plain = xlsx(gf)
    for sheet in plain.values():
        assert not texts(sheet) & set(SENSITIVE)
    assert "独居老人" in texts(plain[CHILDREN_SHEET])
    assert not any(c.key == "care_community_correction" for c in figure_columns(gf))

    full = xlsx(gf, include_sensitive=True)
    assert set(SENSITIVE) <= texts(full[SUMMARY_SHEET])
    codes = [child.code for child, _f in gf.children]
    header, rows, sums = children_table(full[CHILDREN_SHEET], codes)
    col = header.index("社区矫正人员")
    assert [row[col] for row in rows] == [f.by_care_group["community_correction"]
                                          for _c, f in gf.children]
    assert sums[col] == gf.figures.by_care_group["community_correction"]


def test_care_group_of_unknown_sensitivity_is_treated_as_sensitive():
    gf = grid_file(2)
    gf.figures.by_care_group["mystery"] = 4
    assert "care_mystery" not in {c.key for c in figure_columns(gf)}
    assert "care_mystery" in {c.key for c in figure_columns(gf, include_sensitive=True)}


def test_xlsx_to_a_path(tmp_path: Path):
    target = tmp_path / "file.xlsx"
    write_grid_file_xlsx(grid_file(2), target)
    assert sheets(target.read_bytes())[SUMMARY_SHEET][0][0] == "第三网格 一格一档"


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def pdf_content(data: bytes) -> bytes:
    """The streams of the PDF, inflated (reportlab writes them ASCII85 and Flate encoded)."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = match.group(1).strip()
        with contextlib.suppress(ValueError, zlib.error):
            raw = base64.a85decode(raw.removesuffix(b"~>"))
        with contextlib.suppress(zlib.error):
            raw = zlib.decompress(raw)
        out.append(raw)
    return b"\n".join(out)


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(literal: bytes) -> bytes:
    def one(match: re.Match) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8) & 0xFF])
        return _ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)


def shown_text(data: bytes) -> str:
    """The strings drawn in the Chinese font (UCS-2, "/F2"), one line each."""
    content = pdf_content(data)
    assert b"/F2" in content
    lines = []
    for font, literal in re.findall(rb"/(F\d+) [\d.]+ Tf(?:(?!Tf).)*?\(((?:[^\\)]|\\.)*)\) Tj",
                                    content, re.S):
        if font == b"F2":
            lines.append(_unescape(literal).decode("utf-16-be"))
    return "\n".join(lines)


@pytest.mark.parametrize(("children", "min_pages"), [(17, 1), (60, 2)])
def test_pdf_is_a_paginated_a4_document_with_chinese_text(children, min_pages):
    gf = grid_file(children)
    out = io.BytesIO()
    with translation.override("zh-hans"):
        write_grid_file_pdf(gf, out, generated_at=WHEN)
    data = out.getvalue()
    assert data.startswith(b"%PDF-1.")
    assert data.rstrip().endswith(b"%%EOF")
    assert pdf_pages(data) >= min_pages
    assert 5_000 < len(data) < 500_000
    assert b"/STSong-Light" in data
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in data  # A4 portrait, then landscape
    assert b"/MediaBox [ 0 0 841.8898 595.2756 ]" in data
    drawn = shown_text(data)
    for text in ("第三网格 一格一档", "老城街道 / 文化路社区", TOTAL_LABEL,
                 gf.children[-1][0].name, "独居老人"):
        assert text in drawn, text
    for text in SENSITIVE:
        assert text not in drawn


def test_pdf_more_children_more_pages():
    small, big = io.BytesIO(), io.BytesIO()
    write_grid_file_pdf(grid_file(8), small)
    write_grid_file_pdf(grid_file(60), big)
    assert pdf_pages(big.getvalue()) > pdf_pages(small.getvalue())


def test_pdf_sensitive_groups_when_asked_and_to_a_path(tmp_path: Path):
    target = tmp_path / "file.pdf"
    write_grid_file_pdf(grid_file(4), target, include_sensitive=True)
    drawn = shown_text(target.read_bytes())
    for text in SENSITIVE:
        assert text in drawn


def test_pdf_micro_grid_without_children_is_one_page():
    kid, figs = grid_file(1).children[0]
    gf = GridFile(grid=kid, ancestors=[], figures=figs, children=[], care_groups=CARE_GROUPS)
    out = io.BytesIO()
    write_grid_file_pdf(gf, out)
    assert pdf_pages(out.getvalue()) == 1


def test_names_with_markup_characters_are_escaped():
    gf = grid_file(2)
    gf.grid.name = "A&B <网格>"
    gf.children[0][0].name = "x < y & z"
    out = io.BytesIO()
    write_grid_file_pdf(gf, out)
    drawn = shown_text(out.getvalue())
    assert "A&B <网格> 一格一档" in drawn
    assert "x < y & z" in drawn


def test_filename():
    assert grid_file_filename(grid_file(1), "xlsx") == "520302001001003-第三网格-一格一档.xlsx"
