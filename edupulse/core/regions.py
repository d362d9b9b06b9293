"""GB/T 2260 region codes as EduPulse stores them: one value type instead of string slicing.

A code is 2 digits for a province ("51"), 4 for a prefecture ("5101") and 6 for a county ("510104");
the longer code begins with the codes of its ancestors, so 510104 lies in 5101 in 51. ``Region``'s
primary key is that code, and placed models store the codes of their province, prefecture and county
(foreign-key columns ``province_id`` … or char columns ``province_code`` …). Everything that needs a
code's level, ancestors, containment, query field or placement asks :class:`RegionCode`.

The nation (everything, ``Scope.NATION``) is not a region code: functions that take an optional
region read ``None`` as the nation.

This module is model-free (core's layering: it imports nothing from orgs or accounts), so accounts and
core (scoping, audit) can use it as well as the domain apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, Literal, NamedTuple

PROVINCE = "province"
PREFECTURE = "prefecture"
COUNTY = "county"
LEVELS = (PROVINCE, PREFECTURE, COUNTY)
LENGTHS = {PROVINCE: 2, PREFECTURE: 4, COUNTY: 6}
_LEVEL_OF_LENGTH = {n: level for level, n in LENGTHS.items()}

# Placed models store codes in one of two column kinds: foreign keys to Region ("id": province_id,
# prefecture_id, county_id, e.g. School and the monitored assets) or plain char columns ("code":
# province_code …, e.g. audit rows, site states, region-owned sweeps and notices).
Columns = Literal["id", "code"]


class RegionCodeError(ValueError):
    """Raised for anything that is not a 2-, 4- or 6-digit region code."""

    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(f"{value!r} is not a region code (2, 4 or 6 digits)")


def is_region_code(value: object) -> bool:
    """Whether ``value`` is a str of 2, 4 or 6 ASCII digits (full-width digits are not codes)."""
    return isinstance(value, str) and len(value) in _LEVEL_OF_LENGTH and value.isascii() and value.isdigit()


def level_field(level: str, columns: Columns = "id", via: str = "") -> str:
    """The column of a placed model that holds its ``level`` code: ``level_field("prefecture")`` is
    ``prefecture_id``; ``columns="code"`` gives ``prefecture_code``; ``via="school"`` looks through that
    relation (``school__prefecture_id``)."""
    if level not in LENGTHS:
        raise ValueError(f"{level!r} is not a region level")
    name = f"{level}_{columns}"
    return f"{via}__{name}" if via else name


def level_below(level: str | None) -> str | None:
    """The level of a region's children; ``None`` (the nation) has provinces, a county has none."""
    if level is None:
        return PROVINCE
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


class RegionPlacement(NamedTuple):
    """The (province, prefecture, county) codes a placed object stores; "" where it has no such level
    (a prefecture bureau has no county; a nation-wide row has none at all)."""

    province: str = ""
    prefecture: str = ""
    county: str = ""

    @property
    def region(self) -> RegionCode | None:
        """The most specific region of the placement (None when it is empty)."""
        deepest = self.county or self.prefecture or self.province
        return RegionCode.parse(deepest) if deepest else None

    def columns(self, columns: Columns = "id") -> dict[str, str | None]:
        """The values to store, by column name. Foreign keys take ``None`` for a missing level, char
        columns the empty string (which is what those columns have always held)."""
        empty = None if columns == "id" else ""
        return {f"{PROVINCE}_{columns}": self.province or empty,
                f"{PREFECTURE}_{columns}": self.prefecture or empty,
                f"{COUNTY}_{columns}": self.county or empty}

    @classmethod
    def of(cls, placed: Any, columns: Columns = "id") -> RegionPlacement:
        """The placement an object already stores (e.g. a website's, to copy onto its state)."""
        return cls(*(str(getattr(placed, f"{level}_{columns}") or "") for level in LEVELS))


