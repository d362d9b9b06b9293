"""Settings come from the environment, declared once (utilities/config.py), and a bad value stops start-up
with a message naming the variable; the settings table of the architecture doc cannot drift from the code."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from edupulse.collection import conf
from edupulse.monitoring.probes.config import ProbeConfig
from edupulse.utilities.config import CHECKOUT_DIR, DEVELOPMENT_SECRET_KEY, VARIABLES, VARIABLES_BY_NAME, load, markdown_table
from edupulse.utilities.env import SettingError

ROOT = Path(__file__).resolve().parents[3]
GOOD_SECRET = "a-production-secret-of-at-least-32-characters"


def message(name: str, shown: str, expected: str) -> str:
    return f"Environment variable {name}={shown!r} is invalid: expected {expected}."


# --- malformed values are refused, naming the variable --------------------------------------------------------
@pytest.mark.parametrize("name, value, shown, expected", [
    ("EDUPULSE_DEBUG", "maybe", "maybe", "one of 1/0, true/false, yes/no, on/off"),
    ("EDUPULSE_LOGIN_FAILURE_LIMIT", "five", "five", "a whole number"),
    ("EDUPULSE_SESSION_SECONDS", "60", "60", "a whole number >= 300"),
    ("EDUPULSE_PROBE_TIMEOUT", "301", "301", "a whole number <= 300"),
    ("EDUPULSE_TASK_BACKEND", "celery", "celery", "one of db, rq"),
    ("EDUPULSE_LOG_LEVEL", "verbose", "verbose", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    # A list names the item that is wrong, not the whole list.
    ("EDUPULSE_PROBE_ALLOW", "10.0.0.0/8, 127.0.0.1/99", "127.0.0.1/99", "comma-separated CIDR blocks such as 127.0.0.0/8"),
    ("EDUPULSE_DNS_SERVERS", "127.0.0.1:53,dns.example:53", "dns.example:53", "comma-separated host[:port] with an IP host"),
    ("DATABASE_URL", "mysql://x/y", "mysql://x/y", "a sqlite:///path or postgresql://user@host:port/db URL"),
    ("EDUPULSE_COLLECT_MAX_RATIO", "1", "1", "a whole number >= 2"),
])
def test_a_malformed_value_is_refused_with_a_message_naming_the_variable(name: str, value: str, shown: str,
                                                                          expected: str) -> None:
    with pytest.raises(SettingError) as caught:
        load({name: value})
    assert str(caught.value) == message(name, shown, expected)
    assert caught.value.name == name


def test_a_short_secret_is_refused_without_repeating_it() -> None:
    with pytest.raises(SettingError) as caught:
        load({"EDUPULSE_SECRET_KEY": "hunter2-but-longer"})
    assert str(caught.value) == message("EDUPULSE_SECRET_KEY", "***", "at least 32 characters")
    assert "hunter2" not in str(caught.value)


def test_every_malformed_variable_is_reported_at_once() -> None:
    with pytest.raises(SettingError) as caught:
        load({"EDUPULSE_DEBUG": "maybe", "EDUPULSE_PROBE_PER_IP": "0", "EDUPULSE_SWEEP_LEASE_SECONDS": "5"})
    assert str(caught.value).splitlines() == [
        message("EDUPULSE_DEBUG", "maybe", "one of 1/0, true/false, yes/no, on/off"),
        message("EDUPULSE_SWEEP_LEASE_SECONDS", "5", "a whole number >= 30"),
        message("EDUPULSE_PROBE_PER_IP", "0", "a whole number >= 1"),
    ]
    assert [error.name for error in caught.value.errors] == [
        "EDUPULSE_DEBUG", "EDUPULSE_SWEEP_LEASE_SECONDS", "EDUPULSE_PROBE_PER_IP"]


def test_production_needs_a_secret_of_its_own_and_rq_needs_redis() -> None:
    with pytest.raises(SettingError) as caught:
        load({"EDUPULSE_PRODUCTION": "1"})
    assert str(caught.value) == message("EDUPULSE_SECRET_KEY", "(unset)", "a secret of your own when EDUPULSE_PRODUCTION=1")
    assert load({"EDUPULSE_PRODUCTION": "1", "EDUPULSE_SECRET_KEY": GOOD_SECRET}).secret_key == GOOD_SECRET
    assert load({"EDUPULSE_PRODUCTION": "1", "EDUPULSE_DEBUG": "1"}).secret_key == DEVELOPMENT_SECRET_KEY
    with pytest.raises(SettingError) as caught:
        load({"EDUPULSE_TASK_BACKEND": "rq"})
    assert str(caught.value) == message("EDUPULSE_TASK_BACKEND", "rq", "EDUPULSE_REDIS_URL to be set as well")
    assert load({"EDUPULSE_TASK_BACKEND": "rq", "EDUPULSE_REDIS_URL": "redis://127.0.0.1:6379/0"}).task_backend == "rq"


# --- good values and defaults ---------------------------------------------------------------------------------
def test_defaults_follow_the_data_directory_and_the_secret_key(tmp_path: Path) -> None:
    default = load({})
    assert default.var_dir == CHECKOUT_DIR / "var"
    assert default.database()["NAME"] == str(CHECKOUT_DIR / "var" / "edupulse.sqlite3")
    assert default.audit_key == default.pseudonym_key == default.secret_key == DEVELOPMENT_SECRET_KEY
    moved = load({"EDUPULSE_VAR_DIR": str(tmp_path), "EDUPULSE_SECRET_KEY": GOOD_SECRET, "EDUPULSE_AUDIT_KEY": "audit"})
    assert moved.duckdb_path == tmp_path / "analytics.duckdb"
    assert moved.database()["NAME"] == str(tmp_path / "edupulse.sqlite3")
    assert (moved.audit_key, moved.pseudonym_key) == ("audit", GOOD_SECRET)


def test_values_are_stripped_and_blank_means_the_default() -> None:
    config = load({"EDUPULSE_LOGIN_FAILURE_LIMIT": " 42 ", "EDUPULSE_DEBUG": "  ", "EDUPULSE_SECURE_COOKIES": "Yes",
                   "EDUPULSE_ALLOWED_HOSTS": "a.example, ,b.example", "EDUPULSE_PROBE_ALLOW": "10.0.0.0/8, ::1/128"})
    assert config.login_failure_limit == 42
    assert config.debug is False and config.secure_cookies is True
    assert config.allowed_hosts == ("a.example", "b.example")
    assert config.probe_allow == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))


def test_postgresql_connections_are_kept_for_the_configured_age_sqlite_ones_are_not() -> None:
    postgres = load({"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test", "EDUPULSE_DB_CONN_MAX_AGE": "7"})
    assert (postgres.database()["ENGINE"], postgres.database()["CONN_MAX_AGE"]) == ("django.db.backends.postgresql", 7)
    sqlite = load({"EDUPULSE_DB_CONN_MAX_AGE": "7"})
    assert (sqlite.database()["ENGINE"], sqlite.database()["CONN_MAX_AGE"]) == ("django.db.backends.sqlite3", 0)


def test_the_django_settings_are_made_from_the_environment(tmp_path: Path) -> None:
    # The PostgreSQL pass of the suite sets DATABASE_URL; this test is about the embedded default.
    inherited = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env = {**inherited, "EDUPULSE_VAR_DIR": str(tmp_path), "EDUPULSE_SESSION_SECONDS": "600",
           "EDUPULSE_ALLOWED_HOSTS": "edu.example", "EDUPULSE_REDIS_URL": "redis://127.0.0.1:6379/3",
           "EDUPULSE_TASK_BACKEND": "rq", "EDUPULSE_QUICK_SWEEP_MINUTES": "0", "EDUPULSE_BEHIND_PROXY": "on"}
    code = ("import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({"
            "'age': s.SESSION_COOKIE_AGE, 'hosts': s.ALLOWED_HOSTS, 'cache': s.CACHES['default']['LOCATION'],"
            "'tasks': s.TASKS['default']['BACKEND'], 'quick': s.SCHEDULE_MINUTES['quick_sweep'],"
            "'proxy': s.SECURE_PROXY_SSL_HEADER, 'db': str(s.DATABASES['default']['NAME'])}))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout) == {
        "age": 600, "hosts": ["edu.example"], "cache": "redis://127.0.0.1:6379/3", "tasks": "django_tasks_rq.RQBackend",
        "quick": 0, "proxy": ["HTTP_X_FORWARDED_PROTO", "https"], "db": str(tmp_path / "edupulse.sqlite3")}


def test_the_command_stops_with_the_message() -> None:
    env = {**os.environ, "EDUPULSE_LOGIN_FAILURE_LIMIT": "five", "EDUPULSE_PROBE_TIMEOUT": "0"}
    done = subprocess.run([sys.executable, "-m", "edupulse", "check"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0
    assert message("EDUPULSE_LOGIN_FAILURE_LIMIT", "five", "a whole number") in done.stderr
    assert message("EDUPULSE_PROBE_TIMEOUT", "0", "a whole number >= 1") in done.stderr


# --- the probe and collection configurations are made from the same declarations -----------------------------
def test_probe_config_defaults_are_the_variables_defaults() -> None:
    assert ProbeConfig.from_env({}) == ProbeConfig()


def test_probe_config_reads_the_variables_and_overrides_win() -> None:
    config = ProbeConfig.from_env({"EDUPULSE_PROBE_TIMEOUT": "20", "EDUPULSE_PROBE_CA_FILE": "/etc/ca.pem",
                                   "EDUPULSE_PROBE_HTTPS_PORT": "8443", "EDUPULSE_PROBE_RETRIES": "0"},
                                  retries=2)
    assert (config.timeout_s, config.ca_file, config.https_port, config.retries) == (20.0, "/etc/ca.pem", 8443, 2)


def test_collection_limits_come_from_the_environment_and_a_django_setting_overrides_them(settings: Any) -> None:
    assert conf.limit("EDUPULSE_COLLECT_MAX_FILES") == 30000
    assert conf.max_file_bytes() == 20 * 1024 * 1024
    settings.EDUPULSE_COLLECT_MAX_FILE_MB = 3
    assert conf.max_file_bytes() == 3 * 1024 * 1024
    with pytest.raises(KeyError):
        conf.limit("EDUPULSE_PROBE_TIMEOUT")


# --- the documentation cannot drift ---------------------------------------------------------------------------
def _settings_section() -> str:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    start = text.index("\n## Settings\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def test_the_settings_table_of_the_architecture_doc_is_the_generated_one() -> None:
    assert markdown_table() in _settings_section(), (
        "docs/architecture.md#settings is out of date: paste `python -m edupulse.utilities.config --markdown`")
    for variable in VARIABLES:
        assert variable.meaning and variable.shown_default and variable.parser.describe(), variable.name


def test_the_table_is_printed_by_the_module() -> None:
    done = subprocess.run([sys.executable, "-m", "edupulse.utilities.config", "--markdown"], capture_output=True,
                          text=True, timeout=60, check=True, cwd=ROOT)
    assert done.stdout == markdown_table()


# A name, or a pattern such as EDUPULSE_PROBE_* (then some declared variable must match it).
NAME = re.compile(r"(?<![A-Za-z0-9_])EDUPULSE_[A-Z0-9_*]*[A-Z0-9*](?![A-Za-z0-9_])")
READ = re.compile(r"""(?:environ\.get|getenv)\(\s*["'](EDUPULSE_\w+)|environ\[\s*["'](EDUPULSE_\w+)["']\s*\](?!\s*=[^=])"""
                  r"""|\$\{?(EDUPULSE_\w+)""")


def _project_texts() -> dict[str, str]:
    """Source, scripts, docs and deployment samples of the project (not translations, not the virtualenv)."""
    roots = [ROOT / "edupulse", ROOT / "bench", ROOT / "tools", ROOT / "docs", ROOT / "deploy"]
    files = [ROOT / "Makefile", ROOT / "README.md", ROOT / "pyproject.toml"]
    for root in roots:
        for path in root.rglob("*"):
            parts = set(path.relative_to(ROOT).parts)
            if path.is_file() and not parts & {"locale", "__pycache__", "node_modules", "results"} and (
                    path.suffix in {".py", ".md", ".sh", ".html", ".toml", ".mjs", ".js", ".txt", ".service", ".example"}
                    or path.parent.name == "tools"):
                files.append(path)
    return {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8", errors="replace") for path in files if path.exists()}


def test_every_variable_the_code_and_docs_name_is_declared() -> None:
    declared = set(VARIABLES_BY_NAME)
    unknown: dict[str, set[str]] = {}
    for path, text in _project_texts().items():
        for name in NAME.findall(text):
            if name not in declared and not ("*" in name and any(fnmatchcase(each, name) for each in declared)):
                unknown.setdefault(name, set()).add(path)
    assert not unknown, f"declare these in edupulse/utilities/config.py: {unknown}"


def test_no_module_reads_a_variable_behind_the_declarations_back() -> None:
    reads = {path: [next(filter(None, match)) for match in READ.findall(text)]
             for path, text in _project_texts().items() if not path.endswith(".md")}
    assert {path: names for path, names in reads.items() if names} == {}, (
        "read EDUPULSE_* variables through edupulse.utilities.config.current()")
