from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edupulse.collection.models import SavedExtract, Submission
from edupulse.orgs.models import School


class SubmissionTable(tables.Table):
    # Ticked for bulk review: the boxes belong to the form below the table (HTML ``form=`` attribute), which
    # the page shows only to users who may review; the column is hidden for others and never exported.
    ids = tables.CheckBoxColumn(accessor="pk", attrs={"input": {"form": "bulk-review"},
                                                      "th__input": {"form": "bulk-review", "disabled": True}},
                                exclude_from_export=True, orderable=False)
    id = tables.LinkColumn("collection:submission-detail", args=[tables.A("pk")], verbose_name=_("No."))
    school_code = tables.Column(accessor="school__code", verbose_name=_("School code"))
    school = tables.Column(accessor="school__name", verbose_name=_("School"))
    county = tables.Column(accessor="school__county__name", verbose_name=_("County"))
    form = tables.Column(accessor="form__name", verbose_name=_("Form"))
    period = tables.Column(verbose_name=_("Period"))
    status = tables.Column(verbose_name=_("Status"))
    error_count = tables.Column(verbose_name=_("Errors"))
    warning_count = tables.Column(verbose_name=_("Warnings"))
    submitted_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Submitted"))
    updated_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Updated"))

    class Meta:
        model = Submission
        fields = ("id", "school_code", "school", "county", "form", "period", "status", "error_count",
                  "warning_count", "submitted_at", "updated_at")
        order_by = ("period", "school_code")
        sequence = ("ids", "...")

    def __init__(self, *args: Any, review: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not review:
            self.columns.hide("ids")


class MissingSchoolTable(tables.Table):
    code = tables.LinkColumn("orgs:school-detail", args=[tables.A("code")], verbose_name=_("School code"))
    name = tables.Column(verbose_name=_("School"))
    prefecture = tables.Column(accessor="prefecture__name", verbose_name=_("Prefecture"))
    county = tables.Column(accessor="county__name", verbose_name=_("County"))
    contact_name = tables.Column(verbose_name=_("Contact person"))
    contact_phone = tables.Column(verbose_name=_("Contact phone"))

    class Meta:
        model = School
        fields = ("code", "name", "prefecture", "county", "contact_name", "contact_phone")
        order_by = ("code",)


class SavedExtractTable(tables.Table):
    name = tables.LinkColumn("collection:extract-detail", args=[tables.A("pk")], verbose_name=_("Name"))
    form = tables.Column(accessor="form__name", verbose_name=_("Form"))
    periods = tables.Column(verbose_name=_("Periods"))
    region_codes = tables.Column(verbose_name=_("Regions"))
    owner = tables.Column(accessor="owner__username", verbose_name=pgettext_lazy("saved extract", "Owner"))
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Created"))

    class Meta:
        model = SavedExtract
        fields = ("name", "form", "periods", "region_codes", "owner", "created_at")
        order_by = ("name",)
