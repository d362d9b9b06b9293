"""The form that opens a round: the supervising region (the officer's own, or a prefecture below a province),
the period, the framework, the title and document number of its 通报, the rectification deadline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edupulse.core.actors import Actor
from edupulse.core.regions import PREFECTURE, PROVINCE
from edupulse.core.scoping import scope_of
from edupulse.orgs.models import Region
from edupulse.supervision.framework import available


def supervising_regions(user: Actor) -> list[tuple[str, str]]:
    """The regions the user may hold a round for: their own province or prefecture, and a province's
    prefectures."""
    region = scope_of(user).region
    if region is None or region.level not in (PROVINCE, PREFECTURE):
        return []
    regions = Region.objects.filter(code__startswith=region.code, level__in=[PROVINCE, PREFECTURE]).order_by("code")
    return [(r.code, r.name) for r in regions]


class RoundForm(forms.Form):
    region = forms.ChoiceField(label=_("Supervising region"))
    period = forms.RegexField(label=pgettext_lazy("supervision", "Period"), regex=r"^\d{4}$", max_length=4,
                              error_messages={"invalid": _("Give the period as a year, e.g. 2022.")})
    framework = forms.ChoiceField(label=_("Framework"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Empty: made from the region and the period."))
    document_number = forms.CharField(label=_("Document number"), max_length=40, required=False,
                                      help_text=_("e.g. 川教督〔2022〕3号"))
    deadline = forms.DateField(label=_("Rectification deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = supervising_regions(user)  # type: ignore[attr-defined]
        self.fields["framework"].choices = [(code, code) for code in available()]  # type: ignore[attr-defined]
        self.fields["deadline"].initial = timezone.localdate() + timedelta(days=30)
        self.fields["period"].initial = str(timezone.localdate().year - 1)
