"""`wangge grids import FILE.geojson` / `wangge grids export [-o FILE]`."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wangge.grids import selectors, services
from wangge.grids.choices import Tier


class Command(BaseCommand):
    help = "Import or export grid boundaries as GeoJSON."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="create or update grids from a GeoJSON file")
        imp.add_argument("file", type=Path)
        imp.add_argument("--reason", default="", help="why (kept in the history)")
        exp = sub.add_parser("export", help="write grids as a GeoJSON FeatureCollection")
        exp.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
        exp.add_argument("--tier", choices=Tier.values)
        exp.add_argument("--under", metavar="CODE", help="only this node and its subtree")

    def handle(self, *args, action, **options):
        if action == "import":
            self.import_file(options["file"], options["reason"])
        else:
            self.export(options["output"], options["tier"], options["under"])

    def import_file(self, path: Path, reason: str) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {
                "file": path, "error": exc.strerror}) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(_("%(file)s is not a JSON file: %(error)s") % {
                "file": path, "error": exc}) from None
        try:
            result = services.grids_import_geojson(
                data=data, actor=None, reason=reason or _("imported from %(file)s") % {
                    "file": path.name},
            )
        except services.GridImportError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("%(file)s was refused with %(n)d problem(s); nothing was changed.")
                % {"file": path, "n": len(exc.problems)}
            ) from None
        for gap in result.gaps:
            self.stdout.write(self.style.WARNING(_("gap: %(gap)s") % {"gap": gap}))
        self.stdout.write(self.style.SUCCESS(
            _("created %(created)d, updated %(updated)d, unchanged %(unchanged)d, "
              "level changes %(levels)d") % {
                "created": result.created, "updated": result.updated,
                "unchanged": result.unchanged, "levels": result.level_changes}
        ))

    def export(self, output: Path | None, tier: str | None, under: str | None) -> None:
        grids = selectors.grid_list()
        if tier:
            grids = grids.filter(tier=tier)
        if under:
            grids = grids.subtree(under)
        text = json.dumps(selectors.feature_collection(grids=grids), ensure_ascii=False)
        if output is None:
            sys.stdout.write(text + "\n")
        else:
            output.write_text(text + "\n", encoding="utf-8")
            self.stderr.write(_("wrote %(n)d features to %(file)s") % {
                "n": grids.count(), "file": output})
