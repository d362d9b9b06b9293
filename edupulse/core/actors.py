"""Who may act: a signed-in user, or the platform itself as one explicit system actor.

Scheduled jobs, workers and CLI loaders act as :data:`SYSTEM`, never as ``None``: an action called with
``acting_user=None`` is refused (a forgotten argument must not become "allowed"), and the audit trail
records the system by name (``actor_username = "system"``) with the source the context gives (cli, task).
The CLI authorises its operator (shell access to the server) before it acts as the system.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeGuard, Union

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from edupulse.accounts.models import User

SYSTEM_USERNAME: Final = "system"


class SystemActor:
    """The platform acting on its own behalf. It has every permission and nation-wide scope; it has no
    database row, so audit rows carry ``actor_id = NULL`` and ``actor_username = "system"``."""

    pk = None
    id = None
    role = ""
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = False
    is_system = True

    def get_username(self) -> str:
        return SYSTEM_USERNAME

    @property
    def username(self) -> str:
        return SYSTEM_USERNAME

    def __str__(self) -> str:
        return SYSTEM_USERNAME

    def __repr__(self) -> str:
        return "<SystemActor>"

    def __reduce__(self) -> str:
        return "SYSTEM"  # a singleton survives pickling (task arguments) as itself


SYSTEM: Final = SystemActor()

# What an action accepts as ``acting_user``.
Actor = Union["User", SystemActor]


def is_system(actor: Any) -> TypeGuard[SystemActor]:
    return actor is SYSTEM or isinstance(actor, SystemActor)


def require_actor(actor: User | SystemActor | AnonymousUser | None, name: str) -> None:
    """Refuse a call without an actor: ``None`` is a programming error, not the system."""
    if actor is None:
        raise TypeError(f"{name}() was called with acting_user=SYSTEM; pass the user, or core.actors.SYSTEM "
                        "for the platform's own work")
