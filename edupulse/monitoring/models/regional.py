"""Base for objects owned by a region (an authority), e.g. sweeps, alert channels and notices."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.regions import PlacedInRegion
from edupulse.core.scoping import ScopeSpec

REGION_SCOPE = ScopeSpec(province="province_code", prefecture="prefecture_code", county="county_code")


class RegionOwned(PlacedInRegion, models.Model):
    """``region`` is the owning authority; the codes are copied from it on save for scoping. A row
    without a region is nation-wide (visible only with nation scope, e.g. a CLI sweep of everything)."""

    region = models.ForeignKey("orgs.Region", verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    province_code = models.CharField(max_length=2, blank=True, editable=False, db_index=True)
    prefecture_code = models.CharField(max_length=4, blank=True, editable=False, db_index=True)
    county_code = models.CharField(max_length=6, blank=True, editable=False, db_index=True)

    scope_spec = REGION_SCOPE
    placement_columns = "code"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.place_in_hierarchy()
        super().save(*args, **kwargs)

    def place_in_hierarchy(self) -> None:
        self.store_placement(str(self.region_id or ""))

    def clean_fields(self, exclude: Any = None) -> None:
        self.place_in_hierarchy()
        super().clean_fields(exclude=exclude)

