"""``edupulse report annual --region 51 --year 2022 --format html,pdf,docx --out DIR``.

Writes the annual development report of the region and year into DIR, one file per format, read with the
platform's own scope (SYSTEM). Progress goes to stderr, one Chinese line per step; stdout gets one JSON
object (documented in docs/cli-report.md). Exit codes: 0 success, 2 usage error (unknown region, a year
without data, an unknown format).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edupulse.core import context
from edupulse.core.actors import SYSTEM
from edupulse.reports.annual.data import NoDataError
from edupulse.reports.annual.generate import generate, parse_formats

USAGE = 2


class Command(BaseCommand):
    help = "Generate reports from the indicator values: the annual development report of a region and year."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)
        annual = sub.add_parser("annual", help="The annual development report (HTML, PDF, DOCX).")
        annual.add_argument("--region", required=True, help="province, prefecture or county code, e.g. 51")
        annual.add_argument("--year", required=True, help="e.g. 2022")
        annual.add_argument("--format", default="html,pdf,docx", help="comma-separated: html, pdf, docx")
        annual.add_argument("--out", default=".", help="directory to write the files into (created if missing)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            formats = parse_formats(options["format"])
        except ValueError as exc:
            raise CommandError(str(exc), returncode=USAGE) from None

        def progress(percent: int, step: str) -> None:
            self.stderr.write(f"[{percent:3d}%] {step}")

        with context.using(context.RequestContext(source="cli", address="cli@report")):
            try:
                result = generate(SYSTEM, options["region"], str(options["year"]), formats, Path(options["out"]),
                                  progress=progress)
            except NoDataError as exc:
                raise CommandError(str(exc), returncode=USAGE) from None
        self.stdout.write(json.dumps({
            "region": options["region"], "year": str(options["year"]),
            "files": {fmt: str(path) for fmt, path in result.files.items()},
            "seconds": {step: round(s, 3) for step, s in result.seconds.items()},
        }, ensure_ascii=False))
