"""Alert channels, maintenance windows and the deliveries of alerts when findings open or resolve.

A delivery is queued inside the action that changed the finding (:func:`queue_alerts`, called by
``actions.results``), so it commits with it; ``monitoring.alerting`` sends it afterwards and records the
outcome with :func:`record_delivery`. Before a delivery is queued it is checked against, in order: the
channel's minimum severity (no row), maintenance windows, de-duplication (the same channel, site, check and
event within ``DEDUP_WINDOW``) and the channel's hourly rate limit; suppressed deliveries are kept with the
reason, so an officer can see what was held back.

Deliveries are not audited: each row is itself the record of what was sent, when and why not.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor
from edupulse.core.regions import RegionCode, RegionPlacement
from edupulse.monitoring import tasks
from edupulse.monitoring.checks import Severity
from edupulse.monitoring.models import AlertChannel, AlertDelivery, Finding, MaintenanceWindow
from edupulse.monitoring.models.alerts import DeliveryStatus

DEDUP_WINDOW = timedelta(hours=6)
MAX_SEND_ATTEMPTS = 3


@action
def save_channel(channel: AlertChannel, *, acting_user: Actor) -> AlertChannel:
    return save_instance(channel, acting_user=acting_user)


@action
def save_window(window: MaintenanceWindow, *, acting_user: Actor) -> MaintenanceWindow:
    return save_instance(window, acting_user=acting_user)



def _site_region(finding: Finding) -> RegionCode | None:
    return RegionPlacement.of(finding.website).region


def _covers(region_id: str | None, placed: RegionCode | None) -> bool:
    """Whether a channel's or window's region contains the site; a row without a region covers nothing."""
    return bool(region_id) and placed is not None and RegionCode.parse(str(region_id)).contains(placed)


def _in_maintenance(finding: Finding, now: Any) -> bool:
    placed = _site_region(finding)
    windows = MaintenanceWindow.objects.filter(starts_at__lte=now, ends_at__gt=now)
    for window in windows:
        if window.website_id == finding.website_id:
            return True
        if window.website_id is None and _covers(window.region_id, placed):
            return True
    return False


def _message(finding: Finding, event: str) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        site = finding.website
        verb = _("problem found") if event == "opened" else _("problem resolved")
        title = f"【EduPulse】{site.name} · {finding.get_check_name_display()} · {verb}"
        lines = [
            f"### {title}",
            f"- {_('Site')}: {site.name} {site.url}",
            f"- {_('Owner')}: {site.owner_name}",
            f"- {_('Check')}: {finding.get_check_name_display()}",
            f"- {_('Severity')}: {Severity(finding.severity).label}",
            f"- {_('First seen')}: {timezone.localtime(finding.first_seen):%Y-%m-%d %H:%M}",
            f"- {_('Summary')}: {finding.summary}",
        ]
        return title[:200], "\n".join(lines)


def queue_alerts(finding_id: int, event: str) -> list[AlertDelivery]:
    """Create the deliveries for one finding event (called inside the recording action)."""
    finding = Finding.objects.select_related("website", "website__school", "website__owner_region").get(pk=finding_id)
    now = timezone.now()
    placed = _site_region(finding)
    channels = [c for c in AlertChannel.objects.filter(enabled=True, min_severity__lte=finding.severity)
                if _covers(c.region_id, placed)]
    if not channels:
        return []
    maintenance = _in_maintenance(finding, now)
    title, text = _message(finding, event)
    created = []
    for channel in channels:
        key = f"{channel.pk}:{finding.website_id}:{finding.check_name}:{event}"
        status, reason = DeliveryStatus.PENDING, ""
        active = AlertDelivery.objects.filter(channel=channel).exclude(status=DeliveryStatus.SUPPRESSED)
        if maintenance:
            status, reason = DeliveryStatus.SUPPRESSED, "maintenance window"
        elif active.filter(dedup_key=key, created_at__gte=now - DEDUP_WINDOW).exists():
            status, reason = DeliveryStatus.SUPPRESSED, "duplicate"
        elif active.filter(created_at__gte=now - timedelta(hours=1)).count() >= channel.rate_limit_per_hour:
            status, reason = DeliveryStatus.SUPPRESSED, "rate limit"
        created.append(AlertDelivery.objects.create(channel=channel, finding=finding, event=event, dedup_key=key,
                                                    title=title, text=text, status=status, reason=reason,
                                                    created_at=now))
    if any(d.status == DeliveryStatus.PENDING for d in created):
        transaction.on_commit(lambda: tasks.send_alerts.enqueue())
    return created


@action
def queue_messages(channels: list[AlertChannel], title: str, text: str, *, acting_user: Actor,
                   event: str = "reminder") -> list[AlertDelivery]:
    """Deliveries of a message that is about no finding (a 催报 from collection, through ``core.notify``):
    one pending row per channel, sent by ``alerting.send_region_message`` right after this commits."""
    now = timezone.now()
    return [AlertDelivery.objects.create(channel=channel, finding=None, event=event,
                                         dedup_key=f"{channel.pk}:{event}:{now:%Y%m%d%H%M%S%f}", title=title[:200],
                                         text=text, status=DeliveryStatus.PENDING, created_at=now)
            for channel in channels]


@action
def record_delivery(delivery: AlertDelivery, *, acting_user: Actor, error: str | None) -> AlertDelivery:
    """One attempt at sending ``delivery``: sent (``error`` None), or kept for a retry with the error until
    ``MAX_SEND_ATTEMPTS``, then failed."""
    delivery.attempts += 1
    if error is None:
        delivery.status, delivery.sent_at, delivery.reason = DeliveryStatus.SENT, timezone.now(), ""
    else:
        delivery.reason = error[:200]
        if delivery.attempts >= MAX_SEND_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
    delivery.save(update_fields=["attempts", "status", "sent_at", "reason"])
    return delivery
