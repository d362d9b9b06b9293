"""Account changes and sign-in throttling."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db.models import Q
from django.utils import timezone

from edupulse.accounts.models import LoginFailure, User
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor


@action
def create_user(*, acting_user: Actor, username: str, password: str = "", password_hash: str = "",
                role: str = "", validate: bool = True, **fields: Any) -> User:
    """Create a user with a role and a scope; the password is checked against the password policy.

    ``password_hash`` (from ``make_password``) lets a loader that creates many users with one known
    password (the demo) pay for the deliberately slow Argon2 hash once instead of once per user.
    """
    if bool(password) == bool(password_hash):
        raise ValueError("give exactly one of password= and password_hash=")
    user = User(username=username, role=role, **fields)
    if password_hash:
        user.password = password_hash
    else:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    saved = save_instance(user, acting_user=acting_user)
    assert isinstance(saved, User)
    return saved


@action
def save_user(user: User, *, acting_user: Actor) -> User:
    saved = save_instance(user, acting_user=acting_user)
    assert isinstance(saved, User)
    return saved


def is_locked_out(username: str, address: str) -> bool:
    """True when the username or the address has too many recent failures."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(created_at__gte=since)
    limit = settings.LOGIN_FAILURE_LIMIT
    by_user = recent.filter(username=username.lower()).count() if username else 0
    by_address = recent.filter(address=address).count() if address else 0
    return by_user >= limit or by_address >= limit * 4


def note_login_failure(username: str, address: str) -> None:
    # Bookkeeping, not a change of state anyone acts on: not audited row by row.
    LoginFailure.objects.create(username=username.lower()[:150], address=address[:128])


def clear_login_failures(username: str, address: str) -> None:
    LoginFailure.objects.filter(Q(username=username.lower()) | Q(address=address)).delete()
