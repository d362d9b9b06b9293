"""The 通报 → 整改 loop as actions (the re-probe that runs the probe first is ``monitoring.noticing``).

draft notice (officer picks findings) → issued (numbered ``{prefix}〔{year}〕{n}号``, n counted per
issuing authority, prefix and year) → each unit acknowledges its items → submits a rectification
report and evidence → the platform re-probes the check → verified and closed, or (past the deadline)
escalated to the authority above. Every step writes an audit row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.core import audit
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import SYSTEM, Actor, is_system
from edupulse.core.permissions import can, require
from edupulse.core.regions import RegionPlacement
from edupulse.monitoring import tasks
from edupulse.monitoring.actions.results import save_reports
from edupulse.monitoring.checks import CheckStatus
from edupulse.monitoring.models import Finding, Notice, NoticeItem
from edupulse.monitoring.models.notices import (
    ITEM_WORKFLOW,
    NOTICE_WORKFLOW,
    OPEN_ITEM_STATUSES,
    ItemStatus,
    NoticeStatus,
)
from edupulse.monitoring.models.results import FindingStatus
from edupulse.orgs.models import Region

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".docx", ".doc", ".zip", ".txt", ".xlsx")


def default_prefix(region: Region) -> str:
    """e.g. 武侯教网通 for 武侯区: the short region name + 教网通 (education cybersecurity notice)."""
    name = region.name
    for suffix in ("自治州", "自治县", "地区", "省", "市", "区", "县", "盟", "旗"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            name = name[: -len(suffix)]
            break
    return f"{name[:4]}教网通"


def _change(item_or_notice: NoticeItem | Notice, acting_user: Actor, verb: str, *, authorise: bool = True,
            **fields: object) -> None:
    """One step of the flow: authorise, change, validate, save and write one audit row named by ``verb``.
    ``authorise=False`` for consequences of a step already authorised (closing the notice when its last
    item is verified by the unit's re-probe)."""
    if authorise:
        require(acting_user, "change", item_or_notice)
    before = audit.snapshot(item_or_notice)
    for name, value in fields.items():
        setattr(item_or_notice, name, value)
    item_or_notice.full_clean()
    item_or_notice.save()
    label = f"{item_or_notice._meta.app_label}.{item_or_notice._meta.model_name}"
    audit.record(f"{label}.{verb}", item_or_notice, acting_user=acting_user, before=before,
                 after=audit.snapshot(item_or_notice))


def open_item_of(finding: Finding, *, besides: Notice | None = None) -> NoticeItem | None:
    """The item of an issued notice (other than ``besides``) still waiting for this finding's rectification, if
    any (a finding is notified once at a time)."""
    items = NoticeItem.objects.filter(finding=finding, notice__status=NoticeStatus.ISSUED,
                                      status__in=(*OPEN_ITEM_STATUSES, ItemStatus.ESCALATED))
    if besides is not None:
        items = items.exclude(notice=besides)
    return items.select_related("notice").first()


def _not_notifiable(finding: Finding, notice: Notice | None = None) -> str | None:
    """Why a finding cannot go into a notice: resolved, or already in another open notice (checked again on
    issue: a draft can wait while the finding is resolved or another officer notifies it). None if it can."""
    if finding.status != FindingStatus.OPEN:
        return _("Finding %(id)s is already resolved.") % {"id": finding.pk}
    pending = open_item_of(finding, besides=notice)
    if pending is not None:
        return _("Finding %(id)s is already in notice %(number)s, which is still open.") % {
            "id": finding.pk, "number": pending.notice.number}
    return None


@action
def create_notice(findings: Sequence[Finding], *, acting_user: Actor, region: Region, title: str,
                  deadline: date, body: str = "", number_prefix: str = "") -> Notice:
    """A draft notice from open findings the officer can see, one item per finding."""
    if not findings:
        raise ValidationError({"findings": _("Select at least one open finding.")})
    if deadline <= timezone.localdate():
        raise ValidationError({"deadline": _("The deadline must be in the future.")})
    notice = Notice(region=region, title=title, body=body, deadline=deadline, created_at=timezone.now(),
                    number_prefix=number_prefix or default_prefix(region),
                    created_by=None if is_system(acting_user) else acting_user)  # type: ignore[misc]  # a User here
    save_instance(notice, acting_user=acting_user)
    for finding in findings:
        if not can(acting_user, "view", finding):
            raise PermissionDenied(_("You do not have permission to do this here."))
        refusal = _not_notifiable(finding)
        if refusal is not None:
            raise ValidationError({"findings": refusal})
        site = finding.website
        placed = RegionPlacement.of(site).region
        if placed is None or not region.region_code.contains(placed):
            raise ValidationError({"findings": _("Finding %(id)s is outside the issuing region.") % {"id": finding.pk}})
        item = NoticeItem(notice=notice, finding=finding, website=site, school=site.school,
                          owner_region=site.owner_region)
        save_instance(item, acting_user=acting_user)
    return notice


@action
def issue_notice(notice: Notice, *, acting_user: Actor) -> Notice:
    """Give the notice its number and send it to the units."""
    NOTICE_WORKFLOW.enforce(acting_user, notice, "issue")
    if notice.deadline <= timezone.localdate():
        raise ValidationError(_("The deadline must be in the future."))
    for item in notice.items.select_related("finding"):
        refusal = _not_notifiable(item.finding, notice)
        if refusal is not None:
            raise ValidationError(refusal)
    year = timezone.localdate().year
    # Two officers of one authority issuing at once: the authority's row lock makes the second wait and read
    # the first one's number (SQLite's IMMEDIATE transactions serialise anyway; the unique constraint stays).
    Region.objects.select_for_update().filter(pk=notice.region_id).exists()
    last = (Notice.objects.filter(region=notice.region, number_prefix=notice.number_prefix, year=year)
            .aggregate(n=Max("sequence"))["n"]) or 0
    _change(notice, acting_user, "issue", status=NoticeStatus.ISSUED, year=year, sequence=last + 1,
            issued_at=timezone.now())
    return notice


def _require_unit_or_officer(item: NoticeItem, acting_user: Actor) -> None:
    require(acting_user, "change", item)
    if item.notice.status != NoticeStatus.ISSUED:
        raise ValidationError(_("The notice is not open."))


@action
def acknowledge_item(item: NoticeItem, *, acting_user: Actor) -> NoticeItem:
    _require_unit_or_officer(item, acting_user)
    step = ITEM_WORKFLOW.enforce(acting_user, item, "acknowledge")
    _change(item, acting_user, "acknowledge", status=step.target, acknowledged_at=timezone.now())
    return item


@action
def submit_evidence(item: NoticeItem, *, acting_user: Actor, response: str,
                    evidence: UploadedFile | None = None) -> NoticeItem:
    """The unit reports what it fixed (text, optional file); a re-probe is queued."""
    _require_unit_or_officer(item, acting_user)
    step = ITEM_WORKFLOW.enforce(acting_user, item, "submit")
    if not response.strip():
        raise ValidationError({"response": _("Describe what was rectified.")})
    if evidence is not None:
        if evidence.size is not None and evidence.size > MAX_EVIDENCE_BYTES:
            raise ValidationError({"evidence": _("The file is larger than 20 MB.")})
        if not str(evidence.name).lower().endswith(EVIDENCE_SUFFIXES):
            raise ValidationError({"evidence": _("Upload a PDF, image, Word, Excel, text or ZIP file.")})
        item.evidence.save(str(evidence.name), evidence, save=False)
    _change(item, acting_user, "submit", status=step.target, response=response.strip(),
            submitted_at=timezone.now())
    item_id = item.pk
    transaction.on_commit(lambda: tasks.reprobe.enqueue(item_id))
    return item


@action
def record_reprobe(item: NoticeItem, reports: Sequence[Any], *, acting_user: Actor) -> NoticeItem:
    """The result of a re-probe (``noticing.reprobe_item`` runs the probe first, outside the transaction): a
    pass verifies and closes the item and resolves the finding; otherwise the unit has to rectify again."""
    item.refresh_from_db()
    ITEM_WORKFLOW.enforce(acting_user, item, "reprobe")  # changed while the probe ran (another re-probe verified it)
    finding = item.finding
    save_reports(reports, acting_user=acting_user, websites={item.website.url: item.website})
    statuses = [c.status for r in reports for c in r.checks if c.name == finding.check_name]
    status = statuses[0] if statuses else CheckStatus.ERROR
    now = timezone.now()
    if status == CheckStatus.PASS:
        verified = ITEM_WORKFLOW.enforce(SYSTEM, item, "verify")  # the probe's verdict, not the requester's
        _change(item, acting_user, "verify", status=verified.target, reprobed_at=now, reprobe_status=status,
                closed_at=now)
        finding.refresh_from_db()
        if finding.status == FindingStatus.OPEN:
            before = audit.snapshot(finding)
            finding.status, finding.resolved_at = FindingStatus.RESOLVED, now
            finding.save()
            audit.record("monitoring.finding.resolve", finding, acting_user=acting_user, before=before,
                         after=audit.snapshot(finding))
        _close_if_done(item.notice, acting_user)
    else:
        _change(item, acting_user, "reprobe", reprobed_at=now, reprobe_status=status)
    return item


def _close_if_done(notice: Notice, acting_user: Actor) -> None:
    if not notice.items.filter(status__in=(*OPEN_ITEM_STATUSES, ItemStatus.ESCALATED)).exists():
        step = NOTICE_WORKFLOW.enforce(SYSTEM, notice, "close")  # a consequence, not the requester's own step
        _change(notice, acting_user, "close", authorise=False, status=step.target)


@action
def escalate_overdue(*, acting_user: Actor, now: datetime | None = None) -> int:
    """Items still open after their notice's deadline are marked overdue and escalated (they then show
    in the overdue list of the authority above) — not an item whose evidence waits for its re-probe, which is
    the platform's turn; a failed re-probe gives the turn back to the unit. An escalated item can still be
    rectified late: the unit acknowledges (if it had not) and submits evidence; ``escalated_at`` keeps the
    record of the escalation.
    Run hourly by the scheduled job ``escalate`` (``monitoring.scheduling``), or by ``edupulse monitor escalate``."""
    today = timezone.localdate(now) if now else timezone.localdate()
    # Evidence submitted and not yet re-probed is the platform's turn, not the unit's: not overdue.
    awaiting_reprobe = Q(status=ItemStatus.SUBMITTED) & (Q(reprobed_at__isnull=True)
                                                         | Q(reprobed_at__lt=F("submitted_at")))
    items = (NoticeItem.objects.filter(notice__status=NoticeStatus.ISSUED, notice__deadline__lt=today,
                                       status__in=OPEN_ITEM_STATUSES, escalated_at__isnull=True)  # once
             .exclude(awaiting_reprobe).select_related("notice"))
    count = 0
    for item in items:
        step = ITEM_WORKFLOW.enforce(acting_user, item, "escalate")
        _change(item, acting_user, "escalate", status=step.target, escalated_at=now or timezone.now())
        count += 1
    return count
