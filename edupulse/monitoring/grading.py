"""等级保护 2.0 grading (GB/T 22240-2020, 《信息安全技术 网络安全等级保护定级指南》).

The security protection level of a system is decided separately for two harm dimensions — the
business information (业务信息安全) and the system service (系统服务安全). For each, the object that
would be harmed and the degree of harm give a level by the standard's matrix::

                                     general  serious  especially serious
    citizens', legal persons' rights     1        2        2
    social order, public interest        2        3        4
    national security                    3        4        5

The system's level is the higher of the two. Assessment intervals are practice, not the standard:
level 3 is assessed once a year, level 4 (and 5) every six months; level 1–2 have no mandatory
interval here (some provinces ask level 2 every two years — set the due date by hand there).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class HarmObject(models.TextChoices):
    CITIZENS = "citizens", _("Rights of citizens, legal persons and organisations")
    SOCIETY = "society", _("Social order and public interest")
    NATION = "nation", _("National security")


class HarmDegree(models.TextChoices):
    GENERAL = "general", _("General harm")
    SERIOUS = "serious", _("Serious harm")
    ESPECIALLY_SERIOUS = "especially_serious", _("Especially serious harm")


LEVEL_MATRIX: dict[str, dict[str, int]] = {
    HarmObject.CITIZENS: {HarmDegree.GENERAL: 1, HarmDegree.SERIOUS: 2, HarmDegree.ESPECIALLY_SERIOUS: 2},
    HarmObject.SOCIETY: {HarmDegree.GENERAL: 2, HarmDegree.SERIOUS: 3, HarmDegree.ESPECIALLY_SERIOUS: 4},
    HarmObject.NATION: {HarmDegree.GENERAL: 3, HarmDegree.SERIOUS: 4, HarmDegree.ESPECIALLY_SERIOUS: 5},
}

# Months between assessments by level, as practised (see module docstring); None = not mandatory.
ASSESSMENT_INTERVAL_DAYS: dict[int, int | None] = {1: None, 2: None, 3: 365, 4: 182, 5: 182}
# A system at level 2 or above must be filed with the public security bureau (within 30 days).
FILING_REQUIRED_FROM_LEVEL = 2


def dimension_level(harm_object: str, degree: str) -> int:
    """The level of one harm dimension; raises KeyError for values outside the matrix."""
    return LEVEL_MATRIX[harm_object][degree]


def system_level(info_object: str, info_degree: str, service_object: str, service_degree: str) -> int:
    """The final level: the higher of the business-information and the system-service levels."""
    return max(dimension_level(info_object, info_degree), dimension_level(service_object, service_degree))


def next_assessment_due(level: int, last_assessed: date | None, filed: date | None) -> date | None:
    """When the next assessment is due: interval after the last one, or after filing if never assessed."""
    interval = ASSESSMENT_INTERVAL_DAYS.get(level)
    if interval is None:
        return None
    start = last_assessed or filed
    if start is None:
        return None  # never filed: listed as a missing filing instead
    return start + timedelta(days=interval)
