"""Supervision frameworks (督导评估指标体系) as data: YAML files in ``frameworks/``, checked here once.

A framework is dimensions of items; each item has its points and a *kind* saying how it is scored from the
platform's data (``scoring.py``). A round keeps the framework it was created with as a snapshot
(:meth:`Framework.as_data`), read back with :func:`from_snapshot`, so later edits of a file never change a
round already scored. Errors name the item and the field in Chinese, like the indicator definitions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

FRAMEWORK_DIR = Path(__file__).resolve().parent / "frameworks"
INDICATOR = "indicator"
FINDINGS = "findings"
OVERDUE = "overdue_rectification"
REGISTRY_GAP = "registry_gap"
REPORTING = "reporting"
KINDS = (INDICATOR, FINDINGS, OVERDUE, REGISTRY_GAP, REPORTING)
DEDUCTING = (FINDINGS, OVERDUE, REGISTRY_GAP)
TOTAL_POINTS = 100.0


class FrameworkError(ValueError):
    """A framework that cannot be used, with a Chinese message naming the item and the field."""


@dataclass(frozen=True)
class Band:
    """``share`` of the item's points when the value is at least ``at_least``."""

    at_least: float
    share: float


@dataclass(frozen=True)
class Item:
    """One checklist item. Which fields matter depends on ``kind`` (see ``frameworks/default.yaml``)."""

    code: str
    title: str
    points: float
    kind: str
    dimension: str = ""
    indicator: str = ""
    target: float | None = None  # indicator: resolved from the indicator's own target; reporting: 100
    direction: str = "higher"  # indicator: copied from the definition
    bands: tuple[Band, ...] = ()
    deduct: float = 0.0
    min_severity: int = 3
    form: str = ""


@dataclass(frozen=True)
class Dimension:
    code: str
    title: str
    items: tuple[Item, ...]

    @property
    def points(self) -> float:
        return sum(item.points for item in self.items)


@dataclass(frozen=True)
class Framework:
    code: str
    version: int
    title: str
    source: str
    dimensions: tuple[Dimension, ...]

    @property
    def items(self) -> list[Item]:
        return [item for dimension in self.dimensions for item in dimension.items]

    @property
    def points(self) -> float:
        return sum(d.points for d in self.dimensions)

    def item(self, code: str) -> Item:
        return next(item for item in self.items if item.code == code)

    def as_data(self) -> dict[str, Any]:
        """The snapshot a round stores (JSON), readable by :func:`from_snapshot`."""
        # Through JSON: tuples become lists, as the stored snapshot reads back.
        data: dict[str, Any] = json.loads(json.dumps(asdict(self)))
        return data


def _fail(where: str, message: str) -> FrameworkError:
    return FrameworkError(_("Supervision framework, %(where)s: %(message)s") % {"where": where, "message": message})


def _number(where: str, raw: Any, *, positive: bool = False) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _fail(where, _("must be a number"))
    if raw < 0 or (positive and raw == 0):
        raise _fail(where, _("must be greater than 0") if positive else _("must not be negative"))
    return float(raw)


def _text(where: str, raw: Any) -> str:
    text = str(raw or "").strip()
    if not text:
        raise _fail(where, _("is required"))
    return text


def _bands(where: str, raw: Any) -> tuple[Band, ...]:
    if raw in (None, []):
        return ()
    if not isinstance(raw, list) or not all(isinstance(b, dict) for b in raw):
        raise _fail(where, _("give a list of {at_least: number, share: number between 0 and 1}"))
    bands = []
    for n, band in enumerate(raw, start=1):
        share = _number(f"{where}[{n}].share", band.get("share"))
        if share > 1:
            raise _fail(f"{where}[{n}].share", _("must be between 0 and 1"))
        bands.append(Band(_number(f"{where}[{n}].at_least", band.get("at_least")), share))
    # Highest threshold first: the first band reached gives the share.
    return tuple(sorted(bands, key=lambda b: -b.at_least))


def _indicator_fields(where: str, raw: dict[str, Any], indicators: Mapping[str, Any] | None) -> dict[str, Any]:
    code = _text(f"{where}.indicator", raw.get("indicator"))
    target = raw.get("target")
    direction = str(raw.get("direction") or "higher")
    if indicators is not None:
        if code not in indicators:
            raise _fail(f"{where}.indicator", _("unknown indicator %(code)s") % {"code": code})
        definition = indicators[code]
        direction = definition.direction
        if target is None and definition.target is not None:
            target = definition.target.value
    if target is None:
        raise _fail(f"{where}.target", _("the indicator has no target: give one"))
    return {"indicator": code, "target": _number(f"{where}.target", target, positive=True), "direction": direction,
            "bands": _bands(f"{where}.bands", raw.get("bands"))}


