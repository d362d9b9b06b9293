from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edupulse.monitoring.models import Website
from edupulse.orgs.models import Region


class WebsiteForm(forms.ModelForm):  # type: ignore[type-arg]
    """Edit a website; a school CIO sees only the contact fields."""

    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = Website
        fields = ["url", "name", "category", "contact_name", "contact_phone", "icp_number", "is_active"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None and getattr(user, "role", "") == "school_cio":
            for name in list(self.fields):
                if name not in Website.SCHOOL_EDITABLE_FIELDS:
                    del self.fields[name]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel or CSV file"))


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    region = forms.ModelChoiceField(label=_("Issued by (region)"), queryset=Region.objects.none())
    number_prefix = forms.CharField(label=_("Document number prefix"), max_length=20, required=False,
                                    help_text=_("e.g. 武侯教网通; empty = derived from the region name"))
    # ISO format: a browser's date picker shows nothing for a localised value such as 2026年12月8日.
    deadline = forms.DateField(label=_("Rectification deadline"),
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = getattr(user, "scope", None)
        regions = Region.objects.visible_to(user)  # type: ignore[attr-defined]
        if scope is not None and scope.level in {"province", "prefecture", "county"}:
            regions = regions.filter(code__startswith=scope.region_code)
        self.fields["region"].queryset = regions.order_by("code")  # type: ignore[attr-defined]
        if scope is not None and scope.region_code:
            self.fields["region"].initial = scope.region_code
        self.fields["deadline"].initial = timezone.localdate() + timedelta(days=15)


class EvidenceForm(forms.Form):
    response = forms.CharField(label=_("Rectification report"), widget=forms.Textarea(attrs={"rows": 5}))
    evidence = forms.FileField(label=_("Evidence file"), required=False,
                               help_text=_("PDF, image, Word, Excel, text or ZIP; at most 20 MB."))
