"""`wangge restore FILE [--yes]`: put back the database and the uploaded files of an archive
made by `wangge backup`. Refuses an archive of the other database vendor or of a newer
wangge, changing nothing; asks before replacing anything unless --yes."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wangge.core.backup import (
    BackupError,
    backup_restore,
    compare_counts,
    describe,
    pending_migrations,
    read_manifest,
    restore_problems,
)


class Command(BaseCommand):
    help = "Replace the database and the media directory with those of a backup archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, archive: Path, yes: bool, database: str, **options):
        from django.conf import settings
        from django.db import connections

        try:
            manifest = read_manifest(archive)
            problems = restore_problems(manifest, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if problems:
            raise CommandError(problems[0])
        for line in describe(manifest):
            self.stdout.write(line)
        target = connections[database].settings_dict["NAME"]
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError(_("Nothing changed: add --yes to restore without a question."))
            answer = input(_(
                "This replaces everything in the database %(db)s and in %(media)s. "
                "Type yes to go on: ") % {"db": target, "media": settings.MEDIA_ROOT})
            if answer.strip().lower() != "yes":
                raise CommandError(_("Nothing changed."))
        try:
            backup_restore(archive=archive, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        differences = compare_counts(manifest, using=database)
        if differences:
            raise CommandError(_("Restored, but row counts differ from the backup's: %(list)s")
                               % {"list": "; ".join(differences[:10])})
        self.stdout.write(_("Restored %(rows)d rows in %(tables)d tables and %(files)d media "
                            "files; row counts verified.") % {
            "rows": manifest.rows, "tables": len(manifest.tables), "files": manifest.media_files})
        pending = pending_migrations(manifest)
        if pending:
            self.stdout.write(_("The backup is from an older version: run `wangge migrate` "
                                "(%(n)d migrations to apply).") % {"n": len(pending)})
