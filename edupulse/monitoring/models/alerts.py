"""Alert channels, maintenance windows and the log of alert deliveries."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.roles import ALL, NONE, READ_ONLY, Role
from edupulse.core.scoping import ScopedManager
from edupulse.monitoring.checks import Severity
from edupulse.monitoring.models.regional import REGION_SCOPE, RegionOwned

OFFICER_PERMISSIONS = {Role.PROVINCE_ADMIN: ALL, Role.PREFECTURE_OFFICER: ALL, Role.COUNTY_OFFICER: ALL,
                       Role.SCHOOL_CIO: NONE, Role.EXPERT_REVIEWER: READ_ONLY, Role.AUDITOR: READ_ONLY}


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Generic webhook")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    WECOM = "wecom", _("WeCom group robot")


class AlertChannel(RegionOwned):
    """Where alerts about findings in ``region`` go. ``target`` is a comma-separated list of email
    addresses or one webhook URL; ``secret`` signs webhooks (DingTalk 加签, HMAC of generic webhooks)."""

    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    target = models.CharField(_("target"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=128, blank=True)
    min_severity = models.PositiveSmallIntegerField(_("minimum severity"), choices=Severity.choices,
                                                    default=Severity.MEDIUM)
    rate_limit_per_hour = models.PositiveIntegerField(_("at most alerts per hour"), default=20)
    enabled = models.BooleanField(_("enabled"), default=True)

    role_permissions = OFFICER_PERMISSIONS
    audited = True
    audit_mask = ("secret",)
    objects = ScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("alert channel")
        verbose_name_plural = _("alert channels")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self) -> None:
        if self.region_id is None:
            raise ValidationError({"region": _("Choose the region whose findings this channel receives.")})
        try:
            if self.kind == ChannelKind.EMAIL:
                for address in self.target.split(","):
                    validate_email(address.strip())
            else:
                URLValidator(schemes=["http", "https"])(self.target)
        except ValidationError:
            raise ValidationError({"target": _("Give email addresses separated by commas, or one http(s) URL "
                                               "for webhooks and robots.")}) from None


class MaintenanceWindow(RegionOwned):
    """No alerts for sites in ``region`` (or for one ``website``) between the two times."""

    website = models.ForeignKey("monitoring.Website", verbose_name=_("website"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    role_permissions = OFFICER_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.region_id is None:
            raise ValidationError({"region": _("Choose the region.")})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The window must end after it starts.")})


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Suppressed")


class AlertDelivery(models.Model):
    """One alert for one channel. ``dedup_key`` (channel + site + check + event) is unique among
    unsuppressed deliveries within the de-duplication window; suppressed rows say why."""

    channel = models.ForeignKey(AlertChannel, verbose_name=_("channel"), on_delete=models.CASCADE,
                                related_name="deliveries")
    finding = models.ForeignKey("monitoring.Finding", verbose_name=_("finding"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="deliveries")
    event = models.CharField(_("event"), max_length=10)  # opened | resolved
    dedup_key = models.CharField(max_length=200, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING, db_index=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    scope_spec = REGION_SCOPE.via("channel")
    role_permissions = dict.fromkeys(Role.values, READ_ONLY)
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")

    def __str__(self) -> str:
        return self.title
