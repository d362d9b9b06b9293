"""Reading base-data files (CSV, XLSX, Parquet) into DuckDB as text, in bounded memory.

Every value is loaded as TEXT. Nothing is coerced: a number typed into a spreadsheet cell stays visible
as the number it became (``5.10104201003051e+17``) and the cell is flagged, so that ``rules.py`` reports
``id_spreadsheet_mangled`` instead of guessing the lost digits. Dates from XLSX *date cells* (and only
those) become ``YYYY-MM-DD`` text, since there the spreadsheet itself says the cell is a date.

The loaded relation has the columns ``__row`` (the 1-based data row, header excluded), every field of the
schema (absent optional columns are NULL) and ``__num_<field>`` (BOOLEAN) per identifier field: the value
came from a numeric cell or column. Problems of the file as a whole (encoding, headers) raise
:class:`InputError` with a Chinese message; problems of one row (a ragged row) are :class:`ReadIssue`.
"""

from __future__ import annotations

import codecs
import csv
import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from edupulse.basedata.schemas import Schema

BATCH_ROWS = 65_536  # rows per Arrow batch: a few MB of text, so memory stays flat for any file size
SNIFF_BYTES = 1 << 20  # bytes read to decide the encoding of a CSV file
RAGGED_ROW = "ragged_row"
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xls")
PARQUET_SUFFIXES = (".parquet", ".pq")


class InputError(Exception):
    """The file cannot be read as a whole (encoding, headers, format); the message is for the user."""


@dataclass(frozen=True)
class ReadIssue:
    """A row that could not be read as a record (kept out of the checks)."""

    row: int
    rule: str
    field: str
    value: str
    message: str


@dataclass
class LoadResult:
    """What :func:`load` put into DuckDB: the row count, the format and the row-level reading issues."""

    rows: int
    file_format: str
    encoding: str = ""
    issues: list[ReadIssue] = field(default_factory=list)


def numeric_flag(name: str) -> str:
    return f"__num_{name}"


def relation_columns(schema: Schema) -> list[tuple[str, str]]:
    """The loaded relation's columns and DuckDB types, in order."""
    columns = [("__row", "BIGINT")] + [(f.name, "VARCHAR") for f in schema.fields]
    return columns + [(numeric_flag(f.name), "BOOLEAN") for f in schema.fields if f.kind == "identifier"]


# --- headers ---------------------------------------------------------------------------------------------


def map_headers(headers: Sequence[Any], schema: Schema) -> list[str]:
    """Field name per column, or :class:`InputError` naming unknown, duplicate and missing columns."""
    aliases = schema.header_aliases()
    cleaned = [str(h if h is not None else "").replace("\ufeff", "").strip() for h in headers]
    unknown = [h or _("(blank)") for h in cleaned if h not in aliases]
    mapped = [aliases.get(h, "") for h in cleaned]
    duplicate = sorted({h for h, name in zip(cleaned, mapped, strict=True) if name and mapped.count(name) > 1})
    missing = [f"{f.label}({f.name})" for f in schema.fields if f.column_required and f.name not in mapped]
    problems = []
    if unknown:
        problems.append(_("unknown columns: %(columns)s") % {"columns": "、".join(unknown)})
    if duplicate:
        problems.append(_("columns given twice: %(columns)s") % {"columns": "、".join(duplicate)})
    if missing:
        problems.append(_("missing columns: %(columns)s") % {"columns": "、".join(missing)})
    if problems:
        kind = _("student") if schema.kind == "student" else _("teacher")
        raise InputError(_("The header row does not match the %(kind)s record: %(problems)s.")
                         % {"kind": kind, "problems": "；".join(problems)})
    return mapped


# --- CSV -------------------------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (with or without a BOM) or ``gb18030`` (a superset of GBK), else :class:`InputError`."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(_("The file is UTF-16; save it as UTF-8 or GBK CSV."))
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            # final=False: the sniffed block may end inside a multi-byte character.
            decoder.decode(head, final=len(head) < SNIFF_BYTES)
        except UnicodeDecodeError:
            continue
        return encoding
    raise InputError(_("The file is neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 CSV."))


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) per row; a byte that does not decode later in the file is an :class:`InputError`."""
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        try:
            for cells in reader:
                yield reader.line_num, cells
        except UnicodeDecodeError:
            raise InputError(_("The file is not %(encoding)s text after line %(line)d; save it with one encoding.")
                             % {"encoding": encoding.upper(), "line": reader.line_num}) from None
        except csv.Error as error:
            raise InputError(_("The CSV file is malformed near line %(line)d: %(error)s")
                             % {"line": reader.line_num, "error": error}) from None


# --- XLSX ------------------------------------------------------------------------------------------------


def _cell_text(value: Any, identifier: bool) -> tuple[str | None, bool]:
    """A cell as text and whether it was a number. Integral numbers lose nothing in ``str(int(v))``
    unless they are identifiers (a lost leading zero or precision is what ``id_spreadsheet_mangled`` says)."""
    if value is None or value == "":
        return None, False
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return f"{value:.15g}", True
        if identifier and abs(value) >= 1e15:
            return f"{float(value):.15g}", True  # beyond 15 significant digits the spreadsheet kept no more
        return str(int(value)), True
    if isinstance(value, datetime.datetime):
        return (value.date().isoformat() if value.time() == datetime.time() else value.isoformat()), False
    if isinstance(value, datetime.date):
        return value.isoformat(), False
    return str(value), False


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            yield number, list(cells)
    except (OSError, ValueError) as error:  # calamine's errors for a file that is not a workbook
        raise InputError(_("Cannot read the workbook: %(error)s") % {"error": error}) from None


# --- loading ---------------------------------------------------------------------------------------------


class _BatchWriter:
    """Collects rows into Arrow batches and appends them to the DuckDB table."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, table: str, schema: Schema) -> None:
        self.connection = connection
        self.table = table
        self.columns = relation_columns(schema)
        self.buffer: dict[str, list[Any]] = {name: [] for name, _type in self.columns}
        self.rows = 0

    def add(self, values: dict[str, Any]) -> None:
        for name, column in self.buffer.items():
            column.append(values.get(name))
        self.rows += 1
        if len(self.buffer["__row"]) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.buffer["__row"]:
            return
        types = {"BIGINT": pa.int64(), "VARCHAR": pa.string(), "BOOLEAN": pa.bool_()}
        batch = pa.table({name: pa.array(self.buffer[name], type=types[sql_type]) for name, sql_type in self.columns})
        self.connection.register("__batch", batch)
        self.connection.execute(f'INSERT INTO "{self.table}" SELECT * FROM __batch')  # noqa: S608 - our names
        self.connection.unregister("__batch")
        for column in self.buffer.values():
            column.clear()


