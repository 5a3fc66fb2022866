"""Generic spreadsheet I/O for ledgers (台账): read registers as clerks really fill them in,
write them back in the same shape.

Reading uses python-calamine (xlsx, xlsm, xlsb, xls, ods) and the csv module (csv, txt, tsv);
writing uses XlsxWriter in ``constant_memory`` mode. This module knows nothing about
people or organisations: it gives back header names and raw cell values, and the caller
validates and normalises them.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import math
import operator
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import python_calamine
import xlsxwriter
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name

from wangge.core.bulk import gc_paused

__all__ = [
    "HEADER_SEARCH_ROWS",
    "TEMPLATE_TEXT_ROWS",
    "LedgerFileError",
    "Sheet",
    "SheetRow",
    "normalise_header",
    "read_sheet",
    "write_sheet",
    "write_template",
]

#: The header must be within this many rows from the top of the sheet.
HEADER_SEARCH_ROWS = 20
#: How many rows below the header a template formats its text columns as text.
TEMPLATE_TEXT_ROWS = 1000

_WORKBOOK_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
_TEXT_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CSV_DELIMITERS = (",", ";", "\t")
# Characters that are not whitespace to str.split() but still invisible in a header cell.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


class LedgerFileError(ValueError):
    """The whole file cannot be read; the message is for the user."""


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One non-blank data row.

    ``number`` is the row number a clerk sees in Excel (1-based); for a CSV file it is the
    record number with the header line counted, i.e. the line number, or the row Excel shows
    when a quoted cell spans several lines.
    ``values`` maps each header name to the raw cell value: str (as typed, not stripped),
    float for every number (xlsx stores no integers), bool, datetime.date/datetime for date
    cells (also datetime.time/timedelta for time cells), or None for an empty cell. A CSV
    gives only str and None.
    """

    number: int
    values: dict[str, object]


@dataclass
class Sheet:
    """The data of one sheet below its header row."""

    name: str
    header: list[str]
    header_row: int
    rows: list[SheetRow]


