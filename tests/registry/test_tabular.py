"""Generic ledger spreadsheet I/O: reading registers as clerks fill them in, writing them back."""

import ast
import datetime
import io
import re
import time
import zipfile
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from wangge.registry.ledgers import tabular
from wangge.registry.ledgers.tabular import (
    LedgerFileError,
    Sheet,
    normalise_header,
    read_sheet,
    write_sheet,
    write_template,
)

HEADER = ["序号", "姓名", "性别", "公民身份号码", "出生日期", "联系电话", "备注"]
REQUIRED = {"姓名", "公民身份号码"}


@pytest.fixture(params=[True, False], ids=["raw-rows", "xlsxwriter-api"])
def writer_path(request, monkeypatch):
    """Run a test with the fast row writer and with XlsxWriter's public API only."""
    monkeypatch.setattr(tabular, "_RAW_ROWS", request.param)
    return request.param


def written(**kwargs) -> bytes:
    buffer = io.BytesIO()
    write_sheet(buffer, **kwargs)
    return buffer.getvalue()


def read_bytes(data: bytes, filename: str = "台账.xlsx", **kwargs) -> Sheet:
    kwargs.setdefault("required", REQUIRED)
    return read_sheet(io.BytesIO(data), filename=filename, **kwargs)


def hand_made_xlsx(sheets: dict[str, list[list[object]]], hidden: frozenset = frozenset()) -> bytes:
    """An xlsx laid out cell by cell, as a clerk might have made it."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        if name in hidden:
            sheet.hide()
    book.close()
    return buffer.getvalue()


def sheet_xml(data: bytes, member: str = "xl/worksheets/sheet1.xml") -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(member).decode()


# --------------------------------------------------------------------------------------------
# Round trips through write_sheet


def people(count: int) -> list[list[object]]:
    rows = []
    for i in range(count):
        rows.append(
            [
                i + 1,  # int
                f"居民{i}",
                None if i % 7 == 0 else ("男" if i % 2 else "女"),
                f"52030219900101{i:04d}",
                datetime.date(1950, 1, 1) + datetime.timedelta(days=i * 13),
                13800000000.0 + i,  # float
                None if i % 3 else f" 备注{i} ",  # not stripped
            ]
        )
    return rows


def test_round_trip_of_1000_rows(writer_path):
    rows = people(1000)
    data = written(sheet_name="实有人口", header=HEADER, rows=rows, text_columns={"公民身份号码"})
    sheet = read_bytes(data)
    assert sheet.name == "实有人口"
    assert sheet.header == HEADER
    assert sheet.header_row == 1
    assert len(sheet.rows) == 1000
    for i, (row, expected) in enumerate(zip(sheet.rows, rows, strict=True)):
        assert row.number == i + 2
        assert list(row.values.values()) == expected
    first = sheet.rows[0].values
    assert type(first["序号"]) is float  # xlsx has no integers
    assert type(first["公民身份号码"]) is str
    assert type(first["出生日期"]) is datetime.date
    assert first["性别"] is None
    assert first["备注"] == " 备注0 "


def test_title_row_is_merged_above_the_header(writer_path):
    data = written(
        sheet_name="实有人口",
        header=HEADER,
        rows=people(3),
        title="老城街道××社区实有人口信息采集表",
    )
    sheet = read_bytes(data)
    assert sheet.header_row == 2
    assert sheet.header == HEADER
    assert [row.number for row in sheet.rows] == [3, 4, 5]
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    calamine_sheet = book.get_sheet_by_name("实有人口")
    assert calamine_sheet.merged_cell_ranges == [((0, 0), (0, len(HEADER) - 1))]
    assert calamine_sheet.to_python()[0][0] == "老城街道××社区实有人口信息采集表"
    assert 'ySplit="2"' in sheet_xml(data)  # frozen below the header


def test_blank_rows_are_skipped_and_numbers_match_excel(writer_path):
    rows = people(4)
    blank = [None] * len(HEADER)
    whitespace = ["", " ", "\u3000", None, "\t", None, ""]
    data = written(
        sheet_name="S",
        header=HEADER,
        rows=[rows[0], blank, blank, rows[1], whitespace, rows[2], blank, rows[3]],
        title="标题",
    )
    sheet = read_bytes(data)
    # Title is row 1, header row 2; data rows are 3, 6, 8, 10 in Excel.
    assert [row.number for row in sheet.rows] == [3, 6, 8, 10]
    assert [row.values["姓名"] for row in sheet.rows] == ["居民0", "居民1", "居民2", "居民3"]


def test_an_id_number_stored_as_a_float_stays_a_float(writer_path):
    data = written(
        sheet_name="S",
        header=["姓名", "公民身份号码"],
        rows=[["张三", 110101199003071234.0], ["李四", "11010119900307123X"]],
    )
    sheet = read_bytes(data)
    value = sheet.rows[0].values["公民身份号码"]
    assert isinstance(value, float)
    # XlsxWriter's API writes 16 significant digits, like Excel's own 15: the ID is mangled.
    assert value == pytest.approx(110101199003071234.0, rel=1e-15)
    assert sheet.rows[1].values["公民身份号码"] == "11010119900307123X"


def test_text_columns_are_text_formatted_and_hold_strings(writer_path):
    data = written(
        sheet_name="S",
        header=["姓名", "公民身份号码", "联系电话"],
        rows=[["张三", 520302199001011234, 13800000000.0], ["李四", "52030219900101123X", None]],
        text_columns={"公民身份号码", "联系电话"},
    )
    sheet = read_bytes(data)
    assert [row.values for row in sheet.rows] == [
        {"姓名": "张三", "公民身份号码": "520302199001011234", "联系电话": "13800000000"},
        {"姓名": "李四", "公民身份号码": "52030219900101123X", "联系电话": None},
    ]
    # The whole column is text ("@"), so what a clerk types later stays text too.
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    xml = sheet_xml(data)
    text_styles = {
        str(index)
        for index, xf in enumerate(re.findall(r"<xf [^>]*>", styles.split("<cellXfs")[1]))
        if 'numFmtId="49"' in xf
    }
    column_styles = re.findall(r'<col min="(\d+)" max="(\d+)"[^>]*style="(\d+)"', xml)
    assert {(lo, hi) for lo, hi, style in column_styles if style in text_styles} == {("2", "3")}


def test_values_of_every_kind_survive(writer_path):
    header = ["姓名", "公民身份号码", "值"]
    values = [
        "纯文本",
        "  前后空格  ",
        "a & b <c> \"d\" 'e'",
        "多行\n文本",
        "控制字符\x01",
        "_x0041_ 像转义",
        "=SUM(A1:A2)",
        "http://example.com/",
        "0012",
        1.5,
        -3,
        0.0,
        True,
        False,
        datetime.date(2024, 2, 29),
        datetime.datetime(2024, 3, 1, 8, 30, 15),
        datetime.time(17, 45),
    ]
    rows = [[f"人{i}", f"{i:018d}", value] for i, value in enumerate(values)]
    sheet = read_bytes(written(sheet_name="S", header=header, rows=rows))
    assert [row.values["值"] for row in sheet.rows] == values


def test_odd_values_are_written_sensibly(writer_path):
    from decimal import Decimal

    tz = datetime.timezone(datetime.timedelta(hours=8))
    rows = [
        ["甲", "1", float("nan")],
        ["乙", "2", Decimal("2.50")],
        ["丙", "3", datetime.datetime(2024, 1, 2, 3, 4, tzinfo=tz)],
        ["丁", "4", ["not", "a", "cell"]],
        ["戊", "5", 12345678901234567890],
    ]
    sheet = read_bytes(written(sheet_name="S", header=["姓名", "公民身份号码", "值"], rows=rows))
    got = [row.values["值"] for row in sheet.rows]
    assert got[0] is None
    assert got[1] == 2.5
    assert got[2] == datetime.datetime(2024, 1, 2, 3, 4)
    assert got[3] == "['not', 'a', 'cell']"
    assert got[4] == pytest.approx(1.2345678901234567e19)


def test_cell_notes_and_error_column(writer_path):
    header = [*HEADER, "错误原因"]
    rows = [[*row, None] for row in people(5)]
    rows[1][-1] = "公民身份号码校验位错误"
    rows[3][2] = None  # a noted cell that is empty
    notes = {
        (1, "公民身份号码"): "校验位错误",
        (3, "性别"): "性别不能为空",
        (3, "姓名"): "与第 3 行重复",
        (99, "姓名"): "beyond the rows: ignored",
    }
    data = written(
        sheet_name="S",
        header=header,
        rows=rows,
        title="导入结果",
        text_columns={"公民身份号码"},
        cell_notes=notes,
        error_column="错误原因",
    )
    sheet = read_bytes(data)
    assert sheet.header == header
    assert [list(row.values.values()) for row in sheet.rows] == rows
    archive = zipfile.ZipFile(io.BytesIO(data))
    comments = archive.read("xl/comments1.xml").decode()
    for ref, note in [("D4", "校验位错误"), ("C6", "性别不能为空"), ("B6", "与第 3 行重复")]:
        assert re.search(f'<comment ref="{ref}".*?{note}', comments)
    assert "beyond the rows" not in comments
    styles = archive.read("xl/styles.xml").decode()
    assert "FFFFC7CE" in styles  # the red fill of noted cells
    assert "FFC00000" in styles  # the red font of the error column
    xml = sheet_xml(data)
    assert re.search(r'<c r="C6" s="\d+"/>', xml)  # the empty noted cell is filled


def test_write_sheet_to_a_path_and_read_the_path(tmp_path, writer_path):
    path = tmp_path / "导出.xlsx"
    write_sheet(path, sheet_name="S", header=HEADER, rows=iter(people(10)))
    sheet = read_sheet(path, required=REQUIRED)
    assert len(sheet.rows) == 10
    assert read_sheet(str(path), required=REQUIRED).rows == sheet.rows


def test_write_sheet_checks_its_arguments():
    target = io.BytesIO()
    with pytest.raises(ValueError, match="未知"):
        write_sheet(target, sheet_name="S", header=["姓名"], rows=[], text_columns={"未知"})
    with pytest.raises(ValueError, match="错误"):
        write_sheet(target, sheet_name="S", header=["姓名"], rows=[], error_column="错误")
    with pytest.raises(ValueError, match="duplicate"):
        write_sheet(target, sheet_name="S", header=["姓名", "姓名"], rows=[])


def test_an_empty_sheet_writes_and_reads(writer_path):
    sheet = read_bytes(written(sheet_name="S", header=HEADER, rows=[], title="空表"))
    assert sheet.header == HEADER
    assert sheet.header_row == 2
    assert sheet.rows == []


def test_one_column_with_a_title(writer_path):
    sheet = read_bytes(
        written(sheet_name="S", header=["姓名"], rows=[["张三"]], title="名单"),
        required={"姓名"},
    )
    assert sheet.header_row == 2
    assert sheet.rows[0].values == {"姓名": "张三"}


def test_100000_rows_of_17_columns():
    header = [*HEADER, *(f"字段{i}" for i in range(17 - len(HEADER)))]
    base = datetime.date(1940, 1, 1)

    def rows():
        for i in range(100_000):
            yield [
                i + 1,
                f"居民{i}",
                "男" if i % 2 else "女",
                f"52030219{i % 90 + 10}0101{i % 10000:04d}",
                base + datetime.timedelta(days=i % 25000),
                13800000000 + i,
                None,
                "汉族",
                "群众",
                "已婚" if i % 3 else "未婚",
                "贵州省遵义市红花岗区老城街道",
                f"{i % 40 + 1}栋{i % 6 + 1}单元",
                i * 0.5,
                None if i % 5 else "重点人员",
                "本地户籍",
                "2024-01-01",
                "网格员甲",
            ]

    buffer = io.BytesIO()
    started = time.perf_counter()
    write_sheet(
        buffer,
        sheet_name="实有人口",
        header=header,
        rows=rows(),
        title="老城街道实有人口信息采集表",
        text_columns={"公民身份号码", "联系电话"},
    )
    wrote = time.perf_counter() - started
    started = time.perf_counter()
    sheet = read_bytes(buffer.getvalue())
    read = time.perf_counter() - started
    print(f"100,000 x 17: write {wrote:.2f} s, read {read:.2f} s")
    assert sheet.header == header
    assert len(sheet.rows) == 100_000
    assert sheet.rows[-1].number == 100_002
    assert sheet.rows[-1].values["姓名"] == "居民99999"
    assert sheet.rows[-1].values["联系电话"] == "13800099999"
    assert sheet.rows[-1].values[header[12]] == 49999.5
    assert len(header) == 17


# --------------------------------------------------------------------------------------------
# Templates


def test_template_has_title_notes_examples_and_text_rows(writer_path):
    buffer = io.BytesIO()
    notes = {
        "公民身份号码": "18 位居民身份证号码，最后一位可以是 X；请以文本填写",
        "出生日期": "格式 yyyy-mm-dd，例如 1990-01-01",
    }
    write_template(
        buffer,
        sheet_name="实有人口",
        header=HEADER,
        title="老城街道实有人口信息采集表",
        example_rows=[
            [1, "张三（示例）", "男", "520302199001011234", datetime.date(1990, 1, 1), None, None],
        ],
        text_columns={"公民身份号码", "联系电话"},
        notes=notes,
    )
    data = buffer.getvalue()
    sheet = read_bytes(data)
    assert sheet.header_row == 2
    assert sheet.header == HEADER
    assert [row.number for row in sheet.rows] == [3]
    assert sheet.rows[0].values["公民身份号码"] == "520302199001011234"
    comments = zipfile.ZipFile(io.BytesIO(data)).read("xl/comments1.xml").decode()
    assert '<comment ref="D2"' in comments and notes["公民身份号码"] in comments
    assert '<comment ref="E2"' in comments and "1990-01-01" in comments
    xml = sheet_xml(data)
    # 1000 rows below the header are text formatted in the text columns, blank.
    assert re.search(r'<c r="D1002" s="\d+"/>', xml) and re.search(r'<c r="F1002" s="\d+"/>', xml)
    assert 'r="D1003"' not in xml
    assert '<dimension ref="A1:G1002"/>' in xml


# --------------------------------------------------------------------------------------------
# Reading files as clerks make them


def test_header_found_on_row_3_below_a_title_and_a_note():
    data = hand_made_xlsx(
        {
            "Sheet1": [
                ["老城街道××社区实有人口信息采集表"],
                ["填报单位：××社区", None, None, "填报日期：2024年5月"],
                ["序号", "姓名", "公民身份号码", "现住址"],
                [1, "张三", "520302199001011234", "老城街道1号"],
                [2, "李四", "52030219900101123X", None],
            ]
        }
    )
    sheet = read_bytes(data)
    assert sheet.header_row == 3
    assert sheet.header == ["序号", "姓名", "公民身份号码", "现住址"]
    assert [row.number for row in sheet.rows] == [4, 5]
    assert sheet.rows[1].values == {
        "序号": 2.0,
        "姓名": "李四",
        "公民身份号码": "52030219900101123X",
        "现住址": None,
    }


def test_header_beyond_the_first_20_rows_is_not_found():
    rows: list[list[object]] = [[f"说明{i}"] for i in range(20)]
    rows.append(["姓名", "公民身份号码"])
    with pytest.raises(LedgerFileError, match="公民身份号码"):
        read_bytes(hand_made_xlsx({"S": rows}))


def test_full_width_and_whitespace_header_variants_match():
    data = hand_made_xlsx(
        {
            "S": [
                [" 姓　名 ", "公民身份 号码", "联系\n电话", "\u3000备注\u200b", "  "],
                ["张三", "520302199001011234", "13800000000", "无", "stray"],
            ]
        }
    )
    sheet = read_bytes(data, required={"姓名", "公民身份号码", "联系电话"})
    assert sheet.header == ["姓名", "公民身份号码", "联系电话", "备注"]
    assert sheet.rows[0].values == {
        "姓名": "张三",
        "公民身份号码": "520302199001011234",
        "联系电话": "13800000000",
        "备注": "无",
    }
    # required names are normalised the same way
    assert read_bytes(data, required={"公民身份　号码"}).header_row == 1


def test_normalise_header():
    assert normalise_header(" 公民身份　号码\n") == "公民身份号码"
    assert normalise_header("\ufeff姓\xa0名\u200b") == "姓名"
    assert normalise_header(None) == ""
    assert normalise_header(2024.0) == "2024"


def test_unknown_extra_columns_are_kept_and_empty_headers_ignored():
    data = hand_made_xlsx(
        {"S": [["姓名", None, "公民身份号码", "自定义列"], ["张三", "无表头", "1", "x"]]}
    )
    sheet = read_bytes(data, known={"姓名", "公民身份号码"})
    assert sheet.header == ["姓名", "公民身份号码", "自定义列"]
    assert sheet.rows[0].values == {"姓名": "张三", "公民身份号码": "1", "自定义列": "x"}


def test_missing_required_column_names_the_column():
    data = written(sheet_name="人员", header=["姓名", "性别"], rows=[["张三", "男"]])
    with pytest.raises(LedgerFileError, match="公民身份号码") as caught:
        read_bytes(data)
    assert "姓名" not in str(caught.value).split(":")[-1]
    assert "人员" in str(caught.value)


def test_duplicate_header_names_the_column():
    data = hand_made_xlsx(
        {"人员": [["姓名", "公民身份号码", "备注", "备 注"], ["张三", "1", "a", "b"]]}
    )
    with pytest.raises(LedgerFileError, match="备注"):
        read_bytes(data)
    csv_data = "姓名,公民身份号码,姓名\n张三,1,张三\n".encode()
    with pytest.raises(LedgerFileError, match="姓名"):
        read_bytes(csv_data, filename="x.csv")


def test_sheet_choice():
    data = hand_made_xlsx(
        {
            "说明": [["填表说明"], ["姓名填写身份证上的姓名"]],
            "隐藏": [["姓名", "公民身份号码"], ["隐藏的人", "1"]],
            "人员": [["姓名", "公民身份号码"], ["张三", "2"]],
            "其他": [["姓名", "公民身份号码"], ["李四", "3"]],
        },
        hidden=frozenset({"隐藏"}),
    )
    # The first visible sheet with the required headers.
    assert read_bytes(data).name == "人员"
    # A named sheet that exists wins...
    assert read_bytes(data, sheet_name="其他").rows[0].values["姓名"] == "李四"
    assert read_bytes(data, sheet_name="隐藏").rows[0].values["姓名"] == "隐藏的人"
    # ...and one that does not falls back to the search.
    assert read_bytes(data, sheet_name="不存在").name == "人员"
    # A named sheet without the headers is an error naming the missing columns.
    with pytest.raises(LedgerFileError, match="公民身份号码"):
        read_bytes(data, sheet_name="说明")
    # No sheet qualifies: the closest one is named.
    with pytest.raises(LedgerFileError, match="户籍地") as caught:
        read_bytes(data, required={"姓名", "公民身份号码", "户籍地"})
    assert "人员" in str(caught.value)  # the first sheet with the most of them


def test_hidden_sheet_is_used_when_it_is_the_only_match():
    data = hand_made_xlsx(
        {"说明": [["填表说明"]], "数据": [["姓名", "公民身份号码"], ["张三", "1"]]},
        hidden=frozenset({"数据"}),
    )
    assert read_bytes(data).name == "数据"


def test_no_required_columns_takes_the_first_non_blank_row():
    data = hand_made_xlsx({"S": [[None], ["列一", "列二"], ["a", "b"]]})
    sheet = read_bytes(data, required=set())
    assert sheet.header_row == 2
    assert sheet.rows[0].values == {"列一": "a", "列二": "b"}
    with pytest.raises(LedgerFileError):
        read_bytes(hand_made_xlsx({"S": []}), required=set())


def test_uploaded_file_objects():
    data = written(sheet_name="S", header=HEADER, rows=people(2))
    upload = SimpleUploadedFile("台账.XLSX", data)
    upload.read(10)  # a caller that peeked at it
    sheet = read_sheet(upload, required=REQUIRED, filename=upload.name)
    assert len(sheet.rows) == 2
    # The format is sniffed from the content when no name is given.
    assert len(read_sheet(io.BytesIO(data), required=REQUIRED).rows) == 2
    csv_upload = SimpleUploadedFile("x.csv", "姓名,公民身份号码\n张三,1\n".encode())
    assert read_sheet(csv_upload, required=REQUIRED).rows[0].values["姓名"] == "张三"


def odf_spreadsheet(rows_xml: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="人员">'
        f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return buffer.getvalue()


def test_ods_file():
    def text(value: str) -> str:
        return (
            '<table:table-cell office:value-type="string">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )

    empty = "<table:table-cell/>"
    number = (
        '<table:table-cell office:value-type="float" office:value="520302199001011234">'
        "<text:p>5.20302199001011E+017</text:p></table:table-cell>"
    )
    data = odf_spreadsheet(
        '<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>'
        f"<table:table-row>{empty}{text('姓名')}{text('公民身份 号码')}</table:table-row>"
        f"<table:table-row>{empty}{text('张三')}{number}</table:table-row>"
    )
    sheet = read_bytes(data, filename="人员.ods")
    assert sheet.name == "人员"
    assert sheet.header_row == 3
    assert sheet.rows[0].number == 4
    assert sheet.rows[0].values["姓名"] == "张三"
    assert isinstance(sheet.rows[0].values["公民身份号码"], float)


# --------------------------------------------------------------------------------------------
# CSV


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ","), ("utf-8", ";"), ("gb18030", ","), ("gb18030", ";"), ("utf-8", "\t")],
)
def test_csv_encodings_and_delimiters(encoding, delimiter):
    # As Excel or WPS save it: a title line above the header, an empty line, quoted cells.
    d = delimiter
    text = (
        f"老城街道实有人口信息采集表{d}{d}\r\n"
        f"姓名{d}公民身份号码{d}备注\r\n"
        f"张三{d}520302199001011234{d}\r\n"
        f"{d}{d}\r\n"
        f'李四{d}52030219900101123X{d}"含{d}分隔符"\r\n'
        f'王五{d}520302199001011236{d}"“引号”与""双引号"""\r\n'
    )
    data = text.encode(encoding)
    sheet = read_bytes(data, filename="人员.csv")
    assert sheet.name == "人员"
    assert sheet.header == ["姓名", "公民身份号码", "备注"]
    assert sheet.header_row == 2
    assert [row.number for row in sheet.rows] == [3, 5, 6]
    assert [row.values for row in sheet.rows] == [
        {"姓名": "张三", "公民身份号码": "520302199001011234", "备注": None},
        {"姓名": "李四", "公民身份号码": "52030219900101123X", "备注": f"含{delimiter}分隔符"},
        {"姓名": "王五", "公民身份号码": "520302199001011236", "备注": '“引号”与"双引号"'},
    ]


