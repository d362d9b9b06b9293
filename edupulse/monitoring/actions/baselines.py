"""Storing tampering baselines on the sites' states (fetching them is :mod:`monitoring.baselines`)."""

from __future__ import annotations

from django.utils import timezone

from edupulse.core import audit
from edupulse.core.actions import action
from edupulse.core.actors import Actor
from edupulse.monitoring.models import SiteState, Website


@action
def save_baselines(baselines: dict[str, dict], *, acting_user: Actor) -> int:
    """Store built baselines on the sites' states (one audit row)."""
    now = timezone.now()
    sites = {w.url: w for w in Website.objects.filter(url__in=list(baselines))}
    states = {s.website_id: s for s in SiteState.objects.filter(website__in=sites.values())}
    for url, data in baselines.items():
        site = sites.get(url)
        if site is None:
            continue
        state = states.get(site.pk) or SiteState(website=site, statuses={}, streaks={})
        state.copy_placement(site)
        state.baseline, state.baseline_at = data, now
        state.save()
    audit.record("monitoring.sitestate.baseline", None, acting_user=acting_user, object_type="monitoring.sitestate",
                 object_repr=f"{len(baselines)} baselines", after={"urls": sorted(baselines)[:1000]})
    return len(baselines)
