"""The ``edupulse`` console command: Django's management commands with EduPulse's settings.

Sub-command names may use hyphens (``edupulse demo-data``); they map to the underscore module names.
"""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edupulse.settings")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
