"""Loading the GB/T 2260 divisions and setting region flags (actions)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from edupulse.core import audit
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor
from edupulse.core.permissions import require
from edupulse.core.regions import RegionCode
from edupulse.orgs.models import Region
from edupulse.orgs.models.region import RegionLevel

DIVISIONS_DIR = Path(__file__).resolve().parent.parent / "data" / "admin-divisions"



@dataclass(frozen=True)
class RegionLoadResult:
    created: int
    updated: int
    total: int


def _read_divisions(directory: Path) -> list[Region]:
    regions: list[Region] = []
    with open(directory / "provinces.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            regions.append(Region(code=row["code"], name=row["name"], level=RegionLevel.PROVINCE))
    with open(directory / "cities.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            regions.append(Region(code=row["code"], name=row["name"], level=RegionLevel.PREFECTURE,
                                  parent_id=row["provinceCode"]))
    with open(directory / "areas.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            regions.append(Region(code=row["code"], name=row["name"], level=RegionLevel.COUNTY,
                                  parent_id=row["cityCode"]))
    return regions


@action
def load_regions(*, acting_user: Actor, directory: Path = DIVISIONS_DIR) -> RegionLoadResult:
    """Load (or refresh) all GB/T 2260 divisions. Idempotent: names are updated, flags are kept."""
    require(acting_user, "add", Region)
    incoming = _read_divisions(directory)
    existing = {r.code: r for r in Region.objects.all()}
    to_create = [r for r in incoming if r.code not in existing]
    to_update = []
    for region in incoming:
        stored = existing.get(region.code)
        if stored and (stored.name, stored.parent_id, stored.level) != (region.name, region.parent_id, region.level):
            before = audit.snapshot(stored)
            stored.name, stored.parent_id, stored.level = region.name, region.parent_id, region.level
            audit.record("orgs.region.update", stored, acting_user=acting_user, before=before,
                         after=audit.snapshot(stored))
            to_update.append(stored)
    # Parents first, so that foreign keys hold on PostgreSQL as rows arrive.
    to_create.sort(key=lambda r: RegionCode.parse(r.code).depth)
    Region.objects.bulk_create(to_create, batch_size=1000)
    Region.objects.bulk_update(to_update, ["name", "parent", "level"], batch_size=1000)
    audit.record_many("orgs.region.create", list(to_create), acting_user=acting_user)
    return RegionLoadResult(created=len(to_create), updated=len(to_update), total=len(incoming))


@action
def set_region_flags(region: Region, *, acting_user: Actor, **flags: bool) -> Region:
    allowed = {"is_rural_revitalization_key_county", "is_ethnic_autonomous"}
    unknown = set(flags) - allowed
    if unknown:
        raise ValidationError({name: _("Unknown flag.") for name in unknown})
    for name, value in flags.items():
        setattr(region, name, bool(value))
    return save_instance(region, acting_user=acting_user)