def normalise_header(value: object) -> str:
    """A header cell as a column name: all whitespace (also full-width spaces, line breaks,
    non-breaking and zero-width spaces) removed, e.g. " 公民身份　号码\\n" -> "公民身份号码"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    return "".join(text.split()).translate(_INVISIBLE)


# --------------------------------------------------------------------------------------------
# Reading


def read_sheet(
    path_or_file: str | os.PathLike[str] | IO[bytes],
    *,
    required: set[str],
    known: set[str] | None = None,
    sheet_name: str | None = None,
    filename: str | None = None,
) -> Sheet:
    """Read the data rows of a ledger sheet.

    ``path_or_file`` is a path or a binary file-like object (e.g. an uploaded file, read
    from its start); ``filename`` gives the name, and so the extension, of a file object (or
    overrides a path's). The format is recognised from the content where it can be (a
    workbook renamed .csv is still read as a workbook) and otherwise from the extension.

    The sheet is ``sheet_name`` if the workbook has it, else the first sheet (visible ones
    first) with a header row holding all ``required`` names. The header row is the first of
    the top ``HEADER_SEARCH_ROWS`` rows that holds all ``required`` names after
    :func:`normalise_header` (the names in ``required`` are normalised the same way); rows
    above it are ignored, as are columns with an empty header. ``known`` is the set of all
    recognised names: it is informational only, since unknown columns are harmless and are
    kept in the values. Blank rows (every cell empty or whitespace) are skipped.

    Raises LedgerFileError, with a message for the user, when the file is not a spreadsheet
    that can be read, has no such header row, or repeats a column name in its header.
    """
    del known  # Unknown columns are kept; see the docstring.
    wanted = {normalise_header(name) for name in required} - {""}
    name = filename
    if name is None and isinstance(path_or_file, str | os.PathLike):
        name = os.fspath(path_or_file)
    extension = Path(name).suffix.lower() if name else ""
    stem = Path(name).stem if name else ""

    if isinstance(path_or_file, str | os.PathLike):
        path: Path | None = Path(path_or_file)
        with open(path, "rb") as handle:
            head = handle.read(len(_OLE_MAGIC))
        data: bytes | None = None
    else:
        path = None
        if hasattr(path_or_file, "seekable") and path_or_file.seekable():
            path_or_file.seek(0)
        data = path_or_file.read()
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError("read_sheet needs a binary file object")
        data = bytes(data)
        head = data[: len(_OLE_MAGIC)]

    if not head:
        raise LedgerFileError(_("The file is empty."))
    if extension and extension not in _WORKBOOK_EXTENSIONS | _TEXT_EXTENSIONS:
        raise LedgerFileError(
            _(
                "Files of type %(extension)s cannot be read. Please use an Excel file "
                "(.xlsx or .xls), an OpenDocument spreadsheet (.ods) or a CSV file."
            )
            % {"extension": extension}
        )
    if head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC):
        with gc_paused():
            return _read_workbook(path, data, wanted, sheet_name)
    if data is None:
        assert path is not None
        data = path.read_bytes()
    if extension in _WORKBOOK_EXTENSIONS:
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            raise LedgerFileError(
                _(
                    "This file is a web page or an XML document with a spreadsheet name, "
                    "not a real spreadsheet. Open it in Excel or WPS and save it as .xlsx."
                )
            )
        raise LedgerFileError(_not_a_spreadsheet())
    with gc_paused():
        return _read_csv(data, wanted, stem)


def _not_a_spreadsheet() -> str:
    return _(
        "This file cannot be opened as a spreadsheet: it is damaged, or it is not really an "
        "Excel, OpenDocument or CSV file, whatever its extension. Open it in Excel or WPS and "
        "save it as .xlsx."
    )


def _read_workbook(
    path: Path | None, data: bytes | None, wanted: set[str], sheet_name: str | None
) -> Sheet:
    try:
        if path is not None:
            book = python_calamine.CalamineWorkbook.from_path(path)
        else:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data or b""))
    except python_calamine.PasswordError:
        raise LedgerFileError(_password_protected()) from None
    except BaseException as exc:
        if not _calamine_failure(exc):
            raise
        if data is None and path is not None:
            data = path.read_bytes()
        if data and data.startswith(_OLE_MAGIC) and "EncryptedPackage".encode("utf-16-le") in data:
            # An xlsx encrypted with a password is stored in an OLE container.
            raise LedgerFileError(_password_protected()) from None
        raise LedgerFileError(_not_a_spreadsheet()) from None

    with book:
        names = book.sheet_names
        if sheet_name is not None and sheet_name in names:
            candidates = [sheet_name]
        else:
            metadata = []
            with suppress(Exception):
                metadata = book.sheets_metadata
            if metadata:
                worksheet = python_calamine.SheetTypeEnum.WorkSheet
                visible = python_calamine.SheetVisibleEnum.Visible
                sheets = [m for m in metadata if m.typ == worksheet]
                candidates = [m.name for m in sheets if m.visible == visible]
                candidates += [m.name for m in sheets if m.visible != visible]
            else:
                candidates = list(names)
        if not candidates:
            raise LedgerFileError(_("The file contains no worksheet."))

        best: tuple[int, str, list[str]] | None = None  # (found, sheet, missing)
        for candidate in candidates:
            with _calamine_guard():
                sheet = book.get_sheet_by_name(candidate)
                top = sheet.to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
            index, found, missing = _find_header(top, wanted)
            if index is not None:
                with _calamine_guard():
                    rows = sheet.to_python(skip_empty_area=False)
                return _build_sheet(candidate, rows, index)
            if best is None or found > best[0]:
                best = (found, candidate, missing)
    assert best is not None
    sheet_with_most, missing = best[1], best[2]
    if not missing:  # Nothing was required, and the top rows are all blank.
        raise LedgerFileError(_("The sheet “%(sheet)s” is empty.") % {"sheet": sheet_with_most})
    if len(candidates) == 1:
        message = _(
            "No header row with all the required columns was found in the first %(rows)s rows "
            "of sheet “%(sheet)s”. Missing columns: %(columns)s."
        )
    else:
        message = _(
            "No sheet has a header row with all the required columns in its first %(rows)s "
            "rows. Missing columns (in sheet “%(sheet)s”, the closest): %(columns)s."
        )
    raise LedgerFileError(
        message
        % {"rows": HEADER_SEARCH_ROWS, "sheet": sheet_with_most, "columns": "、".join(missing)}
    )


def _calamine_failure(exc: BaseException) -> bool:
    """Whether python-calamine failed on the file: an exception, or a Rust panic, which
    pyo3 raises as a BaseException."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


