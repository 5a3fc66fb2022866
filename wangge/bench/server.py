"""gunicorn on a free loopback port for the benchmarks that need a real server
(`bench open311`, `bench load`): started, waited for until `/healthz` answers, stopped."""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(*, app: str, port: int, workers: int, threads: int, env: dict, log: Path,
          preload: bool = False, wait_s: float = 120) -> subprocess.Popen:
    """gunicorn (gthread) serving the WSGI `app`; returns once `/healthz` answers 200."""
    from django.conf import settings

    args = [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--keep-alive", "30", "--backlog", "512", "--log-level", "warning",
            "--timeout", "120", *(["--preload"] if preload else [])]
    with log.open("w") as out:
        proc = subprocess.Popen(args, env=env, cwd=settings.PROJECT_DIR, stdout=out,
                                stderr=subprocess.STDOUT)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop(proc)
    raise RuntimeError(f"gunicorn did not answer /healthz within {wait_s:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
