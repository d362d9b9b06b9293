"""The vectorised ID checks agree with python-stdnum's ``stdnum.cn.ric`` on every test ID.

A few thousand IDs: valid ones built with the checksum for random regions valid in their birth year, and
invalid ones made from them by one digit changed, an impossible birth date, a region code unknown or not
yet/no longer valid in the birth year. The reference is ``ric.is_valid`` and its component functions.
"""

from __future__ import annotations

import datetime
import random
import re

import duckdb
import pyarrow as pa
import pytest
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from edupulse.basedata.reading import relation_columns
from edupulse.basedata.regions import OPEN_END, OPEN_START, region_spans
from edupulse.basedata.rules import check_sql, issues_sql
from edupulse.basedata.schemas import STUDENT
from edupulse.basedata.validation import prepare

ID_RULES = {"id_format", "id_checksum", "id_birth_date", "id_region"}
TODAY = datetime.date(2025, 6, 1)


def with_check_digit(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def random_valid(rng: random.Random) -> str:
    span = rng.choice(region_spans())
    first = max(span.start if span.start != OPEN_START else 1900, 1900)
    last = min(span.end if span.end != OPEN_END else 2024, 2024)
    year = rng.randint(first, max(first, last))
    day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
    return with_check_digit(f"{span.code}{day:%Y%m%d}{rng.randrange(1000):03d}")


def mutations(rng: random.Random, valid: str) -> list[str]:
    position = rng.randrange(18)
    digit = rng.choice([d for d in "0123456789X" if d != valid[position]] if position == 17 else
                       [d for d in "0123456789" if d != valid[position]])
    changed = valid[:position] + digit + valid[position + 1:]
    year = valid[6:10]
    bad_dates = [f"{year}1301", f"{year}0132", f"{year}0230", f"{year}0000", "20230229", "19000229"]
    bad_date = with_check_digit(valid[:6] + rng.choice(bad_dates) + valid[14:17])
    unknown_region = with_check_digit(rng.choice(["990101", "000000", "110199", "449999"]) + valid[6:17])
    return [changed, bad_date, unknown_region]


def out_of_years(rng: random.Random) -> list[str]:
    """IDs whose region was abolished before, or created after, the birth year (and the opposite)."""
    ids = []
    for span in rng.sample([s for s in region_spans() if s.end != OPEN_END and s.end < 2020], 150):
        ids.append(with_check_digit(f"{span.code}{span.end + 1}0101{rng.randrange(1000):03d}"))  # born after
        ids.append(with_check_digit(f"{span.code}{span.end}1231{rng.randrange(1000):03d}"))  # last valid year
    for span in rng.sample([s for s in region_spans() if s.start > 1901], 150):
        ids.append(with_check_digit(f"{span.code}{span.start - 1}0615{rng.randrange(1000):03d}"))  # born before
    return ids


def reference_valid(number: str) -> bool:
    """``ric.is_valid``; stdnum raises KeyError for a known province with an unknown county (a bug in
    stdnum 2.x: ``get_birth_place`` reads ``info['county']``), which is an invalid number."""
    try:
        return ric.is_valid(number)
    except KeyError:
        return False


def reference_region_ok(number: str) -> bool:
    try:
        ric.get_birth_place(number)
    except (stdnum_errors.ValidationError, KeyError):
        return False
    return True


@pytest.fixture(scope="module")
def test_ids() -> list[str]:
    rng = random.Random(20261206)
    valid = [random_valid(rng) for _ in range(2000)]
    ids = valid + [m for v in valid[:1000] for m in mutations(rng, v)] + out_of_years(rng)
    assert len(set(ids)) > 4000
    return ids


def fired_rules(ids: list[str]) -> dict[int, set[str]]:
    """Row → the ID rules that fired, for records with type 1 and no birth date or gender to compare."""
    connection = duckdb.connect()
    prepare(connection, [])
    columns = relation_columns(STUDENT)
    data: dict[str, list[object]] = {name: [None] * len(ids) for name, _type in columns}
    data["__row"] = list(range(1, len(ids) + 1))
    data["id_type"] = ["1"] * len(ids)
    data["id_number"] = list(ids)
    types = {"BIGINT": pa.int64(), "VARCHAR": pa.string(), "BOOLEAN": pa.bool_()}
    for name, sql_type in columns:
        if sql_type == "BOOLEAN":
            data[name] = [False] * len(ids)
    table = pa.table({name: pa.array(data[name], types[sql_type]) for name, sql_type in columns})
    connection.register("src", table)
    compiled = check_sql(STUDENT, "src", TODAY)
    connection.execute(f"CREATE TEMP TABLE flagged AS {compiled.sql}")
    fired: dict[int, set[str]] = {row: set() for row in data["__row"]}  # type: ignore[union-attr]
    for row, rule, *_rest in connection.execute(issues_sql("flagged", compiled.rules)).fetchall():
        if rule in ID_RULES:
            fired[row].add(rule)
    return fired


def test_the_sql_check_agrees_with_stdnum_on_every_id(test_ids: list[str]) -> None:
    fired = fired_rules(test_ids)
    disagreements = [(number, sorted(fired[row]), reference_valid(number))
                     for row, number in enumerate(test_ids, start=1)
                     if (not fired[row]) != reference_valid(number)]
    assert disagreements == []
    # The sample is not one-sided: thousands valid, many invalid, each invalid kind present.
    assert sum(reference_valid(n) for n in test_ids) > 2000
    assert {rule for rules in fired.values() for rule in rules} == ID_RULES


def test_each_component_agrees_with_stdnum(test_ids: list[str]) -> None:
    fired = fired_rules(test_ids)
    shaped = re.compile(r"[1-9][0-9]{16}[0-9X]")
    for row, number in enumerate(test_ids, start=1):
        if not shaped.fullmatch(number):
            assert fired[row] == {"id_format"} and not reference_valid(number), number
            continue
        checksum_ok = number[-1] == ric.calc_check_digit(number)
        assert ("id_checksum" not in fired[row]) == checksum_ok, number
        try:
            ric.get_birth_date(number)
            date_ok = True
        except stdnum_errors.ValidationError:
            date_ok = False
        assert ("id_birth_date" not in fired[row]) == date_ok, number
        if date_ok:
            assert ("id_region" not in fired[row]) == reference_region_ok(number), number


def test_malformed_numbers_are_id_format() -> None:
    numbers = ["11010120100305001", "1101012010030500123", "A10101201003050011", "01010120100305001X", ""]
    fired = fired_rules(numbers[:-1])
    assert all(rules == {"id_format"} for rules in fired.values())
    assert not any(ric.is_valid(n) for n in numbers)
