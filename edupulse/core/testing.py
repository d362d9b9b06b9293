"""Helpers for the generic scope tests: discovering every page, endpoint and model."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

# Views that show no scoped data (sign-in, one's own password, language switch, API schema/docs).
UNSCOPED_VIEW_NAMES = frozenset({"login", "logout", "password-change", "set_language", "api-schema", "api-docs",
                                 "api-token", "home", "core:settings"})


def edupulse_models() -> list[type[models.Model]]:
    return [m for config in apps.get_app_configs() if config.name.startswith("edupulse.") for m in config.get_models()]


def scoped_factories() -> dict[str, Callable[[Any], Any]]:
    """Merge ``SCOPED_FACTORIES`` from every EduPulse app's ``tests/factories.py``."""
    merged: dict[str, Callable[[Any], Any]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("edupulse."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.factories")
        except ModuleNotFoundError:
            continue
        merged.update(getattr(module, "SCOPED_FACTORIES", {}))
    return merged


@dataclass(frozen=True)
class PageRoute:
    name: str
    view_class: Any
    pattern: str
    kwarg_names: tuple[str, ...]


def page_routes() -> Iterator[PageRoute]:
    """Every named, class-based page outside the admin and the API."""

    def walk(patterns: list[Any], namespace: str, prefix: str) -> Iterator[PageRoute]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name == "admin" or str(entry.pattern).startswith("api/"):
                    continue
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, ns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                view_class = getattr(entry.callback, "view_class", None) or entry.callback
                kwargs = tuple(entry.pattern.regex.groupindex)
                yield PageRoute(f"{namespace}{entry.name}", view_class, prefix + str(entry.pattern), kwargs)

    yield from walk(get_resolver().url_patterns, "", "")
