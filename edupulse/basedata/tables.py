from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from edupulse.basedata.models import MatchReview, ShareRequest


class MatchReviewTable(tables.Table):
    pk = tables.LinkColumn("basedata:review-detail", args=[tables.A("pk")], verbose_name=_("Pair"))
    school = tables.Column(accessor="school__name", verbose_name=_("School"))
    probability = tables.Column(verbose_name=_("Match probability"))
    status = tables.Column(verbose_name=_("Status"))
    created_at = tables.DateTimeColumn(verbose_name=_("Queued at"))

    class Meta:
        model = MatchReview
        fields = ("pk", "school", "probability", "status", "created_at")
        order_by = ("status", "-probability")

    def render_probability(self, value: float) -> str:
        return f"{value:.3f}"


class ShareRequestTable(tables.Table):
    pk = tables.LinkColumn("basedata:share-detail", args=[tables.A("pk")], verbose_name=_("Request"))
    requesting_unit = tables.Column(verbose_name=_("Requesting unit"))
    kind = tables.Column(verbose_name=_("Record kind"))
    region = tables.Column(verbose_name=_("Scope"))
    expires_on = tables.DateColumn(verbose_name=_("Expires on"))
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = ShareRequest
        fields = ("pk", "requesting_unit", "kind", "region", "expires_on", "status")
