"""Form definitions: the in-memory shape of a form version, read from YAML or from the database.

A :class:`FormSpec` is plain data (picklable, no database access) so that parsing and validating
uploaded files can run in worker processes. ``load_yaml`` checks a YAML file strictly and names the
first problem; the models in ``models/form.py`` store the same content, and ``spec_from_db`` rebuilds
the spec from them.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from edupulse.collection import expressions
from edupulse.collection.expressions import ExpressionError, Node
from edupulse.core.regions import RegionCode, is_region_code

FORMS_DIR = Path(__file__).resolve().parent / "form_definitions"

FIELD_TYPES = ("integer", "decimal", "percent", "boolean", "choice", "text", "date")
NUMERIC_TYPES = frozenset({"integer", "decimal", "percent", "boolean"})
PERIOD_TYPES = ("year", "semester", "month", "once")
SEVERITIES = ("error", "warning")
MISSING_STRATEGIES = ("skip_if_any", "skip_if_all", "never_skip")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
RULE_CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,31}$")
PERIOD_RES = {
    "year": re.compile(r"^(19|20)\d\d$"),
    "semester": re.compile(r"^(19|20)\d\d-[12]$"),
    "month": re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])$"),
    "once": re.compile(r"^once$"),
}


class DefinitionError(ValueError):
    """A form definition is invalid; the message names the file, the place and the problem."""


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class FieldSpec:
    code: str
    label: str
    type: str
    section: str
    unit: str = ""
    required: bool = False
    min: float | None = None
    max: float | None = None
    decimals: int = 2
    max_length: int = 200
    help: str = ""
    choices: tuple[Choice, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    def choice_label(self, code: Any) -> str:
        return next((c.label for c in self.choices if c.code == code), str(code))


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class RuleSpec:
    code: str
    expr: str
    severity: str = "error"
    missing: str = "skip_if_any"
    message: str = ""
    kind: str = "expression"  # expression | yoy (generated from year_on_year)

    @property
    def node(self) -> Node:
        return _parsed(self.expr)


_PARSE_CACHE: dict[str, Node] = {}


def _parsed(text: str) -> Node:
    node = _PARSE_CACHE.get(text)
    if node is None:
        node = expressions.parse(text)
        if len(_PARSE_CACHE) < 10000:
            _PARSE_CACHE[text] = node
    return node


@dataclass(frozen=True)
class OutlierSpec:
    fields: tuple[str, ...] = ()
    threshold: float = 3.5
    min_peers: int = 8
    group_by: tuple[str, ...] = ("category", "prefecture")


@dataclass(frozen=True)
class FormSpec:
    code: str
    name: str
    version: int
    period_type: str
    sections: tuple[SectionSpec, ...]
    fields: tuple[FieldSpec, ...]
    rules: tuple[RuleSpec, ...] = ()
    description: str = ""
    deadline_days: int = 30
    categories: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    yoy_threshold: float | None = None
    yoy_fields: tuple[str, ...] = ()
    yoy_severity: str = "warning"
    outliers: OutlierSpec = field(default_factory=OutlierSpec)

    def field(self, code: str) -> FieldSpec:
        return self.fields_by_code[code]

    @property
    def fields_by_code(self) -> dict[str, FieldSpec]:
        cached: dict[str, FieldSpec] | None = self.__dict__.get("_by_code")
        if cached is None:
            cached = {f.code: f for f in self.fields}
            object.__setattr__(self, "_by_code", cached)
        return cached

    def all_rules(self) -> tuple[RuleSpec, ...]:
        """The declared rules plus one year-on-year rule per listed field."""
        cached: tuple[RuleSpec, ...] | None = self.__dict__.get("_all_rules")
        if cached is None:
            generated = []
            if self.yoy_threshold is not None:
                t = f"{self.yoy_threshold:g}"
                for code in self.yoy_fields:
                    generated.append(RuleSpec(
                        code=f"YOY.{code}",
                        expr=f"prev.{code} == 0 or abs({code} - prev.{code}) <= {t} * prev.{code}",
                        severity=self.yoy_severity,
                        message=_("changes by more than ±%(pct)s%% against last period")
                        % {"pct": f"{self.yoy_threshold * 100:g}"},
                        kind="yoy",
                    ))
            cached = self.rules + tuple(generated)
            object.__setattr__(self, "_all_rules", cached)
        return cached

    def applies_to(self, category: str, county_code: str) -> bool:
        if self.categories and category not in self.categories:
            return False
        return not self.regions or any(RegionCode.parse(region).contains(county_code) for region in self.regions)

    def valid_period(self, period: str) -> bool:
        return bool(PERIOD_RES[self.period_type].match(period))

    def checksum(self) -> str:
        """A digest of everything that shapes the data; printed into templates as their version marker."""
        cached: str | None = self.__dict__.get("_checksum")
        if cached is None:
            payload = json.dumps(_structure(self), sort_keys=True, ensure_ascii=False).encode()
            cached = hashlib.sha256(payload).hexdigest()[:16]
            object.__setattr__(self, "_checksum", cached)
        return cached


def _structure(spec: FormSpec) -> dict[str, Any]:
    data = asdict(spec)
    data.pop("description", None)
    return data


def _error(source: str, where: str, problem: str) -> DefinitionError:
    return DefinitionError(f"{source}: {where}: {problem}")


def _number(value: Any, source: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _error(source, where, _("must be a number"))
    return float(value)


def spec_from_mapping(data: Any, source: str = "<form>") -> FormSpec:
    """Check a parsed YAML mapping and build the spec; raises :class:`DefinitionError`."""
    if not isinstance(data, dict):
        raise _error(source, "/", _("the file must hold a mapping"))
    allowed_top = {"code", "name", "version", "period_type", "deadline_days", "description", "assignment", "sections",
                   "rules", "year_on_year", "outliers"}
    unknown = set(data) - allowed_top
    if unknown:
        raise _error(source, "/", _("unknown keys: %(keys)s") % {"keys": ", ".join(sorted(unknown))})
    code = str(data.get("code", ""))
    if not CODE_RE.match(code):
        raise _error(source, "code", _("must be lower-case letters, digits and _"))
    name = str(data.get("name", "")).strip()
    if not name:
        raise _error(source, "name", _("is required"))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _error(source, "version", _("must be a whole number >= 1"))
    period_type = data.get("period_type")
    if period_type not in PERIOD_TYPES:
        raise _error(source, "period_type", _("must be one of %(choices)s") % {"choices": ", ".join(PERIOD_TYPES)})
    assignment = data.get("assignment") or {}
    categories = tuple(str(c) for c in assignment.get("categories") or ())
    regions = tuple(str(r) for r in assignment.get("regions") or ())
    for region in regions:
        if not is_region_code(region):
            raise _error(source, "assignment.regions", _("%(code)s is not a region code") % {"code": region})

    sections: list[SectionSpec] = []
    fields: list[FieldSpec] = []
    seen: set[str] = set()
    for s_index, section in enumerate(data.get("sections") or []):
        where = f"sections[{s_index}]"
        s_code = str(section.get("code", ""))
        if not CODE_RE.match(s_code):
            raise _error(source, where + ".code", _("must be lower-case letters, digits and _"))
        codes = []
        for f_index, raw in enumerate(section.get("fields") or []):
            fields.append(_field(raw, s_code, source, f"{where}.fields[{f_index}]", seen))
            codes.append(fields[-1].code)
        sections.append(SectionSpec(s_code, str(section.get("title", s_code)), tuple(codes)))
    if not fields:
        raise _error(source, "sections", _("a form needs at least one field"))
    own = {f.code for f in fields}

    rules: list[RuleSpec] = []
    rule_codes: set[str] = set()
    for r_index, raw in enumerate(data.get("rules") or []):
        where = f"rules[{r_index}]"
        rule = RuleSpec(
            code=str(raw.get("code", "")), expr=str(raw.get("expr", "")),
            severity=str(raw.get("severity", "error")), missing=str(raw.get("missing", "skip_if_any")),
            message=str(raw.get("message", "")),
        )
        if not RULE_CODE_RE.match(rule.code) or rule.code in rule_codes:
            raise _error(source, where + ".code", _("must be a unique short code such as R01"))
        rule_codes.add(rule.code)
        if rule.severity not in SEVERITIES:
            raise _error(source, where + ".severity", _("must be error or warning"))
        if rule.missing not in MISSING_STRATEGIES:
            raise _error(source, where + ".missing",
                         _("must be one of %(choices)s") % {"choices": ", ".join(MISSING_STRATEGIES)})
        try:
            # References to other forms are checked when the form is loaded next to them (models).
            node = expressions.parse(rule.expr)
            own_refs = [r for r in expressions.references(node) if r.scope in {"", expressions.PREV}]
            for ref in own_refs:
                if ref.field not in own:
                    raise ExpressionError(_("Unknown field “%(field)s” in “%(ref)s”.") % {"field": ref.field, "ref": ref})
        except ExpressionError as exc:
            raise _error(source, where + ".expr", str(exc)) from None
        rules.append(rule)

    yoy = data.get("year_on_year") or {}
    yoy_fields = tuple(str(f) for f in yoy.get("fields") or ())
    for code_ in yoy_fields:
        if code_ not in own:
            raise _error(source, "year_on_year.fields", _("unknown field %(field)s") % {"field": code_})
    out = data.get("outliers") or {}
    outliers = OutlierSpec(
        fields=tuple(str(f) for f in out.get("fields") or ()),
        threshold=_number(out.get("threshold", 3.5), source, "outliers.threshold") or 3.5,
        min_peers=int(out.get("min_peers", 8)),
        group_by=tuple(str(g) for g in out.get("group_by") or ("category", "prefecture")),
    )
    for code_ in outliers.fields:
        if code_ not in own:
            raise _error(source, "outliers.fields", _("unknown field %(field)s") % {"field": code_})
    if not set(outliers.group_by) <= {"category", "province", "prefecture", "county"}:
        raise _error(source, "outliers.group_by", _("may use category, province, prefecture, county"))
    return FormSpec(
        code=code, name=name, version=version, period_type=str(period_type), sections=tuple(sections),
        fields=tuple(fields), rules=tuple(rules), description=str(data.get("description", "")),
        deadline_days=int(data.get("deadline_days", 30)), categories=categories, regions=regions,
        yoy_threshold=_number(yoy.get("threshold"), source, "year_on_year.threshold") if yoy else None,
        yoy_fields=yoy_fields, yoy_severity=str(yoy.get("severity", "warning")), outliers=outliers,
    )


def _field(raw: Any, section: str, source: str, where: str, seen: set[str]) -> FieldSpec:
    if not isinstance(raw, dict):
        raise _error(source, where, _("must be a mapping"))
    code = str(raw.get("code", ""))
    if not CODE_RE.match(code) or code == expressions.PREV:
        raise _error(source, where + ".code", _("must be lower-case letters, digits and _"))
    if code in seen:
        raise _error(source, where + ".code", _("duplicate field code %(code)s") % {"code": code})
    seen.add(code)
    type_ = raw.get("type")
    if type_ not in FIELD_TYPES:
        raise _error(source, where + ".type", _("must be one of %(choices)s") % {"choices": ", ".join(FIELD_TYPES)})
    choices: tuple[Choice, ...] = ()
    if type_ == "choice":
        items = raw.get("choices") or []
        choices = tuple(Choice(str(c["code"]), str(c["label"])) for c in items)
        if not choices or len({c.code for c in choices}) != len(choices):
            raise _error(source, where + ".choices", _("a choice field needs a list of unique codes"))
    minimum, maximum = _number(raw.get("min"), source, where + ".min"), _number(raw.get("max"), source, where + ".max")
    if type_ == "percent":
        minimum = 0.0 if minimum is None else minimum
        maximum = 100.0 if maximum is None else maximum
    if minimum is not None and maximum is not None and minimum > maximum:
        raise _error(source, where, _("min is larger than max"))
    return FieldSpec(
        code=code, label=str(raw.get("label", code)), type=type_, section=section, unit=str(raw.get("unit", "")),
        required=bool(raw.get("required", False)), min=minimum, max=maximum, decimals=int(raw.get("decimals", 2)),
        max_length=int(raw.get("max_length", 200)), help=str(raw.get("help", "")), choices=choices,
    )


def load_yaml(path: Path) -> FormSpec:
    """Read and check one YAML form definition."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DefinitionError(f"{path.name}: {exc}") from None
    return spec_from_mapping(data, path.name)


