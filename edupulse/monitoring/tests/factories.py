"""Factories for the generic scope test: "app.Model" -> function(school) -> instance built through actions."""

from collections.abc import Callable
from typing import Any

SCOPED_FACTORIES: dict[str, Callable[[Any], Any]] = {}
