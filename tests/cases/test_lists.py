"""The three lists in one (三单合一): what a grid's staff see, print and export for a period."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image

from tests.conftest import MICRO_A
from tests.registry.test_grid_file_export import pdf_pages, shown_text
from wangge.cases.choices import Action, Evaluation, Source
from wangge.cases.lists import three_lists
from wangge.cases.lists_export import (
    COLLECTION_SHEET,
    DISCUSSION_SHEET,
    FEEDBACK_SHEET,
    list_tables,
)
from wangge.cases.services import case_act, case_report
from wangge.core.models import AuditEvent
from wangge.grids.models import Grid
from wangge.workforce.models import Worker

pytestmark = pytest.mark.django_db

COMMUNITY_A = MICRO_A[:12]
STREET = MICRO_A[:9]
MARCH = "?from=2025-03-01&to=2025-03-31"
PHONE = "13800138000"
REPORTER = "龚晓岚"
ZONE = timezone.get_fixed_timezone(8 * 60)  # Asia/Shanghai has no daylight saving


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=ZONE)


def png(name: str = "result.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def report(*, point, category, when, title, **kwargs):
    lon, lat = point
    return case_report(category=category, title=title, description=f"{title},请尽快处理。",
                       lon=lon, lat=lat, reported_at=when, **kwargs)


@pytest.fixture
def march(settings, tmp_path, point_a, sanitation, worker_a, leader_a):
    """Micro-grid A in March 2025: a resident's appeal taken round the whole loop, a patrol
    finding handled on the spot late on the last evening of the month, and a case on
    each side of the month."""
    settings.MEDIA_ROOT = tmp_path
    handler = Worker.objects.get(user=worker_a)
    full = report(point=point_a, category=sanitation, when=at(3, 10), title="垃圾未清运",
                  source=Source.ONLINE, address="文化路12号", reporter_name=REPORTER,
                  reporter_phone=PHONE)
    case_act(case=full, action=Action.ACCEPT, actor=leader_a, at=at(3, 10, 10))
    case_act(case=full, action=Action.DISPATCH, actor=leader_a, at=at(3, 10, 11),
             handler=handler, plan="联系环卫所加派清运车", participants="网格长、网格员、楼栋长",
             units="老城环卫所")
    case_act(case=full, action=Action.START, actor=worker_a, at=at(3, 10, 14))
    case_act(case=full, action=Action.HANDLE, actor=worker_a, at=at(3, 11),
             result="已清运完毕,垃圾桶已消毒", photos=[png()])
    case_act(case=full, action=Action.CLOSE, actor=leader_a, at=at(3, 11, 15), note="现场核实")
    case_act(case=full, action=Action.EVALUATE, actor=None, at=at(3, 12),
             evaluation=Evaluation.SATISFIED, comment="处理很及时")
    spot = report(point=point_a, category=sanitation, when=at(3, 31, 23, 30),
                  title="楼道堆放杂物", source=Source.PATROL, actor=worker_a)
    case_act(case=spot, action=Action.HANDLE_ON_SPOT, actor=worker_a, at=at(3, 31, 23, 45),
             result="当场劝离并清理")
    february = report(point=point_a, category=sanitation, when=at(2, 28, 23, 59),
                      title="二月的路灯故障", source=Source.PATROL, actor=worker_a)
    april = report(point=point_a, category=sanitation, when=at(4, 1, 0, 10),
                   title="四月的井盖松动", source=Source.PATROL, actor=worker_a)
    full.refresh_from_db()
    spot.refresh_from_db()
    return {"full": full, "spot": spot, "february": february, "april": april,
            "handler": handler, "leader": Worker.objects.get(user=leader_a)}


def sections(html: str) -> dict[str, str]:
    """The page's three lists by key: collection, discussion, feedback."""
    parts = re.split(r'<section class="list" id="(\w+)">', html)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def rows_of(section: str) -> list[str]:
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [r for r in body.split("<tr>")[1:] if "<td" in r]


def book_of(data: bytes) -> dict[str, list[list]]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


@pytest.mark.parametrize(("code", "who"), [(MICRO_A, "worker_a"),
                                           (COMMUNITY_A, "community_officer"),
                                           (STREET, "street_staff")])
