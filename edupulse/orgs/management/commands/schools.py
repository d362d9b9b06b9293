"""`edupulse schools import FILE… [--json]` and `edupulse schools export --out FILE.xlsx [--region CODE]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edupulse.core.actions import run_as_system
from edupulse.core.regions import RegionCode
from edupulse.orgs import actions
from edupulse.orgs.importing import parse_schools
from edupulse.orgs.models import School
from edupulse.utilities.export import to_csv, to_xlsx
from edupulse.utilities.tabular import TableError, read_table


class Command(BaseCommand):
    help = "Import schools from xlsx/xls/ods/CSV (all or nothing), or export them to xlsx/CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        importer = sub.add_parser("import", help="validate every row of every file, then create all schools or none")
        importer.add_argument("paths", nargs="+")
        importer.add_argument("--json", action="store_true", help="print one JSON report on stdout")
        exporter = sub.add_parser("export", help="write the schools (optionally of one region) to a file")
        exporter.add_argument("--out", required=True)
        exporter.add_argument("--region", default="", help="province, prefecture or county code")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "export":
            self._export(Path(options["out"]), options["region"])
            return
        report: dict[str, Any] = {"created": 0, "rejected": 0, "files": []}
        rows: list[dict[str, Any]] = []
        for name in options["paths"]:
            path = Path(name)
            entry: dict[str, Any] = {"path": name, "rows": 0, "errors": []}
            report["files"].append(entry)
            try:
                table = read_table(path.read_bytes(), path.name)
            except FileNotFoundError:
                entry["errors"].append({"row": None, "cell": None, "field": None, "rule": "not_found",
                                        "message": "文件不存在。"})
                continue
            except TableError as exc:
                entry["errors"].append({"row": None, "cell": None, "field": None, "rule": exc.rule, "message": str(exc)})
                continue
            parsed = parse_schools(table)
            entry["rows"] = len(parsed.rows)
            entry["errors"].extend(parsed.errors)
            rows.extend({**r, "_file": name} for r in parsed.rows)
        if not any(f["errors"] for f in report["files"]):
            files = [r.pop("_file") for r in rows]
            result = run_as_system(actions.import_schools, rows)
            for problem in result.errors:
                entry = next(f for f in report["files"] if f["path"] == files[problem["row"] - 1])
                for field, messages in problem["errors"].items():
                    entry["errors"].append({"row": None, "cell": None, "field": field, "code": problem["code"],
                                            "message": f"{problem['code']}：" + "；".join(messages)})
            report["created"] = result.created
        report["rejected"] = sum(len(f["errors"]) for f in report["files"])
        self._print(report, options["json"])
        if report["rejected"]:
            sys.exit(1)

    def _print(self, report: dict[str, Any], as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
            return
        for entry in report["files"]:
            self.stdout.write(f"{entry['path']}: {entry['rows']} 行，{len(entry['errors'])} 个问题")
            for error in entry["errors"][:200]:
                where = error.get("cell") or (f"第 {error['row']} 行" if error.get("row") else "")
                self.stdout.write(f"  {where} {error['message']}".rstrip())
        verdict = f"已导入 {report['created']} 所学校" if report["created"] else "未导入任何学校（存在问题时整批不导入）"
        self.stdout.write(verdict)

    def _export(self, out: Path, region: str) -> None:
        schools = School.objects.select_related("county").order_by("code")
        if region:
            area = RegionCode.parse_or_none(region)
            if area is None:
                raise CommandError("--region must be a 2-, 4- or 6-digit GB/T 2260 code")
            schools = schools.filter(**area.lookup())
        headers = ["学校标识码", "学校名称", "学校类别", "办学类型", "所在县代码", "城乡分类", "办别", "地址", "经度", "纬度",
                   "联系人", "联系电话"]
        rows = ([s.code, s.name, s.category, s.school_type, s.county_id, s.urban_rural,
                 s.get_ownership_display(), s.address, s.longitude, s.latitude, s.contact_name, s.contact_phone]
                for s in schools.iterator(chunk_size=5000))
        if out.suffix.lower() == ".csv":
            out.write_bytes(to_csv(headers, rows))
        else:
            out.write_bytes(to_xlsx(headers, ([*r[:8], float(r[8]) if r[8] is not None else None,
                                               float(r[9]) if r[9] is not None else None, *r[10:]] for r in rows),
                                    sheet="学校", text_columns=[0, 2, 3, 4, 5]))
        self.stdout.write(f"wrote {out}")
