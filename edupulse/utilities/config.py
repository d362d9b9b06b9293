"""The one source of EduPulse's settings: every environment variable it reads, declared once.

Each field of :class:`Config` is one variable: its name, parser (``utilities.env``), default, group and a
one-line meaning. :func:`load` parses them all from a mapping (the process environment by default) and
reports every malformed variable at once (``Environment variable NAME='value' is invalid: expected …``,
one line each); :func:`current` is the process's configuration, parsed on first use and kept.
``edupulse/settings.py`` makes the Django settings from it, ``monitoring/probes/config.py`` the probe
configuration and ``collection/conf.py`` the upload limits. The table in ``docs/architecture.md#settings``
is :func:`markdown_table` (``python -m edupulse.utilities.config --markdown``); a test keeps them equal and
checks that every ``EDUPULSE_*`` name in the code and the docs is declared here.

To add a variable: add a field with :func:`setting` in the right group, read it from :func:`current`
(or from the Django setting made from it), regenerate the table into the architecture doc.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import dj_database_url

from edupulse.utilities.env import (
    Cidrs,
    DatabaseUrl,
    DnsServers,
    FilePath,
    Flag,
    IPNetwork,
    OneOf,
    ParseError,
    Parser,
    Secret,
    SettingError,
    Text,
    Whole,
    Words,
    raw_value,
)

#: The checkout (the directory above the ``edupulse`` package): the embedded setup keeps its data here.
CHECKOUT_DIR = Path(__file__).resolve().parents[2]
DEVELOPMENT_SECRET_KEY = "edupulse-insecure-development-key-change-me-in-production-0123456789"

# Groups, in the order of the settings table.
STORAGE = "Storage"
SECURITY = "Security and sign-in"
RUNNING = "Running"
WEB = "Web server (`edupulse serve`)"
TASKS = "Background tasks and schedule"
PROBES = "Probes (website monitoring)"
COLLECTION = "Statistics collection (upload limits)"
DEVELOPMENT = "Development (tests and benchmarks only)"


@dataclass(frozen=True)
class Derived:
    """A default computed from variables declared before this one (``values`` is keyed by field name)."""

    compute: Callable[[Mapping[str, Any]], Any]
    shown: str


@dataclass(frozen=True)
class Variable:
    """The declaration of one environment variable."""

    name: str
    parser: Parser[Any]
    default: Any
    meaning: str
    group: str
    shown_default: str
    field: str = ""

    def default_for(self, values: Mapping[str, Any]) -> Any:
        return self.default.compute(values) if isinstance(self.default, Derived) else self.default


def _shown(default: Any) -> str:
    """How a plain default reads in the table."""
    if isinstance(default, Derived):
        return default.shown
    if isinstance(default, bool):
        return "on" if default else "off"
    if default is None or default in ("", ()):
        return "empty"
    if isinstance(default, tuple):
        return "`" + ",".join(default) + "`"
    if isinstance(default, str):
        return f"`{default}`"
    return str(default)


def cpu_cores() -> int:
    """CPU cores this process may run on (a container's or systemd's CPU affinity, not the machine's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_web_workers() -> int:
    """gunicorn's rule of thumb, 2 × cores + 1, at most 8: each worker is a whole Django process (~100 MB) with
    its own threads, and past that the database, not the web server, is what requests wait on."""
    return min(2 * cpu_cores() + 1, 8)


def setting(name: str, parser: Parser[Any], default: Any, meaning: str, *, group: str, shown: str | None = None) -> Any:
    """Declare the dataclass field of the variable ``name`` (``shown``: the default as the table says it)."""
    variable = Variable(name, parser, default, meaning, group, shown if shown is not None else _shown(default))
    return field(metadata={"variable": variable})


@dataclass(frozen=True)
class Config:
    """Every setting EduPulse reads from the environment, parsed and typed. Immutable."""

    # --- storage -----------------------------------------------------------------------------------------------
    var_dir: Path = setting(  # noqa: RUF009 (setting() is a dataclasses.field)
        "EDUPULSE_VAR_DIR", FilePath(), CHECKOUT_DIR / "var", "data directory of the embedded setup (SQLite, DuckDB, "
        "uploaded files, static files)", group=STORAGE, shown="`var/` in the checkout")
    database_url: str = setting(
        "DATABASE_URL", DatabaseUrl(), Derived(lambda v: f"sqlite:///{v['var_dir'] / 'edupulse.sqlite3'}",
                                               "`edupulse.sqlite3` in `EDUPULSE_VAR_DIR`"),
        "the database: SQLite (embedded) or PostgreSQL (production)", group=STORAGE)
    db_conn_max_age: int = setting(
        "EDUPULSE_DB_CONN_MAX_AGE", Whole(minimum=0), 60,
        "seconds a PostgreSQL connection is reused (0 = closed after each request)", group=STORAGE)
    duckdb_path: Path = setting(  # noqa: RUF009 (setting() is a dataclasses.field)
        "EDUPULSE_DUCKDB_PATH", FilePath(), Derived(lambda v: v["var_dir"] / "analytics.duckdb",
                                                    "`analytics.duckdb` in `EDUPULSE_VAR_DIR`"),
        "the embedded analytics store", group=STORAGE)
    basedata_duckdb_path: Path = setting(  # noqa: RUF009 (setting() is a dataclasses.field)
        "EDUPULSE_BASEDATA_DUCKDB_PATH", FilePath(), Derived(lambda v: v["var_dir"] / "basedata.duckdb",
                                                             "`basedata.duckdb` in `EDUPULSE_VAR_DIR`"),
        "the base-data store (students, teachers: imported batches, clean rows, issues)", group=STORAGE)
    redis_url: str = setting(
        "EDUPULSE_REDIS_URL", Text("`redis://host:port/db`"), "",
        "Redis for the cache and the `rq` task backend; empty = a per-process memory cache", group=STORAGE)

    # --- security and sign-in ----------------------------------------------------------------------------------
    production: bool = setting(
        "EDUPULSE_PRODUCTION", Flag(), False,
        "refuse to start with the development secret key (unless `EDUPULSE_DEBUG` is on)", group=SECURITY)
    debug: bool = setting("EDUPULSE_DEBUG", Flag(), False, "Django's debug mode; never in production", group=SECURITY)
    secret_key: str = setting(
        "EDUPULSE_SECRET_KEY", Secret(min_length=32), DEVELOPMENT_SECRET_KEY,
        "Django's secret key (sessions, CSRF, password reset); required with `EDUPULSE_PRODUCTION=1`",
        group=SECURITY, shown="a development key")
    audit_key: str = setting(
        "EDUPULSE_AUDIT_KEY", Secret(), Derived(lambda v: v["secret_key"], "`EDUPULSE_SECRET_KEY`"),
        "HMAC key of the audit hash chain (separate, so that rotating the secret key keeps the chain verifiable)",
        group=SECURITY)
    pseudonym_key: str = setting(
        "EDUPULSE_PSEUDONYM_KEY", Secret(), Derived(lambda v: v["secret_key"], "`EDUPULSE_SECRET_KEY`"),
        "HMAC key of the pseudonyms of personal identifiers (students are minors)", group=SECURITY)
    allowed_hosts: tuple[str, ...] = setting(
        "EDUPULSE_ALLOWED_HOSTS", Words(), ("127.0.0.1", "localhost", "testserver"),
        "host names the web server answers to", group=SECURITY)
    csrf_trusted_origins: tuple[str, ...] = setting(
        "EDUPULSE_CSRF_TRUSTED_ORIGINS", Words(), (),
        "origins (`https://host`) trusted for form posts, e.g. behind a proxy that changes the host", group=SECURITY)
    secure_cookies: bool = setting(
        "EDUPULSE_SECURE_COOKIES", Flag(), False,
        "Secure cookies and HSTS for a year, subdomains included, with `preload` (set when served over HTTPS)",
        group=SECURITY)
    ssl_redirect: bool = setting(
        "EDUPULSE_SSL_REDIRECT", Flag(), False, "redirect plain-HTTP requests to HTTPS", group=SECURITY)
    behind_proxy: bool = setting(
        "EDUPULSE_BEHIND_PROXY", Flag(), False,
        "trust `X-Forwarded-For` / `X-Forwarded-Proto` from the reverse proxy (audit addresses, HTTPS)", group=SECURITY)
    login_failure_limit: int = setting(
        "EDUPULSE_LOGIN_FAILURE_LIMIT", Whole(minimum=1), 5,
        "failed sign-ins per user name or per address within the window before it is locked out", group=SECURITY)
    login_failure_window: int = setting(
        "EDUPULSE_LOGIN_FAILURE_WINDOW", Whole(minimum=10), 900,
        "the window of the sign-in lock-out, seconds", group=SECURITY)
    session_seconds: int = setting(
        "EDUPULSE_SESSION_SECONDS", Whole(minimum=300), 8 * 3600,
        "session length, seconds (the session also ends when the browser closes)", group=SECURITY)

    # --- running -----------------------------------------------------------------------------------------------
    time_zone: str = setting("EDUPULSE_TIME_ZONE", Text("time zone name"), "Asia/Shanghai",
                             "time zone of dates shown and of \"today\"", group=RUNNING)
    log_level: str = setting(
        "EDUPULSE_LOG_LEVEL", OneOf(("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")), "INFO",
        "level of the log written to standard error", group=RUNNING)
    enforce_actions: bool = setting(
        "EDUPULSE_ENFORCE_ACTIONS", Flag(), False,
        "raise when an audited model is written outside an action (always on in the test suite)", group=RUNNING)

    # --- web server --------------------------------------------------------------------------------------------
    bind: str = setting(
        "EDUPULSE_BIND", Text("`host:port` or `unix:/path`"), "127.0.0.1:8000",
        "where `edupulse serve` listens (behind nginx: loopback or a Unix socket); `--bind` overrides it", group=WEB)
    web_workers: int = setting(
        "EDUPULSE_WEB_WORKERS", Whole(1, 64), Derived(lambda v: default_web_workers(), "2 × CPU cores + 1, at most 8"),
        "web server processes", group=WEB)
    web_threads: int = setting(
        "EDUPULSE_WEB_THREADS", Whole(1, 64), 4,
        "request threads per web server process (a request waiting on the database leaves the others running)",
        group=WEB)
    web_timeout: int = setting(
        "EDUPULSE_WEB_TIMEOUT", Whole(10, 3600), 60,
        "seconds a web server process may stop answering its master before it is restarted, and the time it "
        "gets to finish its requests when the server stops", group=WEB)

    # --- background tasks and schedule -------------------------------------------------------------------------
    task_backend: str = setting(
        "EDUPULSE_TASK_BACKEND", OneOf(("db", "rq")), "db",
        "task queue: `db` (django-tasks-db, in the database) or `rq` (django-tasks-rq on Redis; needs "
        "`EDUPULSE_REDIS_URL`)", group=TASKS)
    sweep_lease_seconds: int = setting(
        "EDUPULSE_SWEEP_LEASE_SECONDS", Whole(minimum=30), 300,
        "how long a worker holds a sweep batch without reporting before another worker may take it over", group=TASKS)
    full_sweep_minutes: int = setting(
        "EDUPULSE_FULL_SWEEP_MINUTES", Whole(minimum=0), 24 * 60,
        "minutes between full sweeps (every check on every active site); 0 = off", group=TASKS)
    quick_sweep_minutes: int = setting(
        "EDUPULSE_QUICK_SWEEP_MINUTES", Whole(minimum=0), 60,
        "minutes between quick sweeps (availability, DNS, IPv6); 0 = off", group=TASKS)
    rollup_minutes: int = setting(
        "EDUPULSE_ROLLUP_MINUTES", Whole(minimum=0), 60,
        "minutes between refreshes of today's per-region dashboard roll-up; 0 = off", group=TASKS)
    escalate_minutes: int = setting(
        "EDUPULSE_ESCALATE_MINUTES", Whole(minimum=0), 60,
        "minutes between escalations of overdue rectification items; 0 = off", group=TASKS)
    purge_minutes: int = setting(
        "EDUPULSE_PURGE_MINUTES", Whole(minimum=0), 24 * 60,
        "minutes between purges of raw results past their retention; 0 = off", group=TASKS)
    baseline_minutes: int = setting(
        "EDUPULSE_BASELINE_MINUTES", Whole(minimum=0), 7 * 24 * 60,
        "minutes between runs of the task that builds tampering baselines for sites without one; 0 = off", group=TASKS)

    # --- probes ------------------------------------------------------------------------------------------------
    probe_allow: tuple[IPNetwork, ...] = setting(
        "EDUPULSE_PROBE_ALLOW", Cidrs(), (),
        "blocks the prober may connect to although they are private, loopback or link-local (SSRF allowlist; "
        "e.g. `127.0.0.0/8,::1/128` for local tests)", group=PROBES)
    dns_servers: tuple[str, ...] = setting(
        "EDUPULSE_DNS_SERVERS", DnsServers(), (), "DNS servers of the probes' look-ups", group=PROBES,
        shown="the system resolver")
    probe_timeout: int = setting(
        "EDUPULSE_PROBE_TIMEOUT", Whole(1, 300), 15, "time limit of each probe request, seconds", group=PROBES)
    probe_max_bytes: int = setting(
        "EDUPULSE_PROBE_MAX_BYTES", Whole(minimum=1024), 2_000_000,
        "bytes of a response read at most (the rest of a page is not searched)", group=PROBES)
    probe_concurrency: int = setting(
        "EDUPULSE_PROBE_CONCURRENCY", Whole(1, 10_000), 200, "sites probed at once by one worker", group=PROBES)
    probe_per_host: int = setting(
        "EDUPULSE_PROBE_PER_HOST", Whole(1, 100), 4, "requests at once to one host name", group=PROBES)
    probe_per_ip: int = setting(
        "EDUPULSE_PROBE_PER_IP", Whole(1, 10_000), 16,
        "requests at once to one server address, whatever the host name (shared hosting serves hundreds of "
        "school sites from one address)", group=PROBES)
    probe_retries: int = setting(
        "EDUPULSE_PROBE_RETRIES", Whole(0, 5), 1,
        "further attempts, 1 s apart, at a home page whose connection failed or timed out (HTTP errors and DNS "
        "answers are not retried)", group=PROBES)
    probe_ca_file: str | None = setting(
        "EDUPULSE_PROBE_CA_FILE", Text("path of a PEM file"), None,
        "extra CA bundle trusted by the certificate checks", group=PROBES, shown="none")
    probe_http_port: int = setting(
        "EDUPULSE_PROBE_HTTP_PORT", Whole(1, 65535), 80,
        "port where the plain-HTTP counterpart of a URL is looked for (test and bench servers listen elsewhere)",
        group=PROBES)
    probe_https_port: int = setting(
        "EDUPULSE_PROBE_HTTPS_PORT", Whole(1, 65535), 443,
        "port where the HTTPS counterpart of a URL is looked for", group=PROBES)

    # --- statistics collection ---------------------------------------------------------------------------------
    collect_max_file_mb: int = setting(
        "EDUPULSE_COLLECT_MAX_FILE_MB", Whole(minimum=1), 20, "largest upload (one file, or a whole zip), MB",
        group=COLLECTION)
    collect_max_unzipped_mb: int = setting(
        "EDUPULSE_COLLECT_MAX_UNZIPPED_MB", Whole(minimum=1), 200,
        "largest total uncompressed size of a zip or an xlsx, MB", group=COLLECTION)
    collect_max_ratio: int = setting(
        "EDUPULSE_COLLECT_MAX_RATIO", Whole(minimum=2), 200,
        "largest compression ratio of a member over 1 MB (zip bombs)", group=COLLECTION)
    collect_max_files: int = setting(
        "EDUPULSE_COLLECT_MAX_FILES", Whole(minimum=1), 30000, "most files in one zip", group=COLLECTION)
    collect_max_csv_rows: int = setting(
        "EDUPULSE_COLLECT_MAX_CSV_ROWS", Whole(minimum=1), 50000, "most data rows in one CSV", group=COLLECTION)

    # --- development -------------------------------------------------------------------------------------------
    screenshots: Path | None = setting(  # noqa: RUF009 (setting() is a dataclasses.field)
        "EDUPULSE_SCREENSHOTS", FilePath(), None,
        "directory where the browser tests save screenshots of the pages they walk", group=DEVELOPMENT, shown="none")
    bench_server: str = setting(
        "EDUPULSE_BENCH_SERVER", OneOf(("nginx", "aiohttp")), "nginx",
        "web server of the local sites of `bench/bench_probes.py` (aiohttp when nginx is not installed)",
        group=DEVELOPMENT)

    def database(self) -> dict[str, Any]:
        """Django's ``DATABASES["default"]`` (a new dict each call): connections to PostgreSQL are kept for
        ``EDUPULSE_DB_CONN_MAX_AGE`` seconds; SQLite's are not (they cost nothing to open)."""
        sqlite = self.database_url.split(":", 1)[0] == "sqlite"
        return dict(dj_database_url.parse(self.database_url, conn_max_age=0 if sqlite else self.db_conn_max_age))

    def value(self, name: str) -> Any:
        """The parsed value of the variable ``name`` (``KeyError`` if it is not declared)."""
        return getattr(self, VARIABLES_BY_NAME[name].field)


VARIABLES: tuple[Variable, ...] = tuple(replace(f.metadata["variable"], field=f.name) for f in fields(Config))
VARIABLES_BY_NAME: dict[str, Variable] = {variable.name: variable for variable in VARIABLES}


def _rules(values: Mapping[str, Any]) -> Iterator[SettingError]:
    """Checks that involve several variables (each only when the variables it needs parsed)."""
    production = values.get("production") and values.get("debug") is False
    if production and values.get("secret_key") == DEVELOPMENT_SECRET_KEY:
        yield SettingError("EDUPULSE_SECRET_KEY", "(unset)", "a secret of your own when EDUPULSE_PRODUCTION=1")
    if values.get("task_backend") == "rq" and values.get("redis_url") == "":
        yield SettingError("EDUPULSE_TASK_BACKEND", "rq", "EDUPULSE_REDIS_URL to be set as well")


def load(environ: Mapping[str, str] | None = None) -> Config:
    """Parse every declared variable of ``environ`` (default: the process environment).

    Raises :class:`SettingError` naming the variable (one line per variable when several are malformed).
    An unset or blank variable takes its default."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    errors: list[SettingError] = []
    for variable in VARIABLES:
        text = raw_value(env.get(variable.name))
        if text is None:
            with contextlib.suppress(KeyError):  # derived from a malformed variable, which is reported already
                values[variable.field] = variable.default_for(values)
            continue
        try:
            values[variable.field] = variable.parser(text)
        except ParseError as exc:
            errors.append(SettingError(variable.name, text if exc.shown is None else exc.shown, exc.expected))
    errors.extend(_rules(values))
    if errors:
        raise SettingError.combined(errors)
    return Config(**values)


@functools.cache
def current() -> Config:
    """The configuration of this process, parsed from its environment on first use (``edupulse/settings.py``
    is the first user, so a malformed variable stops start-up)."""
    return load()


def markdown_table() -> str:
    """The settings table of ``docs/architecture.md``: one table per group, in declaration order."""
    groups: dict[str, list[Variable]] = {}
    for variable in VARIABLES:
        groups.setdefault(variable.group, []).append(variable)
    lines: list[str] = []
    for group, variables in groups.items():
        lines += [f"**{group}**", "", "| variable | default | accepts | meaning |", "| --- | --- | --- | --- |"]
        lines += [f"| `{v.name}` | {_cell(v.shown_default)} | {_cell(v.parser.describe())} | {_cell(v.meaning)} |"
                  for v in variables]
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m edupulse.utilities.config",
                                     description="EduPulse's environment variables.")
    parser.add_argument("--markdown", action="store_true", required=True,
                        help="print the settings table of docs/architecture.md")
    parser.parse_args(argv)
    print(markdown_table(), end="")


if __name__ == "__main__":
    main()
