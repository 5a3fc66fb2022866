"""The people ledger, as clerks really fill it in (shared/domain/ledgers.md)."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from tests.registry.factories import MICRO, person_row, resident_id, rows_in_header_order
from wangge.registry.choices import PersonEventKind, PersonStatus, Relation
from wangge.registry.ledgers import people
from wangge.registry.ledgers.files import export_ledger, import_ledger, write_error_file
from wangge.registry.ledgers.people import Mode
from wangge.registry.ledgers.tabular import read_sheet, write_sheet
from wangge.registry.models import Building, Household, Person
from wangge.registry.selectors import grid_figures
from wangge.registry.services import id_number_hash

pytestmark = pytest.mark.django_db


TITLE = "老城街道红花岗社区实有人口信息采集表"


def _file(tmp_path, rows: list[dict], name="ledger.xlsx", title=TITLE):
    path = tmp_path / name
    write_sheet(path, sheet_name=people.SHEET_NAME, header=people.HEADER,
                rows=rows_in_header_order(rows), title=title, text_columns=people.TEXT_COLUMNS)
    return path


def _import(path, mode=Mode.ALL_OR_NOTHING):
    with open(path, "rb") as fh:
        return import_ledger(kind="people", file=fh, filename=path.name, mode=mode)


def _messy_rows() -> list[dict]:
    """One household of four written the way real files are, plus rows that must fail."""
    head_id = resident_id(1, sex="male")
    fullwidth = head_id.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    spouse = resident_id(2, sex="female")
    child = resident_id(3, sex="male")
    old = resident_id(4, sex="female", birth=datetime.date(1950, 5, 5))
    legacy = old[:6] + old[8:17]  # the same person's 15-digit number
    return [
        person_row(1, 公民身份号码=fullwidth, 姓名="王建国  ", 出生日期="1980.1.2",
                   联系电话="+86 138 0000 0001"),
        person_row(2, relation="配偶", 公民身份号码=" ".join([spouse[:6], spouse[6:14],
                                                           spouse[14:]]).lower(),
                   出生日期="1980/01/03", 联系电话="138 0000 0002"),
        person_row(3, relation="子", 公民身份号码=child, 出生日期="19800104",
                   关注类别="残疾人、低保户"),
        person_row(4, relation="母亲", 公民身份号码=legacy, 出生日期=datetime.date(1950, 5, 9),
                   性别="女", 关注类别="独居老人,空巢老人"),
        # Mistakes:
        person_row(5, relation="女", 公民身份号码=5.20302198001064e17),  # Excel ate the digits
        person_row(6, relation="女", 公民身份号码=resident_id(6)[:-1] + "0"),  # check digit
        person_row(10, relation="女", 性别="男"),  # sex disagrees with the number
        person_row(1, relation="子", 姓名="重复的人"),  # the same ID twice
        person_row(8, relation="女", 人口类型="外来"),  # not a population type
        person_row(9, relation="女", 出生日期="1990.13.1"),  # no such date
    ]


def test_a_messy_file_is_refused_whole_with_reasons_a_clerk_can_act_on(tmp_path):
    path = _file(tmp_path, _messy_rows())
    before = Person.objects.count()
    report = _import(path)
    assert not report.written
    assert Person.objects.count() == before
    assert report.rejected == 6
    by_row = {}
    for error in report.errors:
        by_row.setdefault(error.row, []).append(error.column)
    # The title is row 1, the header row 2: data starts at row 3.
    assert by_row == {7: ["公民身份号码"], 8: ["公民身份号码"], 9: ["性别"],
                      10: ["公民身份号码"], 11: ["人口类型"], 12: ["出生日期"]}
    excel = next(e for e in report.errors if e.row == 7)
    assert "文本" in excel.message  # tells the clerk to format the column as text

    errors = tmp_path / "errors.xlsx"
    write_error_file(kind="people", report=report, target=errors)
    sheet = read_sheet(errors, required=people.REQUIRED)
    assert len(sheet.rows) == 6
    reasons = [r.values["错误原因"] for r in sheet.rows]
    assert all("第" in r and "行" in r for r in reasons)
    assert "第 11 行 人口类型" in reasons[4]


def test_valid_rows_mode_imports_the_good_rows_and_links_the_household(tmp_path):
    report = _import(_file(tmp_path, _messy_rows()), mode=Mode.VALID_ROWS)
    assert report.written
    assert (report.imported, report.updated, report.unchanged, report.rejected) == (4, 0, 0, 6)
    head = Person.objects.get(id_number_hash=id_number_hash(resident_id(1, sex="male")))
    assert head.name == "王建国"  # trailing spaces gone
    assert head.phone == "13800000001"
    assert head.relation == Relation.HEAD
    household = head.household
    assert household.members.count() == 4
    assert household.house.building.name == "测试楼"
    assert household.house.building.micro_grid.code == MICRO
    mother = household.members.get(relation=Relation.MOTHER)
    assert len(mother.id_number) == 18  # upgraded from 15 digits
    assert set(mother.care_groups.values_list("name", flat=True)) == {"独居老人", "空巢老人"}
    assert head.events.get().kind == PersonEventKind.REGISTERED
    assert head.history.count() == 1


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    rows = [person_row(1), person_row(2, relation="配偶"), person_row(3, room="1-102")]
    path = _file(tmp_path, rows)
    first = _import(path)
    assert (first.imported, first.rejected) == (3, 0)
    counts = (Person.objects.count(), Household.objects.count(), Building.objects.count())
    again = _import(path)
    assert (again.imported, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)
    assert (Person.objects.count(), Household.objects.count(),
            Building.objects.count()) == counts


def test_a_changed_row_updates_and_keeps_history(tmp_path):
    _import(_file(tmp_path, [person_row(1)]))
    report = _import(_file(tmp_path, [person_row(1, 联系电话="13900000000", 关注类别="低保户")],
                           name="v2.xlsx"))
    assert (report.imported, report.updated) == (0, 1)
    person = Person.objects.get(id_number_hash=id_number_hash(resident_id(1)))
    assert person.phone == "13900000000"
    latest = person.history.first()
    assert "关注类别" in latest.history_change_reason


def test_members_need_a_head(tmp_path):
    report = _import(_file(tmp_path, [person_row(1, relation="配偶", room="9-909")]))
    assert report.rejected == 1
    assert report.errors[0].column == "与户主关系"


def test_a_person_moving_house_is_recorded_as_an_event(tmp_path):
    _import(_file(tmp_path, [person_row(1), person_row(2, relation="子")]))
    report = _import(_file(tmp_path, [person_row(3, room="2-202"),
                                      person_row(2, relation="子", room="2-202")],
                           name="moved.xlsx"))
    assert (report.imported, report.updated) == (1, 1)
    moved = Person.objects.get(id_number_hash=id_number_hash(resident_id(2, sex="female")))
    assert moved.household.house.number == "2-202"
    assert moved.events.first().kind == PersonEventKind.HOUSEHOLD_CHANGED


def test_export_then_import_changes_nothing(tmp_path):
    _import(_file(tmp_path, _messy_rows()), mode=Mode.VALID_ROWS)
    exported = tmp_path / "export.xlsx"
    count = export_ledger(kind="people", target=exported, under=MICRO, actor=None,
                          reason="核对台账")
    assert count == Person.objects.filter(micro_grid__code=MICRO, status="active").count()
    report = _import(exported)
    assert (report.imported, report.updated, report.rejected) == (0, 0, 0)
    assert report.unchanged == count


def test_grid_figures_change_after_an_import_and_still_add_up(tmp_path):
    community = MICRO[:12]
    before = grid_figures(code=community)[community]
    _import(_file(tmp_path, [person_row(1), person_row(2, relation="配偶")]))
    after = grid_figures(code=community)[community]
    assert after.people == before.people + 2
    assert after.households == before.households + 1
    street = grid_figures(code="520302001")["520302001"]
    per_community = grid_figures(code="520302001", group_length=12)
    assert sum(f.people for f in per_community.values()) == street.people


def test_csv_ledgers_import_too(tmp_path):
    path = tmp_path / "ledger.csv"
    rows = rows_in_header_order([person_row(1), person_row(2, relation="配偶")])
    lines = [",".join(people.HEADER)] + [",".join("" if v is None else str(v) for v in r)
                                         for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    report = _import(path)
    assert (report.imported, report.rejected) == (2, 0)


def test_the_command_prints_the_summary_and_writes_the_error_file(tmp_path, capsys):
    path = _file(tmp_path, _messy_rows())
    errors = tmp_path / "out.xlsx"
    with pytest.raises(CommandError, match="valid-rows"):
        call_command("ledger", "import", "people", str(path), "--errors", str(errors))
    assert "imported 0, updated 0, unchanged 0, rejected 6" in capsys.readouterr().out
    assert errors.exists()
    call_command("ledger", "import", "people", str(path), "--mode", "valid-rows")
    assert "imported 4, updated 0, unchanged 0, rejected 6" in capsys.readouterr().out


def test_moves_and_deaths_never_delete(tmp_path):
    from wangge.registry import services

    _import(_file(tmp_path, [person_row(1), person_row(2, relation="配偶")]))
    head = Person.objects.get(id_number_hash=id_number_hash(resident_id(1)))
    spouse = Person.objects.get(id_number_hash=id_number_hash(resident_id(2, sex="female")))
    with pytest.raises(services.RegistryError):
        services.person_move_out(person=head, date=datetime.date(2026, 3, 1), actor=None)
    services.person_move_out(person=spouse, date=datetime.date(2026, 3, 1), actor=None)
    services.person_record_death(person=head, date=datetime.date(2026, 4, 1), actor=None)
    head.refresh_from_db()
    spouse.refresh_from_db()
    assert (head.status, spouse.status) == (PersonStatus.DECEASED, PersonStatus.MOVED_OUT)
    assert head.events.filter(kind=PersonEventKind.DIED).count() == 1
    assert spouse.history.count() == 2


def test_rows_outside_the_importers_part_of_the_tree_are_refused(tmp_path):
    from tests.registry.factories import OTHER_MICRO

    path = _file(tmp_path, [person_row(1), person_row(2, grid=OTHER_MICRO, room="9")])
    with open(path, "rb") as fh:
        report = import_ledger(kind="people", file=fh, filename=path.name,
                               mode=Mode.VALID_ROWS, scope=[MICRO])
    assert (report.imported, report.rejected) == (1, 1)
    assert report.errors[0].column == "微网格编码"
