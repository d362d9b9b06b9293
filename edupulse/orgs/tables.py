from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from edupulse.orgs.models import School


class SchoolTable(tables.Table):
    code = tables.LinkColumn("orgs:school-detail", args=[tables.A("code")], verbose_name=_("School code"))
    name = tables.Column(verbose_name=_("Name"))
    category = tables.Column(verbose_name=_("Category"))
    prefecture = tables.Column(accessor="prefecture__name", verbose_name=_("Prefecture"))
    county = tables.Column(accessor="county__name", verbose_name=_("County"))
    urban_rural = tables.Column(verbose_name=_("Urban-rural"))
    ownership = tables.Column(verbose_name=_("Public or private"))
    contact_name = tables.Column(verbose_name=_("Contact person"))
    contact_phone = tables.Column(verbose_name=_("Contact phone"))

    class Meta:
        model = School
        fields = ("code", "name", "category", "prefecture", "county", "urban_rural", "ownership",
                  "contact_name", "contact_phone")
        order_by = ("code",)
