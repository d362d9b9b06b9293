"""Saved custom extracts: a named query (fields × regions × periods) an officer runs again and again."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.regions import PlacedInRegion, is_region_code
from edupulse.core.roles import ALL, NONE, READ_ONLY, Role
from edupulse.core.scoping import ScopedManager, ScopeSpec


class SavedExtract(PlacedInRegion, models.Model):
    """A saved query of approved data. It belongs to the area of the officer who saved it
    (province/prefecture/county codes copied from their scope): colleagues of that area and the levels
    above see it, levels below do not."""

    name = models.CharField(_("name"), max_length=128)
    form = models.ForeignKey("collection.Form", verbose_name=_("form"), on_delete=models.CASCADE,
                             related_name="extracts")
    field_codes = models.JSONField(_("fields"), default=list)
    region_codes = models.JSONField(_("regions"), default=list)
    periods = models.JSONField(_("periods"), default=list)
    status = models.CharField(_("data"), max_length=20, default="approved",
                              choices=[("approved", _("approved at any level")),
                                       ("province_approved", _("approved by the province")),
                                       ("reported", _("all reported"))])
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    province_code = models.CharField(max_length=2, blank=True, editable=False)
    prefecture_code = models.CharField(max_length=4, blank=True, editable=False)
    county_code = models.CharField(max_length=6, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_spec = ScopeSpec(province="province_code", prefecture="prefecture_code", county="county_code")
    placement_columns = "code"
    role_permissions = {
        Role.PROVINCE_ADMIN: ALL,
        Role.PREFECTURE_OFFICER: ALL,
        Role.COUNTY_OFFICER: ALL,
        Role.SCHOOL_CIO: NONE,
        Role.EXPERT_REVIEWER: READ_ONLY,
        Role.AUDITOR: READ_ONLY,
    }
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved extract")
        verbose_name_plural = _("saved extracts")

    def __str__(self) -> str:
        return self.name

    def place(self, region_code: str) -> None:
        self.store_placement(region_code)

    def clean(self) -> None:
        # cycle: collection.registry imports collection.models, which imports this module.
        from edupulse.collection.registry import current_version, spec_for

        errors: dict[str, str] = {}
        try:
            spec = spec_for(current_version(self.form.code))
        except ValidationError as exc:
            raise ValidationError({"form": exc.messages}) from None
        unknown = [c for c in self.field_codes if c not in spec.fields_by_code]
        if not self.field_codes or unknown:
            errors["field_codes"] = str(_("Give field codes of the form; unknown: %(codes)s")
                                        % {"codes": ", ".join(unknown) or "-"})
        bad = [r for r in self.region_codes if not is_region_code(str(r))]
        if not self.region_codes or bad:
            errors["region_codes"] = str(_("Give region codes (2, 4 or 6 digits); invalid: %(codes)s")
                                         % {"codes": ", ".join(map(str, bad)) or "-"})
        wrong = [p for p in self.periods if not spec.valid_period(str(p))]
        if not self.periods or wrong:
            errors["periods"] = str(_("Give periods of the form; invalid: %(periods)s")
                                    % {"periods": ", ".join(map(str, wrong)) or "-"})
        if len(self.field_codes) * len(self.region_codes) * len(self.periods) > 5000:
            errors["field_codes"] = str(_("At most 5000 combinations per extract."))
        if errors:
            raise ValidationError(errors)
