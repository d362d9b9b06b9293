"""State changes of regions and schools. Every function here is an action (see core.actions)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edupulse.core import audit
from edupulse.core.actions import action, delete_instance, save_instance
from edupulse.core.permissions import require
from edupulse.core.regions import RegionCode
from edupulse.orgs.models import Region, School
from edupulse.orgs.models.region import RegionLevel

if TYPE_CHECKING:
    from edupulse.accounts.models import User

DIVISIONS_DIR = Path(__file__).resolve().parent / "data" / "admin-divisions"


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
def load_regions(*, acting_user: User | None, directory: Path = DIVISIONS_DIR) -> RegionLoadResult:
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
def save_school(school: School, *, acting_user: User | None) -> School:
    """Create or update a school after validating its code against its category and county.

    A school CIO may change only the contact and location fields of their own school.
    """
    if acting_user is not None and not school._state.adding and getattr(acting_user, "role", "") == "school_cio":
        stored = School.objects.get(pk=school.pk)
        changed = [f.name for f in School._meta.concrete_fields
                   if getattr(stored, f.attname) != getattr(school, f.attname)]
        forbidden = [name for name in changed if name not in School.SCHOOL_EDITABLE_FIELDS]
        if forbidden:
            raise ValidationError({name: _("A school may not change this field; ask the county.") for name in forbidden})
    saved = save_instance(school, acting_user=acting_user)
    assert isinstance(saved, School)
    return saved


@action
def delete_school(school: School, *, acting_user: User | None) -> None:
    delete_instance(school, acting_user=acting_user)


@action
def set_region_flags(region: Region, *, acting_user: User | None, **flags: bool) -> Region:
    allowed = {"is_rural_revitalization_key_county", "is_ethnic_autonomous"}
    unknown = set(flags) - allowed
    if unknown:
        raise ValidationError({name: _("Unknown flag.") for name in unknown})
    for name, value in flags.items():
        setattr(region, name, bool(value))
    saved = save_instance(region, acting_user=acting_user)
    assert isinstance(saved, Region)
    return saved


@dataclass
class SchoolImportResult:
    created: int
    errors: list[dict[str, Any]]


@action
def import_schools(rows: Iterable[dict[str, Any]], *, acting_user: User | None) -> SchoolImportResult:
    """Validate every row, then create all schools at once — or none if any row is bad.

    Used by the demo generator and bulk loads; each created school still gets its own audit row.
    """
    require(acting_user, "add", School)
    counties = set(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", flat=True))
    seen: set[str] = set(School.objects.values_list("code", flat=True))
    schools: list[School] = []
    errors: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=1):
        school = School(**row)
        problems: dict[str, list[str]] = {}
        if school.county_id not in counties:
            problems["county"] = [_("There is no county with code %(value)s.") % {"value": school.county_id}]
        else:
            try:
                # county is checked against the set above and prefecture/province are derived from it;
                # letting full_clean validate those two foreign keys would cost two queries per row.
                school.full_clean(exclude=["county", "prefecture", "province", "code"], validate_unique=False)
            except ValidationError as exc:
                # School.clean() already checks the code against the category and the county
                # (school_code_problems); checking again here listed every code error twice.
                problems.update(exc.message_dict)
        if school.code in seen:
            problems.setdefault("code", []).append(_("School code %(code)s already exists.") % {"code": school.code})
        seen.add(school.code)
        if acting_user is not None and not problems:
            from edupulse.core.permissions import can

            if not can(acting_user, "add", school):
                problems["county"] = [_("This county is outside your area.")]
        if problems:
            errors.append({"row": number, "code": school.code, "errors": problems})
        schools.append(school)
    if errors:
        transaction.set_rollback(True)
        return SchoolImportResult(created=0, errors=errors)
    created = School.objects.bulk_create(schools, batch_size=2000)
    if not all(s.pk for s in created):  # SQLite < 3.35 does not return ids
        by_code = dict(School.objects.filter(code__in=[s.code for s in created]).values_list("code", "pk"))
        for s in created:
            s.pk = by_code[s.code]
    audit.record_many("orgs.school.create", list(created), acting_user=acting_user)
    return SchoolImportResult(created=len(created), errors=[])
