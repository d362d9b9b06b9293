"""``edupulse plans …``: read work plans (工作要点).

``plans parse FILE [--json]``: the JSON output is a contract documented in docs/cli-plans.md.
Exit codes: 0 success, 2 bad input or usage (a Chinese message on stderr, no traceback).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

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

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "parse":
            self._parse(options["file"], options["json"])

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
