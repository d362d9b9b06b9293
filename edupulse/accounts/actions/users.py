"""Creating and changing users (actions, audited).

:func:`create_user` and :func:`save_user` are the loaders' and the Django admin's; the officers' pages call
:func:`register_user`, :func:`update_user`, :func:`set_user_active` and :func:`reset_password`, which hold the
table of :mod:`edupulse.accounts.managing`. A user changes their own password with :func:`change_own_password`.
No audit row ever holds a password or its hash (``User.audit_exclude``; the reset row says only how it was chosen).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from edupulse.accounts.managing import manages
from edupulse.accounts.models import User
from edupulse.core import audit
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor, is_system

# Letters and digits that cannot be mistaken for one another when read aloud or copied from a screen.
_READABLE = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# Fields an officer sets on the users they manage (the rest is the platform's or the user's own).
MANAGED_FIELDS = ("first_name", "phone", "role", "scope_region", "scope_school")


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
    _require_manages(acting_user, user)
    if password_hash:
        user.password = password_hash
    else:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    return save_instance(user, acting_user=acting_user)


@action
def save_user(user: User, *, acting_user: Actor) -> User:
    """Save a user from the Django admin: the management table holds there too (a county officer who reaches
    the admin still changes only the school CIOs of the county)."""
    if user.pk is not None:
        _require_manages(acting_user, User.objects.get(pk=user.pk))
    _require_manages(acting_user, user)
    return save_instance(user, acting_user=acting_user)


def temporary_password() -> str:
    """A one-time password an officer reads out: three groups of four readable characters, mixed case and digits
    (so Django's validators accept it)."""
    while True:
        groups = ["".join(secrets.choice(_READABLE) for _ in range(4)) for _ in range(3)]
        candidate = "-".join(groups)
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


def _require_manages(acting_user: Actor, target: User) -> None:
    if not manages(acting_user, target):
        raise PermissionDenied(_("You may not manage this user."))


@action
def register_user(*, acting_user: Actor, username: str, role: str, password: str = "", first_name: str = "",
                  phone: str = "", scope_region_id: str | None = None, scope_school_id: int | None = None) -> tuple[User, str]:
    """An officer creates a user below them; returns the user and the password to hand over (``password`` as
    given, or a generated one-time password). The user must change it at the first sign-in."""
    user = User(username=username, role=role, first_name=first_name, phone=phone,
                scope_region_id=scope_region_id or None, scope_school_id=scope_school_id, must_change_password=True)
    user.full_clean(exclude=["password"])
    _require_manages(acting_user, user)
    chosen = password or temporary_password()
    validate_password(chosen, user)
    user.set_password(chosen)
    return save_instance(user, acting_user=acting_user), chosen


@action
def update_user(user: User, *, acting_user: Actor, **changes: Any) -> User:
    """Change the name, phone, role or scope of a managed user; the officer must manage the user before and
    after (no role above their own, no scope outside their own, never themselves)."""
    unknown = set(changes) - {*MANAGED_FIELDS, "scope_region_id", "scope_school_id"}
    if unknown:
        raise ValueError(f"update_user cannot change {sorted(unknown)}")
    # A fresh copy: a refused change leaves the caller's object as it was.
    target = User.objects.get(pk=user.pk)
    _require_manages(acting_user, target)
    for name, value in changes.items():
        setattr(target, name, value)
    _require_manages(acting_user, target)
    return save_instance(target, acting_user=acting_user)


@action
def set_user_active(user: User, active: bool, *, acting_user: Actor) -> User:
    """Disable or enable a managed user (a disabled user cannot sign in; their records and audit rows stay)."""
    if not is_system(acting_user) and user.pk == acting_user.pk:
        raise PermissionDenied(_("You cannot disable your own account."))
    _require_manages(acting_user, User.objects.get(pk=user.pk))
    user.is_active = active
    return save_instance(user, acting_user=acting_user)


@action
def reset_password(user: User, *, acting_user: Actor, password: str = "") -> str:
    """Give a managed user a new password (``password`` as typed by the officer, or a generated one-time one)
    that must be changed at the next sign-in; returns it so that the page can show it once. The audit row says
    that the password was reset and how it was chosen, never the password."""
    _require_manages(acting_user, User.objects.get(pk=user.pk))
    chosen = password or temporary_password()
    validate_password(chosen, user)
    user.set_password(chosen)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit.record("accounts.user.reset_password", user, acting_user=acting_user,
                 after={"must_change_password": True, "chosen_by": "officer" if password else "generated"})
    return chosen


@action
def change_own_password(user: User, *, acting_user: Actor, password: str) -> User:
    """The user sets their own password (the form checked the old one); clears the forced change."""
    if is_system(acting_user) or acting_user.pk != user.pk:
        raise PermissionDenied(_("Only the user may change their own password here."))
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record("accounts.user.change_password", user, acting_user=acting_user,
                 after={"must_change_password": False})
    return user
