"""`wangge cases sweep`: raise lapsed cases and warn of near ones (for a scheduler: cron, a
systemd timer). Safe to run as often as you like and from several servers at once.

`wangge cases train-triage [--heldout FILE]`: learn the triage suggestions again from the
street's closed cases; every app server picks the new model up by itself."""

from django.core.management.base import BaseCommand, CommandError

from wangge.cases.services import case_sweep


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


class Command(BaseCommand):
    help = ("Case housekeeping: `sweep` raises cases whose time limit passed; "
            "`train-triage` retrains the category suggestions.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        sub.add_parser("sweep", help="raise lapsed cases and warn of near ones")
        train = sub.add_parser("train-triage", help="retrain the category suggestions on "
                               "the closed cases")
        train.add_argument("--heldout", default=None, help="a TSV of hand-written "
                           "descriptions (category, unit, text) to measure on; by default "
                           "the one shipped with wangge")
        train.add_argument("--folds", type=int, default=5,
                           help="folds of the cross-validation (0 to skip it)")

    def handle(self, *args, command: str, **options):
        if command == "sweep":
            result = case_sweep()
            self.stdout.write(str(result))
        elif command == "train-triage":
            from wangge.cases import triage

            try:
                done = triage.train(heldout=options["heldout"] or triage.HELDOUT,
                                    cv_folds=options["folds"])
            except (ValueError, OSError) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"training cases: {done.samples} "
                              f"({len(done.model.classes)} categories)")
            if done.cv:
                self.stdout.write(f"cross-validated on the training cases ({options['folds']} "
                                  f"folds): top-1 {_pct(done.cv.top1)}, "
                                  f"top-3 {_pct(done.cv.top3)}")
            if done.cv_by_title:
                self.stdout.write(f"  the same, a title never in its own training fold: "
                                  f"top-1 {_pct(done.cv_by_title.top1)}, "
                                  f"top-3 {_pct(done.cv_by_title.top3)}")
            if done.heldout:
                h = done.heldout
                unit = f", unit {_pct(h.unit)}" if h.unit is not None else ""
                self.stdout.write(f"held-out ({h.n} hand-written descriptions): "
                                  f"top-1 {_pct(h.top1)}, top-3 {_pct(h.top3)}{unit}")
            at = done.model.trained_at.strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"model {done.model.pk} saved at {at}")
