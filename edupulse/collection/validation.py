"""Validating clean values: required fields, ranges and the form's rules.

An :class:`Issue` names the rule, the field it is shown on, the severity and a translated message that
names the fields (by their Chinese labels), their values and the rule. Errors block submission;
warnings need an explanation from the school.

Missing values follow the rule's strategy (DHIS2's): ``skip_if_any`` (the default) skips the rule when
any referenced value is missing; ``skip_if_all`` skips only when all are missing and treats the others
as 0; ``never_skip`` always evaluates, treating missing values as 0. References inside ``isnull()`` and
``coalesce()`` see the real missing value and do not count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext as _

from edupulse.collection import expressions
from edupulse.collection.definitions import FieldSpec, FormSpec, RuleSpec
from edupulse.collection.expressions import PREV, Ref, Value


@dataclass(frozen=True)
class Issue:
    rule: str
    field: str
    severity: str
    message: str
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def display(field: FieldSpec | None, value: Any) -> str:
    """A clean value as people read it: 是/否, code-list labels, numbers without '.0', a dash for missing."""
    if value is None:
        return _("(empty)")
    if field is not None:
        if field.type == "boolean":
            return "是" if value else "否"
        if field.type == "choice":
            return f"{value} {field.choice_label(value)}"
        if field.type == "percent":
            return f"{value:g}%"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    return str(value)


def check_values(spec: FormSpec, values: Mapping[str, Any]) -> list[Issue]:
    """Required fields and min/max ranges."""
    issues: list[Issue] = []
    for field in spec.fields:
        value = values.get(field.code)
        if value is None:
            if field.required:
                hint = _(" If the number is zero, enter 0.") if field.numeric and field.type != "boolean" else ""
                issues.append(Issue("required", field.code, "error",
                                    _("“%(label)s” is required but empty (无, — and blanks count as empty).%(hint)s")
                                    % {"label": field.label, "hint": hint}))
            continue
        if field.type in {"integer", "decimal", "percent"} and isinstance(value, int | float):
            if field.min is not None and value < field.min:
                rule = "negative" if value < 0 <= field.min else "below_min"
                issues.append(Issue(rule, field.code, "error",
                                    _("“%(label)s” is %(value)s, below the minimum %(min)s.")
                                    % {"label": field.label, "value": display(field, value),
                                       "min": display(field, field.min)}, value))
            elif field.max is not None and value > field.max:
                issues.append(Issue("above_max", field.code, "error",
                                    _("“%(label)s” is %(value)s, above the maximum %(max)s.")
                                    % {"label": field.label, "value": display(field, value),
                                       "max": display(field, field.max)}, value))
    return issues


def _lookup(spec: FormSpec, values: Mapping[str, Any], prev: Mapping[str, Any] | None,
            others: Mapping[str, Mapping[str, Any]], refs: list[Ref]) -> dict[Ref, Value]:
    table: dict[Ref, Value] = {}
    for ref in refs:
        if ref.scope == "":
            source: Mapping[str, Any] | None = values
        elif ref.scope == PREV:
            source = prev
        else:
            source = others.get(ref.scope)
        table[ref] = None if source is None else source.get(ref.field)
    return table


def evaluate_rule(spec: FormSpec, rule: RuleSpec, values: Mapping[str, Any], prev: Mapping[str, Any] | None,
                  others: Mapping[str, Mapping[str, Any]]) -> Issue | None:
    node = rule.node
    all_refs = expressions.references(node)
    counted = expressions.references(node, counted_only=True)
    table = _lookup(spec, values, prev, others, all_refs)
    missing = [ref for ref in counted if table.get(ref) is None]
    if missing:
        if rule.missing == "skip_if_any":
            return None
        if rule.missing == "skip_if_all" and len(missing) == len(counted):
            return None
        for ref in missing:
            table[ref] = 0.0
    if expressions.evaluate(node, table) is not False:
        return None
    shown = [ref for ref in all_refs if ref.scope in {"", PREV}] or all_refs
    parts = []
    for ref in all_refs:
        field = spec.fields_by_code.get(ref.field) if ref.scope in {"", PREV} else None
        label = field.label if field else str(ref)
        if ref.scope == PREV:
            label = _("last period's %(label)s") % {"label": label}
        elif ref.scope:
            label = f"{ref.scope}.{label}"
        parts.append(f"{label} = {display(field, table.get(ref))}")
    first = next((ref for ref in shown if ref.scope == ""), None)
    field_code = first.field if first else ""
    description = rule.message or expressions.to_text(node)
    if rule.kind == "yoy" and first is not None:
        label = spec.fields_by_code[first.field].label
        message = _("“%(label)s” %(description)s (rule %(rule)s): %(values)s. Please check it or explain the change.") % {
            "label": label, "description": description, "rule": rule.code, "values": "，".join(parts)}
    else:
        message = _("Rule %(rule)s “%(description)s” is not met: %(values)s.") % {
            "rule": rule.code, "description": description, "values": "，".join(parts)}
    return Issue(rule.code, field_code, rule.severity, message, table.get(first) if first else None)


def validate(spec: FormSpec, values: Mapping[str, Any], *, prev: Mapping[str, Any] | None = None,
             others: Mapping[str, Mapping[str, Any]] | None = None) -> list[Issue]:
    """All issues of one set of clean values: field checks first, then every rule of the form."""
    issues = check_values(spec, values)
    bad_fields = {i.field for i in issues if i.severity == "error"}
    for rule in spec.all_rules():
        refs = {r.field for r in expressions.references(rule.node) if r.scope == ""}
        if refs & bad_fields:
            continue  # a rule over a value that is already wrong only repeats the problem
        issue = evaluate_rule(spec, rule, values, prev, others or {})
        if issue is not None:
            issues.append(issue)
    return issues


def blocking(issues: list[dict[str, Any]], explanations: Mapping[str, str]) -> list[dict[str, Any]]:
    """Issues that stop submission: every error, and every warning whose field has no explanation."""
    return [i for i in issues if i["severity"] == "error"
            or (i["severity"] == "warning" and not (explanations.get(i["field"]) or "").strip())]
