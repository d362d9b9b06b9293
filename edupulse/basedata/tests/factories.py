"""Factories for the generic scope test: "app.Model" -> function(school) -> instance built through actions."""

from __future__ import annotations

import csv
import datetime
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edupulse.basedata.actions import (
    BatchFacts,
    QueuedPair,
    approve_share_request,
    record_dedupe,
    record_import,
    record_quality,
    submit_share_request,
)
from edupulse.basedata.importing import import_file
from edupulse.basedata.models import ImportBatch, MatchReview, QualityScore, ShareRequest
from edupulse.basedata.pseudonyms import pseudonym
from edupulse.basedata.tests.helpers import TODAY, ric_id, student, write_csv
from edupulse.core.actions import run_as_system
from edupulse.core.actors import SYSTEM
from edupulse.core.regions import RegionCode


def make_batch(school: Any) -> ImportBatch:
    """A batch of one school's students placed in its county (the store part is not needed here)."""
    key = uuid.uuid4().hex
    facts = BatchFacts(key=key, kind="student", source="xueji", file_name=f"{school.code}.csv",
                       file_sha256=hashlib.sha256(key.encode()).hexdigest(), file_format="csv", rows_total=1,
                       rows_clean=1, rows_rejected=0, issue_counts={}, region_code=school.county_id)
    batch: ImportBatch = run_as_system(record_import, facts, commit_store=lambda: None)
    return batch


SCOPED_FACTORIES: dict[str, Callable[[Any], Any]] = {
    "basedata.ImportBatch": make_batch,
}


@dataclass(frozen=True)
class StoreRecord:
    """A person in the base-data store, as the scope matrix tries it: keyed by pseudonym (not a Django row)."""

    pseudonym: str
    pk: None = None


TEACHER_HEADER = ["teacher_no", "id_type", "id_number", "name", "gender", "birth_date", "school_code", "post",
                  "qualification", "training_online_hours", "training_practice_hours", "training_completed"]


def make_store_records(schools: dict[str, Any], directory: Path) -> dict[str, tuple[StoreRecord, StoreRecord]]:
    """One student and one teacher per school, imported into the store of the settings (a batch per kind);
    returns name → (student, teacher)."""
    students, teachers, made = [], [], {}
    for index, (name, school) in enumerate(schools.items(), start=1):
        student_id = ric_id("110101", "20120305", f"{index * 2 + 1:03d}")
        teacher_id = ric_id("110101", "19850312", f"{index * 2 + 1:03d}")
        students.append(student(index, id_number=student_id, school_code=school.code))
        teachers.append([f"T{index:06d}", "1", teacher_id, f"教师{index}", "1", "1985-03-12", school.code, "1", "20",
                         "25", "25", "1"])
        made[name] = (StoreRecord(pseudonym("1", student_id)), StoreRecord(pseudonym("1", teacher_id)))
    import_file(write_csv(directory / "students.csv", students), "student", "xueji", acting_user=SYSTEM, today=TODAY)
    teacher_file = directory / "teachers.csv"
    with teacher_file.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([TEACHER_HEADER, *teachers])
    import_file(teacher_file, "teacher", "jiaoshi", acting_user=SYSTEM, today=TODAY)
    return made


def make_review(school: Any) -> MatchReview:
    """A pending pair of two rows of a batch of the school (the store rows are not needed to scope it)."""
    batch = make_batch(school)
    pair = QueuedPair(batch.pk, 1, batch.pk, 2, 0.8, school.pk)
    run_as_system(record_dedupe, uuid.uuid4().hex, "student", [pair], {}, commit_store=lambda: None)
    return MatchReview.objects.get(left_batch=batch)


SCOPED_FACTORIES["basedata.MatchReview"] = make_review


def make_share_request(school: Any) -> ShareRequest:
    """An approved request of the school's county for non-sensitive fields, expiring in a month."""
    request = run_as_system(submit_share_request, requesting_unit="区教育局", purpose="统计分析", kind="student",
                            fields=["gender", "grade", "school_code"], region=school.county_id,
                            expires_on=datetime.date.today() + datetime.timedelta(days=30))
    approved: ShareRequest = run_as_system(approve_share_request, request)
    return approved


SCOPED_FACTORIES["basedata.ShareRequest"] = make_share_request


def make_quality_score(school: Any) -> QualityScore:
    """The stored scores of a one-school batch (the school, its county, prefecture and province, the batch);
    returns the school's score, placed at the school."""
    batch = make_batch(school)
    county = RegionCode.parse(school.county_id)
    entry = {"rows": 10, "schools": 1, "completeness": 0.99, "validity": 0.9, "uniqueness": 1.0, "consistency": 1.0,
             "score": 97.25}
    report = {"overall": {**entry, "key": "batch"}, "schools": [{**entry, "key": school.code}],
              "counties": [{**entry, "key": county.code}], "prefectures": [{**entry, "key": county.at("prefecture").code}],
              "provinces": [{**entry, "key": county.province.code}]}
    run_as_system(record_quality, batch, report)
    return QualityScore.objects.get(batch=batch, level="school")


SCOPED_FACTORIES["basedata.QualityScore"] = make_quality_score
