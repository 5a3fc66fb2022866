"""Benchmark: the case figures (stats API) and the sweep over 1,000,000 cases on PostgreSQL.

`wangge bench cases [--cases N] [--write]`, with DATABASE_URL naming a PostgreSQL database
whose name contains "bench" (created if missing; its cases are replaced). Steps:

1. migrate, and load the Laocheng demo if the database is empty;
2. generate N synthetic cases over the last 3 years in the demo's micro-grids and write
   them with one PostgreSQL COPY (no ORM, no timeline steps: the figures and the sweep read
   the case rows only);
3. `stats.rebuild()`, timed;
4. a concurrency check: threads reporting, accepting and declining cases of one fresh key
   at once, each in its own transaction; the kept figures must equal the cases';
5. the two questions of the issue, each through `stats.case_figures` (what the API calls),
   through a plain PostgreSQL GROUP BY over the cases, and through DuckDB over the same
   rows exported to CSV; the answers are compared;
6. the sweep: every case made running with its level's time limit spread so that about 1%
   has lapsed, `stats.rebuild()`, then `case_sweep()` twice (the second must do nothing);
   the figures kept through the sweep's moves must equal the cases'.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from django.conf import settings

NAME = "cases"
HELP = "case figures (stats API) and the sweep over 1,000,000 cases on PostgreSQL"
SEED = 20261127
BENCH_DIR = settings.VAR_DIR / "bench"
# Tracking codes of generated cases: "0" and 11 digits; a real code is 10 characters
# without 0 or 1, so the two never meet.
CODE_PREFIX = "0"
SOURCES = [("online", 0.34), ("hotline", 0.2), ("patrol", 0.26), ("visit", 0.1),
           ("access_control", 0.03), ("governance_centre", 0.03), ("walk_in", 0.04)]


def add_arguments(parser) -> None:
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--calls", type=int, default=50,
                        help="timed calls of the one-community-month question")
    parser.add_argument("--year-calls", type=int, default=20,
                        help="timed calls of the every-community-by-month-over-a-year question")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-sweep", action="store_true", help="skip the sweep")
    parser.add_argument("--lapsed", type=float, default=0.01,
                        help="share of the running cases whose time limit has lapsed when "
                             "the sweep runs")
    parser.add_argument("--write", action="store_true",
                        help="write var/bench/results.json and docs/benchmarks.md")


# --- the database ------------------------------------------------------------------------------


def _ensure_database(echo) -> None:
    """Create the PostgreSQL database DATABASE_URL names if it does not exist yet."""
    import psycopg
    from django.db import OperationalError, connection

    s = connection.settings_dict
    if connection.vendor != "postgresql" or "bench" not in str(s["NAME"]):
        raise SystemExit("bench cases replaces every case in its database: point "
                         "DATABASE_URL at a PostgreSQL database whose name contains 'bench'.")
    try:
        connection.ensure_connection()
        return
    except OperationalError:
        pass
    echo(f"creating database {s['NAME']}…")
    params = {"dbname": "postgres", "user": s.get("USER") or None,
              "password": s.get("PASSWORD") or None, "host": s.get("HOST") or None,
              "port": s.get("PORT") or None}
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(
            psycopg.sql.Identifier(s["NAME"])))
    connection.close()
    connection.ensure_connection()


def _clear_cases() -> None:
    from django.db import connection

    from wangge.cases.models import (
        Case,
        CaseCommunityMonthFigures,
        CaseDayFigures,
        CaseMonthFigures,
    )

    tables = ", ".join(f'"{m._meta.db_table}"' for m in (
        Case, CaseDayFigures, CaseMonthFigures, CaseCommunityMonthFigures))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


# --- generating cases --------------------------------------------------------------------------


def _epoch(moment: dt.datetime) -> float:
    return moment.timestamp()


def _ts(seconds: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Epoch seconds → COPY text (UTC), \\N where not `valid`."""
    text = np.datetime_as_string(seconds.astype("int64").astype("datetime64[s]"),
                                 unit="s", timezone="UTC")
    return text if valid is None else np.where(valid, text, "\\N")