def _item(dimension: str, raw: Any, indicators: Mapping[str, Any] | None) -> Item:
    if not isinstance(raw, dict):
        raise _fail(dimension, _("each item is a mapping"))
    code = str(raw.get("code") or "").strip()
    where = f"{dimension}.{code or '?'}"
    if not code or len(code) > 20 or not code.replace("_", "").isalnum() or not code.isascii():
        raise _fail(where, _("the code uses letters, digits and underscores (at most 20)"))
    kind = str(raw.get("kind") or "")
    if kind not in KINDS:
        raise _fail(f"{where}.kind", _("must be one of %(choices)s") % {"choices": ", ".join(KINDS)})
    fields: dict[str, Any] = {}
    if kind == INDICATOR:
        fields = _indicator_fields(where, raw, indicators)
    elif kind in DEDUCTING:
        fields = {"deduct": _number(f"{where}.deduct", raw.get("deduct"), positive=True)}
        if kind == FINDINGS:
            severity = raw.get("min_severity", 3)
            if severity not in (1, 2, 3, 4):
                raise _fail(f"{where}.min_severity", _("must be 1, 2, 3 or 4"))
            fields["min_severity"] = int(severity)
    else:
        fields = {"form": _text(f"{where}.form", raw.get("form")),
                  "target": _number(f"{where}.target", raw.get("target", 100), positive=True)}
    return Item(code=code, title=_text(f"{where}.title", raw.get("title")), kind=kind, dimension=dimension,
                points=_number(f"{where}.points", raw.get("points"), positive=True), **fields)


def parse(raw: Any, *, indicators: Mapping[str, Any] | None = None) -> Framework:
    """Check a framework (the YAML mapping, or a round's snapshot) and return it; raises
    :class:`FrameworkError`. ``indicators`` (code → indicator definition) checks the indicator codes and
    fills in their targets and directions; a snapshot is read without it (it holds them already)."""
    if not isinstance(raw, dict):
        raise _fail("", _("the file must hold a mapping with code, title and dimensions"))
    code = _text("code", raw.get("code"))
    version = raw.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _fail("version", _("must be a whole number of at least 1"))
    dimensions_raw = raw.get("dimensions")
    if not isinstance(dimensions_raw, list) or not dimensions_raw:
        raise _fail("dimensions", _("give at least one dimension"))
    dimensions, seen = [], set()
    for raw_dimension in dimensions_raw:
        if not isinstance(raw_dimension, dict):
            raise _fail("dimensions", _("each dimension is a mapping"))
        dimension_code = _text("dimensions.code", raw_dimension.get("code"))
        items_raw = raw_dimension.get("items")
        if not isinstance(items_raw, list) or not items_raw:
            raise _fail(f"{dimension_code}.items", _("give at least one item"))
        items = tuple(_item(dimension_code, item, indicators) for item in items_raw)
        for item in items:
            if item.code in seen:
                raise _fail(f"{dimension_code}.{item.code}", _("the code is used twice"))
            seen.add(item.code)
        dimensions.append(Dimension(dimension_code, _text(f"{dimension_code}.title", raw_dimension.get("title")),
                                    items))
    framework = Framework(code=code, version=version, title=_text("title", raw.get("title")),
                          source=str(raw.get("source") or ""), dimensions=tuple(dimensions))
    if abs(framework.points - TOTAL_POINTS) > 1e-6:
        raise _fail("points", _("the points of all items add up to %(total)s, not 100") % {"total": f"{framework.points:g}"})
    return framework


def available() -> list[str]:
    """The codes of the shipped frameworks (file names without ``.yaml``)."""
    return sorted(path.stem for path in FRAMEWORK_DIR.glob("*.yaml"))


@lru_cache(maxsize=8)
def _raw(code: str) -> Any:
    path = FRAMEWORK_DIR / f"{code}.yaml"
    if code not in available():
        raise FrameworkError(_("There is no supervision framework “%(code)s”.") % {"code": code})
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise _fail(path.name, _("not valid YAML (%(error)s)") % {"error": error}) from None


def load(code: str, indicators: Mapping[str, Any] | None) -> Framework:
    """A shipped framework, checked against the indicator definitions in force."""
    return parse(_raw(code), indicators=indicators)


def from_snapshot(data: dict[str, Any]) -> Framework:
    """The framework a round stored (targets and directions already resolved)."""
    return parse(data)


def _g(number: float) -> str:
    return f"{number:g}"


def rule_text(item: Item, indicator_name: str = "") -> str:
    """The item's scoring rule as one Chinese sentence (the scorecard, the exports and the 通报 show it)."""
    values = {"points": _g(item.points), "deduct": _g(item.deduct), "target": _g(item.target or 0),
              "indicator": indicator_name or item.indicator, "form": item.form}
    if item.kind == INDICATOR:
        if item.bands:
            values["bands"] = "；".join(
                _("at least %(at_least)s: %(share)s%% of the points") % {"at_least": _g(b.at_least),
                                                                         "share": _g(round(b.share * 100, 1))}
                for b in item.bands)
            return _("%(indicator)s: the full %(points)s points when the target %(target)s is reached; otherwise "
                     "by bands (%(bands)s), else 0; 0 without data.") % values
        if item.direction == "lower":
            return _("%(indicator)s: the full %(points)s points when the target %(target)s is reached; otherwise "
                     "%(points)s × target ÷ value; 0 without data.") % values
        return _("%(indicator)s: the full %(points)s points when the target %(target)s is reached; otherwise "
                 "%(points)s × value ÷ target; 0 without data.") % values
    if item.kind == FINDINGS:
        return _("%(deduct)s points off for each open monitoring finding of high severity or above on the "
                 "region's websites, down to 0.") % values
    if item.kind == OVERDUE:
        return _("%(deduct)s points off for each rectification item past its deadline and not verified, "
                 "down to 0.") % values
    if item.kind == REGISTRY_GAP:
        return _("%(deduct)s points off for each information system at protection level 2 or above without a "
                 "filing number, down to 0.") % values
    return _("%(points)s × the reporting rate of the survey ÷ %(target)s%%, at most %(points)s.") % values
