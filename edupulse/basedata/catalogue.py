"""The 数据资源目录 of the base data: datasets and fields with owner, update cycle, sharing type, GB/T 43697
grade and personal-information class, and lineage from source batches to derived tables and indicators.

The catalogue is data (``data/catalogue.yaml``), checked when loaded; the lineage adds what is recorded — the
import batches of each record kind (the user's visible ones on the page, all of them in the export) and the
indicators whose source a dataset is. :func:`dcat` is the export: JSON-LD shaped after W3C DCAT
(``dcat:Dataset`` with ``dct:title``, ``dct:publisher``, ``dcat:distribution``) with the classification as
``edupulse:classification``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext_lazy as _

from edupulse.basedata.models import ImportBatch
from edupulse.basedata.schemas import DATA_DIR, SCHEMAS
from edupulse.indicators.definitions import effective

CATALOGUE_FILE = DATA_DIR / "catalogue.yaml"
SHARING = {"unconditional": _("unconditional sharing (无条件共享)"), "conditional": _("conditional sharing (有条件共享)"),
           "none": _("not shared (不予共享)")}
GRADES = {"general": _("general data (一般数据)"), "important": _("important data (重要数据)"),
          "core": _("core data (核心数据)")}
PERSONAL = {"": _("not personal information"), "personal": _("personal information (个人信息)"),
            "sensitive": _("sensitive personal information (敏感个人信息)")}
BATCH_PREFIX = "batches:"
NAMESPACE = "https://edupulse.cn/ns/catalogue#"


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class FieldEntry:
    name: str
    label: str
    description: str
    personal: str = ""
    minors: bool = False
    sharing: str = "conditional"


@dataclass(frozen=True)
class Dataset:
    code: str
    title: str
    description: str
    owner: str
    update: str
    sharing: str
    grade: str
    personal: str
    minors: bool
    table: str
    derived_from: tuple[str, ...]
    indicator_source: str = ""
    fields: tuple[FieldEntry, ...] = field(default_factory=tuple)

    @property
    def record_kind(self) -> str:
        """The record kind whose batches feed it directly ("" when it is derived from datasets only)."""
        return next((d.removeprefix(BATCH_PREFIX) for d in self.derived_from if d.startswith(BATCH_PREFIX)), "")


def _check(value: str, allowed: dict[str, Any], where: str) -> str:
    if value not in allowed:
        raise CatalogueError(f"{where}: {value!r} is not one of {sorted(allowed)}")
    return value


def _fields(code: str, table: str, raw: dict[str, Any]) -> tuple[FieldEntry, ...]:
    schema = SCHEMAS.get(table)
    if schema is not None and set(raw) != set(schema.names):
        raise CatalogueError(f"{code}: fields {sorted(set(raw) ^ set(schema.names))} differ from the {table} schema")
    labels = {f.name: f.label for f in schema.fields} if schema is not None else {}
    return tuple(FieldEntry(name, labels.get(name, name), str(spec.get("description", "")),
                            _check(str(spec.get("personal", "")), PERSONAL, f"{code}.{name}.personal"),
                            bool(spec.get("minors", False)),
                            _check(str(spec.get("sharing", "conditional")), SHARING, f"{code}.{name}.sharing"))
                 for name, spec in raw.items())


@functools.cache
def datasets(path: Path = CATALOGUE_FILE) -> tuple[Dataset, ...]:
    """The catalogue file, checked (a wrong vocabulary value or a schema field missing raises)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = []
    for entry in raw["datasets"]:
        code = str(entry["code"])
        result.append(Dataset(
            code=code, title=str(entry["title"]), description=str(entry["description"]), owner=str(entry["owner"]),
            update=str(entry["update"]), sharing=_check(str(entry["sharing"]), SHARING, f"{code}.sharing"),
            grade=_check(str(entry["grade"]), GRADES, f"{code}.grade"),
            personal=_check(str(entry.get("personal") or ""), PERSONAL, f"{code}.personal"),
            minors=bool(entry.get("minors", False)), table=str(entry.get("table") or ""),
            derived_from=tuple(str(d) for d in entry.get("derived_from", ())),
            indicator_source=str(entry.get("indicator_source") or ""),
            fields=_fields(code, str(entry.get("table") or ""), entry.get("fields") or {})))
    codes = {d.code for d in result}
    for dataset in result:
        for parent in dataset.derived_from:
            if not parent.startswith(BATCH_PREFIX) and parent not in codes:
                raise CatalogueError(f"{dataset.code}: derived from unknown dataset {parent}")
    return tuple(result)