def test_the_page_shows_the_three_lists_of_a_micro_grid_community_or_street(
        client, march, request, code, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(f"/cases/lists/{code}/{MARCH}")
    assert response.status_code == 200
    html = response.content.decode()
    lists = sections(html)
    assert list(lists) == ["collection", "discussion", "feedback"]
    full, spot = march["full"].tracking_code, march["spot"].tracking_code
    for key in lists:
        assert full in lists[key] and spot in lists[key], key
    collection = lists["collection"]
    assert "龚**" in collection and "文化路12号" in collection
    assert march["full"].grid.name in collection  # the micro-grid's name
    assert Grid.objects.get(code=COMMUNITY_A).name in collection
    assert march["handler"].name in collection  # the patrol finding names its worker
    assert "联系环卫所加派清运车" in lists["discussion"]
    assert "网格长、网格员、楼栋长" in lists["discussion"]
    assert "老城环卫所" in lists["discussion"]
    assert march["leader"].name in lists["discussion"]  # recorded by
    assert "已清运完毕,垃圾桶已消毒" in lists["feedback"] and "处理很及时" in lists["feedback"]
    assert "当场劝离并清理" in lists["feedback"]
    with translation.override("zh-hans"):
        satisfied, not_evaluated = str(Evaluation.SATISFIED.label), gettext("not evaluated")
    feedback = {row.split("<td>")[1].split("</td>")[0]: row for row in rows_of(lists["feedback"])}
    assert set(feedback) == {full, spot}
    assert f"<td>{satisfied}</td>" in feedback[full]
    assert f"<td>{not_evaluated}</td>" in feedback[spot]
    # Printable: a print stylesheet, and the downloads for the same period.
    assert "@media print" in html
    assert f'href="/cases/lists/{code}.xlsx?from=2025-03-01&amp;to=2025-03-31"' in html
    assert f'href="/cases/lists/{code}.pdf?from=2025-03-01&amp;to=2025-03-31"' in html


def test_the_reporters_name_is_masked_and_the_phone_never_shown(client, march, street_staff):
    client.force_login(street_staff)
    html = client.get(f"/cases/lists/{STREET}/{MARCH}").content.decode()
    assert "龚**" in html
    for secret in (REPORTER, PHONE, "138****8000", PHONE[-4:]):
        assert secret not in html, secret
    cells = [str(cell) for sheet in book_of(
        client.get(f"/cases/lists/{STREET}.xlsx{MARCH}").content).values()
             for row in sheet for cell in row]
    assert "龚**" in cells
    assert not [c for c in cells if REPORTER in c or PHONE[-4:] in c]


def test_the_period_is_by_local_reported_date_both_ends_included(client, march, worker_a):
    client.force_login(worker_a)
    html = client.get(f"/cases/lists/{MICRO_A}/{MARCH}").content.decode()
    assert march["spot"].tracking_code in html  # 31 March, 23:30 Beijing time
    assert march["february"].tracking_code not in html
    assert march["april"].tracking_code not in html  # 1 April, 00:10 Beijing time
    april = client.get(f"/cases/lists/{MICRO_A}/?from=2025-04-01&to=2025-04-01")
    html = april.content.decode()
    assert march["april"].tracking_code in html
    assert march["spot"].tracking_code not in html and march["full"].tracking_code not in html


def test_without_dates_the_page_lists_the_current_month(client, point_a, sanitation,
                                                        worker_a):
    now = report(point=point_a, category=sanitation, when=timezone.now(), title="本月的事",
                 source=Source.PATROL, actor=worker_a)
    old = report(point=point_a, category=sanitation,
                 when=timezone.now() - dt.timedelta(days=70), title="两个多月前的事",
                 source=Source.PATROL, actor=worker_a)
    client.force_login(worker_a)
    response = client.get(f"/cases/lists/{MICRO_A}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert now.tracking_code in html and old.tracking_code not in html
    first = timezone.localdate().replace(day=1).isoformat()
    assert f'name="from" value="{first}"' in html


def test_the_workbook_has_three_sheets_with_headings_and_rows(client, march, street_staff):
    client.force_login(street_staff)
    response = client.get(f"/cases/lists/{COMMUNITY_A}.xlsx{MARCH}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = book_of(response.content)
    assert list(book) == [COLLECTION_SHEET, DISCUSSION_SHEET, FEEDBACK_SHEET]
    with translation.override("zh-hans"):
        tables = list_tables(three_lists(user=street_staff, code=COMMUNITY_A,
                                         date_from=dt.date(2025, 3, 1),
                                         date_to=dt.date(2025, 3, 31)))
    community = Grid.objects.get(code=COMMUNITY_A).name
    for table in tables:
        rows = book[table.sheet]
        assert community in rows[0][0]  # title row: the grid
        assert "2025-03-01" in rows[1][0] and "2025-03-31" in rows[1][0]  # and the period
        assert rows[2] == table.headers
        assert rows[3:] == table.rows
    full, spot = march["full"].tracking_code, march["spot"].tracking_code
    collection = {row[0]: row for row in book[COLLECTION_SHEET][3:]}
    assert set(collection) == {full, spot}
    assert collection[full][1] == "2025-03-10 09:00" and collection[full][-1] == "龚**"
    assert community in collection[full]
    discussion = {row[0]: row for row in book[DISCUSSION_SHEET][3:]}
    assert discussion[full][3:6] == ["联系环卫所加派清运车", "网格长、网格员、楼栋长",
                                     "老城环卫所"]
    feedback = {row[0]: row for row in book[FEEDBACK_SHEET][3:]}
    assert feedback[full][4] == "已清运完毕,垃圾桶已消毒"
    assert feedback[full][5] == 1 and feedback[spot][5] == 0  # result photos, as numbers
    assert feedback[full][7] == "处理很及时"
    assert feedback[full][8] == "2025-03-11 15:00"  # closed at
    with translation.override("zh-hans"):
        assert feedback[full][6] == str(Evaluation.SATISFIED.label)
        assert feedback[spot][6] == gettext("not evaluated")


def test_the_pdf_is_landscape_a4_with_a_section_per_list(client, march, street_staff):
    client.force_login(street_staff)
    response = client.get(f"/cases/lists/{MICRO_A}.pdf{MARCH}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert pdf_pages(data) >= 3  # each list starts on a new page
    assert b"/MediaBox [ 0 0 841.8898 595.2756 ]" in data  # A4 landscape
    drawn = shown_text(data)
    for text in (march["full"].tracking_code, march["spot"].tracking_code, "龚**",
                 "联系环卫所加派清运车", "已清运完毕,垃圾桶已消毒", "处理很及时"):
        assert text in drawn, text
    assert PHONE not in drawn and REPORTER not in drawn
    assert march["april"].tracking_code not in drawn


def test_every_export_writes_an_audit_row(client, march, community_officer):
    client.force_login(community_officer)
    exports = AuditEvent.objects.filter(target_type="cases.three_lists")
    assert not exports.exists()
    client.get(f"/cases/lists/{COMMUNITY_A}/{MARCH}")  # looking is not exporting
    assert not exports.exists()
    for fmt in ("xlsx", "pdf"):
        assert client.get(f"/cases/lists/{COMMUNITY_A}.{fmt}{MARCH}").status_code == 200
    rows = list(exports.order_by("id"))
    assert [r.detail["format"] for r in rows] == ["xlsx", "pdf"]
    for row in rows:
        assert row.action == "export" and row.actor == community_officer
        assert row.target_id == COMMUNITY_A
        assert (row.detail["from"], row.detail["to"]) == ("2025-03-01", "2025-03-31")
        assert row.detail["rows"] == {"collection": 2, "discussion": 2, "feedback": 2}


@pytest.mark.parametrize("suffix", ["/", ".xlsx", ".pdf"])
def test_lists_outside_ones_grids_are_not_found(client, march, worker_b, worker_a, outsider,
                                                suffix):
    client.force_login(worker_b)  # micro-grid B, in another community
    assert client.get(f"/cases/lists/{MICRO_A}{suffix}{MARCH}").status_code == 404
    client.force_login(worker_a)  # the community above is more than worker A's lists
    assert client.get(f"/cases/lists/{COMMUNITY_A}{suffix}{MARCH}").status_code == 404
    client.force_login(outsider)
    assert client.get(f"/cases/lists/{MICRO_A}{suffix}{MARCH}").status_code == 404
    assert not AuditEvent.objects.filter(target_type="cases.three_lists").exists()


def test_the_lists_need_a_login(client, march):
    response = client.get(f"/cases/lists/{MICRO_A}.xlsx{MARCH}")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_lists_home_opens_the_users_widest_grid(client, community_officer):
    client.force_login(community_officer)
    response = client.get("/cases/lists/")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/lists/{COMMUNITY_A}/"


@pytest.mark.parametrize("query", ["?from=2025-13-01", "?from=abc&to=2025-03-31",
                                   "?from=2025-03-31&to=2025-03-01", "?to=2025-3-1",
                                   "?from=0001-01-01&to=2025-03-31"])
@pytest.mark.parametrize("suffix", ["/", ".xlsx", ".pdf"])
def test_bad_dates_give_a_message_not_an_error(client, march, worker_a, query, suffix):
    client.force_login(worker_a)
    response = client.get(f"/cases/lists/{MICRO_A}{suffix}{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'id="period-error"' in html and 'name="from"' in html
    assert march["full"].tracking_code not in html
    assert not AuditEvent.objects.filter(target_type="cases.three_lists").exists()


def test_the_lists_take_a_fixed_number_of_queries(march, street_staff, point_a, sanitation,
                                                  worker_a):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            lists = three_lists(user=street_staff, code=STREET,
                                date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31))
            list_tables(lists)
        return len(captured.captured_queries)

    queries()  # works out the user's scope once
    before = queries()
    for day in (3, 4, 5):
        case = report(point=point_a, category=sanitation, when=at(3, day),
                      title=f"三月{day}日的事", source=Source.PATROL, actor=worker_a)
        case_act(case=case, action=Action.HANDLE_ON_SPOT, actor=worker_a, result="已处理",
                 at=at(3, day, 10))
    assert queries() == before
