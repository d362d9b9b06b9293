from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from edupulse.orgs.models import Region, School
from edupulse.orgs.models.region import RegionLevel


class SchoolForm(forms.ModelForm):  # type: ignore[type-arg]
    """The school edit form. County choices are limited to the editor's scope; a school CIO sees only
    the fields a school may change."""

    class Meta:
        model = School
        fields = ["code", "name", "category", "school_type", "county", "urban_rural", "ownership", "address",
                  "longitude", "latitude", "contact_name", "contact_phone", "is_active"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "county" in self.fields:
            field = self.fields["county"]
            field.queryset = Region.objects.visible_to(user).filter(level=RegionLevel.COUNTY)  # type: ignore[attr-defined]
        if user is not None and getattr(user, "role", "") == "school_cio":
            for name in list(self.fields):
                if name not in School.SCHOOL_EDITABLE_FIELDS:
                    del self.fields[name]


class SchoolImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (xlsx, xls, ods or CSV)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SCHOOL_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_SCHOOL_IMPORT_BYTES // 2**20})
        return upload


MAX_SCHOOL_IMPORT_BYTES = 20 * 2**20
