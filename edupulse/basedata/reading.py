"""Reading base-data files (CSV, XLSX, Parquet) into DuckDB as text, in bounded memory.

Every value is loaded as TEXT. Nothing is coerced: a number typed into a spreadsheet cell stays visible
as the number it became (``5.10104201003051e+17``) and the cell is flagged, so that ``rules.py`` reports
``id_spreadsheet_mangled`` instead of guessing the lost digits. Dates from XLSX *date cells* (and only
those) become ``YYYY-MM-DD`` text, since there the spreadsheet itself says the cell is a date.

The loaded relation has the columns ``__row`` (the 1-based data row, header excluded), every field of the
schema (absent optional columns are NULL) and ``__num_<field>`` (BOOLEAN) per identifier field: the value
came from a numeric cell or column. Problems of the file as a whole (encoding, headers) raise
:class:`InputError` with a Chinese message; problems of one row (a ragged row) are :class:`ReadIssue`.

CSV is read with the ``csv`` module's syntax. Text without quotes (the usual export) takes a fast path:
chunks of whole lines decoded by Python, measured by Arrow, split and inserted by DuckDB. From the first
chunk with a quote (or a lone CR, or a NUL) on, the ``csv`` module reads the rest row by row. Either way,
one record is at most :data:`MAX_RECORD_CHARS` characters, so no line or open quote can fill memory.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import io
import struct
from collections.abc import Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from edupulse.basedata.schemas import Schema

BATCH_ROWS = 65_536  # rows per Arrow batch: a few MB of text, so memory stays flat for any file size
SNIFF_BYTES = 1 << 20  # bytes read to decide the encoding of a CSV file
CHUNK_BYTES = 1 << 24  # bytes of CSV read at a time on the fast path (whole lines are loaded per chunk)
MAX_RECORD_CHARS = 65_536  # one record (line breaks included): a row is ~100; a longer one is not a record
# Rows per INSERT on the fast path (default: one INSERT per chunk). DuckDB compresses appends smaller than a
# row group (122,880 rows): 65,536 keeps the table in a quarter of the memory for twice the loading CPU time.
INSERT_ROWS = 1 << 30
FAST_CSV = True  # quote-free CSV text through DuckDB in chunks (False: every row by the csv module)
# What ``str.strip()`` removes (``str.isspace``): a cell of these alone is blank, as on the csv path.
BLANK_CHARACTERS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006" \
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = "[^," + "".join(f"\\x{{{ord(c):x}}}" for c in BLANK_CHARACTERS) + "]"  # RE2: a line that is not blank
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


class _RecordTooLongError(Exception):
    """A record went past :data:`MAX_RECORD_CHARS` (the loader turns it into an :class:`InputError`)."""


def _too_long(line: int) -> InputError:
    return InputError(_("The record that starts on line %(line)d is longer than %(limit)d characters: a quote left "
                        "open, or not a CSV file with one record per line?")
                      % {"line": line, "limit": MAX_RECORD_CHARS})


def _not_encoded(encoding: str, line: int) -> InputError:
    return InputError(_("The file is not %(encoding)s text after line %(line)d; save it with one encoding.")
                      % {"encoding": encoding.upper(), "line": line})


def _csv_rows(handle: BinaryIO, encoding: str, lines_before: int) -> Generator[tuple[int, list[str]], None, None]:
    """(line number, cells) per record of the rest of ``handle``, read by the ``csv`` module (any quoting).

    Line numbers continue from ``lines_before``. Lines are fetched through a bounded ``readline``, and the
    characters of the record being read are counted, so a line or a quoted field without end fails with
    :func:`_too_long` after at most :data:`MAX_RECORD_CHARS` characters instead of filling memory."""
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    budget = [MAX_RECORD_CHARS]  # characters the current record may still take

    def lines() -> Iterator[str]:
        while line := text.readline(budget[0] + 1):
            budget[0] -= len(line)
            if budget[0] < 0:
                raise _RecordTooLongError
            yield line

    reader = csv.reader(lines())
    record_start = 1
    try:
        for cells in reader:
            yield lines_before + reader.line_num, cells
            budget[0], record_start = MAX_RECORD_CHARS, reader.line_num + 1
    except _RecordTooLongError:
        raise _too_long(lines_before + record_start) from None
    except UnicodeDecodeError:
        raise _not_encoded(encoding, lines_before + reader.line_num) from None
    except csv.Error as error:
        raise InputError(_("The CSV file is malformed near line %(line)d: %(error)s")
                         % {"line": lines_before + reader.line_num, "error": error}) from None
    finally:
        text.detach()  # the caller owns (and closes) the binary handle


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


class _RowLoader:
    """Header from the first non-blank row, then one record per row; ragged rows become issues.

    Row numbers are line numbers minus the header's line, so blank lines (skipped) still count."""

    def __init__(self, schema: Schema, connection: duckdb.DuckDBPyConnection, table: str, text_cells: bool) -> None:
        _create_table(connection, table, schema)
        self.schema, self.connection, self.table, self.text_cells = schema, connection, table, text_cells
        self.writer = _BatchWriter(connection, table, schema)
        self.identifiers = {f.name for f in schema.fields if f.kind == "identifier"}
        self.result = LoadResult(rows=0, file_format="")
        self.mapped: list[str] | None = None
        self.header_line = 0

    def feed(self, rows: Iterable[tuple[int, list[Any]]]) -> None:
        for line, cells in rows:
            if self.mapped is None:
                if any(str(c).strip() for c in cells if c is not None):
                    self.mapped, self.header_line = map_headers(cells, self.schema), line
                continue
            if not any(c is not None and str(c).strip() for c in cells):
                continue  # a blank line: no record (its number still counts, as in the spreadsheet)
            self.record(line - self.header_line, cells, self.mapped)

    def record(self, row: int, cells: list[Any], mapped: list[str]) -> None:
        self.result.rows += 1
        if len(cells) != len(mapped) and not (len(cells) > len(mapped) and _blank(cells[len(mapped):])):
            self.ragged(row, len(cells))
            return
        values: dict[str, Any] = {"__row": row}
        for name, cell in zip(mapped, cells, strict=False):
            if self.text_cells:
                values[name] = cell if cell != "" else None
            else:
                values[name], numeric = _cell_text(cell, name in self.identifiers)
                if name in self.identifiers:
                    values[numeric_flag(name)] = numeric
        for name in self.identifiers:
            values.setdefault(numeric_flag(name), False)
        self.writer.add(values)

    def ragged(self, row: int, found: int) -> None:
        self.result.issues.append(ReadIssue(row, RAGGED_ROW, "", "", _(
            "Row has %(found)d cells but the header has %(expected)d columns; the row was not checked.")
            % {"found": found, "expected": len(self.mapped or ())}))

    def finish(self) -> LoadResult:
        self.writer.flush()
        if self.mapped is None:
            raise InputError(_("The file has no header row."))
        return self.result


