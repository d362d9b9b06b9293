"""The website probe engine (issue 4): model-free, asyncio + a lean HTTP/1.1 client on llhttp + dnspython.

Public interface used by the monitoring platform and the ``edupulse probe`` command::

    from edupulse.monitoring.probes import ProbeConfig, probe_sites_sync
    reports = probe_sites_sync(["https://www.example.edu.cn/"], config=ProbeConfig.from_env())
    for report in reports:
        for check in report.checks:          # one CheckOutcome per check asked for, in CHECK_NAMES order
            check.name, check.status, check.score, check.evidence

A check is one object, a ``spec.CheckSpec`` registered in ``checks.REGISTRY``: what it needs fetched and a pure
``evaluate`` (fetched inputs → frozen ``CheckOutcome``, scored with the constants in ``scoring``). The engine
plans the fetches from the needs of the checks asked for, fetches (``engine``/``net``), then evaluates. Saving
is the platform's job. The engine never connects to private/loopback/link-local/special addresses unless they are
in ``ProbeConfig.allow`` (``EDUPULSE_PROBE_ALLOW`` / ``--allow``); the check runs on the resolved address of
every connection, redirects included (``net.AddressPolicy``, applied in ``connecting.open_connection``).
"""

from edupulse.monitoring.probes.checks import CHECK_NAMES, REGISTRY
from edupulse.monitoring.probes.config import ConfigError, ProbeConfig
from edupulse.monitoring.probes.engine import fetch_snapshots, probe_sites, probe_sites_sync
from edupulse.monitoring.probes.spec import CheckSpec, Need, SiteInputs
from edupulse.monitoring.probes.tampering import Baseline, build_baseline
from edupulse.monitoring.probes.types import STATUSES, CheckOutcome, PageSnapshot, SiteReport

__all__ = [
    "CHECK_NAMES",
    "REGISTRY",
    "STATUSES",
    "Baseline",
    "CheckOutcome",
    "CheckSpec",
    "ConfigError",
    "Need",
    "PageSnapshot",
    "ProbeConfig",
    "SiteInputs",
    "SiteReport",
    "build_baseline",
    "fetch_snapshots",
    "probe_sites",
    "probe_sites_sync",
]
