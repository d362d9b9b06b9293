"""The standard checks of base-data records, compiled to ONE DuckDB query per table.

A :class:`Rule` is a name (the issue's rule name), the field it is about, a SQL predicate that is TRUE when
the row FAILS, and a Chinese message template (``{value}`` and ``{first_row}`` are filled in SQL). Several
rules may share a name (``date_range`` has a format and a range predicate, each with its own message).

The query (:func:`check_sql`) reads the loaded relation once for the checks. A CTE ``prep`` normalises the
values once (trimmed, blank → NULL, dates parsed, the ID split into its parts as integers); the WHERE keeps
only rows where a rule predicate holds, and only for those rows the SELECT computes one BOOLEAN column per
rule next to the row's values. The issues are then those rows UNPIVOTed on the boolean columns (no CASE per
rule, no UNION per rule). The only other scan is the duplicate check, which reads just the ID type and number
from the source (with ``prep``'s expressions, so that ``prep`` is never materialised) and groups an 18-digit
ID as a BIGINT — exact, no string hashing — and any other ID as text, giving each repeated person's first
row, joined back.

Measured choices (DuckDB 2.0, 1 M rows, ``bench/bench_basedata.py``): the WHERE holds the bare predicates
(wrapping each in ``IS TRUE`` there turned DuckDB's short-circuiting selection into full evaluation); no
regex on the hot path of an ID (integer casts, see :func:`_id_number_sql`); ``trim`` only where it changes
something (:func:`_value_sql`); no MAP of the row's values (building it cost more than all the checks).

A mangled identifier (``id_spreadsheet_mangled``) suppresses the other checks of that identifier: the
digits are lost, so a checksum or a region verdict on them would only repeat the same problem.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from edupulse.basedata.reading import numeric_flag
from edupulse.basedata.schemas import STUDENT, TEACHER, Schema, code_table, codes

# The rule names of the student checks, in report order (the JSON contract of docs/cli-basedata.md).
STUDENT_RULES = ("required", "id_format", "id_checksum", "id_birth_date", "id_gender", "id_region",
                 "id_spreadsheet_mangled", "code_table", "date_range", "age_grade", "school_unknown",
                 "duplicate_person")
# Plausibility rules: the row is still stored as clean (the issue is a question to the school, not a defect).
WARNING_RULES = frozenset({"age_grade", "age_range"})
# GB 11643 weights of the 17 body digits (2^(17-i) mod 11), MOD 11-2.
RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RIC_SHAPE = "[1-9][0-9]{16}[0-9X]"
# The number format of each ID type (the ``format`` column of data/id_type.csv). 港澳台居民居住证 numbers
# (18 digits after 810000/820000/830000) are accepted under the Hong Kong, Macao and Taiwan types.
ID_FORMATS = {
    "ric": RIC_SHAPE,
    "hong_kong": r"H[0-9]{8}|H[0-9]{10}|810000[0-9]{11}[0-9X]|[A-Z]{1,2}[0-9]{6}\(?[0-9A]\)?",
    "macao": r"M[0-9]{8}|M[0-9]{10}|820000[0-9]{11}[0-9X]|[157][0-9]{6}\(?[0-9]\)?",
    "taiwan": r"[0-9]{8}|[0-9]{10}(\([A-Z]\))?|830000[0-9]{11}[0-9X]",
    "permanent_residence": r"[A-Z]{3}[0-9]{12}|9[0-9]{16}[0-9X]",
    "passport": r"[A-Z0-9]{5,17}",
    "military": r"[\p{Han}A-Z0-9()（）-]{1,20}",
    "other": r".{1,40}",
}
# Text a spreadsheet leaves behind when it turned an identifier into a number (5.10104E+17, 1234.0) or
# when it was typed with full-width digits.
MANGLED_PATTERNS = (r"[0-9]+(\.[0-9]+)?[eE][+]?[0-9]+", r"[0-9]+\.0+")
FULL_WIDTH = "[０-９Ｘｘ]"
# Age on 31 August of the school year, per grade: typical − 1 to typical + 2 is plausible (early entry,
# one or two repeated years); grade 11 (typical 6) therefore accepts 5–8.
AGE_BELOW = 1
AGE_ABOVE = 2
ENROLLED_STATUSES = ("01", "02", "05")  # 在读, 休学, 复学: the grade is current only for these
EARLIEST_DATE = datetime.date(1900, 1, 1)
# The years spelt out in the (region, year) table; a birth year outside is clamped to its end, which is
# exact: only open-ended spans (stored as 0 or 9999) cover years beyond these.
REGION_YEARS = (1899, 2100)


@dataclass(frozen=True)
class Rule:
    """One check: ``predicate`` is SQL over ``prep`` that is TRUE when the row fails it."""

    name: str
    field: str
    predicate: str
    message: str


def _q(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(_q(v) for v in sorted(values)) + ")"


def parse_date_sql(column: str) -> str:
    """The accepted date spellings (2010-03-05, 2010-3-5, 2010/3/5, 2010年3月5日, 20100305) → DATE, else NULL.

    The usual spelling first, without a regex: a value that is exactly the ISO text of the date DuckDB's cast
    reads from it (the cast alone would also take surrounding tabs, a BC year or a time after the date).
    Anything else goes through one CASE whose branches run only on the rows the earlier ones did not take:
    one regex per spelling (the regex keeps the cast from accepting what it would otherwise), then the cast
    or ``strptime``."""
    iso = f"try_cast({column} AS DATE)"
    return (f"CASE WHEN {column} LIKE '____-__-__' AND strftime({iso}, '%Y-%m-%d') = {column} THEN {iso} "
            f"WHEN regexp_full_match({column}, '[0-9]{{4}}([-/])[0-9]{{1,2}}[-/][0-9]{{1,2}}') "
            f"THEN try_cast(replace({column}, '/', '-') AS DATE) "
            f"WHEN regexp_full_match({column}, '[0-9]{{8}}') THEN try_strptime({column}, '%Y%m%d')::DATE "
            f"WHEN regexp_full_match({column}, '[0-9]{{4}}年[0-9]{{1,2}}月[0-9]{{1,2}}日') "
            f"THEN try_strptime({column}, '%Y年%m月%d日')::DATE END")


def checksum_sql(column: str) -> str:
    """The GB 11643 check character of an 18-character ID ``column`` (text): weighted digit sum MOD 11,
    then (12 − s) MOD 11, 10 written as X. A digit is ``ascii(c) - 48`` (never a failing cast). The checks
    use :func:`checksum_of_body_sql` on the number instead; this text form is for generators."""
    terms = " + ".join(f"(ascii(substr({column}, {i + 1}, 1)) - 48) * {w}" for i, w in enumerate(RIC_WEIGHTS))
    return f"(CASE (12 - ({terms}) % 11) % 11 WHEN 10 THEN 'X' ELSE CAST((12 - ({terms}) % 11) % 11 AS VARCHAR) END)"


def checksum_of_body_sql(body: str) -> str:
    """The check value (0–10) of the 17-digit body held as a BIGINT: integer digit arithmetic only, which
    DuckDB vectorises far better than 17 string slices (measured: about 10× on a million IDs)."""
    terms = " + ".join(f"(({body} // {10 ** (16 - i)}) % 10) * {w}" for i, w in enumerate(RIC_WEIGHTS))
    return f"((12 - ({terms}) % 11) % 11)"


def _value_sql(name: str) -> str:
    """The field's value as the checks read it: trimmed, blank → NULL (over the source row ``s``).

    DuckDB's ``trim`` strips the space and the Unicode space separators (U+00A0, U+3000, …), all of them
    non-ASCII but the space; it copies every value, so it runs only where a leading or trailing space or a
    non-ASCII character (byte length ≠ character length) makes it matter — half the cost on an ID column."""
    column = f's."{name}"'
    return (f"CASE WHEN prefix({column}, ' ') OR suffix({column}, ' ') OR strlen({column}) <> length({column}) "
            f"THEN NULLIF(trim({column}), '') ELSE NULLIF({column}, '') END")


def _mangled_sql(name: str) -> str:
    """TRUE when identifier ``name`` was damaged by a spreadsheet (over the source row ``s``). The exact
    patterns run only where a cheap test finds a dot, an e or a non-ASCII character (bytes ≠ characters):
    a regex per row costs about 0.2 µs on unique values, ``contains`` a tenth of that."""
    exact = " OR ".join(f"regexp_full_match(trim(s.{name}), {_q(p)})" for p in MANGLED_PATTERNS)
    suspect = (f"contains(s.{name}, '.') OR contains(s.{name}, 'e') OR contains(s.{name}, 'E') "
               f"OR strlen(s.{name}) <> length(s.{name})")
    return (f"(s.{numeric_flag(name)} OR CASE WHEN {suspect} "
            f"THEN ({exact} OR regexp_matches(s.{name}, {_q(FULL_WIDTH)})) ELSE FALSE END) IS TRUE")


def _id_number_sql(id_column: str) -> str:
    """An 18-character ID whose characters are all digits, the first not 0, as a BIGINT; else NULL.

    Exact without a regex (a regex per row cost as much as the rest of the ID checks): DuckDB's integer cast
    also reads ``0x…`` hexadecimal, an exponent, a sign, ``_`` separators and surrounding tabs, but a sign,
    a separator or a tab leaves fewer than 18 digits, i.e. a value below 10^17, and hexadecimal (which
    starts with 0) and exponents (an E) are excluded first. ``tests/test_validation.py`` holds this to the
    regex on adversarial strings."""
    return (f"CASE WHEN strlen({id_column}) = 18 AND NOT prefix({id_column}, '0') AND NOT contains({id_column}, 'E') "
            f"AND NOT contains({id_column}, 'e') THEN try_cast({id_column} AS BIGINT) END")


def _x_id_body_sql(id_column: str) -> str:
    """The 17 characters before a final X as a BIGINT (as :func:`_id_number_sql`; in range only if all digits)."""
    body = f"left({id_column}, 17)"
    return (f"CASE WHEN suffix({id_column}, 'X') AND strlen({id_column}) = 18 AND NOT prefix({id_column}, '0') "
            f"AND NOT contains({body}, 'E') AND NOT contains({body}, 'e') THEN try_cast({body} AS BIGINT) END")


def _person_key_sql(source: str) -> str:
    """(row, ID type, numeric ID, other ID) of every row whose identity can be compared, read straight from
    ``source`` with the same expressions as ``prep`` so that ``prep`` is read once and never materialised
    (copying a million normalised rows cost more than computing these columns twice). An 18-digit ID is
    compared as a BIGINT (no string hashing); any other ID as text."""
    digits = f"CASE WHEN n BETWEEN {10 ** 17} AND {10 ** 18 - 1} THEN n END"
    normalised = (f"SELECT s.__row, {_value_sql('id_type')} AS v_id_type, "  # noqa: S608 - our expressions
                  f"upper({_value_sql('id_number')}) AS id, {_mangled_sql('id_number')} AS m_id_number "
                  f'FROM "{source}" s')
    return (f"SELECT __row, v_id_type, id_num, CASE WHEN id_num IS NULL THEN id END AS id_text "  # noqa: S608
            f"FROM (SELECT __row, v_id_type, id, {digits} AS id_num FROM (SELECT *, {_id_number_sql('id')} AS n "
            f"FROM ({normalised}) WHERE id IS NOT NULL AND NOT m_id_number))")


def _prep_levels(schema: Schema) -> list[list[str]]:
    """The normalised columns of ``prep``, in levels (a level may use the columns of the one before):
    values trimmed (blank → NULL), identifier damage, the ID and its parts as integers, dates parsed."""
    level1 = ["s.__row"] + [f"{_value_sql(f.name)} AS v_{f.name}" for f in schema.fields]
    identifiers = [f.name for f in schema.fields if f.kind == "identifier"]
    level1 += [f"{_mangled_sql(name)} AS m_{name}" for name in identifiers]
    ric_types = [c.code for c in code_table("id_type") if c.extra["format"] == "ric"]
    level1.append("upper(v_id_number) AS id")
    level1.append(f"v_id_type IN {_in(ric_types)} IS TRUE AS is_ric")
    for f in schema.fields:
        if f.kind == "date":
            level1.append(f"{parse_date_sql('v_' + f.name)} AS d_{f.name}")
    # The 17-digit body and the check value (0–10, X = 10) as integers: the 18 digits cast at once, or, for a
    # final X (one ID in eleven), the 17 before it. ``shaped``: the ID matches RIC_SHAPE (see _id_number_sql).
    level1.append(f"{_id_number_sql('id')} AS id18")
    level1.append(f"{_x_id_body_sql('id')} AS id17")
    level2 = ["*", f"CASE WHEN id18 BETWEEN {10 ** 17} AND {10 ** 18 - 1} THEN id18 // 10 "
                   f"WHEN id17 BETWEEN {10 ** 16} AND {10 ** 17 - 1} THEN id17 END AS digits17",
              f"CASE WHEN id18 BETWEEN {10 ** 17} AND {10 ** 18 - 1} THEN id18 % 10 ELSE 10 END AS last_value"]
    level3 = ["*", "(is_ric AND NOT m_id_number AND digits17 IS NOT NULL) IS TRUE AS shaped",
              "CASE WHEN is_ric AND NOT m_id_number THEN digits17 END AS body"]
    # Year 0000 is a date in DuckDB (proleptic year 0) but not in Python's datetime, hence not in stdnum.
    level4 = ["*", "(body // 1000) % 100000000 AS ymd", f"{checksum_of_body_sql('body')} AS check_value"]
    level5 = ["*", "CASE WHEN ymd >= 10000 THEN try(make_date(CAST(ymd // 10000 AS INTEGER), "
                   "CAST((ymd // 100) % 100 AS INTEGER), CAST(ymd % 100 AS INTEGER))) END AS id_birth"]
    # The region key: code × 10000 + birth year clamped to the years the region table spells out.
    level6 = ["*", f"(body // 100000000000) * 10000 + least(greatest(year(id_birth), {REGION_YEARS[0]}), "
                   f"{REGION_YEARS[1]}) AS region_key"]
    return [level1, level2, level3, level4, level5, level6]


def _prep_columns(schema: Schema) -> list[str]:
    """All the columns of ``prep`` (for tests and profiling)."""
    return [c for level in _prep_levels(schema) for c in level if c != "*"]


def prep_sql(schema: Schema, source: str) -> str:
    """``prep`` as nested SELECTs over ``source``: DuckDB merges the levels into one projection."""
    levels = _prep_levels(schema)
    sql = f'SELECT {", ".join(levels[0])} FROM "{source}" s'  # noqa: S608 - our column expressions
    for level in levels[1:]:
        sql = f"SELECT {', '.join(level)} FROM ({sql})"  # noqa: S608 - our column expressions
    return sql


def _age_grade_sql(today: datetime.date) -> str:
    """The age on 31 August of the school year that ``today`` falls in, from ``d_birth_date``."""
    start_year = today.year if today.month >= 9 else today.year - 1
    return (f"({start_year} - year(d_birth_date) - "
            f"CASE WHEN month(d_birth_date) * 100 + day(d_birth_date) > 831 THEN 1 ELSE 0 END)")


def _ric_rules() -> list[Rule]:
    """The checks of a resident ID number (types whose format is ``ric``), skipped when it is mangled."""
    return [
        Rule("id_checksum", "id_number",
             "shaped AND last_value <> check_value",
             _("The check digit of the ID number is wrong (GB 11643).")),
        Rule("id_birth_date", "id_number", "shaped AND id_birth IS NULL",
             _("The birth date in the ID number is not a valid date.")),
        Rule("id_birth_date", "id_number", "shaped AND id_birth <> d_birth_date",
             _("The birth date in the ID number differs from the birth date of the record.")),
        Rule("id_gender", "id_number",
             "shaped AND v_gender IN ('1', '2') AND (body % 2 = 1) <> (v_gender = '1')",
             _("The gender in the ID number (17th digit: odd male, even female) differs from the record.")),
        Rule("id_region", "id_number", "shaped AND id_birth IS NOT NULL AND region_found IS NULL",
             _("The region code in the ID number was not a valid GB/T 2260 code in the birth year.")),
    ]


def _id_format_rule() -> Rule:
    """The number must follow the format of its ID type (unknown types are a ``code_table`` issue)."""
    by_format: dict[str, list[str]] = {}
    for code in code_table("id_type"):
        by_format.setdefault(code.extra["format"], []).append(code.code)
    # One CASE: each row runs the one pattern of its type (resident IDs reuse ``shaped`` from prep).
    branches = " ".join(
        f"WHEN v_id_type IN {_in(types)} THEN "
        + ("NOT shaped" if fmt == "ric" else f"NOT regexp_full_match(id, {_q(ID_FORMATS[fmt])})")
        # Resident IDs first: nearly every row takes that branch, so it should not wait behind the others.
        for fmt, types in sorted(by_format.items(), key=lambda item: (item[0] != "ric", item[0])))
    return Rule("id_format", "id_number", f"id IS NOT NULL AND NOT m_id_number AND (CASE {branches} END)",
                _("The ID number does not have the format of its ID type."))


def _not_a_code_sql(column: str, table: Iterable[str]) -> str:
    """TRUE when ``column`` is not one of the codes: a cast to an ENUM of them, one hash lookup, where ``NOT IN``
    compares the value with each code in turn (measured: 10–25 % of the whole query with the 58 ethnicity codes).
    ``spark.py`` turns the cast back into ``IN`` for Spark, which has no ENUM."""
    return f"TRY_CAST({column} AS ENUM{_in(table)}) IS NULL"


def build_rules(schema: Schema, today: datetime.date) -> list[Rule]:
    """The rules of ``schema`` in report order."""
    rules = [Rule("required", f.name, f"v_{f.name} IS NULL", _("%(label)s is required.") % {"label": f.label})
             for f in schema.fields if f.required]
    rules.append(_id_format_rule())
    rules += _ric_rules()
    rules += [Rule("id_spreadsheet_mangled", f.name, f"m_{f.name}", _(
        "%(label)s was changed by a spreadsheet (shown as {value}: a number in scientific notation, a lost "
        "leading zero or full-width digits); format the column as text and enter it again.") % {"label": f.label})
        for f in schema.fields if f.kind == "identifier"]
    rules += [Rule("code_table", f.name, f"v_{f.name} IS NOT NULL AND {_not_a_code_sql('v_' + f.name, codes(f.code_table))}",
                   _("%(label)s {value} is not a code of the table %(table)s.") % {"label": f.label, "table": f.code_table})
              for f in schema.fields if f.code_table]
    for f in schema.fields:
        if f.kind == "date":
            rules += _date_rules(f.name, f.label, today)
    if "grade" in schema.names:
        rules.append(_age_grade_rule(today))
    if schema.kind == TEACHER.kind:
        from edupulse.basedata.rules_teacher import teacher_rules  # cycle: rules_teacher imports rules

        rules += teacher_rules(today)
    rules += [
        Rule("school_unknown", "school_code",
             "v_school_code IS NOT NULL AND NOT m_school_code AND school_found IS NULL",
             _("School code {value} is not a school in the register.")),
        Rule("school_unknown", "school_code", "school_found IS NOT NULL AND NOT school_active",
             _("School code {value} belongs to a school that is no longer active.")),
        Rule("duplicate_person", "id_number", "first_row IS NOT NULL AND __row > first_row",
             _("The same person (ID type and number) as row {first_row}.")),
    ]
    return rules


def _date_rules(name: str, label: str, today: datetime.date) -> list[Rule]:
    after_birth = " OR d_enrol_date < d_birth_date" if name == "enrol_date" else ""
    return [
        Rule("date_range", name, f"v_{name} IS NOT NULL AND d_{name} IS NULL", _(
            "%(label)s {value} is not a date (accepted: 2010-03-05, 2010/3/5, 2010年3月5日, 20100305).")
            % {"label": label}),
        Rule("date_range", name,
             f"d_{name} IS NOT NULL AND (d_{name} < DATE '{EARLIEST_DATE}' OR d_{name} > DATE '{today}'{after_birth})",
             _("%(label)s {value} is outside the plausible range.") % {"label": label}),
    ]


def _age_grade_rule(today: datetime.date) -> Rule:
    ages = " ".join(f"WHEN {_q(c.code)} THEN {int(c.extra['typical_age'])}" for c in code_table("grade"))
    typical = f"(CASE v_grade {ages} END)"
    age = _age_grade_sql(today)
    return Rule("age_grade", "grade",
                f"{typical} IS NOT NULL AND d_birth_date IS NOT NULL AND (v_status IS NULL OR v_status IN "
                f"{_in(ENROLLED_STATUSES)}) AND ({age} < {typical} - {AGE_BELOW} OR {age} > {typical} + {AGE_ABOVE})",
                _("Grade {value} is implausible for the student's age (typical age of the grade − %(below)d to "
                  "+ %(above)d years).") % {"below": AGE_BELOW, "above": AGE_ABOVE})


@dataclass(frozen=True)
class CompiledCheck:
    """The query and its rules: the i-th rule is the boolean column ``c{i}``."""

    sql: str
    rules: tuple[Rule, ...]


def check_sql(schema: Schema, source: str, today: datetime.date | None = None) -> CompiledCheck:
    """ONE SELECT over ``source`` giving, per failing row: ``__row``, ``first_row`` (of a duplicate), the
    row's values (``v_<field>``) and one BOOLEAN column per rule (``c<i>``). Needs the tables ``basedata_region_years`` and
    ``basedata_schools`` in the connection (see ``validation.prepare``)."""
    today = today or datetime.date.today()
    rules = tuple(build_rules(schema, today))
    flags = [f"({rule.predicate}) IS TRUE AS c{i}" for i, rule in enumerate(rules)]
    values = ", ".join(f"v_{f.name}" for f in schema.fields)
    # Everything spliced in is ours (field names, code tables, quoted with _q); file values are never SQL text.
    sql = f"""
