"""The platform around the real engine: local test sites swept twice, results saved, findings opened."""

from __future__ import annotations

import pytest

from edupulse.core.actions import run_as_system
from edupulse.monitoring import actions, sweeping
from edupulse.monitoring.models import Finding, SiteState
from edupulse.monitoring.probes import probe_sites_sync
from edupulse.monitoring.tests.factories import make_website
from edupulse.monitoring.tests.servers import LocalSites, local_sites
from edupulse.orgs.tests.factories import make_school

__all__ = ["local_sites"]
pytestmark = pytest.mark.django_db


def test_sweep_with_the_real_engine(local_sites: LocalSites, monkeypatch, settings):
    def runner(urls, checks):
        return probe_sites_sync(list(urls), config=local_sites.config(), checks=list(checks) if checks else None)

    settings.PROBE_RUNNER = runner
    school = make_school("510107")
    good = make_website(school, url=local_sites.url("good"))
    dark = make_website(school, url=local_sites.url("dark"))
    expired = make_website(school, url=local_sites.url("expired"))
    checks = ["availability", "tls_certificate", "dark_links", "hsts"]
    for _ in range(2):
        sweep = run_as_system(actions.start_sweep, enqueue=False, checks=checks)
        for batch in sweep.batches.all():
            sweeping.run_batch(batch.pk)
        sweep.refresh_from_db()
        assert sweep.status == "done"
    assert SiteState.objects.get(website=good).https is True
    assert SiteState.objects.get(website=good).available is True
    assert not Finding.objects.filter(website=good, status="open").exists()
    dark_finding = Finding.objects.get(website=dark, check_name="dark_links", status="open")
    assert dark_finding.severity == 4 and dark_finding.evidence
    assert Finding.objects.filter(website=expired, check_name="tls_certificate", status="open").exists()
