"""Importing files: parse (in parallel when there are many), check against the database, store in bulk.

Every file is atomic: it is accepted whole (all its records stored) or rejected whole (nothing
stored). Re-importing the same file changes nothing. The report has exactly the shape of the CLI
contract (docs/cli-collection.md)::

    {"accepted": N, "rejected": N,
     "files": [{"path", "school_code", "status": "accepted"|"rejected",
                "errors": [{"sheet", "cell", "field", "rule", "severity", "value", "message"}]}]}

Warnings appear in ``errors`` with severity "warning" on accepted files; a record whose warnings are
not explained stays a draft until the school explains them.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from edupulse.collection import conf
from edupulse.collection.actions import PreparedRecord, context_values, locked_schools, store_records
from edupulse.collection.definitions import FormSpec
from edupulse.collection.models import FormVersion, Submission
from edupulse.collection.reader import Limits, ParsedFile, expand, parse_file
from edupulse.collection.registry import current_version, spec_for
from edupulse.collection.validation import validate
from edupulse.core.actors import Actor
from edupulse.core.permissions import can
from edupulse.orgs.models import School

if TYPE_CHECKING:
    pass

PARALLEL_THRESHOLD = 200


@dataclass
class ImportReport:
    files: list[dict[str, Any]] = field(default_factory=list)
    grids: dict[str, tuple[str, list[list[Any]]]] = field(default_factory=dict)
    # Seconds spent checking and storing in this process (benchmarks; not part of the JSON report).
    check_store_seconds: float = 0.0

    @property
    def accepted(self) -> int:
        return sum(1 for f in self.files if f["status"] == "accepted")

    @property
    def rejected(self) -> int:
        return sum(1 for f in self.files if f["status"] == "rejected")

    def as_json(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "rejected": self.rejected, "files": self.files}


def current_limits() -> Limits:
    return Limits(
        max_file_bytes=conf.max_file_bytes(), max_unzipped_bytes=conf.max_unzipped_bytes(),
        max_ratio=conf.limit("EDUPULSE_COLLECT_MAX_RATIO"), max_files=conf.limit("EDUPULSE_COLLECT_MAX_FILES"),
        max_csv_rows=conf.limit("EDUPULSE_COLLECT_MAX_CSV_ROWS"),
    )


# A task is (display path, bytes) or (display path, filesystem path) — workers read files themselves so
# that 25,000 files are not pickled through a pipe.
Task = tuple[str, bytes | str]


def _parse_task(task: Task, spec: FormSpec, period: str, limits: Limits) -> ParsedFile:
    name, payload = task
    if isinstance(payload, str):
        with open(payload, "rb") as handle:
            payload = handle.read(limits.max_file_bytes + 1)
    return parse_file(name, payload, spec, period, limits)


_WORKER: dict[str, Any] = {}


# Rule context by school code: last period's values and other forms' values of the same period.
RuleContext = tuple[dict[str, dict[str, Any]], dict[str, dict[str, dict[str, Any]]]]


def prefetch_context(spec: FormSpec, period: str, user: Actor) -> RuleContext:
    """Everything the rules may look up, for every school the user may see, keyed by school code, so
    that workers can validate without the database. Only used for large imports."""
    schools = School.objects.visible_to(user) if user is not None else School.objects.all()
    ids = dict(schools.values_list("pk", "code"))
    prev, others = context_values(spec, list(ids), period)
    return ({ids[k]: v for k, v in prev.items()}, {ids[k]: v for k, v in others.items()})


def _init_worker(spec: FormSpec, period: str, limits: Limits) -> None:
    _WORKER.update(spec=spec, period=period, limits=limits)


def _parse_chunk(tasks: list[Task]) -> list[ParsedFile]:
    spec: FormSpec = _WORKER["spec"]
    context: RuleContext | None = _WORKER.get("context")
    results = [_parse_task(t, spec, _WORKER["period"], _WORKER["limits"]) for t in tasks]
    for parsed in results:
        if context is not None and not parsed.rejected:
            for record in parsed.records:
                record.issues = [i.as_dict() for i in validate(spec, record.values, prev=context[0].get(
                    record.school_code), others=context[1].get(record.school_code, {}))]
        if not parsed.errors:
            # The grid is only needed for the error workbook; not sending it back through the pipe
            # halves the cost of parallel parsing. Files that fail later are re-read (rare).
            parsed.grid = []
    return results


def parse_chunks(tasks: Sequence[Task], spec: FormSpec, period: str, limits: Limits, workers: int,
                 context: RuleContext | None = None) -> Iterator[list[ParsedFile]]:
    """Parse every task, yielding results chunk by chunk as they are ready.

    With several workers (and many files) the chunks are parsed in forked processes that also run the
    rules with ``context`` fetched beforehand (workers never touch the database), while the caller
    stores the previous chunk: parsing and storing overlap.
    """
    if workers <= 1 or len(tasks) < PARALLEL_THRESHOLD:
        yield [_parse_task(t, spec, period, limits) for t in tasks]
        return
    size = max(50, min(500, len(tasks) // (workers * 8)))
    chunks = [list(tasks[i:i + size]) for i in range(0, len(tasks), size)]
    # Workers never touch the database (they exit with os._exit and close nothing), so the parent's
    # connection is left alone; closing it here would break a surrounding transaction.
    # The (large) rule context reaches the forked workers by inheritance, not through a pipe.
    _WORKER["context"] = context
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_init_worker, initargs=(spec, period, limits)) as pool:
            yield from pool.map(_parse_chunk, chunks)
    finally:
        _WORKER.pop("context", None)


def parse_all(tasks: Sequence[Task], spec: FormSpec, period: str, limits: Limits, workers: int,
              context: RuleContext | None = None) -> list[ParsedFile]:
    return [parsed for chunk in parse_chunks(tasks, spec, period, limits, workers, context) for parsed in chunk]


def _reload_grid(parsed: ParsedFile, tasks: dict[str, Task], spec: FormSpec, period: str, limits: Limits) -> None:
    task = tasks.get(parsed.path)
    if task is not None:
        again = _parse_task(task, spec, period, limits)
        parsed.sheet, parsed.grid = again.sheet, again.grid


def tasks_from_paths(paths: Iterable[Path], limits: Limits) -> tuple[list[Task], list[ParsedFile]]:
    """Expand paths (files, directories, zips) into parse tasks; files that fail before parsing are
    returned as already-rejected results."""
    tasks: list[Task] = []
    failed: list[ParsedFile] = []
    for path in paths:
        if path.is_dir():
            children = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "~$")))
            more, bad = tasks_from_paths(children, limits)
            tasks.extend(more)
            failed.extend(bad)
            continue
        display = str(path)
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            parsed = ParsedFile(path=display)
            parsed.fail("file_too_large", _("The file is %(size)s MB, larger than the limit of %(limit)s MB.")
                        % {"size": f"{size / 1048576:.1f}", "limit": f"{limits.max_file_bytes / 1048576:.1f}"})
            failed.append(parsed)
        elif path.suffix.lower() == ".zip":
            t, f = tasks_from_bytes([(display, path.read_bytes())], limits)
            tasks.extend(t)
            failed.extend(f)
        else:
            tasks.append((display, str(path)))
    return tasks, failed


def tasks_from_bytes(items: Iterable[tuple[str, bytes]], limits: Limits) -> tuple[list[Task], list[ParsedFile]]:
    tasks: list[Task] = []
    failed: list[ParsedFile] = []
    for name, data in items:
        for path, content, problem in expand(name, data, limits):
            if problem is not None or content is None:
                parsed = ParsedFile(path=path)
                if problem:
                    parsed.errors.append(problem)
                failed.append(parsed)
            else:
                tasks.append((path, content))
    return tasks, failed


def run_import(tasks: Sequence[Task], failed: Sequence[ParsedFile], *, form_code: str, period: str,
               acting_user: Actor, workers: int | None = None, submit_clean: bool = True,
               source: str = "excel") -> ImportReport:
    """Parse, check and store. Raises ValidationError for a usage error (unknown form, bad period)."""
    version = current_version(form_code)
    spec = spec_for(version)
    if not spec.valid_period(period):
        raise ValidationError(_("“%(period)s” is not a valid period for %(form)s (period type %(type)s).")
                              % {"period": period, "form": spec.code, "type": spec.period_type})
    if not can(acting_user, "change", Submission):
        raise PermissionDenied(_("Your role may not enter statistics."))
    limits = current_limits()
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    parallel = workers > 1 and len(tasks) >= PARALLEL_THRESHOLD
    context = prefetch_context(spec, period, acting_user) if parallel else None
    claimed: dict[str, str] = {}
    report = check_and_store(list(failed), version, spec, period, acting_user=acting_user,
                             submit_clean=submit_clean, source=source, claimed=claimed)
    by_path = dict(tasks)
    for chunk in parse_chunks(tasks, spec, period, limits, workers, context):
        started = time.perf_counter()
        part = check_and_store(chunk, version, spec, period, acting_user=acting_user, submit_clean=submit_clean,
                               source=source, claimed=claimed)
        report.check_store_seconds += time.perf_counter() - started
        report.files.extend(part.files)
        report.grids.update(part.grids)
        for item in chunk:
            if item.errors and not item.grid and item.path in by_path:
                _reload_grid(item, {item.path: (item.path, by_path[item.path])}, spec, period, limits)
                if item.grid:
                    report.grids[item.path] = (item.sheet, item.grid)
    return report


def check_and_store(parsed: list[ParsedFile], version: FormVersion, spec: FormSpec, period: str, *,
                    acting_user: Actor, submit_clean: bool, source: str,
                    claimed: dict[str, str] | None = None) -> ImportReport:
    """Check parsed files against the database (school, scope, assignment, lock, rules) and store the
    accepted ones in one transaction. ``claimed`` (school code → file) carries across chunks."""
    if not parsed:
        return ImportReport()
    codes = {r.school_code for p in parsed for r in p.records}
    schools_qs = School.objects.visible_to(acting_user)
    schools = {s.code: s for s in schools_qs.filter(code__in=codes)}
    locked = locked_schools(version.form, period, [s.pk for s in schools.values()])
    unvalidated = {r.school_code for p in parsed for r in p.records if r.issues is None}
    needs_rules = [s.pk for code, s in schools.items() if code in unvalidated]
    prev, others = context_values(spec, needs_rules, period) if needs_rules else ({}, {})
    claimed = {} if claimed is None else claimed
    prepared: dict[str, list[PreparedRecord]] = {}
    for item in parsed:
        records: list[PreparedRecord] = []
        for record in item.records:
            school = schools.get(record.school_code)
            sheet, cell = record.sheet or None, record.school_code_cell or None
            if school is None:
                item.fail("unknown_school", _("The school identification code %(code)s does not exist or is outside "
                                              "your area.") % {"code": record.school_code}, value=record.school_code,
                          sheet=sheet, cell=cell)
                continue
            if not school.is_active:
                item.fail("inactive_school", _("School %(code)s is closed (inactive).") % {"code": school.code},
                          value=school.code, sheet=sheet, cell=cell)
                continue
            if not spec.applies_to(school.category, school.county_id):
                item.fail("not_assigned", _("The form “%(form)s” is not assigned to %(school)s (category %(category)s).")
                          % {"form": spec.name, "school": school.name, "category": school.category},
                          value=school.code, sheet=sheet, cell=cell)
                continue
            if school.pk in locked:
                item.fail("locked", _("The %(period)s submission of %(school)s has already been approved and is locked; "
                                      "ask the reviewing authority to reopen it.")
                          % {"period": period, "school": school.name}, value=school.code, sheet=sheet, cell=cell)
                continue
            if record.school_code in claimed and claimed[record.school_code] != item.path:
                item.fail("duplicate_school", _("School %(code)s is also in %(other)s; upload each school once.")
                          % {"code": school.code, "other": claimed[record.school_code]}, value=school.code,
                          sheet=sheet, cell=cell)
                continue
            claimed[record.school_code] = item.path
            issues = record.issues
            if issues is None:
                issues = [i.as_dict() for i in validate(spec, record.values, prev=prev.get(school.pk),
                                                        others=others.get(school.pk, {}))]
            for issue in issues:
                item.fail(issue["rule"], issue["message"], sheet=record.sheet or None,
                          cell=record.cells.get(issue["field"]), field_code=issue["field"] or None,
                          value=issue["value"], severity=issue["severity"])
            records.append(PreparedRecord(school=school, values=record.values, explanations=record.explanations,
                                          issues=issues, checksum=item.checksum, source=source))
        if not item.rejected:
            prepared[item.path] = records
    accepted = [r for records in prepared.values() for r in records]
    try:
        store_records(version, period, accepted, acting_user=acting_user, submit_clean=submit_clean)
    except (ValidationError, PermissionDenied) as exc:
        for path in prepared:
            item = next(p for p in parsed if p.path == path)
            item.fail("store_failed", " ".join(getattr(exc, "messages", [str(exc)])))
        prepared = {}
    report = ImportReport()
    for item in parsed:
        status = "accepted" if item.path in prepared and not item.rejected else "rejected"
        report.files.append({"path": item.path, "school_code": item.school_code, "status": status,
                             "errors": item.errors})
        if item.errors and item.grid:
            report.grids[item.path] = (item.sheet, item.grid)
    return report


_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


def _cell_key(cell: str | None) -> tuple[int, int, str]:
    """Sort key of an A1 reference: row first, then column (B2 before A10); a file-wide problem comes first."""
    match = _CELL_REF.match(cell or "")
    if match is None:
        return (0, 0, cell or "")
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return (int(match.group(2)), column, "")


def errors_by_cell(files: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The upload page's error list: per file, sorted by sheet, row and cell, one line per cell (several
    rules failing on one cell are joined), so that a school fixes each cell once. The JSON report and the
    error workbook keep every problem as it was found (the CLI contract)."""
    lines: list[dict[str, Any]] = []
    for item in files:
        by_cell: dict[tuple[str, str], dict[str, Any]] = {}
        for error in item["errors"]:
            key = (error.get("sheet") or "", error.get("cell") or "")
            if not key[1]:
                key = (key[0], f"#{len(by_cell)}")  # file-wide problems are never merged with each other
            line = by_cell.get(key)
            if line is None:
                by_cell[key] = {**error, "messages": [error["message"]]}
            else:
                if error["message"] not in line["messages"]:
                    line["messages"].append(error["message"])
                if error.get("severity") == "error":
                    line["severity"] = "error"
        ordered = sorted(by_cell.values(), key=lambda e: (e.get("sheet") or "", _cell_key(e.get("cell"))))
        if not ordered:
            lines.append({"file": item, "error": None})
        lines.extend({"file": item, "error": {**e, "message": "；".join(e["messages"])}} for e in ordered)
    return lines
