"""通报 (notices) and 整改 (rectification): an authority notifies units of findings, each unit
acknowledges, submits evidence, the platform re-probes, and the item is verified or escalated."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.roles import ALL, NONE, READ_ONLY, VIEW, Role
from edupulse.core.scoping import ScopedManager
from edupulse.core.workflows import Transition, Workflow
from edupulse.monitoring.models.base import OwnedAsset
from edupulse.monitoring.models.regional import RegionOwned


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    CLOSED = "closed", _("Closed")


class Notice(RegionOwned):
    """A formal notice issued by the authority of ``region``; numbered ``{prefix}〔{year}〕{sequence}号``
    with the sequence counted per issuing authority and year when the notice is issued."""

    title = models.CharField(_("title"), max_length=200)
    number_prefix = models.CharField(_("document number prefix"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    body = models.TextField(_("text"), blank=True)
    deadline = models.DateField(_("rectification deadline"))
    status = models.CharField(_("status"), max_length=8, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT,
                              db_index=True)
    created_at = models.DateTimeField(_("created at"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    role_permissions = {Role.PROVINCE_ADMIN: ALL, Role.PREFECTURE_OFFICER: ALL, Role.COUNTY_OFFICER: ALL,
                        Role.SCHOOL_CIO: NONE, Role.EXPERT_REVIEWER: READ_ONLY, Role.AUDITOR: READ_ONLY}
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [models.UniqueConstraint(fields=["region", "number_prefix", "year", "sequence"],
                                               name="monitoring_notice_number_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.sequence else self.title

    @property
    def number(self) -> str:
        if not self.sequence:
            return ""
        return f"{self.number_prefix}〔{self.year}〕{self.sequence}号"


class ItemStatus(models.TextChoices):
    ISSUED = "issued", _("Awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    SUBMITTED = "submitted", _("Evidence submitted")
    VERIFIED = "verified", _("Verified and closed")
    ESCALATED = "escalated", _("Overdue and escalated")


OPEN_ITEM_STATUSES = (ItemStatus.ISSUED, ItemStatus.ACKNOWLEDGED, ItemStatus.SUBMITTED)

_OFFICERS = frozenset({Role.PROVINCE_ADMIN, Role.PREFECTURE_OFFICER, Role.COUNTY_OFFICER})
# The receiving unit (a school's CIO, or the bureau's officer for a bureau's site) and the officers above it.
_UNIT = frozenset({Role.SCHOOL_CIO, *_OFFICERS})

NOTICE_WORKFLOW = Workflow(
    name="monitoring.notice",
    transitions=(
        Transition(NoticeStatus.DRAFT, "issue", NoticeStatus.ISSUED, _OFFICERS, _("Issue the notice")),
        # Closed by the platform once the last item is verified.
        Transition(NoticeStatus.ISSUED, "close", NoticeStatus.CLOSED, frozenset(), by_system=True),
    ),
    refusals={"issue": _("Only a draft notice can be issued."), "close": _("The notice is not open.")},
)


def _receiving_unit(actor: Any, item: NoticeItem) -> bool:
    """The unit the item was sent to: the school's CIO for a school's site, the officers of the owning bureau's
    own region for a bureau's site — never the authority that issued the notice (it may not sign for them)."""
    if item.school_id is not None:
        return bool(getattr(actor, "role", "") == Role.SCHOOL_CIO)
    return getattr(actor, "role", "") in _OFFICERS and getattr(actor, "scope_region_id", None) == item.owner_region_id


def _acknowledged(item: NoticeItem) -> bool:
    return item.acknowledged_at is not None


def _not_acknowledged(item: NoticeItem) -> bool:
    return item.acknowledged_at is None


