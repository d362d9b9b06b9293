"""Strict parsers for values from the environment.

A bad value stops start-up with a message that names the variable, the value and what was expected,
instead of being silently coerced to a default. The variables themselves are declared, once each, in
:mod:`edupulse.utilities.config`, which uses the parsers below; this module only knows how to read one
text. Each parser also describes what it accepts, for the settings table of ``docs/architecture.md``.

The ``env_*`` helpers at the end read one variable of a mapping with a parser; a new variable is declared
in ``utilities/config.py`` instead of being read with them.
"""

from __future__ import annotations

import ipaddress
import os
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SettingError(ImproperlyConfigured):
    """A variable in the environment has a value EduPulse cannot use."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        super().__init__(f"Environment variable {name}={value!r} is invalid: expected {expected}.")
        self.name = name
        self.errors: tuple[SettingError, ...] = (self,)

    @classmethod
    def combined(cls, errors: Sequence[SettingError]) -> SettingError:
        """One error for several malformed variables: one ``Environment variable …`` line each."""
        if len(errors) == 1:
            return errors[0]
        error = cls.__new__(cls)
        ImproperlyConfigured.__init__(error, "\n".join(str(each) for each in errors))
        error.name = errors[0].name
        error.errors = tuple(errors)
        return error


class ParseError(ValueError):
    """Raised by a parser: the text is not acceptable.

    ``expected`` completes the sentence "… is invalid: expected …"; ``shown`` replaces the value in the
    message (one item of a list, or ``***`` for a secret)."""

    def __init__(self, expected: str, shown: str | None = None) -> None:
        super().__init__(expected)
        self.expected = expected
        self.shown = shown


class Parser(ABC, Generic[T]):
    """Turns the (stripped, non-empty) text of a variable into a typed value or raises :class:`ParseError`."""

    @abstractmethod
    def describe(self) -> str:
        """What the parser accepts, for the settings table."""

    @abstractmethod
    def __call__(self, text: str) -> T:
        """The typed value of ``text``."""


@dataclass(frozen=True)
class Text(Parser[str]):
    """Any text; ``description`` says what it is for the table (a path, a URL…)."""

    description: str = "text"

    def describe(self) -> str:
        return self.description

    def __call__(self, text: str) -> str:
        return text


@dataclass(frozen=True)
class Secret(Parser[str]):
    """A key: never repeated in a message."""

    min_length: int = 0

    def describe(self) -> str:
        return f"text, at least {self.min_length} characters" if self.min_length else "text"

    def __call__(self, text: str) -> str:
        if len(text) < self.min_length:
            raise ParseError(f"at least {self.min_length} characters", shown="***")
        return text


@dataclass(frozen=True)
class Flag(Parser[bool]):
    def describe(self) -> str:
        return "flag"

    def __call__(self, text: str) -> bool:
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ParseError("one of 1/0, true/false, yes/no, on/off")


@dataclass(frozen=True)
class Whole(Parser[int]):
    """A whole number, optionally bounded."""

    minimum: int | None = None
    maximum: int | None = None

    def describe(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"whole number {self.minimum}–{self.maximum}"
        if self.minimum is not None:
            return f"whole number ≥ {self.minimum}"
        if self.maximum is not None:
            return f"whole number ≤ {self.maximum}"
        return "whole number"

    def __call__(self, text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise ParseError("a whole number") from None
        if self.minimum is not None and number < self.minimum:
            raise ParseError(f"a whole number >= {self.minimum}")
        if self.maximum is not None and number > self.maximum:
            raise ParseError(f"a whole number <= {self.maximum}")
        return number


@dataclass(frozen=True)
class Words(Parser[tuple[str, ...]]):
    """Comma-separated items; empty items are dropped."""

    def describe(self) -> str:
        return "comma-separated list"

    def __call__(self, text: str) -> tuple[str, ...]:
        return tuple(item.strip() for item in text.split(",") if item.strip())


@dataclass(frozen=True)
class OneOf(Parser[str]):
    choices: tuple[str, ...]

    def describe(self) -> str:
        quoted = [f"`{choice}`" for choice in self.choices]
        return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]

    def __call__(self, text: str) -> str:
        if text not in self.choices:
            raise ParseError("one of " + ", ".join(self.choices))
        return text


@dataclass(frozen=True)
class Cidrs(Parser[tuple[IPNetwork, ...]]):
    """Comma-separated CIDR blocks, e.g. ``127.0.0.0/8,::1/128``."""

    def describe(self) -> str:
        return "comma-separated CIDR blocks"

    def __call__(self, text: str) -> tuple[IPNetwork, ...]:
        networks = []
        for item in Words()(text):
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ParseError("comma-separated CIDR blocks such as 127.0.0.0/8", shown=item) from None
        return tuple(networks)


def dns_server_address(value: str) -> tuple[str, int]:
    """``host[:port]`` → (ip, port); IPv6 as ``[addr]:port`` (or a bare address). The host must be an IP
    address: a resolver cannot resolve itself. Raises ``ValueError`` with a sentence naming the value."""
    text = value.strip()
    host, port_text = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(f"DNS server {value!r}: missing ']'")
        host, rest = text[1:end], text[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"DNS server {value!r}: expected [address]:port")
            port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"DNS server {value!r}: host must be an IP address") from None
    port = 53
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"DNS server {value!r}: port must be 1-65535")
        port = int(port_text)
    return str(address), port


@dataclass(frozen=True)
class DnsServers(Parser[tuple[str, ...]]):
    """Comma-separated ``host[:port]`` with IP hosts; kept as written (the prober parses them again)."""

    def describe(self) -> str:
        return "comma-separated `host[:port]`, IP hosts, IPv6 as `[addr]:port`"

    def __call__(self, text: str) -> tuple[str, ...]:
        servers = Words()(text)
        for server in servers:
            try:
                dns_server_address(server)
            except ValueError:
                raise ParseError("comma-separated host[:port] with an IP host", shown=server) from None
        return servers


@dataclass(frozen=True)
class FilePath(Parser[Path]):
    """A path; ``~`` is expanded and the path made absolute."""

    def describe(self) -> str:
        return "path"

    def __call__(self, text: str) -> Path:
        return Path(text).expanduser().resolve()


@dataclass(frozen=True)
class DatabaseUrl(Parser[str]):
    """A database URL; only SQLite and PostgreSQL are supported. Kept as text: the connection settings
    are made from it together with ``EDUPULSE_DB_CONN_MAX_AGE`` (``Config.database``)."""

    SCHEMES = frozenset({"sqlite", "postgres", "postgresql", "pgsql"})

    def describe(self) -> str:
        return "`sqlite:///path` or `postgresql://user@host:port/db`"

    def __call__(self, text: str) -> str:
        if text.split(":", 1)[0] not in self.SCHEMES:
            raise ParseError("a sqlite:///path or postgresql://user@host:port/db URL")
        try:
            dj_database_url.parse(text)
        except ValueError as exc:
            raise ParseError(f"a valid database URL ({exc})") from None
        return text


def raw_value(text: str | None) -> str | None:
    """The stripped text of a variable, or None when it is unset or blank (blank means "use the default")."""
    if text is None or text.strip() == "":
        return None
    return text.strip()


def read(name: str, parser: Parser[T], default: T, environ: Mapping[str, str] | None = None) -> T:
    """The variable ``name`` of ``environ`` (default: the process environment) parsed, or ``default``."""
    value = raw_value((os.environ if environ is None else environ).get(name))
    if value is None:
        return default
    try:
        return parser(value)
    except ParseError as exc:
        raise SettingError(name, value if exc.shown is None else exc.shown, exc.expected) from None


def env_str(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    return read(name, Text(), default, environ)


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    return read(name, Flag(), default, environ)


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    return read(name, Whole(minimum, maximum), default, environ)


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    items: tuple[str, ...] = read(name, Words(), tuple(default), environ)
    return list(items)


def env_choice(name: str, default: str, choices: tuple[str, ...], environ: Mapping[str, str] | None = None) -> str:
    return read(name, OneOf(choices), default, environ)


def env_cidrs(name: str, environ: Mapping[str, str] | None = None) -> list[IPNetwork]:
    """Comma-separated CIDR blocks, e.g. ``127.0.0.0/8,::1/128``."""
    networks: tuple[IPNetwork, ...] = read(name, Cidrs(), (), environ)
    return list(networks)

