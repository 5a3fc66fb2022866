"""Benchmark: case stats and the sweep over many cases. (Being written.)"""

NAME = "cases"
HELP = "case stats and the sweep over many cases"


def add_arguments(parser) -> None:
    parser.add_argument("--write", action="store_true",
                        help="write var/bench/results.json and docs/benchmarks.md")


def run(*, command, write: bool = False, **options) -> None:
    command.stdout.write("not written yet")


def section(entry: dict) -> list[str]:
    return []