@contextmanager
def _calamine_guard() -> Iterator[None]:
    try:
        yield
    except BaseException as exc:
        if not _calamine_failure(exc):
            raise
        raise LedgerFileError(_not_a_spreadsheet()) from None


def _password_protected() -> str:
    return _(
        "This file is protected by a password. Remove the password in Excel or WPS and "
        "upload it again."
    )


def _is_blank(row: Sequence[object]) -> bool:
    for value in row:
        if value == "" or value is None:
            continue
        if isinstance(value, str) and value.isspace():
            continue
        return False
    return True


def _find_header(
    top: Sequence[Sequence[object]], wanted: set[str]
) -> tuple[int | None, int, list[str]]:
    """(index of the header row or None, the most required names found in one row, the
    names that row misses)."""
    best_found, best_missing = -1, sorted(wanted)
    for index, row in enumerate(top[:HEADER_SEARCH_ROWS]):
        if _is_blank(row):
            continue
        names = {normalise_header(value) for value in row}
        missing = wanted - names
        if not missing:
            return index, len(wanted), []
        if len(wanted) - len(missing) > best_found:
            best_found, best_missing = len(wanted) - len(missing), sorted(missing)
    return None, max(best_found, 0), best_missing


def _build_sheet(name: str, rows: Sequence[Sequence[Any]], header_index: int) -> Sheet:
    header_cells = [normalise_header(value) for value in rows[header_index]]
    seen: set[str] = set()
    columns: list[tuple[int, str]] = []
    for position, column in enumerate(header_cells):
        if not column:
            continue
        if column in seen:
            if name:
                message = _(
                    "The column “%(column)s” appears more than once in the header (row "
                    "%(row)s of sheet “%(sheet)s”). Rename or delete one of them."
                )
            else:
                message = _(
                    "The column “%(column)s” appears more than once in the header (row "
                    "%(row)s). Rename or delete one of them."
                )
            raise LedgerFileError(
                message % {"column": column, "row": header_index + 1, "sheet": name}
            )
        seen.add(column)
        columns.append((position, column))
    header = [column for _position, column in columns]
    positions = [position for position, _column in columns]
    width = (positions[-1] + 1) if positions else 0
    if positions == list(range(width)):
        pick = None  # The common case: zip() takes the first cells, at C speed.
    elif len(positions) == 1:
        only = positions[0]

        def pick(row: Sequence[Any]) -> tuple[Any, ...]:
            return (row[only],)
    else:
        pick = operator.itemgetter(*positions)

    # This loop is the hot path: 100,000 rows of a big ledger go through it.
    none_if_empty = {"": None}.get
    result: list[SheetRow] = []
    append = result.append
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        for value in row:  # Skip blank rows: the first non-blank cell ends the check.
            if (
                value != ""
                and value is not None
                and not (value.__class__ is str and value.isspace())
            ):
                break
        else:
            continue
        if len(row) < width:  # A short CSV record; a workbook's rows are padded.
            row = [*row, *([None] * (width - len(row)))]
        cells = row if pick is None else pick(row)
        # "" -> None by a dict lookup mapped over the cells: no Python-level loop per cell.
        append(SheetRow(number, dict(zip(header, map(none_if_empty, cells, cells), strict=False))))
    return Sheet(name=name, header=header, header_row=header_index + 1, rows=result)


