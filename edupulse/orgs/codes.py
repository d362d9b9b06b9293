"""Code tables for institutions, from the Ministry of Education's statistics code sets.

* 学校(机构)标识码 (school identification code): 10 digits = 2-digit category + 2-digit province code
  (GB/T 2260) + 6-digit sequence (《学校(机构)代码管理办法》, 2011).
* The category is the first two digits of the 3-digit 办学类型 (school type) code of the education
  statistics code set; that is how nine-year schools (312, category 31) and twelve-year schools (345,
  category 34) and complete middle schools (341, category 34) are coded.
* 城乡分类 (urban–rural classification) follows the National Bureau of Statistics' 统计用城乡划分代码;
  education statistics fold it into 城区 / 镇区 / 乡村.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class SchoolCategory(models.TextChoices):
    KINDERGARTEN = "11", _("Kindergarten")
    PRIMARY = "21", _("Primary school")
    ADULT_PRIMARY = "22", _("Adult primary school")
    JUNIOR = "31", _("Junior middle school")
    VOCATIONAL_JUNIOR = "32", _("Vocational junior middle school")
    ADULT_JUNIOR = "33", _("Adult junior middle school")
    SENIOR = "34", _("Senior high school")
    ADULT_SENIOR = "35", _("Adult senior high school")
    VOCATIONAL = "36", _("Secondary vocational school")
    REFORM = "37", _("Work-study school")
    HIGHER = "41", _("Regular higher education institution")
    ADULT_HIGHER = "42", _("Adult higher education institution")
    SPECIAL = "51", _("Special education school")
    OTHER_91 = "91", _("Other institution (91)")
    OTHER_92 = "92", _("Other institution (92)")
    OTHER_93 = "93", _("Other institution (93)")


class SchoolType(models.TextChoices):
    """办学类型: finer school types; the first two digits are the category."""

    KINDERGARTEN = "111", _("Kindergarten")
    PRIMARY = "211", _("Primary school")
    TEACHING_POINT = "218", _("Primary teaching point")
    ADULT_PRIMARY = "221", _("Adult primary school")
    JUNIOR = "311", _("Junior middle school")
    NINE_YEAR = "312", _("Nine-year school")
    VOCATIONAL_JUNIOR = "321", _("Vocational junior middle school")
    ADULT_JUNIOR = "331", _("Adult junior middle school")
    COMPLETE_MIDDLE = "341", _("Complete middle school")
    SENIOR = "342", _("Senior high school")
    TWELVE_YEAR = "345", _("Twelve-year school")
    ADULT_SENIOR = "351", _("Adult senior high school")
    TECHNICAL_SECONDARY = "361", _("Secondary technical school")
    VOCATIONAL_HIGH = "364", _("Vocational high school")
    SKILLED_WORKER = "365", _("Skilled-worker school")
    REFORM = "371", _("Work-study school")
    UNIVERSITY = "411", _("University")
    COLLEGE = "412", _("College")
    HIGHER_VOCATIONAL = "413", _("Higher vocational college")
    ADULT_HIGHER = "421", _("Adult higher education institution")
    SPECIAL = "514", _("Special education school")
    OTHER = "911", _("Other institution")


class UrbanRural(models.TextChoices):
    MAIN_URBAN = "111", _("Main urban area")
    URBAN_RURAL_FRINGE = "112", _("Urban-rural fringe")
    TOWN_CENTRE = "121", _("Town centre")
    TOWN_RURAL_FRINGE = "122", _("Town-rural fringe")
    SPECIAL_AREA = "123", _("Special area")
    TOWNSHIP_CENTRE = "210", _("Township centre")
    VILLAGE = "220", _("Village")




def urban_rural_group(code: str) -> str:
    """城区 (11x) / 镇区 (12x) / 乡村 (2xx), the grouping used in education statistics."""
    if code.startswith("11"):
        return str(_("Urban"))
    if code.startswith("12"):
        return str(_("Town"))
    return str(_("Rural"))


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


SCHOOL_CODE_RE = re.compile(r"^\d{10}$")


def school_code_problems(code: str, category: str, county_code: str) -> dict[str, str]:
    """Field → message for every way ``code`` disagrees with the category and the county."""
    problems: dict[str, str] = {}
    if not SCHOOL_CODE_RE.match(code or ""):
        problems["code"] = str(_("The school identification code must be exactly 10 digits."))
        return problems
    if code[:2] not in SchoolCategory.values:
        problems["code"] = str(
            _("The first two digits %(part)s of the school code are not a known school category.") % {"part": code[:2]}
        )
    elif category and code[:2] != category:
        problems["code"] = str(
            _("The school code starts with category %(part)s but the school's category is %(category)s.")
            % {"part": code[:2], "category": category}
        )
    if county_code and code[2:4] != county_code[:2]:
        problems["code"] = str(
            _("Digits 3-4 of the school code (%(part)s) must be the province code of its county (%(province)s).")
            % {"part": code[2:4], "province": county_code[:2]}
        )
    return problems
