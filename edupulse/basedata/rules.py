"""The standard checks of base-data records, compiled to ONE DuckDB query per table.

A :class:`Rule` is a name (the issue's rule name), the field it is about, a SQL predicate that is TRUE when
the row FAILS, and a Chinese message template (``{value}`` and ``{first_row}`` are filled in SQL). Several
rules may share a name (``date_range`` has a format and a range predicate, each with its own message).

The query (:func:`check_sql`) reads the loaded relation once for the checks. A CTE ``prep`` normalises the
values once (trimmed, blank → NULL, dates parsed, the ID split into its parts as integers); the WHERE keeps
only rows where a rule predicate holds, and only for those rows the SELECT computes one BOOLEAN column per
rule next to the row's values. The issues are then those rows UNPIVOTed on the boolean columns (no CASE per
rule, no UNION per rule). The only other scan is the duplicate check: it reads just the ID type and number
through ``prep``'s own expressions (DuckDB drops the columns it does not need, and ``prep`` is never
materialised) and groups a resident-ID-shaped number as one BIGINT person key (type, 17 digits and check
value — exact, no string hashing) and any other ID as text, giving each repeated person's first row, joined
back.

Measured choices (DuckDB 2.0, ``bench/bench_basedata.py``, 5–15 M rows on 2 cores):

* the WHERE holds the bare predicates (wrapping each in ``IS TRUE`` there turned DuckDB's short-circuiting
  selection into full evaluation);
* the common ID — 18 ASCII digits, or 17 and an X — is recognised first by its length and two integer casts,
  and only the other rows are trimmed, upper-cased and tested for spreadsheet damage (:func:`_prep_levels`);
* no regex on the hot path of an ID (integer casts, see :func:`_id_number_sql`), and the check digit from
  nine-digit halves as DOUBLE (:func:`checksum_of_body_sql`);
* ``trim`` only where it changes something on identifiers (:func:`_value_sql`), and a field only
  ``required`` reads (a name) is tested for blankness by its first character and normalised after the
  WHERE, on the failing rows only (:func:`lazy_fields`);
* an ISO date is recognised by a cast and its round trip, both of which DuckDB runs once per distinct value
  of a dictionary-encoded column;
* the age–grade check as a window of birth dates per grade, one CASE branch a row;
* no MAP of the row's values (building it cost more than all the checks).

A mangled identifier (``id_spreadsheet_mangled``) suppresses the other checks of that identifier: the
digits are lost, so a checksum or a region verdict on them would only repeat the same problem.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
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
    return (f"CASE WHEN {column} LIKE '____-__-__' AND CAST({iso} AS VARCHAR) = {column} THEN {iso} "
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
    """The check value (0–10) of the 17-digit body held as a BIGINT, with as few vector operations as we found.

    The body is split into two halves of at most 9 digits held as DOUBLE: dividing one by a power of ten and
    flooring is exact (the quotient's rounding error is below 1/divisor, so it never crosses an integer) and,
    unlike integer division, vectorises. With ``P_k = floor(half / 10^k)`` a digit is ``P_k − 10·P_(k+1)``,
    so the weighted digit sum is ``Σ (w_k − 10·w_(k−1))·P_k``: one division per digit instead of a division
    and a remainder (measured: half the cost of the digit-by-digit form on 5 M IDs)."""
    by_power = RIC_WEIGHTS[::-1]  # by_power[k] weighs the digit of 10^k

    def weighted(half: str, weights: Sequence[int]) -> str:
        coefficients = [(weight - 10 * before) % 11 for weight, before in zip(weights, (0, *weights[:-1]), strict=True)]
        terms = [f"{half} * {coefficients[0]}"] + [f"floor({half} / {10 ** k}.0) * {c}"
                                                    for k, c in enumerate(coefficients) if k and c]
        return " + ".join(terms)

    low, high = f"CAST({body} % 1000000000 AS DOUBLE)", f"CAST({body} // 1000000000 AS DOUBLE)"
    return f"((12 - CAST({weighted(low, by_power[:9])} + {weighted(high, by_power[9:])} AS BIGINT) % 11) % 11)"


def _value_sql(name: str, *, identifier: bool = True, column: str | None = None) -> str:
    """The field's value as the checks read it: trimmed, blank → NULL (over the source row ``s``).

    DuckDB's ``trim`` strips the space and the Unicode space separators (U+00A0, U+3000, …), all of them
    non-ASCII but the space. On an identifier (long, unique, ASCII) ``trim`` copies every value, so there it
    runs only where a leading or trailing space or a non-ASCII character (byte length ≠ character length)
    makes it matter — half the cost. On other text it runs always: a name is non-ASCII anyway, and a
    low-cardinality column (codes, dates) arrives dictionary-encoded, where ``trim`` runs once per distinct
    value while the test would run once per row (measured on 5 M rows: a third less on names). ``column``: an
    expression holding the raw value, if not the source row's column."""
    column = column or f's."{name}"'
    if not identifier:
        return f"NULLIF(trim({column}), '')"
    return (f"CASE WHEN prefix({column}, ' ') OR suffix({column}, ' ') OR strlen({column}) <> length({column}) "
            f"THEN NULLIF(trim({column}), '') ELSE NULLIF({column}, '') END")


# The characters DuckDB's ``trim`` strips (the space and the Unicode space separators, Zs) all lie in U+0020–U+3000.
_TRIMMED_FIRST, _TRIMMED_LAST = chr(0xA0), chr(0x3000)


def _blank_sql(name: str) -> str:
    """TRUE when the field is missing or blank after trimming, without trimming every value: a value is blank only
    if its first character is one ``trim`` strips, and strings compare by their UTF-8 bytes, i.e. by their first
    code point first. So only a value starting at or below the space, or within U+00A0–U+3000, is trimmed to
    see — not a Chinese name (U+3400 and up) nor a Latin one."""
    column = f's."{name}"'
    maybe = (f"{column} < '!' OR ({column} >= {_q(_TRIMMED_FIRST)} "
             f"AND {column} < {_q(chr(ord(_TRIMMED_LAST) + 1))})")
    return f"({column} IS NULL OR CASE WHEN {maybe} THEN trim({column}) = '' ELSE FALSE END)"


def _mangled_sql(name: str, plain: str = "FALSE") -> str:
    """TRUE when identifier ``name`` was damaged by a spreadsheet (over the source row ``s``). The exact
    patterns run only where a cheap test finds a dot, an e or a non-ASCII character (bytes ≠ characters):
    a regex per row costs about 0.2 µs on unique values, ``contains`` a tenth of that. ``plain``: a test
    already made that proves the text undamaged (only ASCII digits), so that even the cheap test is skipped;
    a numeric source column is damaged whatever its text."""
    exact = " OR ".join(f"regexp_full_match(trim(s.{name}), {_q(p)})" for p in MANGLED_PATTERNS)
    suspect = (f"contains(s.{name}, '.') OR contains(s.{name}, 'e') OR contains(s.{name}, 'E') "
               f"OR strlen(s.{name}) <> length(s.{name})")
    return (f"(s.{numeric_flag(name)} OR CASE WHEN {plain} THEN FALSE WHEN {suspect} "
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


# A person key: type position × KEY_SPAN + the 17 body digits × 11 + the check value (0–10, X = 10).
KEY_SPAN = 11 * 10 ** 17


def _ric_types() -> list[str]:
    """The ID types whose numbers are resident-ID shaped (``format`` ric), in code order: a type's position here
    is part of the person key, which must stay a BIGINT."""
    types = sorted(c.code for c in code_table("id_type") if c.extra["format"] == "ric")
    if len(types) * KEY_SPAN >= 2 ** 63:
        raise ValueError(f"{len(types)} resident-ID types do not fit the BIGINT person key")
    return types


def _prep_levels(schema: Schema, lazy: frozenset[str] = frozenset()) -> list[list[str]]:
    """The normalised columns of ``prep``, in levels (a level may use the columns of the one before):
    values trimmed (blank → NULL), identifier damage, the ID and its parts as integers, dates parsed.

    Level 0 tries the common case first: an ID that is already 18 ASCII digits, or 17 and an X, the first not 0
    (``plain``). Such a value needs no trimming, no upper-casing and no damage test, so the costlier
    normalisation runs only on the other rows (a CASE evaluates a branch only on the rows that reach it).

    A ``lazy`` field (see :func:`lazy_fields`) is passed through raw, with only a blank test when it is required:
    its normalised value is computed after the WHERE, for the failing rows alone."""
    raw = "s.id_number"
    guard = f"strlen({raw}) = 18 AND NOT prefix({raw}, '0') AND NOT contains({raw}, 'E') AND NOT contains({raw}, 'e')"
    level0 = ["*", f"CASE WHEN {guard} THEN CASE WHEN suffix({raw}, 'X') THEN 17 ELSE 18 END END AS raw_digits"]
    level0b = ["*", f"CASE raw_digits WHEN 18 THEN try_cast({raw} AS BIGINT) END AS raw18",
               f"CASE raw_digits WHEN 17 THEN try_cast(left({raw}, 17) AS BIGINT) END AS raw17"]
    plain = "s.plain IS TRUE"
    level0c = ["*", f"raw18 BETWEEN {10 ** 17} AND {10 ** 18 - 1} OR raw17 BETWEEN {10 ** 16} AND {10 ** 17 - 1} AS plain"]
    level1 = ["s.__row"] + [f"CASE WHEN {plain} THEN {raw} ELSE {_value_sql(f.name)} END AS v_{f.name}"
                            if f.name == "id_number" else
                            f"{_value_sql(f.name, identifier=f.kind == 'identifier')} AS v_{f.name}"
                            for f in schema.fields if f.name not in lazy]
    level1 += [f's."{f.name}" AS raw_{f.name}' for f in schema.fields if f.name in lazy]
    level1 += [f"{_blank_sql(f.name)} AS blank_{f.name}" for f in schema.fields if f.name in lazy and f.required]
    identifiers = [f.name for f in schema.fields if f.kind == "identifier"]
    level1 += [f"{_mangled_sql(name, plain if name == 'id_number' else 'FALSE')} AS m_{name}" for name in identifiers]
    ric_types = _ric_types()
    level1.append(f"CASE WHEN {plain} THEN {raw} ELSE upper(v_id_number) END AS id")
    level1.append(f"v_id_type IN {_in(ric_types)} IS TRUE AS is_ric")
    level1.append("CASE v_id_type " + " ".join(f"WHEN {_q(code)} THEN {i * KEY_SPAN}" for i, code in enumerate(ric_types))
                  + " END AS key_offset")
    for f in schema.fields:
        if f.kind == "date":
            level1.append(f"{parse_date_sql('v_' + f.name)} AS d_{f.name}")
    # The 17-digit body and the check value (0–10, X = 10) as integers: the 18 digits cast at once, or, for a
    # final X (one ID in eleven), the 17 before it. ``shaped``: the ID matches RIC_SHAPE (see _id_number_sql).
    level1.append(f"CASE WHEN {plain} THEN s.raw18 ELSE {_id_number_sql('id')} END AS id18")
    level1.append(f"CASE WHEN {plain} THEN s.raw17 ELSE {_x_id_body_sql('id')} END AS id17")
    level2 = ["*", f"CASE WHEN id18 BETWEEN {10 ** 17} AND {10 ** 18 - 1} THEN id18 // 10 "
                   f"WHEN id17 BETWEEN {10 ** 16} AND {10 ** 17 - 1} THEN id17 END AS digits17",
              f"CASE WHEN id18 BETWEEN {10 ** 17} AND {10 ** 18 - 1} THEN id18 % 10 ELSE 10 END AS last_value"]
    level3 = ["*", "(is_ric AND NOT m_id_number AND digits17 IS NOT NULL) IS TRUE AS shaped",
              "CASE WHEN is_ric AND NOT m_id_number THEN digits17 END AS body"]
    # The person key (duplicate_person): a shaped ID as one BIGINT (exact: type, body and check value; no
    # string hashing), any other comparable ID as its text (``person_text``, with its type).
    level3b = ["*", "CASE WHEN shaped THEN key_offset + body * 11 + last_value END AS person_key",
               "CASE WHEN NOT shaped AND NOT m_id_number THEN id END AS person_text"]
    # Year 0000 is a date in DuckDB (proleptic year 0) but not in Python's datetime, hence not in stdnum.
    level4 = ["*", "(body // 1000) % 100000000 AS ymd", f"{checksum_of_body_sql('body')} AS check_value"]
    level5 = ["*", "CASE WHEN ymd >= 10000 THEN try(make_date(CAST(ymd // 10000 AS INTEGER), "
                   "CAST((ymd // 100) % 100 AS INTEGER), CAST(ymd % 100 AS INTEGER))) END AS id_birth"]
    # The region key: code × 10000 + birth year clamped to the years the region table spells out.
    level6 = ["*", f"(body // 100000000000) * 10000 + least(greatest(year(id_birth), {REGION_YEARS[0]}), "
                   f"{REGION_YEARS[1]}) AS region_key"]
    return [level0, level0b, level0c, level1, level2, level3, level3b, level4, level5, level6]


def _prep_columns(schema: Schema) -> list[str]:
    """All the columns of ``prep`` (for tests and profiling)."""
    return [c for level in _prep_levels(schema) for c in level if c != "*"]


def prep_sql(schema: Schema, source: str, lazy: frozenset[str] = frozenset()) -> str:
    """``prep`` as nested SELECTs over ``source``: DuckDB merges the levels into one projection."""
    levels = _prep_levels(schema, lazy)
    sql = f'SELECT {", ".join(levels[0])} FROM "{source}" s'  # noqa: S608 - our column expressions
    for level in levels[1:]:
        sql = f"SELECT {', '.join(level)} FROM ({sql}) s"  # noqa: S608 - our column expressions
    return sql


def _school_year_start(today: datetime.date) -> int:
    """The calendar year the school year that ``today`` falls in began (September)."""
    return today.year if today.month >= 9 else today.year - 1


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
    """The student's age on 31 August of the school year must be within the grade's typical age − AGE_BELOW to
    + AGE_ABOVE. Written as a window of birth dates per grade, one CASE branch per grade: an age from
    ``year``/``month``/``day`` cost three date conversions a row and the grade's age three CASE lookups.

    Age on 31 August of year S ≥ a ⇔ born on or before (S − a)-08-31, so the plausible births of a grade
    with typical age t are after (S − t − AGE_ABOVE − 1)-08-31 and on or before (S − t + AGE_BELOW)-08-31."""
    start = _school_year_start(today)
    branches = " ".join(
        f"WHEN {_q(c.code)} THEN d_birth_date <= DATE '{start - int(c.extra['typical_age']) - AGE_ABOVE - 1}-08-31' "
        f"OR d_birth_date > DATE '{start - int(c.extra['typical_age']) + AGE_BELOW}-08-31'"
        for c in code_table("grade"))
    return Rule("age_grade", "grade",
                f"d_birth_date IS NOT NULL AND (v_status IS NULL OR v_status IN {_in(ENROLLED_STATUSES)}) "
                f"AND (CASE v_grade {branches} END)",
                _("Grade {value} is implausible for the student's age (typical age of the grade − %(below)d to "
                  "+ %(above)d years).") % {"below": AGE_BELOW, "above": AGE_ABOVE})


# Fields whose normalised value ``prep`` itself or the joins of :func:`check_sql` read.
_READ_BY_PREP = frozenset({"id_type", "id_number", "school_code"})


def lazy_fields(schema: Schema, rules: Sequence[Rule]) -> frozenset[str]:
    """The fields whose normalised value no check reads but ``required`` (a name, a class): trimming a
    Chinese name on every row cost 6 % of the query; a blank test and a trim of the failing rows' names do."""
    read = {name for rule in rules if rule.name != "required" for name in re.findall(r"\bv_(\w+)", rule.predicate)}
    return frozenset(f.name for f in schema.fields
                     if f.name not in read and f.name not in _READ_BY_PREP and f.kind != "date")


@dataclass(frozen=True)
class CompiledCheck:
    """The query and its rules: the i-th rule is the boolean column ``c{i}``."""

    sql: str
    rules: tuple[Rule, ...]


def check_sql(schema: Schema, source: str, today: datetime.date | None = None) -> CompiledCheck:
    """ONE SELECT over ``source`` giving, per failing row: ``__row``, ``first_row`` (of a duplicate), the
    row's values of the fields the rules are about and the school (``v_<field>``) and one BOOLEAN column per
    rule (``c<i>``). Needs the tables ``basedata_region_years`` and
    ``basedata_schools`` in the connection (see ``validation.prepare``)."""
    today = today or datetime.date.today()
    built = build_rules(schema, today)
    lazy = lazy_fields(schema, built)
    rules = tuple(dataclasses.replace(rule, predicate=f"blank_{rule.field}")
                  if rule.name == "required" and rule.field in lazy else rule for rule in built)
    flags = [f"({rule.predicate}) IS TRUE AS c{i}" for i, rule in enumerate(rules)]
    # Only the values an issue can show (a rule's field, the school for per-school exports): a field no rule
    # is about (the class) is then not even read from the file.
    shown = {rule.field for rule in rules} | {"school_code"}
    values = ", ".join(f"{_value_sql(f.name, identifier=False, column=f'raw_{f.name}')} AS v_{f.name}"
                       if f.name in lazy else f"v_{f.name}" for f in schema.fields if f.name in shown)
    # Everything spliced in is ours (field names, code tables, quoted with _q); file values are never SQL text.
    sql = f"""
WITH prep AS ({prep_sql(schema, source, lazy)}),
dup AS (SELECT person_key, text_type, person_text, min(__row) AS first_row
        FROM (SELECT __row, person_key, person_text, CASE WHEN person_text IS NOT NULL THEN v_id_type END AS text_type
              FROM ({prep_sql(schema, source, lazy)}) WHERE person_key IS NOT NULL OR person_text IS NOT NULL)
        GROUP BY GROUPING SETS ((person_key), (text_type, person_text))
        HAVING count(*) > 1 AND (person_key IS NOT NULL OR person_text IS NOT NULL)),
checked AS (
  SELECT p.*, coalesce(dn.first_row, dt.first_row) AS first_row, sch.code AS school_found,
         sch.is_active AS school_active, reg.region_key AS region_found
  FROM prep p
  LEFT JOIN dup dn ON dn.person_key = p.person_key
  LEFT JOIN dup dt ON dt.person_text = p.person_text AND dt.text_type IS NOT DISTINCT FROM p.v_id_type
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
