"""Alerts when findings open or resolve: email, generic webhook, DingTalk and WeCom group robots.

Deliveries are created inside the action that changed the finding (so they commit with it) and sent
afterwards by the ``send_alerts`` task. Before a delivery is queued it is checked against, in order:
the channel's minimum severity (no row), maintenance windows, de-duplication (the same channel, site,
check and event within ``DEDUP_WINDOW``) and the channel's hourly rate limit; suppressed deliveries are
kept with the reason, so an officer can see what was held back.

Signatures: DingTalk robots with 加签 get ``timestamp`` and ``sign`` = base64(HMAC-SHA256(secret,
"{timestamp}\\n{secret}")) in the URL; generic webhooks get ``X-EduPulse-Timestamp`` and
``X-EduPulse-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>``. WeCom group robots
have no signature scheme: the key in the webhook URL is the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor
from edupulse.core.regions import RegionCode, RegionPlacement
from edupulse.monitoring.checks import Severity
from edupulse.monitoring.models import AlertChannel, AlertDelivery, Finding, MaintenanceWindow
from edupulse.monitoring.models.alerts import ChannelKind, DeliveryStatus

DEDUP_WINDOW = timedelta(hours=6)
SEND_TIMEOUT_S = 10
MAX_SEND_ATTEMPTS = 3


@action
def save_channel(channel: AlertChannel, *, acting_user: Actor) -> AlertChannel:
    saved = save_instance(channel, acting_user=acting_user)
    assert isinstance(saved, AlertChannel)
    return saved


@action
def save_window(window: MaintenanceWindow, *, acting_user: Actor) -> MaintenanceWindow:
    saved = save_instance(window, acting_user=acting_user)
    assert isinstance(saved, MaintenanceWindow)
    return saved


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
        from django.db import transaction

        transaction.on_commit(_enqueue_send)
    return created


def _enqueue_send() -> None:
    from edupulse.monitoring.tasks import send_alerts

    send_alerts.enqueue()


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with DingTalk's 加签 parameters appended."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _post_json(url: str, payload: dict[str, Any] | bytes, headers: dict[str, str] | None = None) -> dict[str, Any]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST",  # noqa: S310 (officer-configured URL)
                                     headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_S) as response:  # noqa: S310
        text = response.read(65536).decode("utf-8", "replace")
    try:
        parsed = json.loads(text) if text else {}
    except ValueError:
        parsed = {}
    return parsed if isinstance(parsed, dict) else {}


def send_one(delivery: AlertDelivery) -> None:
    """Send one delivery; raises on failure."""
    channel = delivery.channel
    if channel.kind == ChannelKind.EMAIL:
        recipients = [a.strip() for a in channel.target.split(",") if a.strip()]
        send_mail(delivery.title, delivery.text.replace("### ", ""), None, recipients)
        return
    if channel.kind == ChannelKind.WEBHOOK:
        finding = delivery.finding
        payload = {"event": delivery.event, "title": delivery.title, "text": delivery.text,
                   "finding": finding.pk if finding else None,
                   "url": finding.website.url if finding else None,
                   "check": finding.check_name if finding else None,
                   "severity": finding.severity if finding else None}
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {}
        if channel.secret:
            stamp = str(int(time.time()))
            headers = {"X-EduPulse-Timestamp": stamp, "X-EduPulse-Signature": webhook_signature(channel.secret, stamp, body)}
        _post_json(channel.target, body, headers)  # the signed bytes, exactly
        return
    if channel.kind == ChannelKind.DINGTALK:
        url = dingtalk_signed_url(channel.target, channel.secret, int(time.time() * 1000)) if channel.secret \
            else channel.target
        reply = _post_json(url, {"msgtype": "markdown", "markdown": {"title": delivery.title, "text": delivery.text}})
    else:
        reply = _post_json(channel.target, {"msgtype": "markdown", "markdown": {"content": delivery.text}})
    if reply.get("errcode", 0) != 0:
        raise RuntimeError(f"robot answered errcode={reply.get('errcode')}: {reply.get('errmsg', '')}")


@action
def send_pending_alerts(*, acting_user: Actor, limit: int = 500) -> int:
    """Send pending deliveries (oldest first); failures are retried up to ``MAX_SEND_ATTEMPTS``."""
    sent = 0
    pending = (AlertDelivery.objects.select_related("channel", "finding", "finding__website")
               .filter(status=DeliveryStatus.PENDING).order_by("created_at")[:limit])
    for delivery in pending:
        delivery.attempts += 1
        try:
            send_one(delivery)
        except Exception as exc:  # any transport error: keep it for a retry, then give up
            delivery.reason = str(exc)[:200]
            if delivery.attempts >= MAX_SEND_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
        else:
            delivery.status, delivery.sent_at, delivery.reason = DeliveryStatus.SENT, timezone.now(), ""
            sent += 1
        delivery.save(update_fields=["attempts", "status", "sent_at", "reason"])
    return sent