@dataclass(frozen=True, order=True, slots=True)
class RegionCode:
    """A validated region code. ``RegionCode.parse("510104")`` or ``RegionCode("510104")``; a malformed
    code raises :class:`RegionCodeError` (a ``ValueError``). ``str()`` and ``.code`` give the code back
    for ORM filters and templates; a ``RegionCode`` never equals a plain str."""

    code: str

    def __post_init__(self) -> None:
        if not is_region_code(self.code):
            raise RegionCodeError(self.code)

    @staticmethod
    def parse(value: RegionCode | str) -> RegionCode:
        """The code as a value; codes repeat (a few thousand counties), so parsing is cached."""
        if isinstance(value, RegionCode):
            return value
        if not is_region_code(value):
            raise RegionCodeError(value)
        return _parse(value)

    @staticmethod
    def parse_optional(value: RegionCode | str | None) -> RegionCode | None:
        """``None`` for an empty value (no region: the nation or an unplaced row), else :meth:`parse`."""
        return RegionCode.parse(value) if value else None

    @staticmethod
    def parse_or_none(value: object) -> RegionCode | None:
        """The code, or ``None`` when ``value`` is not a region code (for input that may be anything)."""
        if isinstance(value, RegionCode):
            return value
        return _parse(value) if is_region_code(value) else None

    def __str__(self) -> str:
        return self.code

    # ------------------------------------------------------------------------------ the hierarchy

    @property
    def level(self) -> str:
        """"province", "prefecture" or "county" (``Region.level``'s values)."""
        return _LEVEL_OF_LENGTH[len(self.code)]

    @property
    def child_level(self) -> str | None:
        """The level of this region's children (None for a county)."""
        return level_below(self.level)

    @property
    def depth(self) -> int:
        """1 for a province, 2 for a prefecture, 3 for a county (sorting by it puts parents first)."""
        return len(self.code) // 2

    @property
    def number(self) -> int:
        """The number of this region within its parent: 7 for 510107, 1 for 5101, 51 for 51."""
        return int(self.code[-2:])

    def at(self, level: str) -> RegionCode:
        """This region's ancestor (or itself) at ``level``, which must not be below this region."""
        length = LENGTHS[level]
        if length > len(self.code):
            raise ValueError(f"{self.code} ({self.level}) has no {level}")
        return _parse(self.code[:length])

    @property
    def province(self) -> RegionCode:
        return _parse(self.code[:2])

    @property
    def prefecture(self) -> RegionCode | None:
        """The prefecture of a prefecture or county; None for a province."""
        return _parse(self.code[:4]) if len(self.code) >= LENGTHS[PREFECTURE] else None

    @property
    def county(self) -> RegionCode | None:
        """The region itself when it is a county; None above."""
        return self if len(self.code) == LENGTHS[COUNTY] else None

    @property
    def parent(self) -> RegionCode | None:
        """The region one level up; None for a province (its parent is the nation)."""
        return _parse(self.code[:-2]) if len(self.code) > LENGTHS[PROVINCE] else None

    def ancestors_and_self(self) -> list[RegionCode]:
        """From the province down to this region."""
        return [_parse(self.code[:n]) for n in range(2, len(self.code) + 1, 2)]

    def lineage(self) -> list[str]:
        """:meth:`ancestors_and_self` as plain codes, for ``code__in`` filters."""
        return [r.code for r in self.ancestors_and_self()]

    def contains(self, other: RegionCode | str) -> bool:
        """Whether ``other`` (a region, or e.g. a school's county code) is this region or lies in it."""
        code = other.code if isinstance(other, RegionCode) else other
        if not is_region_code(code):
            raise RegionCodeError(code)
        return code.startswith(self.code)

    # ------------------------------------------------------------------------------ queries and storage

    def field(self, columns: Columns = "id", via: str = "") -> str:
        """The column of a placed model holding codes at this region's level (see :func:`level_field`)."""
        return level_field(self.level, columns, via)

    def lookup(self, columns: Columns = "id", via: str = "") -> dict[str, str]:
        """The filter for placed objects in this region: ``schools.filter(**region.lookup())``."""
        return {self.field(columns, via): self.code}

    @property
    def placement(self) -> RegionPlacement:
        """The (province, prefecture, county) codes an object placed in this region stores."""
        return _placement(self.code)


@lru_cache(maxsize=16384)
def _parse(code: str) -> RegionCode:
    return RegionCode(code)


@lru_cache(maxsize=16384)
def _placement(code: str) -> RegionPlacement:
    n = len(code)
    return RegionPlacement(code[:2], code[:4] if n >= 4 else "", code if n == 6 else "")


class PlacedInRegion:
    """Mixin for models that store where they sit in the hierarchy (province/prefecture/county columns
    copied from their owner so that scoping and counts are single indexed lookups).

    ``placement_columns`` says which columns the model has ("id": foreign keys such as ``province_id``;
    "code": char columns such as ``province_code``). :meth:`store_placement` is the one place those
    columns are computed from a code; no model slices codes itself.
    """

    placement_columns: ClassVar[Columns] = "id"

    @classmethod
    def placement_fields(cls, region: RegionCode | str | None) -> dict[str, str | None]:
        """The placement columns for an object in ``region`` (None or "": nowhere, i.e. nation-wide), as
        keyword arguments for objects built for ``bulk_create``, which does not call ``save()``."""
        code = RegionCode.parse_optional(region)
        return (code.placement if code is not None else RegionPlacement()).columns(cls.placement_columns)

    def store_placement(self, region: RegionCode | str | None) -> None:
        """Place the object in ``region`` (None or "": nowhere, i.e. nation-wide)."""
        for column, value in self.placement_fields(region).items():
            setattr(self, column, value)

    def store_placement_of(self, placement: RegionPlacement) -> None:
        for column, value in placement.columns(self.placement_columns).items():
            setattr(self, column, value)
