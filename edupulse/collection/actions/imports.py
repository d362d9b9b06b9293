"""Storing the accepted records of an import in bulk (one audit row each)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.collection.actions.submissions import count_issues, freeze_version
from edupulse.collection.models import Form, FormVersion, Submission
from edupulse.collection.models.submission import EDITABLE, SubmissionStatus
from edupulse.collection.validation import blocking
from edupulse.core import audit
from edupulse.core.actions import action
from edupulse.core.actors import Actor
from edupulse.core.permissions import can
from edupulse.indicators.refresh import request_recompute
from edupulse.orgs.models import School


@dataclass
class PreparedRecord:
    """One school's record after parsing and validation, ready to store."""

    school: School
    values: dict[str, Any]
    explanations: dict[str, str]
    issues: list[dict[str, Any]]
    checksum: str
    source: str


@action
def store_records(version: FormVersion, period: str, records: Sequence[PreparedRecord], *,
                  acting_user: Actor, submit_clean: bool = True) -> dict[int, str]:
    """Create or replace submissions in bulk; returns school id → resulting status.

    Callers have checked scope, assignment and that no existing submission is locked. A record with no
    errors and every warning explained is submitted at once when ``submit_clean``; otherwise it stays
    a draft the school can fix online.
    """
    if not records:
        return {}
    now = timezone.now()
    existing = {s.school_id: s for s in Submission.objects.select_for_update().filter(
        form_id=version.form_id, period=period, school_id__in=[r.school.pk for r in records])}
    to_create: list[Submission] = []
    to_update: list[Submission] = []
    result: dict[int, str] = {}
    for record in records:
        current = existing.get(record.school.pk)
        if current is not None and current.status not in EDITABLE and current.status != SubmissionStatus.SUBMITTED:
            raise ValidationError(_("School %(code)s: the submission is locked.") % {"code": record.school.code})
        if (current is not None and current.values == record.values and current.explanations == record.explanations
                and current.version_id == version.pk):
            result[record.school.pk] = current.status  # idempotent re-import: nothing to write
            continue
        clean = not blocking(record.issues, {**{i["field"]: record.explanations.get("*", "") for i in record.issues},
                                             **record.explanations})
        status = SubmissionStatus.SUBMITTED if submit_clean and clean else SubmissionStatus.DRAFT
        target = current or Submission(form_id=version.form_id, school=record.school, period=period)
        if current is None and not can(acting_user, "add", target):
            raise PermissionDenied(_("You may not add submissions for school %(code)s.") % {"code": record.school.code})
        target.version = version
        target.values, target.explanations, target.issues = record.values, record.explanations, record.issues
        target.status, target.source, target.file_checksum = status, record.source, record.checksum
        target.updated_at = now
        if status == SubmissionStatus.SUBMITTED and target.submitted_at is None:
            target.submitted_at = now
        count_issues(target)
        (to_update if current is not None else to_create).append(target)
        result[record.school.pk] = status
    if to_create:
        created = Submission.objects.bulk_create(to_create, batch_size=1000)
        if not all(s.pk for s in created):
            by_school = dict(Submission.objects.filter(form_id=version.form_id, period=period,
                                                       school_id__in=[s.school_id for s in created])
                             .values_list("school_id", "pk"))
            for s in created:
                s.pk = by_school[s.school_id]
        audit.record_many("collection.submission.import", list(created), acting_user=acting_user)
    if to_update:
        Submission.objects.bulk_update(
            to_update, ["version", "values", "explanations", "issues", "status", "source", "file_checksum",
                        "updated_at", "submitted_at", "error_count", "warning_count"], batch_size=1000)
        audit.record_many("collection.submission.reimport", list(to_update), acting_user=acting_user)
    if to_create or to_update:
        freeze_version(version, acting_user)
        request_recompute([period])
    return result


def locked_schools(form: Form, period: str, school_ids: Sequence[int]) -> set[int]:
    """Schools whose submission has been approved at some level (imports may not touch them)."""
    return set(Submission.objects.filter(form=form, period=period, school_id__in=school_ids)
               .filter(~Q(status__in=[*EDITABLE, SubmissionStatus.SUBMITTED])).values_list("school_id", flat=True))
