"""Strict parsing of settings from the environment.

A bad value stops start-up with a message that names the variable, the value and what was expected,
instead of being silently coerced to a default. Every variable EduPulse reads is declared through one
of these helpers so that ``docs/architecture.md`` can list them.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SettingError(ImproperlyConfigured):
    """A variable in the environment has a value EduPulse cannot use."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        super().__init__(f"Environment variable {name}={value!r} is invalid: expected {expected}.")
        self.name = name


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    env = os.environ if environ is None else environ
    value = env.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise SettingError(name, value, "one of 1/0, true/false, yes/no, on/off")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingError(name, value, "a whole number") from None
    if minimum is not None and number < minimum:
        raise SettingError(name, value, f"a whole number >= {minimum}")
    if maximum is not None and number > maximum:
        raise SettingError(name, value, f"a whole number <= {maximum}")
    return number


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...], environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    if value is None:
        return default
    if value not in choices:
        raise SettingError(name, value, "one of " + ", ".join(choices))
    return value


def env_cidrs(name: str, environ: Mapping[str, str] | None = None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated CIDR blocks, e.g. ``127.0.0.0/8,::1/128``."""
    networks = []
    for item in env_list(name, [], environ):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise SettingError(name, item, "comma-separated CIDR blocks such as 127.0.0.0/8") from None
    return networks


def env_database_url(name: str, default: str, environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Parse ``DATABASE_URL``; only SQLite and PostgreSQL are supported."""
    import dj_database_url

    value = _raw(name, environ) or default
    scheme = value.split(":", 1)[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise SettingError(name, value, "a sqlite:///path or postgresql://user@host:port/db URL")
    try:
        max_age = env_int("EDUPULSE_DB_CONN_MAX_AGE", 60, minimum=0, environ=environ) if scheme != "sqlite" else 0
        config = dict(dj_database_url.parse(value, conn_max_age=max_age))
    except ValueError as exc:
        raise SettingError(name, value, f"a valid database URL ({exc})") from None
    return config


def env_path(name: str, default: Path, environ: Mapping[str, str] | None = None) -> Path:
    value = _raw(name, environ)
    return default if value is None else Path(value).expanduser().resolve()
