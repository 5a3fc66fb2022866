"""`wangge bench locate [--points N] [--write]`, `wangge bench ledger [--rows N] [--write]`."""

import json

import shapely
from django.core.management import call_command
from django.core.management.base import BaseCommand

from wangge.bench import locate, machine, report
from wangge.demo.services import demo_is_loaded, demo_load
from wangge.grids.choices import Tier
from wangge.grids.models import Grid


class Command(BaseCommand):
    help = "Run benchmarks; --write records them in docs/benchmarks.md."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="name", required=True)
        loc = sub.add_parser("locate", help="point → micro-grid over the loaded street")
        loc.add_argument("--points", type=int, default=1_000_000)
        loc.add_argument("--write", action="store_true",
                         help="write var/bench/results.json and docs/benchmarks.md")
        led = sub.add_parser("ledger", help="people ledger (.xlsx) import: ours, "
                             "django-import-export and a plain bulk insert, each in a fresh "
                             "SQLite database under var/bench/ledger/")
        led.add_argument("--rows", type=int, default=100_000)
        led.add_argument("--iex-rows", type=int, default=5_000,
                         help="rows django-import-export imports (a subset; reported as rows/s)")
        led.add_argument("--seed", type=int, default=None)
        led.add_argument("--profile", action="store_true",
                         help="also run ours under cProfile on 20,000 rows and print the top 25")
        led.add_argument("--write", action="store_true",
                         help="write var/bench/results.json and docs/benchmarks.md")
        # Each of these benchmarks declares its own options and runs itself (`add_arguments`,
        # `run` in its module).
        from wangge.bench import cases, city, generate, load, open311

        for module in (open311, cases, generate, city, load):
            module.add_arguments(sub.add_parser(module.NAME, help=module.HELP))
        run = sub.add_parser("ledger-run", help="(internal) one ledger measurement, run by "
                             "`bench ledger` in a child process with its own DATABASE_URL")
        run.add_argument("--which", required=True, choices=[
            "setup", "ours", "iex", "iex-bulk", "plain", "raw", "profile"])
        run.add_argument("--db", required=True, help="the SQLite file DATABASE_URL points at")
        run.add_argument("--file", help="the ledger .xlsx")
        run.add_argument("--rows", type=int, default=100_000)
        run.add_argument("--seed", type=int, default=None)
        run.add_argument("--subsets", default="", help="setup: also write the first N rows")
        run.add_argument("--reimport", action="store_true", help="ours: import the file twice")

    def handle(self, *args, name: str, **options):
        if name == "locate":
            self.locate(points=options["points"], write=options["write"])
        elif name == "ledger":
            self.ledger(**options)
        elif name in ("open311", "cases", "generate", "city", "load"):
            from importlib import import_module

            import_module(f"wangge.bench.{name}").run(command=self, **options)
        else:
            self.ledger_run(**options)

    def locate(self, *, points: int, write: bool) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not demo_is_loaded():
            self.stdout.write("loading the Laocheng demo…")
            demo_load(progress=self.stdout.write)
        rows = list(Grid.objects.filter(tier=Tier.MICRO_GRID).values_list("code", "boundary"))
        geoms = shapely.from_geojson([json.dumps(b) for _, b in rows])
        self.stdout.write(f"locate: {len(rows)} micro-grids, {points:,} points…")
        result = locate.run(codes=[c for c, _ in rows], geoms=list(geoms), points=points)
        for key, value in result.items():
            self.stdout.write(f"  {key}: {value}")
        if write:
            data = report.save("locate", result, machine.describe())
            path = report.write_markdown(data)
            self.stdout.write(self.style.SUCCESS(f"wrote {path}"))

    def ledger(self, *, rows: int, iex_rows: int, seed: int | None, profile: bool, write: bool,
               **options) -> None:
        from wangge.bench import ledger

        result = ledger.run(rows=rows, iex_rows=iex_rows, seed=seed or ledger.SEED,
                            profile=profile, echo=self.stdout.write)
        self.stdout.write("ledger:")
        for key, value in result.items():
            self.stdout.write(f"  {key}: {value}")
        if write:
            data = report.save("ledger", result, ledger.describe_machine(machine.describe()))
            path = report.write_markdown(data)
            self.stdout.write(self.style.SUCCESS(f"wrote {path}"))

    def ledger_run(self, *, which: str, db: str, file: str | None, rows: int, seed: int | None,
                   subsets: str, reimport: bool, **options) -> None:
        from wangge.bench import ledger

        result = ledger.run_child(
            which, db=db, file=file, rows=rows, seed=seed or ledger.SEED,
            subsets=[int(n) for n in subsets.split(",") if n], reimport=reimport)
        self.stdout.write(ledger.RESULT_MARK + json.dumps(result, ensure_ascii=False))
