"""Schools and other education institutions."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.regions import COUNTY, PlacedInRegion, RegionCode
from edupulse.core.roles import ALL, CHANGE, READ_ONLY, VIEW, Role
from edupulse.core.scoping import ScopedManager, ScopeSpec
from edupulse.orgs.codes import Ownership, SchoolCategory, SchoolType, UrbanRural, school_code_problems
from edupulse.orgs.models.region import Region, RegionLevel

phone_validator = RegexValidator(r"^[0-9+\-() ]{5,32}$", _("Enter a phone number using digits, spaces, + - ( )."))


class School(PlacedInRegion, models.Model):
    """An institution with a 10-digit 学校标识码, placed in a county.

    ``prefecture`` and ``province`` are copied from the county when the school is saved (never entered
    by hand); they exist so that scoping and per-region counts are single indexed lookups.
    """

    code = models.CharField(_("school identification code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=128, db_index=True)
    category = models.CharField(_("category"), max_length=2, choices=SchoolCategory.choices, db_index=True)
    school_type = models.CharField(_("school type"), max_length=3, choices=SchoolType.choices, blank=True)
    county = models.ForeignKey(
        Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="schools",
        limit_choices_to={"level": RegionLevel.COUNTY},
        error_messages={"invalid": _("There is no county with code %(value)s.")},
    )
    prefecture = models.ForeignKey(
        Region, verbose_name=_("prefecture"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    province = models.ForeignKey(
        Region, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    urban_rural = models.CharField(_("urban-rural classification"), max_length=3, choices=UrbanRural.choices)
    ownership = models.CharField(_("public or private"), max_length=8, choices=Ownership.choices, default=Ownership.PUBLIC)
    address = models.CharField(_("address"), max_length=255, blank=True)
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal("73")), MaxValueValidator(Decimal("136"))],
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal("3")), MaxValueValidator(Decimal("54"))],
    )
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True, validators=[phone_validator])
    is_active = models.BooleanField(_("active"), default=True)

    scope_spec = ScopeSpec(province="province_id", prefecture="prefecture_id", county="county_id", school="pk")
    role_permissions = {
        Role.PROVINCE_ADMIN: ALL,
        Role.PREFECTURE_OFFICER: ALL,
        Role.COUNTY_OFFICER: ALL,
        Role.SCHOOL_CIO: frozenset({VIEW, CHANGE}),
        Role.EXPERT_REVIEWER: READ_ONLY,
        Role.AUDITOR: READ_ONLY,
    }
    # Fields a school CIO may change about their own school; the rest is the authority's base data.
    SCHOOL_EDITABLE_FIELDS = ("address", "longitude", "latitude", "contact_name", "contact_phone")
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        indexes = [
            models.Index(fields=["province", "category"]),
            models.Index(fields=["prefecture", "category"]),
            models.Index(fields=["county", "category"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.place_in_hierarchy()
        super().save(*args, **kwargs)

    def place_in_hierarchy(self) -> None:
        county = RegionCode.parse_or_none(self.county_id)
        if county is not None:
            # The county column stays as given even when it holds a province or prefecture code: clean()
            # reports that a school must be placed in a county.
            self.store_placement_of(county.placement._replace(county=county.code))

    def clean_fields(self, exclude=None):  # type: ignore[no-untyped-def]
        self.place_in_hierarchy()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.school_type and self.category and self.school_type[:2] != self.category:
            errors["school_type"] = str(
                _("School type %(type)s does not belong to category %(category)s.")
                % {"type": self.school_type, "category": self.category}
            )
        county_code = self.county_id or ""
        county = RegionCode.parse_or_none(county_code)
        if county_code and (county is None or county.level != COUNTY):
            errors["county"] = str(_("A school must be placed in a county-level region."))
        errors.update(school_code_problems(self.code, self.category, county_code))
        if errors:
            raise ValidationError(errors)
        self.place_in_hierarchy()
