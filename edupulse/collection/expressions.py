"""A small, safe expression language for validation rules.

Rules are data written by officers, so they are never handed to ``eval``. Text is tokenised and parsed
by hand into a tree of the node classes below; evaluation walks that tree and can only compare,
do arithmetic, combine with and/or/not, branch with ``if … then … [else …]`` and call the whitelisted
functions in :data:`FUNCTIONS`. There are no attributes, no subscripts, no powers (no huge numbers),
length and nesting are bounded.

Grammar (lowest to highest precedence)::

    expr     := 'if' expr 'then' expr ['else' expr] | or
    or       := and ('or' and)*
    and      := not ('and' not)*
    not      := 'not' not | compare
    compare  := sum [('=='|'!='|'<'|'<='|'>'|'>=') sum]
    sum      := product (('+'|'-') product)*
    product  := unary (('*'|'/') unary)*
    unary    := '-' unary | atom
    atom     := NUMBER | STRING | true | false | null | ref | NAME '(' [expr (',' expr)*] ')' | '(' expr ')'
    ref      := NAME                (a field of the same form, same period)
              | prev.NAME           (the same field, previous period)
              | FORM.NAME           (a field of another form, same school and period)

``if A then B`` without ``else`` is an implication: true when A is false. Booleans are 1/0 in arithmetic.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_LENGTH = 2000
MAX_DEPTH = 40
PREV = "prev"

Value = float | str | bool | None


class ExpressionError(ValueError):
    """The text is not a valid expression; the message is translated and says where."""


@dataclass(frozen=True)
class Ref:
    """A reference: ``scope`` is '' (this form), 'prev' (previous period) or another form's code."""

    scope: str
    field: str

    def __str__(self) -> str:
        return f"{self.scope}.{self.field}" if self.scope else self.field


@dataclass(frozen=True)
class Const:
    value: Value


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class IfThen:
    condition: Node
    then: Node
    otherwise: Node | None


