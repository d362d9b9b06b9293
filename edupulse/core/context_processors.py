from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from edupulse.core.administration import settings_for
from edupulse.core.permissions import can

# Sections of the top navigation: (url name, label, model whose view permission shows the link).
NAVIGATION: list[tuple[str, Any, str]] = [
    ("home", _("Overview"), ""),
    ("core:audit-list", _("Audit trail"), "core.AuditLog"),
]


# The verb on the model that shows a section, when it is not "view" (user management: "add").
NAVIGATION_VERBS: dict[str, str] = {}


def register_navigation(url_name: str, label: Any, model_label: str, *, position: int | None = None,
                        verb: str = "view") -> None:
    """Domain apps add their section here from ``AppConfig.ready`` (core does not import them). The link shows
    to users who may ``verb`` the model (``view`` unless a section is for those who may write)."""
    if any(item[0] == url_name for item in NAVIGATION):
        return
    NAVIGATION_VERBS[url_name] = verb
    entry = (url_name, label, model_label)
    if position is None:
        NAVIGATION.insert(len(NAVIGATION) - 1, entry)  # keep the audit trail last
    else:
        NAVIGATION.insert(position, entry)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    if getattr(user, "must_change_password", False):
        # Every section would send them back to the password page (accounts.middleware): show none.
        return {"nav_items": [], "user_scope_label": user.scope_label() if hasattr(user, "scope_label") else ""}
    items = []
    for url_name, label, model_label in NAVIGATION:
        if model_label and not can(user, NAVIGATION_VERBS.get(url_name, "view"), apps.get_model(model_label)):
            continue
        items.append({"url": reverse(url_name), "label": label, "active": request.path == reverse(url_name)})
    # 系统管理 shows to those with something to manage (core.administration), the admin's users included.
    settings_link = reverse("core:settings") if settings_for(user) else ""
    return {"nav_items": items, "settings_link": settings_link,
            "user_scope_label": user.scope_label() if hasattr(user, "scope_label") else ""}
