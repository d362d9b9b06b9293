"""Roles and the verbs they may use.

A user has exactly one role and one scope (an org unit). The role says *what* they may do, the scope
says *where*. Models declare, per role, which verbs are allowed (``role_permissions``); the scope is
applied by :mod:`edupulse.core.scoping` to every queryset.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("Province administrator")
    PREFECTURE_OFFICER = "prefecture_officer", _("Prefecture officer")
    COUNTY_OFFICER = "county_officer", _("County officer")
    SCHOOL_CIO = "school_cio", _("School CIO")
    EXPERT_REVIEWER = "expert_reviewer", _("Expert reviewer")
    AUDITOR = "auditor", _("Read-only auditor")


VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
VERBS = (VIEW, ADD, CHANGE, DELETE)
ALL = frozenset(VERBS)
READ_ONLY = frozenset({VIEW})
NONE: frozenset[str] = frozenset()

# Roles allowed into the Django admin: a raw tool over every model, so the province administrator's alone.
# Other officers manage their settings on the product page 系统管理 (core.administration).
STAFF_ROLES = frozenset({Role.PROVINCE_ADMIN})

# Which scope level each role is given; enforced when users are created.
ROLE_SCOPE_LEVELS: dict[str, frozenset[str]] = {
    Role.PROVINCE_ADMIN: frozenset({"province"}),
    Role.PREFECTURE_OFFICER: frozenset({"prefecture"}),
    Role.COUNTY_OFFICER: frozenset({"county"}),
    Role.SCHOOL_CIO: frozenset({"school"}),
    Role.EXPERT_REVIEWER: frozenset({"province", "prefecture", "county"}),
    Role.AUDITOR: frozenset({"province", "prefecture", "county"}),
}
