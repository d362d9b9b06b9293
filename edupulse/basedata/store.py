"""The base-data store: a DuckDB file (``EDUPULSE_BASEDATA_DUCKDB_PATH``) separate from the analytics store.

Per kind of record three tables, every row keyed by its batch's ``batch_key``:

* ``<kind>``: the clean rows (no issue of error level; ``age_grade`` is a warning and stays clean);
* ``<kind>_rejected``: rows with at least one error, kept whole so that they can be fixed and re-imported;
* ``<kind>_issue``: one row per issue (row, rule, field, value — ID numbers masked — message, school code).

A separate file, because imports write hundreds of MB while the analytics store is rebuilt by
``edupulse analytics sync``; one writer per file is DuckDB's rule, and the two never wait on each other.

**Stored pseudonyms.** Every row of ``<kind>`` and ``<kind>_rejected`` carries its person's ``pseudonym``
(``pseudonyms.py``), computed once by the import's INSERT, so that finding one person is a filter on a stored
column instead of an HMAC over every row of the store at every page view. The pseudonyms depend on
``settings.PSEUDONYM_KEY``; the fingerprint of the key that made them is kept in ``basedata_meta``. A store whose
fingerprint is not the configured key's is refused (:class:`PseudonymKeyChangedError`, for reading and importing
alike) until ``edupulse basedata rekey`` (:func:`run_rekey`) recomputes them all in one audited pass — never
rewritten behind the operator's back: a differing key is more often a process started without the right
``EDUPULSE_PSEUDONYM_KEY`` than a rotation, and a silent rekey under the wrong key would break every link.

A store written before the column existed is upgraded on first use (:func:`upgrade`): the column is added and
filled by one UPDATE, under the configured key, in one transaction; the second time there is nothing to do. A
page does that only for a small store (:data:`READER_UPGRADE_ROWS`); a larger one it refuses, naming the command
(:class:`StoreUpgradeNeededError`), since the fill would outlast a web request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
from django.conf import settings
from django.utils.translation import gettext as _

from edupulse.basedata.actions import record_rekey
from edupulse.basedata.pseudonyms import key_fingerprint, pseudonym_sql
from edupulse.basedata.schemas import SCHEMAS, Schema
from edupulse.basedata.validation import open_work_connection
from edupulse.core.actors import Actor

ISSUE_COLUMNS = (("row", "BIGINT"), ("rule", "VARCHAR"), ("field", "VARCHAR"), ("value", "VARCHAR"),
                 ("message", "VARCHAR"), ("school_code", "VARCHAR"))
PSEUDONYM = "pseudonym"
META_TABLE = "basedata_meta"
KEY_FINGERPRINT = "pseudonym_key_fingerprint"
SAMPLE_ROWS = 64  # stored pseudonyms checked against the key when no fingerprint names it


# A reader (a page, an extract) upgrades an older store itself only up to this many rows to fill. Filling costs
# about 6 µs of CPU a row (docs/benchmarks.md): a province's 15 M rows would take a web request minutes, a server's
# request timeout would kill it midway (rolled back, and tried again by the next request, forever). Beyond it the
# page says to run ``edupulse basedata rekey``; imports and the CLI upgrade any store.
READER_UPGRADE_ROWS = 200_000


class StoreRefusedError(Exception):
    """The store cannot be read as it is; the message says what the operator must do."""


class StoreUpgradeNeededError(StoreRefusedError):
    """An older store too large to upgrade within a page view (:data:`READER_UPGRADE_ROWS`)."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        super().__init__(_("The base-data store was written by an older version and its %(rows)d records must be "
                           "upgraded (their pseudonyms computed) before they can be read. Run “edupulse basedata "
                           "rekey” once.") % {"rows": rows})


