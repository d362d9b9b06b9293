"""Indicator definitions as data: the built-in YAML, overridden by versions edited in the admin.

A definition says what to divide by what over one *source* (``sources.py``): the numerator and the
denominator are each a :class:`Measure` — the sum of a field, or the number of units where a condition
holds. Conditions are a small SQL subset parsed with SQLGlot and checked against the source's fields here,
once, so that a typo in the admin is a clear error and never a failing query at computation time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlglot
import yaml
from django.utils.translation import gettext as _
from sqlglot import exp

BUILTIN_PATH = Path(__file__).resolve().parent / "definitions" / "builtin.yaml"
THEMES = ("infrastructure", "application", "teachers", "governance", "security")
DIRECTIONS = ("higher", "lower")
COMPARATORS = (">=", ">", "<=", "<", "=")

# The SQL a condition may contain: comparisons, logic, NULL tests and IN lists over columns and literals.
_ALLOWED_NODES: tuple[type[exp.Expression], ...] = (
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren, exp.Tuple,
    exp.And, exp.Or, exp.Not, exp.Is, exp.In, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Neg,
)


class DefinitionError(ValueError):
    """A definition that cannot be used, with a Chinese message naming the indicator and the field."""


@dataclass(frozen=True)
class Measure:
    """Σ ``field`` over the units, or the number of units where ``condition`` holds."""

    kind: str  # "sum" | "count"
    field: str = ""
    condition: str = ""

    def fields(self) -> set[str]:
        if self.kind == "sum":
            return {self.field}
        return {c.name for c in sqlglot.parse_one(self.condition, read="duckdb").find_all(exp.Column)}

    def as_yaml(self) -> dict[str, str]:
        return {"sum": self.field} if self.kind == "sum" else {"count": self.condition}


@dataclass(frozen=True)
class Target:
    value: float
    comparator: str = ">="
    source: str = ""  # the seed file and item that set it

    def attained(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return {">=": value >= self.value, ">": value > self.value, "<=": value <= self.value,
                "<": value < self.value, "=": value == self.value}[self.comparator]


@dataclass(frozen=True)
class Definition:
    """One indicator: ``factor × Σ numerator / Σ denominator`` over the source's units."""

    code: str
    name: str
    source: str
    numerator: Measure
    denominator: Measure
    theme: str = "infrastructure"
    description: str = ""
    factor: float = 100.0
    unit: str = "%"
    decimals: int = 1
    direction: str = "higher"
    target: Target | None = None
    categories: tuple[str, ...] = ()
    version: int = 0  # 0: built in; n: the n-th version saved in the admin

    def fields(self) -> set[str]:
        return self.numerator.fields() | self.denominator.fields()

    def value_of(self, numerator: float, denominator: float) -> float | None:
        return round(self.factor * numerator / denominator, self.decimals) if denominator else None

    def attained(self, value: float | None) -> bool | None:
        return self.target.attained(value) if self.target is not None else None

    def better(self, a: float, b: float) -> bool:
        return a > b if self.direction == "higher" else a < b

    def as_yaml(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code, "name": self.name, "theme": self.theme, "source": self.source,
            "numerator": self.numerator.as_yaml(), "denominator": self.denominator.as_yaml(),
            "factor": self.factor, "unit": self.unit, "decimals": self.decimals, "direction": self.direction,
        }
        if self.description:
            data["description"] = self.description
        if self.categories:
            data["categories"] = list(self.categories)
        if self.target is not None:
            data["target"] = {"value": self.target.value, "comparator": self.target.comparator,
                              "source": self.target.source}
        return data


def _fail(code: str, where: str, message: str) -> DefinitionError:
    return DefinitionError(_("Indicator %(code)s, %(where)s: %(message)s") % {
        "code": code or "?", "where": where, "message": message})


def _condition(code: str, where: str, text: str, fields: set[str] | None) -> str:
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except sqlglot.errors.ParseError:
        raise _fail(code, where, _("the condition “%(text)s” is not valid") % {"text": text}) from None
    for node in tree.walk():
        if not isinstance(node, _ALLOWED_NODES):
            raise _fail(code, where, _("the condition “%(text)s” may only compare fields with values") % {"text": text})
        if isinstance(node, exp.Column) and fields is not None and node.name not in fields:
            raise _fail(code, where, _("the source has no field %(field)s") % {"field": node.name})
    return text


