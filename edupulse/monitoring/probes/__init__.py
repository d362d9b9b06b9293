"""The website probe engine (issue 4): model-free, asyncio + a lean HTTP/1.1 client on llhttp + dnspython.

Public interface used by the monitoring platform and the ``edupulse probe`` command::

    from edupulse.monitoring.probes import ProbeConfig, probe_sites_sync
    reports = probe_sites_sync(["https://www.example.edu.cn/"], config=ProbeConfig.from_env())
    for report in reports:
        for check in report.checks:          # one CheckResult per name in CHECK_NAMES, always
            check.name, check.status, check.score, check.evidence

Every probe has one shape: fetch (``engine``/``net``) → evaluate (a pure function in the check's module
returning a frozen dataclass) → score (constants in ``scoring``) → ``CheckResult``. Saving is the
platform's job. The engine never connects to private/loopback/link-local/special addresses unless they are
in ``ProbeConfig.allow`` (``EDUPULSE_PROBE_ALLOW`` / ``--allow``); the check runs on the resolved address of
every connection, redirects included (``net.AddressPolicy``).
"""

from edupulse.monitoring.probes.config import ConfigError, ProbeConfig
from edupulse.monitoring.probes.engine import fetch_snapshots, probe_sites, probe_sites_sync
from edupulse.monitoring.probes.tampering import Baseline, build_baseline
from edupulse.monitoring.probes.types import CHECK_NAMES, STATUSES, CheckResult, PageSnapshot, SiteReport

__all__ = [
    "CHECK_NAMES",
    "STATUSES",
    "Baseline",
    "CheckResult",
    "ConfigError",
    "PageSnapshot",
    "ProbeConfig",
    "SiteReport",
    "build_baseline",
    "fetch_snapshots",
    "probe_sites",
    "probe_sites_sync",
]
