"""`wangge bench locate [--points N] [--write]`."""

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

    def handle(self, *args, name: str, points: int, write: bool, **options):
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
