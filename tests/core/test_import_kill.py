"""A server killed in the middle of a ledger import leaves the database as before the import:
the importers write in one transaction, so SIGKILL while it is open loses all of it."""

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.core.test_backup import committed  # noqa: F401 (fixture)
from wangge.core.backup import table_counts
from wangge.registry.ledgers.files import import_ledger

ROWS = 10_000  # the write phase then takes about a second: ample time to kill it inside


def _ledger(path: Path, rows: int) -> Path:
    """A generated people ledger of newcomers: in buildings the demo does not have, with ID
    numbers of regions the demo does not use, so that every row is valid and new."""
    from wangge.bench.ledger import generate_rows, write_ledger
    from wangge.core.validators import build_resident_id
    from wangge.demo.population import micro_grids_from_db
    from wangge.registry.models import Building

    buildings = [(grid, f"测试{name}") for grid, name in
                 Building.objects.order_by("id").values_list("micro_grid__code", "name")]
    types = {m.code: m.type_code for m in micro_grids_from_db()}
    data = generate_rows(buildings, types, rows, seed=7)
    regions: dict[str, str] = {}
    for row in data:
        number = row[7]
        region = regions.setdefault(number[:6], f"5227{len(regions):02d}")
        row[7] = build_resident_id(
            region=region, birth_date=dt.date(int(number[6:10]), int(number[10:12]),
                                              int(number[12:14])),
            sequence=int(number[14:16]), sex="male" if int(number[16]) % 2 else "female")
        assert row[7][6:17] == number[6:17]
    write_ledger(path, data)
    return path


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _writer_pids() -> list[int]:
    """Who holds the database's write lock: SQLite has one writer (BEGIN IMMEDIATE fails
    while it writes); PostgreSQL shows row-exclusive locks on the registry's tables."""
    if connection.vendor == "sqlite":
        probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0,
                                isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return []
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
            return [0]
        finally:
            probe.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_class c "
                       "ON c.oid = l.relation WHERE c.relname LIKE 'registry\\_%%' "
                       "AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()")
        return [row[0] for row in cursor.fetchall()]


def _wait_for(condition, *, seconds: float, process: subprocess.Popen, output) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the import ended by itself ({process.returncode}): {output()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"gave up waiting: {output()}")
        time.sleep(0.02)


def test_sigkill_during_the_import_leaves_the_database_as_before(committed, tmp_path):  # noqa: F811
    ledger = _ledger(tmp_path / "people.xlsx", ROWS)
    before = table_counts()
    env = {**os.environ, "DATABASE_URL": _database_url(), "WANGGE_MODE": "test",
           "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "wangge", "ledger", "import", "people", str(ledger)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err: list[bytes] = []
    reader = threading.Thread(target=lambda: err.extend(iter(
        lambda: process.stderr.read1(4096), b"")), daemon=True)
    reader.start()

    def output() -> str:
        return b"".join(err).decode(errors="replace")[-2000:]

    try:
        # Every row checked (the last step before the transaction), then the write lock.
        _wait_for(lambda: f"check {ROWS}/{ROWS}" in output(), seconds=600,
                  process=process, output=output)
        _wait_for(_writer_pids, seconds=120, process=process, output=output)
        writers = _writer_pids()
        process.send_signal(signal.SIGKILL)
        stdout, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert b"imported" not in stdout  # it never got to report

    if connection.vendor == "postgresql":
        # The server rolls the dead client's transaction back once it notices it is gone.
        deadline = time.monotonic() + 60
        while set(writers) & set(_writer_pids()) and time.monotonic() < deadline:
            time.sleep(0.1)
    else:
        assert sqlite3.connect(connection.settings_dict["NAME"]).execute(
            "PRAGMA integrity_check").fetchone() == ("ok",)
    assert not _writer_pids()
    assert table_counts() == before


def test_an_import_failing_while_writing_leaves_nothing(laocheng, tmp_path):
    """The same guarantee inside one process: an error after the first rows are written
    (here from the progress report) rolls every one of them back."""
    ledger = _ledger(tmp_path / "small.xlsx", 30)
    before = table_counts()

    def progress(stage: str, done: int, total: int) -> None:
        if (stage, done) == ("write", 4):  # buildings, houses, households, people written
            raise RuntimeError("the server stopped")

    with ledger.open("rb") as fh, pytest.raises(RuntimeError):
        import_ledger(kind="people", file=fh, filename=ledger.name, progress=progress)
    assert table_counts() == before