_I = ItemStatus
ITEM_WORKFLOW = Workflow(
    name="monitoring.noticeitem",
    transitions=(
        # Only the receiving unit signs for its item (签收).
        Transition(_I.ISSUED, "acknowledge", _I.ACKNOWLEDGED, _UNIT, _("Acknowledge receipt"), who=_receiving_unit),
        # Escalated before it was acknowledged: still rectifiable late, starting with the acknowledgement.
        Transition(_I.ESCALATED, "acknowledge", _I.ACKNOWLEDGED, _UNIT, _("Acknowledge receipt"),
                   when=_not_acknowledged, who=_receiving_unit),
        Transition(_I.ACKNOWLEDGED, "submit", _I.SUBMITTED, _UNIT, _("Submit rectification evidence")),
        Transition(_I.SUBMITTED, "submit", _I.SUBMITTED, _UNIT, _("Submit rectification evidence")),
        Transition(_I.ESCALATED, "submit", _I.SUBMITTED, _UNIT, _("Submit rectification evidence"),
                   when=_acknowledged),
        # Recording a re-probe changes the item (verified, or the unit's turn again): the unit and its officers
        # ask for it; reviewers and auditors read the outcome.
        Transition(_I.SUBMITTED, "reprobe", None, _UNIT, _("Re-probe now")),
        # The re-probe's verdict and the deadline are the platform's, whoever asked for the re-probe.
        Transition(_I.SUBMITTED, "verify", _I.VERIFIED, frozenset(), by_system=True),
        Transition(_I.ISSUED, "escalate", _I.ESCALATED, frozenset(), by_system=True),
        Transition(_I.ACKNOWLEDGED, "escalate", _I.ESCALATED, frozenset(), by_system=True),
        Transition(_I.SUBMITTED, "escalate", _I.ESCALATED, frozenset(), by_system=True),
    ),
    refusals={
        "acknowledge": _("This item has already been acknowledged."),
        "submit": _("Acknowledge the notice before submitting rectification evidence."),
        "reprobe": _("Only items with submitted evidence are re-probed."),
        "verify": _("Only items with submitted evidence are re-probed."),
        "escalate": _("Only open items can be escalated."),
    },
    denials={"acknowledge": _("Only the unit that received this item can acknowledge it.")},
)


class NoticeItem(OwnedAsset):
    """One finding in a notice, addressed to the unit that owns the site (a school or a bureau)."""

    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="items")
    finding = models.ForeignKey("monitoring.Finding", verbose_name=_("finding"), on_delete=models.PROTECT,
                                related_name="notice_items")
    website = models.ForeignKey("monitoring.Website", verbose_name=_("website"), on_delete=models.PROTECT,
                                related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.ISSUED,
                              db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    response = models.TextField(_("rectification report"), blank=True)
    evidence = models.FileField(_("evidence file"), upload_to="monitoring/evidence/%Y/%m/", blank=True)
    submitted_at = models.DateTimeField(_("evidence submitted at"), null=True, blank=True)
    reprobed_at = models.DateTimeField(_("re-probed at"), null=True, blank=True)
    reprobe_status = models.CharField(_("re-probe result"), max_length=5, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    role_permissions = {Role.PROVINCE_ADMIN: ALL, Role.PREFECTURE_OFFICER: ALL, Role.COUNTY_OFFICER: ALL,
                        Role.SCHOOL_CIO: frozenset({VIEW, "change"}), Role.EXPERT_REVIEWER: READ_ONLY,
                        Role.AUDITOR: READ_ONLY}

    class Meta:
        ordering = ["notice", "pk"]
        verbose_name = _("notice item")
        verbose_name_plural = _("notice items")
        constraints = [models.UniqueConstraint(fields=["notice", "finding"], name="monitoring_notice_item_unique")]

    audit_select_related = ("notice", "website")

    def __str__(self) -> str:
        return f"{self.notice} · {self.website_id}"

    def audit_label(self) -> str:
        """The notice and the site by name, for the audit trail (the stored text has the site's id)."""
        return f"{self.notice} · {self.website.name}"
