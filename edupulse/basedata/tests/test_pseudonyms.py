"""Pseudonyms are a keyed HMAC (never a plain hash), the same in Python and in DuckDB SQL; the SQL masking
agrees with the Python masking."""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import pytest

from edupulse.basedata.masking import (
    birth_year,
    birth_year_sql,
    mask_identifier,
    mask_identifier_sql,
    mask_name,
    mask_name_sql,
)
from edupulse.basedata.pseudonyms import PSEUDONYM_LENGTH, key_fingerprint, pseudonym, pseudonym_sql

VALUES = [("1", "11010120120305001X"), ("1", " 11010120120305001x "), ("A", "E12345678"), ("6", "中文"), ("Z", "")]


@pytest.mark.parametrize("key", ["short", "k" * 64, "a much longer key than one SHA-256 block " * 3])
def test_sql_and_python_agree_with_hmac(key: str) -> None:
    connection = duckdb.connect()
    connection.execute("CREATE TABLE t (id_type VARCHAR, id_number VARCHAR)")
    connection.executemany("INSERT INTO t VALUES (?, ?)", VALUES)
    in_sql = [row[0] for row in connection.execute(f"SELECT {pseudonym_sql('id_type', 'id_number', key=key)} FROM t").fetchall()]
    in_python = [pseudonym(t, n, key=key) for t, n in VALUES]
    reference = [hmac.new(key.encode(), f"{t}:{n.strip().upper()}".encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]
                 for t, n in VALUES]
    assert in_sql == in_python == reference


def test_a_pseudonym_is_not_a_plain_hash_and_depends_on_the_key() -> None:
    plain = hashlib.sha256(b"1:11010120120305001X").hexdigest()[:PSEUDONYM_LENGTH]
    assert pseudonym("1", "11010120120305001X", key="one") not in (plain, pseudonym("1", "11010120120305001X", key="two"))


def test_sql_masking_agrees_with_python() -> None:
    connection = duckdb.connect()
    for value in ("张三", "欧阳娜娜", "", " 李 ", "51010720120305001X", "G1234", "2012-03-05", "2012年3月5日", "abc"):
        name, number, year = connection.execute(
            f"SELECT {mask_name_sql('$v')}, {mask_identifier_sql('$v')}, {birth_year_sql('$v')}", {"v": value}).fetchall()[0]
        assert (name, number, year) == (mask_name(value), mask_identifier(value), birth_year(value)), value
    assert mask_identifier("510107201203050012") == "510*************12" and mask_name("张三") == "张*"


def test_the_key_fingerprint_tells_keys_apart_without_naming_them() -> None:
    key = "a secret pseudonym key"
    fingerprint = key_fingerprint(key)
    assert fingerprint == key_fingerprint(key) and fingerprint != key_fingerprint(key + "!")
    assert key not in fingerprint and fingerprint not in hashlib.sha256(key.encode()).hexdigest()
