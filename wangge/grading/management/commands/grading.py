"""`wangge grading recompute`: score every micro-grid now and propose level changes (the
daily sweep does the same once a day)."""

from django.core.management.base import BaseCommand

from wangge.grading.services import grading_recompute


class Command(BaseCommand):
    help = "Dynamic grading: `recompute` scores every micro-grid and proposes level changes."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        sub.add_parser("recompute", help="score every micro-grid and propose level changes")

    def handle(self, *args, command: str, **options):
        if command == "recompute":
            run = grading_recompute(actor=None)
            self.stdout.write(f"{run.micro_grids} micro-grids scored: {run.proposed} proposed, "
                              f"{run.updated} updated, {run.superseded} superseded, "
                              f"{run.applied} applied automatically")
