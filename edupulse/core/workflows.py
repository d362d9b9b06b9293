"""Workflows as transition tables: one table per state machine, read by the actions, the pages and the API.

A :class:`Workflow` is a tuple of :class:`Transition` rows — (state before, verb, roles, state after) plus an
optional extra condition on the object — so that "who may do what, when" is written once, beside the model's
states. Actions call :meth:`Workflow.enforce` before they change anything (it raises the same Chinese
messages a person sees); templates and serializers call :meth:`Workflow.available` for the buttons they
show. Nothing else keeps a copy of the rules. Scope (``core.permissions.require``) is checked by the action
as for every other write: a workflow says *whether the role may*, the scope says *where*.

Superusers may take every transition a person may take; the system actor (``core.actors.SYSTEM``) may take
every transition, including those marked ``by_system`` (escalation, the re-probe's verdict) that no person's
role may take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from edupulse.core.actors import is_system


@dataclass(frozen=True)
class Transition:
    """One row: from ``source`` the ``verb`` leads to ``target`` (``None``: the state stays, e.g. a
    re-submission) for the ``roles`` listed, when ``when(obj)`` holds — and, with ``who``, only for the
    people of those roles for whom ``who(actor, obj)`` holds (e.g. the unit that received a notice item, not
    the officer who issued it)."""

    source: str
    verb: str
    target: str | None
    roles: frozenset[str]
    label: str | Promise = ""
    when: Callable[[Any], bool] | None = None
    by_system: bool = False
    who: Callable[[Any, Any], bool] | None = None

    def applies_to(self, obj: Any, state: str) -> bool:
        return self.source == state and (self.when is None or self.when(obj))

    def permits(self, actor: Any, obj: Any = None) -> bool:
        if is_system(actor):
            return True
        if self.by_system or actor is None or not getattr(actor, "is_authenticated", False):
            return False
        if getattr(actor, "is_superuser", False):
            return True
        if getattr(actor, "role", "") not in self.roles:
            return False
        return self.who is None or obj is None or self.who(actor, obj)


@dataclass(frozen=True)
class Workflow:
    """A state machine over ``state_field`` of a model. ``refusals`` maps a verb to the message shown when
    the object's state does not allow it; ``denials`` to the message when the role does not (the default
    says "no permission here")."""

    name: str
    transitions: tuple[Transition, ...]
    state_field: str = "status"
    refusals: dict[str, str | Promise] = field(default_factory=dict)
    denials: dict[str, str | Promise] = field(default_factory=dict)

    def state_of(self, obj: Any) -> str:
        return str(getattr(obj, self.state_field))

    def verbs(self) -> frozenset[str]:
        return frozenset(t.verb for t in self.transitions)

    def from_state(self, obj: Any) -> list[Transition]:
        state = self.state_of(obj)
        return [t for t in self.transitions if t.applies_to(obj, state)]

    def available(self, actor: Any, obj: Any) -> list[Transition]:
        """The transitions ``actor`` may take on ``obj`` now, in table order, one per verb (the buttons)."""
        seen: set[str] = set()
        result = []
        for transition in self.from_state(obj):
            if transition.verb not in seen and transition.permits(actor, obj):
                seen.add(transition.verb)
                result.append(transition)
        return result

    def available_verbs(self, actor: Any, obj: Any) -> list[str]:
        return [t.verb for t in self.available(actor, obj)]

    def enforce(self, actor: Any, obj: Any, verb: str, *, message_args: dict[str, Any] | None = None) -> Transition:
        """The transition ``actor`` takes by ``verb`` on ``obj``; raises ``ValidationError`` when the state does
        not allow the verb and ``PermissionDenied`` when the actor's role does not."""
        if verb not in self.verbs():
            raise ValueError(f"{self.name} has no verb {verb!r}")
        candidates = self.from_state(obj)
        matching = [t for t in candidates if t.verb == verb]
        if not matching:
            message = self.refusals.get(verb) or _("This cannot be done in the current state.")
            raise ValidationError(str(message) % (message_args or {}))
        for transition in matching:
            if transition.permits(actor, obj):
                return transition
        denial = self.denials.get(verb) or _("You do not have permission to do this here.")
        raise PermissionDenied(str(denial) % (message_args or {}))

    def sources(self, verb: str) -> frozenset[str]:
        """The states from which ``verb`` can be taken (for queries such as "items still open")."""
        return frozenset(t.source for t in self.transitions if t.verb == verb)


def rows(*specs: tuple[Iterable[str] | str, str, str | None, Iterable[str]], **common: Any) -> tuple[Transition, ...]:
    """Build rows compactly: ``(sources, verb, target, roles)`` with the same ``label``/``when`` for all."""
    built = []
    for sources, verb, target, roles in specs:
        for source in [sources] if isinstance(sources, str) else sources:
            built.append(Transition(source=source, verb=verb, target=target, roles=frozenset(roles), **common))
    return tuple(built)
