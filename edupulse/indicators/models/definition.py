"""Indicator definitions edited in the admin: each save is a new version of the code's definition."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edupulse.core.roles import ALL, READ_ONLY, Role
from edupulse.core.scoping import Scope, ScopedManager, ScopeSpec


def _deployment_wide(scope: Scope) -> Q:
    """Every user with a scope reads the definitions (they belong to the whole deployment, not a region)."""
    return Q(pk__in=[]) if scope.level == "none" else Q()


# The definitions are the deployment's: the province administrator edits them, everybody else reads them. Not
# ``public`` reference data, which only a nation-wide scope may write: a provincial deployment has no such user.
DEFINITION_PERMISSIONS: dict[str, frozenset[str]] = {**dict.fromkeys(Role.values, READ_ONLY), Role.PROVINCE_ADMIN: ALL}


class IndicatorDefinition(models.Model):
    """One saved version of an indicator definition (the YAML mapping as JSON in ``spec``).

    The built-in definitions ship as YAML (``definitions/builtin.yaml``); a saved version with the same code
    overrides the built-in one, the latest version wins, and an inactive latest version withdraws the
    indicator. Old versions stay, so a report can say which definition a value was computed with."""

    code = models.CharField(_("code"), max_length=40, db_index=True)
    version = models.PositiveIntegerField(_("version"))
    spec = models.JSONField(_("definition"))
    is_active = models.BooleanField(_("in force"), default=True)
    note = models.CharField(_("reason for the change"), max_length=200, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("saved by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    scope_spec = ScopeSpec(custom=_deployment_wide)
    role_permissions = DEFINITION_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("indicator definition")
        verbose_name_plural = _("indicator definitions")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="indicators_definition_version")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def in_scope(self, scope: Scope) -> bool:
        return scope.level != "none"
