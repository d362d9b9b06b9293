"""Administrative regions (GB/T 2260): province, prefecture and county levels."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edupulse.core.audit import Placement
from edupulse.core.regions import LENGTHS, RegionCode
from edupulse.core.roles import CHANGE, READ_ONLY, VIEW, Role
from edupulse.core.scoping import Scope, ScopedManager, ScopeSpec


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")


CODE_LENGTH = {RegionLevel(level): length for level, length in LENGTHS.items()}


def _region_scope(scope: Scope) -> Q:
    """A user sees their own region, everything below it, and the chain of regions above it."""
    if scope.level == "none":
        return Q(pk__in=[])
    if scope.level == "school":
        # A school sees its own county and that county's ancestors (its address), nothing beside it.
        from edupulse.orgs.models.school import School  # cycle: orgs.models.school imports this module (Region)

        county = School.objects.filter(pk=scope.school_id or 0).values_list("county_id", flat=True).first() or ""
        return Q(code__in=RegionCode.parse(county).lineage()) if county else Q(pk__in=[])
    region = RegionCode.parse(scope.region_code)
    return Q(code__startswith=region.code) | Q(code__in=region.lineage())


class Region(models.Model):
    """A province, prefecture or county, identified by its GB/T 2260 code (2, 4 or 6 digits).

    Codes are hierarchical by prefix (510107 武侯区 lies in 5101 成都市 in 51 四川省), which is what
    scoping relies on.
    """

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_rural_revitalization_key_county = models.BooleanField(
        _("national rural-revitalization key county"), default=False
    )
    is_ethnic_autonomous = models.BooleanField(_("ethnic autonomous area"), default=False)

    scope_spec = ScopeSpec(custom=_region_scope)
    role_permissions = {
        Role.PROVINCE_ADMIN: frozenset({VIEW, CHANGE}),
        Role.PREFECTURE_OFFICER: READ_ONLY,
        Role.COUNTY_OFFICER: READ_ONLY,
        Role.SCHOOL_CIO: READ_ONLY,
        Role.EXPERT_REVIEWER: READ_ONLY,
        Role.AUDITOR: READ_ONLY,
    }
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def region_code(self) -> RegionCode:
        """The code as a value (level, ancestors, containment, placement)."""
        return RegionCode.parse(self.code)

    @property
    def province_code(self) -> str:
        return self.region_code.province.code

    def full_name(self) -> str:
        """Names from the province down, skipping the placeholder '市辖区' of municipalities."""
        names = Region.objects.filter(code__in=self.region_code.lineage()).order_by("code").values_list("name", flat=True)
        return "".join(n for n in names if n not in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

    def org_placement(self):  # type: ignore[no-untyped-def]
        return Placement.of(self.region_code)
