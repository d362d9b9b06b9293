"""``edupulse probe URL... [--json] [--allow CIDR]... [--dns host[:port]]... [--check NAME]...
[--save-baseline FILE [--samples N]] [--baseline FILE]``

Runs the probe engine now on the given URLs and prints the results; nothing is saved in the database. The
JSON shape is a contract, documented in docs/cli-monitoring-probe.md. The tampering check needs a baseline
of each page: ``--save-baseline`` records one (N fetches that must agree) into a JSON file, ``--baseline``
compares the pages with the baselines in such a file.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edupulse.monitoring.probes import (
    CHECK_NAMES,
    Baseline,
    ConfigError,
    ProbeConfig,
    build_baseline,
    fetch_snapshots,
    probe_sites_sync,
)
from edupulse.monitoring.probes.engine import InvalidUrlError, normalise_url, run_async
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
        parser.add_argument("--save-baseline", metavar="FILE", default="",
                            help="first fetch each page --samples times and write their tampering baselines to FILE "
                                 "(JSON, keyed by URL); the probe then compares against them")
        parser.add_argument("--samples", type=int, default=3, metavar="N",
                            help="fetches per page for --save-baseline (default 3; parts must appear in all)")
        parser.add_argument("--baseline", metavar="FILE", default="",
                            help="compare each page with its baseline in FILE (written by --save-baseline)")

    def _baselines(self, urls: list[str], config: ProbeConfig, options: dict[str, Any]) -> dict[str, Baseline]:
        """Baselines from --baseline FILE, or recorded now for --save-baseline FILE (and written there)."""
        if options["baseline"]:
            data = json.loads(Path(options["baseline"]).read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError(f"{options['baseline']} is not a JSON object keyed by URL")
            return {url: Baseline.from_dict(data[url]) for url in urls if url in data}
        if not options["save_baseline"]:
            return {}
        if not 1 <= options["samples"] <= 20:
            raise ValueError("--samples must be between 1 and 20")
        snapshots = run_async(fetch_snapshots(urls, config=config, samples=options["samples"], interval_s=1.0))
        baselines = {url: build_baseline(snapshots[url]) for url in urls if snapshots[url]}
        missing = [url for url in urls if url not in baselines]
        if missing:
            raise ValueError(f"no successful fetch to build a baseline of {', '.join(missing)}")
        Path(options["save_baseline"]).write_text(
            json.dumps({url: baseline.to_dict() for url, baseline in baselines.items()}, indent=1), encoding="utf-8")
        return baselines

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
        try:
            baselines = self._baselines(urls, config, options)
        except (OSError, ValueError, KeyError) as exc:
            self._fail(f"baseline: {exc}", as_json)
            return
        reports = probe_sites_sync(urls, config=config, checks=options["check"] or None, baselines=baselines)
        if as_json:
            self.stdout.write(json.dumps([report.as_dict() for report in reports], ensure_ascii=False, indent=2))
            return
        for report in reports:
            self.stdout.write(f"{report.url}  ({report.duration_ms:.0f} ms)")
            for check in report.checks:
                score = "-" if check.score is None else str(check.score)
                reason = check.evidence.get("reason") or check.evidence.get("grade") or ""
                self.stdout.write(f"  {check.name:<16} {check.status:<5} {score:>4}  {reason}")
