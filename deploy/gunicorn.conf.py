"""gunicorn settings for wangge: `gunicorn -c deploy/gunicorn.conf.py wangge.wsgi`.

Sized for a small server; override with GUNICORN_* environment variables. nginx in front
(deploy/nginx-wangge.conf) serves static files and buffers slow clients, so gthread workers
suffice. Not `preload_app`: the sweep thread (WANGGE_SWEEP_INTERVAL > 0) starts when a worker
loads the app, and a thread started in the master would not survive the fork.
"""

import multiprocessing
import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# Ledger imports of 100,000 rows take ~20 s (docs/benchmarks.md); a stuck worker is killed
# after this long.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5
# Restart workers now and then, staggered, to bound any slow memory growth.
max_requests = 2000
max_requests_jitter = 200
# nginx writes the access log; gunicorn's errors go to the journal.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "wangge"


def on_starting(server):
    """Prometheus multiprocess mode: start from an empty directory (old workers' files
    would otherwise be summed in for ever)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
