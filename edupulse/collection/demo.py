"""Demo submissions: a realistic period of the annual survey for the schools already in the database.

Values follow school category and urban/rural location (city schools mostly have gigabit access,
village schools 100–300 Mbps, a few none). About 7% of schools have not reported, about 3% have a
blocking error and stay drafts, about 4% were returned by the county with a comment, and the rest are
at different review levels. The previous period is created as approved data so that year-on-year
warnings have something to compare with.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from edupulse.collection import actions
from edupulse.collection.actions import PreparedRecord
from edupulse.collection.completeness import deadline, expected_schools
from edupulse.collection.definitions import FormSpec, previous_period
from edupulse.collection.models import Submission
from edupulse.collection.models.submission import SubmissionStatus
from edupulse.collection.registry import current_version, spec_for
from edupulse.collection.validation import validate
from edupulse.core import audit
from edupulse.core.actions import action
from edupulse.core.actors import SYSTEM
from edupulse.orgs.models import School

DEMO_FORM = "edu_informatization_annual"
SIZE = {"21": (150, 2500), "31": (300, 2200), "34": (800, 3500), "36": (500, 4000), "51": (40, 300)}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"


@dataclass(frozen=True)
class DemoResult:
    period: str
    expected: int
    stored: int
    missing: int
    drafts_with_errors: int
    returned: int
    approved: int


def realistic_values(school: School, rng: random.Random, scale: float = 1.0) -> dict[str, Any]:
    """One school's plausible survey values."""
    rural = school.urban_rural.startswith("2")
    low, high = SIZE.get(school.category, (200, 1500))
    students = int(rng.randint(low, high) * (0.55 if rural else 1.0) * scale)
    junior_plus = 0 if school.category == "21" else (int(students * 0.4) if school.category == "51" else students)
    teachers = max(3, int(students / rng.uniform(11, 19)))
    connected = not (rural and rng.random() < 0.03)
    if not connected:
        bandwidth = 0.0
    elif rural:
        bandwidth = float(rng.choice([50, 100, 100, 200, 300, 500, 1000]))
    else:
        bandwidth = float(rng.choice([300, 500, 1000, 1000, 1000, 2000]))
    classrooms = max(3, students // rng.randint(38, 48))
    multimedia = min(classrooms, int(classrooms * rng.uniform(0.6 if rural else 0.8, 1.0)))
    websites = rng.choice([0, 1, 1, 1, 2, 3]) if not rural else rng.choice([0, 0, 1])
    systems = rng.randint(0, 5)
    cio = rng.random() < (0.75 if rural else 0.9)
    return {
        "students_total": students, "students_junior_plus": junior_plus, "teachers_total": teachers,
        "internet_access": connected, "access_type": ("01" if rng.random() < 0.9 else "02") if connected else "09",
        "internet_bandwidth_mbps": bandwidth,
        "classroom_bandwidth_mbps": min(bandwidth, float(rng.choice([10, 50, 100, 100, 100]))) if connected else 0.0,
        "edu_network_connected": connected and rng.random() < 0.8,
        "wireless_coverage_pct": round(rng.uniform(40, 100), 1) if connected else 0.0,
        "ordinary_classrooms": classrooms, "multimedia_classrooms": multimedia,
        "teacher_terminals": int(teachers * rng.uniform(0.9, 1.3)), "student_terminals": int(students * rng.uniform(0.03, 0.2)),
        "teacher_space_accounts": int(teachers * rng.uniform(0.8, 1.0)),
        "student_space_accounts": int(junior_plus * rng.uniform(0.4, 0.9)),
        "teachers_trained_20": int(teachers * rng.uniform(0.9, 1.0)),
        "cio_appointed": cio, "cio_appointed_date": f"20{rng.randint(18, 22)}-09-01" if cio else None,
        "spending_total": round(rng.uniform(3, 60 if rural else 250) * scale, 2),
        "websites": websites, "websites_ipv6": min(websites, rng.randint(0, websites)),
        "systems": systems, "systems_djbh_filed": rng.randint(0, systems),
        "reporter_name": f"{rng.choice(SURNAMES)}老师", "reporter_phone": f"1{rng.randint(3, 9)}{rng.randint(0, 10**9 - 1):09d}",
    }


def _break(values: dict[str, Any], rng: random.Random) -> None:
    """Introduce one of the mistakes schools really make."""
    kind = rng.choice(["multimedia", "ipv6", "space", "bandwidth"])
    if kind == "multimedia":
        values["multimedia_classrooms"] = values["ordinary_classrooms"] + rng.randint(1, 10)
    elif kind == "ipv6":
        values["websites_ipv6"] = values["websites"] + 1
    elif kind == "space":
        values["teacher_space_accounts"] = values["teachers_total"] + rng.randint(1, 20)
    else:
        values["internet_access"], values["internet_bandwidth_mbps"] = True, 0.0


@action
def load_demo_submissions(province_code: str, period: str, seed: int = 2022, *, acting_user: Any = SYSTEM) -> DemoResult:
    """Create the previous period (approved) and ``period`` (mixed states) for the province's schools."""
    version = current_version(DEMO_FORM)
    spec = spec_for(version)
    rng = random.Random(seed)
    schools = list(expected_schools(spec, SYSTEM).filter(province_id=province_code).order_by("code"))
    previous = previous_period(spec.period_type, period) or period
    old = Submission.objects.filter(form=version.form, period__in=[period, previous],
                                    school__province_id=province_code)
    count = old.count()
    if count:
        old.delete()
        audit.record("collection.submission.demo_reset", None, acting_user=acting_user,
                     object_type="collection.submission", object_repr=f"{province_code} {previous}-{period}",
                     after={"deleted": count})
    base = {s.pk: realistic_values(s, rng, scale=0.93) for s in schools}
    _store(spec, version, previous, [(s, base[s.pk], {}) for s in schools], SubmissionStatus.PROVINCE_APPROVED)
    missing = errors = returned = approved = 0
    current: list[tuple[School, dict[str, Any], dict[str, str]]] = []
    for school in schools:
        roll = rng.random()
        if roll < 0.07:
            missing += 1
            continue
        values = {k: (int(v * rng.uniform(1.0, 1.12)) if isinstance(v, int) and not isinstance(v, bool) else v)
                  for k, v in base[school.pk].items()}
        values["students_junior_plus"] = min(values["students_junior_plus"], values["students_total"])
        values["student_space_accounts"] = min(values["student_space_accounts"], values["students_junior_plus"])
        values["teacher_space_accounts"] = min(values["teacher_space_accounts"], values["teachers_total"])
        values["teachers_trained_20"] = min(values["teachers_trained_20"], values["teachers_total"])
        values["multimedia_classrooms"] = min(values["multimedia_classrooms"], values["ordinary_classrooms"])
        notes: dict[str, str] = {}
        if rng.random() < 0.04:  # a big year-on-year jump, explained in two cases out of three
            values["spending_total"] = round(values["spending_total"] * rng.uniform(1.8, 3.0), 2)
            if rng.random() < 0.67:
                notes["spending_total"] = "本年度实施智慧校园建设项目，经费大幅增加"
        if roll < 0.10:
            _break(values, rng)
            errors += 1
        current.append((school, values, notes))
    statuses = _store(spec, version, period, current, None)
    by_status: dict[str, list[Submission]] = {}
    stored = list(Submission.objects.filter(form=version.form, period=period, school_id__in=list(statuses)))
    cutoff = deadline(spec, period)
    for submission in stored:
        if submission.status != SubmissionStatus.SUBMITTED:
            continue
        submission.submitted_at = cutoff - dt.timedelta(days=rng.randint(1, 40)) if rng.random() < 0.88 \
            else cutoff + dt.timedelta(days=rng.randint(1, 20))
        roll = rng.random()
        if roll < 0.045:
            submission.status = SubmissionStatus.RETURNED
            submission.review_comment = rng.choice(["学生终端数与上年差异较大，请核实", "请补充填写CIO任命日期",
                                                    "出口带宽与运营商合同不符，请核实后重报"])
            returned += 1
        elif roll < 0.55:
            submission.status = rng.choice([SubmissionStatus.COUNTY_APPROVED, SubmissionStatus.COUNTY_APPROVED,
                                             SubmissionStatus.PREFECTURE_APPROVED, SubmissionStatus.PROVINCE_APPROVED])
            approved += 1
        by_status.setdefault(submission.status, []).append(submission)
    changed = [s for group in by_status.values() for s in group]
    Submission.objects.bulk_update(changed, ["status", "review_comment", "submitted_at"], batch_size=1000)
    audit.record_many("collection.submission.demo_review", list[Any](changed), acting_user=acting_user)
    return DemoResult(period, len(schools), len(current), missing, errors, returned, approved)


def _store(spec: FormSpec, version: Any, period: str, items: list[tuple[School, dict[str, Any], dict[str, str]]],
           final_status: str | None) -> dict[int, str]:
    prev_values = {s.pk: v for s, v, _n in items} if final_status else {}
    records = []
    previous = dict(Submission.objects.filter(form=version.form, period=previous_period(spec.period_type, period) or "")
                    .values_list("school_id", "values"))
    for school, values, notes in items:
        issues = validate(spec, values, prev=previous.get(school.pk))
        records.append(PreparedRecord(school=school, values=values, explanations=notes,
                                      issues=[i.as_dict() for i in issues], checksum="", source="demo"))
    result = actions.store_records(version, period, records, acting_user=SYSTEM)
    if final_status and prev_values:
        stamp = deadline(spec, period) - dt.timedelta(days=10)
        Submission.objects.filter(form=version.form, period=period, school_id__in=list(prev_values)).update(
            status=final_status, submitted_at=stamp, updated_at=timezone.now())
    return result
