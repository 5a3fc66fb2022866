"""Benchmark: Open311 `POST requests.json` under concurrent clients, side by side with a
trivial Django view on the same gunicorn server (target: at least half its throughput).

The parent (`wangge bench open311`) prepares a database with the Laocheng demo (by
default the SQLite file `var/bench/open311.sqlite3`; `--database-url` for PostgreSQL),
loaded once and reused, in a child process (`wangge bench open311 --prepare`, which also
draws random points inside the street's micro-grids and prints one line
`OPEN311-BENCH-RESULT {json}`). It then starts gunicorn on a free loopback port with
`open311_wsgi` (the site plus `bench/trivial`) and drives it from several client
processes, each running threads with a keep-alive `http.client` connection, all POSTing
form-encoded requests for a fixed time: first to the trivial view, then to Open311. Every
request's latency is recorded; requests started during the warm-up are not counted.

By default the benchmark's client is in batch mode (`--intake batch`): a POST is checked in
full, kept with one insert and answered with a token, and the servers' own drain threads
file the cases meanwhile. When the load stops, the run waits (server still up) until every
submission is filed, and reports how long that took, the rate cases were filed at, and
whether every 200 became exactly one case. `--intake realtime` measures the old way, a
case filed within every request.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from wangge.bench import server as gunicorn

NAME = "open311"
HELP = "Open311 POST requests under concurrent clients vs a trivial view"
RESULT_MARK = "OPEN311-BENCH-RESULT "
TARGET_RATIO = 0.5
SEED = 20260311
POINTS = 4000
OPEN311_PATH = "/open311/v2/requests.json"
TRIVIAL_PATH = "/bench/trivial"
DESCRIPTIONS = ["小区门口垃圾堆放三天无人清运,气味很大", "路灯晚上不亮,行人不安全",
                "楼道里电动车充电,飞线很危险", "井盖缺失,夜间容易踩空", "夜间装修噪音扰民"]


def add_arguments(parser) -> None:
    parser.add_argument("--seconds", type=float, default=30,
                        help="measured seconds of load on each side (default 30)")
    parser.add_argument("--warmup", type=float, default=5,
                        help="seconds of load before measuring, each side (default 5)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--client-processes", type=int, default=4,
                        help="processes the clients run in (threads within them)")
    parser.add_argument("--workers", type=int, default=0,
                        help="gunicorn workers (default: 2 per core)")
    parser.add_argument("--threads", type=int, default=4,
                        help="threads per gunicorn worker (gthread)")
    parser.add_argument("--db", default="", help="the SQLite file (default "
                        "var/bench/open311.sqlite3; made with the demo if missing)")
    parser.add_argument("--database-url", default="",
                        help="use this PostgreSQL database instead (created and loaded "
                        "with the demo if missing), e.g. "
                        "postgres://postgres@127.0.0.1:5432/wangge_bench_open311")
    parser.add_argument("--intake", choices=["batch", "realtime"], default="batch",
                        help="how the Open311 client's POSTs are answered (default batch: "
                        "a token at once, the case filed by the drain)")
    parser.add_argument("--drain-timeout", type=float, default=900,
                        help="seconds to wait for the batch backlog to be filed (default 900)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database first")
    parser.add_argument("--write", action="store_true",
                        help="write var/bench/results.json and docs/benchmarks.md")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--city", action="store_true",
                        help="the database holds a generated city (`bench generate`): load "
                        "nothing, POST at points all over it (`bench city` runs this)")


def run(*, command, write: bool = False, prepare: bool = False, **options) -> None:
    from django.conf import settings

    db = Path(options.get("db") or settings.VAR_DIR / "bench" / "open311.sqlite3")
    database = Database(options.get("database_url") or f"sqlite:///{db}")
    if prepare:
        result = prepare_database(database, intake=options["intake"],
                                  city=options["city"])
        command.stdout.write(RESULT_MARK + json.dumps(result, ensure_ascii=False))
        return
    result = measure(database=database, seconds=options["seconds"], warmup=options["warmup"],
                     clients=options["clients"], processes=options["client_processes"],
                     workers=options["workers"] or 2 * (os.cpu_count() or 1),
                     threads=options["threads"], fresh=options["fresh"],
                     intake=options["intake"], drain_timeout=options["drain_timeout"],
                     echo=command.stdout.write)
    command.stdout.write("open311:")
    for key, value in result.items():
        command.stdout.write(f"  {key}: {value}")
    if write:
        from wangge.bench import report

        data = report.save(NAME, result, describe_machine(database))
        path = report.write_markdown(data)
        command.stdout.write(command.style.SUCCESS(f"wrote {path}"))


# --- the database ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """The benchmark's own database, by its URL: a SQLite file (the default) or a
    PostgreSQL database."""

    url: str

    @property
    def settings(self) -> dict:
        import dj_database_url

        return dj_database_url.parse(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.settings["ENGINE"].endswith("sqlite3")

    @property
    def name(self) -> str:
        return str(self.settings["NAME"])

    def shown(self) -> str:
        from django.conf import settings

        if self.is_sqlite:
            try:
                return str(Path(self.name).resolve().relative_to(settings.PROJECT_DIR))
            except ValueError:
                return self.name
        return f"PostgreSQL database {self.name}"

    def make(self, *, fresh: bool) -> None:
        """Create it, empty, if it is missing; with `fresh`, drop it first."""
        if self.is_sqlite:
            if fresh:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.name}{suffix}").unlink(missing_ok=True)
            Path(self.name).parent.mkdir(parents=True, exist_ok=True)
            return
        import psycopg
        from psycopg import sql

        s = self.settings
        with psycopg.connect(dbname="postgres", user=s.get("USER") or None,
                             password=s.get("PASSWORD") or None, host=s.get("HOST") or None,
                             port=s.get("PORT") or None, autocommit=True) as conn:
            if fresh:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(
                    sql.Identifier(self.name)))
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                [self.name]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def _one(self, query: str, params: tuple = ()) -> tuple:
        if self.is_sqlite:
            with closing(sqlite3.connect(f"file:{self.name}?mode=ro", uri=True)) as conn:
                return conn.execute(query.replace("%s", "?"), params).fetchone()
        import psycopg

        with psycopg.connect(self.url) as conn:
            return conn.execute(query, params).fetchone()

    def cases(self) -> int:
        return self._one("SELECT COUNT(*) FROM cases_case")[0]

    def last_submission(self) -> int:
        return self._one("SELECT COALESCE(MAX(id), 0) FROM channels_open311submission")[0]

    def pending(self) -> int:
        """Open311 batch submissions not filed yet (nor refused)."""
        return self._one("SELECT COUNT(*) FROM channels_open311submission "
                         "WHERE case_id IS NULL AND error = ''")[0]

    def submissions(self, after: int) -> dict:
        """What became of the submissions made after id `after`."""
        total, filed, cases, failed = self._one(
            "SELECT COUNT(*), COUNT(case_id), COUNT(DISTINCT case_id), "
            "COALESCE(SUM(CASE WHEN error <> '' THEN 1 ELSE 0 END), 0) "
            "FROM channels_open311submission WHERE id > %s", (after,))
        return {"total": total, "filed": filed, "distinct_cases": cases, "failed": failed}

    def engine(self) -> str:
        if self.is_sqlite:
            return f"sqlite {sqlite3.sqlite_version} (a file, WAL)"
        import psycopg

        with psycopg.connect(self.url) as conn:
            return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0]

    def env(self) -> dict[str, str]:
        """The environment of the processes that use it (the preparing child, gunicorn)."""
        return {**os.environ, "WANGGE_MODE": "test", "DATABASE_URL": self.url,
                "WANGGE_SWEEP_INTERVAL": "0", "DEBUG": "false", "LOG_LEVEL": "ERROR"}


def prepare_database(database: Database, intake: str = "batch", city: bool = False) -> dict:
    """In the child: migrate and load the demo into the database DATABASE_URL points at
    (which must be `database`), make sure the demo's Open311 key works (in the `intake`
    mode), and draw random points inside the street's micro-grids. With `city`, the
    database holds a generated city (`bench generate`): nothing is loaded, and the points
    are drawn in micro-grids all over it, each with its street."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from shapely.geometry import Point, shape

    from wangge.cases.models import Case
    from wangge.cases.selectors import leaf_categories
    from wangge.channels.services import (
        api_client_create,
        api_client_for_key,
        api_client_set_intake,
        submissions_drain,
    )
    from wangge.demo.services import demo_is_loaded, demo_load
    from wangge.grids.choices import CODE_LENGTH, Tier
    from wangge.grids.models import Grid
    from wangge.grids.selectors import locate_points

    if str(connection.settings_dict["NAME"]) != database.name:
        raise RuntimeError(f"--prepare needs DATABASE_URL={database.url} "
                           f"(got {connection.settings_dict['NAME']})")
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    loaded = city or demo_is_loaded()
    if not loaded:
        demo_load()
    key = settings.WANGGE_DEMO_OPEN311_KEY
    client = api_client_for_key(key)
    if client is None:
        client, _key = api_client_create(name=f"bench client {int(time.time())}", key=key)
    api_client_set_intake(client=client, intake=intake)
    submissions_drain()  # nothing left over from an interrupted run
    rng = random.Random(SEED)
    rows = list(Grid.objects.micro_grids().exclude(boundary__isnull=True)
                .order_by("code").values_list("code", "boundary"))
    if city:
        rows = rng.sample(rows, min(len(rows), 2 * POINTS))
    codes = [code for code, _b in rows]
    grids = [shape(b) for _code, b in rows]
    areas = [g.area for g in grids]
    points: list[tuple] = []
    while len(points) < POINTS:
        k = rng.choices(range(len(grids)), weights=areas)[0]
        grid = grids[k]
        x0, y0, x1, y1 = grid.bounds
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if grid.contains(Point(x, y)):
            points.append((round(x, 7), round(y, 7),
                           *([codes[k][:CODE_LENGTH[Tier.STREET]]] if city else [])))
    located = locate_points(points=[p[:2] for p in points])
    return {
        "reused": loaded,
        "seconds": round(time.perf_counter() - started, 1),
        "micro_grids": Grid.objects.micro_grids().count() if city else len(grids),
        "points": [p for p, code in zip(points, located, strict=True) if code],
        "service_codes": list(leaf_categories().values_list("code", flat=True)),
        "cases": Case.objects.count(),
        "key": key,
    }


