"""`wangge figures rebuild [--stale-only]`: recount the registry's figures of every micro-grid
(the daily sweep "registry-figures" recounts those counted on an earlier day)."""

import time

from django.core.management.base import BaseCommand

from wangge.registry.figures import figures_rebuild


class Command(BaseCommand):
    help = "The registry's figures per micro-grid: `rebuild` recounts them from the registry."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        rebuild = sub.add_parser("rebuild", help="recount every micro-grid's figures")
        rebuild.add_argument("--stale-only", action="store_true",
                             help="only those counted on an earlier day or never")

    def handle(self, *args, command: str, stale_only: bool = False, **options):
        started = time.perf_counter()
        done = figures_rebuild(stale_only=stale_only)
        self.stdout.write(f"{done} micro-grids recounted in "
                          f"{time.perf_counter() - started:.1f} s")
