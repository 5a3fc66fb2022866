"""`wangge cases sweep`: raise lapsed cases and warn of near ones (for a scheduler: cron, a
systemd timer). Safe to run as often as you like and from several servers at once."""

from django.core.management.base import BaseCommand

from wangge.cases.services import case_sweep


class Command(BaseCommand):
    help = "Case housekeeping: `sweep` raises cases whose time limit passed."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        sub.add_parser("sweep", help="raise lapsed cases and warn of near ones")

    def handle(self, *args, command: str, **options):
        if command == "sweep":
            result = case_sweep()
            self.stdout.write(str(result))
