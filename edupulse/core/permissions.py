"""Role × verb × scope checks, shared by views, the API, the admin and actions.

``can(user, verb, obj)`` is true only when the user's role grants the verb on the model *and* the
object lies in the user's scope. Models declare ``role_permissions``: a mapping of role to the verbs
that role has on the model; a role that is not listed may only view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from edupulse.core.roles import ALL, READ_ONLY
from edupulse.core.scoping import scope_of, spec_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from edupulse.core.actors import Actor


def verbs_for(user: Actor | AnonymousUser | None, model: type[models.Model]) -> frozenset[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return ALL
    table: dict[str, frozenset[str]] = getattr(model, "role_permissions", {})
    return frozenset(table.get(getattr(user, "role", ""), READ_ONLY))


def can(user: Actor | AnonymousUser | None, verb: str, target: models.Model | type[models.Model]) -> bool:
    """Whether ``user`` may ``verb`` the model class (no object) or one object, scope included."""
    model = target if isinstance(target, type) else type(target)
    if verb not in verbs_for(user, model):
        return False
    if isinstance(target, type):
        return True
    spec = spec_for(model)
    if spec is None:
        return False
    scope = scope_of(user)
    if verb == "view" and spec.public:
        return True
    if spec.public:
        # Reference data: writable only by those with nation-wide scope.
        return scope.level == "nation"
    return spec.contains(scope, target)


def require(user: Actor | AnonymousUser | None, verb: str, target: models.Model | type[models.Model]) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may ``verb`` the target. ``None`` is refused like an
    anonymous visitor; the platform's own work passes :data:`core.actors.SYSTEM`, which may do everything."""
    if not can(user, verb, target):
        raise PermissionDenied(_("You do not have permission to do this here."))


def label(target: Any) -> str:
    model: Any = target if isinstance(target, type) else type(target)
    return f"{model._meta.app_label}.{model._meta.model_name}"
