"""The value types of the indicator library: a computed :class:`Value` with its :class:`Coverage`.

Every value carries its numerator, denominator and coverage (schools with data / schools expected), so every
number shown can say how many schools it covers. ``reading.py`` returns them to pages, the report and
supervision; ``computing.py`` makes them.
"""

from __future__ import annotations

from dataclasses import dataclass

APPROVED = "approved"  # county-approved or higher (the default, as the collection summary)
REPORTED = "reported"  # submitted or approved
BASES = (APPROVED, REPORTED)


@dataclass(frozen=True)
class Coverage:
    """How many schools a value covers: those with data among those expected to have it."""

    schools_with_data: int
    schools_expected: int

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.schools_with_data / self.schools_expected, 1) if self.schools_expected else None


@dataclass(frozen=True)
class Value:
    """One indicator in one region (or school) and period: a ratio of sums with what it covers."""

    indicator: str  # indicator code, e.g. "internet_rate"
    region: str  # GB/T 2260 code ("51", "5101", "510104"); a school's 10-digit code for level "school"
    name: str  # the region's (or school's) Chinese name
    level: str  # "province" | "prefecture" | "county" | "school"
    period: str
    numerator: float
    denominator: float
    value: float | None  # in the indicator's unit (0-100 for rates); None where the denominator is 0
    coverage: Coverage
    target: float | None
    attained: bool | None  # None without a target or a value
    rank: int | None = None  # among peers (counties within their prefecture, prefectures within the province)
    peers: int | None = None  # how many peers were ranked
