"""What every monitored asset shares: an owner that is either a school or a region (a bureau).

A county bureau's portal belongs to the county itself, not to any school, so ``school`` is empty and
the county code is set: the scope rule ``school=school_id`` then never matches it for a school user,
while county, prefecture and province officers above it see it through the copied region codes. A
prefecture bureau's system has no county code, so county officers do not see it either.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.regions import PlacedInRegion
from edupulse.core.roles import ALL, READ_ONLY, VIEW, Role
from edupulse.core.scoping import ScopedManager, ScopeSpec

# Officers manage the registry of their area; a school may view its own assets and change their
# contacts (enforced in the actions); reviewers and auditors read.
ASSET_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PROVINCE_ADMIN: ALL,
    Role.PREFECTURE_OFFICER: ALL,
    Role.COUNTY_OFFICER: ALL,
    Role.SCHOOL_CIO: frozenset({VIEW, "change"}),
    Role.EXPERT_REVIEWER: READ_ONLY,
    Role.AUDITOR: READ_ONLY,
}

OWNED_SCOPE = ScopeSpec(province="province_id", prefecture="prefecture_id", county="county_id", school="school_id")


class OwnedAsset(PlacedInRegion, models.Model):
    """Abstract base: ``school`` XOR ``owner_region``; the province/prefecture/county columns are
    copied from the owner on save so that scoping and per-region counts are single indexed lookups."""

    school = models.ForeignKey(
        "orgs.School", verbose_name=_("owner school"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    owner_region = models.ForeignKey(
        "orgs.Region", verbose_name=_("owner bureau (region)"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    province = models.ForeignKey("orgs.Region", verbose_name=_("province"), on_delete=models.PROTECT,
                                 related_name="+", editable=False)
    prefecture = models.ForeignKey("orgs.Region", verbose_name=_("prefecture"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", editable=False)
    county = models.ForeignKey("orgs.Region", verbose_name=_("county"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", editable=False)

    scope_spec = OWNED_SCOPE
    role_permissions = ASSET_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.place_in_hierarchy()
        super().save(*args, **kwargs)

    def place_in_hierarchy(self) -> None:
        if self.school_id is not None:
            school = self.school
            assert school is not None
            self.store_placement(school.county_id)
        elif self.owner_region_id:
            self.store_placement(str(self.owner_region_id))

    def clean_fields(self, exclude: Any = None) -> None:
        self.place_in_hierarchy()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        if bool(self.school_id) == bool(self.owner_region_id):
            raise ValidationError({"school": _("Give the owner as either a school or a bureau (region), not both.")})

    @property
    def owner_name(self) -> str:
        if self.school_id is not None and self.school is not None:
            return self.school.name
        if self.owner_region is not None:
            return self.owner_region.name + str(_("education bureau"))
        return ""