def _decode_text(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerFileError(
        _(
            "The text encoding of this CSV file was not recognised. Save it again from Excel "
            "or WPS as “CSV UTF-8” or as .xlsx."
        )
    )


def _read_csv(data: bytes, wanted: set[str], name: str) -> Sheet:
    text = _decode_text(data)
    if "\x00" in text:
        raise LedgerFileError(_not_a_spreadsheet())
    if not text.strip():
        raise LedgerFileError(_("The file is empty."))

    sample = text[:65536]
    try:
        sniffed = csv.Sniffer().sniff(sample[:16384], delimiters="".join(_CSV_DELIMITERS))
        guessed = sniffed.delimiter
    except csv.Error:
        first_line = sample.split("\n", 1)[0]
        guessed = max(_CSV_DELIMITERS, key=first_line.count)
    order = [guessed, *(d for d in _CSV_DELIMITERS if d != guessed)]

    best: tuple[int, list[str]] | None = None
    for delimiter in order:
        try:
            top = _parse_csv(sample, delimiter, limit=HEADER_SEARCH_ROWS)
        except csv.Error:
            continue
        index, found, missing = _find_header(top, wanted)
        if index is not None:
            try:
                rows = _parse_csv(text, delimiter)
            except csv.Error:
                raise LedgerFileError(_not_a_spreadsheet()) from None
            return _build_sheet(name, rows, index)
        if best is None or found > best[0]:
            best = (found, missing)
    if best is None:
        raise LedgerFileError(_not_a_spreadsheet())
    if not best[1]:  # Nothing was required, and the top rows are all blank.
        raise LedgerFileError(_("The file is empty."))
    raise LedgerFileError(
        _(
            "No header row with all the required columns was found in the first %(rows)s rows "
            "of the file. Missing columns: %(columns)s."
        )
        % {"rows": HEADER_SEARCH_ROWS, "columns": "、".join(best[1])}
    )


def _parse_csv(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    if limit is None:
        return list(reader)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        if not rows:  # The sample may end inside a quoted cell; what came before counts.
            raise
    return rows


# --------------------------------------------------------------------------------------------
# Writing

_HEADER_FILL = "#DDEBF7"
_NOTE_FILL = "#FFC7CE"
_NOTE_FONT = "#9C0006"
_ERROR_FONT = "#C00000"
_EXAMPLE_FONT = "#808080"
_DATE_FORMAT = "yyyy-mm-dd"
_TEXT_FORMAT = 49  # Excel's built-in "@" (文本), as Excel itself writes it
_TIME_FORMAT = "hh:mm:ss"
_MAX_EXACT_FLOAT = 2**53
_MAX_STRING = 32767  # UTF-16 code units in one cell
_MAX_ROWS = 1_048_576
_EXCEL_EPOCH = datetime.datetime(1899, 12, 31)
_EXCEL_EPOCH_ORDINAL = _EXCEL_EPOCH.toordinal()
_PRESERVE = ' xml:space="preserve"'
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_ESCAPED_ESCAPE = re.compile("(_x[0-9A-Fa-f]{4}_)")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
# Set to False to write rows through XlsxWriter's public API only (tests compare the two).
_RAW_ROWS = True


def write_sheet(
    target: str | os.PathLike[str] | IO[bytes],
    *,
    sheet_name: str,
    header: list[str],
    rows: Iterable[Sequence[object]],
    title: str | None = None,
    text_columns: set[str] | frozenset[str] = frozenset(),
    column_widths: Mapping[str, int] | None = None,
    cell_notes: Mapping[tuple[int, str], str] | None = None,
    error_column: str | None = None,
) -> None:
    """Write one sheet of ``rows`` (sequences in ``header`` order) as an xlsx file.

    ``target`` is a path or a writable binary file object. With a ``title`` row 1 holds it,
    merged across all columns, and the header is row 2; otherwise the header is row 1. The
    header is bold on a light fill, and frozen. Columns in ``text_columns`` are formatted as
    text ("@") and their values written as strings (a float with an integer value as the
    integer, dates as yyyy-mm-dd), so a clerk typing an 18-digit ID number keeps it as text.
    Dates are written with the yyyy-mm-dd format, None as an empty cell.

    ``cell_notes`` maps (index of the row in ``rows``, header name) to a note: that cell
    gets a red fill and an Excel comment with the note. The cells of ``error_column`` (a
    header name; it holds the per-row reasons) are written in a red font.

    ``rows`` may be any iterable (a generator keeps memory flat); cells past the header are
    ignored, missing ones are empty. What :func:`read_sheet` reads back is the same header and
    values, except that numbers come back as floats, empty strings as None, a datetime at
    midnight as a date, values of text columns as the strings written, and wholly blank
    rows are skipped (the row numbers of the others still match). Header names should be
    normalised (see :func:`normalise_header`) for the header to read back the same.
    Raises ValueError for arguments naming columns not in ``header``.
    """
    _write(
        target,
        sheet_name=sheet_name,
        header=header,
        rows=rows,
        title=title,
        text_columns=text_columns,
        column_widths=column_widths,
        cell_notes=cell_notes,
        error_column=error_column,
    )


def write_template(
    target: str | os.PathLike[str] | IO[bytes],
    *,
    sheet_name: str,
    header: list[str],
    title: str,
    example_rows: list[list[object]],
    text_columns: set[str] | frozenset[str],
    notes: Mapping[str, str],
    column_widths: Mapping[str, int] | None = None,
) -> None:
    """Write a blank template for clerks: ``title`` in row 1, the header in row 2 with an
    Excel comment on each column named in ``notes`` (what to type there), the
    ``example_rows`` (synthetic, in a grey italic font), and the ``text_columns`` formatted
    as text for the whole column and explicitly for ``TEMPLATE_TEXT_ROWS`` rows below the
    header, so what a clerk types there stays text."""
    _write(
        target,
        sheet_name=sheet_name,
        header=header,
        rows=example_rows,
        title=title,
        text_columns=text_columns,
        column_widths=column_widths,
        header_notes=notes,
        example=True,
        text_rows=TEMPLATE_TEXT_ROWS,
    )


def _display_width(text: str) -> int:
    """Width in Excel character units: CJK characters count double."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _as_text(value: object) -> str:
    """A value for a text column: integers stay digits (13800000000.0 -> "13800000000")."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < _MAX_EXACT_FLOAT:
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _excel_serial(value: datetime.date | datetime.time | datetime.timedelta) -> float | int:
    """The Excel serial number of a date, time or duration (1900 date system)."""
    if isinstance(value, datetime.datetime):
        delta = value.replace(tzinfo=None) - _EXCEL_EPOCH
    elif isinstance(value, datetime.date):
        days = value.toordinal() - _EXCEL_EPOCH_ORDINAL
        return days + 1 if days > 59 else days
    elif isinstance(value, datetime.time):
        delta = datetime.datetime.combine(_EXCEL_EPOCH, value.replace(tzinfo=None)) - _EXCEL_EPOCH
        return delta.seconds / 86400 + delta.microseconds / 86400e6
    else:
        return value.days + value.seconds / 86400 + value.microseconds / 86400e6
    serial = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return serial + 1 if serial > 59 else serial  # Excel counts a 29 February 1900.


def _cell(value: object, text: bool) -> tuple[str, object, str]:
    """(kind, payload, number format kind) of a value: kind "s" string, "n" number,
    "b" boolean or "" empty; the format kind is "date", "time" or ""."""
    if value is None:
        return "", None, ""
    if text:
        value = _as_text(value)
        return ("s", value, "") if value else ("", None, "")
    if isinstance(value, str):
        return ("s", value, "") if value else ("", None, "")
    if isinstance(value, bool):
        return "b", value, ""
    if isinstance(value, datetime.date):  # also datetime.datetime
        return "n", _excel_serial(value), "date"
    if isinstance(value, datetime.time | datetime.timedelta):
        return "n", _excel_serial(value), "time"
    if not isinstance(value, int | float):
        try:
            value = float(value)  # e.g. Decimal
        except (TypeError, ValueError):
            return "s", str(value), ""
    if isinstance(value, float) and not math.isfinite(value):
        return "", None, ""
    return "n", value, ""


def _number_xml(value: int | float) -> str:
    if isinstance(value, int) and abs(value) < _MAX_EXACT_FLOAT:
        return str(value)
    return repr(float(value))


def _string_xml(value: str) -> tuple[str, str]:
    """(escaped text, attribute of <t>) of a string for an inline string cell, as Excel
    wants it: markup escaped, control characters as _xHHHH_, edge whitespace preserved."""
    if len(value) > _MAX_STRING // 2 and len(value.encode("utf-16-le")) > 2 * _MAX_STRING:
        value = value.encode("utf-16-le")[: 2 * _MAX_STRING].decode("utf-16-le", "ignore")
    preserve = _PRESERVE if value.strip() != value else ""
    if _NEEDS_ESCAPE.search(value):
        value = _ESCAPED_ESCAPE.sub(r"_x005F\1", value)
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        value = _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", value)
    return value, preserve


class _Formats:
    """Cell formats by column kind, value kind, note and example row, made when needed."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.cache: dict[tuple[bool, bool, bool, str, bool], Any] = {}

    def get(
        self, *, text: bool, error: bool, noted: bool, value: str = "", example: bool = False
    ) -> Any:
        key = (text, error, noted, value, example)
        if key not in self.cache:
            props: dict[str, Any] = {}
            if example:
                props.update(font_color=_EXAMPLE_FONT, italic=True)
            if text:
                props["num_format"] = _TEXT_FORMAT
            if value == "date":
                props["num_format"] = _DATE_FORMAT
            elif value == "time":
                props["num_format"] = _TIME_FORMAT
            if error:
                props["font_color"] = _ERROR_FONT
            if noted:
                props.update(bg_color=_NOTE_FILL, pattern=1)
                if not error:
                    props["font_color"] = _NOTE_FONT
            self.cache[key] = self.book.add_format(props) if props else None
        return self.cache[key]


class _Rows:
    """Writes the data rows of a worksheet in constant_memory mode.

    XlsxWriter spends about 6 µs a cell in Python (12-14 s for 100,000 rows of 17 cells on a
    small server), so rows are serialised here straight into the worksheet's row data file,
    in the XML XlsxWriter itself writes (inline strings), in about a tenth of that. This
    uses a few of XlsxWriter's internals (``fh``, ``previous_row``, ``dim_*``,
    ``_write_single_row``, ``Format._get_xf_index``): where they are missing the rows go
    through the public API instead (``raw`` is False), slower but the same file.
    Everything else (formats, comments, merged title, frozen panes) is XlsxWriter's own.
    """

    def __init__(self, sheet: Any, first_row: int) -> None:
        self.sheet = sheet
        self.raw = (
            _RAW_ROWS
            and all(
                hasattr(sheet, attribute)
                for attribute in (
                    "fh",
                    "previous_row",
                    "dim_rowmax",
                    "dim_colmax",
                    "_write_single_row",
                )
            )
            and getattr(sheet, "constant_memory", False)
        )
        self.last_row = first_row - 1
        self.buffer: list[str] = []
        if self.raw:
            sheet._write_single_row(first_row)  # Flush the header row XlsxWriter holds.
        self.xf: dict[int, str] = {}

    def s(self, cell_format: Any) -> str:
        """The s="…" attribute of a format."""
        if cell_format is None:
            return ""
        key = id(cell_format)
        if key not in self.xf:
            self.xf[key] = f' s="{cell_format._get_xf_index()}"'
        return self.xf[key]

    def add(self, row: int, xml: str) -> None:
        self.last_row = row
        self.buffer.append(xml)
        if len(self.buffer) >= 1000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.sheet.fh.write("".join(self.buffer))
            self.buffer.clear()

    def finish(self, ncols: int) -> None:
        if not self.raw:
            return
        self.flush()
        sheet = self.sheet
        if self.last_row >= 0:
            sheet.dim_rowmax = max(sheet.dim_rowmax or 0, self.last_row)
            sheet.dim_colmax = max(sheet.dim_colmax or 0, ncols - 1)
        # XlsxWriter flushes its "previous row" on close: make it one with nothing in it.
        sheet.previous_row = self.last_row + 1


def _write(
    target: str | os.PathLike[str] | IO[bytes],
    *,
    sheet_name: str,
    header: list[str],
    rows: Iterable[Sequence[object]],
    title: str | None,
    text_columns: set[str] | frozenset[str],
    column_widths: Mapping[str, int] | None,
    cell_notes: Mapping[tuple[int, str], str] | None = None,
    error_column: str | None = None,
    header_notes: Mapping[str, str] | None = None,
    example: bool = False,
    text_rows: int = 0,
) -> None:
    if not header:
        raise ValueError("write_sheet needs at least one column")
    positions = {name: index for index, name in enumerate(header)}
    if len(positions) != len(header):
        raise ValueError("duplicate names in header")
    named = [
        *text_columns,
        *(column_widths or {}),
        *(column for _index, column in (cell_notes or {})),
        *(header_notes or {}),
        *([error_column] if error_column is not None else []),
    ]
    unknown = sorted({name for name in named if name not in positions})
    if unknown:
        raise ValueError(f"not in header: {', '.join(unknown)}")

    notes_by_row: dict[int, dict[int, str]] = {}
    for (index, column), note in (cell_notes or {}).items():
        notes_by_row.setdefault(index, {})[positions[column]] = note

    target_arg = os.fspath(target) if isinstance(target, str | os.PathLike) else target
    book = xlsxwriter.Workbook(
        target_arg,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
            "remove_timezone": True,
        },
    )
    try:
        sheet = book.add_worksheet(sheet_name)
        ncols = len(header)
        is_text = [name in text_columns for name in header]
        is_error = [name == error_column for name in header]
        formats = _Formats(book)

        widths = column_widths or {}
        text_format = book.add_format({"num_format": _TEXT_FORMAT})
        for col, name in enumerate(header):
            width = widths.get(name)
            if width is None:
                width = min(max(_display_width(name) + 4, 10), 40)
                if is_text[col]:
                    width = max(width, 22)
            sheet.set_column(col, col, width, text_format if is_text[col] else None)

        header_row = 0
        if title is not None:
            title_format = book.add_format(
                {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}
            )
            sheet.set_row(0, 28)
            if ncols > 1:
                sheet.merge_range(0, 0, 0, ncols - 1, title, title_format)
            else:
                sheet.write_string(0, 0, title, title_format)
            header_row = 1

        header_format = book.add_format(
            {
                "bold": True,
                "bg_color": _HEADER_FILL,
                "pattern": 1,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
            }
        )
        for col, name in enumerate(header):
            sheet.write_string(header_row, col, name, header_format)
            note = (header_notes or {}).get(name)
            if note:
                lines = note.count("\n") + 1 + _display_width(note) // 36
                sheet.write_comment(
                    header_row, col, note, {"x_scale": 2, "y_scale": max(1.0, lines / 4)}
                )
        sheet.freeze_panes(header_row + 1, 0)

        out = _Rows(sheet, header_row + 1)
        _write_rows(
            out,
            sheet,
            formats,
            rows,
            header_row + 1,
            ncols,
            is_text,
            is_error,
            notes_by_row,
            example,
        )
        last_text_row = header_row + text_rows
        if out.last_row < last_text_row and any(is_text):
            text_cols = [col for col in range(ncols) if is_text[col]]
            if out.raw:
                refs = [xl_col_to_name(col) for col in text_cols]
                s = out.s(text_format)
                for row in range(out.last_row + 1, last_text_row + 1):
                    number = row + 1
                    cells = "".join(f'<c r="{ref}{number}"{s}/>' for ref in refs)
                    out.add(row, f'<row r="{number}">{cells}</row>')
            else:
                for row in range(out.last_row + 1, last_text_row + 1):
                    for col in text_cols:
                        sheet.write_blank(row, col, None, text_format)
        out.finish(ncols)
    finally:
        book.close()


def _write_rows(
    out: _Rows,
    sheet: Any,
    formats: _Formats,
    rows: Iterable[Sequence[object]],
    first_row: int,
    ncols: int,
    is_text: list[bool],
    is_error: list[bool],
    notes_by_row: dict[int, dict[int, str]],
    example: bool,
) -> None:
    """Write the data rows; the common cells (strings and numbers) take a fast path."""
    columns = range(ncols)
    refs = [xl_col_to_name(col) for col in columns]
    plain = [
        formats.get(text=is_text[col], error=is_error[col], noted=False, example=example)
        for col in columns
    ]
    plain_s = [out.s(cell_format) for cell_format in plain]
    is_number_column = [not text for text in is_text]
    comment_options = {"x_scale": 1.5, "y_scale": 1.5}

    row = first_row - 1
    for index, values in enumerate(rows):
        row = first_row + index
        if row >= _MAX_ROWS:
            raise ValueError("too many rows for one worksheet")
        notes = notes_by_row.get(index)
        if out.raw and notes is None:
            number = row + 1
            parts = [f'<row r="{number}">']
            for col, value in zip(columns, values, strict=False):
                if value is None:
                    continue
                kind = value.__class__
                if kind is str:
                    if value:
                        text, preserve = _string_xml(value)
                        parts.append(
                            f'<c r="{refs[col]}{number}"{plain_s[col]} t="inlineStr">'
                            f"<is><t{preserve}>{text}</t></is></c>"
                        )
                elif (kind is float or kind is int) and is_number_column[col]:
                    if kind is int or math.isfinite(value):
                        parts.append(
                            f'<c r="{refs[col]}{number}"{plain_s[col]}>'
                            f"<v>{_number_xml(value)}</v></c>"
                        )
                else:
                    xml = _write_cell(
                        out,
                        sheet,
                        formats,
                        row,
                        col,
                        value,
                        is_text[col],
                        is_error[col],
                        False,
                        example,
                        refs[col],
                    )
                    parts.append(xml)
            if len(parts) > 1:
                parts.append("</row>")
                out.add(row, "".join(parts))
            continue
        # A row with notes, or XlsxWriter's public API: every cell the slow way.
        cells: list[str] = []
        for col in columns:
            value = values[col] if col < len(values) else None
            noted = notes is not None and col in notes
            if value is None and not noted:
                continue
            xml = _write_cell(
                out,
                sheet,
                formats,
                row,
                col,
                value,
                is_text[col],
                is_error[col],
                noted,
                example,
                refs[col],
            )
            cells.append(xml)
        if out.raw and any(cells):
            out.add(row, f'<row r="{row + 1}">{"".join(cells)}</row>')
        for col, note in sorted((notes or {}).items()):
            sheet.write_comment(row, col, note, comment_options)
        out.last_row = row


def _write_cell(
    out: _Rows,
    sheet: Any,
    formats: _Formats,
    row: int,
    col: int,
    value: object,
    text: bool,
    error: bool,
    noted: bool,
    example: bool,
    ref: str,
) -> str:
    """Write any cell: return its XML if ``out.raw``, else write it through the API."""
    kind, payload, value_kind = _cell(value, text)
    cell_format = formats.get(
        text=text and not value_kind, error=error, noted=noted, value=value_kind, example=example
    )
    if out.raw:
        s = out.s(cell_format)
        number = row + 1
        if kind == "s":
            escaped, preserve = _string_xml(payload)
            return f'<c r="{ref}{number}"{s} t="inlineStr"><is><t{preserve}>{escaped}</t></is></c>'
        elif kind == "n":
            return f'<c r="{ref}{number}"{s}><v>{_number_xml(payload)}</v></c>'
        elif kind == "b":
            return f'<c r="{ref}{number}"{s} t="b"><v>{int(bool(payload))}</v></c>'
        elif s:
            return f'<c r="{ref}{number}"{s}/>'
        return ""
    if kind == "s":
        sheet.write_string(row, col, payload, cell_format)
    elif kind == "n":
        sheet.write_number(row, col, payload, cell_format)
    elif kind == "b":
        sheet.write_boolean(row, col, payload, cell_format)
    elif cell_format is not None:
        sheet.write_blank(row, col, None, cell_format)
    return ""
