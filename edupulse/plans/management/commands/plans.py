"""``edupulse plans …``: read, import and report on work plans (工作要点).

``plans parse FILE [--json]``: the JSON output is a contract documented in docs/cli-plans.md.
``plans import FILE --region CODE [--json]``: store the plan of a region, with suggested indicator links.
``plans report PLAN_ID --out FILE [--period YEAR]``: write the plan's 督导通报 (DOCX, or PDF for a ``.pdf`` file).
Exit codes: 0 success, 2 bad input or usage (a Chinese message on stderr, no traceback).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from edupulse.core.actions import run_as_system
from edupulse.core.actors import SYSTEM
from edupulse.core.regions import RegionCode
from edupulse.indicators import reading as indicator_reading
from edupulse.orgs.models import Region
from edupulse.plans import actions, documents
from edupulse.plans.actions.imports import existing_plan
from edupulse.plans.models import LinkStatus
from edupulse.plans.models import Plan as StoredPlan
from edupulse.plans.parsing import Plan, Task
from edupulse.plans.reading import PlanInputError, parse_plan_file
from edupulse.plans.targets import Target

USAGE = 2


class Command(BaseCommand):
    help = "Work plans (工作要点): parse a plan document into sections, tasks, units and targets."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)
        parse = sub.add_parser("parse", help="Parse a plan (.txt, .docx, .pdf) and print its outline.")
        parse.add_argument("file", type=Path)
        parse.add_argument("--json", action="store_true", help="print the JSON contract of docs/cli-plans.md")
        load = sub.add_parser("import", help="Import a plan into a region (same file again: nothing changes).")
        load.add_argument("file", type=Path)
        load.add_argument("--region", required=True, help="GB/T 2260 code of the issuing authority's region")
        load.add_argument("--json", action="store_true", help="print the result as JSON (docs/cli-plans.md)")
        report = sub.add_parser("report", help="Write the 督导通报 of a plan as DOCX (or PDF: --out FILE.pdf).")
        report.add_argument("plan", type=int, help="the plan's id")
        report.add_argument("--out", type=Path, required=True, help="the .docx (or .pdf) file to write")
        report.add_argument("--period", default="", help="year of the measured values (default: the plan's)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "parse":
            self._parse(options["file"], options["json"])
        elif options["subcommand"] == "import":
            self._import(options["file"], options["region"], options["json"])
        elif options["subcommand"] == "report":
            self._report(options["plan"], options["out"], options["period"])

    def _import(self, path: Path, code: str, as_json: bool) -> None:
        parsed_code = RegionCode.parse_or_none(code)
        region = Region.objects.filter(code=parsed_code.code).first() if parsed_code else None
        if region is None:
            raise CommandError(_("Unknown region code %(code)s.") % {"code": code}, returncode=USAGE)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot parse %(file)s: %(reason)s") % {"file": path, "reason": error.strerror},
                               returncode=USAGE) from None
        already = existing_plan(region, data) is not None
        try:
            plan = run_as_system(actions.import_plan, path.name, data, region)
        except ValidationError as error:
            raise CommandError(_("Cannot parse %(file)s: %(reason)s") % {"file": path, "reason": "；".join(error.messages)},
                               returncode=USAGE) from None
        result = import_summary(plan, created=not already)
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(_("Plan %(id)s: %(title)s (%(state)s)") % {
            "id": plan.pk, "title": plan.title, "state": _("imported") if not already else _("already imported")})
        self.stdout.write(_("%(sections)d sections, %(tasks)d tasks, %(targets)d targets") % result["counts"])
        for link in result["links"]:
            self.stdout.write(f"  {link['span']} → {link['indicator_name']}（{link['indicator']}）")

    def _report(self, plan_id: int, out: Path, period: str) -> None:
        plan = StoredPlan.objects.visible_to(SYSTEM).filter(pk=plan_id).first()
        if plan is None:
            raise CommandError(_("No plan with id %(id)s.") % {"id": plan_id}, returncode=USAGE)
        try:
            build = documents.build_pdf if out.suffix.lower() == ".pdf" else documents.build_docx
            out.write_bytes(build(SYSTEM, plan, period or None))
        except OSError as error:
            raise CommandError(_("Cannot write %(file)s: %(reason)s") % {"file": out, "reason": error.strerror},
                               returncode=USAGE) from None
        self.stdout.write(_("Wrote %(file)s") % {"file": out})

    def _parse(self, path: Path, as_json: bool) -> None:
        try:
            plan = parse_plan_file(path)
        except PlanInputError as error:
            raise CommandError(_("Cannot parse %(file)s: %(reason)s") % {"file": path, "reason": error},
                               returncode=USAGE) from None
        if as_json:
            self.stdout.write(json.dumps(plan.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(outline(plan)))


def import_summary(plan: StoredPlan, *, created: bool) -> dict[str, Any]:
    """The JSON of ``plans import`` (docs/cli-plans.md)."""
    names = {code: d.name for code, d in indicator_reading.definitions().items()}
    links = [{"target": t.pk, "span": t.span, "indicator": t.indicator_code,
              "indicator_name": names.get(t.indicator_code, t.indicator_code), "status": t.link_status}
             for t in plan.targets.exclude(link_status=LinkStatus.NONE).order_by("order")]
    return {"plan": plan.pk, "created": created, "title": plan.title, "region": plan.region_id,
            "period": plan.period, "counts": {"sections": plan.sections.count(), "tasks": plan.tasks.count(),
                                              "targets": plan.targets.count()}, "links": links}


def outline(plan: Plan) -> list[str]:
    """The plan as a readable outline in Chinese."""
    none = _("(none)")
    lines = [
        _("Title: %(value)s") % {"value": plan.title or none},
        _("Issuer: %(value)s") % {"value": plan.issuer or none},
        _("Document number: %(value)s") % {"value": plan.doc_number or none},
        _("Date: %(value)s") % {"value": plan.date or none},
    ]
    for section in plan.sections:
        lines.append("")
        lines.append(f"{section.number or ''}{section.title or ''}".strip() or _("(unnumbered section)"))
        lines += [f"  ◎ {_target_line(t)}" for t in section.targets]
        for task in section.tasks:
            lines += _task_lines(task, 1)
    return lines


def _task_lines(task: Task, depth: int) -> list[str]:
    pad = "  " * depth
    lines = [f"{pad}{task.number or ''} {task.title}"]
    if task.units:
        lines.append(f"{pad}    " + _("Responsible units: %(units)s") % {"units": "、".join(task.units)})
    if task.deadline:
        lines.append(f"{pad}    " + _("Deadline: %(value)s") % {"value": task.deadline})
    lines += [f"{pad}    ◎ {_target_line(t)}" for t in task.targets]
    for child in task.children:
        lines += _task_lines(child, depth + 1)
    return lines


def _target_line(target: Target) -> str:
    extra = []
    if target.population:
        extra.append(_("population: %(value)s") % {"value": target.population})
    if target.deadline:
        extra.append(_("deadline: %(value)s") % {"value": target.deadline})
    suffix = f"（{'；'.join(extra)}）" if extra else ""
    return f"{target.subject} {target.comparator} {target.value}{target.unit}{suffix} ← “{target.span}”"
