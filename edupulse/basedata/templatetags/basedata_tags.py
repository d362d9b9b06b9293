from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: dict[str, Any], key: str) -> Any:
    """``{{ labels|lookup:code }}``: a vocabulary's label of a code."""
    return mapping.get(key, key)
