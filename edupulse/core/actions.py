"""The action pattern: every state change goes through a function decorated with :func:`action`.

An action is atomic, takes ``acting_user=`` as a keyword, checks permission and scope, and writes the
audit row. Views, API, admin, CLI and tasks parse input, call an action and render its result; they
hold no business logic. :func:`save_instance` and :func:`delete_instance` are the building blocks that
domain actions use for plain create/update/delete.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db import models, transaction

from edupulse.core import audit, context
from edupulse.core.actors import SYSTEM, Actor, require_actor
from edupulse.core.guards import WriteOutsideActionError
from edupulse.core.permissions import require

P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound=models.Model)


def action(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` in one transaction and mark the context as 'inside an action' for the write guard."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if "acting_user" not in kwargs:
            raise TypeError(f"{fn.__name__}() requires the keyword argument acting_user=")
        require_actor(kwargs["acting_user"], fn.__name__)  # type: ignore[arg-type]
        with transaction.atomic(), context.inside_action():
            return fn(*args, **kwargs)

    return wrapper


def _require_action(fn: Callable[..., Any]) -> None:
    """The building blocks write and audit in one transaction only when an action holds it."""
    if not context.in_action():
        raise WriteOutsideActionError(f"{fn.__name__}() must be called inside an action (see core.actions.save_object)")


def _label(instance: models.Model) -> str:
    return f"{instance._meta.app_label}.{instance._meta.model_name}"


def save_instance(instance: M, *, acting_user: Actor, verb: str | None = None) -> M:
    """Validate, authorise, save and audit one object (create or update).

    The permission is checked against the *stored* object before the change (you may only edit what
    you can see) and against the new state (you may not move an object out of your scope).
    """
    _require_action(save_instance)
    creating = instance._state.adding
    verb = verb or ("add" if creating else "change")
    before = None
    if not creating:
        stored = type(instance)._default_manager.get(pk=instance.pk)
        require(acting_user, verb, stored)
        before = audit.snapshot(stored)
    instance.full_clean()
    require(acting_user, verb, instance)
    with context.inside_action():
        instance.save()
    after = audit.snapshot(instance)
    if before is not None and before == after:
        return instance  # nothing changed: no audit noise
    audit.record(f"{_label(instance)}.{'create' if creating else 'update'}", instance,
                 acting_user=acting_user, before=before, after=after)
    return instance


def delete_instance(instance: models.Model, *, acting_user: Actor) -> None:
    """Authorise, audit and delete one object (inside an action)."""
    _require_action(delete_instance)
    require(acting_user, "delete", instance)
    before = audit.snapshot(instance)
    audit.record(f"{_label(instance)}.delete", instance, acting_user=acting_user, before=before, after=None)
    with context.inside_action():
        instance.delete()


@action
def save_object(instance: M, *, acting_user: Actor, verb: str | None = None) -> M:
    """:func:`save_instance` as an action of its own: what the default API viewsets and admin call, so a
    plain create or update and its audit row commit together (and queue on the chain lock together)."""
    return save_instance(instance, acting_user=acting_user, verb=verb)


@action
def delete_object(instance: models.Model, *, acting_user: Actor) -> None:
    """:func:`delete_instance` as an action of its own (see :func:`save_object`)."""
    delete_instance(instance, acting_user=acting_user)


def run_as_system(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call an action as the system actor from the command line (loaders): the CLI context as the source."""
    with context.using(context.cli_context()):
        return fn(*args, acting_user=SYSTEM, **kwargs)
