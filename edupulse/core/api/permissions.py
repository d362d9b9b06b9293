"""DRF permission applying role × verb × scope to every endpoint."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from edupulse.core.permissions import can

_VERB_BY_METHOD = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add", "PUT": "change",
                   "PATCH": "change", "DELETE": "delete"}


class ScopedObjectPermission(BasePermission):
    """Requires a signed-in user whose role grants the method's verb on the view's model.

    Object access is already limited by the scoped queryset (out-of-scope objects answer 404); the
    object check here guards writes on objects a user may see but not change.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        model = getattr(getattr(view, "queryset", None), "model", None) or getattr(view, "model", None)
        if model is None:
            return True  # non-model endpoints (schema, me) do their own checks
        return can(user, _VERB_BY_METHOD.get(request.method or "GET", "change"), model)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return can(request.user, _VERB_BY_METHOD.get(request.method or "GET", "change"), obj)
