"""`wangge bench generate --scale street|district|city`: deterministic synthetic data at the
size of a street, a district (10 streets) or a city (100 streets).

- **street** is the Laocheng demo with its case history, on any database (`demo_load`).
- **district** and **city** need PostgreSQL (a database whose name contains "bench"; its
  contents are replaced). The grid tree is the Laocheng street copied side by side (street
  0 of district 520302 is Laocheng itself, codes and all; the others get their own codes
  and names), with a district and a city node above; the population is the Laocheng
  demo's, drawn once and copied into every street with new, valid and unique resident ID
  numbers and phones (encrypted and hashed as the application does); the cases are drawn
  over three years in every micro-grid (`bench.cases.generate`). Everything is written
  with PostgreSQL `COPY`, the indexes that back no constraint dropped before and made again
  after; the case figures are rebuilt from the cases.

What the bulk path leaves out on purpose: history rows of the generated grids, buildings
and people (the application writes them on every change it makes; a generated city starts
from no history), care groups and person events, organisations, facilities and accounts
beyond the Laocheng street's.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

NAME = "generate"
HELP = "deterministic synthetic data: a street (any database), a district or a city (PostgreSQL)"
SEED = 20261127
STREETS = {"street": 1, "district": 10, "city": 100}
CASES_PER_STREET = 50_000  # three years; a city of 100 streets has 5,000,000
CITY_CODE, CITY_NAME = "5203", "遵义市(合成)"
DISTRICTS = ["红花岗区", "汇川区", "播州区", "新蒲新区", "南部新区", "桐梓县", "绥阳县",
             "湄潭县", "凤冈县", "余庆县"]
STREET_WORDS = ["老城", "中华路", "延安路", "万里路", "南门关", "舟水桥", "中山路", "迎红",
                "长征", "北京路"]
# The weights of the GB 11643 check digit, and the check characters by remainder.
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK = np.array(list("10X98765432"))
# Region codes given to generated people: registered residents take their street's
# district, others one of these (floating population and overseas persons).
OTHER_REGIONS = ["520102", "520103", "520111", "520202", "520203", "520321", "520322",
                 "520323", "510104", "500103", "430102", "810000"]


def add_arguments(parser) -> None:
    parser.add_argument("--scale", choices=sorted(STREETS), default="street")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--streets", type=int, default=None,
                        help="streets to build (default: 1, 10 or 100 by --scale)")
    parser.add_argument("--cases-per-street", type=int, default=CASES_PER_STREET)
    parser.add_argument("--replace", action="store_true",
                        help="empty the database first if it holds data")
    parser.add_argument("--write", action="store_true",
                        help="write var/bench/results.json and docs/benchmarks.md")


# --- COPY --------------------------------------------------------------------------------------


def _copy(cursor, table: str, columns: list[str], lines: Iterable[str]) -> None:
    """COPY ready text lines (tab-separated, \\N for NULL) into a table."""
    from django.db import connection

    qn = connection.ops.quote_name
    sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    with queued_copy(cursor, sql) as copy:
        buffer: list[str] = []
        for line in lines:
            buffer.append(line)
            if len(buffer) >= 50_000:
                copy.write("".join(buffer))
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))


def queued_copy(cursor, sql: str):
    """`COPY … FROM STDIN` whose writes are sent by a thread of psycopg's: the next chunk is
    formatted in Python while PostgreSQL takes in the last one (on another core)."""
    from psycopg.copy import QueuedLibpqWriter

    raw = cursor.cursor
    return raw.copy(sql, writer=QueuedLibpqWriter(raw))


def _secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
        "AND NOT x.indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)", [table])
    return cursor.fetchall()


def _next_id(cursor, table: str) -> int:
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
    return int(cursor.fetchone()[0])


def _set_sequence(cursor, table: str) -> None:
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                   f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))')


# --- the grid tree -----------------------------------------------------------------------------


def street_code(index: int) -> str:
    """Street `index` (0-based): district 520302 + index // 10, street 001 + index % 10.
    Street 0 is Laocheng (520302001)."""
    return f"{CITY_CODE}{2 + index // 10:02d}{1 + index % 10:03d}"


def _tree(streets: int) -> list[dict[str, Any]]:
    """Every node of the generated tree, parents before children, as column values."""
    import shapely

    from wangge.demo import laocheng
    from wangge.grids.geometry import area_m2

    base = laocheng.generate()
    street_node = base[0]
    minx, miny, maxx, maxy = street_node.geom.bounds
    step_x, step_y = (maxx - minx) * 1.08, (maxy - miny) * 1.08
    geoms = np.array([n.geom for n in base], dtype=object)
    areas = [area_m2(n.geom) for n in base]
    nodes: list[dict[str, Any]] = []
    districts = sorted({street_code(s)[:6] for s in range(streets)})
    outlines: dict[str, list] = {d: [] for d in districts}
    for s in range(streets):
        code = street_code(s)
        col, row = s % 10, s // 10
        moved = shapely.transform(geoms, lambda xy, dx=col * step_x, dy=-row * step_y:
                                  xy + np.array([dx, dy]))
        outlines[code[:6]].append(moved[0])
        for node, geom, area in zip(base, moved, areas, strict=True):
            new_code = code + node.code[9:]
            name = node.name if node.code != street_node.code else (
                laocheng.STREET_NAME if s == 0
                else f"{STREET_WORDS[s % 10]}第{s // 10 + 1}街道")
            nodes.append({"code": new_code, "name": name, "geom": geom, "area": area,
                          "level": node.level, "type_code": node.type_code})
    top = [{"code": CITY_CODE, "name": CITY_NAME,
            "geom": shapely.union_all([shapely.union_all(v) for v in outlines.values()])}]
    for d in districts:
        top.append({"code": d, "name": DISTRICTS[int(d[4:6]) - 2],
                    "geom": shapely.union_all(outlines[d])})
    for node in top:
        node.update(area=area_m2(node["geom"]), level="", type_code="")
    return top + nodes


def write_grids(cursor, streets: int, echo) -> dict[str, int]:
    """The tree with COPY; returns {code: id} of every node."""
    import json

    import shapely
    from django.utils import timezone

    from wangge.grids.choices import TIER_BY_CODE_LENGTH
    from wangge.grids.models import BoundaryRevision, Grid, GridType

    nodes = _tree(streets)
    types = dict(GridType.objects.values_list("code", "pk"))
    table = Grid._meta.db_table
    first = _next_id(cursor, table)
    ids = {n["code"]: first + i for i, n in enumerate(nodes)}
    now = timezone.now().isoformat()
    geojson = shapely.to_geojson(np.array([n["geom"] for n in nodes], dtype=object))
    bounds = shapely.bounds(np.array([n["geom"] for n in nodes], dtype=object))

    def lines():
        for i, node in enumerate(nodes):
            code = node["code"]
            parent = next((ids[code[:k]] for k in (15, 12, 9, 6, 4)
                           if k < len(code) and code[:k] in ids), None)
            boundary = json.dumps(json.loads(geojson[i]), separators=(",", ":"))
            yield "\t".join([
                str(ids[code]), TIER_BY_CODE_LENGTH[len(code)], code, node["name"],
                "\\N" if parent is None else str(parent), boundary,
                *(repr(float(v)) for v in bounds[i]), repr(node["area"]),
                str(types[node["type_code"]]) if node["type_code"] else "\\N",
                node["level"], now, now]) + "\n"

    columns = ["id", "tier", "code", "name", "parent_id", "boundary", "min_lon", "min_lat",
               "max_lon", "max_lat", "area_m2", "grid_type_id", "level", "created_at",
               "updated_at"]
    _copy(cursor, table, columns, lines())
    _set_sequence(cursor, table)
    revision = BoundaryRevision.objects.first()
    if revision is None:
        BoundaryRevision.objects.create(revision=1)
    else:
        BoundaryRevision.objects.filter(pk=revision.pk).update(revision=revision.revision + 1)
    echo(f"  grids: {len(nodes):,} nodes, "
         f"{sum(1 for n in nodes if len(n['code']) == 18):,} micro-grids")
    return ids


# --- the population ----------------------------------------------------------------------------


def _laocheng_people() -> dict[str, Any]:
    """The Laocheng demo population drawn once, as arrays and per-house lists to copy."""
    from wangge.demo import population
    from wangge.registry.ledgers import people as ledger

    pop = population.generate(population.micro_grids_from_db())
    buildings = [(code, name, lon, lat) for code, name, lon, lat in pop.buildings]
    building_index = {(code, name): i for i, (code, name, _lon, _lat) in enumerate(buildings)}
    houses: dict[tuple, int] = {}
    house_rows: list[tuple[int, str, str, str]] = []  # building index, unit, room, use
    people: list[tuple] = []
    for row in pop.people_rows:
        v = row.values
        b = building_index[(v[ledger.COL_GRID], v[ledger.COL_BUILDING])]
        key = (b, v[ledger.COL_UNIT], v[ledger.COL_ROOM])
        population_type = ledger.POPULATION_TYPES[v[ledger.COL_POPULATION]]
        if key not in houses:
            houses[key] = len(house_rows)
            house_rows.append((b, key[1], key[2], "rented" if population_type != "registered"
                               else "owner_occupied"))
        number = v[ledger.COL_ID]
        people.append((houses[key], ledger.RELATIONS[v[ledger.COL_RELATION]],
                       v[ledger.COL_NAME], "male" if v[ledger.COL_SEX] == "男" else "female",
                       number[6:14], v[ledger.COL_ETHNIC], bool(v[ledger.COL_PHONE]),
                       population_type, ledger.POLITICAL.get(v[ledger.COL_POLITICAL], ""),
                       v[ledger.COL_ADDRESS]))
    return {"buildings": buildings, "houses": house_rows, "people": people}


def _id_numbers(regions: np.ndarray, births: np.ndarray, male: np.ndarray,
                seen: dict[str, int]) -> np.ndarray:
    """Valid, unique 18-character resident ID numbers: region + birth date + a sequence
    numbered within each (region, birth date) whose parity gives the sex + check digit.
    `seen` counts the numbers already given per (region, birth date) by earlier calls."""
    key = np.char.add(regions, births)
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    order = np.argsort(inverse, kind="stable")
    group_start = np.r_[0, np.cumsum(counts)[:-1]]
    rank = np.empty(len(key), dtype=np.int64)
    rank[order] = np.arange(len(key)) - np.repeat(group_start, counts)
    uniq_list = uniq.tolist()
    before = np.array([seen.get(k, 0) for k in uniq_list], dtype=np.int64)
    for k, n in zip(uniq_list, counts.tolist(), strict=True):
        seen[k] = seen.get(k, 0) + n
    rank += before[inverse]
    if rank.max() >= 500:
        raise RuntimeError("too many people share a region and birth date")
    sequence = rank * 2 + male.astype(np.int64)  # odd for men (GB 11643)
    body = np.char.add(key, np.char.zfill(sequence.astype(str), 3))
    digits = np.frombuffer("".join(body.tolist()).encode(), dtype=np.uint8).reshape(-1, 17) - 48
    check = ID_CHECK[(digits.astype(np.int64) @ ID_WEIGHTS) % 11]
    return np.char.add(body, check)


def write_population(cursor, streets: int, grid_ids: dict[str, int], seed: int,
                     echo) -> dict[str, Any]:
    from django.utils import timezone

    from wangge.registry.models import Building, House, Household, Person

    started = time.perf_counter()
    base = _laocheng_people()
    echo(f"  population: the Laocheng population drawn in {time.perf_counter() - started:.1f} s")
    rng = np.random.default_rng(seed)
    now = timezone.now().isoformat()
    b_table, h_table = Building._meta.db_table, House._meta.db_table
    hh_table, p_table = Household._meta.db_table, Person._meta.db_table
    # A bulk load of rows made consistent here: the foreign-key triggers are off for this
    # transaction (superuser), and the indexes that back no constraint are made after.
    cursor.execute("SET LOCAL session_replication_role = replica")
    dropped = {t: _secondary_indexes(cursor, t) for t in (b_table, h_table, hh_table, p_table)}
    for indexes in dropped.values():
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    b0, h0 = _next_id(cursor, b_table), _next_id(cursor, h_table)
    hh0, p0 = _next_id(cursor, hh_table), _next_id(cursor, p_table)
    nb, nh, npeople = len(base["buildings"]), len(base["houses"]), len(base["people"])
    people = base["people"]
    births = np.array([p[4] for p in people])
    male = np.array([p[3] == "male" for p in people])
    registered = np.array([p[7] == "registered" for p in people])
    has_phone = np.array([p[6] for p in people])
    building_of_house = [h[0] for h in base["houses"]]
    encrypt_s = 0.0
    seen: dict[str, int] = {}
    # Encryption and keyed hashes on every core (forked workers share the settings).
    pool = ProcessPoolExecutor(max_workers=os.cpu_count() or 1,
                               mp_context=multiprocessing.get_context("fork"))
    for s in range(streets):
        code = street_code(s)
        district = code[:6]
        micro = [grid_ids[code + b[0][9:]] for b in base["buildings"]]
        shift = _offset(s)  # the step its micro-grids' boundaries were moved by

        def building_lines(s=s, micro=micro, shift=shift):
            for i, (_code, name, lon, lat) in enumerate(base["buildings"]):
                yield (f"{b0 + s * nb + i}\t{micro[i]}\t{name}\t\t{lon + shift[0]!r}\t"
                       f"{lat + shift[1]!r}\tf\t{now}\t{now}\n")

        _copy(cursor, b_table, ["id", "micro_grid_id", "name", "address", "lon", "lat",
                                "grid_set_by_hand", "created_at", "updated_at"],
              building_lines())

        def house_lines(s=s, micro=micro):
            for i, (b, unit, room, use) in enumerate(base["houses"]):
                yield (f"{h0 + s * nh + i}\t{b0 + s * nb + b}\t{micro[b]}\t{unit}\t{room}\t"
                       f"{use}\t{now}\t{now}\n")

        _copy(cursor, h_table, ["id", "building_id", "micro_grid_id", "unit", "number", "use",
                                "created_at", "updated_at"], house_lines())

        def household_lines(s=s, micro=micro):
            for i, (b, _unit, _room, _use) in enumerate(base["houses"]):
                yield f"{hh0 + s * nh + i}\t{h0 + s * nh + i}\t{micro[b]}\t{now}\t{now}\n"

        _copy(cursor, hh_table, ["id", "house_id", "micro_grid_id", "created_at",
                                 "updated_at"], household_lines())
        others = np.array(OTHER_REGIONS)[rng.integers(0, len(OTHER_REGIONS), npeople)]
        regions = np.where(registered, district, others)
        numbers = _id_numbers(regions, births, male, seen)
        phones = np.char.add("1", np.char.zfill(
            (rng.integers(30, 100, npeople) * 10**8 + rng.integers(0, 10**8, npeople))
            .astype(str), 10))
        t0 = time.perf_counter()
        id_tokens, id_hashes = _sealed(pool, numbers.tolist(), "resident_id")
        phone_tokens, phone_hashes = _sealed(
            pool, np.where(has_phone, phones, "").tolist(), "phone")
        encrypt_s += time.perf_counter() - t0

        def person_lines(s=s, micro=micro, id_tokens=id_tokens, id_hashes=id_hashes,
                         phone_tokens=phone_tokens, phone_hashes=phone_hashes):
            for i, p in enumerate(people):
                house = p[0]
                birth = f"{p[4][:4]}-{p[4][4:6]}-{p[4][6:]}"
                yield "\t".join([
                    str(p0 + s * npeople + i), str(hh0 + s * nh + house),
                    str(micro[building_of_house[house]]), p[1], p[2], id_tokens[i],
                    id_hashes[i], p[3], birth, p[5], phone_tokens[i], phone_hashes[i], p[7],
                    p[8], p[9], "", "active", now, now]) + "\n"

        _copy(cursor, p_table, ["id", "household_id", "micro_grid_id", "relation", "name",
                                "id_number", "id_number_hash", "sex", "birth_date",
                                "ethnic_group", "phone", "phone_hash", "population_type",
                                "political_status", "registered_address", "note", "status",
                                "created_at", "updated_at"], person_lines())
        if (s + 1) % 10 == 0 or s + 1 == streets:
            echo(f"  population: {s + 1} of {streets} streets "
                 f"({(s + 1) * npeople:,} people) after {time.perf_counter() - started:.1f} s")
    pool.shutdown()
    t0 = time.perf_counter()
    for indexes in dropped.values():
        for _name, definition in indexes:
            cursor.execute(definition)
    index_s = time.perf_counter() - t0
    cursor.execute("SET LOCAL session_replication_role = origin")
    for table in (b_table, h_table, hh_table, p_table):
        _set_sequence(cursor, table)
    return {"buildings": nb * streets, "houses": nh * streets, "households": nh * streets,
            "people": npeople * streets, "seconds": round(time.perf_counter() - started, 1),
            "encrypt_hash_s": round(encrypt_s, 1), "index_s": round(index_s, 1)}


def _seal_chunk(values: list[str], purpose: str) -> tuple[list[str], list[str]]:
    from wangge.core.crypto import encrypt_many, lookup_hashes

    return encrypt_many(values), lookup_hashes(values, purpose=purpose)


def _sealed(pool: ProcessPoolExecutor, values: list[str], purpose: str
            ) -> tuple[list[str], list[str]]:
    """The encrypted tokens and keyed hashes of values ("" stays ""), across the pool."""
    size = -(-len(values) // (pool._max_workers * 2))  # a few chunks per worker
    tokens: list[str] = []
    hashes: list[str] = []
    for t, h in pool.map(_seal_chunk, [values[i:i + size] for i in range(0, len(values), size)],
                         [purpose] * (-(-len(values) // size))):
        tokens += t
        hashes += h
    return tokens, hashes


_STEPS: dict[int, tuple[float, float]] = {}


def _offset(index: int) -> tuple[float, float]:
    """How far street `index` lies from Laocheng (the step `_tree` moved it by)."""
    if not _STEPS:
        from wangge.demo import laocheng

        minx, miny, maxx, maxy = laocheng.generate()[0].geom.bounds
        _STEPS[0] = ((maxx - minx) * 1.08, (maxy - miny) * 1.08)
    step_x, step_y = _STEPS[0]
    return (index % 10) * step_x, -(index // 10) * step_y


# --- the command -------------------------------------------------------------------------------


def _empty(echo) -> None:
    """Flush every table and seed the reference data again (as the migrations do)."""
    from django.core.management import call_command

    from wangge.cases import reference as cases_reference
    from wangge.cases.models import CalendarDay, Category, LevelLimit
    from wangge.registry import reference as registry_reference
    from wangge.registry.models import CareGroup, FacilityKind
    from wangge.workforce import reference as workforce_reference
    from wangge.workforce.models import MustReportItem, Role, WorkItem

    echo("emptying the database…")
    call_command("flush", interactive=False, verbosity=0)
    registry_reference.seed(CareGroup, FacilityKind)
    workforce_reference.seed(Role, WorkItem, MustReportItem)
    cases_reference.seed(Category, LevelLimit, CalendarDay)


def generate(*, scale: str, seed: int = SEED, streets: int | None = None,
             cases_per_street: int = CASES_PER_STREET, replace: bool = False,
             echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Build the data of a scale into the configured database; returns what was written
    and the seconds each step took."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from wangge.bench import cases as case_bench
    from wangge.cases import stats
    from wangge.demo import laocheng
    from wangge.demo.services import demo_is_loaded, demo_load
    from wangge.grids.models import GridType
    from wangge.registry.figures import figures_rebuild

    started = time.perf_counter()
    result: dict[str, Any] = {"scale": scale, "seed": seed}
    if scale == "street":
        call_command("migrate", interactive=False, verbosity=0)
        if demo_is_loaded():
            if not replace:
                raise SystemExit("the database holds data already: add --replace to start "
                                 "again from an empty one.")
            _empty(echo)
        timings = demo_load(progress=echo, with_cases=True)
        result.update(streets=1, timings={k: round(v, 1) for k, v in timings.items()})
        result["seconds"] = round(time.perf_counter() - started, 1)
        return result
    case_bench._ensure_database(echo)
    call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        # A bulk load on this connection: memory for sorting while indexes are made and for
        # the figures' GROUP BYs (the defaults, 64 MB and 4 MB, spill to disk).
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET work_mem = '256MB'")
    if demo_is_loaded():
        if not replace:
            raise SystemExit("the database holds data already: add --replace to start again "
                             "from an empty one.")
        _empty(echo)
    streets = streets or STREETS[scale]
    for order, (code, name, description) in enumerate(laocheng.GRID_TYPES):
        GridType.objects.get_or_create(code=code, defaults={
            "name": name, "description": description, "sort_order": order})
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        grid_ids = write_grids(cursor, streets, echo)
    timings["grids"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        result["population"] = write_population(cursor, streets, grid_ids, seed, echo)
    timings["population"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    now = timezone.now().replace(microsecond=0)
    result["cases"] = case_bench.generate(count=streets * cases_per_street, years=3,
                                          seed=seed, now=now, echo=echo)
    timings["cases"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        # Statistics first: the figures below are counted with plans made from them. VACUUM
        # too: it marks the copied pages all-visible, so that counts over an index (the
        # board's open cases) read the index alone, as they would on a live database.
        cursor.execute("VACUUM ANALYZE")
    timings["analyze"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    echo("rebuilding the case figures…")
    result["figures"] = stats.rebuild()
    timings["figures"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    echo("counting the registry's figures of every micro-grid…")
    figures_rebuild()
    timings["registry_figures"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the figure tables just written
    timings["analyze"] = round(timings["analyze"] + time.perf_counter() - t0, 1)
    result.update(streets=streets, micro_grids=sum(1 for c in grid_ids if len(c) == 18),
                  timings=timings, seconds=round(time.perf_counter() - started, 1))
    return result


def run(*, command, scale: str, seed: int, streets: int | None, cases_per_street: int,
        replace: bool, write: bool = False, **options) -> None:
    from wangge.bench import machine, report

    echo = command.stdout.write
    load_before = os.getloadavg()[0]
    result = generate(scale=scale, seed=seed, streets=streets,
                      cases_per_street=cases_per_street, replace=replace, echo=echo)
    result["target_met"] = scale != "city" or result["seconds"] <= 15 * 60
    echo(command.style.SUCCESS(f"generated {scale}: {result}"))
    if write:
        described = machine.describe()
        described["load_1min"] = f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
        path = report.write_markdown(report.save(NAME, result, described))
        echo(command.style.SUCCESS(f"wrote {path}"))


def section(entry: dict) -> list[str]:
    r = entry["result"]
    p, c = r.get("population", {}), r.get("cases", {})
    t = r.get("timings", {})
    lines = [
        f"## Generating a {r['scale']}: `wangge bench generate --scale {r['scale']}`",
        "",
        "How it was run: on an empty PostgreSQL database, `make bench-city` runs the "
        "generator (see `wangge/bench/generate.py`): the Laocheng grid tree copied side by "
        "side into the streets of 10 districts under one city node, the Laocheng demo "
        "population drawn once and copied into every street with new valid, unique ID "
        "numbers and phones (AES-GCM and keyed hashes computed on every core), cases over "
        "three years in every micro-grid, all with `COPY` (foreign-key triggers off and "
        "secondary indexes made after, inside the transaction), then the case figures "
        "rebuilt, the registry's figures of every micro-grid counted, and `ANALYZE`. "
        "Target: a city in ≤ 15 minutes.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| streets / micro-grids | {r.get('streets')} / {r.get('micro_grids', 0):,} |",
        f"| buildings / households / people | {p.get('buildings', 0):,} / "
        f"{p.get('households', 0):,} / {p.get('people', 0):,} |",
        f"| cases ({c.get('period', '')}) | {c.get('cases', 0):,} |",
        f"| seconds by step | {' · '.join(f'{k} {v}' for k, v in t.items())} |",
        f"| of which encryption and keyed hashes / remaking indexes (s) | "
        f"{p.get('encrypt_hash_s')} / {p.get('index_s')} |",
        f"| **total (s)** (target ≤ 900 for a city) | {r.get('seconds')} |",
        "",
    ]
    if not r.get("target_met", True):
        lines += [
            "Target missed. Where the time went and the plan: the cases' `COPY` included "
            "checking 5,000,000 rows' foreign keys one by one at the end (several minutes); "
            "the generator now turns those triggers off for the bulk load as the population "
            "step does (not yet timed on a full city). Next: draw the cases' columns on both "
            "cores (`prepare` is single-threaded), `COPY` people and cases in parallel "
            "connections, and rebuild the case figures from the generator's own arrays "
            "instead of an `INSERT … SELECT` over the copied cases.",
            "",
        ]
    lines += [
        f"Ran at {entry['ran_at']} on:",
        "",
    ]
    return lines + [f"- {k}: {v}" for k, v in entry["machine"].items()]
