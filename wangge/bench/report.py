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


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return " · ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def _machine(entry: dict) -> list[str]:
    lines = ["", f"Ran at {entry['ran_at']} on:", ""]
    lines += [f"- {k}: {v}" for k, v in entry["machine"].items()]
    lines.append("")
    return lines


def _locate_section(entry: dict) -> list[str]:
    lines = [
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
    return lines + _machine(entry)


def _ledger_rows(r: dict) -> list[tuple[str, object]]:
    n, sub = r["rows"], r["iex_rows"]
    counts = r.get("counts_after_ours") or {}
    written = (" / ".join(f"{counts[k]:,}" for k in (
        "people", "people_history", "households", "houses", "care_links", "person_events"))
        if counts else None)
    return [
        ("ledger rows (people)", n),
        ("households (one per house) / file size (MB)", f"{_fmt(r['households'])} / "
                                                         f"{_fmt(r['file_mb'])}"),
        (f"**ours: import_ledger, {n:,} rows, end to end (s)** (target ≤ 10)", r["ours_s"]),
        ("ours, rows/s", r["ours_rows_per_s"]),
        ("ours, by stage (s; from its progress calls)", r["ours_stages_s"]),
        ("ours wrote: people / history / households / houses / care links / events", written),
        ("ours, re-import of the same file (s)", r["ours_reimport_s"]),
        ("ours, re-import result", r["ours_reimport_report"]),
        (f"ours on the first {sub:,} rows, rows/s", r["ours_subset_rows_per_s"]),
        (f"django-import-export, default mode, first {sub:,} rows (s)", r["iex_s"]),
        ("django-import-export, default mode, rows/s", r["iex_rows_per_s"]),
        (f"django-import-export, use_bulk=True, first {sub:,} rows (s)", r["iex_bulk_s"]),
        ("django-import-export, use_bulk=True, rows/s", r["iex_bulk_rows_per_s"]),
        ("django-import-export, use_bulk=True, outcome", r["iex_bulk_note"]),
        ("**speed-up over django-import-export, default** (rows/s; target ≥ 10×)",
         r["speedup_vs_iex"]),
        ("speed-up over django-import-export, use_bulk=True (rows/s)",
         r["speedup_vs_iex_bulk"]),
        (f"speed-up over django-import-export, default, both on {sub:,} rows",
         r["speedup_vs_iex_same_subset"]),
        (f"floor: bulk_insert_values of {n:,} people, with history (s)", r["floor_s"]),
        ("floor, rows/s", r["floor_rows_per_s"]),
        (f"raw floor: executemany of {n:,} ready rows, no history (s)", r["raw_s"]),
        ("raw floor, rows/s", r["raw_rows_per_s"]),
        ("**ours ÷ floor** (time)", r["ours_over_floor"]),
        ("ours ÷ raw floor (time)", r["ours_over_raw"]),
        ("1-min load average before → after each run (its own process counts 1)",
         " · ".join(f"{k} {v[0]}→{v[1]}" for k, v in r.get("load_1min", {}).items() if v)
         or None),
    ]


def _ledger_section(entry: dict) -> list[str]:
    r = entry["result"]
    iex_version = entry["machine"].get("django-import-export", "")
    lines = [
        "## Ledger import: people ledger (.xlsx)",
        "",
        "How it was run: `make bench` runs `wangge bench ledger --write`. It generates a people",
        f"ledger (实有人口) of {r['rows']:,} rows with the real header, each household's head",
        "first and its members below, made-up names, ID numbers with valid check digits, phones,",
        "ethnic groups, political status and care groups, drawn as the demo population is",
        "(`wangge.demo.population`) over the Laocheng demo's buildings, and writes it with",
        "`write_sheet` (ID numbers, phones, units and rooms as text cells, birth dates as date",
        "cells), cached as:",
        "",
        f"    var/bench/{r['file']}",
        "",
        "A template SQLite database gets the migrations, the Laocheng grid tree and the demo's",
        "buildings (`buildings_create_located`), but no people. Every measurement runs in a",
        "process of its own (`wangge bench ledger-run`) on its own copy of that template under",
        "`var/bench/ledger/`, so each starts from the same fresh database. Times are",
        "`time.perf_counter()` around the import inside that process, the commit included;",
        "one run each.",
        "",
        "- **ours**: `import_ledger(kind=\"people\", file=…, filename=…)` end to end: read the",
        "  xlsx (python-calamine), check every row, resolve micro-grids and buildings, group",
        "  members under their head, create houses and households, encrypt ID numbers and",
        "  phones, write people, care-group links, `registered` events, history rows and the",
        "  audit record, in one transaction (the history rows and events copied by the",
        "  database from the rows just written, `INSERT … SELECT`). Then the same file again",
        "  into the same database, where every row should come back unchanged.",
        f"- **django-import-export {iex_version}**: a `ModelResource` for `Person` with a field",
        "  per Chinese column (labels mapped to choices by widgets; the keyed hashes of the ID",
        "  number and phone computed by widgets, with `import_id_fields = (\"id_number_hash\",)`;",
        "  care groups by a `ManyToManyWidget` on their names), and a `before_import_row` that",
        "  resolves the micro-grid (a dict loaded once), the building and house (`get_or_create`)",
        "  and the household (the house's, else created) for every row. It checks only what its",
        "  widgets check (no ID number checksum, no agreement of sex and birth date with the ID",
        "  number, no `full_clean`): less work than ours does. tablib reads xlsx through",
        "  openpyxl, which is not installed, so the sheet is read with our reader into a",
        "  `tablib.Dataset` (inside the time). Default mode: `import_data` with its defaults (one",
        "  transaction, a savepoint and a diff per row, `save()` per row, history rows by",
        "  django-simple-history's signals). Bulk mode: `use_bulk = True`, `batch_size = 1000`,",
        "  `skip_diff = True`, `CachedInstanceLoader`; `bulk_create` sends no signals, so it",
        "  writes no history, and it skips many-to-many fields. To bound the run time it imports",
        f"  only the first {r['iex_rows']:,} rows of the same file: compare rows/s (ours also",
        "  ran on that subset, for a like-for-like ratio).",
        "- **floor**: the same rows, already checked and converted, their houses and households",
        "  created beforehand (not timed); timed is only writing the people with",
        "  `wangge.core.bulk.bulk_insert_values` (encrypts the ID number and phone, writes the",
        "  history rows) in one transaction. **raw floor**: one `executemany` of ready tuples",
        "  (ciphertexts already computed) into `registry_person` alone, without history.",
        "",
        "This 2-core VM's speed varies from session to session: the raw floor, the same work in",
        "every run, has measured from 1.4 s to 4.1 s. To compare runs made on different days,",
        "compare `ours ÷ raw floor`.",
        "",
        "| measure | value |",
        "|---|---|",
    ]
    lines += [f"| {label} | {_fmt(value)} |" for label, value in _ledger_rows(r)]
    return lines + _machine(entry)


def _section_of(module: str):
    """A section rendered by the benchmark's own module (`section(entry) -> lines`)."""

    def render(entry: dict) -> list[str]:
        from importlib import import_module

        return import_module(module).section(entry)

    return render


SECTIONS = [("locate", _locate_section), ("ledger", _ledger_section),
            ("open311", _section_of("wangge.bench.open311")),
            ("cases", _section_of("wangge.bench.cases")),
            ("city", _section_of("wangge.bench.city")),
            ("load", _section_of("wangge.bench.load")),
            ("generate", _section_of("wangge.bench.generate"))]


# How each benchmark's section begins in docs/benchmarks.md.
HEADINGS = {"locate": "## Locate", "ledger": "## Ledger import", "open311": "## Open311",
            "cases": "## Case figures", "city": "## City scale",
            "load": "## Load and faults", "generate": "## Generating"}


def _sections_on_file() -> dict[str, str]:
    """The sections docs/benchmarks.md has now, by benchmark: a benchmark not run on this
    machine (no entry in var/bench/results.json) keeps the figures it had."""
    if not DOC.exists():
        return {}
    text = DOC.read_text()
    found = {}
    for chunk in text.split("\n## ")[1:]:
        chunk = "## " + chunk
        for name, heading in HEADINGS.items():
            if chunk.startswith(heading):
                found[name] = chunk.rstrip("\n")
    return found


def write_markdown(data: dict) -> Path:
    kept = _sections_on_file()
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`wangge bench locate|ledger|open311|cases --write`) and",
        "`make bench-city` (`wangge bench generate --scale city`, `wangge bench city --write`);",
        "raw figures in `var/bench/results.json`. Numbers are from one run on the machine",
        "described under each table; rerun to compare on yours. A benchmark not run on this",
        "machine keeps its last published section.",
        "",
    ]
    for name, render in SECTIONS:
        if name in data:
            lines += render(data[name])
        elif name in kept:
            lines += [kept[name]]
        if lines[-1].strip():
            lines.append("")  # a blank line before the next section's heading
    DOC.write_text("\n".join(lines).rstrip("\n") + "\n")
    return DOC
