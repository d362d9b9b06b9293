"""The notify seam: how an app below or beside monitoring sends a message over the alert channels of a region.

The alert channels (DingTalk, WeCom, email, webhook) and their sending live in ``monitoring``, and domain apps
may not import each other (import-linter), so ``collection``'s 催报 cannot call monitoring. Instead monitoring
registers its sender here from ``AppConfig.ready`` (like ``core.analytics.register``), and a caller asks
:func:`send` without knowing who delivers. With no sender registered (monitoring not installed) nothing is sent
and the caller records that no channel was configured.

:func:`send` does network I/O: call it outside any action's transaction, then record its results in an action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from edupulse.core.actors import Actor


@dataclass(frozen=True)
class ChannelResult:
    """The outcome of one message on one channel (``kind`` is the channel's label, e.g. 钉钉群机器人)."""

    channel: str
    kind: str
    delivered: bool
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# (region code, title, markdown text, acting user) → one result per channel that covers the region.
Sender = Callable[[str, str, str, Actor], list[ChannelResult]]

_SENDERS: dict[str, Sender] = {}


def register_sender(name: str, sender: Sender) -> None:
    """Register (or replace, by ``name``) a sender; monitoring registers its alert channels."""
    _SENDERS[name] = sender


def send(region_code: str, title: str, text: str, *, acting_user: Actor) -> list[ChannelResult]:
    """Send ``title``/``text`` over every registered sender's channels for ``region_code``."""
    results: list[ChannelResult] = []
    for sender in _SENDERS.values():
        results.extend(sender(region_code, title, text, acting_user))
    return results
