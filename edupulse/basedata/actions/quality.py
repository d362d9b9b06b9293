"""Storing a batch's quality scores (one row per group), audited with one summary row."""

from __future__ import annotations

from typing import Any

from edupulse.basedata.models import ImportBatch, QualityLevel, QualityScore
from edupulse.core import audit
from edupulse.core.actions import action
from edupulse.core.actors import Actor
from edupulse.core.permissions import require
from edupulse.orgs.models import School

# The report's lists (``quality.quality_report``) and the level of their groups.
REPORT_LEVELS = (("counties", QualityLevel.COUNTY), ("prefectures", QualityLevel.PREFECTURE),
                 ("provinces", QualityLevel.PROVINCE))


@action
def record_quality(batch: ImportBatch, report: dict[str, Any], *, acting_user: Actor) -> int:
    """Store the scores of ``report`` (``quality.quality_report``) for ``batch``: the whole batch, each
    school of the register, each county, prefecture and province. Does nothing when the batch already has
    scores (a backfill run twice, an import retried), so it is safe to repeat. Returns the rows written."""
    region = batch.county_code or batch.prefecture_code or batch.province_code
    require(acting_user, "add", QualityScore(batch=batch, **QualityScore.placement_fields(region)))
    if QualityScore.objects.filter(batch=batch).exists():
        return 0
    scores = [_row(batch, QualityLevel.BATCH, "", report["overall"], region)]
    scores += _school_rows(batch, report["schools"])
    for name, level in REPORT_LEVELS:
        scores += [_row(batch, level, entry["key"], entry, entry["key"]) for entry in report[name]]
    QualityScore.objects.bulk_create(scores, batch_size=2000)
    audit.record("basedata.qualityscore.create", batch, acting_user=acting_user,
                 after={"scores": len(scores), "score": report["overall"]["score"], "rows": report["overall"]["rows"]})
    return len(scores)


def _school_rows(batch: ImportBatch, schools: list[dict[str, Any]]) -> list[QualityScore]:
    """One row per school of the register (placed at the school, in its county); unknown codes are left out."""
    known = {code: (pk, county) for code, pk, county in
             School.objects.filter(code__in=[s["key"] for s in schools]).values_list("code", "pk", "county_id")}
    rows = []
    for entry in schools:
        if entry["key"] in known:
            pk, county = known[entry["key"]]
            row = _row(batch, QualityLevel.SCHOOL, entry["key"], entry, county)
            row.school_id = pk
            rows.append(row)
    return rows


def _row(batch: ImportBatch, level: str, key: str, entry: dict[str, Any], region: str) -> QualityScore:
    """One stored score, placed in ``region`` (the group's region, or the batch's for the whole batch)."""
    return QualityScore(batch=batch, kind=batch.kind, source=batch.source, level=level, key=key, rows=entry["rows"],
                        schools=entry.get("schools", 0), completeness=entry["completeness"],
                        validity=entry["validity"], uniqueness=entry["uniqueness"],
                        consistency=entry["consistency"], score=entry["score"],
                        **QualityScore.placement_fields(region))