def _create_table(connection: duckdb.DuckDBPyConnection, table: str, schema: Schema) -> None:
    columns = ", ".join(f'"{name}" {sql_type}' for name, sql_type in relation_columns(schema))
    connection.execute(f'CREATE OR REPLACE TEMP TABLE "{table}" ({columns})')


def _load_rows(rows: Iterable[tuple[int, list[Any]]], schema: Schema, connection: duckdb.DuckDBPyConnection,
               table: str, text_cells: bool) -> LoadResult:
    """Header from the first non-blank row, then one record per row; ragged rows become issues."""
    _create_table(connection, table, schema)
    writer = _BatchWriter(connection, table, schema)
    identifiers = {f.name for f in schema.fields if f.kind == "identifier"}
    result = LoadResult(rows=0, file_format="")
    mapped: list[str] | None = None
    header_line = 0
    for line, cells in rows:
        if mapped is None:
            if any(str(c).strip() for c in cells if c is not None):
                mapped, header_line = map_headers(cells, schema), line
            continue
        if not any(c is not None and str(c).strip() for c in cells):
            continue  # a blank line: no record (its number still counts, as in the spreadsheet)
        row = line - header_line
        result.rows += 1
        if len(cells) != len(mapped) and not (len(cells) > len(mapped) and _blank(cells[len(mapped):])):
            result.issues.append(ReadIssue(row, RAGGED_ROW, "", "", _(
                "Row has %(found)d cells but the header has %(expected)d columns; the row was not checked.")
                % {"found": len(cells), "expected": len(mapped)}))
            continue
        values: dict[str, Any] = {"__row": row}
        for name, cell in zip(mapped, cells, strict=False):
            if text_cells:
                values[name] = cell if cell != "" else None
            else:
                values[name], numeric = _cell_text(cell, name in identifiers)
                if name in identifiers:
                    values[numeric_flag(name)] = numeric
        for name in identifiers:
            values.setdefault(numeric_flag(name), False)
        writer.add(values)
    writer.flush()
    if mapped is None:
        raise InputError(_("The file has no header row."))
    return result


def _blank(cells: Sequence[Any]) -> bool:
    return all(c is None or str(c).strip() == "" for c in cells)


def _load_parquet(path: Path, schema: Schema, connection: duckdb.DuckDBPyConnection, table: str) -> LoadResult:
    """A view over the Parquet file (DuckDB streams it; nothing is copied): every column cast to text."""
    try:
        file_schema = pq.read_schema(path)
    except (OSError, pa.ArrowInvalid) as error:
        raise InputError(_("Cannot read the Parquet file: %(error)s") % {"error": error}) from None
    mapped = map_headers(file_schema.names, schema)
    by_field = dict(zip(mapped, file_schema.names, strict=True))
    selects = ["file_row_number + 1 AS __row"]
    for spec in schema.fields:
        source = by_field.get(spec.name)
        selects.append(f'CAST("{source}" AS VARCHAR) AS "{spec.name}"' if source else f'NULL::VARCHAR AS "{spec.name}"')
    for spec in schema.fields:
        if spec.kind == "identifier":
            source = by_field.get(spec.name)
            numeric = source is not None and not (pa.types.is_string(file_schema.field(source).type)
                                                  or pa.types.is_large_string(file_schema.field(source).type))
            selects.append(f"{'TRUE' if numeric else 'FALSE'} AS {numeric_flag(spec.name)}")
    literal = str(path).replace("'", "''")
    connection.execute(f"CREATE OR REPLACE TEMP VIEW \"{table}\" AS SELECT {', '.join(selects)} "  # noqa: S608
                       f"FROM read_parquet('{literal}', file_row_number = true)")
    rows = pq.ParquetFile(path).metadata.num_rows
    return LoadResult(rows=rows, file_format="parquet")


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    raise InputError(_("Unsupported file type “%(suffix)s”: use .csv, .xlsx or .parquet.") % {"suffix": suffix})


def load(path: Path, schema: Schema, connection: duckdb.DuckDBPyConnection, table: str = "src") -> LoadResult:
    """Load ``path`` into ``table`` of ``connection`` (a temporary table, or a view over Parquet)."""
    if not path.is_file():
        raise InputError(_("No such file: %(path)s") % {"path": path})
    kind = file_format(path)
    if kind == "parquet":
        return _load_parquet(path, schema, connection, table)
    if kind == "xlsx":
        result = _load_rows(_xlsx_rows(path), schema, connection, table, text_cells=False)
        result.file_format = "xlsx"
        return result
    encoding = detect_encoding(path)
    result = _load_rows(_csv_rows(path, encoding), schema, connection, table, text_cells=True)
    result.file_format, result.encoding = "csv", encoding
    return result
