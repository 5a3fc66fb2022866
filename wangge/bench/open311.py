"""Benchmark: Open311 POST requests under concurrent clients vs a trivial view. (Being written.)"""

NAME = "open311"
HELP = "Open311 POST requests under concurrent clients vs a trivial view"


def add_arguments(parser) -> None:
    parser.add_argument("--write", action="store_true",
                        help="write var/bench/results.json and docs/benchmarks.md")


def run(*, command, write: bool = False, **options) -> None:
    command.stdout.write("not written yet")


def section(entry: dict) -> list[str]:
    return []
