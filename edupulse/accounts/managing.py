"""Who manages whom: the one table of user management, read by the actions, the pages and the Django admin.

An officer *manages* a user when the officer may create the account, change its name, role and scope, disable or
enable it and reset its password. The table (also in docs/architecture.md, "User management"):

==================  ==============================================  =============================================
officer's role      roles they create and manage                    where the managed user's scope must lie
==================  ==============================================  =============================================
province_admin      every role (province administrators included)   the officer's province: itself, a prefecture,
                                                                    a county or a school in it
prefecture_officer  county_officer, school_cio, expert_reviewer,    the officer's prefecture (reviewers and
                    auditor                                         auditors of the prefecture itself) or a
                                                                    county or school in it
county_officer      school_cio                                      a school of the officer's county
school_cio,         nobody                                          —
expert_reviewer,
auditor
==================  ==============================================  =============================================

Three rules hold for everyone: nobody manages themselves (so nobody disables or demotes themselves; one's own
password is changed on the password page); a role is never granted above the officer's own level, nor a scope
outside the officer's own (the table and the scope column make both true); a superuser is managed only by a
superuser, in the Django admin. Peers of one level below the province (two officers of one bureau) do not manage
each other: the level above arbitrates, so a quarrel cannot lock a bureau out of its own platform. A disabled
officer manages nobody.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from edupulse.accounts.models import User
from edupulse.core.actors import is_system
from edupulse.core.roles import Role

if TYPE_CHECKING:
    from edupulse.core.actors import Actor

MANAGED_ROLES: dict[str, frozenset[str]] = {
    Role.PROVINCE_ADMIN: frozenset(Role.values),
    Role.PREFECTURE_OFFICER: frozenset({Role.COUNTY_OFFICER, Role.SCHOOL_CIO, Role.EXPERT_REVIEWER, Role.AUDITOR}),
    Role.COUNTY_OFFICER: frozenset({Role.SCHOOL_CIO}),
}


def _all_powerful(officer: Any) -> bool:
    """The platform itself and a superuser (in the Django admin) are not bound by the table."""
    return is_system(officer) or bool(getattr(officer, "is_superuser", False))


def managed_roles(officer: Actor | Any) -> frozenset[str]:
    """The roles ``officer`` may grant and manage (empty for roles that manage nobody)."""
    if officer is None or not officer.is_authenticated or not officer.is_active:
        return frozenset()
    if _all_powerful(officer):
        return frozenset(Role.values)
    return MANAGED_ROLES.get(getattr(officer, "role", ""), frozenset())


def grantable_roles(officer: Actor | Any) -> list[tuple[str, str]]:
    """``Role.choices`` limited to what ``officer`` may grant, in the order of ``Role``."""
    allowed = managed_roles(officer)
    return [(value, str(label)) for value, label in Role.choices if value in allowed]


def manages(officer: Actor | Any, target: User) -> bool:
    """Whether ``officer`` may manage ``target`` (saved, or an unsaved user about to be created or changed)."""
    if officer is None or not officer.is_authenticated:
        return False
    if _all_powerful(officer):
        return officer.is_active
    if target.is_superuser or (target.pk is not None and target.pk == officer.pk):
        return False
    if target.role not in managed_roles(officer):
        return False
    return target.in_scope(officer.scope)  # type: ignore[union-attr]  # the system actor returned above


def managed_by(officer: Actor | Any) -> QuerySet[User]:
    """The users ``officer`` manages: the same rule as :func:`manages`, as one query."""
    roles = managed_roles(officer)
    if not roles:
        return User.objects.none()
    users = User.objects.visible_to(officer)
    if _all_powerful(officer):
        return users
    return users.filter(role__in=sorted(roles), is_superuser=False).exclude(pk=officer.pk)
