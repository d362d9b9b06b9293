"""Test objects built through the real actions (the write guard is on in tests)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from edupulse.core.actions import run_as_system
from edupulse.orgs import actions
from edupulse.orgs.models import Region, School

_sequence = itertools.count(1)


def make_school(county_code: str = "510107", *, category: str = "21", **fields: Any) -> School:
    """A valid school in ``county_code`` with a fresh 学校标识码 (category + province + sequence)."""
    number = next(_sequence)
    values: dict[str, Any] = {
        "code": f"{category}{county_code[:2]}{900000 + number:06d}",
        "name": f"测试学校{number}",
        "category": category,
        "county_id": county_code,
        "urban_rural": "111",
        "ownership": "public",
    }
    values.update(fields)
    school: School = run_as_system(actions.save_school, School(**values))
    return school


def _county_of(school: School) -> Region:
    return Region.objects.get(code=school.county_id)


SCOPED_FACTORIES: dict[str, Callable[[Any], Any]] = {
    "orgs.School": lambda school: school,
    "orgs.Region": _county_of,
}
