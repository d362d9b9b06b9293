from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: dict[str, Any], key: str) -> Any:
    """``{{ labels|lookup:code }}``: a vocabulary's label of a code."""
    return mapping.get(key, key)


@register.filter
def signed(value: float | str | None) -> str:
    """A change in points with its sign (``+1.25``, ``−0.50``, ``0.00``); "—" where there is none."""
    if value is None or value == "":
        return "—"
    number = float(value)
    return f"+{number:.2f}" if number > 0 else f"−{-number:.2f}" if number < 0 else "0.00"


@register.filter
def percent(ratio: float) -> str:
    """A ratio between 0 and 1 as a percentage with two decimals (``0.98154`` → ``98.15``)."""
    return f"{ratio * 100:.2f}"
