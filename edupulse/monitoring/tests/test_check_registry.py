"""A check is one object: the engine, the recording and the describing all read the registries, so a new
check is its ``CheckSpec`` and its presentation, registered, with no edit anywhere else."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.utils import translation

from edupulse.core.actions import run_as_system
from edupulse.monitoring import actions
from edupulse.monitoring.checks import CHECK_CHOICES, CHECK_NAMES, PRESENTATIONS, CheckPresentation, Severity
from edupulse.monitoring.describing import advice, describe
from edupulse.monitoring.models import Finding
from edupulse.monitoring.probes import CHECK_NAMES as PROBE_CHECK_NAMES
from edupulse.monitoring.probes import REGISTRY, CheckOutcome, CheckSpec, Need, SiteInputs, probe_sites_sync
from edupulse.monitoring.tests.factories import make_website
from edupulse.monitoring.tests.servers import LocalSites, local_sites
from edupulse.orgs.tests.factories import make_school

__all__ = ["local_sites"]

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_probe_check_is_presented_and_nothing_else() -> None:
    assert PRESENTATIONS.names() == REGISTRY.names() == PROBE_CHECK_NAMES == CHECK_NAMES
    for presentation in PRESENTATIONS:
        assert str(presentation.label) and isinstance(presentation.fail_severity, Severity)
        with translation.override("zh-hans"):
            assert CJK.search(presentation.advice()), presentation.name
            assert CJK.search(str(presentation.label)) or presentation.name in ("dns", "hsts"), presentation.name
    # The model choices (and so the migrations) are the presentations' names and labels.
    assert [name for name, _label in CHECK_CHOICES] == list(CHECK_NAMES)


def test_every_check_declares_what_it_needs() -> None:
    for spec in REGISTRY:
        assert spec.needs and spec.needs <= set(Need), spec.name


def _http_status(inputs: SiteInputs) -> CheckOutcome:
    """A toy check: the page's HTTP status, always worth a warning."""
    page = inputs.fetched_page()
    return CheckOutcome("toy_status", "warn", 50, {"status_code": page.status})


TOY = CheckSpec("toy_status", frozenset({Need.PAGE}), _http_status)
TOY_PRESENTATION = CheckPresentation(
    "toy_status", "Toy status", Severity.HIGH,
    describe=lambda status, ev: f"The page answers HTTP {ev['status_code']}.",
    advice=lambda: "Nothing to do: it is a toy.")


@pytest.mark.django_db
def test_a_registered_check_runs_through_the_engine_and_is_recorded_and_described(local_sites: LocalSites) -> None:
    url = local_sites.url("good")
    site = make_website(make_school("510107"), url=url)
    with REGISTRY.registered(TOY), PRESENTATIONS.registered(TOY_PRESENTATION):
        [report] = probe_sites_sync([url], config=local_sites.config(), checks=["availability", "toy_status"])
        assert [check.name for check in report.checks] == ["availability", "toy_status"]
        assert report.check("toy_status").evidence == {"status_code": 200}
        assert "toy_status" in [check.name for check in probe_sites_sync([url], config=local_sites.config())[0].checks]
        for _ in range(2):  # a finding opens after two warnings in a row
            run_as_system(actions.save_reports, [report])
        finding = Finding.objects.get(website=site, check_name="toy_status", status="open")
        assert finding.severity == Severity.MEDIUM  # a warning: one step below the toy's fail severity
        assert finding.summary == "The page answers HTTP 200."
        assert describe("toy_status", finding.evidence, "warn") == "The page answers HTTP 200."
        assert advice("toy_status") == "Nothing to do: it is a toy."
    assert "toy_status" not in REGISTRY and PRESENTATIONS.get("toy_status") is None


def test_a_check_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="already registered"):
        REGISTRY.register(REGISTRY["dns"])
    with pytest.raises(ValueError, match="already has a presentation"):
        PRESENTATIONS.register(replace(TOY_PRESENTATION, name="dns"))