def _ids(values: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    text = values.astype("int64").astype(str)
    return text if valid is None else np.where(valid, text, "\\N")


def generate(*, count: int, years: int, seed: int, now: dt.datetime, echo) -> dict[str, Any]:
    """Write `count` cases with COPY; returns what was written and how long it took."""
    from django.db import DatabaseError, connection, transaction
    from django.utils import timezone

    from wangge.bench.generate import queued_copy
    from wangge.cases.choices import Level, Status
    from wangge.cases.models import Case, Category
    from wangge.grids.choices import Tier
    from wangge.grids.models import Grid
    from wangge.workforce.models import Assignment

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    tz = timezone.get_default_timezone()
    end = dt.datetime.combine(timezone.localdate(now), dt.time(), tz)
    start = end.replace(year=end.year - years)
    grids = {code: pk for code, pk in Grid.objects.values_list("code", "pk")}
    micro = sorted(code for code, in Grid.objects.filter(tier=Tier.MICRO_GRID)
                   .values_list("code"))
    micro_ids = np.array([grids[c] for c in micro])
    community_ids = np.array([grids[c[:12]] for c in micro])
    street_ids = np.array([grids[c[:9]] for c in micro])
    # A handler per node: its first current worker (grid workers in micro-grids, officers
    # in communities and the street).
    first_worker: dict[int, int] = {}
    for grid_id, worker_id in (Assignment.objects.current().order_by("grid_id", "role__kind",
                                                                      "worker_id")
                               .values_list("grid_id", "worker_id")):
        first_worker.setdefault(grid_id, worker_id)
    worker_of = np.vectorize(lambda g: first_worker.get(int(g), 0), otypes=[np.int64])
    categories = list(Category.objects.filter(parent__isnull=False, active=True)
                      .values_list("pk", "response_hours", "handling_days"))
    cat = np.array(categories)

    n = count
    reported = np.sort(_epoch(start) + rng.random(n) * (_epoch(end) - _epoch(start)))
    age_days = (_epoch(now) - reported) / 86400
    weights = rng.gamma(2.0, 1.0, len(micro))
    where = rng.choice(len(micro), n, p=weights / weights.sum())
    kind = rng.choice(len(cat), n, p=(w := rng.gamma(2.0, 1.0, len(cat))) / w.sum())
    source = np.array([s for s, _ in SOURCES])[
        rng.choice(len(SOURCES), n, p=[p for _, p in SOURCES])]
    response_h, handling_d = cat[kind, 1].astype(float), cat[kind, 2].astype(float)
    # Calendar-time stand-ins for the working-time limits (a working day has 7 hours).
    response_due = reported + response_h * 3 * 3600
    due = reported + handling_d * 1.4 * 86400

    u = rng.random(n)
    merged, declined = u < 0.02, (u >= 0.02) & (u < 0.05)
    finished_p = np.clip(age_days / 10, 0, 1) * 0.985
    finished = ~merged & ~declined & (rng.random(n) < finished_p)
    open_statuses = np.array([Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED,
                              Status.IN_PROGRESS, Status.HANDLED, Status.DEFERRED])
    open_status = open_statuses[rng.choice(len(open_statuses), n,
                                           p=[0.15, 0.15, 0.25, 0.3, 0.1, 0.05])]
    appeal = np.isin(source, ["online", "hotline"])
    rated = finished & (rng.random(n) < np.where(appeal, 0.7, 0.1))
    evaluation = np.array(["satisfied", "basically", "dissatisfied"])[
        rng.choice(3, n, p=[0.82, 0.13, 0.05])]
    evaluation = np.where(rated, evaluation, "")
    status = np.where(merged, Status.MERGED, np.where(declined, Status.DECLINED, np.where(
        finished, np.where(rated & (evaluation != "dissatisfied"), Status.EVALUATED,
                           Status.CLOSED), open_status)))
    max_level = np.array([Level.GRID, Level.COMMUNITY, Level.STREET])[
        rng.choice(3, n, p=[0.86, 0.11, 0.03])]
    responsible = np.where(max_level == Level.GRID, micro_ids[where], np.where(
        max_level == Level.COMMUNITY, community_ids[where], street_ids[where]))

    accepted = ~np.isin(status, [Status.REPORTED])
    accepted_at = reported + rng.exponential(response_h * 0.9 * 3600)
    closed_at = np.where(declined | merged, accepted_at,
                         accepted_at + rng.lognormal(np.log(0.4 * handling_d * 86400), 0.6))
    handled_at = closed_at - rng.random(n) * 3600
    evaluated_at = closed_at + 86400
    has_handler = accepted & ~declined & ~merged & (rng.random(n) < 0.75)
    handler = np.where(has_handler, worker_of(responsible), 0)
    rework = (finished & (rng.random(n) < 0.04)) | (evaluation == "dissatisfied")
    outcome = np.array(["resolved", "explained", "referred"])[
        rng.choice(3, n, p=[0.88, 0.09, 0.03])]
    outcome = np.where(finished | (status == Status.HANDLED), outcome, "")
    running = np.isin(status, [Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED,
                               Status.IN_PROGRESS])
    # Running cases: this level's limit mostly ahead; one in twenty has lapsed.
    level_due = _epoch(now) + (rng.random(n) * 4 - 0.2) * 86400
    generated = {
        "tracking_code": np.char.add(CODE_PREFIX, np.char.zfill(
            np.arange(1, n + 1).astype(str), 11)),
        "source": source,
        "category_id": _ids(cat[kind, 0]),
        "title": "基准测试事件",
        "description": "基准测试生成的事件 (benchmark case)",
        "grid_id": _ids(micro_ids[where]),
        "responsible_id": _ids(responsible),
        "level": max_level,
        "max_level": max_level,
        "status": status,
        "version": _ids(rng.integers(2, 9, n)),
        "handler_id": _ids(handler, has_handler & (handler > 0)),
        "reported_at": _ts(reported),
        "accepted_at": _ts(accepted_at, accepted),
        "handled_at": _ts(handled_at, finished),
        "closed_at": _ts(closed_at, finished | declined | merged),
        "evaluated_at": _ts(evaluated_at, rated),
        "response_due_at": _ts(response_due),
        "due_at": _ts(due),
        "level_since": _ts(reported),
        "level_due_at": _ts(level_due, running),
        "level_warn_at": _ts(level_due - 4 * 3600, running),
        "outcome": outcome,
        "result": np.where(outcome != "", "已处理", ""),
        "evaluation": evaluation,
        "rework_count": _ids(rework.astype(int)),
        "published": np.where(finished & (source == "online"), "t", "f"),
    }
    with connection.cursor() as cursor:  # the columns the database has (migrated)
        present = {c.name for c in connection.introspection.get_table_description(
            cursor, Case._meta.db_table)}
    fields = [f for f in Case._meta.concrete_fields
              if not f.primary_key and f.column in present]
    columns, values = [], []
    for f in fields:
        columns.append(f.column)
        if f.column in generated:
            values.append(generated[f.column])
        else:  # every other column: its default, or NULL
            default = f.get_default()
            values.append("\\N" if default is None else
                          ("t" if default is True else "f" if default is False
                           else str(default)))
    prepared = time.perf_counter() - started
    qn = connection.ops.quote_name
    sql = (f"COPY {qn(Case._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
           "FROM STDIN")
    chunk = 100_000
    text_s = index_s = 0.0
    table = Case._meta.db_table
    # A bulk load: the indexes that back no constraint are dropped before the COPY and made
    # again after it, all in one transaction (PostgreSQL's DDL is transactional).
    with transaction.atomic(), connection.cursor() as cursor:
        # The rows are made consistent here (every category and micro-grid exists), so the
        # foreign-key triggers are off for this transaction when the role may do that
        # (superuser): checking 5,000,000 rows' keys one by one takes minutes.
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            pass
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
            "AND NOT x.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)", [table])
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {qn(name)}")
        with queued_copy(cursor, sql) as copy:
            for offset in range(0, n, chunk):
                t0 = time.perf_counter()
                rows = [v[offset:offset + chunk].tolist() if isinstance(v, np.ndarray)
                        else [v] * min(chunk, n - offset) for v in values]
                text = "".join("\t".join(row) + "\n" for row in zip(*rows, strict=True))
                text_s += time.perf_counter() - t0
                copy.write(text)
                echo(f"  copied {min(offset + chunk, n):,} cases")
        # The foreign-key checks of the copied rows run here rather than at commit: an
        # index cannot be made while they are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        t0 = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        index_s = time.perf_counter() - t0
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {qn(Case._meta.db_table)}")
    return {
        "cases": n,
        "period": f"{start.date()} – {(end - dt.timedelta(days=1)).date()}",
        "micro_grids": len(micro),
        "statuses": {str(s): int((status == s).sum()) for s in np.unique(status)},
        "prepare_s": round(prepared, 1),
        "copy_s": round(time.perf_counter() - started - prepared, 1),
        "copy_text_s": round(text_s, 1),  # of which making the COPY text in Python
        "copy_index_s": round(index_s, 1),  # of which making the indexes again
        "indexes_remade": len(indexes),
    }


