"""`wangge generate_data_key`: a new WANGGE_DATA_KEY for a fresh installation."""

from django.core.management.base import BaseCommand

from wangge.core.crypto import generate_key


class Command(BaseCommand):
    help = "Print a new key for WANGGE_DATA_KEY (keep it secret and backed up)."

    def handle(self, *args, **options):
        self.stdout.write(generate_key())
