"""`wangge sweep`: run every periodic sweep once (for a scheduler: cron, a systemd timer,
where the in-server thread is switched off with WANGGE_SWEEP_INTERVAL=0). Safe to run as
often as you like and from several servers at once."""

from django.core.management.base import BaseCommand

from wangge.core.sweeps import registered, run_all


class Command(BaseCommand):
    help = "Run every periodic sweep once: " + ", ".join(registered()) + "."

    def handle(self, *args, **options):
        for name, result in run_all().items():
            if result is None:
                self.stderr.write(f"{name}: failed (see the log)")
            else:
                self.stdout.write(f"{name}: {result}")
