"""催报: reminders to schools that have not reported, and the in-app inbox where a school reads them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.regions import PlacedInRegion
from edupulse.core.roles import NONE, READ_ONLY, VIEW, Role
from edupulse.core.scoping import ScopedManager, ScopeSpec
from edupulse.orgs.models import School

_SEND = frozenset({VIEW, "add"})


class NotReportedKind(models.TextChoices):
    """Why a school counts as not reported (shown apart on the completeness page and in reminders)."""

    NO_RECORD = "no_record", _("No record")
    DRAFT = "draft", _("Draft, not submitted")
    RETURNED = "returned", _("Returned, not resubmitted")


class Reminder(PlacedInRegion, models.Model):
    """One 催报 an officer sent: which form and period, to which schools (``messages``), over which alert
    channels and with what outcome (``channels``: one entry per channel with ``delivered`` and ``error``).
    It belongs to the reminded area (an officer's own or one below it)."""

    form = models.ForeignKey("collection.Form", verbose_name=_("form"), on_delete=models.CASCADE,
                             related_name="reminders")
    period = models.CharField(_("period"), max_length=10)
    area = models.CharField(_("region"), max_length=6)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    school_count = models.PositiveIntegerField(_("schools reminded"), default=0)
    skipped_count = models.PositiveIntegerField(_("already reminded today"), default=0)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    province_code = models.CharField(max_length=2, blank=True, editable=False, db_index=True)
    prefecture_code = models.CharField(max_length=4, blank=True, editable=False, db_index=True)
    county_code = models.CharField(max_length=6, blank=True, editable=False, db_index=True)

    scope_spec = ScopeSpec(province="province_code", prefecture="prefecture_code", county="county_code")
    placement_columns = "code"
    role_permissions = {
        Role.PROVINCE_ADMIN: _SEND, Role.PREFECTURE_OFFICER: _SEND, Role.COUNTY_OFFICER: _SEND,
        Role.SCHOOL_CIO: NONE, Role.EXPERT_REVIEWER: READ_ONLY, Role.AUDITOR: READ_ONLY,
    }
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"催报 {self.period} {self.area} ({self.school_count})"


class InboxMessage(models.Model):
    """A message in a school's in-app inbox (shown on its CIO's landing page). ``sent_on`` is the local date:
    one reminder per school per day (the unique constraint is the throttle, so two officers pressing the
    button at once cannot both reach the school)."""

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE,
                               related_name="inbox_messages")
    reminder = models.ForeignKey(Reminder, verbose_name=_("reminder"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("not reported because"), max_length=10, choices=NotReportedKind.choices)
    text = models.TextField(_("text"))
    sent_on = models.DateField(_("date"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    scope_spec = School.scope_spec.via("school")
    role_permissions = {
        Role.PROVINCE_ADMIN: _SEND, Role.PREFECTURE_OFFICER: _SEND, Role.COUNTY_OFFICER: _SEND,
        Role.SCHOOL_CIO: frozenset({VIEW, "change"}), Role.EXPERT_REVIEWER: READ_ONLY, Role.AUDITOR: READ_ONLY,
    }
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        constraints = [models.UniqueConstraint(fields=["school", "sent_on"], name="collection_inbox_one_a_day")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.sent_on}"
