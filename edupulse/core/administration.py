"""系统管理: who may use the Django admin, and the settings officers manage from the product's own page.

The Django admin is a raw tool (every model, every field): only the province administrator and superusers use
it. Everyone else who manages something gets the product page ``core:settings``, which lists the settings their
role may manage. Domain apps add their settings from ``AppConfig.ready`` (core does not import them), the way
they add navigation sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import reverse

from edupulse.core.permissions import can
from edupulse.core.roles import STAFF_ROLES


def may_use_admin(user: Any) -> bool:
    """The Django admin's door: an active superuser, or an active user of a staff role (the province admin).
    Read from the role, not from ``is_staff`` alone, so a row saved before the rule changed opens nothing."""
    if not getattr(user, "is_active", False) or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or getattr(user, "role", "") in STAFF_ROLES)


@dataclass(frozen=True)
class Setting:
    """One entry of the 系统管理 page: shown when the user may ``verb`` the model (and may use the admin, for a
    setting kept in the admin)."""

    label: Any
    description: Any
    url_name: str
    model_label: str
    verb: str = "view"
    in_admin: bool = False
    order: int = 50  # position on the page: people first, the audit trail last
    # An entry that is no reason for the page on its own (the audit trail has its own navigation section; a school
    # CIO who may only read it has nothing to manage).
    companion: bool = False

    def shown_to(self, user: Any) -> bool:
        if self.in_admin and not may_use_admin(user):
            return False
        return can(user, self.verb, apps.get_model(self.model_label))


SETTINGS: list[Setting] = []


def register_setting(setting: Setting) -> None:
    """Add an entry to 系统管理 (once: ``ready`` may run twice in tests)."""
    if all(existing.url_name != setting.url_name for existing in SETTINGS):
        SETTINGS.append(setting)


def settings_for(user: Any) -> list[dict[str, Any]]:
    """The entries ``user`` may manage, in page order, with their links; none when only companions remain."""
    shown = [s for s in sorted(SETTINGS, key=lambda s: s.order) if s.shown_to(user)]
    if all(s.companion for s in shown):
        return []
    return [{"label": s.label, "description": s.description, "url": reverse(s.url_name), "in_admin": s.in_admin}
            for s in shown]
