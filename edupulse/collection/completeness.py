"""Completeness: reporting rate and on-time rate per region, and the schools that have not reported.

*Expected* schools are the active schools the form is assigned to (by category and region) inside the
viewer's scope. A school has *reported* when its submission is submitted or approved at any level; it has
*not reported* otherwise — no record, a draft, or a submission returned for correction (:func:`not_reported`
counts the three apart; the pages and ``edupulse collect`` use this one definition). It reported *on time*
when it was first submitted no later than ``deadline_days`` after the period ended.
Every rate is given with the counts behind it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.collection.definitions import FormSpec, period_bounds
from edupulse.collection.models import Submission
from edupulse.collection.models.submission import REPORTED, SubmissionStatus
from edupulse.core.actors import Actor
from edupulse.core.regions import LEVELS, RegionCode, level_field
from edupulse.orgs.models import Region, School

LEVEL_FIELD = {level: level_field(level) for level in LEVELS}


def deadline(spec: FormSpec, period: str) -> dt.datetime:
    """The end of the last day on which a submission counts as on time (local time)."""
    last = dt.date.fromisoformat(period_bounds(spec.period_type, period)[1]) + dt.timedelta(days=spec.deadline_days)
    return timezone.make_aware(dt.datetime.combine(last, dt.time(23, 59, 59)))


def expected_schools(spec: FormSpec, user: Actor) -> QuerySet[School]:
    schools = School.objects.visible_to(user)
    schools = schools.filter(is_active=True)
    if spec.categories:
        schools = schools.filter(category__in=spec.categories)
    if spec.regions:
        q = Q()
        for region in spec.regions:  # validated codes; every school's county_id begins with its ancestors'
            q |= Q(county_id__startswith=RegionCode.parse(region).code)
        schools = schools.filter(q)
    return schools


@dataclass(frozen=True)
class NotReported:
    """The expected schools that have not reported, by why: no record at all, a draft, or returned."""

    no_record: int
    draft: int
    returned: int

    @property
    def total(self) -> int:
        return self.no_record + self.draft + self.returned

    def sentence(self) -> str:
        """What the pages print above their counts: the figure, its three parts and the definition."""
        return _("Not reported: %(total)s schools (no record %(none)s · draft %(draft)s · returned %(returned)s). "
                 "A school has reported once its submission is submitted or approved at any level.") % {
            "total": self.total, "none": self.no_record, "draft": self.draft, "returned": self.returned}


def not_reported(spec: FormSpec, period: str, user: Actor, region: str = "") -> NotReported:
    schools = expected_schools(spec, user)
    if region:
        schools = schools.filter(**RegionCode.parse(region).lookup())
    statuses = list(Submission.objects.filter(form__code=spec.code, period=period, school__in=schools)
                    .values_list("status", flat=True))
    return NotReported(no_record=schools.count() - len(statuses),
                       draft=statuses.count(SubmissionStatus.DRAFT), returned=statuses.count(SubmissionStatus.RETURNED))


def missing_schools(spec: FormSpec, period: str, user: Actor, region: str = "") -> QuerySet[School]:
    """Expected schools that have not reported (no record, a draft or returned; see :class:`NotReported`)."""
    schools = expected_schools(spec, user)
    if region:
        schools = schools.filter(**RegionCode.parse(region).lookup())
    reported = Submission.objects.filter(form__code=spec.code, period=period, status__in=list(REPORTED))
    return schools.exclude(pk__in=reported.values("school_id")).select_related("county", "prefecture")


@dataclass(frozen=True)
class CompletenessRow:
    region_code: str
    region_name: str
    expected: int
    reported: int
    on_time: int

    @property
    def missing(self) -> int:
        return self.expected - self.reported

    @property
    def reporting_rate(self) -> float | None:
        return round(100 * self.reported / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None


def completeness(spec: FormSpec, period: str, user: Actor, *, level: str,
                 region: str = "") -> tuple[list[CompletenessRow], CompletenessRow]:
    """One row per region at ``level`` (within ``region`` when given) and a total row."""
    group = LEVEL_FIELD[level]
    schools = expected_schools(spec, user)
    if region:
        schools = schools.filter(**RegionCode.parse(region).lookup())
    expected: dict[str, int] = {}
    for code in schools.values_list(group, flat=True).iterator(chunk_size=5000):
        expected[code] = expected.get(code, 0) + 1
    cutoff = deadline(spec, period)
    reported: dict[str, int] = {}
    on_time: dict[str, int] = {}
    submissions = (Submission.objects.filter(form__code=spec.code, period=period, status__in=list(REPORTED),
                                             school__in=schools)
                   .values_list(f"school__{group}", "submitted_at"))
    for code, submitted_at in submissions.iterator(chunk_size=5000):
        reported[code] = reported.get(code, 0) + 1
        if submitted_at is not None and submitted_at <= cutoff:
            on_time[code] = on_time.get(code, 0) + 1
    names = dict(Region.objects.filter(code__in=list(expected)).values_list("code", "name"))
    rows = [CompletenessRow(code, names.get(code, code), expected[code], reported.get(code, 0), on_time.get(code, 0))
            for code in sorted(expected)]
    total = CompletenessRow("", "", sum(r.expected for r in rows), sum(r.reported for r in rows),
                            sum(r.on_time for r in rows))
    return rows, total
