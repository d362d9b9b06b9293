"""Creating and changing users (actions, audited)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password

from edupulse.accounts.models import User
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
    return save_instance(user, acting_user=acting_user)


@action
def save_user(user: User, *, acting_user: Actor) -> User:
    return save_instance(user, acting_user=acting_user)
