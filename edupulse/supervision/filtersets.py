"""Filters of the round list (shared by the page and its CSV/Excel export)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edupulse.supervision.models import RoundStatus, SupervisionRound


class RoundFilterSet(django_filters.FilterSet):
    period = django_filters.CharFilter(label=pgettext_lazy("supervision", "Period"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RoundStatus.choices)

    class Meta:
        model = SupervisionRound
        fields = ["period", "status"]
