"""``edupulse basedata …``: validate and import base-data files (students, teachers).

The JSON outputs are contracts documented in docs/cli-basedata.md. Exit codes: 0 the file was read (with
or without issues), 2 bad input or usage (a Chinese message on stderr, no traceback).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.basedata import catalogue, demo, quality_trend, store
from edupulse.basedata.importing import ImportOutcome, import_file
from edupulse.basedata.models import ImportBatch, RecordKind, ShareRequest, SourceSystem
from edupulse.basedata.quality import backfill, batch_quality, export_school_issues
from edupulse.basedata.reading import InputError
from edupulse.basedata.sharing import write_extract
from edupulse.basedata.validation import ValidationResult, validate_file
from edupulse.core import audit, context
from edupulse.core.actors import SYSTEM
from edupulse.orgs.models import School

USAGE = 2
SHOWN_ISSUES = 50  # issues listed by the plain-text output (the JSON lists all)


class Command(BaseCommand):
    help = "Base data (students, teachers): validate or import a CSV, XLSX or Parquet file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)
        validate = sub.add_parser("validate", help="Check a file; stores nothing.")
        validate.add_argument("file", type=Path)
        validate.add_argument("--kind", choices=RecordKind.values, default=RecordKind.STUDENT)
        validate.add_argument("--mask", action="store_true", help="mask ID numbers in the issues' values")
        validate.add_argument("--json", action="store_true", help="print the JSON contract of docs/cli-basedata.md")
        imp = sub.add_parser("import", help="Import a file as a batch from a source system (atomic, idempotent).")
        imp.add_argument("file", type=Path)
        imp.add_argument("--kind", choices=RecordKind.values, default=RecordKind.STUDENT)
        imp.add_argument("--source", choices=SourceSystem.values, required=True)
        imp.add_argument("--region", default=None,
                         help="region code the batch belongs to (default: the smallest region holding its schools)")
        imp.add_argument("--json", action="store_true", help="print the JSON contract of docs/cli-basedata.md")
        quality = sub.add_parser("quality", help="Quality scores of a batch (overall, schools, regions, worst schools), "
                                                 "their trend across batches (--trend), or a backfill (--backfill).")
        what = quality.add_mutually_exclusive_group(required=True)
        what.add_argument("--batch", type=int, help="the scores of one batch, computed from the store")
        what.add_argument("--trend", action="store_true",
                          help="the stored scores of a group across batches (--region or --school; neither: whole batches)")
        what.add_argument("--backfill", action="store_true",
                          help="store the scores of batches imported before scores were stored (idempotent)")
        where = quality.add_mutually_exclusive_group()
        where.add_argument("--region", help="with --trend: a province, prefecture or county code")
        where.add_argument("--school", help="with --trend: a 学校标识码")
        quality.add_argument("--kind", choices=RecordKind.values, default=RecordKind.STUDENT, help="with --trend")
        quality.add_argument("--source", choices=SourceSystem.values, default=None,
                             help="with --trend: batches of this source system only (default: every source)")
        quality.add_argument("--json", action="store_true", help="print the JSON contract of docs/cli-basedata.md")
        demo = sub.add_parser("demo", help="Write demo students and teachers of the register's schools with "
                                           "known injected errors (and a manifest of them).")
        demo.add_argument("--students", type=int, default=2000)
        demo.add_argument("--teachers", type=int, default=200)
        demo.add_argument("--seed", type=int, default=2026)
        demo.add_argument("--out", type=Path, default=None, help="directory (default: basedata-demo in EDUPULSE_VAR_DIR)")
        demo.add_argument("--import", dest="do_import", action="store_true",
                          help="import the files too: the students' earlier (dirtier) ones first, then the teachers")
        dedupe = sub.add_parser("dedupe", help="Entity resolution over the student records (Splink): links, "
                                               "master records, uncertain pairs queued for review.")
        dedupe.add_argument("--batch", type=int, action="append", default=None,
                            help="a student batch to include (repeatable; default: every batch)")
        dedupe.add_argument("--json", action="store_true", help="print the JSON contract of docs/cli-basedata.md")
        dedupe.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                            help="where the pairs are scored: DuckDB in process, or Spark (PySpark and Java 17)")
        share = sub.add_parser("share", help="Write the masked, watermarked extract of an approved sharing request.")
        share.add_argument("request_id", type=int)
        share.add_argument("--out", type=Path, required=True, help="file to write (.csv or .xlsx)")
        cat = sub.add_parser("catalogue", help="Export the data resource catalogue (DCAT-like JSON-LD).")
        cat.add_argument("--out", type=Path, default=None, help="file to write (default: standard output)")
        sub.add_parser("rekey", help="Recompute every stored pseudonym under the configured EDUPULSE_PSEUDONYM_KEY "
                                     "(after a key rotation; one pass, audited).")
        export = sub.add_parser("export-issues", help="Write one school's issues of a batch to an XLSX file.")
        export.add_argument("--batch", type=int, required=True)
        export.add_argument("--school", required=True, help="学校标识码")
        export.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "validate":
                self._validate(options["file"], options["kind"], options["mask"], options["json"])
            elif options["subcommand"] == "import":
                self._import(options["file"], options["kind"], options["source"], options["region"], options["json"])
            elif options["subcommand"] == "quality":
                self._quality_command(options)
            elif options["subcommand"] == "demo":
                self._demo(options["students"], options["teachers"], options["seed"], options["out"], options["do_import"])
            elif options["subcommand"] == "dedupe":
                self._dedupe(options["batch"], options["json"], options["engine"])
            elif options["subcommand"] == "share":
                self._share(options["request_id"], options["out"])
            elif options["subcommand"] == "catalogue":
                self._catalogue(options["out"])
            elif options["subcommand"] == "export-issues":
                self._export(options["batch"], options["school"], options["out"])
            elif options["subcommand"] == "rekey":
                self._rekey()
        except InputError as error:
            raise CommandError(_("Cannot read %(file)s: %(reason)s") % {"file": options["file"], "reason": error},
                               returncode=USAGE) from None
        except store.StoreRefusedError as refused:
            raise CommandError(str(refused), returncode=USAGE) from None

    def _batch(self, pk: int) -> ImportBatch:
        batch = ImportBatch.objects.visible_to(SYSTEM).filter(pk=pk).first()
        if batch is None:
            raise CommandError(_("There is no import batch %(id)d.") % {"id": pk}, returncode=USAGE)
        return batch

    def _quality_command(self, options: dict[str, Any]) -> None:
        if (options["region"] or options["school"]) and not options["trend"]:
            raise CommandError(_("--region and --school go with --trend."), returncode=USAGE)
        if options["trend"]:
            self._trend(options["kind"], options["source"], options["region"], options["school"], options["json"])
        elif options["backfill"]:
            self._backfill(options["json"])
        else:
            self._quality(options["batch"], options["json"])

    def _trend(self, kind: str, source: str | None, region: str | None, school: str | None, as_json: bool) -> None:
        if region is not None:
            group = quality_trend.region_group(SYSTEM, region)
        elif school is not None:
            group = quality_trend.school_group(SYSTEM, school)
        else:
            group = quality_trend.everything()
        if group is None:
            raise CommandError(_("There is no region or school %(code)s.") % {"code": region or school},
                               returncode=USAGE)
        points = quality_trend.trend(SYSTEM, kind, group, source)
        if as_json:
            self.stdout.write(json.dumps(trend_contract(kind, source, group, points), ensure_ascii=False))
            return
        self.stdout.write(_("Quality trend of %(group)s (%(kind)s): %(count)d batches.")
                          % {"group": group.name, "kind": RecordKind(kind).label, "count": len(points)})
        if len(points) == 1:
            self.stdout.write(_("Only one batch so far: a trend needs at least two."))
        if points:
            self.stdout.write("\t".join(quality_trend.table_headers(group)))
        for row in quality_trend.table_rows(group, points):
            row[1] = timezone.localtime(row[1]).strftime("%Y-%m-%d %H:%M")
            self.stdout.write("\t".join(str(cell) for cell in row))

    def _backfill(self, as_json: bool) -> None:
        with context.using(context.cli_context()):
            outcome = backfill(acting_user=SYSTEM)
        if as_json:
            self.stdout.write(json.dumps(outcome.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(_("Scores stored for %(batches)d batches (%(rows)d rows); %(empty)d batches have no rows "
                            "in the store.") % {"batches": len(outcome.scored), "rows": outcome.rows,
                                                "empty": len(outcome.empty)})

    def _quality(self, pk: int, as_json: bool) -> None:
        batch = self._batch(pk)
        with store.connect() as connection:
            report = batch_quality(batch, connection)
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        overall = report["overall"]
        self.stdout.write(_("Batch %(id)d: score %(score).2f over %(rows)d rows.")
                          % {"id": pk, "score": overall["score"], "rows": overall["rows"]})
        for school in report["worst_schools"]:
            self.stdout.write(f"  {school['key']}\t{school['score']:.2f}\t{school['rows']}")

    def _demo(self, n_students: int, n_teachers: int, seed: int, out: Path | None, do_import: bool) -> None:
        schools = list(School.objects.filter(is_active=True).values_list("code", "county_id"))
        if not schools:
            raise CommandError(_("There are no schools; load the demo province first (edupulse demo)."),
                               returncode=USAGE)
        directory = out or Path(settings.VAR_DIR) / "basedata-demo"
        directory.mkdir(parents=True, exist_ok=True)
        pupils = demo.students(n_students, schools, seed=seed)
        staff = demo.teachers(n_teachers, schools, seed=seed)
        # Earlier exports of the same system, dirtier: imported first, they give the quality trend its line.
        earlier = [demo.write_csv(demo.students(n_students, schools, seed=seed + number, rate_scale=scale),
                                  directory / f"students_earlier_{number}.csv")
                   for number, scale in enumerate(demo.EARLIER_BATCHES, start=1)]
        files = [demo.write_csv(pupils, directory / "students.csv"),
                 demo.write_manifest(pupils, directory / "students_injected.csv"),
                 demo.write_csv(staff, directory / "teachers.csv"),
                 demo.write_manifest(staff, directory / "teachers_injected.csv"), *earlier]
        for path in files:
            self.stdout.write(str(path))
        if do_import:
            for path in [*earlier, files[0]]:
                self._import(path, "student", SourceSystem.XUEJI, None, as_json=False)
            self._import(files[2], "teacher", SourceSystem.JIAOSHI, None, as_json=False)

    def _dedupe(self, batches: list[int] | None, as_json: bool, engine: Any) -> None:
        # heavy: Splink and pypinyin load only for this subcommand, not for every `edupulse basedata` call.
        from edupulse.basedata.dedupe import run_dedupe
        from edupulse.basedata.linking_spark import SparkUnavailableError

        try:
            with context.using(context.cli_context()):
                outcome = run_dedupe(acting_user=SYSTEM, batch_ids=batches, engine=engine)
        except LookupError as missing:
            raise CommandError(_("There is no student batch %(ids)s.") % {"ids": missing}, returncode=USAGE) from None
        except SparkUnavailableError:
            raise CommandError(_("The Spark engine cannot start: it needs PySpark (pip install \"edupulse[spark]\") "
                                 "and Java 17."), returncode=USAGE) from None
        report = outcome.as_dict()
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(_("%(records)d records: %(matches)d pairs linked, %(review)d queued for review, "
                            "%(masters)d master records (%(seconds).1f s).") % report)

    def _share(self, pk: int, out: Path) -> None:
        request = ShareRequest.objects.visible_to(SYSTEM).filter(pk=pk).first()
        if request is None:
            raise CommandError(_("There is no sharing request %(id)d.") % {"id": pk}, returncode=USAGE)
        try:
            with context.using(context.cli_context()):
                count = write_extract(request, out, acting_user=SYSTEM)
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages), returncode=USAGE) from None
        self.stdout.write(_("%(count)d rows written to %(out)s.") % {"count": count, "out": out})

    def _catalogue(self, out: Path | None) -> None:
        text = json.dumps(catalogue.dcat(), ensure_ascii=False, indent=1)
        if out is None:
            self.stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")

    def _export(self, pk: int, school: str, out: Path) -> None:
        batch = self._batch(pk)
        with context.using(context.cli_context()):
            with store.connect() as connection:
                count = export_school_issues(batch, school, connection, out)
            # The export names minors' rows (name, class): the read is audited, without the data.
            audit.record_read("basedata.school_issues.export", [batch], acting_user=SYSTEM,
                              purpose=f"issues of school {school}")
        self.stdout.write(_("%(count)d issues written to %(out)s.") % {"count": count, "out": out})

    def _rekey(self) -> None:
        if not store.store_path().exists():
            self.stdout.write(_("There is no base-data store yet; nothing to recompute."))
            return
        with context.using(context.cli_context()):
            outcome = store.run_rekey(acting_user=SYSTEM)
        line = (_("Recomputed %(rows)d pseudonyms under the configured key.") if outcome.changed
                else _("Recomputed %(rows)d pseudonyms under the configured key (it had not changed)."))
        self.stdout.write(line % {"rows": sum(outcome.rows.values())})

    def _validate(self, path: Path, kind: str, mask: bool, as_json: bool) -> None:
        result = validate_file(path, kind, mask=mask)
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write("\n".join(summary(result)))

    def _import(self, path: Path, kind: str, source: str, region: str | None, as_json: bool) -> None:
        with context.using(context.cli_context()):
            outcome = import_file(path, kind, source, acting_user=SYSTEM, region=region)
        if as_json:
            self.stdout.write(json.dumps(import_contract(outcome), ensure_ascii=False))
            return
        batch = outcome.batch
        line = _("Imported batch %(id)d: %(clean)d clean rows, %(rejected)d rejected of %(rows)d.") if outcome.created \
            else _("This file was already imported as batch %(id)d (%(clean)d clean rows of %(rows)d); nothing changed.")
        self.stdout.write(line % {"id": batch.pk, "clean": batch.rows_clean, "rejected": batch.rows_rejected,
                                  "rows": batch.rows_total})


def import_contract(outcome: ImportOutcome) -> dict[str, Any]:
    """The JSON of ``basedata import --json`` (docs/cli-basedata.md)."""
    batch = outcome.batch
    return {
        "batch": batch.pk, "created": outcome.created, "kind": batch.kind, "source": batch.source,
        "file_sha256": batch.file_sha256, "rows": batch.rows_total, "clean": batch.rows_clean,
        "rejected": batch.rows_rejected, "counts": batch.issue_counts,
        "region": batch.county_code or batch.prefecture_code or batch.province_code,
        "imported_at": batch.created_at.isoformat(), "importer": batch.importer_name,
    }


def trend_contract(kind: str, source: str | None, group: quality_trend.Group,
                   points: list[quality_trend.TrendPoint]) -> dict[str, Any]:
    """The JSON of ``basedata quality --trend --json`` (docs/cli-basedata.md)."""
    return {"kind": kind, "source": source, "group": {"level": group.level, "key": group.key, "name": group.name},
            "batches": [p.as_dict() for p in points]}


def summary(result: ValidationResult) -> list[str]:
    """The plain-text report: counts per rule, then the first issues."""
    lines = [_("%(rows)d rows, %(issues)d issues.") % {"rows": result.rows, "issues": len(result.issues)}]
    lines += [f"  {rule}: {count}" for rule, count in result.counts.items() if count]
    lines += [f"{i.row}\t{i.rule}\t{i.field}\t{i.value or ''}\t{i.message}" for i in result.issues[:SHOWN_ISSUES]]
    if len(result.issues) > SHOWN_ISSUES:
        lines.append(_("… and %(more)d more (use --json for all).") % {"more": len(result.issues) - SHOWN_ISSUES})
    return lines