def test_csv_values_are_raw_strings_and_short_rows_are_padded():
    data = "姓名,公民身份号码,年龄,备注\n 张三 ,5.20302E+17,30\n\n李四,1\n".encode("gb18030")
    sheet = read_bytes(data, filename="x.csv")
    assert [row.number for row in sheet.rows] == [2, 4]
    assert sheet.rows[0].values == {
        "姓名": " 张三 ",
        "公民身份号码": "5.20302E+17",
        "年龄": "30",
        "备注": None,
    }
    assert sheet.rows[1].values == {"姓名": "李四", "公民身份号码": "1", "年龄": None, "备注": None}


def test_csv_in_utf16_as_excel_saves_unicode_text():
    data = "姓名\t公民身份号码\n张三\t1\n".encode("utf-16")
    assert read_bytes(data, filename="x.txt").rows[0].values == {
        "姓名": "张三",
        "公民身份号码": "1",
    }


def test_csv_quoted_cell_over_two_lines_counts_as_one_row():
    data = '姓名,公民身份号码,备注\n张三,1,"第一行\n第二行"\n李四,2,\n'.encode()
    sheet = read_bytes(data, filename="x.csv")
    assert [row.number for row in sheet.rows] == [2, 3]
    assert sheet.rows[0].values["备注"] == "第一行\n第二行"


