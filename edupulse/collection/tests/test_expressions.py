"""The rule language: parsing, safety, evaluation and missing-value strategies."""

from __future__ import annotations

import pytest

from edupulse.collection.definitions import FieldSpec, FormSpec, RuleSpec, SectionSpec
from edupulse.collection.expressions import ExpressionError, Ref, evaluate, parse, references, to_text
from edupulse.collection.validation import evaluate_rule, validate


def ev(text: str, **values: object) -> bool | None:
    lookup = {}
    for key, value in values.items():
        scope, _sep, field = key.rpartition("__")
        lookup[Ref(scope, field)] = value
    return evaluate(parse(text), lookup)  # type: ignore[arg-type]


def test_comparisons_arithmetic_and_logic() -> None:
    assert ev("a <= b", a=3.0, b=4.0) is True
    assert ev("a + b * 2 == 11", a=3.0, b=4.0) is True
    assert ev("(a + b) * 2 == 14", a=3.0, b=4.0) is True
    assert ev("a > 1 and not b > 10 or false", a=3.0, b=4.0) is True
    assert ev("-a < 0", a=3.0) is True
    assert ev("0.1 + 0.2 == 0.3") is True  # tolerant float equality


def test_if_then_is_an_implication_and_if_then_else_a_choice() -> None:
    rule = "if internet_access == 0 then bandwidth == 0"
    assert ev(rule, internet_access=False, bandwidth=5.0) is False
    assert ev(rule, internet_access=True, bandwidth=5.0) is True
    assert ev("if a > 0 then b > 0 else b == 0", a=0.0, b=0.0) is True
    assert ev("if a > 0 then b > 0 else b == 0", a=0.0, b=1.0) is False


def test_functions_and_strings() -> None:
    assert ev("abs(a - b) <= 1", a=3.0, b=4.0) is True
    assert ev("max(a, b, 10) == 10 and min(a, b) == 3", a=3.0, b=4.0) is True
    assert ev("isnull(a)", a=None) is True
    assert ev("coalesce(a, 7) == 7", a=None) is True
    assert ev('kind != "09"', kind="01") is True
    assert ev("round(a, 1) == 3.1", a=3.14) is True


def test_undefined_results_are_none_not_errors() -> None:
    assert ev("a / b > 1", a=1.0, b=0.0) is None  # division by zero
    assert ev("a > 1", a=None) is None


def test_references_to_previous_period_and_other_forms() -> None:
    node = parse("abs(x - prev.x) <= 0.5 * prev.x and other_form.y > 0 and isnull(z)")
    assert references(node) == [Ref("", "x"), Ref("prev", "x"), Ref("other_form", "y"), Ref("", "z")]
    assert Ref("", "z") not in references(node, counted_only=True)


@pytest.mark.parametrize("text", [
    "__import__('os').system('id')", "a.__class__", "open('x')", "a ** 1000000", "a[0]", "lambda: 1",
    "a; b", "`a`", "a < b < c", "1 +", "", "(" * 60 + "1" + ")" * 60, "x" * 3000, "a.b.c",
])
def test_anything_outside_the_grammar_is_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse(text)


def test_round_trip_to_text() -> None:
    node = parse('if a == 0 then b == 0 else c != "x"')
    assert parse(to_text(node)) == node


def _spec(*rules: RuleSpec) -> FormSpec:
    fields = tuple(FieldSpec(code, code.upper(), "integer", "s") for code in ("a", "b", "c"))
    return FormSpec(code="t", name="T", version=1, period_type="year",
                    sections=(SectionSpec("s", "S", ("a", "b", "c")),), fields=fields, rules=rules)


@pytest.mark.parametrize(("strategy", "values", "fires"), [
    ("skip_if_any", {"a": 5, "b": None}, False),
    ("skip_if_all", {"a": 5, "b": None}, True),  # b treated as 0: 5 <= 0 fails
    ("skip_if_all", {"a": None, "b": None}, False),
    ("never_skip", {"a": None, "b": None}, False),  # 0 <= 0 holds
    ("never_skip", {"a": 1, "b": None}, True),
])
def test_missing_value_strategies(strategy: str, values: dict[str, int | None], fires: bool) -> None:
    rule = RuleSpec(code="R1", expr="a <= b", missing=strategy, message="a 不超过 b")
    spec = _spec(rule)
    assert (evaluate_rule(spec, rule, values, None, {}) is not None) is fires


def test_message_names_labels_values_and_rule() -> None:
    rule = RuleSpec(code="R9", expr="a <= b", message="a 不超过 b")
    issue = evaluate_rule(_spec(rule), rule, {"a": 5, "b": 3}, None, {})
    assert issue is not None
    assert issue.field == "a" and issue.severity == "error" and issue.value == 5
    for fragment in ("R9", "A = 5", "B = 3"):
        assert fragment in issue.message


def test_year_on_year_rule_from_the_form() -> None:
    spec = FormSpec(code="t", name="T", version=1, period_type="year", sections=(SectionSpec("s", "S", ("a",)),),
                    fields=(FieldSpec("a", "学生数", "integer", "s"),), yoy_threshold=0.5, yoy_fields=("a",))
    assert [i.rule for i in validate(spec, {"a": 160}, prev={"a": 100})] == ["YOY.a"]
    assert validate(spec, {"a": 140}, prev={"a": 100}) == []
    assert validate(spec, {"a": 40}, prev={"a": 100})[0].severity == "warning"
    assert validate(spec, {"a": 40}, prev=None) == []  # no last period: skipped
