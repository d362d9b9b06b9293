"""Tampering baselines: several fetches of a page that agree, stored per site for the tampering check.

``edupulse monitor baseline`` fetches every site without a baseline (or every site with ``--refresh``,
e.g. after a legitimate redesign) ``SAMPLES`` times ``INTERVAL_S`` apart, builds the engine's
``Baseline`` from the fetches that succeeded and stores it on the site's state. Sweeps then pass the
stored baselines to the engine; sites without one get "does not apply" for tampering.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from edupulse.core.actors import SYSTEM
from edupulse.monitoring.actions.baselines import save_baselines
from edupulse.monitoring.models import SiteState, Website

SAMPLES = 3
INTERVAL_S = 20.0


def baselines_for(urls: Sequence[str]) -> dict[str, Any]:
    """URL → engine ``Baseline`` for the sites that have a (current-version) baseline."""
    from edupulse.monitoring.probes import Baseline  # heavy: the probe engine, only when probing

    result: dict[str, Any] = {}
    for url, data in SiteState.objects.filter(website__url__in=list(urls), baseline__isnull=False).values_list(
            "website__url", "baseline"):
        if not isinstance(data, dict):
            continue
        try:
            result[url] = Baseline.from_dict(data)
        except (ValueError, KeyError, TypeError):
            continue  # an old format: the site is treated as having none until rebuilt
    return result


def fetch_baselines(urls: Sequence[str], *, samples: int = SAMPLES, interval_s: float = INTERVAL_S) -> dict[str, dict]:
    """Fetch and build baselines (network; outside any transaction). URL → ``Baseline.to_dict()``."""
    from edupulse.monitoring.probes import ProbeConfig, build_baseline, fetch_snapshots  # heavy: the probe engine

    snapshots = asyncio.run(fetch_snapshots(list(urls), config=ProbeConfig.from_env(), samples=samples,
                                            interval_s=interval_s))
    built = {}
    for url, fetched in snapshots.items():
        try:
            built[url] = build_baseline(fetched).to_dict()
        except ValueError:
            continue  # no successful fetch: no baseline
    return built


def build_missing_baselines(*, samples: int = SAMPLES, interval_s: float = INTERVAL_S) -> dict[str, Any]:
    """Fetch and store baselines for every active site that has none (new sites); what the weekly
    scheduled job runs as a background task."""
    urls = list(Website.objects.filter(is_active=True).exclude(state__baseline__isnull=False)
                .values_list("url", flat=True))
    built = fetch_baselines(urls, samples=samples, interval_s=interval_s) if urls else {}
    if built:
        save_baselines(built, acting_user=SYSTEM)
    return {"sites": len(urls), "baselines": len(built)}
