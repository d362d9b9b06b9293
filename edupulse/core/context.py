"""Who is acting and from where, for the audit trail.

The middleware (web/API) and the CLI set this once per request or command; actions read it when they
write audit rows, so the caller never passes the address around by hand.
"""

from __future__ import annotations

import contextvars
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    source: str  # web | api | cli | task | system
    address: str  # client IP for web/API, "cli@host" for commands


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("edupulse_request", default=None)
_in_action: contextvars.ContextVar[int] = contextvars.ContextVar("edupulse_in_action", default=0)


def current() -> RequestContext:
    ctx = _current.get()
    if ctx is None:
        return RequestContext(source="system", address=f"system@{socket.gethostname()}")
    return ctx


@contextmanager
def using(ctx: RequestContext) -> Iterator[None]:
    token = _current.set(ctx)
    try:
        yield
    finally:
        _current.reset(token)


def cli_context() -> RequestContext:
    return RequestContext(source="cli", address=f"cli@{socket.gethostname()}")


@contextmanager
def inside_action() -> Iterator[None]:
    token = _in_action.set(_in_action.get() + 1)
    try:
        yield
    finally:
        _in_action.reset(token)


def in_action() -> bool:
    return _in_action.get() > 0