def get(code: str) -> Dataset | None:
    return next((d for d in datasets() if d.code == code), None)


def children(code: str) -> list[Dataset]:
    """The datasets derived from ``code``."""
    return [d for d in datasets() if code in d.derived_from]


def indicators_of(dataset: Dataset) -> list[tuple[str, str]]:
    """(code, name) of the indicators computed from the dataset (its indicator source, or a child's)."""
    sources = {d.indicator_source for d in (dataset, *children(dataset.code)) if d.indicator_source}
    return sorted((d.code, d.name) for d in effective().values() if d.source in sources)


def field_sharing(dataset_code: str) -> dict[str, FieldEntry]:
    dataset = get(dataset_code)
    return {f.name: f for f in dataset.fields} if dataset else {}


def _classification(item: Dataset | FieldEntry, grade: str) -> dict[str, Any]:
    return {"edupulse:grade": grade, "edupulse:gradeLabel": str(GRADES[grade]),
            "edupulse:personal": item.personal or None,
            "edupulse:personalLabel": str(PERSONAL[item.personal]), "edupulse:minors": item.minors,
            "edupulse:sharingType": item.sharing, "edupulse:sharingLabel": str(SHARING[item.sharing])}


def _batches(dataset: Dataset, batches: list[ImportBatch]) -> list[dict[str, Any]]:
    return [{"@type": "prov:Entity", "dct:identifier": f"batch:{b.pk}", "dct:source": b.source,
             "dct:title": b.file_name, "edupulse:sha256": b.file_sha256, "dct:issued": b.created_at.isoformat(),
             "edupulse:rows": b.rows_total} for b in batches if b.kind == dataset.record_kind]


def dcat(batches: list[ImportBatch] | None = None) -> dict[str, Any]:
    """The catalogue as DCAT-like JSON-LD; ``batches``: the import batches to name in the lineage."""
    batches = list(ImportBatch.objects.all()) if batches is None else batches
    entries = []
    for d in datasets():
        distribution = ([{"@type": "dcat:Distribution", "dct:title": f"DuckDB table {d.table}",
                          "dct:format": "DuckDB", "dcat:accessURL": f"duckdb:basedata#{d.table}"}] if d.table else
                        [{"@type": "dcat:Distribution", "dct:title": f"indicator source {d.indicator_source}",
                          "dct:format": "Apache Arrow", "dcat:accessURL": f"edupulse:indicators#{d.indicator_source}"}])
        entries.append({
            "@type": "dcat:Dataset", "dct:identifier": d.code, "dct:title": d.title, "dct:description": d.description,
            "dct:publisher": {"@type": "foaf:Agent", "foaf:name": d.owner}, "dct:accrualPeriodicity": d.update,
            "dcat:distribution": distribution, "edupulse:classification": _classification(d, d.grade),
            "prov:wasDerivedFrom": [p for p in d.derived_from if not p.startswith(BATCH_PREFIX)] + [
                b["dct:identifier"] for b in _batches(d, batches)],
            "edupulse:batches": _batches(d, batches),
            "edupulse:indicators": [code for code, _name in indicators_of(d)],
            "edupulse:fields": [{"dct:identifier": f.name, "dct:title": f.label, "dct:description": f.description,
                                 "edupulse:classification": _classification(f, d.grade)} for f in d.fields],
        })
    return {"@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
                         "foaf": "http://xmlns.com/foaf/0.1/", "prov": "http://www.w3.org/ns/prov#",
                         "edupulse": NAMESPACE},
            "@type": "dcat:Catalog", "dct:title": "教育基础数据资源目录", "dcat:dataset": entries}
