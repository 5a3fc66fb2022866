"""`wangge backup [--output FILE]`: the database and the uploaded files in one archive
(`wangge.core.backup`), consistent while the server runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wangge.core.backup import BackupError, backup_create, describe


class Command(BaseCommand):
    help = "Back up the database and the media directory into one .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                            help="where to write it (default: var/backups/wangge-…tar.gz)")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, output: Path | None, database: str, **options):
        try:
            path, manifest = backup_create(output=output, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        for line in describe(manifest):
            self.stderr.write(line)
        self.stdout.write(str(path))
