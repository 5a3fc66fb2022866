"""`wangge demo --no-serve` on a fresh database, as a new user runs it."""

import os
import subprocess
import sys


def _run_demo(db_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "WANGGE_MODE": ""}
    env.pop("WANGGE_MODE")
    return subprocess.run(
        [sys.executable, "-m", "wangge", "demo", "--no-serve"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_demo_loads_once_and_is_idempotent(tmp_path):
    db_path = tmp_path / "demo.sqlite3"
    first = _run_demo(db_path)
    assert first.returncode == 0, first.stderr
    assert "演示数据已载入" in first.stdout
    second = _run_demo(db_path)
    assert second.returncode == 0, second.stderr
    assert "跳过演示数据" in second.stdout

    count = subprocess.run(
        [sys.executable, "-c",
         "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]);"
         "print(c.execute(\"select count(*) from grids_grid where tier='micro_grid'\")"
         ".fetchone()[0])", str(db_path)],
        capture_output=True, text=True, check=True,
    )
    assert count.stdout.strip() == "885"
