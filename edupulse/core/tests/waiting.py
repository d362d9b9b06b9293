"""Waiting in tests for something another *process* does (a worker, a server): poll with a deadline.

Within one process a test waits on what the code signals (an ``Event``, a future, a barrier), never on time.
Another process cannot signal the test, so the test looks again until the condition holds and fails with
what it was waiting for when the deadline passes; this is the one place that pauses between looks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(look: Callable[[], T | None], *, deadline: float, waiting_for: str, every: float = 0.05) -> T:
    """Call ``look`` until it returns a truthy value and return it; ``deadline`` is a ``time.monotonic()``."""
    while True:
        found = look()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {waiting_for}")
        time.sleep(every)