WITH prep AS ({prep_sql(schema, source)}),
keyed AS ({_person_key_sql(source)}),
dup AS (SELECT v_id_type AS dup_type, coalesce(CAST(id_num AS VARCHAR), id_text) AS dup_id, min(__row) AS first_row
        FROM keyed GROUP BY v_id_type, id_num, id_text HAVING count(*) > 1),
checked AS (
  SELECT p.*, dup.first_row, sch.code AS school_found, sch.is_active AS school_active, reg.region_key AS region_found
  FROM prep p
  LEFT JOIN dup ON dup.dup_id = p.id AND dup.dup_type IS NOT DISTINCT FROM p.v_id_type AND NOT p.m_id_number
  LEFT JOIN basedata_schools sch ON sch.code = p.v_school_code
  LEFT JOIN basedata_region_years reg ON reg.region_key = p.region_key
)
SELECT __row, first_row, {values}, {", ".join(flags)}
FROM checked WHERE {" OR ".join(f"({rule.predicate})" for rule in rules)}
"""  # noqa: S608
    return CompiledCheck(sql, rules)


def issues_sql(flagged_table: str, rules: Sequence[Rule], mask_fields: Sequence[str] = (), *,
               with_school: bool = False) -> str:
    """The issue rows of ``flagged_table`` (the result of :func:`check_sql`): one per TRUE flag, in row
    then rule order; values of ``mask_fields`` masked (keep 3 leading and 2 trailing characters), the
    message too. ``with_school`` adds the row's school code (for per-school exports)."""
    checks = ", ".join(f"({i}, {_q(r.name)}, {_q(r.field)}, {_q(r.message)})" for i, r in enumerate(rules))
    fields = sorted({r.field for r in rules} | {"school_code"})
    # The failing value, picked by the rule's field (a MAP of every value cost more than the checks).
    raw = "CASE k.field " + " ".join(f"WHEN {_q(name)} THEN f.v_{name}" for name in fields) + " END"
    value = raw
    if mask_fields:
        # The message quotes the value too, so it is masked before either uses it.
        value = (f"CASE WHEN k.field IN {_in(mask_fields)} THEN "
                 f"CASE WHEN length({raw}) > 5 THEN left({raw}, 3) || repeat('*', length({raw}) - 5) || "
                 f"right({raw}, 2) ELSE repeat('*', length({raw})) END ELSE {raw} END")
    columns = ", ".join(f"c{i}" for i in range(len(rules)))
    # Our rule table (quoted with _q) and column names only.
    return f"""
WITH checks(idx, rule, field, template) AS (VALUES {checks}),
f AS (UNPIVOT (SELECT __row, first_row, {", ".join(f"v_{name}" for name in fields)}, {columns} FROM "{flagged_table}")
      ON {columns} INTO NAME chk VALUE failed),
shown AS (SELECT f.__row, f.first_row, f.v_school_code AS school_code, k.idx, k.rule, k.field, k.template,
                 {value} AS value
          FROM f JOIN checks k ON k.idx = CAST(substr(f.chk, 2) AS INTEGER) WHERE f.failed)
SELECT __row AS row, rule, field, value,
       replace(replace(template, '{{value}}', coalesce(value, '')),
               '{{first_row}}', coalesce(CAST(first_row AS VARCHAR), '')) AS message{", school_code" if with_school else ""}
FROM shown
ORDER BY __row, idx
"""  # noqa: S608


SCHEMAS_WITH_RULES = {STUDENT.kind: STUDENT, TEACHER.kind: TEACHER}
