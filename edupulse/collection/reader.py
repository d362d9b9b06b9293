"""Reading uploaded files into records, without touching the database (so it can run in workers).

One upload is one or more files; a zip is expanded into its members. Each file becomes a
:class:`ParsedFile` holding its records (one per school) and its problems. Every problem is a dict in
the shape of the CLI's JSON report: ``sheet, cell, field, rule, severity, value, message``; a problem
with the whole file has ``cell`` None and a ``rule`` naming it (``corrupt_file``, ``zip_bomb`` …).

Formats: the xlsx template (vertical, one school; recognised by its hidden marker sheet), any xlsx
whose first sheet is a table with a 学校标识码 column (one row per school), and CSV in UTF-8, UTF-8
with BOM, UTF-16 (Excel's "Unicode text") or GBK/GB18030. Excel cells keep their types (python-calamine),
so a code Excel turned into a number is caught instead of silently losing digits.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import python_calamine as calamine
from django.utils.translation import gettext as _

from edupulse.collection import layout
from edupulse.collection.definitions import FieldSpec, FormSpec
from edupulse.collection.values import CellError, clean, is_blank, normalise_text, show

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
SCHOOL_CODE_RE = re.compile(r"^\d{10}$")


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_unzipped_bytes: int
    max_ratio: int
    max_files: int
    max_csv_rows: int


@dataclass
class Record:
    """One school's values from a file, with the cell each field came from."""

    school_code: str
    period: str
    values: dict[str, Any]
    explanations: dict[str, str]
    cells: dict[str, str]
    sheet: str
    school_code_cell: str = ""
    # Set by parallel workers, which validate right after parsing (see importing.parse_all).
    issues: list[dict[str, Any]] | None = None


@dataclass
class ParsedFile:
    path: str
    checksum: str = ""
    kind: str = ""  # template | table | csv
    records: list[Record] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    template_form: str = ""
    template_version: int | None = None
    template_checksum: str = ""
    template_school: str = ""
    template_period: str = ""
    grid: list[list[Any]] = field(default_factory=list)
    sheet: str = ""

    @property
    def school_code(self) -> str | None:
        codes = {r.school_code for r in self.records}
        if len(codes) == 1:
            return codes.pop()
        return self.template_school or None

    def fail(self, rule: str, message: str, *, sheet: str | None = None, cell: str | None = None,
             field_code: str | None = None, value: Any = None, severity: str = "error") -> None:
        self.errors.append({"sheet": sheet or None, "cell": cell, "field": field_code, "rule": rule, "severity": severity,
                            "value": _jsonable(value), "message": message})

    @property
    def rejected(self) -> bool:
        return any(e["severity"] == "error" for e in self.errors)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# ----------------------------------------------------------------------------------------------- inputs


def expand(name: str, data: bytes, limits: Limits) -> Iterator[tuple[str, bytes | None, dict[str, Any] | None]]:
    """Yield (path, bytes, None) for each file of an upload, or (path, None, problem) for one that cannot
    be opened (too large, a zip bomb). A zip is expanded one level; nested zips are refused."""
    if len(data) > limits.max_file_bytes:
        yield name, None, _problem("file_too_large", _("The file is %(size)s MB, larger than the limit of %(limit)s MB.")
                                   % {"size": _mb(len(data)), "limit": _mb(limits.max_file_bytes)})
        return
    if not (data.startswith(ZIP_MAGIC) and name.lower().endswith(".zip")):
        yield name, data, None
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir() and not _hidden(m.filename)]
    except (zipfile.BadZipFile, OSError, ValueError):
        yield name, None, _problem("corrupt_file", _("The zip file is damaged and cannot be opened."))
        return
    if len(members) > limits.max_files:
        yield name, None, _problem("too_many_files", _("The zip holds %(count)d files; at most %(limit)d are allowed.")
                                   % {"count": len(members), "limit": limits.max_files})
        return
    bomb = _bomb_problem(members, limits)
    if bomb:
        yield name, None, bomb
        return
    for member in members:
        path = f"{name}/{_member_name(member)}"
        if member.filename.lower().endswith(".zip"):
            yield path, None, _problem("nested_zip", _("A zip inside a zip is not accepted; unpack it first."))
            continue
        try:
            content = archive.read(member)
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
            yield path, None, _problem("corrupt_file", _("This member of the zip is damaged or encrypted."))
            continue
        yield path, content, None