# --- measuring ---------------------------------------------------------------------------------


def _timed(fn: Callable[[int], Any], calls: int, warm: int = 2) -> tuple[dict, Any]:
    for i in range(warm):
        fn(i)
    times, last = [], None
    for i in range(calls):
        t0 = time.perf_counter()
        last = fn(i)
        times.append((time.perf_counter() - t0) * 1000)
    arr = np.array(times)
    return {"calls": calls, "p50_ms": round(float(np.percentile(arr, 50)), 2),
            "p95_ms": round(float(np.percentile(arr, 95)), 2),
            "max_ms": round(float(arr.max()), 2)}, last


def _months_back(today: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """The last `count` whole months before today's, oldest first, as (first, last) days."""
    out, first = [], today.replace(day=1)
    for _ in range(count):
        last = first - dt.timedelta(days=1)
        first = last.replace(day=1)
        out.append((first, last))
    return out[::-1]


def _plain_counters(col: Callable[[str], str], now_param: str) -> str:
    """SQL for the counters of `stats.COUNTERS` plus overdue, the same in PostgreSQL and
    DuckDB; `col` names a column."""
    from wangge.cases import stats
    from wangge.cases.choices import CLOSED, FINISHED, RUNNING, Level

    def inlist(values) -> str:
        return ", ".join(f"'{v}'" for v in sorted(values))

    closed = f"{col('status')} IN ({inlist(CLOSED)})"
    parts = [f"COUNT(*) FILTER (WHERE {col('status')} = '{s}')" for s in stats.STATUS_FIELDS]
    parts += [f"COUNT(*) FILTER (WHERE {col('status')} NOT IN ({inlist(FINISHED)}) "
              f"AND {col('level')} = '{lv}')" for lv in stats.LEVEL_FIELDS]
    flags = {
        "responded": f"{col('accepted_at')} <= {col('response_due_at')}",
        "on_time": f"{closed} AND {col('closed_at')} <= {col('due_at')}",
        "resolved": f"{closed} AND {col('outcome')} = 'resolved'",
        "rated": f"{closed} AND {col('evaluation')} <> ''",
        "satisfied": f"{closed} AND {col('evaluation')} IN ('basically', 'satisfied')",
        "reworked": f"{closed} AND {col('rework_count')} > 0",
        "in_grid": f"{closed} AND {col('max_level')} = '{Level.GRID}'",
    }
    parts += [f"COUNT(*) FILTER (WHERE {flags[name]})" for name in stats.FLAG_FIELDS]
    parts.append(f"COUNT(*) FILTER (WHERE {col('status')} IN ({inlist(RUNNING)}) "
                 f"AND {col('level_due_at')} < {now_param})")
    return ",\n  ".join(parts)


def _pg_sql(grouped: bool) -> str:
    counters = _plain_counters(lambda c: f"c.{c}", "%(now)s")
    keys = (f"substr(g.code, 1, 12), date_trunc('month', c.reported_at AT TIME ZONE "
            f"'{settings.TIME_ZONE}')::date, " if grouped else "")
    return (f"SELECT {keys}{counters}\nFROM cases_case c JOIN grids_grid g ON g.id = c.grid_id"
            "\nWHERE g.code LIKE %(prefix)s AND c.reported_at >= %(start)s"
            " AND c.reported_at < %(end)s AND c.status <> 'merged'"
            + ("\nGROUP BY 1, 2" if grouped else ""))


def _duck_sql(grouped: bool) -> str:
    counters = _plain_counters(lambda c: c, "$now")
    keys = "substr(grid_code, 1, 12), date_trunc('month', reported_local)::date, " \
        if grouped else ""
    return (f"SELECT {keys}{counters}\nFROM cases\nWHERE grid_code LIKE $prefix "
            "AND reported_local >= $start AND reported_local < $end AND status <> 'merged'"
            + ("\nGROUP BY 1, 2" if grouped else ""))


def _as_counts(row) -> dict:
    from wangge.cases import stats

    values = [int(v or 0) for v in row]
    return stats.figures_of(values[:-1], values[-1])["counts"]


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from django.utils import timezone

    tz = timezone.get_default_timezone()
    return (dt.datetime.combine(first, dt.time(), tz),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz))


