"""Base API viewsets: the queryset is always ``visible_to(request.user)`` and writes call actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db import models
from rest_framework import serializers, viewsets

from edupulse.core.actions import delete_object, save_object


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """List and retrieve, restricted to the caller's scope."""

    model: ClassVar[type[models.Model]]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        base = self.queryset if self.queryset is not None else self.model._default_manager.all()
        return base.visible_to(self.request.user)  # type: ignore[union-attr,attr-defined]


class ScopedModelViewSet(ScopedReadOnlyViewSet, viewsets.ModelViewSet):
    """Full CRUD; each write goes through an action function (override ``save_action``/``delete_action``
    with the model's own action; the defaults are the atomic, audited :func:`core.actions.save_object`)."""

    save_action: ClassVar[Callable[..., Any]] = staticmethod(save_object)
    delete_action: ClassVar[Callable[..., Any]] = staticmethod(delete_object)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        instance = self.get_queryset().model(**serializer.validated_data)
        serializer.instance = type(self).save_action(instance, acting_user=self.request.user)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = type(self).save_action(instance, acting_user=self.request.user)

    def perform_destroy(self, instance: models.Model) -> None:
        type(self).delete_action(instance, acting_user=self.request.user)
