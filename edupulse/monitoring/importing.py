"""Excel/CSV import of the registry (websites, information systems, education apps).

The file is read with python-calamine (XLSX, XLS, ODS) or the csv module, every row is validated
(model validation, owner lookup, scope) and every problem is reported with its row and column in the
user's language; only a file without problems is written, in one transaction, through
:func:`monitoring.actions.import_assets`. Headers may be given in Chinese or English — the headers of
the list exports are accepted, so an exported file can be edited and imported back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from python_calamine import CalamineWorkbook

from edupulse.core.permissions import can
from edupulse.monitoring.grading import HarmDegree, HarmObject
from edupulse.monitoring.models import EducationApp, InformationSystem, Website
from edupulse.monitoring.models.registry import AppPlatform, AppStatus, AssessmentResult, WebsiteCategory
from edupulse.orgs.models import Region, School

MAX_ROWS = 20000
TRUE_WORDS = {"是", "yes", "true", "1", "y", "√"}
FALSE_WORDS = {"否", "no", "false", "0", "n", "", "×"}


class ImportFileError(ValueError):
    """The file cannot be read at all (wrong format, no header, too many rows)."""


@dataclass(frozen=True)
class Column:
    field: str
    header: Promise
    kind: str = "text"  # text | code | number-text | choice | date | bool | urls
    required: bool = False
    choices: type[models.Choices] | None = None


OWNER_COLUMNS = (
    Column("_school", pgettext_lazy("asset column", "Owner school code"), "code"),
    Column("_region", pgettext_lazy("asset column", "Owner bureau region code"), "code"),
)


@dataclass(frozen=True)
class Spec:
    model: type[models.Model]
    columns: tuple[Column, ...]


SPECS: dict[str, Spec] = {
    "website": Spec(
        Website,
        (
            Column("url", pgettext_lazy("asset column", "URL"), required=True),
            Column("name", pgettext_lazy("asset column", "Name"), required=True),
            Column("category", pgettext_lazy("asset column", "Category"), "choice", True, WebsiteCategory),
            *OWNER_COLUMNS,
            Column("contact_name", pgettext_lazy("asset column", "Contact person")),
            Column("contact_phone", pgettext_lazy("asset column", "Contact phone"), "number-text"),
            Column("icp_number", pgettext_lazy("asset column", "ICP filing number")),
        ),
    ),
    "system": Spec(
        InformationSystem,
        (
            Column("name", pgettext_lazy("asset column", "Name"), required=True),
            *OWNER_COLUMNS,
            Column(
                "info_harm_object",
                pgettext_lazy("asset column", "Business information: object harmed"),
                "choice",
                True,
                HarmObject,
            ),
            Column(
                "info_harm_degree",
                pgettext_lazy("asset column", "Business information: degree of harm"),
                "choice",
                True,
                HarmDegree,
            ),
            Column(
                "service_harm_object", pgettext_lazy("asset column", "System service: object harmed"), "choice", True, HarmObject
            ),
            Column(
                "service_harm_degree", pgettext_lazy("asset column", "System service: degree of harm"), "choice", True, HarmDegree
            ),
            Column("filing_number", pgettext_lazy("asset column", "Filing number"), "number-text"),
            Column("filing_date", pgettext_lazy("asset column", "Filing date"), "date"),
            Column("last_assessment_date", pgettext_lazy("asset column", "Last assessment date"), "date"),
            Column(
                "last_assessment_result",
                pgettext_lazy("asset column", "Last assessment result"),
                "choice",
                False,
                AssessmentResult,
            ),
            Column("is_cii", pgettext_lazy("asset column", "Critical information infrastructure"), "bool"),
            Column("_websites", pgettext_lazy("asset column", "Linked URLs"), "urls"),
        ),
    ),
    "app": Spec(
        EducationApp,
        (
            Column("name", pgettext_lazy("asset column", "Name"), required=True),
            *OWNER_COLUMNS,
            Column("platform", pgettext_lazy("asset column", "Platform"), "choice", True, AppPlatform),
            Column("provider", pgettext_lazy("asset column", "Provider"), required=True),
            Column("filing_number", pgettext_lazy("asset column", "Filing number")),
            Column("status", pgettext_lazy("asset column", "Filing status"), "choice", True, AppStatus),
            Column("status_date", pgettext_lazy("asset column", "Status date"), "date"),
        ),
    ),
}


@dataclass
class ImportReport:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _both_languages(text: Promise | str) -> set[str]:
    names = set()
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.add(str(text).strip().lower())
    return names


def _choice_lookup(choices: type[models.Choices]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        lookup[str(value).lower()] = str(value)
        for name in _both_languages(label):
            lookup[name] = str(value)
    return lookup


def read_table(content: bytes, filename: str) -> list[list[Any]]:
    """All rows of the first sheet (XLSX/XLS/ODS via calamine) or of a CSV file (UTF-8, with or
    without BOM, or GB18030 as saved by Excel on Chinese Windows)."""
    name = filename.lower()
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text."))
        return [list(r) for r in csv.reader(io.StringIO(text))]
    if name.endswith((".xlsx", ".xls", ".xlsm", ".ods")):
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
            return [list(r) for r in workbook.get_sheet_by_index(0).to_python(skip_empty_area=True)]
        except Exception as exc:  # calamine raises its own error types for damaged files
            raise ImportFileError(_("The spreadsheet cannot be read: %(error)s") % {"error": exc}) from None
    raise ImportFileError(_("Upload an Excel (.xlsx, .xls, .ods) or CSV file."))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell(column: Column, value: Any, choice_maps: dict[str, dict[str, str]]) -> Any:
    """Convert one cell; raises ValueError with a user message."""
    if column.kind == "number-text" and isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(
            _("This cell is a number, so leading zeros may already be lost; format the column as text and enter the value again.")
        )
    if column.kind == "date":
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value).replace("/", "-").replace(".", "-")
        try:
            return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
        except ValueError:
            raise ValueError(_("Enter a date such as 2024-05-31.")) from None
    text = _text(value)
    if column.kind == "choice":
        if not text:
            return ""
        mapped = choice_maps[column.field].get(text.lower())
        if mapped is None:
            assert column.choices is not None
            labels = "、".join(str(label) for label in column.choices.labels)
            raise ValueError(_("Unknown value “%(value)s”; use one of: %(labels)s.") % {"value": text, "labels": labels})
        return mapped
    if column.kind == "bool":
        if text.lower() in TRUE_WORDS:
            return True
        if text.lower() in FALSE_WORDS:
            return False
        raise ValueError(_("Enter 是 or 否."))
    if column.kind == "urls":
        return [u.strip() for u in text.replace("；", ";").replace(",", ";").split(";") if u.strip()]
    return text


def parse(kind: str, content: bytes, filename: str, *, user: Any) -> ImportReport:
    """Validate a whole file for ``kind``; the report has either rows ready to import or errors."""
    spec = SPECS[kind]
    table = read_table(content, filename)
    table = [r for r in table if any(_text(c) for c in r)]
    if not table:
        raise ImportFileError(_("The file is empty."))
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(_("At most %(n)d rows can be imported at once.") % {"n": MAX_ROWS})
    header_index: dict[str, int] = {}
    wanted = {name: column for column in spec.columns for name in _both_languages(column.header)}
    for index, title in enumerate(table[0]):
        column = wanted.get(_text(title).lower())
        if column is not None:
            header_index[column.field] = index
    report = ImportReport()
    missing = [str(c.header) for c in spec.columns if c.required and c.field not in header_index]
    if missing:
        report.errors.append(
            {"row": 1, "column": "", "message": _("Missing columns: %(names)s.") % {"names": "、".join(missing)}}
        )
        return report
    choice_maps = {c.field: _choice_lookup(c.choices) for c in spec.columns if c.choices is not None}
    schools = _lookup_map(School, "code", table, header_index.get("_school"))
    regions = _lookup_map(Region, "code", table, header_index.get("_region"))
    seen_urls: set[str] = set()
    for number, raw in enumerate(table[1:], start=2):

        def error(column: Column | None, message: str, number: int = number) -> None:
            report.errors.append({"row": number, "column": str(column.header) if column else "", "message": message})

        values: dict[str, Any] = {}
        for column in spec.columns:
            position = header_index.get(column.field)
            value = raw[position] if position is not None and position < len(raw) else None
            try:
                values[column.field] = _cell(column, value, choice_maps)
            except ValueError as exc:
                error(column, str(exc))
        if any(e["row"] == number for e in report.errors):
            continue
        row = _resolve_owner(values, schools, regions, spec, error)
        if row is None:
            continue
        links = row.pop("_websites", None)
        if links is not None:
            sites = list(Website.objects.visible_to(user).filter(url__in=links))
            unknown = sorted(set(links) - {s.url for s in sites})
            if unknown:
                error(
                    _column(spec, "_websites"),
                    _("These URLs are not registered in your area: %(urls)s") % {"urls": "; ".join(unknown)},
                )
                continue
            row["_websites"] = sites
        if kind == "website":
            if row["url"] in seen_urls:
                error(_column(spec, "url"), _("This URL appears twice in the file."))
                continue
            seen_urls.add(row["url"])
        _validate(spec, row, user, error)
        report.rows.append(row)
    if report.errors:
        report.rows = []
    return report


def _column(spec: Spec, name: str) -> Column:
    return next(c for c in spec.columns if c.field == name)


def _lookup_map(model: type[models.Model], key: str, table: list[list[Any]], index: int | None) -> dict[str, Any]:
    if index is None:
        return {}
    keys = {_text(r[index]) for r in table[1:] if index < len(r) and _text(r[index])}
    return {getattr(o, key): o for o in model._default_manager.filter(**{f"{key}__in": keys})}


def _resolve_owner(
    values: dict[str, Any], schools: dict[str, Any], regions: dict[str, Any], spec: Spec, error: Callable[..., None]
) -> dict[str, Any] | None:
    school_code, region_code = values.pop("_school"), values.pop("_region")
    if bool(school_code) == bool(region_code):
        error(_column(spec, "_school"), _("Give either the owner school code or the owner bureau region code."))
        return None
    if school_code:
        school = schools.get(school_code)
        if school is None:
            error(_column(spec, "_school"), _("There is no school with code %(code)s.") % {"code": school_code})
            return None
        values["school"] = school
    else:
        region = regions.get(region_code)
        if region is None:
            error(_column(spec, "_region"), _("There is no region with code %(code)s.") % {"code": region_code})
            return None
        values["owner_region"] = region
    return values


def _validate(spec: Spec, row: dict[str, Any], user: Any, error: Callable[..., None]) -> None:
    instance = spec.model(**{k: v for k, v in row.items() if not k.startswith("_")})
    try:
        instance.full_clean()
    except ValidationError as exc:
        labels = {c.field: c for c in spec.columns}
        for name, messages in exc.message_dict.items():
            column = labels.get(name) or (labels["_school"] if name in {"school", "owner_region"} else None)
            for message in messages:
                error(column, message)
        return
    if user is not None and not can(user, "add", instance):
        error(_column(spec, "_school"), _("This owner is outside your area."))