def test_csv_missing_required_column():
    with pytest.raises(LedgerFileError, match="公民身份号码"):
        read_bytes("姓名,性别\n张三,男\n".encode(), filename="x.csv")


# --------------------------------------------------------------------------------------------
# Files that are not spreadsheets


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "empty.csv"),
        (b"\xef\xbb\xbf\r\n \r\n", "blank.csv"),
        (b"", "empty.xlsx"),
        (bytes(range(256)) * 40, "garbage.xlsx"),
        (bytes(range(256)) * 40, "garbage.xls"),
        (bytes(range(256)) * 40, "garbage.csv"),
        (b"\x00\x01\x02 binary \x00", "nul.csv"),
        (b"PK\x03\x04" + bytes(range(256)) * 4, "broken-zip.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "broken-ole.xls"),
        ("<html><body><table><tr><td>姓名</td></tr></table></body></html>".encode(), "web.xls"),
        (b"%PDF-1.4 not a spreadsheet", "scan.pdf"),
        (b"\xff\xfe\xfd" * 50, None),
    ],
)
def test_not_a_spreadsheet(data, filename):
    with pytest.raises(LedgerFileError):
        read_sheet(io.BytesIO(data), required=REQUIRED, filename=filename)


def test_a_word_document_renamed_xlsx(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", "<w:document/>")
    path = tmp_path / "人员.xlsx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(LedgerFileError):
        read_sheet(path, required=REQUIRED)


def test_password_protected_xlsx_is_reported_as_such():
    fake = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000) + "EncryptedPackage".encode("utf-16-le")
    )
    with pytest.raises(LedgerFileError, match=r"(?i)password|密码"):
        read_bytes(fake)