class PseudonymKeyChangedError(StoreRefusedError):
    """The stored pseudonyms were made under another key than ``settings.PSEUDONYM_KEY``."""

    def __init__(self) -> None:
        super().__init__(_("The pseudonyms in the base-data store were made with another key than the configured "
                           "EDUPULSE_PSEUDONYM_KEY, so no record can be found by its pseudonym. If the key was "
                           "changed on purpose, run “edupulse basedata rekey” once to recompute them; otherwise "
                           "restore the previous key."))


def store_path() -> Path:
    return Path(settings.BASEDATA_DUCKDB_PATH)


def connect(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A connection to the store file (created on first use), with the memory bound of validation."""
    target = path or store_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    return open_work_connection(target)


def person_tables(kind: str) -> tuple[str, str]:
    """The tables whose rows name a person (and carry a pseudonym)."""
    return kind, f"{kind}_rejected"


def record_columns(schema: Schema) -> list[tuple[str, str]]:
    """(name, type) of a person table: the batch, the row, the schema's fields as text, the pseudonym last (where
    ``ALTER TABLE … ADD COLUMN`` puts it in an upgraded store, so both layouts are the same)."""
    return [("batch_key", "VARCHAR"), ("row", "BIGINT"), *((f.name, "VARCHAR") for f in schema.fields),
            (PSEUDONYM, "VARCHAR")]


def stored_pseudonym_sql(prefix: str = "", *, key: str | bytes | None = None) -> str:
    """The pseudonym stored for a row whose columns are ``{prefix}id_type`` and ``{prefix}id_number``: NULL when
    either is blank — such a row names nobody, and must not share one pseudonym with every other such row."""
    id_type, id_number = f"{prefix}id_type", f"{prefix}id_number"
    return (f"CASE WHEN coalesce(trim({id_type}), '') = '' OR coalesce(trim({id_number}), '') = '' THEN NULL "
            f"ELSE {pseudonym_sql(id_type, id_number, key=key)} END")


def _layout(connection: duckdb.DuckDBPyConnection, tables: tuple[str, ...]) -> dict[str, list[str]]:
    """The columns of those of ``tables`` the store has (not temporary tables of the same names): one catalog
    query, since a page view asks it every time."""
    rows = connection.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = "
                              "current_database() AND schema_name = 'main' AND list_contains(?, table_name) "
                              "ORDER BY table_name, column_index", [list(tables)]).fetchall()
    layout: dict[str, list[str]] = {}
    for table, column in rows:
        layout.setdefault(table, []).append(column)
    return layout


def recorded_fingerprint(connection: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the key that made the stored pseudonyms (None: none recorded yet)."""
    return _fingerprint(connection, _layout(connection, (META_TABLE,)))


def _fingerprint(connection: duckdb.DuckDBPyConnection, layout: dict[str, list[str]]) -> str | None:
    if META_TABLE not in layout:
        return None
    found = connection.execute(f"SELECT value FROM {META_TABLE} WHERE name = ?", [KEY_FINGERPRINT]).fetchall()  # noqa: S608
    return str(found[0][0]) if found else None


