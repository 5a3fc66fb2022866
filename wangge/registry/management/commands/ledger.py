"""`wangge ledger import|export|template people|organisations ...`"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wangge.registry.ledgers.files import (
    LEDGERS,
    export_ledger,
    import_ledger,
    write_error_file,
    write_ledger_template,
)
from wangge.registry.ledgers.people import Mode
from wangge.registry.ledgers.tabular import LedgerFileError


class Command(BaseCommand):
    help = "Import, export or get a blank template of an Excel ledger (台账)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a ledger (.xlsx or .csv)")
        imp.add_argument("kind", choices=sorted(LEDGERS))
        imp.add_argument("file", type=Path)
        imp.add_argument("--mode", choices=Mode.CHOICES, default=Mode.ALL_OR_NOTHING)
        imp.add_argument("--errors", type=Path, metavar="OUT.xlsx",
                         help="write the rejected rows with their reasons here")
        exp = sub.add_parser("export", help="export a ledger in the same shape (unmasked)")
        exp.add_argument("kind", choices=sorted(LEDGERS))
        exp.add_argument("-o", "--output", type=Path, required=True)
        exp.add_argument("--under", default="", metavar="CODE", help="grid code (default: all)")
        exp.add_argument("--reason", required=True, help="why (kept in the audit log)")
        tpl = sub.add_parser("template", help="write a blank ledger to fill in")
        tpl.add_argument("kind", choices=sorted(LEDGERS))
        tpl.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args, action: str, kind: str, **options):
        getattr(self, f"do_{action}")(kind, **options)

    def do_import(self, kind: str, *, file: Path, mode: str, errors: Path | None, **_opts):
        started = time.perf_counter()
        last = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.perf_counter()
            if now - last[0] > 1 or done == total:
                last[0] = now
                self.stderr.write(f"\r{stage} {done}/{total}", ending="")

        try:
            with file.open("rb") as fh:
                report = import_ledger(kind=kind, file=fh, filename=file.name, mode=mode,
                                       progress=progress)
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {
                "file": file, "error": exc.strerror}) from None
        except LedgerFileError as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write("")
        for error in report.errors[:20]:
            self.stderr.write(str(error))
        if len(report.errors) > 20:
            self.stderr.write(_("… and %(n)d more problems") % {"n": len(report.errors) - 20})
        if errors is not None and report.rejected:
            write_error_file(kind=kind, report=report, target=errors)
            self.stderr.write(_("rejected rows written to %(file)s") % {"file": errors})
        self.stdout.write(report.summary())
        self.stderr.write(_("%(seconds).1f s") % {"seconds": time.perf_counter() - started})
        if report.rejected and not report.written:
            raise CommandError(_(
                "%(n)d row(s) rejected; nothing was imported (all-or-nothing). Fix them, or use "
                "--mode valid-rows.") % {"n": report.rejected})

    def do_export(self, kind: str, *, output: Path, under: str, reason: str, **_opts):
        count = export_ledger(kind=kind, target=output, under=under, actor=None, reason=reason)
        self.stdout.write(_("wrote %(n)d rows to %(file)s") % {"n": count, "file": output})

    def do_template(self, kind: str, *, output: Path, **_opts):
        write_ledger_template(kind=kind, target=output)
        self.stdout.write(str(output))