def _ours_by_month(figures: dict) -> dict[tuple[str, str], dict]:
    return {(row["key"], sub["key"]): sub["counts"]
            for row in figures["rows"] for sub in row["rows"]}


def measure(*, street, communities, months, calls: int, year_calls: int, now: dt.datetime,
            echo) -> dict[str, Any]:
    """The two questions through ours, a plain PostgreSQL GROUP BY and DuckDB."""
    from django.db import connection

    from wangge.cases import stats

    out: dict[str, Any] = {}
    pairs = [(communities[i % len(communities)], months[(i * 5) % len(months)])
             for i in range(max(calls, year_calls) + 5)]

    def ours_one(i):
        grid, (first, last) = pairs[i]
        return stats.case_figures(grid=grid, date_from=first, date_to=last, now=now)

    year_from, year_to = months[0][0], months[-1][1]

    def ours_year(i):
        return stats.case_figures(grid=street, date_from=year_from, date_to=year_to,
                                  by=("community", "month"), now=now)

    echo("  ours: one community-month…")
    out["ours_one"], _ = _timed(ours_one, calls)
    echo(f"    {out['ours_one']}")
    echo("  ours: every community by month over a year…")
    out["ours_year"], ours_year_result = _timed(ours_year, year_calls)
    echo(f"    {out['ours_year']}")

    def pg(i, grouped):
        if grouped:
            start, end = _bounds(year_from, year_to)
            prefix = street.code
        else:
            grid, (first, last) = pairs[i]
            start, end = _bounds(first, last)
            prefix = grid.code
        with connection.cursor() as cursor:
            cursor.execute(_pg_sql(grouped), {"prefix": prefix + "%", "start": start,
                                              "end": end, "now": now})
            return cursor.fetchall()

    echo("  plain PostgreSQL GROUP BY: one community-month…")
    out["pg_one"], _ = _timed(lambda i: pg(i, False), calls)
    echo(f"    {out['pg_one']}")
    echo("  plain PostgreSQL GROUP BY: every community by month over a year…")
    out["pg_year"], pg_rows = _timed(lambda i: pg(i, True), max(3, year_calls // 4), warm=1)
    echo(f"    {out['pg_year']}")

    ours = _ours_by_month(ours_year_result)
    plain = {(code, f"{month:%Y-%m}"): _as_counts(rest) for code, month, *rest in pg_rows}
    agree_year = all(ours.get(k) == v for k, v in plain.items()) and \
        all(v["received"] == 0 or k in plain for k, v in ours.items())
    agree_one = all(
        ours_one(i)["totals"]["counts"] == _as_counts(pg(i, False)[0]) for i in range(5))
    out["pg_agrees"] = agree_year and agree_one
    echo(f"  ours and plain PostgreSQL agree: {out['pg_agrees']}")
    out["duckdb"] = _duckdb(street=street, pairs=pairs, year=(year_from, year_to), calls=calls,
                            year_calls=year_calls, now=now, ours=ours, ours_one=ours_one,
                            echo=echo)
    return out


def _duckdb(*, street, pairs, year, calls, year_calls, now, ours, ours_one, echo) -> dict:
    try:
        import duckdb
    except ImportError:
        echo("  DuckDB: not installed (pip install duckdb), skipped")
        return {"skipped": "duckdb is not installed"}
    from django.db import connection

    path = BENCH_DIR / "cases-duckdb.csv"
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    local = f"AT TIME ZONE '{settings.TIME_ZONE}'"
    export = (
        "COPY (SELECT g.code AS grid_code, c.status, c.level, c.max_level, c.outcome, "
        f"c.evaluation, c.rework_count, c.reported_at {local} AS reported_local, "
        + ", ".join(f"c.{name} AT TIME ZONE 'UTC' AS {name}" for name in (
            "accepted_at", "response_due_at", "closed_at", "due_at", "level_due_at"))
        + ", c.category_id, c.source, c.handler_id FROM cases_case c JOIN grids_grid g "
        "ON g.id = c.grid_id) TO STDOUT WITH (FORMAT csv, HEADER true)")
    echo("  DuckDB: exporting the cases to CSV and loading them…")
    t0 = time.perf_counter()
    with path.open("wb") as fh, connection.cursor() as cursor, \
            cursor.cursor.copy(export) as copy:
        for data in copy:
            fh.write(data)
    export_s = time.perf_counter() - t0
    con = duckdb.connect()
    timestamp = "TIMESTAMP"
    columns = {"grid_code": "VARCHAR", "status": "VARCHAR", "level": "VARCHAR",
               "max_level": "VARCHAR", "outcome": "VARCHAR", "evaluation": "VARCHAR",
               "rework_count": "INTEGER", "reported_local": timestamp,
               "accepted_at": timestamp, "response_due_at": timestamp, "closed_at": timestamp,
               "due_at": timestamp, "level_due_at": timestamp, "category_id": "BIGINT",
               "source": "VARCHAR", "handler_id": "BIGINT"}
    spec = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"
    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE cases AS SELECT * FROM read_csv('{path}', header = true, "
                f"columns = {spec})")
    load_s = time.perf_counter() - t0
    path.unlink()
    now_utc = now.astimezone(dt.UTC).replace(tzinfo=None)

    def naive(moment: dt.datetime) -> dt.datetime:
        return moment.replace(tzinfo=None)

    def duck(i, grouped):
        if grouped:
            start, end = _bounds(*year)
            prefix = street.code
        else:
            grid, (first, last) = pairs[i]
            start, end = _bounds(first, last)
            prefix = grid.code
        return con.execute(_duck_sql(grouped), {"prefix": prefix + "%", "start": naive(start),
                                                "end": naive(end), "now": now_utc}).fetchall()

    out: dict[str, Any] = {"version": duckdb.__version__, "export_s": round(export_s, 1),
                           "load_s": round(load_s, 1),
                           "threads": con.execute("SELECT current_setting('threads')")
                           .fetchone()[0]}
    echo("  DuckDB: one community-month…")
    out["one"], _ = _timed(lambda i: duck(i, False), calls)
    echo(f"    {out['one']}")
    echo("  DuckDB: every community by month over a year…")
    out["year"], rows = _timed(lambda i: duck(i, True), year_calls)
    echo(f"    {out['year']}")
    theirs = {(code, f"{month:%Y-%m}"): _as_counts(rest) for code, month, *rest in rows}
    out["agrees"] = all(ours.get(k) == v for k, v in theirs.items()) and all(
        ours_one(i)["totals"]["counts"] == _as_counts(duck(i, False)[0]) for i in range(5))
    echo(f"  ours and DuckDB agree: {out['agrees']}")
    con.close()
    return out


# --- concurrency and the sweep -----------------------------------------------------------------


def concurrency_check(*, threads: int = 4, per_thread: int = 25) -> dict[str, Any]:
    """Threads, each with its own connection and transactions, report, accept and decline
    cases of one key that has no figures yet (a day before the generated period) at the
    same moment; the figures kept must equal the cases'."""
    from django.db import connection, connections
    from django.utils import timezone

    from wangge.cases import stats
    from wangge.cases.choices import Action, Source
    from wangge.cases.models import Case, CaseDayFigures, CaseMonthFigures, Category
    from wangge.cases.services import case_act, case_report
    from wangge.grids.models import Grid

    grid = Grid.objects.filter(tier="micro_grid").order_by("code").first()
    category = Category.objects.get(code="sanitation")
    moment = dt.datetime(2020, 6, 1, 10, 0, tzinfo=timezone.get_default_timezone())
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            barrier.wait()
            for j in range(per_thread):
                case = case_report(source=Source.WALK_IN, category=category, title="并发",
                                   description="并发检查 (concurrency check)", grid=grid,
                                   reported_at=moment)
                case = case_act(case=case, action=Action.ACCEPT, actor=None,
                                at=moment + dt.timedelta(minutes=1))
                if (k + j) % 2:
                    case_act(case=case, action=Action.DECLINE, actor=None, note="检查",
                             at=moment + dt.timedelta(minutes=2))
                else:
                    case_act(case=case, action=Action.HANDLE_ON_SPOT, actor=None,
                             result="检查", at=moment + dt.timedelta(minutes=2))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seconds = time.perf_counter() - started
    kept = CaseDayFigures.objects.filter(day=moment.date(), grid_code=grid.code,
                                         category=category, source=Source.WALK_IN)
    expected = [0] * len(stats.COUNTERS)
    for case in Case.objects.filter(grid=grid, reported_at=moment).select_related("grid"):
        facts = stats.facts(case)
        expected = [a + b for a, b in zip(expected, facts.counts, strict=True)]
    got = [sum(getattr(row, name) for row in kept) for name in stats.COUNTERS]
    month = CaseMonthFigures.objects.get(month=moment.date().replace(day=1),
                                         grid_code=grid.code)
    connection.close()
    return {"threads": threads, "cases": threads * per_thread,
            "moves": threads * per_thread * 3, "seconds": round(seconds, 1),
            "errors": [repr(e) for e in errors[:3]],
            "agrees": not errors and got == expected
            and [getattr(month, n) for n in stats.COUNTERS] == expected}


def _figures_by_month() -> tuple[dict, dict]:
    """The cases' counters per (month, grid node, handler), straight from the cases; and the
    same from the two tables (nonzero groups only)."""
    from django.db.models import F, Sum
    from django.db.models.functions import Coalesce, TruncMonth
    from django.utils import timezone

    from wangge.cases import stats
    from wangge.cases.choices import Status
    from wangge.cases.models import Case, CaseDayFigures, CaseMonthFigures

    def rows(queryset, keys: dict, sums: dict) -> dict:
        out = {}
        for row in queryset.values(**keys).annotate(**sums).order_by().values_list(
                *keys, *sums):
            month = row[0].date() if isinstance(row[0], dt.datetime) else row[0]
            if any(row[len(keys):]):
                out[(month, *row[1:len(keys)])] = tuple(row[len(keys):])
        return out

    counters = stats._counter_expressions()
    cases = rows(Case.objects.exclude(status=Status.MERGED), {
        "k0": TruncMonth("reported_at", tzinfo=timezone.get_default_timezone()),
        "k1": F("grid__code"), "k2": Coalesce("handler_id", 0)},
        {f"s{i}": counters[n] for i, n in enumerate(stats.COUNTERS)})
    sums = {f"s{i}": Sum(n) for i, n in enumerate(stats.COUNTERS)}
    day = rows(CaseDayFigures.objects.all(), {
        "k0": TruncMonth("day"), "k1": F("grid_code"), "k2": F("handler")}, sums)
    month = rows(CaseMonthFigures.objects.all(), {"k0": F("month"), "k1": F("grid_code")},
                 sums)
    return cases, {"day": day, "month": month}


def _by_month_grid(rows: dict) -> dict:
    out: dict = {}
    for (month, code, _handler), values in rows.items():
        current = out.get((month, code), (0,) * len(values))
        out[(month, code)] = tuple(a + b for a, b in zip(current, values, strict=True))
    return {k: v for k, v in out.items() if any(v)}


def sweep(*, now: dt.datetime, lapsed_share: float, echo) -> dict[str, Any]:
    """Every generated case made running, `lapsed_share` of them lapsed at `now`; then the
    sweep twice."""
    from django.db import connection

    from wangge.cases import stats
    from wangge.cases.choices import RUNNING
    from wangge.cases.models import Case
    from wangge.cases.services import case_sweep

    echo("  making every generated case open and running…")
    t0 = time.perf_counter()
    # A per-case fraction f in [0, 1) from its id: below `share` the limit lapsed up to two
    # days ago; above, it is up to 90 days ahead (those within 4 hours, about 0.2%, are in
    # the warning window).
    frac = "((c.id * 2654435761) %% 1000003) / 1000003.0"  # %% : psycopg's escape
    with connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE cases_case c SET
              status = (ARRAY['reported', 'accepted', 'dispatched', 'in_progress'])
                       [1 + (c.id %% 4)::int],
              level = 'grid', max_level = 'grid', responsible_id = c.grid_id,
              closed_at = NULL, handled_at = NULL, evaluated_at = NULL, evaluation = '',
              outcome = '', result = '', published = false, duplicate_of_id = NULL,
              deferred_until = NULL, deferral_requested = false, warned_at = NULL,
              accepted_at = CASE WHEN c.id %% 4 = 0 THEN NULL ELSE c.accepted_at END,
              level_since = %(now)s - interval '1 day',
              level_due_at = CASE WHEN {frac} < %(share)s
                  THEN %(now)s - ({frac} / %(share)s) * interval '2 days'
                  ELSE %(now)s + (({frac} - %(share)s) / (1 - %(share)s))
                       * interval '90 days' END,
              level_warn_at = CASE WHEN {frac} < %(share)s
                  THEN %(now)s - ({frac} / %(share)s) * interval '2 days' - interval '4 hours'
                  ELSE %(now)s + (({frac} - %(share)s) / (1 - %(share)s))
                       * interval '90 days' - interval '4 hours' END
            WHERE c.tracking_code LIKE %(prefix)s""",
                       {"now": now, "prefix": CODE_PREFIX + "%", "share": lapsed_share})
        cursor.execute("ANALYZE cases_case")
    prepare_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    stats.rebuild()
    rebuild_s = time.perf_counter() - t0
    running = Case.objects.filter(status__in=list(RUNNING)).count()
    lapsed = Case.objects.filter(status__in=list(RUNNING), level_due_at__lte=now).count()
    echo(f"  {running:,} running cases, {lapsed:,} lapsed; sweeping…")
    t0 = time.perf_counter()
    first = case_sweep(now=now)
    first_s = time.perf_counter() - t0
    echo(f"    first sweep: {first} in {first_s:.1f} s")
    t0 = time.perf_counter()
    second = case_sweep(now=now)
    second_s = time.perf_counter() - t0
    echo(f"    second sweep: {second} in {second_s:.2f} s")
    cases, kept = _figures_by_month()
    agrees = kept["day"] == cases and kept["month"] == _by_month_grid(cases)
    echo(f"    figures kept through the sweep's moves = the cases': {agrees} "
         f"({len(cases):,} groups of month, grid node and handler)")
    moved = len(first.raised) + len(first.direct_line) + len(first.warned)
    return {
        "open_cases": running, "lapsed": lapsed, "prepare_s": round(prepare_s, 1),
        "rebuild_s": round(rebuild_s, 1),
        "first": {"raised": len(first.raised), "direct_line": len(first.direct_line),
                  "warned": len(first.warned), "seconds": round(first_s, 1),
                  "moves_per_s": round(moved / first_s) if first_s else None,
                  "open_cases_per_s": round(running / first_s) if first_s else None},
        "second": {"raised": len(second.raised), "direct_line": len(second.direct_line),
                   "warned": len(second.warned), "seconds": round(second_s, 2),
                   "open_cases_per_s": round(running / second_s) if second_s else None},
        "figures_agree": agrees,
        "groups": len(cases),
    }


# --- the command -------------------------------------------------------------------------------


def run(*, command, write: bool = False, cases: int = 1_000_000, years: int = 3,
        calls: int = 50, year_calls: int = 20, seed: int = SEED, no_sweep: bool = False,
        lapsed: float = 0.01, **options) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from wangge.bench import machine, report
    from wangge.cases import stats
    from wangge.demo.services import demo_is_loaded, demo_load
    from wangge.grids.choices import Tier
    from wangge.grids.models import Grid

    echo = command.stdout.write
    started = time.perf_counter()
    _ensure_database(echo)
    call_command("migrate", interactive=False, verbosity=0)
    if not demo_is_loaded():
        echo("loading the Laocheng demo…")
        demo_load(progress=echo)
    now = timezone.now().replace(microsecond=0)
    result: dict[str, Any] = {"now": now.isoformat(), "seed": seed}
    echo(f"cases: replacing the cases with {cases:,} generated ones…")
    _clear_cases()
    result["generated"] = generate(count=cases, years=years, seed=seed, now=now, echo=echo)
    echo(f"  {result['generated']}")
    echo("cases: stats.rebuild()…")
    t0 = time.perf_counter()
    result["rebuild"] = stats.rebuild()
    result["rebuild"]["seconds"] = round(time.perf_counter() - t0, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_casedayfigures; ANALYZE cases_casemonthfigures")
    echo(f"  {result['rebuild']}")
    echo("cases: concurrent moves on one key…")
    result["concurrency"] = concurrency_check()
    echo(f"  {result['concurrency']}")
    street = Grid.objects.filter(tier=Tier.STREET).order_by("code").first()
    communities = list(Grid.objects.filter(tier=Tier.COMMUNITY, code__startswith=street.code)
                       .order_by("code"))
    months = _months_back(timezone.localdate(now), 12)
    result["questions"] = {
        "one": f"one community, one whole month (cycling over {len(communities)} communities "
               f"× {len(months)} months)",
        "year": f"{street.name}: every community by month, {months[0][0]} – {months[-1][1]}",
    }
    echo("cases: the two questions…")
    result.update(measure(street=street, communities=communities, months=months, calls=calls,
                          year_calls=year_calls, now=now, echo=echo))
    if not no_sweep:
        echo("cases: the sweep…")
        result["sweep"] = sweep(now=now, lapsed_share=lapsed, echo=echo)
    result["total_s"] = round(time.perf_counter() - started)
    result["targets"] = {
        "one_p95_le_20ms": result["ours_one"]["p95_ms"] <= 20,
        "year_p95_le_300ms": result["ours_year"]["p95_ms"] <= 300,
    }
    echo(f"cases: done in {result['total_s']} s; targets met: {result['targets']}")
    if write:
        path = report.write_markdown(report.save(NAME, result, machine.describe()))
        echo(command.style.SUCCESS(f"wrote {path}"))


# --- the report --------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _lat(m: dict | None) -> str:
    if not m:
        return "—"
    return f"{m['p50_ms']} / {m['p95_ms']} ({m['calls']} calls)"


def section(entry: dict) -> list[str]:
    r = entry["result"]
    g, rb, conc = r["generated"], r["rebuild"], r["concurrency"]
    duck = r.get("duckdb") or {}
    sw = r.get("sweep")
    lines = [
        f"## Case figures and the sweep ({g['cases']:,} cases, PostgreSQL)",
        "",
        "How it was run: `WANGGE_MODE=test DATABASE_URL=postgres://…/wangge_bench_cases "
        "wangge bench cases --write`.",
        f"It loads the Laocheng demo, replaces the database's cases with {g['cases']:,}",
        f"generated ones reported {g['period']} in the demo's {g['micro_grids']} micro-grids",
        "(seeded; busier and quieter micro-grids, every category and source; ~2% merged",
        "duplicates, ~3% declined, cases older than ten days ~98.5% closed, 70% of the closed",
        "online and hotline appeals and 10% of the other closed cases rated) and writes them",
        "with one PostgreSQL `COPY` in one transaction, the indexes that back no constraint",
        "dropped before and made again after. Generated cases have no timeline steps (the",
        "figures and the sweep read the case rows only), merged ones point at no original, and",
        "their time limits are calendar-time stand-ins for working time. Then",
        "`stats.rebuild()` fills the two precomputed tables (`CaseDayFigures`: day × grid node",
        "× category × source × handler; `CaseMonthFigures`: month × grid node).",
        "",
        "Concurrency check: 4 threads, each with its own connection, report, accept and close",
        "or decline 25 cases each through `services` at the same moment, all on one key that",
        "has no row yet (so they race to insert it); the kept figures must equal the cases'.",
        "",
        "The two questions of the issue, each asked three ways and answered identically",
        "(checked): **ours** is `wangge.cases.stats.case_figures`, the function",
        "`GET /api/stats/cases` calls (whole months from the month table, edge days from the",
        "day table, overdue from the cases), timed in-process without HTTP; **plain",
        "PostgreSQL** is one `SELECT … COUNT(*) FILTER (…) … GROUP BY` over `cases_case` joined",
        "to `grids_grid` with the existing indexes; **DuckDB** runs the same SQL over the same",
        "rows exported to CSV and loaded into an in-memory table (load not timed). One",
        "community-month cycles over every community × the last 12 whole months; the year",
        "question groups every community by month over those 12 months. Latencies are p50 /",
        "p95 in milliseconds after two warm-up calls.",
        "",
        "The sweep: one UPDATE makes every generated case running at the grid level (status",
        "reported, accepted, dispatched or in progress) with its level's time limit spread so",
        "that 1% lapsed up to two days before the sweep's moment and the rest falls within the",
        "next 90 days (those within 4 hours are in the warning window); `stats.rebuild()`;",
        "then `case_sweep(now=…)` twice at the same moment. Each raise or warning is one",
        "transaction through `services` (row lock, timeline step, figures, notification after",
        "commit). Afterwards the two tables must equal the cases' counters per month, grid",
        "node and handler.",
        "",
        "The machine is shared (other work was running; the 1-minute load average at the end",
        "is under the table).",
        "",
        "| measure | value |",
        "|---|---|",
        ("| generated cases by status | "
         + ", ".join(f"{k} {v:,}" for k, v in g["statuses"].items()) + " |"),
        (f"| generate (numpy) / write with COPY (s) | {g['prepare_s']} / {g['copy_s']} (of "
         f"which COPY text in Python {g.get('copy_text_s', '—')}, remaking "
         f"{g.get('indexes_remade', '—')} indexes {g.get('copy_index_s', '—')}) |"),
        (f"| `stats.rebuild()` over all cases (s); day rows / month rows | {rb['seconds']}; "
         f"{rb['day_rows']:,} / {rb['month_rows']:,} |"),
        (f"| **one community-month: ours** (ms, p50 / p95; target p95 ≤ 20) | "
         f"{_lat(r['ours_one'])} |"),
        f"| one community-month: plain PostgreSQL GROUP BY | {_lat(r['pg_one'])} |",
        f"| one community-month: DuckDB {duck.get('version', '')} | {_lat(duck.get('one'))} |",
        (f"| **every community by month over a year: ours** (ms; target p95 ≤ 300) | "
         f"{_lat(r['ours_year'])} |"),
        (f"| every community by month over a year: plain PostgreSQL GROUP BY | "
         f"{_lat(r['pg_year'])} |"),
        f"| every community by month over a year: DuckDB | {_lat(duck.get('year'))} |",
        (f"| answers agree: ours = PostgreSQL / ours = DuckDB | {_cell(r['pg_agrees'])} / "
         f"{_cell(duck.get('agrees'))} |"),
        (f"| DuckDB: export to CSV / load (s), threads | {duck.get('export_s', '—')} / "
         f"{duck.get('load_s', '—')}, {duck.get('threads', '—')} |"),
        (f"| concurrent moves: {conc['threads']} threads × {conc['cases'] // conc['threads']} "
         f"cases × 3 moves on one new key; figures = cases | {_cell(conc['agrees'])} "
         f"({conc['seconds']} s) |"),
    ]
    if sw:
        f1, f2 = sw["first"], sw["second"]
        lines += [
            (f"| sweep: running cases / lapsed at the sweep's moment | {sw['open_cases']:,} / "
             f"{sw['lapsed']:,} |"),
            (f"| **sweep, first run**: raised / to direct line / warned; seconds | "
             f"{f1['raised']:,} / {f1['direct_line']:,} / {f1['warned']:,}; {f1['seconds']} |"),
            (f"| sweep, first run: moves/s; running cases covered/s | {_cell(f1['moves_per_s'])}"
             f"; {_cell(f1['open_cases_per_s'])} |"),
            (f"| **sweep, second run at the same moment** (idempotent): moves; seconds | "
             f"{f2['raised'] + f2['direct_line'] + f2['warned']}; {f2['seconds']} |"),
            f"| sweep, second run: running cases covered/s | {_cell(f2['open_cases_per_s'])} |",
            (f"| figures kept through the sweep's moves = the cases' (per month, grid node "
             f"and handler) | {_cell(sw['figures_agree'])} ({sw['groups']:,} groups) |"),
            (f"| making the cases running: one UPDATE; then `stats.rebuild()` (s) | "
             f"{sw['prepare_s']}; {sw['rebuild_s']} |"),
        ]
    lines.append(f"| whole benchmark (s) | {_cell(r.get('total_s'))} |")
    lines += ["", f"Ran at {entry['ran_at']} on:", ""]
    lines += [f"- {k}: {v}" for k, v in entry["machine"].items()]
    lines.append("")
    return lines
