"""Deterministic demo data: a whole province of invented schools, plus one demo user per role.

The generation functions are pure (no database): :func:`generate_schools` turns a
:class:`ProvinceLayout` (the province's prefectures and counties), a scale and a seed into rows for
:func:`edupulse.orgs.actions.import_schools`. The same (province, scale, seed) always gives the same
schools, codes, names, addresses and coordinates, because every county draws from its own random
generator seeded with the seed and the county code.

Calibration (``data/demo/calibration.json``): Sichuan (51) about 25,000 schools with 5,700 primary,
Shaanxi (61) the 2022 figures, every other province the national 2022 totals scaled by its share of
the 2,978 county-level divisions. Schools are spread over the counties with a realistic skew: urban
districts of the capital get more senior high, vocational and higher-education institutions, rural
counties more kindergartens, primary schools and teaching points; higher education sits in the
prefecture seats. :func:`load_demo` writes the rows (skipping codes already present, so it is
idempotent) and creates the demo users through the account actions.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password

from edupulse.accounts.actions import create_user
from edupulse.accounts.models import User
from edupulse.core.actions import run_as_system
from edupulse.core.regions import COUNTY, LEVELS, PREFECTURE, PROVINCE, RegionCode
from edupulse.orgs.actions import import_schools
from edupulse.orgs.codes import Ownership, SchoolCategory, SchoolType, UrbanRural
from edupulse.orgs.models import Region, School

DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"
DIVISIONS_DIR = Path(__file__).resolve().parent / "data" / "admin-divisions"
DEMO_PASSWORD = "EduPulse-demo-2026"
SUPERUSER_NAME = "demo-admin"
# Categories the demo generates, in the order their schools are generated inside a county.
CATEGORIES: tuple[str, ...] = (
    SchoolCategory.PRIMARY, SchoolCategory.KINDERGARTEN, SchoolCategory.JUNIOR, SchoolCategory.SENIOR,
    SchoolCategory.VOCATIONAL, SchoolCategory.HIGHER, SchoolCategory.SPECIAL,
)
MAX_SCALE = 4.0
# Demo sequences stay below this so that hand-made or test schools (900000+) never collide with them.
MAX_SEQUENCE = 899_999
# Names of placeholder prefecture-level units that never appear in an address or school name.
PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

Progress = Callable[[str], None]


class DemoError(Exception):
    """Bad input for the demo generator (unknown province, bad scale, regions not loaded)."""

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


# --------------------------------------------------------------------------------------------------
# Reference tables


@dataclass(frozen=True)
class Division:
    code: str
    name: str


@dataclass(frozen=True)
class Place:
    """A seat: coordinates, telephone area code and the spread (degrees) of its counties around it."""

    longitude: float
    latitude: float
    area_code: str
    spread: float


@dataclass(frozen=True)
class Tables:
    calibration: dict[str, Any]
    places: dict[str, Place]
    bounds: dict[str, tuple[float, float, float, float]]
    parts: dict[str, Any]


@functools.cache
def tables() -> Tables:
    with open(DEMO_DIR / "calibration.json", encoding="utf-8") as fh:
        calibration = json.load(fh)
    with open(DEMO_DIR / "name_parts.json", encoding="utf-8") as fh:
        parts = json.load(fh)
    places: dict[str, Place] = {}
    with open(DEMO_DIR / "places.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            places[row["code"]] = Place(float(row["longitude"]), float(row["latitude"]), row["area_code"],
                                        float(row["spread"]))
    bounds: dict[str, tuple[float, float, float, float]] = {}
    with open(DEMO_DIR / "bounds.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            bounds[row["province"]] = (float(row["min_longitude"]), float(row["max_longitude"]),
                                       float(row["min_latitude"]), float(row["max_latitude"]))
    return Tables(calibration, places, bounds, parts)


@dataclass(frozen=True)
class ProvinceLayout:
    """A province with its prefectures and counties (each sorted by code)."""

    province: Division
    prefectures: tuple[Division, ...]
    counties: tuple[Division, ...]

    def counties_of(self, prefecture_code: str) -> list[Division]:
        prefecture = RegionCode.parse(prefecture_code)
        return [c for c in self.counties if prefecture.contains(c.code)]


def layout_from_files(province_code: str, directory: Path = DIVISIONS_DIR) -> ProvinceLayout:
    """The layout straight from the GB/T 2260 CSVs (no database; used by tests and benchmarks)."""

    def read(name: str, parent_column: str | None) -> list[Division]:
        with open(directory / name, encoding="utf-8") as fh:
            return [Division(row["code"], row["name"]) for row in csv.DictReader(fh)
                    if parent_column is None or row["provinceCode"] == province_code]

    provinces = [d for d in read("provinces.csv", None) if d.code == province_code]
    if not provinces:
        raise DemoError(f"Unknown province code {province_code!r}.")
    return ProvinceLayout(provinces[0], tuple(sorted(read("cities.csv", "provinceCode"), key=lambda d: d.code)),
                          tuple(sorted(read("areas.csv", "provinceCode"), key=lambda d: d.code)))


# --------------------------------------------------------------------------------------------------
# Names of places


@functools.cache
def _ethnic_re() -> re.Pattern[str]:
    groups = sorted(tables().parts["ethnic_groups"], key=len, reverse=True)
    return re.compile("(?:" + "|".join(re.escape(g) for g in groups) + ")族$")


def base_name(name: str) -> str:
    """'武侯区' → '武侯', '北川羌族自治县' → '北川', '四川省' → '四川'; one-character bases keep their suffix."""
    stem = name
    for suffix in ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "省", "市", "区", "县", "旗", "州", "盟"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    pattern = _ethnic_re()
    while True:
        shorter = pattern.sub("", stem)
        if shorter == stem:
            break
        stem = shorter
    return stem if len(stem) >= 2 else name


def county_kind(county: Division, province_code: str) -> str:
    """core (central district of the capital) / district / city (county-level city) / county."""
    if county.name.endswith("区"):
        code = RegionCode.parse(county.code)
        if code.at(PREFECTURE).code == province_code + "01" and code.number < 10:
            return "core"
        return "district"
    if county.name.endswith("市"):
        return "city"
    return "county"


def seat_counties(layout: ProvinceLayout) -> set[str]:
    """The county that holds each prefecture's seat: its first district, else first city, else first county."""
    seats = set()
    for prefecture in layout.prefectures:
        counties = layout.counties_of(prefecture.code)
        for kinds in (("core", "district"), ("city",), ("county",)):
            found = [c for c in counties if county_kind(c, layout.province.code) in kinds]
            if found:
                seats.add(found[0].code)
                break
    return seats


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (school ordinals 第…小学)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
    return str(n)


