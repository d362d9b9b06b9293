"""Sharing requests (数出一门): a unit asks for fields of a dataset for a purpose, a scope and a time; the data
owner approves; minors' sensitive fields need a second approval by another person."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edupulse.core.regions import PlacedInRegion
from edupulse.core.roles import NONE, READ_ONLY, Role
from edupulse.core.scoping import ScopedManager, ScopeSpec
from edupulse.core.workflows import Transition, Workflow


class ShareStatus(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting the data owner")
    OWNER_APPROVED = "owner_approved", _("awaiting the minors' data approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", pgettext_lazy("basedata", "rejected")


# The data owner of the base data is the province (the catalogue's owners are provincial departments).
_APPROVE = pgettext_lazy("basedata", "Approve")  # not collection's 审核通过: the data owner's 批准
_OWNER = frozenset({Role.PROVINCE_ADMIN})


def _needs_minors_approval(request: ShareRequest) -> bool:
    return request.minors_sensitive


def _plain(request: ShareRequest) -> bool:
    return not request.minors_sensitive


def _another_person(actor: object, request: ShareRequest) -> bool:
    """The second approval of minors' sensitive data is never given by the person who gave the first."""
    return getattr(actor, "pk", None) != request.owner_approved_by_id


SHARE_WORKFLOW = Workflow(
    name="basedata.share_request",
    transitions=(
        Transition(ShareStatus.SUBMITTED, "approve", ShareStatus.APPROVED, _OWNER, _APPROVE, when=_plain),
        Transition(ShareStatus.SUBMITTED, "approve", ShareStatus.OWNER_APPROVED, _OWNER, _APPROVE,
                   when=_needs_minors_approval),
        Transition(ShareStatus.OWNER_APPROVED, "approve_minors", ShareStatus.APPROVED, _OWNER,
                   _("Approve the minors' sensitive data"), who=_another_person),
        Transition(ShareStatus.SUBMITTED, "reject", ShareStatus.REJECTED, _OWNER, _("Reject")),
        Transition(ShareStatus.OWNER_APPROVED, "reject", ShareStatus.REJECTED, _OWNER, _("Reject")),
    ),
    refusals={"approve": _("Only a submitted request can be approved."),
              "approve_minors": _("The request does not await the minors' data approval."),
              "reject": _("The request has already been decided.")},
    denials={"approve_minors": _("The second approval must be given by another person than the first.")},
)


class ShareRequest(PlacedInRegion, models.Model):
    """One request for an extract: who asks, why, which fields of which records, where, until when.

    Placed in ``region`` — the area whose records are asked for, inside the requesting officer's own — so that
    its officers and those above see it. The extract itself is made on demand (``sharing.write_extract``),
    masked, watermarked and audited, and only while the request is approved and not expired."""

    requesting_unit = models.CharField(_("requesting unit"), max_length=200)
    purpose = models.TextField(_("purpose"))
    kind = models.CharField(_("records"), max_length=16, default="student")
    fields = models.JSONField(_("requested fields"), default=list)
    region = models.CharField(_("scope (region code)"), max_length=6)
    expires_on = models.DateField(_("expires on"))
    minors_sensitive = models.BooleanField(_("minors' sensitive fields"), default=False, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=ShareStatus.choices, default=ShareStatus.SUBMITTED)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("requester"))
    requester_name = models.CharField(_("requester name"), max_length=150)
    owner_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    minors_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    province_code = models.CharField(max_length=2, blank=True, editable=False)
    prefecture_code = models.CharField(max_length=4, blank=True, editable=False)
    county_code = models.CharField(max_length=6, blank=True, editable=False)

    scope_spec = ScopeSpec(province="province_code", prefecture="prefecture_code", county="county_code")
    placement_columns = "code"
    role_permissions = {
        Role.PROVINCE_ADMIN: frozenset({"view", "add", "change"}),
        Role.PREFECTURE_OFFICER: frozenset({"view", "add"}),
        Role.COUNTY_OFFICER: frozenset({"view", "add"}),
        Role.SCHOOL_CIO: NONE,
        Role.EXPERT_REVIEWER: NONE,
        Role.AUDITOR: READ_ONLY,
    }
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sharing request")
        verbose_name_plural = _("sharing requests")

    def __str__(self) -> str:
        return f"{self.pk} {self.requesting_unit} ({self.get_status_display()})"
