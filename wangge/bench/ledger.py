"""Ledger import benchmark: a generated people ledger (.xlsx) imported into SQLite by ours
(`import_ledger`), by django-import-export (a `ModelResource` for Person, default and bulk
mode) and by a plain bulk insert (the floor), each into its own fresh database.

The parent (`wangge bench ledger`) builds one template database (migrations, the Laocheng grid
tree and buildings, none of the demo's people) and the ledger files, copies the template for
each measurement and runs it in a child process (`wangge bench ledger-run`) with DATABASE_URL
pointing at the copy; each child prints one line `LEDGER-RESULT {json}`.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from django.conf import settings

RESULT_MARK = "LEDGER-RESULT "
SEED = 20260101
BENCH_DIR = settings.VAR_DIR / "bench"
WORK_DIR = BENCH_DIR / "ledger"
PROFILE_ROWS = 20_000
REASON = "基准测试 (ledger benchmark)"


# -- the ledger file ------------------------------------------------------------------------


def ledger_file(rows: int, seed: int, first: int | None = None) -> Path:
    """Where the generated ledger of `rows` rows (or its first `first` rows) is cached."""
    suffix = f"-first{first}" if first is not None and first < rows else ""
    return BENCH_DIR / f"people-ledger-{rows}-seed{seed}{suffix}.xlsx"


def generate_rows(buildings: list[tuple[str, str]], types: dict[str, str], count: int,
                  seed: int, regions: dict[str, list[str]] | None = None) -> list[list]:
    """`count` ledger rows (in HEADER order) over the demo's buildings, drawn as the demo
    population is (wangge.demo.population), household by household, building by building.
    `regions`: the region codes the ID numbers take, by population type (default: the
    street's district for registered residents, as the demo's)."""
    from wangge.core.validators import build_resident_id
    from wangge.demo import population as pop

    rng = np.random.default_rng(seed)
    # Household sizes first, so that the rows add up to `count` exactly.
    specs: list[tuple[int, int]] = []
    total = 0
    while total < count:
        head_age = int(rng.integers(24, 88))
        size = 1 if head_age >= 70 and rng.random() < 0.35 else int(
            rng.choice([1, 2, 3, 3, 4, 4, 5]))
        size = min(size, count - total)
        specs.append((head_age, size))
        total += size
    weights = np.array([3.0 if types[grid] == "residential" else 1.0 for grid, _ in buildings])
    per_building = rng.multinomial(len(specs), weights / weights.sum())

    used_ids: set[str] = set()

    def new_id(region: str, birth: datetime.date, sex: str) -> str:
        for seq in range(int(rng.integers(0, 100)), 200):
            number = build_resident_id(region=region, birth_date=birth, sequence=seq % 100,
                                       sex=sex)
            if number not in used_ids:
                used_ids.add(number)
                return number
        raise RuntimeError("ran out of sequence numbers")

    def political(age: int) -> str:
        r = rng.random()
        if age >= 18 and r < 0.09:
            return "中共党员"
        if 14 <= age <= 28 and r < 0.35:
            return "共青团员"
        return "群众"

    rows: list[list] = []

    def person(place, relation, name, sex, birth, population, political_status, care):
        if regions:
            choices = regions[population]
            region = choices[int(rng.integers(len(choices)))] if len(choices) > 1 \
                else choices[0]
        else:
            region = "520302" if population == "户籍人口" else (
                "810000" if population == "境外人员" else
                pop.FLOATING_REGIONS[int(rng.integers(len(pop.FLOATING_REGIONS)))])
        phone = "" if rng.random() < 0.25 else \
            f"1{int(rng.choice([3, 5, 7, 8, 9]))}{int(rng.integers(0, 10**9)):09d}"
        rows.append([
            len(rows) + 1, *place, relation, name, new_id(region, birth, sex),
            "男" if sex == "male" else "女", birth, pop.ETHNIC[int(rng.integers(len(pop.ETHNIC)))],
            phone, population, political_status,
            "贵州省遵义市红花岗区老城街道" if population == "户籍人口" else "",
            "、".join(care), "",
        ])

    households = iter(specs)
    for (grid, building), n_households in zip(buildings, per_building, strict=True):
        residential = types[grid] == "residential"
        for h in range(int(n_households)):
            head_age, size = next(households)
            unit = str(1 + h % 3) if residential else ""
            floor = 1 + (h // 3) // 2 if residential else 1 + h // 4
            room = f"{floor}{1 + (h // 3) % 2:02d}" if residential else f"{1 + h}"
            place = (grid, building, unit, room)
            population = pop.draw_population_type(rng)
            surname = pop.SURNAMES[int(rng.integers(len(pop.SURNAMES)))]
            head_sex = "male" if rng.random() < 0.6 else "female"
            care = pop.draw_care_groups(rng, household_size=size, head_age=head_age)
            person(place, "户主", pop._name(rng, surname), head_sex,
                   pop._birth(rng, head_age, head_age + 1), population, political(head_age),
                   care)
            if size >= 2:
                age = max(20, head_age + int(rng.integers(-5, 6)))
                person(place, "配偶", pop._name(rng), "female" if head_sex == "male" else "male",
                       pop._birth(rng, age, age + 1), population, political(age), [])
            for _child in range(max(0, size - 2)):
                age = max(0, head_age - int(rng.integers(22, 36)))
                sex = "male" if rng.random() < 0.5 else "female"
                child_care = ["留守儿童"] if age < 16 and rng.random() < 0.03 else []
                person(place, "子" if sex == "male" else "女", pop._name(rng, surname), sex,
                       pop._birth(rng, age, age + 1), population, political(age), child_care)
    assert len(rows) == count
    return rows


def write_ledger(path: Path, rows: list[list]) -> None:
    from wangge.registry.ledgers.files import LEDGERS

    ledger = LEDGERS["people"]
    tmp = path.with_suffix(".tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("wb") as fh:
        from wangge.registry.ledgers.tabular import write_sheet

        write_sheet(fh, sheet_name=ledger.sheet, header=ledger.header, rows=rows,
                    title=ledger.title, text_columns=ledger.text_columns)
    tmp.replace(path)


# -- in a child: one measurement against its own database -----------------------------------


def child_setup(*, rows: int, seed: int, subsets: list[int]) -> dict:
    """Migrate, load the Laocheng grid tree and buildings, and write any missing ledger file."""
    from django.core.management import call_command
    from django.db import transaction

    from wangge.demo import laocheng, population
    from wangge.grids.models import GridType
    from wangge.grids.services import grids_import_geojson
    from wangge.registry.models import Building
    from wangge.registry.services import PlacedItem, buildings_create_located

    timings = {}
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    timings["migrate_s"] = time.perf_counter() - started
    nodes = laocheng.generate()
    with transaction.atomic():
        for order, (code, name, description) in enumerate(laocheng.GRID_TYPES):
            GridType.objects.get_or_create(code=code, defaults={
                "name": name, "description": description, "sort_order": order})
        grids_import_geojson(data=laocheng.feature_collection(nodes), actor=None, reason=REASON)
    micro_grids = population.micro_grids_from_db()
    pop = population.generate(micro_grids)
    buildings_create_located(items=[
        PlacedItem(lon, lat, {"name": name}) for _code, name, lon, lat in pop.buildings
    ], actor=None, reason=REASON)
    # Buildings as located: the ledger names the micro-grid each one actually is in.
    located = list(Building.objects.order_by("id").values_list("micro_grid__code", "name"))
    timings["grids_buildings_s"] = time.perf_counter() - started - timings["migrate_s"]
    files = {}
    big = ledger_file(rows, seed)
    wanted = [ledger_file(rows, seed, first=n) for n in subsets] + [big]
    if not all(p.exists() for p in wanted):
        t0 = time.perf_counter()
        types = {m.code: m.type_code for m in micro_grids}
        data = generate_rows(located, types, rows, seed)
        timings["generate_rows_s"] = time.perf_counter() - t0
        for n in sorted(set(subsets)):
            path = ledger_file(rows, seed, first=n)
            if not path.exists():
                write_ledger(path, data[:n])
        if not big.exists():
            t0 = time.perf_counter()
            write_ledger(big, data)
            timings["write_xlsx_s"] = time.perf_counter() - t0
    for path in wanted:
        files[path.name] = round(path.stat().st_size / 2**20, 1)
    return {"micro_grids": len(micro_grids), "buildings": len(located), "files_mb": files,
            **{k: round(v, 2) for k, v in timings.items()}}


def _counts() -> dict:
    from wangge.registry.models import House, Household, Person, PersonEvent

    return {
        "people": Person.objects.count(),
        "people_history": Person.history.count(),
        "households": Household.objects.count(),
        "houses": House.objects.count(),
        "care_links": Person.care_groups.through.objects.count(),
        "person_events": PersonEvent.objects.count(),
    }


def ours_import(path: Path) -> dict:
    """Ours on one file: seconds, the report and the stages, in the current database."""
    from wangge.registry.ledgers.files import import_ledger

    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        marks.setdefault(f"{stage}_first", now)
        marks[f"{stage}_last"] = now

    started = time.perf_counter()
    with path.open("rb") as fh:
        report = import_ledger(kind="people", file=fh, filename=path.name, progress=progress)
    total = time.perf_counter() - started
    out = {"seconds": round(total, 3), "report": report.summary(), "written": report.written,
           "imported": report.imported, "rejected": report.rejected,
           "errors": [str(e) for e in report.errors[:5]]}
    if {"check_first", "check_last", "write_first", "write_last"} <= marks.keys():
        # Stage boundaries from the importer's progress calls (approximate: "read" ends when
        # the first row has been checked, "write" starts after new buildings are inserted).
        # "figures": recounting the micro-grids the import touched (registry.figures).
        figures_end = marks.get("figures_last", marks["write_last"])
        out["stages_s"] = {
            "read": round(marks["check_first"] - started, 3),
            "check": round(marks["check_last"] - marks["check_first"], 3),
            "link": round(marks["write_first"] - marks["check_last"], 3),
            "write": round(marks["write_last"] - marks["write_first"], 3),
            **({"figures": round(figures_end - marks["write_last"], 3)}
               if "figures_last" in marks else {}),
            "commit_audit": round(started + total - figures_end, 3),
        }
    return out


def child_ours(path: Path, *, reimport: bool) -> dict:
    from wangge.registry.ledgers.files import import_ledger

    out = ours_import(path)
    if reimport:
        started = time.perf_counter()
        with path.open("rb") as fh:
            again = import_ledger(kind="people", file=fh, filename=path.name)
        out["reimport_seconds"] = round(time.perf_counter() - started, 3)
        out["reimport_report"] = again.summary()
        out["reimport_unchanged"] = again.unchanged
        out["reimport_errors"] = [str(e) for e in again.errors[:5]]
    out["counts"] = _counts()
    return out


def child_profile(path: Path) -> str:
    """Ours under cProfile: the import, then the re-import of the same file."""
    import cProfile
    import io
    import pstats

    from wangge.registry.ledgers.files import import_ledger

    text = io.StringIO()
    for label in ("import", "re-import (all unchanged)"):
        profiler = cProfile.Profile()
        with path.open("rb") as fh:
            profiler.enable()
            report = import_ledger(kind="people", file=fh, filename=path.name)
            profiler.disable()
        text.write(f"== {label}: {report.summary()}\n")
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
    return text.getvalue()


def _person_resource(*, bulk: bool):
    """A django-import-export resource for the people ledger, as a careful user would write
    it: the Chinese columns mapped to fields, the keyed hashes computed by widgets, and the
    micro-grid, building, house and household resolved per row (get_or_create)."""
    from import_export import fields, instance_loaders, resources, widgets

    from wangge.grids.choices import Tier
    from wangge.grids.models import Grid
    from wangge.registry.choices import HouseUse
    from wangge.registry.ledgers import people as ledger
    from wangge.registry.models import Building, CareGroup, House, Household, Person
    from wangge.registry.services import id_number_hash as hash_id
    from wangge.registry.services import phone_hash as hash_phone

    def text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    class Choice(widgets.Widget):
        def __init__(self, mapping: dict, *, blank: bool = False):
            super().__init__()
            self.mapping, self.blank = mapping, blank

        def clean(self, value, row=None, **kwargs):
            label = text(value)
            if not label and self.blank:
                return ""
            if label not in self.mapping:
                raise ValueError(f"'{label}' is not one of: {'、'.join(self.mapping)}")
            return self.mapping[label]

    class Hash(widgets.Widget):
        def __init__(self, fn):
            super().__init__()
            self.fn = fn

        def clean(self, value, row=None, **kwargs):
            return self.fn(text(value))

    class Text(widgets.CharWidget):
        def clean(self, value, row=None, **kwargs):
            return text(value)

    def field(attribute: str, column: str, widget=None):
        return fields.Field(attribute=attribute, column_name=column, widget=widget or Text())

    class PersonResource(resources.ModelResource):
        name = field("name", ledger.COL_NAME)
        id_number = field("id_number", ledger.COL_ID)
        id_number_hash = field("id_number_hash", ledger.COL_ID, Hash(hash_id))
        sex = field("sex", ledger.COL_SEX, Choice({"男": "male", "女": "female"}))
        birth_date = field("birth_date", ledger.COL_BIRTH, widgets.DateWidget("%Y-%m-%d"))
        ethnic_group = field("ethnic_group", ledger.COL_ETHNIC)
        phone = field("phone", ledger.COL_PHONE)
        phone_hash = field("phone_hash", ledger.COL_PHONE, Hash(hash_phone))
        population_type = field("population_type", ledger.COL_POPULATION, Choice(
            {**ledger.POPULATION_TYPES, **ledger.POPULATION_ALIASES}))
        political_status = field("political_status", ledger.COL_POLITICAL, Choice(
            {**ledger.POLITICAL, **ledger.POLITICAL_ALIASES}, blank=True))
        registered_address = field("registered_address", ledger.COL_ADDRESS)
        note = field("note", ledger.COL_NOTE)
        relation = field("relation", ledger.COL_RELATION, Choice(ledger.RELATIONS))
        care_groups = field("care_groups", ledger.COL_CARE,
                            widgets.ManyToManyWidget(CareGroup, separator="、", field="name"))

        class Meta:
            model = Person
            fields = ("name", "id_number", "id_number_hash", "sex", "birth_date",
                      "ethnic_group", "phone", "phone_hash", "population_type",
                      "political_status", "registered_address", "note", "relation",
                      "care_groups")
            import_id_fields = ("id_number_hash",)
            use_bulk = bulk
            batch_size = 1000
            # The documented settings for speed in bulk mode.
            skip_diff = bulk
            if bulk:
                instance_loader_class = instance_loaders.CachedInstanceLoader

        def before_import(self, dataset, **kwargs):
            self.grid_ids = dict(Grid.objects.filter(tier=Tier.MICRO_GRID)
                                 .values_list("code", "pk"))

        def before_import_row(self, row, **kwargs):
            grid_id = self.grid_ids[text(row[ledger.COL_GRID])]
            building, _ = Building.objects.get_or_create(
                micro_grid_id=grid_id, name=text(row[ledger.COL_BUILDING]))
            floating = text(row[ledger.COL_POPULATION]) in ("流动人口", "流动")
            house, _ = House.objects.get_or_create(
                building=building, unit=text(row[ledger.COL_UNIT]),
                number=text(row[ledger.COL_ROOM]),
                defaults={"micro_grid_id": grid_id,
                          "use": HouseUse.RENTED if floating else HouseUse.OWNER_OCCUPIED})
            # One household per house in this ledger: the head's row makes it.
            household = Household.objects.filter(house=house).first()
            if household is None:
                household = Household.objects.create(house=house, micro_grid_id=grid_id)
            self.household = household

        def after_init_instance(self, instance, new, row, **kwargs):
            instance.household = self.household
            instance.micro_grid_id = self.household.micro_grid_id

    return PersonResource()


def child_iex(path: Path, *, bulk: bool) -> dict:
    return {**iex_import(path, bulk=bulk), "counts": _counts()}


def iex_import(path: Path, *, bulk: bool) -> dict:
    """django-import-export on one file, in the current database."""
    import import_export
    import tablib

    from wangge.registry.ledgers.files import read_ledger
    from wangge.registry.ledgers.people import HEADER

    resource = _person_resource(bulk=bulk)
    started = time.perf_counter()
    # django-import-export reads xlsx through tablib + openpyxl, which the bench extra does
    # not install; the sheet is read with the same reader as ours (python-calamine).
    with path.open("rb") as fh:
        sheet = read_ledger(kind="people", file=fh, filename=path.name)
    dataset = tablib.Dataset(headers=HEADER)
    for row in sheet.rows:
        dataset.append([row.values.get(column) for column in HEADER])
    read_s = time.perf_counter() - started
    result = resource.import_data(dataset, raise_errors=False)
    total = time.perf_counter() - started
    errors = [str(e.error) for _n, errs in result.row_errors() for e in errs][:3]
    errors += [str(e.error) for e in result.base_errors][:3]
    invalid = [str(r.error) for r in result.invalid_rows][:3]
    return {"seconds": round(total, 3), "read_s": round(read_s, 3), "rows": len(dataset),
            "version": import_export.__version__, "totals": dict(result.totals),
            "has_errors": result.has_errors(), "errors": errors, "invalid": invalid}


def _prepared_people(path: Path) -> list[dict]:
    """The ledger's rows as validated Person values, with houses and households made
    beforehand (not timed): what is left for the floor is writing the people."""
    from django.db import transaction

    from wangge.core import validators as v
    from wangge.core.bulk import bulk_insert
    from wangge.registry.choices import PersonStatus
    from wangge.registry.ledgers import people as ledger
    from wangge.registry.ledgers.files import read_ledger
    from wangge.registry.models import Building, House, Household
    from wangge.registry.services import id_number_hash, phone_hash

    with path.open("rb") as fh:
        sheet = read_ledger(kind="people", file=fh, filename=path.name)
    buildings = {(code, name): (pk, grid) for pk, grid, code, name in
                 Building.objects.values_list("pk", "micro_grid_id", "micro_grid__code",
                                              "name")}
    keyed: dict[tuple, Household] = {}
    houses, households, out = [], [], []
    for sheet_row in sheet.rows:
        values = sheet_row.values
        text = {c: v.normalize_text(values.get(c)) for c in ledger.HEADER}
        building_id, grid_id = buildings[(text[ledger.COL_GRID], text[ledger.COL_BUILDING])]
        key = (building_id, text[ledger.COL_UNIT], text[ledger.COL_ROOM])
        if key not in keyed:
            house = House(building_id=building_id, micro_grid_id=grid_id, unit=key[1],
                          number=key[2])
            keyed[key] = Household(house=house, micro_grid_id=grid_id)
            houses.append(house)
            households.append(keyed[key])
        rid = v.parse_resident_id(values[ledger.COL_ID])
        phone = v.parse_phone(values.get(ledger.COL_PHONE))
        out.append({
            "household": keyed[key], "micro_grid_id": grid_id,
            "relation": ledger.RELATIONS[text[ledger.COL_RELATION]],
            "name": text[ledger.COL_NAME], "id_number": rid.number,
            "id_number_hash": id_number_hash(rid.number), "sex": rid.sex,
            "birth_date": rid.birth_date, "ethnic_group": text[ledger.COL_ETHNIC],
            "phone": phone, "phone_hash": phone_hash(phone),
            "population_type": ledger.POPULATION_TYPES[text[ledger.COL_POPULATION]],
            "political_status": ledger.POLITICAL.get(text[ledger.COL_POLITICAL], ""),
            "registered_address": text[ledger.COL_ADDRESS], "note": text[ledger.COL_NOTE],
            "status": PersonStatus.ACTIVE,
        })
    with transaction.atomic():
        bulk_insert(houses, reason=REASON)
        bulk_insert(households, reason=REASON)
    for values in out:
        values["household_id"] = values.pop("household").pk
    return out


def child_plain(path: Path) -> dict:
    """The floor through our own fast path: `bulk_insert_values` (encrypts the ID number and
    phone, writes the history rows) in one transaction."""
    from django.db import transaction

    from wangge.core.bulk import bulk_insert_values
    from wangge.registry.models import Person

    rows = _prepared_people(path)
    started = time.perf_counter()
    with transaction.atomic():
        bulk_insert_values(Person, rows, reason=REASON)
    total = time.perf_counter() - started
    return {"seconds": round(total, 3), "rows": len(rows), "counts": _counts()}


def child_raw(path: Path) -> dict:
    """The bare floor: one `executemany` of ready tuples (ciphertexts and dates already
    converted) into registry_person alone, in one transaction; no history."""
    from django.db import connection, models, transaction

    from wangge.core.bulk import _converter, reserve_ids
    from wangge.registry.models import Person

    rows = _prepared_people(path)
    fields = [f for f in Person._meta.concrete_fields]
    now = _converter(models.DateTimeField())(datetime.datetime.now(datetime.UTC))
    ids = iter(reserve_ids(Person, len(rows)))
    prepared = []
    convs = [(f.attname, _converter(f), f.get_default(),
              getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
             for f in fields]
    for row in rows:
        row["id"] = next(ids)
        values = []
        for attname, conv, default, auto in convs:
            value = row.get(attname, default)
            if auto and value is None:
                value = now
            elif conv is not None and value is not None:
                value = conv(value)
            values.append(value)
        prepared.append(tuple(values))
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(Person._meta.db_table)} "
           f"({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, prepared)
    total = time.perf_counter() - started
    return {"seconds": round(total, 3), "rows": len(rows), "counts": _counts()}


def run_child(which: str, *, db: str, file: str | None, rows: int, seed: int,
              subsets: list[int], reimport: bool) -> dict | str:
    """The body of `wangge bench ledger-run`: refuses to run against any other database."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or Path(name).resolve() != Path(db).resolve():
        raise RuntimeError(f"ledger-run needs DATABASE_URL=sqlite:///{db} (got {name})")
    if which == "setup":
        return child_setup(rows=rows, seed=seed, subsets=subsets)
    path = Path(file or ledger_file(rows, seed))
    if which == "ours":
        return child_ours(path, reimport=reimport)
    if which == "profile":
        return child_profile(path)
    if which in ("iex", "iex-bulk"):
        return child_iex(path, bulk=which == "iex-bulk")
    if which == "plain":
        return child_plain(path)
    if which == "raw":
        return child_raw(path)
    raise ValueError(which)


