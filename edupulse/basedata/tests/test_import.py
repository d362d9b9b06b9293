"""Importing a file as a batch: clean and rejected rows, provenance, idempotence, atomicity, the command."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from edupulse.basedata.importing import common_region, import_file
from edupulse.basedata.models import ImportBatch, QualityScore
from edupulse.basedata.pseudonyms import pseudonym
from edupulse.basedata.store import PseudonymKeyChangedError
from edupulse.basedata.tests import helpers
from edupulse.basedata.tests.helpers import ACTIVE, EXPECTED, ID1, INACTIVE, ROWS, TODAY
from edupulse.core.actors import SYSTEM
from edupulse.core.models import AuditLog
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


class BoomError(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def register() -> Any:
    with translation.override("zh-hans"):
        make_school(code=ACTIVE)
        make_school(code=INACTIVE, is_active=False)
        yield


def rows_in(store: Path, table: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(store), read_only=True) as connection:
        return connection.execute(f'SELECT * FROM "{table}" ORDER BY "row"').fetchall()


def run_import(path: Path, store: Path, **kwargs: Any) -> Any:
    return import_file(path, "student", "xueji", acting_user=SYSTEM, today=TODAY, store_path=store, **kwargs)


def test_import_keeps_clean_and_rejected_rows_apart(tmp_path: Path) -> None:
    store = tmp_path / "basedata.duckdb"
    outcome = run_import(helpers.write_csv(tmp_path / "students.csv"), store)
    batch = outcome.batch
    assert outcome.created
    rejected_rows = sorted({row for row, rule, _field in EXPECTED if rule != "age_grade"})
    assert (batch.rows_total, batch.rows_rejected, batch.rows_clean) == (len(ROWS), len(rejected_rows),
                                                                         len(ROWS) - len(rejected_rows))
    assert [r[1] for r in rows_in(store, "student_rejected")] == rejected_rows
    clean = [r[1] for r in rows_in(store, "student")]
    assert 10 in clean and not set(clean) & set(rejected_rows)  # age_grade is a warning: the row stays clean
    issues = rows_in(store, "student_issue")
    assert [(r[1], r[2], r[3]) for r in issues] == EXPECTED
    assert all(r[0] == batch.key for r in issues)
    # Nothing stored names a raw ID number in an issue.
    assert not any(ID1 in f"{r[4]}{r[5]}" for r in issues)
    assert batch.issue_counts["duplicate_person"] == 1 and batch.file_format == "csv"
    # Provenance: the region holding its schools, the importer and an audit row.
    assert (batch.county_code, batch.importer_name) == ("510107", "system")
    assert AuditLog.objects.filter(action="basedata.importbatch.create", object_id=str(batch.pk)).count() == 1


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "basedata.duckdb"
    path = helpers.write_csv(tmp_path / "students.csv")
    first = run_import(path, store)
    audit_rows = AuditLog.objects.count()
    stored = {table: rows_in(store, table) for table in ("student", "student_rejected", "student_issue")}
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(path.read_bytes())
    again = run_import(copy, store)
    assert not again.created and again.batch.pk == first.batch.pk
    assert ImportBatch.objects.count() == 1 and AuditLog.objects.count() == audit_rows
    assert len(rows_in(store, "student")) + len(rows_in(store, "student_rejected")) == len(ROWS)
    # Not a value changed, pseudonyms included.
    assert {table: rows_in(store, table) for table in stored} == stored
    # Another source system delivering the same bytes is a batch of its own.
    other = import_file(path, "student", "zizhu", acting_user=SYSTEM, today=TODAY, store_path=store)
    assert other.created and ImportBatch.objects.count() == 2


def test_a_failure_midway_leaves_no_batch_and_no_rows(tmp_path: Path) -> None:
    store = tmp_path / "basedata.duckdb"
    path = helpers.write_csv(tmp_path / "students.csv")

    def fail() -> None:
        assert ImportBatch.objects.count() == 1  # the batch row exists inside the transaction …
        raise BoomError

    with pytest.raises(BoomError):
        run_import(path, store, before_commit=fail)
    assert ImportBatch.objects.count() == 0  # … and is gone with the store's rows
    assert not AuditLog.objects.filter(action="basedata.importbatch.create").exists()
    for table in ("student", "student_rejected", "student_issue"):
        assert rows_in(store, table) == []
    # The same file imports normally afterwards.
    assert run_import(path, store).created


def test_a_bad_file_imports_nothing(tmp_path: Path) -> None:
    store = tmp_path / "basedata.duckdb"
    path = tmp_path / "bad.csv"
    path.write_bytes(",".join(helpers.HEADER).encode() + b"\n" + ",".join(helpers.student(1)).encode() + b"\n\xff\xfe\x80\n")
    with pytest.raises(Exception, match="编码"):
        run_import(path, store)
    assert ImportBatch.objects.count() == 0


def test_common_region() -> None:
    assert common_region(["510107"]) == "510107"
    assert common_region(["510107", "510104"]) == "5101"
    assert common_region(["510107", "511002"]) == "51"
    assert common_region(["510107", "440305"]) == ""
    assert common_region([]) == ""


def test_import_command_json(tmp_path: Path, settings: Any) -> None:
    settings.BASEDATA_DUCKDB_PATH = tmp_path / "basedata.duckdb"
    path = helpers.write_parquet(tmp_path / "students.parquet",
                                 [helpers.student(1, id_number=ID1), helpers.student(2, id_number=ID1)])
    outputs = []
    for _attempt in range(2):
        out = io.StringIO()
        call_command("basedata", "import", str(path), "--kind", "student", "--source", "xueji", "--json", stdout=out)
        outputs.append(json.loads(out.getvalue()))
    first, second = outputs
    assert set(first) == {"batch", "created", "kind", "source", "file_sha256", "rows", "clean", "rejected", "counts",
                          "region", "imported_at", "importer"}
    assert (first["created"], second["created"], second["batch"]) == (True, False, first["batch"])
    assert (first["rows"], first["clean"], first["rejected"]) == (2, 1, 1)
    assert first["counts"]["duplicate_person"] == 1 and first["region"] == "510107"


def test_demo_command_writes_files_and_imports(tmp_path: Path, settings: Any) -> None:
    settings.BASEDATA_DUCKDB_PATH = tmp_path / "basedata.duckdb"
    out = io.StringIO()
    call_command("basedata", "demo", "--students", "300", "--teachers", "20", "--out", str(tmp_path / "demo"),
                 "--import", stdout=out)
    written = {Path(line).name for line in out.getvalue().splitlines() if line.startswith(str(tmp_path))}
    assert written == {"students.csv", "students_injected.csv", "teachers.csv", "teachers_injected.csv",
                       "students_earlier_1.csv", "students_earlier_2.csv"}
    # The earlier, dirtier exports first, then students.csv: three batches whose quality improves.
    batches = list(ImportBatch.objects.filter(kind="student").order_by("created_at", "id"))
    assert [b.file_name for b in batches] == ["students_earlier_1.csv", "students_earlier_2.csv", "students.csv"]
    teachers = ImportBatch.objects.get(kind="teacher")  # the teachers too, so the 2.0 indicator has data
    assert (teachers.file_name, teachers.source, teachers.rows_total) == ("teachers.csv", "jiaoshi", 20)
    assert all(b.rows_total == 300 and b.source == "xueji" for b in batches)
    assert batches[0].rows_rejected > batches[2].rows_rejected
    scores = [QualityScore.objects.get(batch=b, level="batch").score for b in batches]
    assert scores == sorted(scores) and scores[0] < scores[-1]  # the trend the demo shows goes up


def test_every_stored_row_carries_its_pseudonym(tmp_path: Path) -> None:
    """The pseudonym the import stored is the Python HMAC of the row's (ID type, ID number), for clean and rejected
    rows alike; a row without an ID number names nobody (NULL, not the pseudonym of an empty number)."""
    store = tmp_path / "basedata.duckdb"
    rows = [*ROWS, helpers.student(21, id_number=""), helpers.student(22, id_type=" ", id_number=" e12345678 ")]
    run_import(helpers.write_csv(tmp_path / "students.csv", rows), store)
    with duckdb.connect(str(store), read_only=True) as connection:
        stored = connection.execute('SELECT "row", id_type, id_number, pseudonym FROM student UNION ALL '
                                    'SELECT "row", id_type, id_number, pseudonym FROM student_rejected').fetchall()
    assert sorted(row for row, *_rest in stored) == list(range(1, len(rows) + 1))
    for row, id_type, id_number, stored_pseudonym in stored:
        named = (id_type or "").strip() and (id_number or "").strip()
        assert stored_pseudonym == (pseudonym(id_type, id_number) if named else None), row
    assert {row: p for row, _t, _n, p in stored}[1] == pseudonym("1", ID1)
    assert {row for row, _t, _n, p in stored if p is None} == {21, 22}


def test_an_import_under_a_changed_key_is_refused(tmp_path: Path, settings: Any) -> None:
    settings.BASEDATA_DUCKDB_PATH = tmp_path / "basedata.duckdb"
    call_command("basedata", "import", str(helpers.write_csv(tmp_path / "first.csv")), "--source", "xueji",
                 stdout=io.StringIO())
    before = rows_in(settings.BASEDATA_DUCKDB_PATH, "student")
    settings.PSEUDONYM_KEY = "a rotated key"
    second = helpers.write_csv(tmp_path / "second.csv", [helpers.student(30)])
    with pytest.raises(PseudonymKeyChangedError):  # pseudonyms under two keys in one store would never match
        run_import(second, settings.BASEDATA_DUCKDB_PATH)
    with pytest.raises(CommandError, match=r"密钥.*edupulse basedata rekey"):
        call_command("basedata", "import", str(second), "--source", "xueji", stdout=io.StringIO())
    assert ImportBatch.objects.count() == 1 and rows_in(settings.BASEDATA_DUCKDB_PATH, "student") == before
    # After the rekey the store is the new key's, and imports again.
    call_command("basedata", "rekey", stdout=io.StringIO())
    assert run_import(second, settings.BASEDATA_DUCKDB_PATH).created


def test_ragged_rows_are_stored_as_issues_and_counted_as_rejected(tmp_path: Path) -> None:
    """A row with the wrong number of cells is not checked; it is stored as a ``ragged_row`` issue (all of them in
    one insert) and counted among the rejected rows, next to the checked rows' issues."""
    store = tmp_path / "basedata.duckdb"
    rows = [*ROWS, helpers.student(21)[:5], [*helpers.student(22), "extra"], helpers.student(23)]
    batch = run_import(helpers.write_csv(tmp_path / "students.csv", rows), store).batch
    ragged = [(row, rule) for _key, row, rule, *_rest in rows_in(store, "student_issue") if rule == "ragged_row"]
    assert sorted(ragged) == [(21, "ragged_row"), (22, "ragged_row")]
    assert batch.issue_counts["ragged_row"] == 2
    assert batch.rows_total == len(rows) and batch.rows_clean + batch.rows_rejected == len(rows)
    assert 23 in {row for _key, row, *_rest in rows_in(store, "student")}  # the row after them is read as usual
