"""Extracts of approved sharing requests: masked, watermarked, audited; refused once expired.

What leaves, per field (the catalogue marks the fields whose raw value is never shared, ``sharing: none``):

* ``id_number`` → ``id_pseudonym``: the keyed HMAC of (ID type, number) (``pseudonyms.py``; never a plain hash:
  the ID space is small enough to enumerate) — the pseudonym stored at import, under the same key as the record
  pages' (so an extract's person can be found on the record page by whoever may read it);
  ``student_no``/``teacher_no`` → the HMAC of the number, computed while extracting;
* ``name`` → its first character and stars (张*); ``birth_date`` and ``enrol_date`` → the year;
* every other field as stored.

The watermark names the request, the requester, the requesting unit, the time and the purpose: the first line of a
CSV (a ``#`` comment, before the header), the document properties of an XLSX (title, author, comments, keywords,
and the custom property ``share_request``). Each extract writes a read row to the audit trail (the request, the
row count, the file name — never the data).
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import xlsxwriter
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.basedata import store
from edupulse.basedata.masking import birth_year_sql, mask_name_sql
from edupulse.basedata.models import ShareRequest, ShareStatus
from edupulse.basedata.pseudonyms import pseudonym_sql
from edupulse.basedata.records import current_sql, register_live
from edupulse.basedata.schemas import SCHEMAS
from edupulse.core import audit
from edupulse.core.actors import Actor
from edupulse.core.regions import RegionCode
from edupulse.orgs.models import School

FETCH_ROWS = 65_536


def shared_column(field: str) -> tuple[str, str]:
    """(SQL expression over the current record ``c``, output column name) of a requested field."""
    column = f'c."{field}"'
    if field == "id_number":  # the pseudonym stored at import: the same key and HMAC as the record pages'
        return "c.pseudonym", "id_pseudonym"
    if field in ("student_no", "teacher_no"):
        return pseudonym_sql(f"'{field}'", column), f"{field}_pseudonym"
    if field == "name":
        return mask_name_sql(column), "name_masked"
    if field in ("birth_date", "enrol_date"):
        return birth_year_sql(column), f"{field.removesuffix('_date')}_year"
    return f"trim({column})", field


def check_downloadable(request: ShareRequest, today: datetime.date | None = None) -> None:
    """Refuse an extract of a request that is not approved, or has expired."""
    if request.status != ShareStatus.APPROVED:
        raise ValidationError(_("The sharing request is not approved."))
    if request.expires_on < (today or timezone.localdate()):
        raise ValidationError(_("The sharing request expired on %(date)s; no extract can be made.")
                              % {"date": request.expires_on.isoformat()})


def watermark(request: ShareRequest, made_at: datetime.datetime) -> str:
    return (f"共享数据 申请编号={request.pk}; 申请人={request.requester_name}; 申请单位={request.requesting_unit}; "
            f"导出时间={timezone.localtime(made_at).isoformat(timespec='seconds')}; 有效期至={request.expires_on}; "
            f"用途={request.purpose}")


def _rows(request: ShareRequest) -> tuple[list[str], Iterator[list[Any]]]:
    """The output header and the masked rows of the request's scope (streamed in batches)."""
    expressions = [shared_column(f) for f in request.fields if f in SCHEMAS[request.kind].names]
    header = [name for _sql, name in expressions]
    codes = list(School.objects.filter(**RegionCode.parse(request.region).lookup()).values_list("code", flat=True))
    present = store.store_path().exists()
    if present:  # refused (StoreRefusedError) before the output file is opened, not halfway through it
        with store.connect() as connection:
            present = store.ready(connection, request.kind)

    def generate() -> Iterator[list[Any]]:
        if not present:
            return
        with store.connect() as connection:
            register_live(connection, request.kind)
            connection.execute("CREATE OR REPLACE TEMP TABLE share_schools (code VARCHAR)")
            connection.executemany("INSERT INTO share_schools VALUES (?)", [[c] for c in codes])
            select = ", ".join(f'{sql} AS "{name}"' for sql, name in expressions)
            reader = connection.execute(
                f"SELECT {select} FROM ({current_sql(request.kind)}) c "  # noqa: S608 - our expressions
                "SEMI JOIN share_schools s ON s.code = trim(c.school_code) ORDER BY c.school_code, c.\"row\"")
            while batch := reader.fetchmany(FETCH_ROWS):
                yield from (list(row) for row in batch)

    return header, generate()


def write_extract(request: ShareRequest, out: Path, *, acting_user: Actor, today: datetime.date | None = None) -> int:
    """Write the extract to ``out`` (``.xlsx`` or CSV), audited; returns the number of rows."""
    check_downloadable(request, today)
    made_at = timezone.now()
    header, rows = _rows(request)
    mark = watermark(request, made_at)
    if out.suffix.lower() == ".xlsx":
        count = _write_xlsx(out, header, rows, request, mark)
    else:
        count = _write_csv(out, header, rows, mark)
    audit.record_read("basedata.share.extract", [request], acting_user=acting_user,
                      purpose=f"share request {request.pk}: {count} rows to {out.name}")
    return count


def _write_csv(out: Path, header: list[str], rows: Iterator[list[Any]], mark: str) -> int:
    count = 0
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(f"# {mark}\n")
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _write_xlsx(out: Path, header: list[str], rows: Iterator[list[Any]], request: ShareRequest, mark: str) -> int:
    workbook = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_numbers": False})
    workbook.set_properties({"title": f"共享数据 申请编号 {request.pk}", "author": request.requester_name,
                             "company": request.requesting_unit, "comments": mark,
                             "keywords": f"share-request-{request.pk}", "subject": request.purpose[:255]})
    workbook.set_custom_property("share_request", str(request.pk))
    sheet = workbook.add_worksheet("data")
    sheet.write_row(0, 0, header)
    count = 0
    for count, row in enumerate(rows, start=1):
        sheet.write_row(count, 0, ["" if v is None else str(v) for v in row])
    workbook.close()
    return count
