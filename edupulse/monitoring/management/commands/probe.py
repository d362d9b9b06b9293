"""``edupulse probe URL... [--json] [--allow CIDR]... [--dns host[:port]]... [--check NAME]...``

Runs the probe engine now on the given URLs and prints the results; nothing is saved. The JSON shape is a
contract, documented in docs/cli-monitoring-probe.md.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edupulse.monitoring.probes import CHECK_NAMES, ConfigError, ProbeConfig, probe_sites_sync
from edupulse.monitoring.probes.engine import InvalidUrlError, normalise_url
from edupulse.utilities.env import SettingError


class Command(BaseCommand):
    help = (
        "Probe websites now (availability, DNS, IPv6, TLS, HTTPS redirect, HSTS, security headers, tampering, "
        "dark links, sensitive words) and print the results. --json prints a JSON array, one object per URL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("urls", nargs="+", metavar="URL", help="http:// or https:// URL (a bare host means http)")
        parser.add_argument("--json", action="store_true", help="print the JSON array (the documented contract)")
        parser.add_argument(
            "--allow", action="append", default=[], metavar="CIDR",
            help="also allow connecting to this private/loopback block (adds to EDUPULSE_PROBE_ALLOW); repeatable",
        )
        parser.add_argument(
            "--dns", action="append", default=[], metavar="HOST[:PORT]",
            help="DNS server to use instead of EDUPULSE_DNS_SERVERS / the system resolver; repeatable",
        )
        parser.add_argument(
            "--check", action="append", default=[], metavar="NAME",
            help="run only this check (repeatable; one of " + ", ".join(CHECK_NAMES) + "); default: all",
        )
        parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="per-request time limit")

    def _fail(self, message: str, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
            sys.exit(2)
        raise CommandError(message)

    def handle(self, *args: Any, **options: Any) -> None:
        as_json: bool = options["json"]
        urls: list[str] = options["urls"]
        try:
            for url in urls:
                normalise_url(url)
            config = ProbeConfig.from_env().with_extra(allow=options["allow"], dns_servers=options["dns"])
            if options["timeout"] is not None:
                config = replace(config, timeout_s=options["timeout"])
            unknown = sorted(set(options["check"]) - set(CHECK_NAMES))
            if unknown:
                raise ConfigError(f"unknown check {', '.join(unknown)}; known: {', '.join(CHECK_NAMES)}")
        except (InvalidUrlError, ConfigError, SettingError) as exc:
            self._fail(str(exc), as_json)
            return
        reports = probe_sites_sync(urls, config=config, checks=options["check"] or None)
        if as_json:
            self.stdout.write(json.dumps([report.as_dict() for report in reports], ensure_ascii=False, indent=2))
            return
        for report in reports:
            self.stdout.write(f"{report.url}  ({report.duration_ms:.0f} ms)")
            for check in report.checks:
                score = "-" if check.score is None else str(check.score)
                reason = check.evidence.get("reason") or check.evidence.get("grade") or ""
                self.stdout.write(f"  {check.name:<16} {check.status:<5} {score:>4}  {reason}")
