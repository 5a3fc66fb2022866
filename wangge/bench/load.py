"""A bounded load test on loopback, and PostgreSQL restarted in the middle of one:
`wangge bench load [--seconds N] [--fault-seconds N] [--write]` over the city that
`wangge bench generate --scale city` wrote (DATABASE_URL naming a "bench" database).

gunicorn (gthread) serves the production WSGI application on a free loopback port; client
processes of threads, each with a keep-alive `http.client` connection and a logged-in
city-wide session, send a mix of what the city's users do: the case list of a community,
one person by exact ID number, the case figures of a community for a month, a street's
dashboard, and Open311 `POST requests` (each with a marker in its description).

1. **Steady**: `--seconds` of that mix: requests held, p50/p95/p99 per kind, errors.
2. **Fault**: `--fault-seconds` of the same mix with `pg_ctlcluster … restart` a third of the
   way in. Requests during the restart must fail cleanly (503 with Retry-After, or a
   refused connection), the service must come back by itself, and every Open311 request
   answered 200 must be exactly one case, none lost, none twice; a request that failed
   must have left no case.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import random
import re
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np

from wangge.bench import server as gunicorn

NAME = "load"
HELP = "bounded load test on loopback over the city, and PostgreSQL restarted mid-run"
BENCH_USER = "bench-city"
# The mix: kind → weight.
MIX = {"case list": 30, "person by ID": 30, "case figures": 15, "dashboard": 5, "open311": 20}
MARKER = "LOADTEST"


def add_arguments(parser) -> None:
    parser.add_argument("--seconds", type=int, default=120, help="steady phase, measured")
    parser.add_argument("--fault-seconds", type=int, default=60,
                        help="fault phase (0: none); PostgreSQL restarts a third of the way in")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--write", action="store_true",
                        help="write var/bench/results.json and docs/benchmarks.md")


# --- what the clients ask ----------------------------------------------------------------------


def _material(echo) -> dict[str, Any]:
    """Codes, ID numbers, points and keys the clients draw their requests from."""
    import shapely
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from wangge.cases.models import Category
    from wangge.channels.services import (
        api_client_create,
        api_client_for_key,
        api_client_set_intake,
    )
    from wangge.grids.models import Grid
    from wangge.registry.models import Person

    rng = np.random.default_rng(5)
    communities = list(Grid.objects.filter(tier="community").values_list("code", flat=True))
    streets = list(Grid.objects.filter(tier="street").values_list("code", flat=True))
    last = Person.objects.order_by("-id").values_list("id", flat=True).first()
    picked = rng.integers(1, last + 1, 3000).tolist()
    numbers = list(Person.objects.filter(id__in=picked).exclude(id_number_hash="")
                   .values_list("id_number", flat=True)[:2000])
    sample = rng.choice(Grid.objects.micro_grids().count(), 2000, replace=False).tolist()
    ids = list(Grid.objects.micro_grids().order_by("pk").values_list("pk", flat=True))
    rows = list(Grid.objects.filter(pk__in=[ids[i] for i in sample])
                .values_list("code", "boundary"))
    geoms = shapely.from_geojson([json.dumps(b) for _code, b in rows])
    # Each point with its street: Open311's jurisdiction_id when a server has many.
    points = [(p.x, p.y, code[:9])
              for p, (code, _b) in zip(shapely.point_on_surface(geoms), rows, strict=True)]
    services = list(Category.objects.filter(active=True, parent__isnull=False)
                    .values_list("code", flat=True)) \
        or list(Category.objects.values_list("code", flat=True))
    key = settings.WANGGE_DEMO_OPEN311_KEY
    client = api_client_for_key(key) or api_client_create(name="bench-load", key=key)[0]
    # Batch intake (a token at once, the case filed by the servers' drains), whatever an
    # earlier benchmark left: the restart then falls on drains as well as on requests.
    api_client_set_intake(client=client, intake="batch")
    user_model = get_user_model()
    user = user_model.objects.filter(username=BENCH_USER).first() or \
        user_model.objects.create_superuser(BENCH_USER, "", None)
    client = Client()
    client.force_login(user)
    echo(f"load: {len(communities)} communities, {len(numbers)} ID numbers, "
         f"{len(points)} points, {len(services)} services")
    return {"communities": communities, "streets": streets, "numbers": numbers,
            "points": points, "services": services, "key": key,
            "cookie": f"sessionid={client.cookies['sessionid'].value}"}


def _request(kind: str, rng: random.Random, m: dict, marker: str) -> tuple[str, str, str]:
    if kind == "case list":
        query = urlencode({"grid": rng.choice(m["communities"]),
                           "status": rng.choice(["in_progress", "dispatched", "closed"])})
        return "GET", f"/api/cases/?{query}", ""
    if kind == "person by ID":
        return "GET", f"/api/people/?id_number={rng.choice(m['numbers'])}", ""
    if kind == "case figures":
        month = rng.randrange(1, 11)
        query = urlencode({"grid": rng.choice(m["communities"]),
                           "from": f"2026-{month:02d}-01", "to": f"2026-{month:02d}-28"})
        return "GET", f"/api/stats/cases?{query}", ""
    if kind == "dashboard":
        return "GET", f"/console/dashboard?grid={rng.choice(m['streets'])}", ""
    lon, lat, street = rng.choice(m["points"])
    return "POST", "/open311/v2/requests.json", urlencode({
        "api_key": m["key"], "jurisdiction_id": street,
        "service_code": rng.choice(m["services"]), "lat": lat,
        "long": lon, "description": f"{marker} 路灯不亮，晚上很黑", "first_name": "明",
        "last_name": "王", "phone": f"139{rng.randrange(10**8):08d}"})


def _client_process(job: dict) -> list[dict]:
    """One client process: threads, each with its own keep-alive connection, sending the
    mix until `stop_at`. Every request is kept: (kind, start, seconds, status, marker, id)."""
    out: list[dict] = []
    lock = threading.Lock()
    kinds, weights = list(MIX), list(MIX.values())

    def client(n: int) -> None:
        rng = random.Random(job["seed"] * 1000 + n)
        conn = http.client.HTTPConnection("127.0.0.1", job["port"], timeout=60)
        rows = []
        count = 0
        while time.time() < job["stop_at"]:
            kind = rng.choices(kinds, weights)[0]
            count += 1
            marker = f"{MARKER}-{job['run']}-{job['seed']}-{n}-{count}"
            method, path, body = _request(kind, rng, job["material"], marker)
            headers = {"Cookie": job["material"]["cookie"], "Host": "localhost"}
            if body:
                headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
            began = time.time()
            t0 = time.perf_counter()
            answer = b""
            try:
                conn.request(method, path, body or None, headers)
                response = conn.getresponse()
                answer = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            row = {"kind": kind, "at": began, "s": time.perf_counter() - t0, "status": status}
            if kind == "open311":
                row["marker"] = marker
                if status == 200:
                    try:
                        item = json.loads(answer)[0]
                        row["id"] = item.get("service_request_id") or ""
                        row["token"] = item.get("token") or ""
                    except (ValueError, IndexError, KeyError, TypeError):
                        row["id"] = ""
            rows.append(row)
            if status in (0, 503):
                time.sleep(0.2)  # as a client honouring Retry-After would, briefly
        conn.close()
        with lock:
            out.extend(rows)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(job["threads"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def _drive(*, port: int, material: dict, clients: int, seconds: float, run: str,
           during=None) -> list[dict]:
    """Run the clients for `seconds`; `during(started_at)` runs in this process meanwhile."""
    processes = max(1, min(4, clients // 4))
    per = [clients // processes + (1 if i < clients % processes else 0)
           for i in range(processes)]
    start = time.time() + 1
    jobs = [{"port": port, "material": material, "threads": n, "seed": i + 1, "run": run,
             "stop_at": start + seconds} for i, n in enumerate(per)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes) as pool:
        pending = pool.map_async(_client_process, jobs)
        if during is not None:
            during(start)
        rows = [r for chunk in pending.get() for r in chunk]
    return rows


# --- the server --------------------------------------------------------------------------------


def _start_server(port: int, workers: int, threads: int, log: Path):
    env = dict(os.environ, WANGGE_2FA_REQUIRED="false", WANGGE_SWEEP_INTERVAL="0")
    return gunicorn.start(app="wangge.wsgi:application", port=port, workers=workers,
                        threads=threads, env=env, log=log, wait_s=180)


def _warm(port: int, material: dict, workers: int) -> None:
    """Every worker builds its locate index, Open311's copies of the streets and services,
    and opens its connection before the clock (a few warm-up cases are filed)."""
    rng = random.Random(0)
    for n in range(workers * 6):
        for kind in MIX:
            method, path, body = _request(kind, rng, material, f"{MARKER}-warm-0-0-{n}")
            headers = {"Cookie": material["cookie"], "Host": "localhost"}
            if body:
                headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
            conn.request(method, path, body or None, headers)
            conn.getresponse().read()
            conn.close()


# --- figures -----------------------------------------------------------------------------------


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    arr = np.array(values) * 1000
    return {"p50_ms": round(float(np.percentile(arr, 50)), 1),
            "p95_ms": round(float(np.percentile(arr, 95)), 1),
            "p99_ms": round(float(np.percentile(arr, 99)), 1)}


def _summary(rows: list[dict], seconds: float) -> dict[str, Any]:
    out: dict[str, Any] = {"requests": len(rows), "per_s": round(len(rows) / seconds, 1),
                           "statuses": dict(Counter(str(r["status"]) for r in rows)),
                           "errors": sum(1 for r in rows if r["status"] != 200)}
    out.update(_percentiles([r["s"] for r in rows if r["status"] == 200]))
    out["kinds"] = {}
    for kind in MIX:
        mine = [r for r in rows if r["kind"] == kind]
        out["kinds"][kind] = {"requests": len(mine),
                              "errors": sum(1 for r in mine if r["status"] != 200),
                              **_percentiles([r["s"] for r in mine if r["status"] == 200])}
    return out


def _integrity(rows: list[dict], run: str) -> dict[str, Any]:
    """Every Open311 200 is exactly one case; a failed request left none."""
    from wangge.cases.models import Case
    from wangge.channels.models import Open311Submission
    from wangge.channels.services import submissions_drain

    # Batch intake: a 200 answered with a token may still be waiting for its case. File
    # what waits (as the servers' drains would, a moment later), give the servers' own
    # drains up to a minute to finish their batches, then count.
    deadline = time.time() + 60
    while True:
        submissions_drain()
        if not Open311Submission.objects.pending().exists() or time.time() > deadline:
            break
        time.sleep(2)
    posts = [r for r in rows if r["kind"] == "open311"]
    found = Counter()
    pattern = re.compile(rf"({MARKER}-{re.escape(run)}-\d+-\d+-\d+)")
    for text in Case.objects.filter(description__startswith=f"{MARKER}-{run}-") \
            .values_list("description", flat=True).iterator():
        match = pattern.match(text)
        if match:
            found[match.group(1)] += 1
    # Still waiting: claimed by a drain that the restart cut off (the claim lapses after
    # `CLAIM_FOR`, then any drain files it). Kept, not lost.
    waiting = set()
    for data in Open311Submission.objects.pending().values_list("data", flat=True):
        waiting.update(pattern.findall(data))
    answered = [r for r in posts if r["status"] == 200]
    failed = [r for r in posts if r["status"] != 200]
    return {
        "open311_answered_200": len(answered),
        "open311_failed": len(failed),
        "cases_with_marker": sum(found.values()),
        "waiting_claimed": sum(1 for r in answered
                               if found[r["marker"]] == 0 and r["marker"] in waiting),
        "lost": sum(1 for r in answered
                    if found[r["marker"]] == 0 and r["marker"] not in waiting),
        "twice": sum(1 for n in found.values() if n > 1),
        "failed_but_written": sum(1 for r in failed if found[r["marker"]] > 0),
        "pending_submissions": Open311Submission.objects.pending().count(),
    }


def _restart_postgres(echo) -> dict[str, Any]:
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(x) for x in
                                                                   v.split(".")])
    t0 = time.time()
    done = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main",
                           "restart", "-m", "fast"], capture_output=True, text=True)
    echo(f"  PostgreSQL restarted ({done.returncode}) in {time.time() - t0:.1f} s")
    return {"began": t0, "ended": time.time(), "returncode": done.returncode,
            "stderr": done.stderr.strip()[-300:]}


# --- the command -------------------------------------------------------------------------------


def run(*, command, seconds: int, fault_seconds: int, clients: int, workers: int,
        threads: int, write: bool = False, **options) -> None:
    from django.conf import settings
    from django.db import connection, connections

    from wangge.bench import machine, report

    echo = command.stdout.write
    if connection.vendor != "postgresql" or "bench" not in connection.settings_dict["NAME"]:
        raise SystemExit("bench load needs DATABASE_URL naming a PostgreSQL 'bench' database "
                         "holding a generated city (wangge bench generate --scale city).")
    material = _material(echo)
    connections.close_all()
    port = gunicorn.free_port()
    log = settings.VAR_DIR / "bench" / "load-gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    echo(f"load: gunicorn {workers} workers × {threads} threads, {clients} clients")
    proc = _start_server(port, workers, threads, log)
    result: dict[str, Any] = {"clients": clients, "server": {
        "workers": workers, "threads": threads, "worker_class": "gthread"}}
    try:
        _warm(port, material, workers)
        run_id = f"{int(time.time())}"
        load_before = os.getloadavg()[0]
        rows = _drive(port=port, material=material, clients=clients, seconds=seconds,
                      run=run_id + "s")
        result["steady"] = _summary(rows, seconds) | {
            "seconds": seconds, "load_before_after": [round(load_before, 2),
                                                      round(os.getloadavg()[0], 2)]}
        connections.close_all()
        result["steady"]["integrity"] = _integrity(rows, run_id + "s")
        echo(f"  steady: {result['steady']}")
        if fault_seconds:
            restart: dict[str, Any] = {}

            def during(start: float) -> None:
                time.sleep(max(0.0, start + fault_seconds / 3 - time.time()))
                restart.update(_restart_postgres(echo))

            rows = _drive(port=port, material=material, clients=clients,
                          seconds=fault_seconds, run=run_id + "f", during=during)
            connections.close_all()
            failed = sorted(r["at"] for r in rows if r["status"] != 200)
            after = [r for r in rows if r["at"] > restart["ended"] + 5]
            fault = _summary(rows, fault_seconds) | {
                "seconds": fault_seconds,
                "restart_s": round(restart["ended"] - restart["began"], 1),
                "restart_returncode": restart["returncode"],
                "failed_from_restart_s": round(failed[0] - restart["began"], 1)
                if failed else None,
                "failed_until_restart_end_plus_s": round(failed[-1] - restart["ended"], 1)
                if failed else None,
                "errors_5s_after_restart_onwards": sum(1 for r in after if r["status"] != 200),
                "integrity": _integrity(rows, run_id + "f"),
            }
            result["fault"] = fault
            echo(f"  fault: {fault}")
    finally:
        gunicorn.stop(proc)
    steady, fault = result["steady"], result.get("fault", {})
    integrity_ok = all(block["integrity"]["lost"] == 0 and block["integrity"]["twice"] == 0
                       and block["integrity"]["failed_but_written"] == 0
                       for block in (steady, fault) if block)
    result["targets"] = {
        "steady_zero_errors": steady["errors"] == 0,
        "fault_recovers_by_itself": bool(fault) and
        fault["errors_5s_after_restart_onwards"] == 0,
        "no_case_lost_or_twice": integrity_ok,
    }
    echo(f"load: targets {result['targets']}")
    if write:
        path = report.write_markdown(report.save(NAME, result, machine.describe()))
        echo(command.style.SUCCESS(f"wrote {path}"))


def _row(name: str, block: dict) -> str:
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(block["statuses"].items()))
    return (f"| {name} | {block['seconds']} | {block['requests']:,} | {block['per_s']} | "
            f"{block.get('p50_ms', '—')} / {block.get('p95_ms', '—')} / "
            f"{block.get('p99_ms', '—')} | {block['errors']} | {statuses} |")


def section(entry: dict) -> list[str]:
    r = entry["result"]
    steady, fault = r["steady"], r.get("fault")
    lines = [
        "## Load and faults: the city under a bounded load",
        "",
        "How it was run: `make bench-city` ends with `wangge bench load --write` over the "
        "generated city: gunicorn (gthread, "
        f"{r['server']['workers']} workers × {r['server']['threads']} threads) serves the "
        "production WSGI application on loopback; "
        f"{r['clients']} clients (threads in 4 processes on the same 2 cores, one keep-alive "
        "connection and a city-wide session each) send, by weight, "
        + ", ".join(f"{k} {v}%" for k, v in MIX.items())
        + " (the case list of a random community and status; one person by exact ID number; "
        "a community's case figures for a month; a street's dashboard; Open311 `POST "
        "requests.json` at a point in a random micro-grid, batch intake: a token at once, "
        "the case filed by the servers' drains; what still waits when a run ends is filed "
        "before the cases are counted). A client that gets an error "
        "waits 0.2 s. The fault run restarts PostgreSQL (`pg_ctlcluster … restart -m fast`) "
        "a third of the way in. Latencies are of answered (200) requests, from sending to "
        "the last byte.",
        "",
        "| run | s | requests | per s | p50 / p95 / p99 (ms) | errors | statuses |",
        "|---|---|---|---|---|---|---|",
        _row("steady", steady),
    ]
    if fault:
        lines.append(_row("PostgreSQL restarted", fault))
    lines += ["", "| kind (steady) | requests | errors | p50 / p95 / p99 (ms) |",
              "|---|---|---|---|"]
    for kind, k in steady["kinds"].items():
        lines.append(f"| {kind} | {k['requests']:,} | {k['errors']} | "
                     f"{k.get('p50_ms', '—')} / {k.get('p95_ms', '—')} / "
                     f"{k.get('p99_ms', '—')} |")
    lines += ["", "| measure | value |", "|---|---|",
              f"| 1-min load average before → after the steady run | "
              f"{steady['load_before_after'][0]} → {steady['load_before_after'][1]} |"]
    for name, block in (("steady", steady), ("fault", fault)):
        if block:
            i = block["integrity"]
            lines.append(f"| {name}: Open311 200s / cases with their marker / still claimed "
                         "by a drain the restart cut off (filed when the claim lapses) / "
                         f"lost / twice / failed but written | "
                         f"{i['open311_answered_200']} / {i['cases_with_marker']} / "
                         f"{i.get('waiting_claimed', '—')} / {i['lost']} / {i['twice']} / "
                         f"{i['failed_but_written']} |")
    if fault:
        lines += [
            f"| restart took (s) | {fault['restart_s']} |",
            f"| first failure after the restart began (s) | {fault['failed_from_restart_s']} |",
            f"| last failure after the restart ended (s) | "
            f"{fault['failed_until_restart_end_plus_s']} |",
            f"| errors from 5 s after the restart on | "
            f"{fault['errors_5s_after_restart_onwards']} |",
        ]
    lines += ["", f"Targets met: {r['targets']}", "", f"Ran at {entry['ran_at']} on:", ""]
    lines += [f"- {k}: {v}" for k, v in entry["machine"].items()]
    return lines