def _record_fingerprint(connection: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    connection.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (name VARCHAR PRIMARY KEY, value VARCHAR)")
    connection.execute(f"INSERT OR REPLACE INTO {META_TABLE} VALUES (?, ?)", [KEY_FINGERPRINT, fingerprint])  # noqa: S608


def ensure_tables(connection: duckdb.DuckDBPyConnection, schema: Schema) -> None:
    """Create the kind's tables if missing, upgrade older ones (:func:`upgrade`), and refuse a store whose
    pseudonyms another key made: an import must not add pseudonyms under a second key."""
    in_transaction(connection, lambda: _create(connection, schema))
    upgrade(connection, schema)


def _create(connection: duckdb.DuckDBPyConnection, schema: Schema) -> None:
    record = ", ".join(f'"{name}" {sql_type}' for name, sql_type in record_columns(schema))
    for table in person_tables(schema.kind):
        connection.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({record})')
    issue = ", ".join(f'"{name}" {sql_type}' for name, sql_type in ISSUE_COLUMNS)
    connection.execute(f'CREATE TABLE IF NOT EXISTS "{schema.kind}_issue" (batch_key VARCHAR, {issue})')


def ready(connection: duckdb.DuckDBPyConnection, kind: str, *, check_key: bool = True,
          background: bool = False) -> bool:
    """For readers: False when nothing of ``kind`` was ever imported. Otherwise an older store is upgraded — by a
    page only if it has at most :data:`READER_UPGRADE_ROWS` rows to fill (else :class:`StoreUpgradeNeededError`),
    by a ``background`` job whatever its size — and (``check_key``) a store whose pseudonyms another key made
    raises :class:`PseudonymKeyChangedError`. Counting persons needs no key check — one key made all stored
    pseudonyms, whichever it was — finding one does."""
    layout = _layout(connection, (*person_tables(kind), META_TABLE))
    if kind not in layout:
        return False
    _bring_up_to_date(connection, SCHEMAS[kind], layout, check_key=check_key,
                      upgrade_limit=None if background else READER_UPGRADE_ROWS)
    return True


def upgrade(connection: duckdb.DuckDBPyConnection, schema: Schema, *, check_key: bool = True) -> None:
    """Bring the kind's tables to the current layout — a column the schema gained is added (NULL in the old rows),
    the pseudonym column is added and filled under the configured key (:func:`_fill_pseudonyms`) — and record the
    key's fingerprint if none is; one transaction, and nothing to do the second time (idempotent)."""
    _bring_up_to_date(connection, schema, _layout(connection, (*person_tables(schema.kind), META_TABLE)),
                      check_key=check_key)


def _bring_up_to_date(connection: duckdb.DuckDBPyConnection, schema: Schema, layout: dict[str, list[str]], *,
                      check_key: bool, upgrade_limit: int | None = None) -> None:
    missing = {table: [name for name, _type in record_columns(schema) if name not in layout[table]]
               for table in person_tables(schema.kind) if table in layout}
    recorded, current = _fingerprint(connection, layout), key_fingerprint()
    backfill = [table for table, columns in missing.items() if PSEUDONYM in columns]
    if recorded is not None and recorded != current and (check_key or backfill):
        raise PseudonymKeyChangedError  # filling pseudonyms under this key would mix two keys in one store
    if backfill and upgrade_limit is not None:
        rows = sum(_row_count(connection, table) for table in backfill)
        if rows > upgrade_limit:
            raise StoreUpgradeNeededError(rows)
    if any(missing.values()) or recorded is None:
        in_transaction(connection, lambda: _upgrade(connection, missing, backfill, recorded, current))


def _upgrade(connection: duckdb.DuckDBPyConnection, missing: dict[str, list[str]], backfill: list[str],
             recorded: str | None, current: str) -> None:
    if recorded is None:  # no fingerprint (a store older than it): the pseudonyms already stored must be this key's
        _check_sample(connection, [t for t in missing if t not in backfill])
    for table, columns in missing.items():
        for name in columns:
            if name != PSEUDONYM:
                connection.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" VARCHAR')
    for table in backfill:
        _fill_pseudonyms(connection, table)
    if recorded is None:
        _record_fingerprint(connection, current)


def _row_count(connection: duckdb.DuckDBPyConnection, table: str) -> int:
    rows, = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone() or (0,)  # noqa: S608 - our table names
    return int(rows)


def _check_sample(connection: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """Refuse when stored pseudonyms disagree with the configured key (a few rows tell: a wrong key fails all)."""
    for table in tables:
        wrong, = connection.execute(
            f"SELECT count(*) FROM (SELECT * FROM \"{table}\" WHERE {PSEUDONYM} IS NOT NULL LIMIT {SAMPLE_ROWS}) "  # noqa: S608
            f"WHERE {PSEUDONYM} IS DISTINCT FROM {stored_pseudonym_sql()}").fetchone() or (0,)
        if wrong:
            raise PseudonymKeyChangedError


def _fill_pseudonyms(connection: duckdb.DuckDBPyConnection, table: str) -> int:
    """(Re)compute the pseudonym of every row of ``table`` under the configured key, in one vectorised statement;
    returns the rows. The clean rows (``<kind>``, where persons are looked up) are rewritten in pseudonym order,
    as the import inserts them: each row group's min/max of the column then spans a sliver of the pseudonyms and a
    lookup reads one row group per batch instead of the whole column (docs/benchmarks.md); an UPDATE in place
    would leave them in the old order. ``<kind>_rejected`` (never looked up by pseudonym) is updated in place."""
    present = _layout(connection, (table,))[table]
    if table not in SCHEMAS:
        if PSEUDONYM not in present:
            connection.execute(f'ALTER TABLE "{table}" ADD COLUMN {PSEUDONYM} VARCHAR')
        changed, = connection.execute(
            f'UPDATE "{table}" SET {PSEUDONYM} = {stored_pseudonym_sql()}').fetchone() or (0,)  # noqa: S608
        return int(changed)
    columns = [name for name in present if name != PSEUDONYM]
    kept = ", ".join(f'"{name}"' for name in columns)
    connection.execute(f'CREATE TABLE "{table}__sorted" AS SELECT {kept}, {stored_pseudonym_sql()} AS {PSEUDONYM} '  # noqa: S608
                       f'FROM "{table}" ORDER BY {len(columns) + 1}')  # by position: the new value, not the old column
    connection.execute(f'DROP TABLE "{table}"')
    connection.execute(f'ALTER TABLE "{table}__sorted" RENAME TO "{table}"')
    rows, = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone() or (0,)  # noqa: S608
    return int(rows)


def in_transaction(connection: duckdb.DuckDBPyConnection, work: Callable[[], None]) -> None:
    """Run ``work`` inside a DuckDB transaction: committed if it returns, rolled back if it raises."""
    connection.execute("BEGIN TRANSACTION")
    try:
        work()
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def rekey(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Recompute every stored pseudonym under the configured key (older tables upgraded on the way) and record its
    fingerprint, inside a transaction left open for the caller to commit. Returns the rows per table."""
    connection.execute("BEGIN TRANSACTION")
    counts: dict[str, int] = {}
    for schema in SCHEMAS.values():
        layout = _layout(connection, person_tables(schema.kind))
        for table in person_tables(schema.kind):
            if table not in layout:
                continue
            for name, _type in record_columns(schema):
                if name not in layout[table] and name != PSEUDONYM:
                    connection.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" VARCHAR')
            counts[table] = _fill_pseudonyms(connection, table)
    _record_fingerprint(connection, key_fingerprint())
    return counts


@dataclass(frozen=True)
class RekeyOutcome:
    rows: dict[str, int]  # per table
    key_before: str | None  # fingerprints (None: the store recorded none)
    key_after: str

    @property
    def changed(self) -> bool:
        return self.key_before != self.key_after


def run_rekey(*, acting_user: Actor, store_path: Path | None = None) -> RekeyOutcome:
    """``edupulse basedata rekey``: every stored pseudonym recomputed under the configured key in one pass, the
    store committed as the last step of the audited ``record_rekey`` action (all or nothing)."""
    with connect(store_path) as connection:
        before = recorded_fingerprint(connection)
        try:
            outcome = RekeyOutcome(rekey(connection), before, key_fingerprint())
            record_rekey(asdict(outcome), acting_user=acting_user, commit_store=lambda: _commit(connection))
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                connection.execute("ROLLBACK")
            raise
    return outcome


def _commit(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("COMMIT")


def forget_key(connection: duckdb.DuckDBPyConnection, schema: Schema, key: str) -> None:
    """Remove the rows of ``key`` (leftovers of an import whose batch row was never committed)."""
    for table in (schema.kind, f"{schema.kind}_rejected", f"{schema.kind}_issue"):
        connection.execute(f'DELETE FROM "{table}" WHERE batch_key = ?', [key])  # noqa: S608 - our names
