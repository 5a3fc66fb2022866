"""Benchmark results: kept in var/bench/results.json and written out as docs/benchmarks.md."""

import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone

RESULTS = settings.VAR_DIR / "bench" / "results.json"
DOC = settings.PROJECT_DIR / "docs" / "benchmarks.md"

LOCATE_ROWS = [
    ("micro_grids", "micro-grids in the index"),
    ("points", "random points (bounding box + 2% margin)"),
    ("inside_share", "share of points inside a micro-grid"),
    ("index_build_s", "index build (s)"),
    ("raster_cells", "raster cells"),
    ("bulk_points_per_s", "**bulk locate, points/s** (target ≥ 500,000)"),
    ("alternative_plain_strtree_points_per_s", "shapely STRtree.query, plain vectorized, points/s"),
    ("speedup_vs_plain_strtree", "speed-up over plain STRtree"),
    ("single_p50_us", "single call p50 (µs)"),
    ("single_p99_us", "**single call p99 (µs)** (target ≤ 50)"),
    ("bulk_agrees_with_brute_force", "**bulk agrees with brute force**"),
    ("single_agrees_with_brute_force", "single calls agree with brute force"),
]


def save(name: str, result: dict, machine: dict) -> dict:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[name] = {"result": result, "machine": machine, "ran_at": timezone.now().isoformat()}
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return data


def write_markdown(data: dict) -> Path:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`wangge bench locate --write`); raw figures in",
        "`var/bench/results.json`. Numbers are from one run on the machine described under each",
        "table; rerun to compare on yours.",
        "",
    ]
    if "locate" in data:
        entry = data["locate"]
        lines += [
            "## Locate: point → micro-grid (Laocheng demo)",
            "",
            "How it was run: `make bench` loads the Laocheng demo into `var/bench/street.sqlite3`,",
            "builds the locate index from the database, and draws uniform random points over",
            "the street's bounding box. Bulk rates are the best of 3 runs of `locate_many`;",
            "the alternative is shapely's `STRtree.query(points, predicate='intersects')` over",
            "the same polygons, in the same run. Single-call latency is `locate(lon, lat)` timed",
            "one call at a time. Brute force tests every polygon against every point.",
            "",
            "| measure | value |",
            "|---|---|",
        ]
        for key, label in LOCATE_ROWS:
            lines.append(f"| {label} | {entry['result'][key]} |")
        lines += ["", f"Ran at {entry['ran_at']} on:", ""]
        lines += [f"- {k}: {v}" for k, v in entry["machine"].items()]
        lines.append("")
    DOC.write_text("\n".join(lines))
    return DOC
