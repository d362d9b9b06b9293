"""Fixtures of the collection tests: the shipped forms loaded, schools and users to act with."""

from __future__ import annotations

from typing import Any

import pytest

from edupulse.collection import actions
from edupulse.collection.registry import current_version, spec_for
from edupulse.core.actions import run_as_system
from edupulse.orgs.tests.factories import make_school

FORM = "edu_informatization_annual"
WUHOU, JINJIANG, FUCHENG, YANTA = "510107", "510104", "510703", "610113"


@pytest.fixture
def forms(db: Any) -> Any:
    run_as_system(actions.load_forms)
    version = current_version(FORM)
    return version


@pytest.fixture
def spec(forms: Any) -> Any:
    return spec_for(forms)


@pytest.fixture
def school(db: Any) -> Any:
    return make_school(WUHOU, name="武侯区第一小学")


def good_values(**overrides: Any) -> dict[str, Any]:
    """A realistic, consistent set of clean values for the annual survey."""
    values: dict[str, Any] = {
        "students_total": 1200, "students_junior_plus": 0, "teachers_total": 80,
        "internet_access": True, "access_type": "01", "internet_bandwidth_mbps": 1000.0,
        "classroom_bandwidth_mbps": 100.0, "edu_network_connected": True, "wireless_coverage_pct": 95.0,
        "ordinary_classrooms": 30, "multimedia_classrooms": 28, "teacher_terminals": 85, "student_terminals": 120,
        "teacher_space_accounts": 78, "student_space_accounts": 0, "teachers_trained_20": 80,
        "cio_appointed": True, "cio_appointed_date": "2021-09-01", "spending_total": 35.5,
        "websites": 1, "websites_ipv6": 1, "systems": 2, "systems_djbh_filed": 1,
        "reporter_name": "张老师", "reporter_phone": "028-85551234",
    }
    values.update(overrides)
    return values