def shipped_forms() -> list[tuple[Path, FormSpec]]:
    return [(path, load_yaml(path)) for path in sorted(FORMS_DIR.glob("*.yaml"))]


def period_bounds(period_type: str, period: str) -> tuple[str, str]:
    """First and last day (ISO) of a period, for deadlines and for finding the previous period."""
    if period_type == "year":
        return f"{period}-01-01", f"{period}-12-31"
    if period_type == "semester":
        year, half = int(period[:4]), period[5]
        # Spring semester: Feb–Jul of the year; autumn semester: Sep of the year – Jan of the next.
        return (f"{year}-02-01", f"{year}-07-31") if half == "1" else (f"{year}-09-01", f"{year + 1}-01-31")
    if period_type == "month":
        year, month = int(period[:4]), int(period[5:7])
        return f"{period}-01", f"{period}-{calendar.monthrange(year, month)[1]:02d}"
    return "1900-01-01", "2999-12-31"


def previous_period(period_type: str, period: str) -> str | None:
    if period_type == "year":
        return str(int(period) - 1)
    if period_type == "semester":
        year, half = int(period[:4]), period[5]
        return f"{year}-1" if half == "2" else f"{year - 1}-2"
    if period_type == "month":
        year, month = int(period[:4]), int(period[5:7])
        return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
    return None