# --------------------------------------------------------------------------------------------------
# How many schools where


def category_totals(layout: ProvinceLayout, scale: float) -> dict[str, int]:
    """Schools per category for the province at ``scale`` (primary: at least one per county)."""
    cal = tables().calibration
    n_counties = len(layout.counties)
    base = cal["provinces"].get(layout.province.code)
    if base is None:
        share = n_counties / cal["national_counties"]
        base = {c: v * share for c, v in cal["national"].items()}
    totals: dict[str, int] = {c: round(base[c] * scale) for c in CATEGORIES}
    totals[SchoolCategory.PRIMARY] = max(totals[SchoolCategory.PRIMARY], n_counties)  # every county seat has its primary school
    return totals


# Population proxy by county kind, and how strongly each category leans to cities or the countryside.
_POPULATION = {"core": 2.4, "district": 1.2, "city": 1.3, "county": 1.0}
_LEAN: dict[str, dict[str, float]] = {
    SchoolCategory.KINDERGARTEN: {"core": 0.85, "district": 0.95, "city": 1.0, "county": 1.1},
    SchoolCategory.PRIMARY: {"core": 0.75, "district": 0.85, "city": 1.0, "county": 1.15},
    SchoolCategory.JUNIOR: {"core": 0.6, "district": 0.85, "city": 1.0, "county": 1.1},
    SchoolCategory.SENIOR: {"core": 1.6, "district": 1.1, "city": 1.0, "county": 0.85},
    SchoolCategory.VOCATIONAL: {"core": 2.5, "district": 1.3, "city": 1.0, "county": 0.7},
}
# Categories every county should have at least one of, when the province total allows it.
_ONE_PER_COUNTY = frozenset({SchoolCategory.KINDERGARTEN, SchoolCategory.PRIMARY, SchoolCategory.JUNIOR, SchoolCategory.SENIOR})


def _sparse_factor(county: Division, prefecture: Division) -> float:
    """Thinly populated plateau prefectures (藏族 autonomous prefectures) and autonomous counties."""
    factor = 0.45 if "藏族" in prefecture.name else 1.0
    return factor * (0.8 if county.name.endswith("自治县") else 1.0)


def county_weights(layout: ProvinceLayout, category: str, seed: int) -> list[float]:
    """Relative share of ``category``'s schools for each county, with seeded noise."""
    province = layout.province.code
    seats = seat_counties(layout)
    prefectures = {p.code: p for p in layout.prefectures}
    weights = []
    for county in layout.counties:
        kind = county_kind(county, province)
        prefecture_code = RegionCode.parse(county.code).at(PREFECTURE).code
        capital = prefecture_code == province + "01"
        prefecture = prefectures.get(prefecture_code, Division(prefecture_code, ""))
        sparse = _sparse_factor(county, prefecture)
        if category == SchoolCategory.HIGHER:
            # Higher education lives in the capital and the prefecture seats.
            if kind == "core":
                weight = 8.0
            elif capital and kind in {"district", "city"}:
                weight = 2.0
            elif county.code in seats:
                weight = 1.5
            else:
                weight = {"district": 0.25, "city": 0.2}.get(kind, 0.0)
        elif category == SchoolCategory.SPECIAL:
            # Special schools: about one per county (the policy target), a few more in the capital.
            weight = (1.3 if kind == "core" else 1.0) * math.sqrt(sparse)
        else:
            weight = _POPULATION[kind] * _LEAN[category][kind] * sparse
            if capital and kind == "district":
                weight *= 1.4  # the capital's outer districts are suburbs of a big city
            elif county.code in seats and kind != "core":
                weight *= 1.3
        noise = random.Random(f"edupulse-demo:{seed}:{county.code}:{category}:weight").gauss(0.0, 0.25)
        weights.append(weight * math.exp(noise) if weight > 0 else 0.0)
    return weights


def apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` over ``weights`` exactly (largest remainder), each positive weight getting
    at least ``minimum`` when the total allows it."""
    counts = [0] * len(weights)
    eligible = [i for i, w in enumerate(weights) if w > 0]
    if total <= 0 or not eligible:
        return counts
    if total < minimum * len(eligible):
        minimum = 0
    for i in eligible:
        counts[i] = minimum
    rest = total - minimum * len(eligible)
    weight_sum = sum(weights[i] for i in eligible)
    quotas = {i: rest * weights[i] / weight_sum for i in eligible}
    for i in eligible:
        counts[i] += int(quotas[i])
    left = total - sum(counts)
    by_remainder = sorted(eligible, key=lambda i: (-(quotas[i] - int(quotas[i])), i))
    for i in by_remainder[:left]:
        counts[i] += 1
    return counts


def allocation(layout: ProvinceLayout, scale: float, seed: int) -> dict[str, dict[str, int]]:
    """County code → category → number of schools."""
    plan: dict[str, dict[str, int]] = {c.code: {} for c in layout.counties}
    for category, total in category_totals(layout, scale).items():
        minimum = 1 if category in _ONE_PER_COUNTY else 0
        counts = apportion(total, county_weights(layout, category, seed), minimum)
        for county, count in zip(layout.counties, counts, strict=True):
            plan[county.code][category] = count
    return plan


# --------------------------------------------------------------------------------------------------
# One county's schools


@dataclass
class Town:
    base: str  # 石塘
    suffix: str  # 镇 / 乡 / 街道
    longitude: float
    latitude: float

    @property
    def full(self) -> str:
        return self.base + self.suffix

    @property
    def label(self) -> str:
        """How the town appears in a school name: streets drop '街道' (成都市武侯区簇桥小学)."""
        return self.base if self.suffix == "街道" else self.full


@dataclass
class CountyContext:
    """Everything the name, address and contact generators need about one county."""

    province: Division
    prefecture: Division
    county: Division
    kind: str
    is_seat: bool
    rng: random.Random
    longitude: float
    latitude: float
    area_code: str
    bounds: tuple[float, float, float, float]
    province_names: set[str]  # names that must be unique in the whole province (higher education)
    towns: list[Town] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    villages: set[str] = field(default_factory=set)
    counters: Counter[str] = field(default_factory=Counter)
    last_road: str = ""

    @functools.cached_property
    def prefix(self) -> str:
        """成都市武侯区 for districts, 金堂县 / 都江堰市 for counties and county-level cities."""
        if self.county.name.endswith("区"):
            upper = self.province if self.prefecture.name in PLACEHOLDERS else self.prefecture
            if self.county.name.startswith((base_name(upper.name), base_name(self.province.name))):
                return self.county.name  # 宿迁经济技术开发区, 内蒙古阿拉善高新技术产业开发区
            return upper.name + self.county.name
        return self.county.name

    @functools.cached_property
    def address_prefix(self) -> str:
        prefecture = "" if self.prefecture.name in PLACEHOLDERS else self.prefecture.name
        return self.province.name + prefecture + self.county.name


def _pick_weighted(rng: random.Random, options: dict[str, float]) -> str:
    return rng.choices(list(options), weights=list(options.values()))[0]


def _place_word(rng: random.Random) -> str:
    parts = tables().parts
    while True:
        first, second = rng.choice(parts["place_first"]), rng.choice(parts["place_second"])
        if first != second:
            return first + second


def _road(rng: random.Random) -> str:
    return _place_word(rng) + rng.choice(tables().parts["road_suffixes"])


def _village(ctx: CountyContext) -> str:
    parts = tables().parts
    for _attempt in range(50):
        roll = ctx.rng.random()
        if roll < 0.6:
            word = _place_word(ctx.rng)
        elif roll < 0.85:
            word = ctx.rng.choice(parts["surnames"]) + "家" + ctx.rng.choice("沟湾坝坪岭山河")
        else:
            word = ctx.rng.choice(parts["village_words"])
        if word not in ctx.villages:
            break
    ctx.villages.add(word)
    return word + "村"


def _jitter(ctx: CountyContext, longitude: float, latitude: float, radius: float) -> tuple[float, float]:
    return _jitter_plain(ctx.rng, longitude, latitude, radius, ctx.bounds)


_TOWN_COUNT = {"core": (8, 14), "district": (9, 18), "city": (12, 24), "county": (10, 26)}


def _make_towns(ctx: CountyContext) -> None:
    low, high = _TOWN_COUNT[ctx.kind]
    suffixes = tables().parts["town_suffixes"][ctx.kind]
    radius = 0.04 if ctx.kind == "core" else 0.2
    seen: set[str] = set()
    for _ in range(ctx.rng.randint(low, high)):
        base = _place_word(ctx.rng)
        while base in seen:
            base = _place_word(ctx.rng)
        seen.add(base)
        lon, lat = _jitter(ctx, ctx.longitude, ctx.latitude, radius)
        ctx.towns.append(Town(base, _pick_weighted(ctx.rng, suffixes), lon, lat))


def _next_town(ctx: CountyContext, category: str) -> Town:
    """Towns in turn first (each gets its 中心小学 / 中心幼儿园), then at random."""
    index = ctx.counters[f"town:{category}"]
    ctx.counters[f"town:{category}"] += 1
    return ctx.towns[index] if index < len(ctx.towns) else ctx.rng.choice(ctx.towns)


def _unique(ctx: CountyContext, fixed: Sequence[str], random_name: Callable[[], str],
            numbered: Callable[[int], str], scope: set[str] | None = None) -> str:
    """The first unused of: the fixed names in order, a few random names, then numbered names."""
    used = ctx.names if scope is None else scope
    for name in fixed:
        if name not in used:
            used.add(name)
            return name
    for _attempt in range(12):
        name = random_name()
        if name not in used:
            used.add(name)
            return name
    n = 1
    while numbered(n) in used:
        n += 1
    used.add(numbered(n))
    return numbered(n)


# Where a category's schools are: the county seat, a town (镇/乡/街道) or a village.
_LOCALITY: dict[str, dict[str, tuple[float, float]]] = {
    SchoolCategory.KINDERGARTEN: {"core": (0.6, 0.4), "district": (0.45, 0.4), "city": (0.35, 0.45), "county": (0.25, 0.5)},
    SchoolCategory.PRIMARY: {"core": (0.6, 0.4), "district": (0.4, 0.4), "city": (0.25, 0.45), "county": (0.15, 0.45)},
    SchoolCategory.JUNIOR: {"core": (0.6, 0.4), "district": (0.45, 0.55), "city": (0.3, 0.7), "county": (0.2, 0.8)},
    SchoolCategory.SENIOR: {"core": (0.9, 0.1), "district": (0.8, 0.2), "city": (0.8, 0.2), "county": (0.75, 0.25)},
    SchoolCategory.VOCATIONAL: {"core": (1.0, 0.0), "district": (0.9, 0.1), "city": (0.9, 0.1), "county": (0.9, 0.1)},
}


def _locality(ctx: CountyContext, category: str, index: int) -> str:
    if category in {SchoolCategory.HIGHER, SchoolCategory.SPECIAL} or (category == SchoolCategory.PRIMARY and index == 0):
        return "seat"
    seat, town = _LOCALITY[category][ctx.kind]
    roll = ctx.rng.random()
    return "seat" if roll < seat else "town" if roll < seat + town else "village"


# Categories with a single school type.
_ONE_TYPE: dict[str, str] = {SchoolCategory.KINDERGARTEN: SchoolType.KINDERGARTEN, SchoolCategory.SPECIAL: SchoolType.SPECIAL}


def _school_type(ctx: CountyContext, category: str, locality: str, private: bool) -> str:
    cal = tables().calibration
    roll = ctx.rng.random()
    if category == SchoolCategory.PRIMARY:
        rural_point = locality == "village" and not private and ctx.kind == "county"
        return SchoolType.TEACHING_POINT if rural_point and roll < 0.3 else SchoolType.PRIMARY
    if category == SchoolCategory.JUNIOR:
        share = cal["nine_year_share"] * (1.2 if ctx.kind == "county" else 0.7)
        return SchoolType.NINE_YEAR if roll < share else SchoolType.JUNIOR
    if category == SchoolCategory.SENIOR:
        if private and roll < cal["twelve_year_share"] * 5:
            return SchoolType.TWELVE_YEAR
        return SchoolType.COMPLETE_MIDDLE if roll < cal["complete_middle_share"] else SchoolType.SENIOR
    if category == SchoolCategory.VOCATIONAL:
        if roll < 0.5:
            return SchoolType.TECHNICAL_SECONDARY
        return SchoolType.VOCATIONAL_HIGH if roll < 0.9 else SchoolType.SKILLED_WORKER
    if category == SchoolCategory.HIGHER:
        return _pick_weighted(ctx.rng, cal["higher_type_share"])
    return _ONE_TYPE[category]


@dataclass
class _Naming:
    """One school being named: where it is, what it is, and the draws its name may use."""

    ctx: CountyContext
    school_type: str
    private: bool
    town: Town | None
    village: str
    brands: list[str]
    # Drawn once before naming: the numbered fallbacks are compared repeatedly, so they must not draw.
    fallback_brand: str

    def brand(self) -> str:
        return self.ctx.rng.choice(self.brands)

    def road(self) -> str:
        """A new road name, remembered so that the address can use the road the name mentions."""
        self.ctx.last_road = _road(self.ctx.rng)
        return self.ctx.last_road

    def village_word(self) -> str:
        return _village(self.ctx)


def _name(ctx: CountyContext, category: str, school_type: str, private: bool, town: Town | None,
          village: str) -> str:
    """A realistic Chinese school name, unique within the county (higher education: the province)."""
    parts = tables().parts
    brands = parts["kindergarten_brands"] if category == SchoolCategory.KINDERGARTEN else parts["school_brands"]
    school = _Naming(ctx, school_type, private, town, village, brands, fallback_brand=ctx.rng.choice(brands))
    return _NAMERS[category](school)


def _kindergarten_name(s: _Naming) -> str:
    ctx, p, n, b = s.ctx, s.ctx.prefix, chinese_number, s.fallback_brand
    if s.town is not None:
        town, t = s.town, s.town.label
        if s.private:
            return _unique(ctx, [], lambda: f"{p}{t}{s.brand()}幼儿园", lambda k: f"{p}{t}{b}{n(k)}分园")
        if s.village:
            return _unique(ctx, [f"{p}{town.full}{s.village}幼儿园"], lambda: f"{p}{t}{s.village_word()}幼儿园",
                           lambda k: f"{p}{t}第{n(k)}幼儿园")
        return _unique(ctx, [f"{p}{t}中心幼儿园", f"{p}{t}幼儿园"], lambda: f"{p}{t}{s.village_word()}幼儿园",
                       lambda k: f"{p}{t}第{n(k)}幼儿园")
    if s.private:
        return _unique(ctx, [], lambda: f"{p}{s.brand()}幼儿园", lambda k: f"{p}{b}幼儿园{n(k)}分园")
    return _unique(ctx, [f"{p}实验幼儿园", f"{p}机关幼儿园", f"{p}第一幼儿园", f"{p}第二幼儿园"],
                   lambda: f"{p}{s.road()}幼儿园", lambda k: f"{p}第{n(k)}幼儿园")


def _primary_name(s: _Naming) -> str:
    ctx, p, n, b, rng = s.ctx, s.ctx.prefix, chinese_number, s.fallback_brand, s.ctx.rng
    if s.town is not None:
        town, t = s.town, s.town.label
        if s.school_type == SchoolType.TEACHING_POINT:
            return _unique(ctx, [f"{p}{town.full}{s.village}教学点"], lambda: f"{p}{t}{s.village_word()}教学点",
                           lambda k: f"{p}{t}第{n(k)}教学点")
        if s.private:
            return _unique(ctx, [], lambda: f"{p}{t}{s.brand()}小学", lambda k: f"{p}{t}{b}第{n(k)}小学")
        if s.village:
            return _unique(ctx, [f"{p}{town.full}{s.village}小学"], lambda: f"{p}{t}{s.village_word()}小学",
                           lambda k: f"{p}{t}第{n(k)}小学")
        first = f"{p}{t}小学" if town.suffix == "街道" else f"{p}{t}中心小学"
        return _unique(ctx, [first], lambda: f"{p}{t}{s.village_word()}小学", lambda k: f"{p}{t}第{n(k)}小学")
    if s.private:
        return _unique(ctx, [], lambda: f"{p}{s.brand()}{rng.choice(['', '外国语', '实验'])}小学",
                       lambda k: f"{p}{b}第{n(k)}小学")
    if ctx.kind == "county":
        fixed = [f"{p}实验小学", f"{p}城关小学", f"{p}第一小学", f"{p}第二小学"]
    else:
        fixed = [f"{p}实验小学", f"{p}第一实验小学", f"{p}第二实验小学", f"{p}第一小学"]
    return _unique(ctx, fixed, lambda: f"{p}{s.road()}小学", lambda k: f"{p}第{n(k)}小学")


def _junior_name(s: _Naming) -> str:
    """Junior middle schools and nine-year schools (九年制学校, category 31)."""
    ctx, p, n, b, rng = s.ctx, s.ctx.prefix, chinese_number, s.fallback_brand, s.ctx.rng
    nine_year = s.school_type == SchoolType.NINE_YEAR
    if s.town is not None:
        t = s.town.label
        if nine_year:
            return _unique(ctx, [f"{p}{t}九年制学校", f"{p}{t}学校"], lambda: f"{p}{t}{s.village_word()}学校",
                           lambda k: f"{p}{t}第{n(k)}学校")
        return _unique(ctx, [f"{p}{t}初级中学", f"{p}{t}中学", f"{p}{t}第二初级中学"],
                       lambda: f"{p}{t}{s.village_word()}初级中学", lambda k: f"{p}{t}第{n(k)}中学")
    if nine_year:
        if s.private:
            return _unique(ctx, [], lambda: f"{p}{s.brand()}{rng.choice(['', '外国语', '实验'])}学校",
                           lambda k: f"{p}{b}第{n(k)}学校")
        return _unique(ctx, [f"{p}实验学校"], lambda: f"{p}{s.road()}学校", lambda k: f"{p}第{n(k)}学校")
    if s.private:
        return _unique(ctx, [], lambda: f"{p}{s.brand()}{rng.choice(['', '实验'])}中学",
                       lambda k: f"{p}{b}第{n(k)}中学")
    return _unique(ctx, [f"{p}实验中学", f"{p}第一初级中学", f"{p}第二初级中学"], lambda: f"{p}{s.road()}中学",
                   lambda k: f"{p}第{n(k)}中学")


def _senior_name(s: _Naming) -> str:
    """Senior high schools, complete middle schools and twelve-year schools (category 34)."""
    ctx, p, n, b, rng = s.ctx, s.ctx.prefix, chinese_number, s.fallback_brand, s.ctx.rng
    if s.town is not None:
        t = s.town.label
        return _unique(ctx, [f"{p}{t}中学", f"{p}{t}高级中学"], lambda: f"{p}{t}{s.brand()}中学",
                       lambda k: f"{p}{t}第{n(k)}中学")
    if s.school_type == SchoolType.TWELVE_YEAR:
        return _unique(ctx, [], lambda: f"{p}{s.brand()}{rng.choice(['', '外国语', '实验'])}学校",
                       lambda k: f"{p}{b}第{n(k)}学校")
    if s.private:
        return _unique(ctx, [], lambda: f"{p}{s.brand()}{rng.choice(['', '高级'])}中学",
                       lambda k: f"{p}{b}第{n(k)}中学")
    fixed = [f"{p}第一中学", f"{p}高级中学", f"{p}第二中学"]
    if ctx.kind in {"county", "city"} and s.school_type == SchoolType.SENIOR:
        # Flagship senior high schools of counties carry the province name: 四川省三台中学.
        fixed.insert(0, f"{ctx.province.name}{base_name(ctx.county.name)}中学")
    return _unique(ctx, fixed, lambda: f"{p}{s.road()}中学", lambda k: f"{p}第{n(k)}中学")


def _vocational_name(s: _Naming) -> str:
    """Secondary vocational schools: technical, vocational high and skilled-worker schools (category 36)."""
    ctx, p, n, b, rng = s.ctx, s.ctx.prefix, chinese_number, s.fallback_brand, s.ctx.rng
    fields = tables().parts["vocational_fields"]
    if s.town is not None:
        t = s.town.label
        return _unique(ctx, [f"{p}{t}职业中学"], lambda: f"{p}{t}{rng.choice(fields)}职业学校",
                       lambda k: f"{p}{t}第{n(k)}职业中学")
    if s.private:
        return _unique(ctx, [], lambda: f"{p}{s.brand()}职业技术学校", lambda k: f"{p}{b}{fields[0]}职业学校")
    if s.school_type == SchoolType.SKILLED_WORKER:
        return _unique(ctx, [f"{p}技工学校"], lambda: f"{p}{rng.choice(fields)}技工学校",
                       lambda k: f"{p}第{n(k)}技工学校")
    if s.school_type == SchoolType.VOCATIONAL_HIGH:
        return _unique(ctx, [f"{p}职业中学", f"{p}职业高级中学", f"{p}职业技术教育中心"],
                       lambda: f"{p}{rng.choice(fields)}职业中学", lambda k: f"{p}第{n(k)}职业中学")
    fixed = [f"{p}职业技术学校", f"{p}中等专业学校"]
    if ctx.kind == "core" and rng.random() < 0.5:
        # Province-run secondary schools in the capital: 四川省商贸学校.
        fixed.insert(0, f"{ctx.province.name}{rng.choice(fields)}学校")
    return _unique(ctx, fixed, lambda: f"{p}{rng.choice(fields)}{rng.choice(['', '职业技术'])}学校",
                   lambda k: f"{p}第{n(k)}职业技术学校")


def _special_name(s: _Naming) -> str:
    """Special education schools, always in the county seat."""
    ctx, p, n = s.ctx, s.ctx.prefix, chinese_number
    return _unique(ctx, [f"{p}特殊教育学校", f"{p}培智学校", f"{p}启明学校", f"{p}启聪学校"],
                   lambda: f"{p}{s.road()}特殊教育学校", lambda k: f"{p}第{n(k)}特殊教育学校")


# The tail of a private higher education institution's name, by school type.
_PRIVATE_HIGHER_TAIL: dict[str, str] = {
    SchoolType.UNIVERSITY: "学院", SchoolType.COLLEGE: "学院", SchoolType.HIGHER_VOCATIONAL: "职业学院",
}


def _higher_name(s: _Naming) -> str:
    """Universities and colleges, named after the province or the prefecture (unique in the province)."""
    ctx, school_type, private = s.ctx, s.school_type, s.private
    parts = tables().parts
    rng = ctx.rng
    capital = RegionCode.parse(ctx.county.code).at(PREFECTURE).code == ctx.province.code + "01"
    province_base = base_name(ctx.province.name)
    prefecture_base = base_name(ctx.prefecture.name) if ctx.prefecture.name not in PLACEHOLDERS else province_base
    county_base = base_name(ctx.county.name)
    fields = parts["higher_fields"][school_type]
    university = school_type == SchoolType.UNIVERSITY

    def named(base: str, study: str) -> str:
        if university:
            return f"{base}{study}大学"
        return f"{base}{study}{'学校' if study.endswith('专科') else '学院'}"

    def random_name() -> str:
        if private:
            brand = rng.choice(parts["school_brands"])
            return f"{rng.choice([prefecture_base, county_base])}{brand}{_PRIVATE_HIGHER_TAIL[school_type]}"
        base = province_base if capital and rng.random() < 0.6 else prefecture_base
        return named(base, rng.choice(fields))

    fixed = [] if private or capital else [named(prefecture_base, "" if university else fields[0])]
    return _unique(ctx, fixed, random_name, lambda k: named(f"{prefecture_base}第{chinese_number(k)}", fields[0]),
                   scope=ctx.province_names)


# How each category's schools are named.
_NAMERS: dict[str, Callable[[_Naming], str]] = {
    SchoolCategory.KINDERGARTEN: _kindergarten_name,
    SchoolCategory.PRIMARY: _primary_name,
    SchoolCategory.JUNIOR: _junior_name,
    SchoolCategory.SENIOR: _senior_name,
    SchoolCategory.VOCATIONAL: _vocational_name,
    SchoolCategory.HIGHER: _higher_name,
    SchoolCategory.SPECIAL: _special_name,
}


_URBAN_SEAT: dict[str, dict[str, float]] = {
    "core": {UrbanRural.MAIN_URBAN: 0.9, UrbanRural.URBAN_RURAL_FRINGE: 0.1},
    "district": {UrbanRural.MAIN_URBAN: 0.7, UrbanRural.URBAN_RURAL_FRINGE: 0.3},
    "city": {UrbanRural.MAIN_URBAN: 0.75, UrbanRural.URBAN_RURAL_FRINGE: 0.25},
    "county": {UrbanRural.TOWN_CENTRE: 0.85, UrbanRural.TOWN_RURAL_FRINGE: 0.15},
}
_URBAN_TOWN: dict[str, dict[str, float]] = {
    "街道": {UrbanRural.MAIN_URBAN: 0.4, UrbanRural.URBAN_RURAL_FRINGE: 0.6},
    "镇": {UrbanRural.TOWN_CENTRE: 0.75, UrbanRural.TOWN_RURAL_FRINGE: 0.25},
    "乡": {UrbanRural.TOWNSHIP_CENTRE: 1.0},
}


def _urban_rural(ctx: CountyContext, locality: str, town: Town | None) -> str:
    """统计用城乡划分 consistent with where the school is: district seats 111/112, county seats 121/122,
    towns by their kind (街道 11x, 镇 12x, 乡 210), villages 220."""
    if locality == "village":
        return UrbanRural.VILLAGE
    if town is None:
        return _pick_weighted(ctx.rng, _URBAN_SEAT[ctx.kind])
    return _pick_weighted(ctx.rng, _URBAN_TOWN[town.suffix])


def _person(rng: random.Random) -> str:
    parts = tables().parts
    given = "".join(rng.choice(parts["given"]) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(parts["surnames"]) + given


def _phone(ctx: CountyContext) -> str:
    rng = ctx.rng
    if ctx.area_code and rng.random() < 0.65:
        if len(ctx.area_code) == 3:  # big cities: 8-digit local numbers
            return f"{ctx.area_code}-{rng.choice('68')}{rng.randrange(10**7):07d}"
        return f"{ctx.area_code}-{rng.randint(2, 8)}{rng.randrange(10**6):06d}"
    return f"1{rng.choice(['35', '36', '38', '39', '50', '51', '58', '80', '82', '87', '89', '77', '99'])}" \
           f"{rng.randrange(10**8):08d}"


def _coordinates(ctx: CountyContext, locality: str, town: Town | None) -> tuple[Decimal, Decimal]:
    if town is None:
        lon, lat = _jitter(ctx, ctx.longitude, ctx.latitude, 0.02)
    else:
        lon, lat = _jitter(ctx, town.longitude, town.latitude, 0.05 if locality == "village" else 0.01)
    quantum = Decimal("0.000001")
    return Decimal(f"{lon:.6f}").quantize(quantum), Decimal(f"{lat:.6f}").quantize(quantum)


_PRIVATE_LEAN = {"core": 1.5, "district": 1.3, "city": 1.0, "county": 0.7}


def _county_schools(ctx: CountyContext, counts: dict[str, int]) -> list[dict[str, Any]]:
    """Rows (without codes) for one county, in category order."""
    shares = tables().calibration["private_share"]
    _make_towns(ctx)
    rows = []
    for category in CATEGORIES:
        for index in range(counts.get(category, 0)):
            locality = _locality(ctx, category, index)
            lean = 1.0 if category == SchoolCategory.HIGHER else _PRIVATE_LEAN[ctx.kind]
            private = ctx.rng.random() < min(0.9, shares[category] * lean)
            if category == SchoolCategory.PRIMARY and index == 0:
                private = False  # the county seat's own primary school
            if private and locality == "village":
                locality = "town"
            town = _next_town(ctx, category) if locality != "seat" else None
            village = _village(ctx) if locality == "village" else ""
            school_type = _school_type(ctx, category, locality, private)
            ctx.last_road = ""
            name = _name(ctx, category, school_type, private, town, village)
            longitude, latitude = _coordinates(ctx, locality, town)
            where = town.full if town is not None else ""
            if village:
                address = f"{ctx.address_prefix}{where}{village}{ctx.rng.randint(1, 12)}组"
            else:
                street = ctx.last_road if ctx.last_road and ctx.last_road in name else _road(ctx.rng)
                address = f"{ctx.address_prefix}{where}{street}{ctx.rng.randint(1, 399)}号"
            # The rows hold the codes as plain strings, not the members of the code tables.
            rows.append({
                "name": name,
                "category": str(category),
                "school_type": str(school_type),
                "county_id": ctx.county.code,
                "urban_rural": str(_urban_rural(ctx, locality, town)),
                "ownership": str(Ownership.PRIVATE if private else Ownership.PUBLIC),
                "address": address[:255],
                "longitude": longitude,
                "latitude": latitude,
                "contact_name": _person(ctx.rng),
                "contact_phone": _phone(ctx),
            })
    return rows


def _seat_place(layout: ProvinceLayout, prefecture: Division, seed: int) -> Place:
    """A prefecture seat from the table, or placed around the provincial capital when not listed."""
    places = tables().places
    if prefecture.code in places:
        return places[prefecture.code]
    province = places.get(layout.province.code, Place(104.0, 30.0, "", 1.0))
    if prefecture.code.endswith("01"):
        return Place(province.longitude, province.latitude, province.area_code, province.spread * 0.25)
    rng = random.Random(f"edupulse-demo:{seed}:{prefecture.code}:seat")
    angle, distance = rng.uniform(0, 2 * math.pi), province.spread * (0.3 + 0.7 * math.sqrt(rng.random()))
    return Place(province.longitude + distance * math.cos(angle), province.latitude + distance * math.sin(angle),
                 "", province.spread * 0.3)


def _bounds(layout: ProvinceLayout) -> tuple[float, float, float, float]:
    known = tables().bounds.get(layout.province.code)
    if known:
        return known
    place = tables().places.get(layout.province.code, Place(104.0, 30.0, "", 3.0))
    pad = place.spread * 1.6
    return (max(73.5, place.longitude - pad), min(135.0, place.longitude + pad),
            max(18.2, place.latitude - pad), min(53.5, place.latitude + pad))


def generate_schools(layout: ProvinceLayout, *, scale: float = 1.0, seed: int = 7,
                     progress: Progress | None = None) -> list[dict[str, Any]]:
    """All demo schools of a province as ``import_schools`` rows, deterministic in (province, scale, seed).

    Codes are category + province + a 6-digit sequence numbered per category in county order.
    """
    if not 0 < scale <= MAX_SCALE:
        raise DemoError(f"--scale must be greater than 0 and at most {MAX_SCALE:g}, got {scale:g}.")
    if not layout.counties:
        raise DemoError(f"Province {layout.province.code} has no counties.")
    plan = allocation(layout, scale, seed)
    seats = seat_counties(layout)
    bounds = _bounds(layout)
    province_names: set[str] = set()
    sequences: Counter[str] = Counter()
    rows: list[dict[str, Any]] = []
    for number, prefecture in enumerate(layout.prefectures, start=1):
        seat = _seat_place(layout, prefecture, seed)
        counties = layout.counties_of(prefecture.code)
        before = len(rows)
        for county in counties:
            rng = random.Random(f"edupulse-demo:{seed}:{county.code}")
            kind = county_kind(county, layout.province.code)
            is_seat = county.code in seats
            if kind == "core" or is_seat:
                lon, lat = _jitter_plain(rng, seat.longitude, seat.latitude, min(0.06, seat.spread), bounds)
            else:
                lon, lat = _jitter_plain(rng, seat.longitude, seat.latitude, seat.spread, bounds)
            ctx = CountyContext(
                province=layout.province, prefecture=prefecture, county=county, kind=kind, is_seat=is_seat,
                rng=rng, longitude=lon, latitude=lat, area_code=seat.area_code, bounds=bounds,
                province_names=province_names,
            )
            for row in _county_schools(ctx, plan[county.code]):
                sequences[row["category"]] += 1
                sequence = sequences[row["category"]]
                if sequence > MAX_SEQUENCE:
                    raise DemoError("Too many schools for 6-digit codes; use a smaller --scale.")
                row["code"] = f"{row['category']}{layout.province.code}{sequence:06d}"
                rows.append(row)
        if progress is not None:
            progress(f"[{number:>2}/{len(layout.prefectures)}] {prefecture.code} {prefecture.name}: "
                     f"{len(counties)} counties, {len(rows) - before} schools")
    return rows


def _jitter_plain(rng: random.Random, longitude: float, latitude: float, radius: float,
                  bounds: tuple[float, float, float, float]) -> tuple[float, float]:
    angle = rng.uniform(0, 2 * math.pi)
    distance = radius * math.sqrt(rng.random())
    min_lon, max_lon, min_lat, max_lat = bounds
    return (min(max(longitude + distance * math.cos(angle), min_lon), max_lon),
            min(max(latitude + distance * math.sin(angle), min_lat), max_lat))


# --------------------------------------------------------------------------------------------------
# Demo users


@dataclass(frozen=True)
class DemoUser:
    """One demo login. ``school_county`` means: the CIO of the first primary school of that county."""

    username: str
    role: str
    region_code: str = ""
    school_county: str = ""
    superuser: bool = False


# Preferred places for the Sichuan demo (the scenario: 成都市武侯区 versus 绵阳市涪城区).
_PREFERRED = {"51": ("5101", "510107", "510703")}


def demo_users(layout: ProvinceLayout) -> list[DemoUser]:
    """A superuser and one user per role for the province (other provinces: the first prefecture/county)."""
    province = layout.province.code
    prefecture, county, other = _PREFERRED.get(province, ("", "", ""))
    codes = {c.code for c in layout.counties}
    if county not in codes or other not in codes:
        first = layout.prefectures[0].code
        prefecture = first
        county = layout.counties_of(first)[0].code
        in_first = RegionCode.parse(first)
        others = [c.code for c in layout.counties if not in_first.contains(c.code)] or [c.code for c in layout.counties[1:]]
        other = others[0] if others else county
    tag = f"demo{province}"
    return [
        DemoUser(SUPERUSER_NAME, "", superuser=True),
        DemoUser(f"{tag}-province", "province_admin", region_code=province),
        DemoUser(f"{tag}-prefecture", "prefecture_officer", region_code=prefecture),
        DemoUser(f"{tag}-county", "county_officer", region_code=county),
        DemoUser(f"{tag}-county2", "county_officer", region_code=other),
        DemoUser(f"{tag}-school", "school_cio", school_county=county),
        DemoUser(f"{tag}-expert", "expert_reviewer", region_code=province),
        DemoUser(f"{tag}-auditor", "auditor", region_code=province),
    ]


# --------------------------------------------------------------------------------------------------
# Writing to the database (through the actions)


@dataclass
class DemoUserResult:
    username: str
    role: str
    scope: str
    created: bool


@dataclass
class DemoResult:
    province: str
    province_name: str
    scale: float
    seed: int
    generated: int
    created: int
    skipped: int
    users: list[DemoUserResult]
    password: str = DEMO_PASSWORD


def layout_from_db(province_code: str) -> ProvinceLayout:
    province = RegionCode.parse_or_none(province_code)
    if province is None or province.level != PROVINCE:
        raise DemoError(f"--province must be a 2-digit GB/T 2260 province code such as 51, got {province_code!r}.")
    if not Region.objects.exists():
        raise DemoError("No regions are loaded: run `edupulse load-regions` first.")
    rows = list(Region.objects.filter(code__startswith=province.code).order_by("code").values_list("code", "name"))
    by_level: dict[str, list[Division]] = {level: [] for level in LEVELS}
    for code, name in rows:
        by_level[RegionCode.parse(code).level].append(Division(code, name))
    if not by_level[PROVINCE]:
        raise DemoError(f"Unknown province code {province_code!r}.")
    return ProvinceLayout(by_level[PROVINCE][0], tuple(by_level[PREFECTURE]), tuple(by_level[COUNTY]))


def load_demo(province_code: str, *, scale: float = 1.0, seed: int = 7,
              progress: Progress | None = None) -> DemoResult:
    """Generate the province and write what is missing: schools whose code already exists are skipped,
    users that exist are left alone (password included). Running it twice changes nothing."""
    def report(message: str) -> None:
        if progress is not None:
            progress(message)

    started = time.perf_counter()
    layout = layout_from_db(province_code)
    rows = generate_schools(layout, scale=scale, seed=seed, progress=progress)
    report(f"generated {len(rows)} schools in {time.perf_counter() - started:.1f} s")
    existing = set(School.objects.filter(province_id=province_code).values_list("code", flat=True))
    new_rows = [row for row in rows if row["code"] not in existing]
    if new_rows:
        report(f"importing {len(new_rows)} schools ({len(rows) - len(new_rows)} already present)")
        started = time.perf_counter()
        result = run_as_system(import_schools, new_rows)
        if result.errors:
            raise DemoError(f"{len(result.errors)} generated rows were rejected; nothing was written.",
                            details=result.errors[:20])
        report(f"imported {result.created} schools in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    users = [_ensure_user(spec) for spec in demo_users(layout)]
    report(f"demo users ready in {time.perf_counter() - started:.1f} s")
    return DemoResult(province=province_code, province_name=layout.province.name, scale=scale, seed=seed,
                      generated=len(rows), created=len(new_rows), skipped=len(rows) - len(new_rows), users=users)


@functools.lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    """One Argon2 hash of the shared demo password for all demo users (Argon2 is slow on purpose)."""
    return make_password(DEMO_PASSWORD)


def _ensure_user(spec: DemoUser) -> DemoUserResult:
    school = None
    if spec.school_county:
        school = (School.objects.filter(county_id=spec.school_county, category=SchoolCategory.PRIMARY).order_by("code").first()
                  or School.objects.filter(county_id=spec.school_county).order_by("code").first())
        if school is None:
            raise DemoError(f"County {spec.school_county} has no school for the demo school CIO.")
    if spec.superuser:
        scope = "nationwide"
    elif school is not None:
        scope = f"{school.name} ({school.code})"
    else:
        region = Region.objects.get(code=spec.region_code)
        scope = f"{region.full_name()} ({region.code})"
    if User.objects.filter(username=spec.username).exists():
        return DemoUserResult(spec.username, spec.role or "superuser", scope, created=False)
    if spec.superuser:
        run_as_system(create_user, username=spec.username, password_hash=_demo_password_hash(), is_superuser=True,
                      is_staff=True, validate=False)
    else:
        run_as_system(create_user, username=spec.username, password_hash=_demo_password_hash(), role=spec.role,
                      scope_region_id=spec.region_code or None, scope_school=school, validate=False)
    return DemoUserResult(spec.username, spec.role or "superuser", scope, created=True)
