from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edupulse.monitoring.models import EducationApp, InformationSystem, Website
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


# ISO format: a browser's date picker shows nothing for a localised value such as 2026年12月8日.
def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _RegistryForm(forms.ModelForm):  # type: ignore[type-arg]
    """Shared by the system and app forms: a school CIO sees every field but may change only the model's
    ``SCHOOL_EDITABLE_FIELDS`` (``actions._school_may_only_change`` enforces the same rule); the other
    fields are shown read-only. When nothing is left to change, ``read_only`` is true and the form
    refuses to validate, so nothing is written."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school_user = user is not None and getattr(user, "role", "") == "school_cio"
        if self.school_user:
            editable = getattr(self._meta.model, "SCHOOL_EDITABLE_FIELDS", ())
            for name, field in self.fields.items():
                if name not in editable:
                    field.disabled = True

    @property
    def read_only(self) -> bool:
        return all(field.disabled for field in self.fields.values())

    def clean(self) -> dict[str, Any] | None:
        if self.read_only:
            raise forms.ValidationError(_("A school may not change this record; ask the county."))
        return super().clean()


class SystemForm(_RegistryForm):
    """Edit an information system. The protection level is not typed: the model computes it from the
    two harm dimensions (GB/T 22240-2020). Linked websites are chosen among those the user can see."""

    class Meta:
        model = InformationSystem
        fields = ["name", "info_harm_object", "info_harm_degree", "service_harm_object", "service_harm_degree",
                  "filing_number", "filing_date", "last_assessment_date", "last_assessment_result", "is_cii",
                  "websites"]
        widgets = {"filing_date": _date_input(), "last_assessment_date": _date_input()}
        help_texts = {"filing_number": _("11 digits, as on the filing certificate of the public security bureau."),
                      "websites": _("Only websites in your area are listed; links to others are kept.")}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        visible = Website.objects.visible_to(user).order_by("url")  # type: ignore[attr-defined]
        websites = self.fields["websites"]
        assert isinstance(websites, forms.ModelMultipleChoiceField)
        websites.queryset = visible
        websites.widget.attrs["size"] = 8
        if self.school_user:
            websites.disabled = True  # not a concrete field, so the action's field check does not see it
        if websites.disabled and self.instance.pk:
            # A disabled field validates its initial value: keep only the links the user can see.
            self.initial["websites"] = list(visible.filter(systems=self.instance))

    def chosen_websites(self) -> list[Website] | None:
        """The visible websites the user selected; None when the user may not change the links."""
        if self.fields["websites"].disabled:
            return None
        return list(self.cleaned_data.get("websites") or [])


class AppForm(_RegistryForm):
    """Edit an education app and its 教育移动应用备案 status."""

    class Meta:
        model = EducationApp
        fields = ["name", "platform", "provider", "filing_number", "status", "status_date"]
        widgets = {"status_date": _date_input()}


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