def _member_name(member: zipfile.ZipInfo) -> str:
    if member.flag_bits & 0x800:
        return member.filename
    try:  # zips made on Chinese Windows store names in GBK without the UTF-8 flag
        return member.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return member.filename


def _hidden(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return name.startswith("__MACOSX/") or base.startswith(".") or base.startswith("~$")


def _bomb_problem(members: list[zipfile.ZipInfo], limits: Limits) -> dict[str, Any] | None:
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        return _problem("zip_bomb", _("Unpacked, the file would be %(size)s MB, more than the limit of %(limit)s MB.")
                        % {"size": _mb(total), "limit": _mb(limits.max_unzipped_bytes)})
    for member in members:
        if member.file_size > 1_000_000 and member.file_size > limits.max_ratio * max(member.compress_size, 1):
            return _problem("zip_bomb", _("The file is compressed %(ratio)d times, which looks like a zip bomb; "
                                          "it was not opened.") % {"ratio": member.file_size // max(member.compress_size, 1)})
    return None


def _problem(rule: str, message: str) -> dict[str, Any]:
    return {"sheet": None, "cell": None, "field": None, "rule": rule, "severity": "error", "value": None,
            "message": message}


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


# ----------------------------------------------------------------------------------------------- files


def parse_file(path: str, data: bytes, spec: FormSpec, period: str, limits: Limits) -> ParsedFile:
    """Parse one file's bytes. Never raises for bad input: problems land in ``errors``."""
    parsed = ParsedFile(path=path, checksum=hashlib.sha256(data).hexdigest())
    lower = path.lower()
    if not data:
        parsed.fail("empty_file", _("The file is empty."))
    elif data.startswith(CFB_MAGIC):
        if ENCRYPTED_MARK in data:
            parsed.fail("password_protected", _("The workbook is protected with a password to open. Remove the "
                                                "password (File › Info › Protect Workbook) and upload it again."))
        else:
            parsed.fail("unsupported_format", _("This is an old Excel 97-2003 (.xls) file. Save it as .xlsx "
                                                "(Excel Workbook) and upload it again."))
    elif data.startswith(ZIP_MAGIC):
        _parse_zip_container(parsed, data, spec, period, limits)
    elif lower.endswith((".xlsx", ".xlsm", ".xls", ".ods", ".et")):
        parsed.fail("corrupt_file", _("The file is named like a spreadsheet but is damaged or not a spreadsheet."))
    elif lower.endswith((".csv", ".txt")):
        _parse_csv(parsed, data, spec, period, limits)
    else:
        parsed.fail("unsupported_format", _("Unsupported file type. Upload the .xlsx template, a .csv file, or a "
                                            ".zip of them."))
    return parsed


def _parse_zip_container(parsed: ParsedFile, data: bytes, spec: FormSpec, period: str, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        parsed.fail("corrupt_file", _("The workbook is damaged and cannot be opened. Open it in Excel, save it "
                                      "again as .xlsx and upload it again."))
        return
    if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
        parsed.fail("unsupported_format", _("This is an OpenDocument (.ods) spreadsheet. Save it as .xlsx and upload "
                                            "it again."))
        return
    if "xl/workbook.xml" not in names:
        parsed.fail("unsupported_format", _("The file is a zip archive but not an Excel workbook. Upload .zip files "
                                            "with a .zip name."))
        return
    bomb = _bomb_problem(members, limits)
    if bomb:
        parsed.errors.append(bomb)
        return
    try:
        formulas = _formula_cells(archive)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        parsed.fail("corrupt_file", _("The workbook is damaged and cannot be opened."))
        return
    _parse_xlsx(parsed, data, spec, period, formulas)


_SHEET_RE = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL_RE = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_REL_RE2 = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_CELL_RE = re.compile(rb'<c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)


def _formula_cells(archive: zipfile.ZipFile) -> dict[str, list[str]]:
    """Sheet name → cells holding a formula. Formulas are refused: the value Excel cached may be stale
    and the statistics must hold numbers, not calculations."""
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in archive.namelist() else b""
    targets = dict(_REL_RE.findall(rels))
    targets.update({rid: target for target, rid in _REL_RE2.findall(rels)})
    found: dict[str, list[str]] = {}
    for name, rid in _SHEET_RE.findall(workbook):
        target = targets.get(rid, b"").decode()
        if not target:
            continue
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        xml = archive.read(member)
        if b"<f>" not in xml and b"<f " not in xml:  # not "<formula1>" of data validations
            continue
        cells = [ref.decode() for ref, body in _CELL_RE.findall(xml) if body and (b"<f>" in body or b"<f " in body)]
        if cells:
            found[name.decode("utf-8", "replace")] = cells
    return found


def _parse_xlsx(parsed: ParsedFile, data: bytes, spec: FormSpec, period: str,
                formulas: dict[str, list[str]]) -> None:
    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
        if layout.META_SHEET in names:
            meta_rows = workbook.get_sheet_by_name(layout.META_SHEET).to_python(skip_empty_area=False)
            sheet_name = layout.DATA_SHEET if layout.DATA_SHEET in names else names[0]
        else:
            meta_rows = None
            sheet_name = next((m.name for m in workbook.sheets_metadata
                               if m.visible == calamine.SheetVisibleEnum.Visible), names[0])
        sheet = workbook.get_sheet_by_name(sheet_name)
        rows = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        if type(exc).__name__ == "PasswordError":
            parsed.fail("password_protected", _("The workbook is protected with a password to open. Remove the "
                                                "password and upload it again."))
        else:
            parsed.fail("corrupt_file", _("The workbook is damaged and cannot be read (%(detail)s). Open it in Excel, "
                                          "save it again as .xlsx and upload it again.") % {"detail": type(exc).__name__})
        return
    parsed.sheet = sheet_name
    parsed.grid = rows
    for cell in formulas.get(sheet_name, []):
        parsed.fail("formula", _("Cell %(cell)s holds a formula. Enter the number itself (copy, then Paste Values)."
                                 ) % {"cell": cell}, sheet=sheet_name, cell=cell)
    for (r1, c1), (r2, c2) in merged:
        ref = f"{layout.cell_name(r1, c1)}:{layout.cell_name(r2, c2)}"
        parsed.fail("merged_cells", _("Cells %(range)s are merged. Unmerge them: every value needs its own cell.")
                    % {"range": ref}, sheet=sheet_name, cell=layout.cell_name(r1, c1))
    if meta_rows is not None:
        _parse_template(parsed, rows, meta_rows, spec, period)
    else:
        _parse_table(parsed, rows, spec, period, typed=True, sheet=sheet_name, first_row=0)


def _cell(rows: list[list[Any]], row: int, col: int) -> Any:
    if row < len(rows) and col < len(rows[row]):
        return rows[row][col]
    return None


def _parse_template(parsed: ParsedFile, rows: list[list[Any]], meta_rows: list[list[Any]], spec: FormSpec,
                    period: str) -> None:
    sheet = parsed.sheet
    meta = {str(r[0]): r[1] for r in meta_rows if len(r) >= 2 and r[0] != ""}
    if meta.get(layout.META_MARKER) != layout.LAYOUT_VERSION:
        parsed.fail("wrong_template", _("This workbook was not made from an EduPulse template. Download the template "
                                        "and enter the data there."))
        return
    parsed.kind = "template"
    parsed.template_form = str(meta.get("form", ""))
    try:
        parsed.template_version = int(float(meta.get("version", 0)))
    except (TypeError, ValueError):
        parsed.template_version = None
    parsed.template_checksum = str(meta.get("checksum", ""))
    parsed.template_school = str(meta.get("school_code", ""))
    parsed.template_period = str(meta.get("period", ""))
    if parsed.template_form != spec.code:
        parsed.fail("wrong_form", _("This template is for the form “%(found)s”, not “%(expected)s”.")
                    % {"found": parsed.template_form, "expected": spec.code})
        return
    if parsed.template_version == spec.version and parsed.template_checksum != spec.checksum():
        parsed.fail("old_template_version",
                    _("This template was made before the form was last changed. Download the current template and "
                      "copy your figures into it."))
        return
    if parsed.template_version != spec.version:
        parsed.fail("old_template_version",
                    _("This template is version %(found)s of the form; the current version is %(current)s. Download "
                      "the current template and copy your figures into it.")
                    % {"found": parsed.template_version, "current": spec.version})
        return
    if parsed.template_period != period:
        parsed.fail("wrong_period", _("This template is for the period %(found)s, but you are importing %(expected)s.")
                    % {"found": parsed.template_period, "expected": period}, sheet=sheet,
                    cell=layout.cell_name(*layout.PERIOD_CELL), value=parsed.template_period)
        return
    raw_code = _cell(rows, *layout.SCHOOL_CODE_CELL)
    code_cell = layout.cell_name(*layout.SCHOOL_CODE_CELL)
    school_code = _school_code(parsed, raw_code, typed=True, sheet=sheet, cell=code_cell)
    if school_code and school_code != parsed.template_school:
        parsed.fail("school_mismatch", _("The school code %(found)s in %(cell)s differs from the school this template "
                                         "was made for (%(expected)s). Each school must use its own template.")
                    % {"found": school_code, "cell": code_cell, "expected": parsed.template_school}, sheet=sheet,
                    cell=code_cell, value=school_code)
    values: dict[str, Any] = {}
    explanations: dict[str, str] = {}
    cells: dict[str, str] = {}
    seen_rows: dict[str, int] = {}
    fields = spec.fields_by_code
    for index in range(layout.FIRST_DATA_ROW, len(rows)):
        row = rows[index]
        code = normalise_text(str(_cell(rows, index, layout.COL_CODE) or ""))
        if not code:
            if any(not is_blank(v) for v in row):
                parsed.fail("unknown_field", _("Row %(row)d has values but no field code in column B; do not insert "
                                               "rows into the template.") % {"row": index + 1}, sheet=sheet,
                            cell=layout.cell_name(index, layout.COL_CODE))
            continue
        value_cell = layout.cell_name(index, layout.COL_VALUE)
        if code not in fields:
            parsed.fail("unknown_field", _("Row %(row)d has the unknown field code “%(code)s”.")
                        % {"row": index + 1, "code": code}, sheet=sheet, cell=layout.cell_name(index, layout.COL_CODE),
                        value=code)
            continue
        if code in seen_rows:
            parsed.fail("duplicate_row", _("The field “%(label)s” appears twice (rows %(first)d and %(second)d).")
                        % {"label": fields[code].label, "first": seen_rows[code] + 1, "second": index + 1},
                        sheet=sheet, cell=value_cell, field_code=code)
            continue
        seen_rows[code] = index
        cells[code] = value_cell
        raw = _cell(rows, index, layout.COL_VALUE)
        _clean_into(parsed, fields[code], raw, values, typed=True, sheet=sheet, cell=value_cell)
        note = _cell(rows, index, layout.COL_EXPLANATION)
        if not is_blank(note):
            explanations[code] = show(note).strip()
    missing = [f.label for f in spec.fields if f.code not in seen_rows]
    if missing:
        parsed.fail("missing_field", _("The template's rows were changed: missing %(fields)s. Download a fresh "
                                       "template.") % {"fields": "、".join(missing)}, sheet=sheet)
    if school_code:
        parsed.records.append(Record(school_code, period, values, explanations, cells, sheet, code_cell))


def _school_code(parsed: ParsedFile, raw: Any, *, typed: bool, sheet: str, cell: str) -> str:
    if is_blank(raw):
        parsed.fail("bad_school_code", _("The school identification code is empty."), sheet=sheet, cell=cell)
        return ""
    if typed and isinstance(raw, int | float) and not isinstance(raw, bool):
        parsed.fail("school_code_number",
                    _("The school identification code was stored by Excel as the number %(value)s. Format the cell as "
                      "text and type the 10-digit code again.") % {"value": show(raw)}, sheet=sheet, cell=cell,
                    value=show(raw))
        return ""
    text = normalise_text(str(raw))
    if SCHOOL_CODE_RE.match(text):
        return text
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", text):
        message = _("The school identification code “%(value)s” was turned into scientific notation by Excel; the "
                    "digits are lost. Format the column as text and type the codes again.") % {"value": text}
    elif text.isdigit() and len(text) < 10:
        message = _("The school identification code “%(value)s” has %(count)d digits instead of 10; leading zeros or "
                    "digits may have been lost.") % {"value": text, "count": len(text)}
    else:
        message = _("“%(value)s” is not a 10-digit school identification code.") % {"value": text}
    parsed.fail("bad_school_code", message, sheet=sheet, cell=cell, value=text)
    return ""


def _clean_into(parsed: ParsedFile, field_spec: FieldSpec, raw: Any, values: dict[str, Any], *, typed: bool,
                sheet: str, cell: str) -> None:
    try:
        values[field_spec.code] = clean(field_spec, raw, typed=typed)
    except CellError as problem:
        parsed.fail(problem.rule, problem.message, sheet=sheet, cell=cell, field_code=field_spec.code,
                    value=show(raw) if raw is not None else None)


def _header_key(text: str, spec: FormSpec) -> str | None:
    """Map a column header to a field code: the code itself, the label, or 'label（unit）'."""
    plain = normalise_text(text)
    if plain in spec.fields_by_code:
        return plain
    stripped = re.sub(r"[(（].*?[)）]$", "", plain).strip()
    for f in spec.fields:
        if plain == f.label or stripped == f.label:
            return f.code
    return None


def _parse_table(parsed: ParsedFile, rows: list[list[Any]], spec: FormSpec, period: str, *, typed: bool,
                 sheet: str, first_row: int) -> None:
    """One row per school; the header row is the first row with a 学校标识码 column."""
    parsed.kind = parsed.kind or "table"
    header_index = next((i for i, row in enumerate(rows[:20])
                         if any(normalise_text(str(v)) in layout.SCHOOL_CODE_HEADERS for v in row)), None)
    if header_index is None:
        parsed.fail("wrong_template", _("No column “学校标识码” was found. Use the EduPulse template, or a table with a "
                                        "header row holding 学校标识码 and the field names."), sheet=sheet or None)
        return
    header = [normalise_text(str(v)) for v in rows[header_index]]
    columns: dict[int, str] = {}
    code_col = period_col = note_col = None
    for col, title in enumerate(header):
        if not title:
            continue
        if title in layout.SCHOOL_CODE_HEADERS:
            code_col = col
        elif title in layout.PERIOD_HEADERS:
            period_col = col
        elif title in layout.EXPLANATION_HEADERS:
            note_col = col
        elif title in layout.SCHOOL_NAME_HEADERS:
            continue
        else:
            key = _header_key(title, spec)
            if key is None:
                parsed.fail("unknown_column", _("The column “%(title)s” is not a field of this form.")
                            % {"title": title}, sheet=sheet or None, cell=layout.cell_name(header_index + first_row, col))
            elif key in columns.values():
                parsed.fail("duplicate_column", _("The field “%(label)s” has two columns.")
                            % {"label": spec.field(key).label}, sheet=sheet or None,
                            cell=layout.cell_name(header_index + first_row, col))
            else:
                columns[col] = key
    missing = [f.label for f in spec.fields if f.code not in columns.values()]
    if missing:
        parsed.fail("missing_field", _("Columns are missing for: %(fields)s.") % {"fields": "、".join(missing)},
                    sheet=sheet or None)
    seen: dict[str, int] = {}
    assert code_col is not None
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if all(is_blank(v) for v in row):
            continue
        excel_row = index + first_row
        code_ref = layout.cell_name(excel_row, code_col)
        school_code = _school_code(parsed, _cell(rows, index, code_col), typed=typed, sheet=sheet or "", cell=code_ref)
        if school_code and school_code in seen:
            parsed.fail("duplicate_row", _("School %(code)s appears twice (rows %(first)d and %(second)d).")
                        % {"code": school_code, "first": seen[school_code] + 1, "second": excel_row + 1},
                        sheet=sheet or None, cell=code_ref, value=school_code)
            continue
        if school_code:
            seen[school_code] = excel_row
        row_period = period
        if period_col is not None and not is_blank(_cell(rows, index, period_col)):
            row_period = normalise_text(show(_cell(rows, index, period_col)))
            if row_period != period:
                parsed.fail("wrong_period", _("Row %(row)d is for the period %(found)s, but you are importing "
                                              "%(expected)s.") % {"row": excel_row + 1, "found": row_period,
                                                                  "expected": period},
                            sheet=sheet or None, cell=layout.cell_name(excel_row, period_col), value=row_period)
        values: dict[str, Any] = {}
        cells: dict[str, str] = {}
        for col, key in columns.items():
            ref = layout.cell_name(excel_row, col)
            cells[key] = ref
            _clean_into(parsed, spec.field(key), _cell(rows, index, col), values, typed=typed, sheet=sheet or "",
                        cell=ref)
        explanations: dict[str, str] = {}
        if note_col is not None and not is_blank(_cell(rows, index, note_col)):
            explanations["*"] = show(_cell(rows, index, note_col)).strip()
        if school_code:
            parsed.records.append(Record(school_code, period, values, explanations, cells, sheet, code_ref))
    if not parsed.records and not parsed.errors:
        parsed.fail("empty_file", _("The table has a header but no rows of data."), sheet=sheet or None)


# ----------------------------------------------------------------------------------------------- CSV


def decode_text(data: bytes) -> tuple[str | None, str, dict[str, Any] | None]:
    """Decode CSV bytes strictly: (text, encoding, problem). Mixed encodings are refused, not guessed."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", None
        except UnicodeDecodeError as exc:
            return None, "", _mixed(data[3:], exc)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", None
        except UnicodeDecodeError:
            return None, "", _problem("bad_encoding", _("The file says it is UTF-16 but is not valid UTF-16."))
    try:
        return data.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError as exc:
        utf8_error = exc
    lines = data.split(b"\n")
    utf8_lines = [i for i, line in enumerate(lines, 1) if not line.isascii() and _is_utf8(line)]
    if utf8_lines:
        return None, "", _mixed(data, utf8_error)
    try:
        return data.decode("gb18030"), "gb18030", None
    except UnicodeDecodeError:
        return None, "", _problem("bad_encoding", _("The file is neither UTF-8 nor GBK/GB18030 text. Save it from Excel "
                                                    "as “CSV UTF-8” and upload it again."))


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _mixed(data: bytes, exc: UnicodeDecodeError) -> dict[str, Any]:
    line = data[: exc.start].count(b"\n") + 1
    return _problem("mixed_encoding", _("The file mixes text encodings: it is UTF-8, but line %(line)d is not (it "
                                        "looks like GBK). Save the whole file once as “CSV UTF-8” and upload it "
                                        "again.") % {"line": line})


def _parse_csv(parsed: ParsedFile, data: bytes, spec: FormSpec, period: str, limits: Limits) -> None:
    parsed.kind = "csv"
    text, _encoding, problem = decode_text(data)
    if problem is not None or text is None:
        parsed.errors.append(problem or _problem("bad_encoding", _("The file cannot be decoded.")))
        return
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        rows: list[list[Any]] = []
        for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
            if number > limits.max_csv_rows:
                parsed.fail("too_many_rows", _("The file has more than %(limit)d rows.") % {"limit": limits.max_csv_rows})
                return
            rows.append(row)
    except csv.Error as exc:
        parsed.fail("corrupt_file", _("The CSV file cannot be read: %(detail)s") % {"detail": exc})
        return
    parsed.grid = rows
    _parse_table(parsed, rows, spec, period, typed=False, sheet="", first_row=0)