# -- in the parent ----------------------------------------------------------------------------


def _child(which: str, db: Path, *, echo, file: Path | None = None,
           extra: tuple[str, ...] | list[str] = (), template: Path | None = None) -> dict | str:
    if template is not None:
        shutil.copyfile(template, db)
    elif db.exists():
        db.unlink()
    args = [sys.executable, "-m", "wangge", "bench", "ledger-run", "--which", which,
            "--db", str(db), *extra]
    if file is not None:
        args += ["--file", str(file)]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    load = (round(load_before, 2), round(os.getloadavg()[0], 2))
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            result = json.loads(line[len(RESULT_MARK):])
        elif line.strip():
            echo(line)
    if template is not None and db.exists():
        db.unlink()
    if proc.returncode != 0 or result is None:
        tail = proc.stderr.strip().splitlines()[-15:]
        for line in tail:
            echo(f"    {line}")
        return {"failed": True, "returncode": proc.returncode, "stderr_tail": tail}
    if isinstance(result, dict):
        result["wall_s"] = round(wall, 1)
        result["load_1min"] = load
    return result


def describe_machine(described: dict[str, str]) -> dict[str, str]:
    """The machine as `machine.describe()` has it, with the database every measurement here
    uses (SQLite files, whatever DATABASE_URL says) and the libraries that matter."""
    import sqlite3
    from importlib.metadata import PackageNotFoundError, version

    out = {**described, "database": f"sqlite {sqlite3.sqlite_version} (a file per run)"}
    for package in ("django", "django-import-export", "django-simple-history", "tablib",
                    "python-calamine", "xlsxwriter", "cryptography"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "not installed"
    return out


def _rate(rows: int, seconds) -> int | None:
    return round(rows / seconds) if seconds else None


def run(*, rows: int, iex_rows: int, seed: int = SEED, profile: bool = False,
        echo=print) -> dict:
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    iex_rows = min(iex_rows, rows)
    profile_rows = min(PROFILE_ROWS, rows)
    big = ledger_file(rows, seed)
    subset = ledger_file(rows, seed, first=iex_rows)
    template = WORK_DIR / "template.sqlite3"
    subsets = [iex_rows] + ([profile_rows] if profile else [])
    echo(f"ledger: template database (grid tree + buildings) and {big.name}…")
    setup = _child("setup", template, echo=echo, extra=[
        "--rows", str(rows), "--seed", str(seed), "--subsets", ",".join(map(str, subsets))])
    if setup.get("failed"):
        raise RuntimeError("could not set up the template database")
    echo(f"  {setup}")
    runs: dict[str, dict] = {"setup": setup}
    plan = [
        ("ours", "ours", big, ["--reimport"], f"ours, {rows:,} rows (+ re-import)"),
        ("ours_subset", "ours", subset, [], f"ours, first {iex_rows:,} rows"),
        ("iex", "iex", subset, [], f"django-import-export, first {iex_rows:,} rows"),
        ("iex_bulk", "iex-bulk", subset, [],
         f"django-import-export use_bulk, first {iex_rows:,} rows"),
        ("plain", "plain", big, [], f"floor: bulk_insert_values, {rows:,} rows"),
        ("raw", "raw", big, [], f"floor: raw executemany, {rows:,} rows"),
    ]
    for key, which, file, extra, label in plan:
        echo(f"ledger: {label}…")
        runs[key] = _child(which, WORK_DIR / f"{key}.sqlite3", echo=echo, file=file,
                           extra=["--rows", str(rows), *extra], template=template)
        shown = {k: v for k, v in runs[key].items() if k != "counts"}
        echo(f"  {shown}")
        if "counts" in runs[key]:
            echo(f"  counts: {runs[key]['counts']}")
    if profile:
        echo(f"ledger: ours under cProfile, first {profile_rows:,} rows…")
        text = _child("profile", WORK_DIR / "profile.sqlite3", echo=echo,
                      file=ledger_file(rows, seed, first=profile_rows),
                      extra=["--rows", str(rows)], template=template)
        if isinstance(text, str):
            echo(text)
    template.unlink(missing_ok=True)
    return summarise(runs, rows=rows, iex_rows=iex_rows, seed=seed, file=big)


def summarise(runs: dict, *, rows: int, iex_rows: int, seed: int, file: Path) -> dict:
    ours, sub = runs["ours"], runs["ours_subset"]
    iex, bulk = runs["iex"], runs["iex_bulk"]
    plain, raw = runs["plain"], runs["raw"]
    ours_s = None if ours.get("failed") or not ours.get("written") else ours["seconds"]
    ours_rate = _rate(rows, ours_s)
    sub_rate = _rate(iex_rows, None if sub.get("failed") else sub.get("seconds"))
    iex_rate = _rate(iex_rows, None if iex.get("failed") else iex.get("seconds"))
    bulk_rate = _rate(iex_rows, None if bulk.get("failed") else bulk.get("seconds"))
    plain_s = None if plain.get("failed") else plain["seconds"]
    raw_s = None if raw.get("failed") else raw["seconds"]

    def ratio(a, b):
        return round(a / b, 1) if a and b else None

    counts = ours.get("counts", {})
    bulk_counts = bulk.get("counts", {})
    if bulk.get("failed") or bulk.get("has_errors"):
        bulk_note = "fails: " + "; ".join(bulk.get("errors") or bulk.get("stderr_tail", [])[-1:])
    else:
        lost = []
        if bulk_counts.get("people_history", 0) < bulk_counts.get("people", 0):
            lost.append(f"{bulk_counts.get('people_history', 0)} person history rows")
        if bulk_counts.get("care_links", 0) == 0:
            lost.append("no care-group links (m2m skipped in bulk mode)")
        bulk_note = "works" + (f", but writes {'; '.join(lost)}" if lost else "")
    return {
        "rows": rows,
        "seed": seed,
        "file": file.name,
        "file_mb": runs["setup"].get("files_mb", {}).get(file.name),
        "households": counts.get("households"),
        "ours_s": ours_s,
        "ours_rows_per_s": ours_rate,
        "ours_report": ours.get("report") or ours.get("stderr_tail", [""])[-1],
        "ours_stages_s": ours.get("stages_s"),
        "ours_reimport_s": ours.get("reimport_seconds"),
        "ours_reimport_report": ours.get("reimport_report"),
        "ours_target_10s_met": ours_s is not None and ours_s <= 10,
        "iex_rows": iex_rows,
        "ours_subset_s": sub.get("seconds"),
        "ours_subset_rows_per_s": sub_rate,
        "iex_s": iex.get("seconds"),
        "iex_rows_per_s": iex_rate,
        "iex_totals": iex.get("totals"),
        "iex_bulk_s": bulk.get("seconds"),
        "iex_bulk_rows_per_s": bulk_rate,
        "iex_bulk_totals": bulk.get("totals"),
        "iex_bulk_note": bulk_note,
        "speedup_vs_iex": ratio(ours_rate, iex_rate),
        "speedup_vs_iex_bulk": ratio(ours_rate, bulk_rate),
        "speedup_vs_iex_same_subset": ratio(sub_rate, iex_rate),
        "floor_s": plain_s,
        "floor_rows_per_s": _rate(rows, plain_s),
        "raw_s": raw_s,
        "raw_rows_per_s": _rate(rows, raw_s),
        "ours_over_floor": ratio(ours_s, plain_s),
        "ours_over_raw": ratio(ours_s, raw_s),
        "counts_after_ours": counts,
        "counts_after_iex": iex.get("counts"),
        "counts_after_iex_bulk": bulk_counts,
        "versions": {"django-import-export": iex.get("version") or bulk.get("version")},
        # Other work on the machine during the runs (1-minute load average before/after each).
        "load_1min": {key: run.get("load_1min") for key, run in runs.items()},
    }