def test_unsupported_extension():
    with pytest.raises(LedgerFileError, match=r"\.docx"):
        read_bytes(written(sheet_name="S", header=HEADER, rows=[]), filename="人员.docx")


def test_a_missing_path_is_not_a_ledger_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_sheet(tmp_path / "nope.xlsx", required=REQUIRED)


# --------------------------------------------------------------------------------------------
# Messages


def test_every_message_has_a_chinese_translation():
    source = Path(tabular.__file__).read_text(encoding="utf-8")
    messages = {
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
    }
    assert messages == set(MESSAGES_ZH)
    for english, chinese in MESSAGES_ZH.items():
        placeholders = re.findall(r"%\((\w+)\)s", english)
        assert sorted(placeholders) == sorted(re.findall(r"%\((\w+)\)s", chinese)), english


# Chinese translations of the user messages above, for the lead to paste into the catalogue.
MESSAGES_ZH = {
    "The file is empty.": "文件是空的。",
    "Files of type %(extension)s cannot be read. Please use an Excel file (.xlsx or .xls), "
    "an OpenDocument spreadsheet (.ods) or a CSV file.": (
        "无法读取 %(extension)s 类型的文件。请使用 Excel 文件（.xlsx 或 .xls）、"
        "OpenDocument 表格（.ods）或 CSV 文件。"
    ),
    "This file is a web page or an XML document with a spreadsheet name, not a real "
    "spreadsheet. Open it in Excel or WPS and save it as .xlsx.": (
        "此文件是以表格扩展名保存的网页或 XML 文档，并不是真正的表格文件。"
        "请用 Excel 或 WPS 打开后另存为 .xlsx 文件。"
    ),
    "This file cannot be opened as a spreadsheet: it is damaged, or it is not really an "
    "Excel, OpenDocument or CSV file, whatever its extension. Open it in Excel or WPS and "
    "save it as .xlsx.": (
        "无法以表格方式打开此文件：文件可能已损坏，或者它并不是真正的 Excel、OpenDocument "
        "或 CSV 文件（无论扩展名是什么）。请用 Excel 或 WPS 打开后另存为 .xlsx 文件。"
    ),
    "This file is protected by a password. Remove the password in Excel or WPS and upload "
    "it again.": "此文件设置了密码保护。请在 Excel 或 WPS 中取消密码后重新上传。",
    "The file contains no worksheet.": "文件中没有工作表。",
    "The sheet “%(sheet)s” is empty.": "工作表“%(sheet)s”是空的。",
    "No header row with all the required columns was found in the first %(rows)s rows of "
    "sheet “%(sheet)s”. Missing columns: %(columns)s.": (
        "在工作表“%(sheet)s”的前 %(rows)s 行中没有找到包含全部必填列的表头行。"
        "缺少的列：%(columns)s。"
    ),
    "No sheet has a header row with all the required columns in its first %(rows)s rows. "
    "Missing columns (in sheet “%(sheet)s”, the closest): %(columns)s.": (
        "没有任何工作表在前 %(rows)s 行中有包含全部必填列的表头行。"
        "缺少的列（以最接近的工作表“%(sheet)s”为准）：%(columns)s。"
    ),
    "No header row with all the required columns was found in the first %(rows)s rows of "
    "the file. Missing columns: %(columns)s.": (
        "在文件的前 %(rows)s 行中没有找到包含全部必填列的表头行。缺少的列：%(columns)s。"
    ),
    "The text encoding of this CSV file was not recognised. Save it again from Excel or WPS "
    "as “CSV UTF-8” or as .xlsx.": (
        "无法识别此 CSV 文件的文字编码。请在 Excel 或 WPS 中另存为“CSV UTF-8”或 .xlsx 文件。"
    ),
    "The column “%(column)s” appears more than once in the header (row %(row)s of sheet "
    "“%(sheet)s”). Rename or delete one of them.": (
        "表头中的“%(column)s”列出现了不止一次（工作表“%(sheet)s”第 %(row)s 行）。"
        "请重命名或删除其中一列。"
    ),
    "The column “%(column)s” appears more than once in the header (row %(row)s). Rename or "
    "delete one of them.": (
        "表头中的“%(column)s”列出现了不止一次（第 %(row)s 行）。请重命名或删除其中一列。"
    ),
}
