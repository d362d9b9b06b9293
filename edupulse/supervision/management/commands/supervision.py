"""``edupulse supervision …``: score a round from the command line and export it.

``run`` creates a round of ``--region`` for ``--period`` with ``--framework`` and scores it as the system;
``--json`` prints the contract documented in docs/cli-supervision.md. ``export`` writes the XLSX and/or DOCX of a
round. Exit codes: 0 success, 2 usage error (unknown region, framework, round or format), 1 refused.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from edupulse.core.actions import run_as_system
from edupulse.core.actors import SYSTEM
from edupulse.core.regions import RegionCode
from edupulse.orgs.models import Region
from edupulse.supervision import actions, documents
from edupulse.supervision.framework import available
from edupulse.supervision.models import SupervisionRound, SupervisionScore
from edupulse.supervision.ranking import ranking

USAGE, REFUSED = 2, 1
FORMATS = ("xlsx", "docx")


def round_json(supervision: SupervisionRound) -> dict[str, Any]:
    """The round's results as the CLI prints them (docs/cli-supervision.md)."""
    items: dict[str, list[dict[str, Any]]] = {}
    for score in SupervisionScore.objects.visible_to(SYSTEM).filter(round=supervision).order_by("region", "item"):
        items.setdefault(score.region_id, []).append({"item": score.item, "score": score.score, "points": score.points})
    return {"round": supervision.pk, "region": supervision.region_id, "period": supervision.period,
            "status": supervision.status,
            "regions": [{"region": row.result.region_id, "name": row.name, "level": row.result.level,
                         "score": row.result.total, "rank": row.result.rank,
                         "items": items.get(row.result.region_id, [])} for row in ranking(supervision, SYSTEM)]}


class Command(BaseCommand):
    help = "Supervision (督导): score a round from the platform's data, export the ranking and the notice."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)
        run = sub.add_parser("run", help="Create a round and score it as the system.")
        run.add_argument("--region", required=True, help="the supervising province or prefecture, e.g. 51")
        run.add_argument("--period", required=True, help="e.g. 2022")
        run.add_argument("--framework", default="default", help="a framework in supervision/frameworks/")
        run.add_argument("--title", default="")
        run.add_argument("--number", default="", help="document number of the notice, e.g. 川教督〔2022〕3号")
        run.add_argument("--json", action="store_true")
        export = sub.add_parser("export", help="Write a round's XLSX and/or DOCX.")
        export.add_argument("round", type=int)
        export.add_argument("--format", default="xlsx,docx", help="comma-separated: xlsx, docx")
        export.add_argument("--out", default=".", help="directory (created when missing)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "run":
            self._run(options)
        else:
            self._export(options)

    def _run(self, options: dict[str, Any]) -> None:
        code = RegionCode.parse_or_none(options["region"])
        region = Region.objects.filter(code=code.code).first() if code else None
        if region is None:
            raise CommandError(_("“%(code)s” is not a known region code.") % {"code": options["region"]},
                               returncode=USAGE)
        if options["framework"] not in available():
            raise CommandError(_("There is no supervision framework “%(code)s”.") % {"code": options["framework"]},
                               returncode=USAGE)
        try:
            with transaction.atomic():  # a round that cannot be scored is not left behind as a draft
                supervision = run_as_system(actions.create_round, region, options["period"],
                                            framework=options["framework"], title=options["title"],
                                            document_number=options["number"])
                supervision = run_as_system(actions.score_round, supervision)
        except ValidationError as error:
            raise CommandError("；".join(error.messages), returncode=REFUSED) from None
        data = round_json(supervision)
        if options["json"]:
            json.dump(data, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
            return
        self.stdout.write(_("Round %(id)s: %(title)s") % {"id": supervision.pk, "title": supervision.title})
        for row in data["regions"]:
            self.stdout.write(f"{row['rank'] or '':>4} {row['region']:<6} {row['name']:<12} {row['score']:>7g}")

    def _export(self, options: dict[str, Any]) -> None:
        supervision = SupervisionRound.objects.visible_to(SYSTEM).filter(pk=options["round"]).first()
        if supervision is None:
            raise CommandError(_("There is no supervision round %(id)s.") % {"id": options["round"]}, returncode=USAGE)
        formats = [f.strip() for f in options["format"].split(",") if f.strip()]
        unknown = [f for f in formats if f not in FORMATS]
        if unknown or not formats:
            raise CommandError(_("Formats are xlsx and docx, not %(formats)s.") % {"formats": ", ".join(unknown) or "—"},
                               returncode=USAGE)
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        for fmt in formats:
            if fmt == "xlsx":
                body, kind = documents.build_xlsx(supervision, SYSTEM), "results"
            else:
                body, kind = documents.build_docx(supervision, SYSTEM), "notice"
            path = out / documents.filename(supervision, kind, fmt)
            path.write_bytes(body)
            self.stdout.write(str(path))
