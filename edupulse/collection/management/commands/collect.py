"""``edupulse collect …``: forms, templates, imports, summaries, completeness and demo data.

The output of ``forms --json`` and ``import --json`` is a contract documented in docs/cli-collection.md.
Exit codes: 0 success (import: every file accepted), 1 some files rejected, 2 usage error.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from edupulse.accounts.models import User
from edupulse.collection import importing, products, workbook
from edupulse.collection.actions import load_forms
from edupulse.collection.completeness import completeness, expected_schools, missing_schools, not_reported
from edupulse.collection.definitions import DefinitionError
from edupulse.collection.demo import DEMO_FORM, load_demo_submissions
from edupulse.collection.models import FormVersion
from edupulse.collection.outliers import peer_outliers
from edupulse.collection.registry import current_version, spec_for
from edupulse.core import context
from edupulse.core.actions import run_as_system
from edupulse.core.actors import SYSTEM
from edupulse.core.regions import RegionCode
from edupulse.orgs.models import School

USAGE = 2


class UsageError(CommandError):
    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=USAGE)


class Command(BaseCommand):
    help = "Statistics collection: forms, Excel templates, imports, summaries, completeness, demo data."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)
        forms = sub.add_parser("forms", help="List the loaded forms and their versions.")
        forms.add_argument("--json", action="store_true")
        sub.add_parser("load-forms", help="Load the YAML form definitions shipped in collection/form_definitions/.")

        template = sub.add_parser("template", help="Write Excel templates (one school, or a zip for a region).")
        template.add_argument("form")
        where = template.add_mutually_exclusive_group(required=True)
        where.add_argument("--region", help="region code: a zip with a template per assigned school")
        where.add_argument("--school", help="school identification code: one xlsx")
        template.add_argument("--period", help="default: the last complete period")
        template.add_argument("--out", required=True, type=Path, help="output directory")

        imp = sub.add_parser("import", help="Import xlsx/csv files or zips of them.")
        imp.add_argument("paths", nargs="+", type=Path)
        imp.add_argument("--form", required=True)
        imp.add_argument("--period", required=True)
        imp.add_argument("--json", action="store_true", help="print the JSON report on stdout")
        imp.add_argument("--user", help="import as this user (their scope applies); default: the system")
        imp.add_argument("--workers", type=int, default=None, help="parser processes (default: up to 2)")
        imp.add_argument("--no-submit", action="store_true", help="store accepted files as drafts")
        imp.add_argument("--error-workbook", type=Path, help="write an xlsx with the bad cells highlighted")

        summary = sub.add_parser("summary", help="Summary table region × school category as XLSX.")
        summary.add_argument("form")
        summary.add_argument("--period", required=True)
        summary.add_argument("--level", choices=["province", "prefecture", "county"], default="county")
        summary.add_argument("--region", default="")
        summary.add_argument("--status", choices=["approved", "province_approved", "reported"], default="approved")
        summary.add_argument("--out", required=True, type=Path)

        comp = sub.add_parser("completeness", help="Reporting and on-time rates per region.")
        comp.add_argument("form")
        comp.add_argument("--period", required=True)
        comp.add_argument("--level", choices=["province", "prefecture", "county"], default="county")
        comp.add_argument("--region", default="")
        comp.add_argument("--json", action="store_true")

        missing = sub.add_parser("missing", help="Schools that have not submitted (CSV).")
        missing.add_argument("form")
        missing.add_argument("--period", required=True)
        missing.add_argument("--region", default="")
        missing.add_argument("--out", type=Path, help="CSV file (default: stdout)")

        outliers = sub.add_parser("outliers", help="Peer outliers (modified z-score) of a period.")
        outliers.add_argument("form")
        outliers.add_argument("--period", required=True)
        outliers.add_argument("--json", action="store_true")

        demo = sub.add_parser("demo", help="Create a realistic period of submissions for the demo province.")
        demo.add_argument("--period", required=True)
        demo.add_argument("--province", help="province code (default: the province with the most schools)")
        demo.add_argument("--seed", type=int, default=2022)

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["subcommand"].replace("-", "_")
        with context.using(context.cli_context()):
            try:
                code = getattr(self, f"do_{name}")(options)
            except (ValidationError, PermissionDenied) as exc:
                messages = getattr(exc, "messages", None) or [str(exc)]
                raise UsageError(" ".join(str(m) for m in messages)) from None
        if code:
            sys.stdout.flush()
            raise SystemExit(code)

    # ---------------------------------------------------------------------------------------- forms

    def do_forms(self, options: dict[str, Any]) -> int:
        forms = []
        for version in FormVersion.objects.select_related("form").order_by("form__code", "number"):
            spec = spec_for(version)
            forms.append({"id": version.form_id, "code": version.form.code, "name": version.form.name,
                          "period_type": version.form.period_type, "version_id": version.pk,
                          "version": version.number, "current": version.is_current, "frozen": version.frozen,
                          "checksum": version.checksum, "fields": len(spec.fields), "rules": len(spec.all_rules()),
                          "categories": list(spec.categories)})
        if options["json"]:
            self.stdout.write(json.dumps({"forms": forms}, ensure_ascii=False))
        else:
            for f in forms:
                flags = ("current " if f["current"] else "") + ("frozen" if f["frozen"] else "")
                self.stdout.write(f"{f['code']} v{f['version']} {f['name']} ({f['fields']} fields, {f['rules']} rules) "
                                  f"{flags}".rstrip())
        return 0

    def do_load_forms(self, options: dict[str, Any]) -> int:
        try:
            results = run_as_system(load_forms)
        except DefinitionError as exc:
            raise UsageError(str(exc)) from None
        for r in results:
            self.stdout.write(f"{r.code} v{r.version}: {r.status}")
        return 0

    # ------------------------------------------------------------------------------------- templates

    def do_template(self, options: dict[str, Any]) -> int:
        spec = spec_for(current_version(options["form"]))
        period = options["period"] or default_period(spec.period_type)
        if not spec.valid_period(period):
            raise UsageError(f"invalid period {period!r} for a {spec.period_type} form")
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        if options["school"]:
            school = School.objects.filter(code=options["school"]).first()
            if school is None:
                raise UsageError(f"no school with code {options['school']}")
            if not spec.applies_to(school.category, school.county_id):
                raise UsageError(f"form {spec.code} is not assigned to school {school.code}")
            target = out / workbook.template_filename(spec, school.code, school.name, period)
            target.write_bytes(workbook.build_template(spec, school_code=school.code, school_name=school.name,
                                                       period=period))
            self.stdout.write(str(target))
            return 0
        region = options["region"]
        area = RegionCode.parse_or_none(region)
        if area is None:
            raise UsageError(f"{region!r} is not a region code (2, 4 or 6 digits)")
        schools = expected_schools(spec, SYSTEM).filter(**area.lookup()).order_by("code")
        data, count = workbook.build_template_zip(spec, schools.values_list("code", "name"), period)
        if not count:
            raise UsageError(f"no schools in region {region} are assigned form {spec.code}")
        target = out / f"{spec.code}_{period}_{region}.zip"
        target.write_bytes(data)
        self.stdout.write(f"{target} ({count} templates)")
        return 0

    # ---------------------------------------------------------------------------------------- import

    def do_import(self, options: dict[str, Any]) -> int:
        user = _user(options.get("user"))
        missing = [str(p) for p in options["paths"] if not p.exists()]
        if missing:
            raise UsageError("no such file: " + ", ".join(missing))
        limits = importing.current_limits()
        tasks, failed = importing.tasks_from_paths(options["paths"], limits)
        report = importing.run_import(tasks, failed, form_code=options["form"], period=options["period"],
                                     acting_user=user, workers=options["workers"],
                                     submit_clean=not options["no_submit"])
        if options["error_workbook"]:
            options["error_workbook"].write_bytes(workbook.build_error_workbook(report.files, report.grids))
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
        else:
            for item in report.files:
                self.stdout.write(f"{item['status']:8} {item['path']} {item['school_code'] or ''}")
                for error in item["errors"]:
                    where = "!".join(x for x in (error["sheet"], error["cell"]) if x)
                    self.stdout.write(f"    {error['severity']} {where} [{error['rule']}] {error['message']}")
            self.stdout.write(f"accepted {report.accepted}, rejected {report.rejected}")
        return 1 if report.rejected else 0

    # -------------------------------------------------------------------------------------- products

    def do_summary(self, options: dict[str, Any]) -> int:
        spec = spec_for(current_version(options["form"]))
        summary = products.summarise(spec, options["period"], options["level"], user=SYSTEM, region=options["region"],
                                     status=options["status"])
        options["out"].write_bytes(products.summary_xlsx(summary))
        self.stdout.write(f"{options['out']} ({summary.total.schools} schools, {len(summary.regions)} regions)")
        return 0

    def do_completeness(self, options: dict[str, Any]) -> int:
        spec = spec_for(current_version(options["form"]))
        rows, total = completeness(spec, options["period"], SYSTEM, level=options["level"], region=options["region"])

        def as_dict(r: Any) -> dict[str, Any]:
            return {"region": r.region_code, "name": r.region_name, "expected": r.expected, "reported": r.reported,
                    "on_time": r.on_time, "missing": r.missing, "reporting_rate": r.reporting_rate,
                    "on_time_rate": r.on_time_rate}

        if options["json"]:
            self.stdout.write(json.dumps({"rows": [as_dict(r) for r in rows], "total": as_dict(total)},
                                         ensure_ascii=False))
        else:
            for r in [*rows, total]:
                self.stdout.write(f"{r.region_code or 'total':8} {r.region_name:10} {r.reported}/{r.expected} "
                                  f"reported ({r.reporting_rate}%), {r.on_time} on time ({r.on_time_rate}%)")
        return 0

    def do_missing(self, options: dict[str, Any]) -> int:
        spec = spec_for(current_version(options["form"]))
        schools = missing_schools(spec, options["period"], SYSTEM, options["region"])
        rows = [["学校标识码", "学校名称", "市", "县", "联系人", "联系电话"]]
        rows += [[s.code, s.name, s.prefecture.name, s.county.name, s.contact_name, s.contact_phone] for s in schools]
        if options["out"]:
            with open(options["out"], "w", encoding="utf-8-sig", newline="") as handle:
                csv.writer(handle).writerows(rows)
        else:
            csv.writer(self.stdout).writerows(rows)
        return 0

    def do_outliers(self, options: dict[str, Any]) -> int:
        spec = spec_for(current_version(options["form"]))
        found = peer_outliers(spec, options["period"], user=SYSTEM)
        if options["json"]:
            self.stdout.write(json.dumps({"outliers": [o.as_dict() for o in found]}, ensure_ascii=False))
        else:
            for o in found:
                self.stdout.write(f"{o.school_code} {o.field} {o.message}")
        return 0

    def do_demo(self, options: dict[str, Any]) -> int:
        run_as_system(load_forms)
        province = options["province"] or (School.objects.values("province_id").annotate(n=Count("id"))
                                           .order_by("-n").values_list("province_id", flat=True).first())
        if not province:
            raise UsageError("there are no schools yet; run `edupulse demo-data` first")
        result = run_as_system(load_demo_submissions, province, options["period"], options["seed"])
        # "Not reported" as the pages count it (completeness.not_reported), not just the schools left out.
        spec = spec_for(current_version(DEMO_FORM))
        gap = not_reported(spec, result.period, SYSTEM, province)
        self.stdout.write(
            f"demo {result.period}: {result.expected} schools expected, {result.stored} stored, {gap.total} not "
            f"reported (no record {gap.no_record}, draft {gap.draft}, returned {gap.returned}), "
            f"{result.drafts_with_errors} drafts with errors, {result.approved} approved")
        return 0


def default_period(period_type: str) -> str:
    today = dt.date.today()
    if period_type == "year":
        return str(today.year - 1)
    if period_type == "semester":
        return f"{today.year}-1" if today.month >= 8 else f"{today.year - 1}-2"
    if period_type == "month":
        first = today.replace(day=1) - dt.timedelta(days=1)
        return f"{first.year}-{first.month:02d}"
    return "once"


def _user(username: str | None) -> Any:
    """The user named by ``--user`` (the import is then limited to their scope), else the system actor."""
    if not username:
        return SYSTEM
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise UsageError(f"no active user {username!r}")
    return user