def _prepare(database: Database, fresh: bool, intake: str, echo, city: bool = False) -> dict:
    database.make(fresh=fresh)
    echo(f"open311: preparing {database.shown()} (the demo is loaded once and reused)…")
    proc = subprocess.run([sys.executable, "-m", "wangge", "bench", NAME, "--prepare",
                           "--database-url", database.url, "--intake", intake,
                           *(["--city"] if city else [])],
                          env=database.env(),
                          capture_output=True, text=True, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK):])
    raise RuntimeError("could not prepare the benchmark database:\n"
                       + "\n".join(proc.stderr.strip().splitlines()[-20:]))


# --- the server -------------------------------------------------------------------------------


def _start_server(database: Database, port: int, workers: int, threads: int, log: Path):
    return gunicorn.start(app="wangge.bench.open311_wsgi:application", port=port,
                        workers=workers, threads=threads, env=database.env(), log=log,
                        preload=True)



# --- the clients ------------------------------------------------------------------------------


def _body(rng: random.Random, key: str, points: list, codes: list[str]) -> str:
    lon, lat, *street = rng.choice(points)
    return urlencode({
        # A server holding many streets needs the point's street (jurisdiction_id).
        **({"jurisdiction_id": street[0]} if street else {}),
        "api_key": key, "service_code": rng.choice(codes), "lat": lat, "long": lon,
        "description": rng.choice(DESCRIPTIONS), "first_name": "明", "last_name": "王",
        "phone": f"139{rng.randrange(10**8):08d}", "email": "resident@example.org",
        "media_url": f"https://photos.example.org/{rng.randrange(10**6)}.jpg",
    })


