from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from edupulse.basedata import catalogue


class ShareRequestForm(forms.Form):
    """A sharing request of student records (the fields offered are the catalogue's)."""

    requesting_unit = forms.CharField(label=_("Requesting unit"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    # Not ``fields``: that name is the form's own dict of fields.
    columns = forms.MultipleChoiceField(label=_("Fields"), widget=forms.CheckboxSelectMultiple)
    region = forms.CharField(label=_("Scope (region code)"), max_length=6)
    expires_on = forms.DateField(label=_("Expires on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        entries = catalogue.field_sharing("basedata.student").values()
        choices = [(f.name, f"{f.label}（{catalogue.SHARING[f.sharing]}）") for f in entries]
        self.fields["columns"].choices = choices  # type: ignore[attr-defined]
