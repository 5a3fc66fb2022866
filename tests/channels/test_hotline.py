"""The 12345 work-order file in and the results out, as a street clerk would use them."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import shape

from tests.conftest import MICRO_A, MICRO_B
from wangge.cases.choices import Action, Source, Status
from wangge.cases.models import Case
from wangge.cases.services import case_act
from wangge.channels.demo import HOTLINE_COLUMNS
from wangge.channels.hotline import (
    HotlineError,
    Mode,
    hotline_error_file,
    hotline_export,
    hotline_import,
    mapping_get,
)
from wangge.channels.models import HotlineMapping
from wangge.core.models import AuditAction, AuditEvent
from wangge.grids.models import Grid
from wangge.registry.ledgers.tabular import read_sheet, write_sheet

pytestmark = pytest.mark.django_db

HEADER = list(HOTLINE_COLUMNS.values())
OUTSIDE = (100.0, 30.0)  # far from Zunyi


def _point(code: str) -> tuple[float, float]:
    p = shape(Grid.objects.get(code=code).boundary).representative_point()
    return p.x, p.y


@pytest.fixture
def point_a(laocheng):
    return _point(MICRO_A)


@pytest.fixture
def point_b(laocheng):
    return _point(MICRO_B)


def order(number: str, point=None, **values) -> dict:
    """One work order in the common columns; `values` by their header names."""
    row = {"工单编号": number, "来电时间": "2024-05-06 09:30:00", "诉求人": "王女士",
           "联系电话": "138 0013 8000", "诉求类型": "环境卫生",
           "诉求内容": "小区门口垃圾堆放多日无人清运。", "事发地址": "老城街道捞沙巷12号",
           "承办单位": "老城街道办事处", "办理时限": "2024-05-13 09:30:00"}
    if point is not None:
        row["经度"], row["纬度"] = point
    row.update(values)
    return row


def sheet(orders: list[dict], header=HEADER) -> io.BytesIO:
    out = io.BytesIO()
    write_sheet(out, sheet_name="工单", header=header,
                rows=[[o.get(h) for h in header] for o in orders],
                text_columns={h for h in header if h in ("工单编号", "联系电话", "受理编号")})
    out.seek(0)
    return out


def run(orders, *, mode=Mode.VALID_ROWS, actor=None, **kwargs):
    return hotline_import(file=sheet(orders), filename="12345.xlsx", mode=mode, actor=actor,
                          **kwargs)


def hotline_case(number: str) -> Case:
    return Case.objects.select_related("grid", "category").get(source=Source.HOTLINE,
                                                               external_id=number)


def test_a_messy_file_imports_the_good_orders_and_says_why_the_others_are_rejected(
        point_a):
    report = run([
        order("GZ2024050601", point_a),  # row 2: a good order
        order("GZ2024050602", point_a, 诉求类型="", 诉求内容="小区门口有流动摊贩占道摆摊"),
        order("GZ2024050603", point_a, 诉求类型="市容市貌", 诉求内容="楼下垃圾清运不及时,很臭"),
        order("GZ2024050604", OUTSIDE),  # row 5
        order("GZ2024050605", point_a, 联系电话="12345"),  # row 6
        order("GZ2024050601", point_a),  # row 7: the number of row 2 again
        order("GZ2024050607", None),  # row 8: an address only
    ])
    assert report.summary() == "imported 4, unchanged 0, rejected 3"
    assert report.written
    reasons = {(e.row, e.column): e.message for e in report.errors}
    assert set(reasons) == {(5, "经度"), (6, "联系电话"), (7, "工单编号")}
    assert "不在本街道的任何微网格内" in reasons[(5, "经度")]
    assert "第 2 行" in reasons[(7, "工单编号")]

    first = hotline_case("GZ2024050601")
    assert first.grid.code == MICRO_A and first.category.code == "sanitation"
    assert first.reporter_name == "王女士" and first.reporter_phone == "13800138000"
    assert timezone.localtime(first.reported_at).strftime("%Y-%m-%d %H:%M") == \
        "2024-05-06 09:30"
    assert "老城街道办事处" in first.steps.get().note  # the centre's unit, kept on the timeline
    assert hotline_case("GZ2024050602").category.code == "street_vending"  # by keywords
    assert hotline_case("GZ2024050603").category.code == "sanitation"  # by keywords
    by_address = hotline_case("GZ2024050607")
    assert by_address.grid.tier == "street" and by_address.level == "street"
    assert not Case.objects.filter(external_id__in=["GZ2024050604", "GZ2024050605"]).exists()


def test_importing_the_same_file_again_creates_nothing(point_a):
    orders = [order("GZ-A-1", point_a), order("GZ-A-2", point_a, 诉求类型="噪音扰民")]
    assert run(orders).imported == 2
    count = Case.objects.count()
    again = run(orders)
    assert again.summary() == "imported 0, unchanged 2, rejected 0"
    assert Case.objects.count() == count


def test_a_result_in_the_centres_file_does_not_close_our_open_case(point_a):
    run([order("GZ-OPEN", point_a)])
    report = run([order("GZ-OPEN", point_a, 办结时间="2024-05-07 10:00:00",
                        办理结果="已办结")])
    assert report.unchanged == 1
    case = hotline_case("GZ-OPEN")
    assert case.status == Status.REPORTED and case.result == ""


def test_all_or_nothing_writes_nothing_when_one_row_fails(point_a):
    orders = [order("GZ-AON-1", point_a), order("GZ-AON-2", point_a, 来电时间="昨天上午")]
    report = run(orders, mode=Mode.ALL_OR_NOTHING)
    assert not report.written and report.imported == 0 and report.rejected == 1
    assert [(e.row, e.column) for e in report.errors] == [(3, "来电时间")]
    assert not Case.objects.filter(external_id__startswith="GZ-AON").exists()
    audit = AuditEvent.objects.filter(action=AuditAction.IMPORT,
                                      target_type="channels.hotline").first()
    assert audit.detail["written"] is False and audit.detail["rejected"] == 1

    report = run(orders, mode=Mode.VALID_ROWS)
    assert report.written and report.imported == 1
    assert list(Case.objects.filter(external_id__startswith="GZ-AON")
                .values_list("external_id", flat=True)) == ["GZ-AON-1"]


def test_export_gives_back_the_same_columns_with_results_filled_in(point_a):
    run([order("GZ-EXP-1", point_a), order("GZ-EXP-2", point_a, 诉求类型="噪音扰民"),
         order("GZ-EXP-3", point_a)])
    case_act(case=hotline_case("GZ-EXP-3"), action=Action.DECLINE, actor=None,
             note="不属于本街道管辖")
    done = case_act(case=hotline_case("GZ-EXP-1"), action=Action.HANDLE_ON_SPOT, actor=None,
                    result="已联系环卫所清运完毕")
    case_act(case=done, action=Action.EVALUATE, actor=None, evaluation="basically")
    done.refresh_from_db()

    content = hotline_export(actor=None)
    back = read_sheet(io.BytesIO(content), required={"工单编号"}, filename="out.xlsx")
    assert back.header == HEADER
    rows = {r.values["工单编号"]: r.values for r in back.rows}
    closed, still_open = rows["GZ-EXP-1"], rows["GZ-EXP-2"]
    assert closed["办结时间"] == timezone.localtime(done.closed_at).strftime("%Y-%m-%d %H:%M:%S")
    assert closed["办理结果"] == "已联系环卫所清运完毕"
    assert closed["回访满意度"] == "基本满意"
    assert closed["联系电话"] == "13800138000"  # in full: the centre's own data
    assert closed["来电时间"] == "2024-05-06 09:30:00"
    assert still_open["办结时间"] is None and still_open["办理结果"] is None
    assert still_open["诉求类型"] == "噪音扰民"
    declined = rows["GZ-EXP-3"]
    assert declined["办结时间"] and "不属于本街道管辖" in declined["办理结果"]
    audit = AuditEvent.objects.filter(action=AuditAction.EXPORT,
                                      target_type="channels.hotline").first()
    assert audit.detail["reporter_phone"] == "unmasked" and audit.detail["rows"] >= 2

    # The exported file is a valid work-order file: importing it changes nothing.
    again = hotline_import(file=io.BytesIO(content), filename="out.xlsx", mode=Mode.VALID_ROWS)
    assert again.imported == 0 and again.rejected == 0 and again.unchanged == len(back.rows)


def test_export_keeps_to_the_date_range_and_the_users_grids(point_a, point_b, worker_b):
    run([order("GZ-D-A", point_a, 来电时间="2024-05-06 09:00:00"),
         order("GZ-D-B", point_b, 来电时间="2024-06-01 09:00:00")])

    def numbers(content):
        back = read_sheet(io.BytesIO(content), required={"工单编号"}, filename="x.xlsx")
        return {r.values["工单编号"] for r in back.rows}

    may = numbers(hotline_export(actor=None, date_from=dt.date(2024, 5, 1),
                                 date_to=dt.date(2024, 5, 31)))
    assert "GZ-D-A" in may and "GZ-D-B" not in may
    mine = numbers(hotline_export(actor=worker_b))
    assert "GZ-D-B" in mine and "GZ-D-A" not in mine


def test_a_city_with_other_headers_uses_its_own_mapping(point_a):
    mapping = HotlineMapping.objects.create(name="另一市格式", columns={
        "external_id": "受理编号", "reported_at": "受理时间", "description": "问题描述",
        "category": "问题分类", "reporter_phone": "来电号码", "lon": "X坐标", "lat": "Y坐标",
        "closed_at": "完成时间", "result": "处理情况",
    }, category_names={"市容环卫": "sanitation", "*": "petition"})
    header = ["受理编号", "受理时间", "问题分类", "问题描述", "来电号码", "X坐标", "Y坐标"]
    lon, lat = point_a
    rows = [
        {"受理编号": "ZY-1", "受理时间": "2024/5/6 9:30", "问题分类": "市容环卫",
         "问题描述": "路边有积存物", "X坐标": lon, "Y坐标": lat},
        {"受理编号": "ZY-2", "受理时间": "2024年5月6日 10时05分", "问题分类": "其他",
         "问题描述": "咨询相关事宜", "X坐标": lon, "Y坐标": lat},
        {"受理编号": "ZY-3", "受理时间": "2024-05-06 11:00", "问题分类": "其他",
         "问题描述": "咨询", "来电号码": "0851-123", "X坐标": lon, "Y坐标": lat},
    ]
    report = hotline_import(file=sheet(rows, header), filename="zy.xlsx", mapping=mapping,
                            mode=Mode.VALID_ROWS)
    assert report.summary() == "imported 2, unchanged 0, rejected 1"
    assert [(e.row, e.column) for e in report.errors] == [(4, "来电号码")]
    assert hotline_case("ZY-1").category.code == "sanitation"  # the mapping's name
    assert hotline_case("ZY-2").category.code == "petition"  # the mapping's fallback

    back = read_sheet(io.BytesIO(hotline_export(actor=None, mapping=mapping)),
                      required={"受理编号"}, filename="x.xlsx")
    # The mapped columns, in the order of the common format (FIELDS).
    assert back.header == ["受理编号", "受理时间", "来电号码", "问题分类", "问题描述", "X坐标",
                           "Y坐标", "完成时间", "处理情况"]
    kinds = {r.values["受理编号"]: r.values["问题分类"] for r in back.rows}
    assert kinds == {"ZY-1": "市容环卫", "ZY-2": "信访诉求"}  # their name where the mapping has one


def test_a_file_without_the_mappings_columns_is_refused_as_a_whole(point_a):
    from wangge.registry.ledgers.tabular import LedgerFileError

    with pytest.raises(LedgerFileError, match="工单编号"):
        hotline_import(file=sheet([{"编号": "1"}], header=["编号", "内容"]), filename="x.xlsx")


def test_a_mapping_without_the_work_order_number_is_refused(laocheng):
    HotlineMapping.objects.create(name="坏格式", columns={"description": "内容"})
    with pytest.raises(HotlineError):
        mapping_get("坏格式")


def test_worker_b_cannot_import_orders_that_land_in_micro_grid_a(point_a, point_b,
                                                                 worker_b, worker_a):
    orders = [order("GZ-S-A", point_a), order("GZ-S-B", point_b)]
    report = run(orders, actor=worker_b)
    assert report.imported == 1 and report.rejected == 1
    error = report.errors[0]
    assert (error.row, error.column) == (2, "经度") and "不在您负责的网格内" in error.message
    assert not Case.objects.filter(external_id="GZ-S-A").exists()
    assert hotline_case("GZ-S-B").reported_by == worker_b
    assert run(orders, actor=worker_a).imported == 1  # A's own worker imports it


def test_an_order_with_only_an_address_goes_to_street_staff(street_staff, worker_a):
    rows = [order("GZ-ADDR", None)]
    refused = run(rows, actor=worker_a)
    assert refused.imported == 0 and refused.errors[0].column == "事发地址"
    report = run(rows, actor=street_staff)
    assert report.imported == 1
    assert hotline_case("GZ-ADDR").grid.code == "520302001"


def test_the_command_line_imports_writes_the_error_file_and_exports(point_a, tmp_path,
                                                                    capsys):
    source = tmp_path / "orders.xlsx"
    source.write_bytes(sheet([order("GZ-CLI-1", point_a),
                              order("GZ-CLI-2", point_a, 联系电话="555")]).getvalue())
    errors = tmp_path / "errors.xlsx"
    with pytest.raises(CommandError, match="--mode valid-rows"):
        call_command("channels", "hotline-import", str(source))
    assert not Case.objects.filter(external_id__startswith="GZ-CLI").exists()
    call_command("channels", "hotline-import", str(source), "--mode", "valid-rows",
                 "--errors", str(errors))
    assert "imported 1, unchanged 0, rejected 1" in capsys.readouterr().out
    bad = read_sheet(errors, required={"工单编号", "错误原因"})
    assert [r.values["工单编号"] for r in bad.rows] == ["GZ-CLI-2"]
    assert "联系电话" in bad.rows[0].values["错误原因"]

    out = tmp_path / "results.xlsx"
    call_command("channels", "hotline-export", str(out), "--from", "2024-05-06",
                 "--to", "2024-05-06")
    back = read_sheet(out, required={"工单编号"})
    assert "GZ-CLI-1" in {r.values["工单编号"] for r in back.rows}


def test_error_file_keeps_the_files_own_columns(point_a, tmp_path):
    rows = [order("GZ-E-1", point_a, 联系电话="555", 备注="加急")]
    header = [*HEADER, "备注"]
    report = hotline_import(file=sheet(rows, header), filename="x.xlsx", mode=Mode.VALID_ROWS)
    target = tmp_path / "e.xlsx"
    hotline_error_file(report=report, target=target)
    back = read_sheet(target, required={"工单编号"})
    assert back.header == [*header, "错误原因"]
    assert back.rows[0].values["备注"] == "加急"


# --- the API ---------------------------------------------------------------------------------



def test_api_import_within_the_users_grids(client, worker_a, point_a, point_b):
    client.force_login(worker_a)
    upload = sheet([order("API-1", point_a), order("API-2", point_b)])
    upload.name = "orders.xlsx"
    response = client.post(reverse("api-hotline-import"),
                           {"file": upload, "mode": "valid-rows"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["imported"], body["unchanged"], body["rejected"]) == (1, 0, 1)
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["column"] == "经度"
    assert body["cases"] == [hotline_case("API-1").tracking_code]


def test_api_all_or_nothing_refusal_is_a_400_with_the_reasons(client, worker_a, point_a):
    client.force_login(worker_a)
    upload = sheet([order("API-3", point_a), order("API-4", point_a, 联系电话="555")])
    upload.name = "orders.xlsx"
    response = client.post(reverse("api-hotline-import"), {"file": upload})
    assert response.status_code == 400
    assert response.json()["written"] is False and response.json()["rejected"] == 1
    assert not Case.objects.filter(external_id="API-3").exists()


def test_api_refuses_a_file_that_is_not_a_spreadsheet(client, worker_a):
    client.force_login(worker_a)
    upload = io.BytesIO(b"\x00\x01 not a spreadsheet")
    upload.name = "orders.xlsx"
    response = client.post(reverse("api-hotline-import"), {"file": upload})
    assert response.status_code == 400 and ".xlsx" in response.json()["detail"]


def test_api_export_is_an_xlsx_of_the_users_grids(client, worker_b, point_a, point_b):
    run([order("API-X-A", point_a), order("API-X-B", point_b)])
    client.force_login(worker_b)
    response = client.get(reverse("api-hotline-export"), {"from": "2024-05-01"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    back = read_sheet(io.BytesIO(response.content), required={"工单编号"}, filename="x.xlsx")
    assert {r.values["工单编号"] for r in back.rows} == {"API-X-B"}
    assert client.get(reverse("api-hotline-export"), {"from": "May"}).status_code == 400


def test_api_an_account_in_no_grid_gets_nothing(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("api-hotline-export")).status_code == 403
    upload = sheet([order("API-O", None)])
    upload.name = "o.xlsx"
    assert client.post(reverse("api-hotline-import"), {"file": upload}).status_code == 403
    client.logout()
    assert client.get(reverse("api-hotline-export")).status_code in (401, 403)


def test_the_endpoints_are_in_the_openapi_schema(client, laocheng):
    response = client.get(reverse("api-schema"), {"format": "json"})
    paths = response.json()["paths"]
    assert "post" in paths["/api/channels/hotline/import"]
    assert "get" in paths["/api/channels/hotline/export"]
    assert "post" in paths["/api/channels/access-control/events"]
