"""Sending alerts: email, generic webhook, DingTalk and WeCom group robots.

Deliveries are queued inside the action that changed the finding (``actions.alerts.queue_alerts``, so they
commit with it) and sent afterwards by the ``send_alerts`` task through :func:`send_pending_alerts`, which
records each outcome with the ``record_delivery`` action.

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
from typing import Any

from django.core.mail import send_mail

from edupulse.core.actors import Actor
from edupulse.core.notify import ChannelResult
from edupulse.core.regions import RegionCode
from edupulse.monitoring.actions.alerts import queue_messages, record_delivery
from edupulse.monitoring.models import AlertChannel, AlertDelivery
from edupulse.monitoring.models.alerts import ChannelKind, DeliveryStatus

SEND_TIMEOUT_S = 10


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


def send_pending_alerts(*, acting_user: Actor, limit: int = 500) -> int:
    """Send pending deliveries (oldest first); failures are retried up to ``MAX_SEND_ATTEMPTS``.

    Each delivery is sent outside any transaction (a robot that takes its full timeout must not hold the
    database's write lock) and its outcome recorded right after by :func:`record_delivery`; returns how many
    were sent."""
    pending = list(AlertDelivery.objects.select_related("channel", "finding", "finding__website")
                   .filter(status=DeliveryStatus.PENDING).order_by("created_at")[:limit])
    sent = 0
    for delivery in pending:
        try:
            send_one(delivery)
        except Exception as exc:  # any transport error: keep it for a retry, then give up
            record_delivery(delivery, acting_user=acting_user, error=str(exc))
        else:
            record_delivery(delivery, acting_user=acting_user, error=None)
            sent += 1
    return sent


def region_channels(region_code: str) -> list[AlertChannel]:
    """The enabled channels that cover ``region_code``: a channel's region contains it (the rule of alerts:
    a county's 催报 reaches the county's robot and those of the prefecture and province above it)."""
    area = RegionCode.parse(region_code)
    return [c for c in AlertChannel.objects.filter(enabled=True).exclude(region=None).order_by("pk")
            if RegionCode.parse(str(c.region_id)).contains(area)]


def send_region_message(region_code: str, title: str, text: str, acting_user: Actor) -> list[ChannelResult]:
    """The ``core.notify`` sender of monitoring: queue one delivery per channel covering the region, send each
    now (outside any transaction) and record it; a failed one stays pending for ``send_alerts`` to retry."""
    deliveries = queue_messages(region_channels(region_code), title, text, acting_user=acting_user)
    results = []
    for delivery in deliveries:
        error: str | None = None
        try:
            send_one(delivery)
        except Exception as exc:  # any transport error: recorded on the delivery and reported to the caller
            error = str(exc) or type(exc).__name__
        record_delivery(delivery, acting_user=acting_user, error=error)
        results.append(ChannelResult(delivery.channel.name, str(delivery.channel.get_kind_display()),
                                     error is None, (error or "")[:200]))
    return results
