"""The people ledger (实有人口, the "one form" 信息采集上报"一张表"): read, checked, linked into
buildings, houses and households, and written back in the same shape. See
shared/domain/ledgers.md for the format.

`import_people` is a service: it validates every row with the same validators as the forms,
then writes all valid rows in one transaction, in bulk. Re-importing a file changes nothing:
people are keyed by their resident ID number (through its keyed hash).
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from wangge.core import validators as v
from wangge.core.bulk import (
    bulk_insert_columns,
    bulk_insert_values,
    gc_paused,
    insert_from,
    large_write,
)
from wangge.core.crypto import lookup_hashes
from wangge.core.models import AuditAction
from wangge.core.services import audit_record
from wangge.grids.choices import Tier
from wangge.grids.models import Grid
from wangge.registry.choices import (
    HouseUse,
    PersonEventKind,
    PersonStatus,
    PoliticalStatus,
    PopulationType,
    Relation,
)
from wangge.registry.figures import figures_refresh
from wangge.registry.ledgers.tabular import SheetRow
from wangge.registry.models import (
    Building,
    CareGroup,
    House,
    Household,
    Person,
    PersonEvent,
)
from wangge.registry.services import ID_PURPOSE, PHONE_PURPOSE

SHEET_NAME = "实有人口"
COL_SEQ, COL_GRID, COL_BUILDING, COL_UNIT, COL_ROOM = "序号", "微网格编码", "楼栋", "单元", "房号"
COL_RELATION, COL_NAME, COL_ID = "与户主关系", "姓名", "公民身份号码"
COL_SEX, COL_BIRTH = "性别", "出生日期"
COL_ETHNIC, COL_PHONE, COL_POPULATION = "民族", "联系电话", "人口类型"
COL_POLITICAL, COL_ADDRESS, COL_CARE, COL_NOTE = "政治面貌", "户籍地址", "关注类别", "备注"
HEADER = [COL_SEQ, COL_GRID, COL_BUILDING, COL_UNIT, COL_ROOM, COL_RELATION, COL_NAME, COL_ID,
          COL_SEX, COL_BIRTH, COL_ETHNIC, COL_PHONE, COL_POPULATION, COL_POLITICAL, COL_ADDRESS,
          COL_CARE, COL_NOTE]
REQUIRED = {COL_BUILDING, COL_ROOM, COL_RELATION, COL_NAME, COL_ID, COL_POPULATION}
TEXT_COLUMNS = {COL_GRID, COL_UNIT, COL_ROOM, COL_ID, COL_PHONE}
ERROR_COLUMN = "错误原因"

# The ledger's fixed Chinese labels (a file format, not translations), with common variants.
RELATIONS = {
    "户主": Relation.HEAD, "本人": Relation.HEAD, "配偶": Relation.SPOUSE, "妻": Relation.SPOUSE,
    "夫": Relation.SPOUSE, "妻子": Relation.SPOUSE, "丈夫": Relation.SPOUSE, "子": Relation.SON,
    "儿子": Relation.SON, "长子": Relation.SON, "次子": Relation.SON, "女": Relation.DAUGHTER,
    "女儿": Relation.DAUGHTER, "长女": Relation.DAUGHTER, "次女": Relation.DAUGHTER,
    "父亲": Relation.FATHER, "父": Relation.FATHER, "母亲": Relation.MOTHER, "母": Relation.MOTHER,
    "孙子女": Relation.GRANDCHILD, "孙子": Relation.GRANDCHILD, "孙女": Relation.GRANDCHILD,
    "外孙子女": Relation.GRANDCHILD, "兄弟姐妹": Relation.SIBLING, "兄": Relation.SIBLING,
    "弟": Relation.SIBLING, "姐": Relation.SIBLING, "妹": Relation.SIBLING, "其他": Relation.OTHER,
}
RELATION_LABELS = {
    Relation.HEAD: "户主", Relation.SPOUSE: "配偶", Relation.SON: "子", Relation.DAUGHTER: "女",
    Relation.FATHER: "父亲", Relation.MOTHER: "母亲", Relation.GRANDCHILD: "孙子女",
    Relation.SIBLING: "兄弟姐妹", Relation.OTHER: "其他",
}
POPULATION_TYPES = {"户籍人口": PopulationType.REGISTERED, "流动人口": PopulationType.FLOATING,
                    "境外人员": PopulationType.OVERSEAS}
POPULATION_ALIASES = {"户籍": PopulationType.REGISTERED, "流动": PopulationType.FLOATING,
                      "境外": PopulationType.OVERSEAS, "境外人口": PopulationType.OVERSEAS}
POLITICAL = {"中共党员": PoliticalStatus.PARTY_MEMBER,
             "中共预备党员": PoliticalStatus.PROBATIONARY,
             "共青团员": PoliticalStatus.LEAGUE_MEMBER,
             "民主党派": PoliticalStatus.DEMOCRATIC_PARTY,
             "群众": PoliticalStatus.MASSES}
POLITICAL_ALIASES = {"党员": PoliticalStatus.PARTY_MEMBER, "预备党员": PoliticalStatus.PROBATIONARY,
                     "团员": PoliticalStatus.LEAGUE_MEMBER}
SEX_LABELS = {"male": "男", "female": "女"}
CARE_SEPARATORS = str.maketrans({c: "、" for c in ",,;;/ "})


class Mode:
    ALL_OR_NOTHING = "all-or-nothing"
    VALID_ROWS = "valid-rows"
    CHOICES = (ALL_OR_NOTHING, VALID_ROWS)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("row %(row)d") % {"row": self.row}
        if self.column:
            where += f" {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: list[SheetRow] = field(default_factory=list)

    def summary(self) -> str:
        return (f"imported {self.imported}, updated {self.updated}, "
                f"unchanged {self.unchanged}, rejected {self.rejected}")


@dataclass(slots=True)
class _Existing:
    """A registered person as the importer needs them: no model instance, nothing decrypted
    (the phone is compared through its keyed hash)."""

    pk: int
    household_id: int
    house_id: int
    grid_id: int
    relation: str
    status: str
    values: dict


@dataclass(slots=True)
class _Row:
    """One row, checked and normalised."""

    sheet: SheetRow
    grid_code: str
    building: str
    unit: str
    room: str
    relation: str
    name: str
    id_number: str
    sex: str
    birth_date: datetime.date
    ethnic_group: str
    phone: str
    population_type: str
    political_status: str
    registered_address: str
    care_codes: tuple[str, ...]
    note: str
    id_hash: str = ""
    phone_hash: str = ""
    building_id: int | None = None
    grid_id: int | None = None
    house_key: tuple = ()
    group: "_Group | None" = None
    person: _Existing | None = None


@dataclass(slots=True)
class _Group:
    """The rows of one household in the file: a head row and the members after it."""

    head: _Row | None
    house_key: tuple
    household_id: int | None = None
    rows: list[_Row] = field(default_factory=list)


class _RowChecker:
    """Checks one row at a time with the shared validators (wangge.core.validators).

    A ledger repeats a few values down most columns (sex, ethnic group, building, room,
    population type, care groups, the birth dates many people share), so each of those is
    normalised and parsed once per distinct value and the outcome (value or message) reused;
    the ID number and the phone, different on every row, are parsed on every row."""

    def __init__(self, care_groups: dict[str, str]):
        self.care_by_name = care_groups  # name -> code
        self.texts: dict[str, str] = {}
        self.sexes: dict = {}
        self.dates: dict = {}
        self.ethnic_groups: dict = {}
        self.care: dict[str, tuple[tuple[str, ...], list[str]]] = {}

    def text(self, value: object) -> str:
        """v.normalize_text, once per distinct string."""
        if isinstance(value, str):
            text = self.texts.get(value)
            if text is None:
                text = self.texts[value] = v.normalize_text(value)
            return text
        return v.normalize_text(value)

    @staticmethod
    def parsed(cache: dict, parse: Callable[[object], object], value: object):
        """(parse(value), None) or (None, the InvalidValue's message), once per distinct
        value (keyed by type too: 1 == 1.0 == True, but they are different cells)."""
        key = value if value.__class__ is str else (value.__class__, value)
        try:
            return cache[key]
        except KeyError:
            pass
        try:
            outcome = (parse(value), None)
        except v.InvalidValue as exc:
            outcome = (None, str(exc))
        cache[key] = outcome
        return outcome

    def care_groups(self, text: str) -> tuple[tuple[str, ...], list[str]]:
        """(codes, sorted, without repeats; names that are no care group, in order)."""
        known = self.care.get(text)
        if known is None:
            codes: list[str] = []
            unknown: list[str] = []
            for part in text.translate(CARE_SEPARATORS).split("、"):
                if not part:
                    continue
                code = self.care_by_name.get(part)
                if code is None:
                    unknown.append(part)
                elif code not in codes:
                    codes.append(code)
            known = self.care[text] = (tuple(sorted(codes)), unknown)
        return known

    def check(self, sheet_row: SheetRow) -> tuple[_Row | None, list[RowError]]:
        values = sheet_row.values
        get = values.get
        text = self.text
        number = sheet_row.number
        errors: list[RowError] = []

        building, room = text(get(COL_BUILDING)), text(get(COL_ROOM))
        name = v.normalize_text(get(COL_NAME))  # nearly every name differs: not kept
        for column, value in ((COL_BUILDING, building), (COL_ROOM, room), (COL_NAME, name)):
            if not value:
                errors.append(RowError(number, column, _("is required")))
        if len(name) > 50:
            errors.append(RowError(number, COL_NAME, _("is longer than 50 characters")))
        grid_code = text(get(COL_GRID))
        if grid_code and not (grid_code.isdigit() and len(grid_code) == 18):
            errors.append(RowError(number, COL_GRID, _("must be an 18-digit micro-grid code")))
        relation_text = text(get(COL_RELATION))
        relation = RELATIONS.get(relation_text)
        if not relation_text:
            errors.append(RowError(number, COL_RELATION, _("is required")))
        elif relation is None:
            errors.append(RowError(number, COL_RELATION, _(
                "'%(value)s' is not one of: %(choices)s") % {
                "value": relation_text, "choices": "、".join(RELATION_LABELS.values())}))
        population_text = text(get(COL_POPULATION))
        population = POPULATION_TYPES.get(population_text) or POPULATION_ALIASES.get(
            population_text)
        if not population_text:
            errors.append(RowError(number, COL_POPULATION, _("is required")))
        elif population is None:
            errors.append(RowError(number, COL_POPULATION, _(
                "'%(value)s' is not one of: %(choices)s") % {
                "value": population_text, "choices": "、".join(POPULATION_TYPES)}))
        political_text = text(get(COL_POLITICAL))
        political = POLITICAL.get(political_text) or POLITICAL_ALIASES.get(political_text) or ""
        if political_text and not political:
            errors.append(RowError(number, COL_POLITICAL, _(
                "'%(value)s' is not one of: %(choices)s") % {
                "value": political_text, "choices": "、".join(POLITICAL)}))

        rid = None
        raw_id = get(COL_ID)
        if raw_id is None or not v.normalize_text(raw_id):
            errors.append(RowError(number, COL_ID, _("is required")))
        else:
            try:
                rid = v.parse_resident_id(raw_id)
            except v.InvalidValue as exc:
                errors.append(RowError(number, COL_ID, str(exc)))
        sex, message = self.parsed(self.sexes, v.parse_sex, get(COL_SEX))
        if message is not None:
            errors.append(RowError(number, COL_SEX, message))
        birth, message = self.parsed(self.dates, v.parse_date, get(COL_BIRTH))
        if message is not None:
            errors.append(RowError(number, COL_BIRTH, message))
        if rid is not None:
            # The validator only raises when a given value differs from the ID number's:
            # asked only then, for its message.
            if sex is not None and sex != rid.sex:
                try:
                    v.check_resident_id_agrees(rid, sex=sex, birth_date=None)
                except v.InvalidValue as exc:
                    errors.append(RowError(number, COL_SEX, str(exc)))
            if birth is not None and birth != rid.birth_date:
                try:
                    v.check_resident_id_agrees(rid, sex=None, birth_date=birth)
                except v.InvalidValue as exc:
                    errors.append(RowError(number, COL_BIRTH, str(exc)))
        ethnic, message = self.parsed(self.ethnic_groups, v.parse_ethnic_group, get(COL_ETHNIC))
        if message is not None:
            errors.append(RowError(number, COL_ETHNIC, message))
        phone = ""
        try:
            phone = v.parse_phone(get(COL_PHONE))
        except v.InvalidValue as exc:
            errors.append(RowError(number, COL_PHONE, str(exc)))
        care_codes, unknown = self.care_groups(text(get(COL_CARE)))
        for part in unknown:
            errors.append(RowError(number, COL_CARE, _(
                "'%(value)s' is not a known care group") % {"value": part}))
        address = text(get(COL_ADDRESS))
        note = text(get(COL_NOTE))
        if len(address) > 200:
            errors.append(RowError(number, COL_ADDRESS, _("is longer than 200 characters")))
        if len(note) > 500:
            errors.append(RowError(number, COL_NOTE, _("is longer than 500 characters")))
        if errors or rid is None:
            return None, errors
        return _Row(
            sheet_row, grid_code, building, text(get(COL_UNIT)), room, relation, name,
            rid.number, rid.sex, rid.birth_date, ethnic or "", phone, population, political,
            address, care_codes, note,
        ), errors


def _chunks(items: list, size: int = 900):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _select_in(sql: str, values: Iterable) -> list[tuple]:
    """The rows of `sql`, whose `IN (%s)` takes `values`, asked 900 values at a time.

    Plain SQL rather than `filter(x__in=…)`: on a 100,000-row ledger the ORM spent longer
    preparing the lists of parameters (a few µs each) than the database spent answering."""
    head, tail = sql.split("IN (%s)")
    out: list[tuple] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(values):
            cursor.execute(f"{head}IN ({', '.join(['%s'] * len(chunk))}){tail}", chunk)
            out += cursor.fetchall()
    return out


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# Compared with what is registered; the phone through its keyed hash.
PERSON_FIELDS = ["name", "sex", "birth_date", "ethnic_group", "phone", "population_type",
                 "political_status", "registered_address", "note", "relation"]
COMPARED = [f for f in PERSON_FIELDS if f != "phone"] + ["phone_hash"]


class _Importer:
    def __init__(self, *, mode: str, actor, progress: Callable[[str, int, int], None],
                 today: datetime.date, reason: str, scope: list[str] | None = None):
        self.mode, self.actor, self.progress, self.today = mode, actor, progress, today
        self.scope = scope
        self.reason = reason
        self.report = ImportReport()
        self.errors: dict[int, list[RowError]] = defaultdict(list)
        self.sheet_rows: list[SheetRow] = []
        self.houses: dict[tuple, tuple[int, int]] = {}  # house key -> (house id, grid id)
        self.touched: set[int] = set()  # micro-grids whose figures the write changes

    def reject(self, row: _Row | SheetRow, column: str, message: str) -> None:
        sheet = row.sheet if isinstance(row, _Row) else row
        self.errors[sheet.number].append(RowError(sheet.number, column, message))

    def ok(self, row: _Row) -> bool:
        return row.sheet.number not in self.errors

    # -- stage 1: each row on its own ---------------------------------------------------------
    def check_rows(self, sheet_rows: list[SheetRow]) -> list[_Row]:
        checker = _RowChecker(dict(CareGroup.objects.values_list("name", "code")))
        self.sheet_rows = sheet_rows
        rows: list[_Row] = []
        first_by_id: dict[str, int] = {}
        total = len(sheet_rows)
        check, errors_by_row, progress = checker.check, self.errors, self.progress
        for i, sheet_row in enumerate(sheet_rows):
            if i % 5000 == 0:
                progress("check", i, total)
            row, errors = check(sheet_row)
            if errors:
                errors_by_row[sheet_row.number].extend(errors)
            if row is None:
                continue
            first = first_by_id.setdefault(row.id_number, sheet_row.number)
            if first != sheet_row.number:
                self.reject(row, COL_ID, _(
                    "the same person as row %(row)d (ID number repeated)") % {"row": first})
                continue
            rows.append(row)
        # The keyed hashes of the rows that passed, in one pass each.
        for row, id_hash, phone_hash in zip(
                rows, lookup_hashes([r.id_number for r in rows], purpose=ID_PURPOSE),
                lookup_hashes([r.phone for r in rows], purpose=PHONE_PURPOSE), strict=True):
            row.id_hash, row.phone_hash = id_hash, phone_hash
        progress("check", total, total)
        return rows

    # -- stage 2: against the database --------------------------------------------------------
    def resolve_places(self, rows: list[_Row]) -> None:
        codes = {r.grid_code for r in rows if r.grid_code}
        grids = dict(Grid.objects.filter(code__in=codes, tier=Tier.MICRO_GRID)
                     .values_list("code", "pk"))
        by_key: dict[tuple[int, str], int] = {}
        by_name: dict[str, list[tuple[int, int]]] = defaultdict(list)  # name -> (grid, id)
        buildings = Building.objects.order_by()
        if all(r.grid_code for r in rows):
            # Only rows without a micro-grid code look a building up by its name alone; the
            # same name in other micro-grids (a city has many "1栋") is not needed.
            buildings = buildings.filter(micro_grid_id__in=sorted(grids.values()))
        for chunk in _chunks(sorted({r.building for r in rows})):
            for pk, grid_id, name in buildings.filter(name__in=chunk) \
                    .values_list("pk", "micro_grid_id", "name"):
                by_key[(grid_id, name)] = pk
                by_name[name].append((grid_id, pk))
        for row in rows:
            if row.grid_code:
                row.grid_id = grids.get(row.grid_code)
                if row.grid_id is None:
                    self.reject(row, COL_GRID, _("no micro-grid has this code"))
                    continue
            else:
                known = by_name.get(row.building, [])
                if len(known) != 1:
                    self.reject(row, COL_GRID, _(
                        "is empty and building '%(building)s' cannot be told apart: fill in "
                        "the micro-grid code") % {"building": row.building} if known else _(
                        "is empty and building '%(building)s' is new: fill in the micro-grid "
                        "code") % {"building": row.building})
                    continue
                row.grid_id = known[0][0]
            row.building_id = by_key.get((row.grid_id, row.building))
            row.house_key = (row.grid_id, row.building, row.unit, row.room)
        if self.scope is not None:
            codes_by_id = dict(Grid.objects.filter(pk__in={r.grid_id for r in rows if r.grid_id})
                               .values_list("pk", "code"))
            for row in rows:
                code = codes_by_id.get(row.grid_id, "")
                if row.grid_id and self.ok(row) and not code.startswith(tuple(self.scope)):
                    self.reject(row, COL_GRID, _("is outside your part of the grid tree"))
        building_ids = {r.building_id for r in rows if r.building_id is not None}
        for pk, grid_id, name, unit, number in _select_in(
                f"SELECT h.id, b.micro_grid_id, b.name, h.unit, h.number FROM {_table(House)} h "
                f"JOIN {_table(Building)} b ON b.id = h.building_id WHERE h.building_id IN (%s)",
                sorted(building_ids)):
            self.houses[(grid_id, name, unit, number)] = (pk, grid_id)

    def load_people(self, rows: list[_Row]) -> None:
        found: dict[str, _Existing] = {}
        # `NOT (… = '')` repeats the condition of the unique index on the hash (a partial
        # index): without it neither SQLite nor PostgreSQL may use that index, and every
        # chunk would scan the whole people table.
        compared = ", ".join(f"p.{c}" for c in COMPARED)
        for pk, id_hash, household_id, house_id, grid_id, relation, status, *values in \
                _select_in(
                f"SELECT p.id, p.id_number_hash, p.household_id, h.house_id, p.micro_grid_id, "
                f"p.relation, p.status, {compared} FROM {_table(Person)} p "
                f"JOIN {_table(Household)} h ON h.id = p.household_id "
                "WHERE p.id_number_hash IN (%s) AND NOT (p.id_number_hash = '')",
                [r.id_hash for r in rows]):
            found[id_hash] = _Existing(pk, household_id, house_id, grid_id, relation, status,
                                       dict(zip(COMPARED, values, strict=True)))
        for row in rows:
            row.person = found.get(row.id_hash)
            if row.person is not None and row.person.status == PersonStatus.DECEASED:
                self.reject(row, COL_ID, _("this person is recorded as deceased"))

    def group_households(self, rows: list[_Row]) -> list[_Group]:
        """Members belong to the nearest head row above them in the same house; with no head
        row in the file, to the one household living in that house."""
        house_ids = [pk for pk, _grid in self.houses.values()]
        headed_by_house: dict[int, list[int]] = defaultdict(list)
        for house_id, household_id in _select_in(
                f"SELECT h.house_id, p.household_id FROM {_table(Person)} p "
                f"JOIN {_table(Household)} h ON h.id = p.household_id "
                f"WHERE h.house_id IN (%s) AND p.relation = '{Relation.HEAD.value}' "
                f"AND p.status = '{PersonStatus.ACTIVE.value}'", house_ids):
            headed_by_house[house_id].append(household_id)
        current: dict[tuple, _Group] = {}
        groups: list[_Group] = []
        errors = self.errors
        for row in rows:
            if row.sheet.number in errors:
                continue
            house = self.houses.get(row.house_key)
            house_id = house[0] if house else None
            if row.relation == Relation.HEAD:
                group = _Group(head=row, house_key=row.house_key)
                person = row.person
                if (person is not None and house_id is not None and
                        person.status == PersonStatus.ACTIVE and
                        person.relation == Relation.HEAD and person.house_id == house_id):
                    group.household_id = person.household_id
                groups.append(group)
                current[row.house_key] = group
            else:
                group = current.get(row.house_key)
                if group is None:
                    existing = headed_by_house.get(house_id, []) if house_id else []
                    if len(existing) != 1:
                        self.reject(row, COL_RELATION, _(
                            "no head of household for this house: list the head (户主) in a row "
                            "above") if not existing else _(
                            "several households live in this house: list this person's head "
                            "(户主) in a row above"))
                        continue
                    group = _Group(head=None, house_key=row.house_key,
                                   household_id=existing[0])
                    groups.append(group)
                    current[row.house_key] = group
                elif group.head is not None and not self.ok(group.head):
                    self.reject(row, COL_RELATION, _(
                        "the head of this household (row %(row)d) has an error") % {
                        "row": group.head.sheet.number})
                    continue
            row.group = group
            group.rows.append(row)
        # A person who heads a household elsewhere may not leave it headless.
        moving = {r.person.pk for r in rows if r.person is not None and self.ok(r)}
        leaving = [r for r in rows if r.person is not None and self.ok(r) and r.group and
                   r.person.relation == Relation.HEAD and
                   r.person.status == PersonStatus.ACTIVE and
                   r.group.household_id != r.person.household_id]
        staying: set[int] = set()
        for chunk in _chunks([r.person.household_id for r in leaving]):
            staying |= set(Person.objects.filter(household_id__in=chunk,
                                                 status=PersonStatus.ACTIVE)
                           .exclude(pk__in=moving).order_by()
                           .values_list("household_id", flat=True))
        for row in leaving:
            if row.person.household_id in staying:
                self.reject(row, COL_RELATION, _(
                    "this person heads another household that still has members: change that "
                    "household's head first"))
        for group in groups:
            if group.head is not None and not self.ok(group.head):
                for row in group.rows[1:]:
                    if self.ok(row):
                        self.reject(row, COL_RELATION, _(
                            "the head of this household (row %(row)d) has an error") % {
                            "row": group.head.sheet.number})
        return groups

    # -- stage 3: write -----------------------------------------------------------------------
    def write(self, rows: list[_Row], groups: list[_Group]) -> None:
        errors = self.errors
        rows = [r for r in rows if r.sheet.number not in errors and r.group is not None]
        groups = [g for g in groups if any(self.ok(r) for r in g.rows)]
        now = timezone.now()
        actor = self.actor if getattr(self.actor, "pk", None) else None
        actor_id = getattr(actor, "pk", None)
        reason = self.reason
        insert = {"user": actor, "reason": reason, "now": now}

        new_buildings: dict[tuple, dict] = {}
        for row in rows:
            if row.building_id is None:
                new_buildings.setdefault((row.grid_id, row.building), {
                    "micro_grid_id": row.grid_id, "name": row.building})
        ids = bulk_insert_values(Building, list(new_buildings.values()), **insert)
        building_ids = dict(zip(new_buildings, ids, strict=True))
        for row in rows:
            if row.building_id is None:
                row.building_id = building_ids[(row.grid_id, row.building)]
        self.progress("write", 1, 5)

        new_houses: dict[tuple, dict] = {}
        for group in groups:
            if group.house_key in self.houses or group.house_key in new_houses:
                continue
            head = group.rows[0]
            floating = head.relation == Relation.HEAD and \
                head.population_type == PopulationType.FLOATING
            new_houses[group.house_key] = {
                "building_id": head.building_id, "micro_grid_id": head.grid_id,
                "unit": head.unit, "number": head.room,
                "use": HouseUse.RENTED if floating else HouseUse.OWNER_OCCUPIED}
        ids = bulk_insert_values(House, list(new_houses.values()), **insert)
        for key, pk in zip(new_houses, ids, strict=True):
            self.houses[key] = (pk, new_houses[key]["micro_grid_id"])
        new_households = [g for g in groups if g.household_id is None]
        ids = bulk_insert_values(Household, [
            {"house_id": self.houses[g.house_key][0],
             "micro_grid_id": self.houses[g.house_key][1]} for g in new_households], **insert)
        for group, pk in zip(new_households, ids, strict=True):
            group.household_id = pk
        grid_of_household = {g.household_id: self.houses[g.house_key][1] for g in groups}
        self.progress("write", 2, 5)

        care_groups = list(CareGroup.objects.values_list("code", "pk", "name"))
        care_ids = {code: pk for code, pk, _name in care_groups}
        care_codes = {pk: code for code, pk, _name in care_groups}
        care_names = {code: name for code, _pk, name in care_groups}
        current_care: dict[int, tuple[str, ...]] = defaultdict(tuple)
        through = Person.care_groups.through
        grouped: dict[int, list[str]] = defaultdict(list)
        for pid, care_id in _select_in(
                f"SELECT person_id, caregroup_id FROM {_table(through)} WHERE person_id IN (%s)",
                [r.person.pk for r in rows if r.person is not None]):
            grouped[pid].append(care_codes[care_id])
        for pid, codes in grouped.items():
            current_care[pid] = tuple(sorted(codes))

        new_rows: list[_Row] = []
        changes: dict[int, tuple[_Row, list[str], str]] = {}
        events: list[dict] = []
        care_links: list[dict] = []
        care_unlink: list[int] = []
        for row in rows:
            household_id = row.group.household_id
            person = row.person
            if person is None:
                new_rows.append(row)
                continue
            changed = [f for f in COMPARED if person.values[f] != getattr(row, f)]
            care_changed = current_care[person.pk] != row.care_codes
            moved = person.household_id != household_id
            back = person.status != PersonStatus.ACTIVE
            if not (changed or care_changed or moved or back):
                self.report.unchanged += 1
                continue
            notes = []
            if care_changed:
                notes.append("关注类别:{} → {}".format(
                    "、".join(care_names[c] for c in current_care[person.pk]) or "-",
                    "、".join(care_names[c] for c in row.care_codes) or "-"))
                care_unlink.append(person.pk)
                care_links += [{"person_id": person.pk, "caregroup_id": care_ids[c]}
                               for c in row.care_codes]
            if moved or back:
                kind = PersonEventKind.MOVED_IN if back else PersonEventKind.HOUSEHOLD_CHANGED
                events.append({"person_id": person.pk, "kind": kind, "date": self.today,
                               "recorded_by_id": actor_id, "recorded_at": now, "note": reason,
                               "from_household_id": person.household_id,
                               "to_household_id": household_id})
            changes[person.pk] = (row, notes, "; ".join([reason, *notes]))
            self.touched |= {person.grid_id, grid_of_household[household_id]}

        to_update: list[Person] = []
        for chunk in _chunks(list(changes)):
            for person in Person.objects.filter(pk__in=chunk):
                row, _notes, why = changes[person.pk]
                for f in PERSON_FIELDS:
                    setattr(person, f, getattr(row, f))
                person.phone_hash = row.phone_hash
                person.household_id = row.group.household_id
                person.micro_grid_id = grid_of_household[row.group.household_id]
                person.status = PersonStatus.ACTIVE
                person.updated_at = now
                person._change_reason = why
                to_update.append(person)
        # A head stepping down first, so that the one-head constraint holds at every step.
        fields = [*PERSON_FIELDS, "phone_hash", "household", "micro_grid", "status",
                  "updated_at"]
        history = {"default_user": actor, "default_change_reason": reason, "default_date": now}
        for batch in ([p for p in to_update if p.relation != Relation.HEAD],
                      [p for p in to_update if p.relation == Relation.HEAD]):
            if batch:
                bulk_update_with_history(batch, Person, fields, batch_size=1000, **history)
        self.progress("write", 3, 5)
        households = [r.group.household_id for r in new_rows]
        ids = bulk_insert_columns(Person, {
            **{f: list(map(attrgetter(f), new_rows)) for f in PERSON_FIELDS},
            "household_id": households,
            "micro_grid_id": [grid_of_household[h] for h in households],
            "id_number": [r.id_number for r in new_rows],
            "id_number_hash": [r.id_hash for r in new_rows],
            "phone_hash": [r.phone_hash for r in new_rows],
        }, same={"status": PersonStatus.ACTIVE}, **insert)
        self.progress("write", 4, 5)
        for pid, row in zip(ids, new_rows, strict=True):
            care_links += [{"person_id": pid, "caregroup_id": care_ids[c]} for c in row.care_codes]
        for chunk in _chunks(care_unlink):
            through.objects.filter(person_id__in=chunk).delete()
        bulk_insert_values(through, care_links, now=now)
        bulk_insert_values(PersonEvent, events, now=now)
        insert_from(PersonEvent, Person, ids,
                    copied={"person_id": "id", "to_household_id": "household_id"},
                    same={"kind": PersonEventKind.REGISTERED, "date": self.today,
                          "recorded_by_id": actor_id, "recorded_at": now, "note": reason},
                    now=now)
        self.touched.update(b["micro_grid_id"] for b in new_buildings.values())
        self.touched.update(h["micro_grid_id"] for h in new_houses.values())
        self.touched.update(grid_of_household[h] for h in households)
        self.report.imported = len(new_rows)
        self.report.updated = len(to_update)
        self.progress("write", 5, 5)

    def finish(self) -> ImportReport:
        report = self.report
        report.errors = [e for number in sorted(self.errors) for e in self.errors[number]]
        report.rejected = len(self.errors)
        by_number = {r.number: r for r in self.sheet_rows if r.number in self.errors}
        report.rejected_rows = [by_number[n] for n in sorted(self.errors)]
        return report


def import_people(*, rows: Iterable[SheetRow], mode: str = Mode.ALL_OR_NOTHING, actor=None,
                  reason: str = "", progress: Callable[[str, int, int], None] | None = None,
                  today: datetime.date | None = None, filename: str = "",
                  scope: list[str] | None = None) -> ImportReport:
    """Check every row, then write (all rows, or only the valid ones in `valid-rows` mode).
    `scope` (grid-code prefixes; None: everywhere) refuses rows outside the importer's part
    of the tree."""
    if mode not in Mode.CHOICES:
        raise ValueError(f"unknown mode {mode!r}")
    importer = _Importer(
        mode=mode, actor=actor, progress=progress or (lambda stage, done, total: None),
        today=today or timezone.localdate(),
        reason=reason or _("people ledger import %(file)s") % {"file": filename},
        scope=scope,
    )
    sheet_rows = list(rows)
    # Every row stays alive until the end and none of them cycles: the collector would only
    # walk them again and again.
    with gc_paused():
        checked = importer.check_rows(sheet_rows)
        importer.resolve_places(checked)
        importer.load_people(checked)
        groups = importer.group_households(checked)
        report = importer.report
        if importer.errors and mode == Mode.ALL_OR_NOTHING:
            return importer.finish()
        with large_write(rows=len(checked)), transaction.atomic():
            importer.write(checked, groups)
            importer.progress("figures", 0, 1)
            figures_refresh(micro_grid_ids=importer.touched)
            importer.progress("figures", 1, 1)
            report.written = True
            audit_record(actor=actor, action=AuditAction.IMPORT,
                         target_type="registry.person", target_label=filename or SHEET_NAME,
                         reason=importer.reason,
                         detail={"ledger": "people", "rows": len(sheet_rows),
                                 "imported": report.imported, "updated": report.updated,
                                 "rejected": len(importer.errors)})
        return importer.finish()


def export_rows(people) -> list[list]:
    """Rows in the ledger's shape, households together with the head first."""
    rows = []
    for seq, p in enumerate(people, start=1):
        house = p.household.house
        rows.append([
            seq, p.micro_grid.code, house.building.name, house.unit, house.number,
            RELATION_LABELS[p.relation], p.name, p.id_number, SEX_LABELS[p.sex], p.birth_date,
            p.ethnic_group, p.phone, _label(POPULATION_TYPES, p.population_type),
            _label(POLITICAL, p.political_status), p.registered_address,
            "、".join(c.name for c in p.care_groups.all()), p.note,
        ])
    return rows


def _label(mapping: dict[str, str], value: str) -> str:
    return next((label for label, v_ in mapping.items() if v_ == value), "")
