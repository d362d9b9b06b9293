"""Arranging a test's starting state with direct writes.

The write guard is on for the whole suite, so a test that back-dates a timestamp or breaks a row on purpose
says so explicitly: ``with arranging(): Model.objects.filter(...).update(...)``. Product code never uses this;
it goes through actions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from edupulse.core import context


@contextmanager
def arranging() -> Iterator[None]:
    """Let the block write audited models directly (test set-up only; no audit rows are written)."""
    with context.inside_action():
        yield
