"""The round list (also its CSV/Excel export)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edupulse.supervision.models import SupervisionRound


class RoundTable(tables.Table):
    title = tables.LinkColumn("supervision:round-detail", args=[tables.A("pk")], verbose_name=_("Title"))
    document_number = tables.Column(verbose_name=_("Document number"))
    region = tables.Column(accessor="region__name", verbose_name=_("Supervising region"))
    period = tables.Column(verbose_name=pgettext_lazy("supervision", "Period"))
    status = tables.Column(verbose_name=_("Status"))
    framework_code = tables.Column(verbose_name=_("Framework"))
    scored_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Scored at"))
    published_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Published at"))

    class Meta:
        model = SupervisionRound
        fields = ("title", "document_number", "region", "period", "status", "framework_code", "scored_at",
                  "published_at")
        sequence = fields
        order_by = ("-period",)
