"""Forms of the plan pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from edupulse.orgs.models import Region
from edupulse.plans.actions.progress import MAX_EVIDENCE_BYTES
from edupulse.plans.reading import MAX_BYTES


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Plan document"),
                           help_text=_(".txt, .docx or .pdf with a text layer; at most %(mb)d MB.") % {
                               "mb": MAX_BYTES // (1024 * 1024)})
    region = forms.ModelChoiceField(label=_("Issuing region"), queryset=Region.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = Region.objects.visible_to(user)  # type: ignore[attr-defined]
        scope = user.scope
        if scope.level in {"province", "prefecture", "county"}:
            regions = regions.filter(code__startswith=scope.region_code)
            self.fields["region"].initial = scope.region_code
        self.fields["region"].queryset = regions.order_by("code")  # type: ignore[attr-defined]


class UpdateForm(forms.Form):
    text = forms.CharField(label=_("Progress report"), widget=forms.Textarea(attrs={"rows": 4}))
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    evidence = forms.FileField(label=_("Evidence file"), required=False,
                               help_text=_("PDF, image, Word, Excel, text or ZIP; at most %(mb)d MB.") % {
                                   "mb": MAX_EVIDENCE_BYTES // (1024 * 1024)})


class AssignForm(forms.Form):
    owner_unit = forms.CharField(label=_("Owner unit"), max_length=100)
