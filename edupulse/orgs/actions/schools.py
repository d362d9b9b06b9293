"""Saving, deleting and importing schools (actions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edupulse.core import audit
from edupulse.core.actions import action, delete_instance, save_instance
from edupulse.core.actors import Actor
from edupulse.core.permissions import can, require
from edupulse.core.roles import Role
from edupulse.orgs.models import Region, School
from edupulse.orgs.models.region import RegionLevel


@action
def save_school(school: School, *, acting_user: Actor) -> School:
    """Create or update a school after validating its code against its category and county.

    A school CIO may change only the contact and location fields of their own school.
    """
    if not school._state.adding and acting_user.role == Role.SCHOOL_CIO:
        stored = School.objects.get(pk=school.pk)
        changed = [f.name for f in School._meta.concrete_fields
                   if getattr(stored, f.attname) != getattr(school, f.attname)]
        forbidden = [name for name in changed if name not in School.SCHOOL_EDITABLE_FIELDS]
        if forbidden:
            raise ValidationError({name: _("A school may not change this field; ask the county.") for name in forbidden})
    return save_instance(school, acting_user=acting_user)


@action
def delete_school(school: School, *, acting_user: Actor) -> None:
    delete_instance(school, acting_user=acting_user)


@dataclass
class SchoolImportResult:
    created: int
    errors: list[dict[str, Any]]


@action
def import_schools(rows: Iterable[dict[str, Any]], *, acting_user: Actor) -> SchoolImportResult:
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
        if not problems and not can(acting_user, "add", school):
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
