"""Pseudonyms of persons: a keyed HMAC-SHA256 of (ID type, ID number), never a plain hash.

The space of resident ID numbers is small (a region, a birth date, a 3-digit sequence and a check digit:
about 10^11 values), so a plain SHA-256 of an ID number is reversed by enumeration in hours. With a secret
key (``settings.PSEUDONYM_KEY``, ``EDUPULSE_PSEUDONYM_KEY``) nobody without the key can enumerate.

The same HMAC is computed in Python (:func:`pseudonym`) and in DuckDB SQL (:func:`pseudonym_sql`, from
DuckDB's ``sha256`` over BLOBs, RFC 2104 spelt out), so a store of 15 M rows gets its pseudonyms in one
vectorised pass; ``tests/test_pseudonyms.py`` holds the two to agreement with ``hmac``.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

PSEUDONYM_LENGTH = 20  # hex characters: 80 bits, no collision among a nation's 290 M students in practice
BLOCK = 64  # SHA-256 block size (RFC 2104's B)
# What the key's fingerprint is the HMAC of: a fixed label no person's message can equal (it has no ':' after a
# 1-character ID type), so the fingerprint is never the pseudonym of anybody.
FINGERPRINT_LABEL = b"edupulse.basedata pseudonym key fingerprint v1"
FINGERPRINT_LENGTH = 16  # hex characters: enough to tell two keys apart, nothing to learn the key from


def _key(key: str | bytes | None = None) -> bytes:
    raw = key if key is not None else settings.PSEUDONYM_KEY
    data = raw.encode() if isinstance(raw, str) else raw
    return hashlib.sha256(data).digest() if len(data) > BLOCK else data


def person_message(id_type: str, id_number: str) -> str:
    """What is hashed: the ID type and the number as the checks read it (trimmed, upper case)."""
    return f"{id_type.strip()}:{id_number.strip().upper()}"


def pseudonym(id_type: str, id_number: str, *, key: str | bytes | None = None) -> str:
    """The pseudonym of a person (first ``PSEUDONYM_LENGTH`` hex characters of the HMAC)."""
    digest = hmac.new(_key(key), person_message(id_type, id_number).encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_LENGTH]


def key_fingerprint(key: str | bytes | None = None) -> str:
    """Which key made a set of pseudonyms, without naming the key: the HMAC of a fixed label under it (the key
    stays secret — reversing an HMAC of a known message does not give the key)."""
    return hmac.new(_key(key), FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:FINGERPRINT_LENGTH]


def _blob_literal(data: bytes) -> str:
    return "'" + "".join(f"\\x{b:02X}" for b in data) + "'::BLOB"


def pseudonym_sql(id_type: str, id_number: str, *, key: str | bytes | None = None) -> str:
    """The same HMAC as a DuckDB expression over the SQL expressions ``id_type`` and ``id_number``.

    HMAC(K, m) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)); the padded keys are spliced in as BLOB literals (they are
    key material: the SQL text is never logged or stored)."""
    padded = _key(key).ljust(BLOCK, b"\0")
    inner_key = _blob_literal(bytes(b ^ 0x36 for b in padded))
    outer_key = _blob_literal(bytes(b ^ 0x5C for b in padded))
    message = f"encode(trim({id_type}) || ':' || upper(trim({id_number})))"
    inner = f"unhex(sha256({inner_key} || {message}))"
    return f"left(sha256({outer_key} || {inner}), {PSEUDONYM_LENGTH})"
