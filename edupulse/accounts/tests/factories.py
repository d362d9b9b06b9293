from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from edupulse.accounts import actions
from edupulse.accounts.models import User
from edupulse.core.actions import run_as_system

_sequence = itertools.count(1)
PASSWORD = "Edu-pulse-test-2026"


def make_user(role: str, *, region: str = "", school: Any = None, **fields: Any) -> User:
    """A user with ``role`` scoped to a region code or a school."""
    number = next(_sequence)
    user: User = run_as_system(
        actions.create_user,
        username=fields.pop("username", f"{role}-{number}"),
        password=PASSWORD,
        role=role,
        scope_region_id=region or None,
        scope_school=school,
        validate=False,
        **fields,
    )
    return user


def make_superuser() -> User:
    number = next(_sequence)
    user: User = run_as_system(actions.create_user, username=f"root-{number}", password=PASSWORD,
                               is_superuser=True, is_staff=True, validate=False)
    return user


SCOPED_FACTORIES: dict[str, Callable[[Any], Any]] = {
    "accounts.User": lambda school: make_user("school_cio", school=school),
}
