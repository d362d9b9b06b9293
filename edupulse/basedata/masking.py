"""Masking personal data for display and for extracts (seed 000 item 20: minors' information is protected).

The same rules in Python (pages, one record at a time) and in SQL (extracts, millions of rows at once);
``tests/test_masking.py`` holds them to agreement.
"""

from __future__ import annotations

ID_KEEP_HEAD = 3  # 510***********12: the province stays readable, nothing that identifies the person
ID_KEEP_TAIL = 2


def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the surname's first character only."""
    if not name:
        return ""
    text = name.strip()
    return text[:1] + "*" * (len(text) - 1)


def mask_identifier(value: str | None) -> str:
    """An ID number or 学籍号: the first 3 and last 2 characters kept (short values fully starred)."""
    if not value:
        return ""
    text = value.strip()
    if len(text) <= ID_KEEP_HEAD + ID_KEEP_TAIL:
        return "*" * len(text)
    return text[:ID_KEEP_HEAD] + "*" * (len(text) - ID_KEEP_HEAD - ID_KEEP_TAIL) + text[-ID_KEEP_TAIL:]


def birth_year(value: str | None) -> str:
    """A birth date reduced to its year (the first four digits of any accepted spelling)."""
    if not value:
        return ""
    text = value.strip()
    return text[:4] if text[:4].isdigit() else ""


def mask_name_sql(column: str) -> str:
    text = f"trim({column})"
    return f"CASE WHEN nullif({text}, '') IS NULL THEN '' ELSE left({text}, 1) || repeat('*', length({text}) - 1) END"


def mask_identifier_sql(column: str) -> str:
    text = f"coalesce(trim({column}), '')"
    keep = ID_KEEP_HEAD + ID_KEEP_TAIL
    return (f"CASE WHEN length({text}) <= {keep} THEN repeat('*', length({text})) ELSE left({text}, {ID_KEEP_HEAD}) "
            f"|| repeat('*', length({text}) - {keep}) || right({text}, {ID_KEEP_TAIL}) END")


def birth_year_sql(column: str) -> str:
    return f"CASE WHEN regexp_full_match(left(trim({column}), 4), '[0-9]{{4}}') THEN left(trim({column}), 4) ELSE '' END"
