"""Alerts: channels, signatures, de-duplication, rate limits and maintenance windows."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from edupulse.core.actions import run_as_system
from edupulse.monitoring import actions, alerting
from edupulse.monitoring.models import AlertChannel, AlertDelivery, MaintenanceWindow
from edupulse.monitoring.tests.factories import make_finding, make_website
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    """A local HTTP server on 127.0.0.1 recording every POST (path, headers, JSON body)."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body,
                             "json": json.loads(body)})
            reply = b'{"errcode": 0, "errmsg": "ok"}' if "fail" not in self.path else b'{"errcode": 310000}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()


def channel(kind: str, target: str, secret: str = "", **kw) -> AlertChannel:
    return run_as_system(actions.save_channel, AlertChannel(region_id="510107", name=kind, kind=kind, target=target,
                                                            secret=secret, **kw))


def send() -> int:
    return run_as_system(alerting.send_pending_alerts)


def test_dingtalk_signed_robot(receiver):
    base, received = receiver
    channel("dingtalk", f"{base}/robot/send?access_token=abc", secret="SECtest")
    finding = make_finding(make_website(make_school("510107")), "availability")
    assert send() == 1
    request = received[0]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(hmac.new(b"SECtest", f"{timestamp}\nSECtest".encode(), hashlib.sha256).digest())
    assert sign.encode() == expected and query["access_token"] == ["abc"]
    assert request["json"]["msgtype"] == "markdown" and finding.website.name in request["json"]["markdown"]["text"]
    assert AlertDelivery.objects.get().status == "sent"


def test_wecom_robot_and_generic_webhook_signature(receiver):
    base, received = receiver
    channel("wecom", f"{base}/cgi-bin/webhook/send?key=k1")
    channel("webhook", f"{base}/hook", secret="s3cret")
    make_finding(make_website(make_school("510107")), "dark_links")
    assert send() == 2
    by_path = {r["path"].split("?")[0]: r for r in received}
    assert "content" in by_path["/cgi-bin/webhook/send"]["json"]["markdown"]
    hook = by_path["/hook"]
    stamp = hook["headers"]["x-edupulse-timestamp"]
    assert hook["headers"]["x-edupulse-signature"] == alerting.webhook_signature("s3cret", stamp, hook["body"])
    assert hook["json"]["check"] == "dark_links" and hook["json"]["event"] == "opened"


def test_email_channel_and_resolve_event():
    channel("email", "a@example.edu.cn, b@example.edu.cn")
    site = make_website(make_school("510107"))
    make_finding(site, "availability")
    assert send() == 1
    assert mail.outbox[0].to == ["a@example.edu.cn", "b@example.edu.cn"] and site.name in mail.outbox[0].subject
    from edupulse.monitoring.tests.factories import report

    now = timezone.now()
    for minutes in (1, 2):
        run_as_system(actions.save_reports, [report(site.url, at=now + timedelta(minutes=minutes))])
    assert send() == 1
    assert AlertDelivery.objects.filter(event="resolved", status="sent").count() == 1


def test_min_severity_dedup_rate_limit_and_maintenance():
    channel("email", "ops@example.edu.cn", min_severity=3, rate_limit_per_hour=2)
    school = make_school("510107")
    make_finding(make_website(school), "hsts")  # low: below the channel's minimum, no row at all
    assert not AlertDelivery.objects.exists()
    site = make_website(school)
    finding = make_finding(site, "availability")
    actions.queue_alerts(finding.pk, "opened")  # the same event again: duplicate
    make_finding(make_website(school), "availability")
    make_finding(make_website(school), "availability")  # third within the hour: over the rate limit
    reasons = sorted(AlertDelivery.objects.values_list("status", "reason"))
    assert reasons == [("pending", ""), ("pending", ""), ("suppressed", "duplicate"), ("suppressed", "rate limit")]
    now = timezone.now()
    run_as_system(actions.save_window, MaintenanceWindow(region_id="510107", starts_at=now - timedelta(minutes=1),
                                                         ends_at=now + timedelta(hours=1), reason="升级"))
    make_finding(make_website(school), "dns")
    assert AlertDelivery.objects.filter(reason="maintenance window").count() == 1


def test_channel_outside_region_gets_nothing_and_failures_retry(receiver):
    base, received = receiver
    run_as_system(actions.save_channel, AlertChannel(region_id="510104", name="other", kind="email",
                                                     target="x@example.cn"))
    channel("dingtalk", f"{base}/fail")
    make_finding(make_website(make_school("510107")), "availability")
    delivery = AlertDelivery.objects.get()
    assert delivery.channel.region_id == "510107"
    for _ in range(actions.alerts.MAX_SEND_ATTEMPTS):
        send()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "310000" in delivery.reason and len(received) == 3


def test_bad_channel_target_is_a_field_error():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        channel("email", "not-an-address")
    assert "target" in exc.value.message_dict