def _blank(cells: Sequence[Any]) -> bool:
    return all(c is None or str(c).strip() == "" for c in cells)


# --- CSV without quotes: the fast path ----------------------------------------------------------------------


def _plain(piece: bytes) -> bool:
    """True when the ``csv`` module would read ``piece`` as plain lines split at commas: no quote, no NUL, and
    every CR part of a CRLF (a lone CR ends a record for the ``csv`` module). In GB18030 and UTF-8 these
    bytes are never part of a multi-byte character, so the test is made on the undecoded bytes."""
    if b'"' in piece or b"\0" in piece:
        return False
    return b"\r" not in piece or piece.count(b"\r") == piece.count(b"\r\n")


class _UndecodableError(Exception):
    """A byte that does not decode after line ``line`` (raised off the main thread, worded on it)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _utf8(piece: bytes, encoding: str, lines_before: int) -> bytes:
    """``piece`` as UTF-8 bytes (validated), or :class:`_UndecodableError` naming the last good line."""
    try:
        if encoding == "gb18030":
            return piece.decode(encoding).encode("utf-8")
        _one_string(piece).validate(full=True)  # Arrow's UTF-8 check, without making a Python string
        return piece
    except (UnicodeDecodeError, pa.ArrowInvalid):
        try:
            piece.decode(encoding)
        except UnicodeDecodeError as error:
            raise _UndecodableError(lines_before + piece.count(b"\n", 0, error.start)) from None
        raise


def _one_string(data: bytes) -> pa.StringArray:
    offsets = pa.py_buffer(struct.pack("<2i", 0, len(data)))
    return pa.StringArray.from_buffers(1, offsets, pa.py_buffer(data))


@dataclass
class _Decoded:
    """A chunk of whole lines, decoded and measured (off the main thread): what :class:`_PlainChunks` stores."""

    lines_before: int
    lines: pa.StringArray  # UTF-8, each line with its line break (the file's last line maybe without)
    too_long: int | None  # the index of the first line over MAX_RECORD_CHARS
    filled: pa.BooleanArray  # not blank


def _decode(piece: bytes, encoding: str, lines_before: int) -> _Decoded:
    lines = _lines(_utf8(piece, encoding, lines_before))
    lengths = pc.utf8_length(lines)
    too_long = None
    if (pc.max(lengths).as_py() or 0) > MAX_RECORD_CHARS:
        too_long = pc.indices_nonzero(pc.greater(lengths, MAX_RECORD_CHARS))[0].as_py()
    return _Decoded(lines_before, lines, too_long, pc.match_substring_regex(lines, NOT_BLANK))


class _PlainChunks:
    """Loads quote-free CSV text chunk by chunk: Python decodes, Arrow finds the lines, DuckDB inserts them.

    Each chunk is whole lines (cut after its last LF). The semantics are those of :class:`_RowLoader` with
    the ``csv`` module: the header is the first non-blank line (blank: nothing but whitespace and commas),
    a record's cells are its text between commas, empty cells are NULL, ragged rows are issues. One chunk
    is decoded on a worker thread while DuckDB (which lets go of the GIL) inserts the one before; errors
    are still raised in line order."""

    def __init__(self, loader: _RowLoader, encoding: str) -> None:
        self.loader, self.encoding = loader, encoding
        self.connection = loader.connection
        self.resume: tuple[int, int] | None = None

    def load(self, handle: BinaryIO) -> tuple[int, int] | None:
        """Load from the start of ``handle`` while the text is plain. ``None``: the whole file was loaded;
        else the byte offset and the number of lines before it where the ``csv`` module must go on."""
        encoding = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        pieces = self.pieces(handle)
        ahead: Future[_Decoded] | None = None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="csv-decode") as pool:
            while True:
                try:
                    piece, lines_before = next(pieces)
                except StopIteration:
                    break
                except InputError:
                    if ahead is not None:
                        self.store(ahead)  # the lines before the error first: they may hold an earlier one
                    raise
                following = pool.submit(_decode, piece, encoding, lines_before)
                if ahead is not None:
                    self.store(ahead)
                ahead = following
            if ahead is not None:
                self.store(ahead)
        return self.resume

    def pieces(self, handle: BinaryIO) -> Iterator[tuple[bytes, int]]:
        """(whole lines, lines before them) while the text is plain; sets :attr:`resume` where it is not."""
        offset = lines = 0
        pending = b""
        while True:
            data = handle.read(CHUNK_BYTES)
            block = pending + data if pending else data
            if not block:
                return
            cut = block.rfind(b"\n") + 1 if data else len(block)
            if cut == 0:  # no line end yet: keep reading, but not past what one record may be
                if len(block) > 4 * MAX_RECORD_CHARS:  # at most 4 bytes a character in UTF-8 and GB18030
                    raise _too_long(lines + 1)
                pending = block
                continue
            piece, pending = block[:cut], block[cut:]
            del block, data  # what is kept: the piece and the start of the next line
            if not _plain(piece):
                self.resume = offset, lines
                return
            if offset == 0 and self.encoding == "utf-8-sig" and piece.startswith(codecs.BOM_UTF8):
                piece, offset = piece[len(codecs.BOM_UTF8):], len(codecs.BOM_UTF8)
            yield piece, lines
            lines += piece.count(b"\n") + (0 if piece.endswith(b"\n") else 1)
            offset += len(piece)
            if len(pending) > 4 * MAX_RECORD_CHARS:  # the next line is already too long to be a record
                raise _too_long(lines + 1)

    def store(self, future: Future[_Decoded]) -> None:
        """Header (if not met yet) and records of a decoded chunk; its errors, in line order."""
        try:
            chunk = future.result()
        except _UndecodableError as error:
            raise _not_encoded(self.encoding, error.line) from None
        lines, filled, too_long = chunk.lines, chunk.filled, chunk.too_long
        first = 0  # the index of the first line after the header
        if self.loader.mapped is None:
            found = pc.indices_nonzero(filled)
            index = found[0].as_py() if len(found) else None
            if index is not None and (too_long is None or index < too_long):
                self.loader.mapped = map_headers(_cells(lines[index].as_py()), self.loader.schema)
                self.loader.header_line, first = chunk.lines_before + 1 + index, index + 1
                lines, filled = lines.slice(first), filled.slice(first)
        if too_long is not None:
            raise _too_long(chunk.lines_before + 1 + too_long)
        if self.loader.mapped is not None:
            self.records(lines, filled, chunk.lines_before + 1 + first - self.loader.header_line, self.loader.mapped)

    def records(self, lines: pa.StringArray, filled: pa.BooleanArray, first_row: int, mapped: list[str]) -> None:
        """Rows ``first_row``… : the filled lines with the header's cell count into DuckDB, the others looked
        at one by one (trailing blank cells are allowed, anything else is a ragged row)."""
        width = len(mapped)
        fits = pc.equal(pc.count_substring(lines, ","), width - 1)
        odd = pc.indices_nonzero(pc.and_(filled, pc.invert(fits))).to_pylist()
        self.loader.result.rows += pc.sum(filled).as_py() or 0
        good = pc.and_(filled, fits)
        extra = []
        for index in odd:  # rare: a row with too few or too many cells
            cells = _cells(lines[index].as_py())
            if len(cells) > width and _blank(cells[width:]):
                extra.append(index)
            else:
                self.loader.ragged(first_row + index, len(cells))
        if extra:
            good = pc.or_(good, pc.is_in(pa.array(range(len(lines)), pa.int64()), value_set=pa.array(extra, pa.int64())))
        rows = pc.add(pc.indices_nonzero(good).cast(pa.int64()), first_row)
        table = pa.table({"row": rows, "line": lines.filter(good)})
        sql = self.insert_sql(mapped)
        for start in range(0, table.num_rows, INSERT_ROWS):
            self.connection.register("__plain", table.slice(start, INSERT_ROWS))
            try:
                self.connection.execute(sql)
            finally:
                self.connection.unregister("__plain")

    def insert_sql(self, mapped: list[str]) -> str:
        position = {name: index + 1 for index, name in enumerate(mapped)}
        last = len(mapped)
        cells = {index: f"c[{index}]" if index < last else f"rtrim(c[{index}], chr(13) || chr(10))"
                 for index in position.values()}  # the last cell ends where the line break starts
        selects = ["row"]
        selects += [f"nullif({cells[position[f.name]]}, '')" if f.name in position else "NULL"
                    for f in self.loader.schema.fields]
        selects += ["FALSE" for f in self.loader.schema.fields if f.kind == "identifier"]
        return (f'INSERT INTO "{self.loader.table}" SELECT {", ".join(selects)} '  # noqa: S608 - our names
                "FROM (SELECT row, string_split(line, ',') AS c FROM __plain)")


def _lines(data: bytes) -> pa.StringArray:
    """The lines of UTF-8 ``data`` as an Arrow array over the same memory (line breaks kept)."""
    buffer = pa.py_buffer(data)
    newline = pa.scalar(10, pa.uint8())  # typed: an untyped 10 would widen every byte to int64 first
    ends = pc.indices_nonzero(pc.equal(pa.Array.from_buffers(pa.uint8(), len(data), [None, buffer]), newline))
    offsets = [pa.array([0], pa.int64()), pc.add(ends.cast(pa.int64()), 1)]
    if not data.endswith(b"\n"):
        offsets.append(pa.array([len(data)], pa.int64()))
    starts = pa.concat_arrays(offsets).cast(pa.int32())
    return pa.StringArray.from_buffers(len(starts) - 1, starts.buffers()[1], buffer)


def _cells(line: str) -> list[str]:
    """What the ``csv`` module makes of a plain line: its text between commas, the line break left out."""
    return line.removesuffix("\n").removesuffix("\r").split(",")


def _load_csv(path: Path, schema: Schema, connection: duckdb.DuckDBPyConnection, table: str,
              encoding: str) -> LoadResult:
    """The quote-free start of the file (usually all of it) on the fast path, the rest by the ``csv`` module."""
    loader = _RowLoader(schema, connection, table, text_cells=True)
    with path.open("rb") as handle:
        resume: tuple[int, int] | None = (0, 0)
        if FAST_CSV:
            resume = _PlainChunks(loader, encoding).load(handle)
        if resume is not None:
            offset, lines_before = resume
            handle.seek(offset)
            codec = "utf-8" if encoding == "utf-8-sig" and offset > 0 else encoding
            with contextlib.closing(_csv_rows(handle, codec, lines_before)) as rows:  # closed before the file
                loader.feed(rows)
    return loader.finish()


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
        loader = _RowLoader(schema, connection, table, text_cells=False)
        loader.feed(_xlsx_rows(path))
        result = loader.finish()
        result.file_format = "xlsx"
        return result
    encoding = detect_encoding(path)
    result = _load_csv(path, schema, connection, table, encoding)
    result.file_format, result.encoding = "csv", encoding
    return result