Node = Ref | Const | Unary | Binary | Call | IfThen

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<string>"[^"\\]*"|'[^'\\]*')
      | (?P<name>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)?)
      | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|,)
    )""",
    re.VERBOSE,
)
KEYWORDS = {"and", "or", "not", "if", "then", "else", "true", "false", "null"}
COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}


def _num(value: Value) -> float:
    if value is None:
        raise _UndefinedError
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, str):
        raise _UndefinedError
    return float(value)


def _truth(value: Value) -> bool:
    if value is None:
        raise _UndefinedError
    if isinstance(value, str):
        return value != ""
    return bool(value)


def _min(*args: Value) -> float:
    return min(_num(a) for a in args)


def _max(*args: Value) -> float:
    return max(_num(a) for a in args)


def _coalesce(*args: Value) -> Value:
    return next((a for a in args if a is not None), None)


def _round(value: Value, digits: Value = 0) -> float:
    return round(_num(value), int(_num(digits)))


# name -> (function, minimum args, maximum args, whether missing arguments are allowed)
FUNCTIONS: dict[str, tuple[Callable[..., Value], int, int, bool]] = {
    "abs": (lambda x: abs(_num(x)), 1, 1, False),
    "min": (_min, 1, 10, False),
    "max": (_max, 1, 10, False),
    "round": (_round, 1, 2, False),
    "isnull": (lambda x: x is None, 1, 1, True),
    "coalesce": (_coalesce, 1, 10, True),
}
# Functions whose arguments may be missing: references inside them do not count for the
# missing-value strategy of the rule.
NULL_TOLERANT = {name for name, spec in FUNCTIONS.items() if spec[3]}


class _UndefinedError(Exception):
    """Raised during evaluation when a value is missing or a division by zero happens."""


class _Parser:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_LENGTH:
            raise ExpressionError(_("The expression is longer than %(max)d characters.") % {"max": MAX_LENGTH})
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        position = 0
        stripped = text.rstrip()
        while position < len(stripped):
            match = _TOKEN.match(stripped, position)
            if match is None or match.end() == position:
                raise ExpressionError(
                    _("Unexpected character “%(char)s” at position %(pos)d.")
                    % {"char": stripped[position:].lstrip()[:1], "pos": position + 1}
                )
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind), match.start(kind)))
            position = match.end()
        self.index = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def at(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token[1] == word and token[0] in {"name", "op"}

    def take(self, word: str) -> None:
        if not self.at(word):
            token = self.peek()
            where = _("at position %(pos)d") % {"pos": token[2] + 1} if token else _("at the end")
            raise ExpressionError(_("Expected “%(word)s” %(where)s.") % {"word": word, "where": where})
        self.index += 1

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError(_("The expression is empty."))
        node = self.expr()
        token = self.peek()
        if token is not None:
            raise ExpressionError(
                _("Unexpected “%(token)s” at position %(pos)d.") % {"token": token[1], "pos": token[2] + 1}
            )
        return node

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(_("The expression is nested too deeply."))
        try:
            if self.at("if"):
                self.take("if")
                condition = self.expr()
                self.take("then")
                then = self.expr()
                otherwise = None
                if self.at("else"):
                    self.take("else")
                    otherwise = self.expr()
                return IfThen(condition, then, otherwise)
            return self.or_()
        finally:
            self.depth -= 1

    def or_(self) -> Node:
        node = self.and_()
        while self.at("or"):
            self.take("or")
            node = Binary("or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.at("and"):
            self.take("and")
            node = Binary("and", node, self.not_())
        return node

    def not_(self) -> Node:
        if self.at("not"):
            self.take("not")
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionError(_("The expression is nested too deeply."))
            try:
                return Unary("not", self.not_())
            finally:
                self.depth -= 1
        return self.compare()

    def compare(self) -> Node:
        node = self.sum()
        token = self.peek()
        if token is not None and token[0] == "op" and token[1] in COMPARISONS:
            self.index += 1
            node = Binary(token[1], node, self.sum())
            after = self.peek()
            if after is not None and after[0] == "op" and after[1] in COMPARISONS:
                raise ExpressionError(_("Chained comparisons are not allowed; join them with “and”."))
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.at("+") or self.at("-"):
            op = self.tokens[self.index][1]
            self.index += 1
            node = Binary(op, node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.at("*") or self.at("/"):
            op = self.tokens[self.index][1]
            self.index += 1
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.at("-"):
            self.take("-")
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionError(_("The expression is nested too deeply."))
            try:
                return Unary("-", self.unary())
            finally:
                self.depth -= 1
        return self.atom()

    def atom(self) -> Node:
        token = self.peek()
        if token is None:
            raise ExpressionError(_("The expression ends too early."))
        kind, text, position = token
        if kind == "number":
            self.index += 1
            return Const(float(text))
        if kind == "string":
            self.index += 1
            return Const(text[1:-1])
        if kind == "op" and text == "(":
            self.take("(")
            node = self.expr()
            self.take(")")
            return node
        if kind == "name":
            self.index += 1
            if text in {"true", "false"}:
                return Const(text == "true")
            if text == "null":
                return Const(None)
            if text in KEYWORDS:
                raise ExpressionError(
                    _("Unexpected “%(token)s” at position %(pos)d.") % {"token": text, "pos": position + 1}
                )
            if self.at("("):
                return self.call(text, position)
            scope, _dot, field = text.rpartition(".")
            return Ref(scope, field)
        raise ExpressionError(_("Unexpected “%(token)s” at position %(pos)d.") % {"token": text, "pos": position + 1})

    def call(self, name: str, position: int) -> Node:
        if name not in FUNCTIONS:
            raise ExpressionError(
                _("Unknown function “%(name)s” at position %(pos)d; allowed: %(allowed)s.")
                % {"name": name, "pos": position + 1, "allowed": ", ".join(sorted(FUNCTIONS))}
            )
        self.take("(")
        args: list[Node] = []
        if not self.at(")"):
            args.append(self.expr())
            while self.at(","):
                self.take(",")
                args.append(self.expr())
        self.take(")")
        _fn, least, most, _nulls = FUNCTIONS[name]
        if not least <= len(args) <= most:
            raise ExpressionError(
                _("Function %(name)s takes %(least)d to %(most)d arguments, not %(count)d.")
                % {"name": name, "least": least, "most": most, "count": len(args)}
            )
        return Call(name, tuple(args))


def parse(text: str) -> Node:
    """Parse ``text`` into a tree, or raise :class:`ExpressionError` with a translated message."""
    return _Parser(text).parse()


_REFS_CACHE: dict[tuple[int, bool], tuple[Node, list[Ref]]] = {}


def references(node: Node, *, counted_only: bool = False) -> list[Ref]:
    """The references in ``node`` in reading order, without duplicates.

    With ``counted_only`` references inside null-tolerant functions (isnull, coalesce) are left out:
    they are the ones the missing-value strategy looks at. Results are cached per tree (rules are
    evaluated for every school of an import).
    """
    key = (id(node), counted_only)
    cached = _REFS_CACHE.get(key)
    if cached is not None and cached[0] is node:
        return cached[1]
    found = _references(node, counted_only)
    if len(_REFS_CACHE) < 20000:
        _REFS_CACHE[key] = (node, found)
    return found


def _references(node: Node, counted_only: bool) -> list[Ref]:
    found: list[Ref] = []

    def walk(item: Node | None) -> None:
        if item is None:
            return
        if isinstance(item, Ref):
            if item not in found:
                found.append(item)
        elif isinstance(item, Unary):
            walk(item.operand)
        elif isinstance(item, Binary):
            walk(item.left)
            walk(item.right)
        elif isinstance(item, Call):
            if counted_only and item.name in NULL_TOLERANT:
                return
            for arg in item.args:
                walk(arg)
        elif isinstance(item, IfThen):
            walk(item.condition)
            walk(item.then)
            walk(item.otherwise)

    walk(node)
    return found


def evaluate(node: Node, lookup: Mapping[Ref, Value]) -> bool | None:
    """Evaluate a rule: True (holds), False (violated) or None (undefined: a value is missing or a
    division by zero happened, so the rule cannot be judged)."""
    try:
        return _truth(_eval(node, lookup))
    except _UndefinedError:
        return None


def value_of(node: Node, lookup: Mapping[Ref, Value]) -> Value:
    """Evaluate an arithmetic expression; None when undefined."""
    try:
        return _eval(node, lookup)
    except _UndefinedError:
        return None


def _eval(node: Node, lookup: Mapping[Ref, Value]) -> Value:
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Ref):
        return lookup.get(node)
    if isinstance(node, Unary):
        if node.op == "not":
            return not _truth(_eval(node.operand, lookup))
        return -_num(_eval(node.operand, lookup))
    if isinstance(node, IfThen):
        if _truth(_eval(node.condition, lookup)):
            return _eval(node.then, lookup)
        return True if node.otherwise is None else _eval(node.otherwise, lookup)
    if isinstance(node, Call):
        fn, _least, _most, _nulls = FUNCTIONS[node.name]
        return fn(*(_eval(arg, lookup) for arg in node.args))
    if isinstance(node, Binary):
        return _binary(node, lookup)
    raise TypeError(f"unknown node {node!r}")


def _binary(node: Binary, lookup: Mapping[Ref, Value]) -> Value:
    op = node.op
    if op == "and":
        return _truth(_eval(node.left, lookup)) and _truth(_eval(node.right, lookup))
    if op == "or":
        return _truth(_eval(node.left, lookup)) or _truth(_eval(node.right, lookup))
    left, right = _eval(node.left, lookup), _eval(node.right, lookup)
    if op in {"==", "!="} and (isinstance(left, str) or isinstance(right, str)):
        if left is None or right is None:
            raise _UndefinedError
        same = str(left) == str(right)
        return same if op == "==" else not same
    a, b = _num(left), _num(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            raise _UndefinedError
        return a / b
    close = math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return {
        "==": close,
        "!=": not close,
        "<": a < b and not close,
        "<=": a <= b or close,
        ">": a > b and not close,
        ">=": a >= b or close,
    }[op]


def to_text(node: Node) -> str:
    """The expression written back (for messages and the admin), fully parenthesised where needed."""
    if isinstance(node, Const):
        if node.value is None:
            return "null"
        if isinstance(node.value, bool):
            return "true" if node.value else "false"
        if isinstance(node.value, str):
            return f'"{node.value}"'
        return f"{node.value:g}"
    if isinstance(node, Ref):
        return str(node)
    if isinstance(node, Unary):
        return f"not {to_text(node.operand)}" if node.op == "not" else f"-{to_text(node.operand)}"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(to_text(a) for a in node.args)})"
    if isinstance(node, IfThen):
        tail = f" else {to_text(node.otherwise)}" if node.otherwise is not None else ""
        return f"if {to_text(node.condition)} then {to_text(node.then)}{tail}"
    return f"({to_text(node.left)} {node.op} {to_text(node.right)})"


def check_references(node: Node, *, own_fields: set[str], other_forms: Mapping[str, set[str]] | None = None) -> None:
    """Raise :class:`ExpressionError` naming the first reference that is not a known field."""
    others = other_forms or {}
    for ref in references(node):
        if ref.scope in {"", PREV}:
            known = own_fields
        elif ref.scope in others:
            known = others[ref.scope]
        else:
            raise ExpressionError(_("Unknown form “%(form)s” in “%(ref)s”.") % {"form": ref.scope, "ref": ref})
        if ref.field not in known:
            raise ExpressionError(_("Unknown field “%(field)s” in “%(ref)s”.") % {"field": ref.field, "ref": ref})


__all__ = ["PREV", "ExpressionError", "Node", "Ref", "Value", "check_references", "evaluate", "parse",
           "references", "to_text", "value_of"]

