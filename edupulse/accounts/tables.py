"""The user management table (also the columns of its CSV/XLSX export)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from edupulse.accounts.models import User


class UserTable(tables.Table):
    username = tables.LinkColumn("accounts:user-detail", args=[tables.A("pk")], verbose_name=_("Username"))
    first_name = tables.Column(verbose_name=_("Real name"))
    phone = tables.Column(verbose_name=_("Mobile phone"))
    role = tables.Column(verbose_name=_("Role"))
    scope = tables.Column(accessor="pk", verbose_name=_("Area"), orderable=False)
    is_active = tables.BooleanColumn(verbose_name=_("Active"), yesno=(_("Yes"), _("No")))
    must_change_password = tables.BooleanColumn(verbose_name=_("Must change password"), yesno=(_("Yes"), _("No")))
    last_login = tables.DateTimeColumn(verbose_name=_("Last sign-in"), format="Y-m-d H:i")
    date_joined = tables.DateTimeColumn(verbose_name=_("Created"), format="Y-m-d H:i")

    class Meta:
        model = User
        fields = ("username", "first_name", "phone", "role", "scope", "is_active", "must_change_password",
                  "last_login", "date_joined")
        order_by = ("username",)

    def render_scope(self, record: User) -> str:
        return record.scope_label()

    def value_scope(self, record: User) -> str:
        return record.scope_label()

    def value_is_active(self, value: Any) -> str:
        return str(_("Yes") if value else _("No"))

    def value_must_change_password(self, value: Any) -> str:
        return str(_("Yes") if value else _("No"))
