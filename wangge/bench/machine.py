"""A description of the machine a benchmark ran on, for the record."""

import os
import platform

import numpy as np
import shapely
from django.db import connection


def describe() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
        "database": _database(),
        "os": platform.platform(),
        "load_1min": str(round(os.getloadavg()[0], 2)),
    }


def _database() -> str:
    if connection.vendor == "sqlite":
        return f"sqlite {connection.Database.sqlite_version}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]} ({connection.settings_dict['HOST']})"
    return connection.vendor
