"""The `wangge` console script: Django's management commands and ours, in one place."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
    if len(argv) > 1 and argv[1] == "demo":
        # The demo runs without a SECRET_KEY of its own; see settings.MODE.
        os.environ.setdefault("WANGGE_MODE", "demo")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
