"""The standard checks on Spark: the same compiled rule SQL (``rules.check_sql``), transpiled DuckDB → Spark SQL.

SQLGlot translates most of the query; :func:`to_spark` rewrites the few DuckDB functions it leaves as they are:

* ``regexp_full_match(x, p)`` → ``x RLIKE '^(?:p)$'`` (Java's regex; ``\\p{Han}`` is spelt ``\\p{IsHan}`` there);
* ``x IS TRUE`` (which Spark SQL does not parse) → ``coalesce(x, false)``;
* ``TRY_CAST(x AS ENUM(codes))`` (a code-table check; Spark has no ENUM) → ``CASE WHEN x IN (codes) THEN x END``;
* ``strlen(x)`` (bytes) → ``octet_length(x)``; ``prefix``/``suffix`` → ``startswith``/``endswith``;
* ``try(make_date(…))`` → ``make_date(…)`` and ``try_strptime(x, fmt)`` → ``to_date(x, java_fmt)``: with ANSI mode
  off and the CORRECTED time parser (:data:`SESSION_CONF`) an invalid date is NULL, as DuckDB's ``try`` makes it.

The Spark session is the caller's (PySpark is a test and optional runtime dependency, never imported here);
``tests/test_spark.py`` runs a dirty file through PySpark in local mode and requires exactly DuckDB's issues.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

# Spark settings the transpiled SQL relies on (NULL for an impossible date, not an error).
SESSION_CONF = {"spark.sql.ansi.enabled": "false", "spark.sql.legacy.timeParserPolicy": "CORRECTED"}
_STRPTIME = {"%Y%m%d": "yyyyMMdd", "%Y年%m月%d日": "yyyy年M月d日"}


def _literal(node: exp.Expression) -> str:
    if not isinstance(node, exp.Literal) or not node.is_string:
        raise ValueError(f"expected a string literal, got {node.sql()}")
    return str(node.this)


def _pattern(text: str) -> str:
    return text.replace(r"\p{Han}", r"\p{IsHan}")


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Boolean) and node.expression.this is True:
        return exp.Coalesce(this=node.this, expressions=[exp.false()])
    if isinstance(node, exp.RegexpFullMatch):
        pattern = _pattern(_literal(node.expression))
        return exp.RegexpLike(this=node.this, expression=exp.Literal.string(f"^(?:{pattern})$"))
    if isinstance(node, exp.RegexpLike):
        return exp.RegexpLike(this=node.this, expression=exp.Literal.string(_pattern(_literal(node.expression))))
    if isinstance(node, exp.Try):
        return node.this
    if isinstance(node, exp.TryCast) and node.to.this == exp.DataType.Type.ENUM:
        # A code-table check (rules._not_a_code_sql): the value if it is one of the codes, else NULL.
        member = exp.In(this=node.this.copy(), expressions=[e.copy() for e in node.to.expressions])
        return exp.Case(ifs=[exp.If(this=member, true=node.this.copy())])
    if isinstance(node, exp.Anonymous):
        name = str(node.this).lower()
        if name == "strlen":
            return exp.Anonymous(this="OCTET_LENGTH", expressions=node.expressions)
        if name in ("prefix", "suffix"):
            return exp.Anonymous(this="STARTSWITH" if name == "prefix" else "ENDSWITH", expressions=node.expressions)
        if name == "try_strptime":
            value, fmt = node.expressions
            return exp.Anonymous(this="TO_DATE", expressions=[value, exp.Literal.string(_STRPTIME[_literal(fmt)])])
    return node


def to_spark(sql: str) -> str:
    """The DuckDB rule query as Spark SQL."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    # Until nothing changes: a replaced node's own children are not revisited within one pass.
    while (rewritten := tree.transform(_rewrite)) != tree:
        tree = rewritten
    return tree.sql(dialect="spark")