def _measure(code: str, where: str, raw: Any, fields: set[str] | None) -> Measure:
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in {"sum", "count"}:
        raise _fail(code, where, _("give either {sum: field} or {count: condition}"))
    kind, value = next(iter(raw.items()))
    value = str(value).strip()
    if kind == "sum":
        if fields is not None and value not in fields:
            raise _fail(code, where, _("the source has no field %(field)s") % {"field": value})
        return Measure("sum", field=value)
    return Measure("count", condition=_condition(code, where, value or "true", fields))


def _number(code: str, where: str, raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _fail(code, where, _("must be a number"))
    return float(raw)


def parse(raw: Any, *, version: int = 0, source_fields: dict[str, set[str]] | None = None) -> Definition:
    """Check one definition (a mapping as in the YAML) and return it; raises :class:`DefinitionError`.

    ``source_fields`` maps source codes to their field names (the registered sources when omitted)."""
    if not isinstance(raw, dict):
        raise _fail("", "", _("each indicator is a mapping"))
    code = str(raw.get("code") or "").strip()
    if not code.isidentifier() or not code.isascii() or len(code) > 40:
        raise _fail(code, "code", _("use letters, digits and underscores (at most 40)"))
    if source_fields is None:
        # cycle: sources imports this module for Definition.
        from edupulse.indicators.sources import field_names

        source_fields = field_names()
    source = str(raw.get("source") or "")
    if source not in source_fields:
        raise _fail(code, "source", _("unknown source %(source)s") % {"source": source})
    fields = source_fields[source]
    name = str(raw.get("name") or "").strip()
    if not name:
        raise _fail(code, "name", _("a Chinese name is required"))
    theme = str(raw.get("theme") or "infrastructure")
    if theme not in THEMES:
        raise _fail(code, "theme", _("must be one of %(choices)s") % {"choices": ", ".join(THEMES)})
    direction = str(raw.get("direction") or "higher")
    if direction not in DIRECTIONS:
        raise _fail(code, "direction", _("must be one of %(choices)s") % {"choices": ", ".join(DIRECTIONS)})
    target = None
    if raw.get("target") is not None:
        t = raw["target"]
        if not isinstance(t, dict):
            raise _fail(code, "target", _("give {value: number, source: text}"))
        comparator = str(t.get("comparator") or (">=" if direction == "higher" else "<="))
        if comparator not in COMPARATORS:
            raise _fail(code, "target.comparator", _("must be one of %(choices)s") % {"choices": ", ".join(COMPARATORS)})
        target = Target(_number(code, "target.value", t.get("value")), comparator, str(t.get("source") or ""))
    categories = raw.get("categories") or []
    if not isinstance(categories, list) or not all(isinstance(c, str) and len(c) == 2 and c.isdigit()
                                                   for c in categories):
        raise _fail(code, "categories", _("a list of two-digit school category codes"))
    return Definition(
        code=code, name=name, source=source, theme=theme, description=str(raw.get("description") or ""),
        numerator=_measure(code, "numerator", raw.get("numerator"), fields),
        denominator=_measure(code, "denominator", raw.get("denominator"), fields),
        factor=_number(code, "factor", raw.get("factor", 100)), unit=str(raw.get("unit", "%")),
        decimals=int(raw.get("decimals", 1)), direction=direction, target=target,
        categories=tuple(categories), version=version,
    )


@lru_cache(maxsize=1)
def _builtin_raw() -> tuple[dict[str, Any], ...]:
    data = yaml.safe_load(BUILTIN_PATH.read_text(encoding="utf-8"))
    return tuple(data)


def builtin() -> dict[str, Definition]:
    """The definitions shipped with EduPulse, by code, in file order."""
    return {d.code: d for d in (parse(raw) for raw in _builtin_raw())}


def effective() -> dict[str, Definition]:
    """What is in force: the built-ins, each replaced by its latest saved version (new codes appended);
    a version saved as inactive withdraws the indicator."""
    # app registry: definitions are parsed at import time by tests that have no database.
    from edupulse.indicators.models import IndicatorDefinition

    definitions = builtin()
    latest = {row.code: row for row in IndicatorDefinition.objects.order_by("code", "version")}
    for row in latest.values():
        if not row.is_active:
            definitions.pop(row.code, None)
            continue
        try:
            definitions[row.code] = parse(row.spec, version=row.version)
        except DefinitionError:
            continue  # saved before a source changed its fields: the admin shows the error on the row
    return definitions