def _client_process(job: dict) -> dict:
    """One client process: `job["threads"]` threads, each with its own keep-alive
    connection, POSTing until `stop_at`; latencies of requests started after
    `measure_from` are kept."""
    results: list[dict] = []
    lock = threading.Lock()
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}

    def client(n: int) -> None:
        rng = random.Random(job["seed"] * 1000 + n)
        conn = http.client.HTTPConnection("127.0.0.1", job["port"], timeout=120)
        latencies: list[float] = []
        statuses: Counter = Counter()
        warm = Counter()
        last_end = 0.0
        while time.time() < job["start_at"]:
            time.sleep(0.001)
        while time.time() < job["stop_at"]:
            body = _body(rng, job["key"], job["points"], job["codes"])
            began = time.time()
            t0 = time.perf_counter()
            try:
                conn.request("POST", job["path"], body, headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            elapsed = time.perf_counter() - t0
            if began >= job["measure_from"]:
                latencies.append(elapsed)
                statuses[status] += 1
                last_end = time.time()
            else:
                warm[status] += 1
        conn.close()
        with lock:
            results.append({"latencies": latencies, "statuses": statuses, "warm": warm,
                            "last_end": last_end})

    threads = [threading.Thread(target=client, args=(n,)) for n in range(job["threads"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "latencies": [x for r in results for x in r["latencies"]],
        "statuses": dict(sum((r["statuses"] for r in results), Counter())),
        "warm": dict(sum((r["warm"] for r in results), Counter())),
        "last_end": max(r["last_end"] for r in results),
    }


def _percentile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _load(*, port: int, path: str, prepared: dict, clients: int, processes: int,
          seconds: float, warmup: float, seed: int) -> dict:
    processes = max(1, min(processes, clients))
    start_at = time.time() + 1.0
    measure_from = start_at + warmup
    stop_at = measure_from + seconds
    jobs = [{"port": port, "path": path, "key": prepared["key"],
             "points": prepared["points"], "codes": prepared["service_codes"],
             "threads": clients // processes + (1 if i < clients % processes else 0),
             "start_at": start_at, "measure_from": measure_from, "stop_at": stop_at,
             "seed": seed + i} for i in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        parts = pool.map(_client_process, jobs)
    ordered = sorted(x for p in parts for x in p["latencies"])
    statuses = sum((Counter(p["statuses"]) for p in parts), Counter())
    warm = sum((Counter(p["warm"]) for p in parts), Counter())
    ok = sum(n for status, n in statuses.items() if status == 200)
    wall = max(max(p["last_end"] for p in parts) - measure_from, 0.0)
    return {
        "requests": len(ordered),
        "errors": len(ordered) - ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "wall_s": round(wall, 2),
        "requests_per_s": round(ok / wall, 1) if wall > 0 else None,
        "p50_ms": _ms(_percentile(ordered, 0.50)),
        "p90_ms": _ms(_percentile(ordered, 0.90)),
        "p99_ms": _ms(_percentile(ordered, 0.99)),
        "max_ms": _ms(ordered[-1] if ordered else None),
        "ok_total": ok + warm.get(200, 0),
        "started_at": start_at,
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _drain(database: Database, *, started_at: float, timeout: float) -> dict:
    """Wait, the server still running, until its drain threads have filed every batch
    submission; how long that took after the load stopped, and the rates."""
    stopped = time.time()
    backlog = database.pending()
    left = backlog
    while left and time.time() - stopped < timeout:
        time.sleep(0.2)
        left = database.pending()
    done = time.time()
    return {"backlog_at_stop": backlog, "left_unfiled": left,
            "drain_after_load_s": round(done - stopped, 2),
            "drain_after_load_cases_per_s": (round(backlog / (done - stopped), 1)
                                             if backlog and not left else None),
            "load_and_drain_s": round(done - started_at, 2)}


def measure(*, database: Database, seconds: float, warmup: float, clients: int,
            processes: int, workers: int, threads: int, fresh: bool, intake: str = "batch",
            city: bool = False,
            drain_timeout: float = 900, echo=print) -> dict:
    from django.conf import settings

    prepared = _prepare(database, fresh, intake, echo, city=city)
    what = "the city" if city else f"{'reused' if prepared['reused'] else 'loaded'} the demo"
    echo(f"  {what} ({prepared['micro_grids']:,} micro-grids, {prepared['cases']:,} cases); "
         f"{len(prepared['points'])} random points inside its micro-grids")
    port = gunicorn.free_port()
    log = settings.VAR_DIR / "bench" / "open311-gunicorn.log"
    echo(f"open311: gunicorn, {workers} workers × {threads} threads (gthread) on "
         f"127.0.0.1:{port}…")
    load_before = os.getloadavg()[0]
    server = _start_server(database, port, workers, threads, log)
    sides = {}
    try:
        for side, path in (("trivial", TRIVIAL_PATH), ("open311", OPEN311_PATH)):
            echo(f"open311: {clients} clients POST {path} for {warmup:g} + {seconds:g} s…")
            before, last = database.cases(), database.last_submission()
            sides[side] = result = _load(port=port, path=path, prepared=prepared,
                                         clients=clients, processes=processes,
                                         seconds=seconds, warmup=warmup, seed=SEED)
            started_at = result.pop("started_at")
            if side == "open311" and intake == "batch":
                echo("open311: load stopped; waiting for the drain to file the backlog…")
                result["drain"] = _drain(database, started_at=started_at,
                                         timeout=drain_timeout)
                result["submissions"] = database.submissions(last)
                written = database.cases() - before
                result["drain"]["cases_per_s"] = round(
                    written / result["drain"]["load_and_drain_s"], 1)
            result["cases_written"] = database.cases() - before
            echo(f"  {result}")
    finally:
        gunicorn.stop(server)
    load_after = os.getloadavg()[0]
    trivial, ours = sides["trivial"], sides["open311"]
    submissions = ours.get("submissions")
    # Every 200 wrote one case (in batch mode: its submission was filed as exactly one case
    # and none was refused), and the trivial view none.
    one_case_each = (ours["cases_written"] == ours["ok_total"] and trivial["cases_written"] == 0
                     and (submissions is None
                          or submissions["total"] == submissions["filed"]
                          == submissions["distinct_cases"] == ours["ok_total"]))
    ratio = (round(ours["requests_per_s"] / trivial["requests_per_s"], 3)
             if ours["requests_per_s"] and trivial["requests_per_s"] else None)
    return {
        "clients": clients,
        "client_processes": max(1, min(processes, clients)),
        "workers": workers,
        "threads": threads,
        "server": f"gunicorn {_version('gunicorn')}, gthread, {workers} workers × "
                  f"{threads} threads, 127.0.0.1",
        "seconds": seconds,
        "warmup_s": warmup,
        "database": database.shown(),
        "intake": intake,
        "cases_before": prepared["cases"],
        "trivial": trivial,
        "open311": ours,
        "ratio": ratio,
        "target_met": ratio is not None and ratio >= TARGET_RATIO,
        "every_ok_wrote_a_case": one_case_each,
        "load_1min": [round(load_before, 2), round(load_after, 2)],
    }


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def describe_machine(database: Database) -> dict[str, str]:
    from wangge.bench import machine

    return {**machine.describe(), "database": database.engine(),
            "django": _version("django"), "gunicorn": _version("gunicorn")}


# --- the report -------------------------------------------------------------------------------


def _side_rows(r: dict) -> list[tuple[str, object, object]]:
    t, o = r["trivial"], r["open311"]
    return [
        ("requests measured", f"{o['requests']:,}", f"{t['requests']:,}"),
        ("errors (non-200)", o["errors"], t["errors"]),
        ("**requests/s**", o["requests_per_s"], t["requests_per_s"]),
        ("latency p50 (ms)", o["p50_ms"], t["p50_ms"]),
        ("latency p90 (ms)", o["p90_ms"], t["p90_ms"]),
        ("**latency p99 (ms)**", o["p99_ms"], t["p99_ms"]),
        ("latency max (ms)", o["max_ms"], t["max_ms"]),
        ("cases written (warm-up included)", f"{o['cases_written']:,}", t["cases_written"]),
    ]


def _drain_rows(r: dict) -> list[tuple[str, object]]:
    drain, subs = r["open311"].get("drain"), r["open311"].get("submissions")
    if not drain:
        return []
    return [
        ("batch submissions not yet filed when the load stopped",
         f"{drain['backlog_at_stop']:,}"),
        ("… all filed (s after the load stopped)", drain["drain_after_load_s"]),
        ("… filed per second after the load stopped", drain["drain_after_load_cases_per_s"]),
        ("**cases filed per second**, load and drain together",
         drain["cases_per_s"]),
        ("submissions: made / filed / distinct cases / refused by the drain",
         f"{subs['total']:,} / {subs['filed']:,} / {subs['distinct_cases']:,} / "
         f"{subs['failed']}"),
    ]


def _how_filed(r: dict) -> list[str]:
    if r.get("intake", "realtime") == "realtime":
        return [
            "`/open311/v2/requests.json`, where every request opens a case through `case_report`",
            "(check the key and the service, locate the point, time limits from the working",
            "calendar, the case and its first step, in one transaction).",
        ]
    return [
        "`/open311/v2/requests.json` with the client in batch mode (GeoReport v2 service type",
        "`batch`): every request is checked in full as before (key, service, the point in",
        "one of the street's micro-grids, phone, e-mail, media URL), kept with one insert",
        "and answered with a token; the drain thread of each gunicorn worker, woken after",
        "each commit, files the waiting submissions as cases through the same `case_report`,",
        "during the load and after it. When the load stops the run waits, the server still",
        "up, until every submission is filed, and checks that each became exactly one case.",
    ]


def section(entry: dict) -> list[str]:
    from wangge.bench.report import _machine

    r = entry["result"]
    ratio = r.get("ratio")
    lines = [
        f"## Open311: POST requests under {r['clients']} concurrent clients",
        "",
        "How it was run: `wangge bench open311 --write` loads the Laocheng demo into",
        f"{r['database']} (once, then reused: it held {r['cases_before']:,} cases before "
        "this run) and serves",
        f"the site with {r['server']}, through",
        "`wangge/bench/open311_wsgi.py`: the site's URLs plus `bench/trivial`, `WANGGE_MODE=test`,",
        "no sweep thread. The trivial view parses the same POST form and answers a small JSON",
        f"without touching the database. {r['clients']} clients ({r['client_processes']} "
        "processes of threads on the same",
        "machine, one keep-alive `http.client` connection each) POST form-encoded requests as",
        "an Open311 app would: the demo's `api_key`, a random service, a random point inside",
        "one of the street's micro-grids, a description, the reporter's name, phone and",
        "e-mail, a media URL; each answer is read in full before the next request.",
        f"{r['warmup_s']:g} s of warm-up, then {r['seconds']:g} s measured, first on the "
        "trivial view, then on",
        *_how_filed(r),
        "Requests/s counts 200 answers over the measured time; latency is per request, from",
        "sending to the last byte. Other work on the machine shares its cores with both",
        "sides (load average below).",
        "",
        f"| measure | Open311 `POST requests.json` ({r.get('intake', 'realtime')}) "
        "| trivial Django view |",
        "|---|---|---|",
    ]
    lines += [f"| {label} | {o} | {t} |" for label, o, t in _side_rows(r)]
    lines += [
        "",
        "| measure | value |",
        "|---|---|",
        f"| **Open311 ÷ trivial, requests/s** (target ≥ {TARGET_RATIO:.0%}) | "
        f"{'—' if ratio is None else f'{ratio:.1%}'} |",
        f"| target met | {'yes' if r.get('target_met') else 'no'} |",
        *[f"| {label} | {value} |" for label, value in _drain_rows(r)],
        f"| every 200 became exactly one case, the trivial view wrote none | "
        f"{'yes' if r.get('every_ok_wrote_a_case') else 'no'} |",
        f"| 1-min load average before → after | {r['load_1min'][0]} → {r['load_1min'][1]} |",
    ]
    return lines + _machine(entry)
