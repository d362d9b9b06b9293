"""``edupulse indicators …``: list the indicators in force and compute their values.

The JSON output is a contract documented in docs/cli-indicators.md. Exit codes: 0 success, 2 usage error.
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from edupulse.core.actions import run_as_system
from edupulse.core.regions import RegionCode, RegionCodeError
from edupulse.indicators import computing
from edupulse.indicators.actions import recompute
from edupulse.indicators.definitions import Definition, effective
from edupulse.indicators.values import APPROVED, BASES, Value

USAGE = 2


def collected_periods() -> list[str]:
    """Every period the collection has submissions for (by model name: the library sits below collection)."""
    submission = apps.get_model("collection", "Submission")
    return sorted(set(submission.objects.values_list("period", flat=True).distinct()))


def definition_json(d: Definition) -> dict[str, Any]:
    return {"code": d.code, "name": d.name, "theme": d.theme, "source": d.source, "unit": d.unit,
            "factor": d.factor, "direction": d.direction, "numerator": d.numerator.as_yaml(),
            "denominator": d.denominator.as_yaml(), "categories": list(d.categories),
            "target": d.target.value if d.target else None,
            "comparator": d.target.comparator if d.target else None,
            "target_source": d.target.source if d.target else None, "version": d.version}


def value_json(v: Value) -> dict[str, Any]:
    return {"indicator": v.indicator, "region": v.region, "name": v.name, "level": v.level,
            "numerator": v.numerator, "denominator": v.denominator, "value": v.value,
            "coverage": {"schools_with_data": v.coverage.schools_with_data,
                         "schools_expected": v.coverage.schools_expected},
            "target": v.target, "attained": v.attained, "rank": v.rank}


class Command(BaseCommand):
    help = "Indicators against the work plans' targets: list the definitions, compute the values."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)
        listing = sub.add_parser("list", help="The indicators in force (built in, or edited in the admin).")
        listing.add_argument("--json", action="store_true")
        compute = sub.add_parser("compute", help="Compute (and store) every indicator for a period.")
        compute.add_argument("--period", required=True, help="e.g. 2022")
        compute.add_argument("--region", default="", help="province, prefecture or county code (default: all)")
        compute.add_argument("--status", choices=BASES, default=APPROVED,
                             help="which submissions count: approved (county-approved or higher) or reported")
        compute.add_argument("--no-store", action="store_true", help="print only, keep the stored values")
        compute.add_argument("--json", action="store_true")
        refresh = sub.add_parser("refresh", help="Recompute and store both bases for the periods (default: every "
                                                 "period with collected data).")
        refresh.add_argument("--period", action="append", default=[], help="repeatable; e.g. --period 2021")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            self._list(options)
        elif options["subcommand"] == "refresh":
            self._refresh(options)
        else:
            self._compute(options)

    def _refresh(self, options: dict[str, Any]) -> None:
        periods = options["period"] or collected_periods()
        if not periods:
            self.stdout.write(_("No collected data yet: nothing to compute."))
            return
        stored = run_as_system(recompute, periods)
        count = sum(len(values) for values in stored.values())
        self.stdout.write(_("Indicators computed for %(periods)s: %(count)s values stored.")
                          % {"periods": "、".join(sorted(periods)), "count": count})

    def _list(self, options: dict[str, Any]) -> None:
        definitions = list(effective().values())
        if options["json"]:
            self.stdout.write(json.dumps({"indicators": [definition_json(d) for d in definitions]}, ensure_ascii=False,
                                         indent=1))
            return
        for d in definitions:
            target = f"{d.target.comparator}{d.target.value:g}{d.unit}" if d.target else "—"
            self.stdout.write(f"{d.code:<26} {d.name}  {_('Target value')}: {target}")

    def _compute(self, options: dict[str, Any]) -> None:
        region = options["region"]
        try:
            code = RegionCode.parse(region) if region else None
        except RegionCodeError:
            raise CommandError(_("“%(code)s” is not a region code (2, 4 or 6 digits).") % {"code": region},
                               returncode=USAGE) from None
        period, basis = options["period"], options["status"]
        if options["no_store"]:
            computed = computing.values(computing.compute(list(effective().values()), [period], basis))
        else:
            computed = run_as_system(recompute, [period], bases=[basis])[basis]
        values = [v for v in computed if v.period == period
                  and (code is None or code.contains(v.region) or RegionCode.parse(v.region).contains(code))]
        if options["json"]:
            self.stdout.write(json.dumps({"period": period, "values": [value_json(v) for v in values]},
                                         ensure_ascii=False))
            return
        for v in values:
            shown = "—" if v.value is None else f"{v.value:g}"
            self.stdout.write(f"{v.indicator:<26} {v.region:<6} {v.name:<12} {shown:>7}  "
                              f"{_('schools covered')} {v.coverage.schools_with_data}/{v.coverage.schools_expected}")
