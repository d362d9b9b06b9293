"""Template filters that put the audit trail's codes into words (``core.audit_labels``)."""

from __future__ import annotations

from django import template

from edupulse.core import audit_labels

register = template.Library()


@register.filter
def audit_action(code: str) -> str:
    return audit_labels.action_label(code)


@register.filter
def audit_object(row: object) -> str:
    """The row's object in words: set by ``describe_objects`` when the page described its rows, else stored."""
    return getattr(row, "object_label", None) or audit_labels.object_words(getattr(row, "object_repr", ""))
