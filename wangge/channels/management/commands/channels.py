"""`wangge channels hotline-import FILE` and `wangge channels hotline-export OUT.xlsx`: the
12345 work-order file in, the results out, from the command line (no account: the whole
street; both are recorded in the audit log). `wangge channels open311-drain` files the
Open311 batch submissions still waiting, for a scheduler (idempotent; safe beside the
servers' own drain threads)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from wangge.channels.hotline import (
    HotlineError,
    Mode,
    hotline_error_file,
    hotline_export,
    hotline_import,
    mapping_get,
)
from wangge.registry.ledgers.tabular import LedgerFileError


def _date(text: str):
    try:
        value = parse_date(text)
    except ValueError:
        value = None
    if value is None:
        raise CommandError(_("“%(text)s” is not a date; write it as 2024-05-01.")
                           % {"text": text})
    return value


class Command(BaseCommand):
    help = "12345 hotline: import a work-order file, or export the results in its columns."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        imp = sub.add_parser("hotline-import", help="import a 12345 work-order file")
        imp.add_argument("file", type=Path)
        imp.add_argument("--mode", choices=Mode.CHOICES, default=Mode.ALL_OR_NOTHING)
        imp.add_argument("--mapping", default="", metavar="NAME",
                         help="column mapping (default: the default one)")
        imp.add_argument("--errors", type=Path, metavar="OUT.xlsx",
                         help="write the rejected rows with their reasons here")
        exp = sub.add_parser("hotline-export", help="export the results as xlsx")
        exp.add_argument("output", type=Path, metavar="OUT.xlsx")
        exp.add_argument("--from", dest="date_from", default="", metavar="DATE")
        exp.add_argument("--to", dest="date_to", default="", metavar="DATE")
        exp.add_argument("--mapping", default="", metavar="NAME")
        drain = sub.add_parser("open311-drain",
                               help="file the Open311 batch submissions still waiting")
        drain.add_argument("--limit", type=int, default=None,
                           help="at most this many (default: all)")

    def handle(self, *args, command: str, **options):
        if command == "open311-drain":
            from wangge.channels.services import submissions_drain

            result = submissions_drain(limit=options["limit"])
            self.stdout.write(f"open311-drain: {result}")
            return
        try:
            mapping = mapping_get(options["mapping"] or None)
        except HotlineError as exc:
            raise CommandError(str(exc)) from None
        options["mapping"] = mapping
        if command == "hotline-import":
            self.do_import(**options)
        else:
            self.do_export(**options)

    def do_import(self, *, mapping, file: Path, mode: str, errors: Path | None, **_opts):
        try:
            with file.open("rb") as fh:
                report = hotline_import(file=fh, filename=file.name, mapping=mapping,
                                        mode=mode, actor=None)
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {
                "file": file, "error": exc.strerror}) from None
        except (LedgerFileError, HotlineError) as exc:
            raise CommandError(str(exc)) from None
        for error in report.errors[:20]:
            self.stderr.write(str(error))
        if len(report.errors) > 20:
            self.stderr.write(_("… and %(n)d more problems") % {"n": len(report.errors) - 20})
        if errors is not None and report.rejected:
            hotline_error_file(report=report, target=errors)
            self.stderr.write(_("rejected rows written to %(file)s") % {"file": errors})
        self.stdout.write(report.summary())
        if report.rejected and not report.written:
            raise CommandError(_(
                "%(n)d row(s) rejected; nothing was imported (all-or-nothing). Fix them, or use "
                "--mode valid-rows.") % {"n": report.rejected})

    def do_export(self, *, mapping, output: Path, date_from: str, date_to: str, **_opts):
        start = _date(date_from) if date_from else None
        end = _date(date_to) if date_to else None
        content = hotline_export(actor=None, mapping=mapping, date_from=start, date_to=end)
        output.write_bytes(content)
        self.stdout.write(_("wrote %(file)s") % {"file": output})
