"""Writing and verifying the audit trail.

Only :func:`record` and :func:`record_read` create rows; actions call them inside their transaction,
so a write and its audit row commit or roll back together. Each row's ``entry_hash`` is
HMAC-SHA256(AUDIT_KEY, previous hash + canonical JSON of the row), so editing, inserting or deleting a
row in the middle of the trail by hand is found by :func:`verify`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from edupulse.core import context
from edupulse.core.actors import require_actor
from edupulse.core.models import AuditLog
from edupulse.core.regions import RegionCode
from edupulse.core.scoping import _resolve, spec_for

if TYPE_CHECKING:
    from edupulse.core.actors import Actor

GENESIS = "0" * 64
_PG_LOCK_KEY = 7_243_118  # arbitrary constant: serialises appends to the chain on PostgreSQL
MASK = "***"


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The concrete field values of ``instance`` as JSON, with secrets left out and personal data masked."""
    excluded: set[str] = set(getattr(instance, "audit_exclude", ())) | {"password"}
    masked: set[str] = set(getattr(instance, "audit_mask", ()))
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in excluded:
            continue
        value = getattr(instance, field.attname)
        data[field.attname] = MASK if field.name in masked and value else value
    return _jsonable(data)


@dataclass(frozen=True)
class Placement:
    """Where an audited object sits; copied onto its audit rows so that officers see their area's trail."""

    province_code: str = ""
    prefecture_code: str = ""
    county_code: str = ""
    school_id: int | None = None

    @classmethod
    def of(cls, region: RegionCode | str | None, school_id: int | None = None) -> Placement:
        """The placement of an object in ``region`` (None or "": nowhere in particular)."""
        code = RegionCode.parse_optional(region)
        return cls(*code.placement, school_id=school_id) if code is not None else cls(school_id=school_id)


def placement_of(instance: models.Model | None) -> Placement:
    """Where an object sits in the org hierarchy, from its ``org_placement()`` or its scope spec."""
    if instance is None:
        return Placement()
    custom = getattr(instance, "org_placement", None)
    if callable(custom):
        result: Placement = custom()
        return result
    spec = spec_for(type(instance))
    if spec is None or spec.public:
        return Placement()

    def get(lookup: str) -> Any:
        return _resolve(instance, lookup) if lookup else None

    return Placement(
        province_code=str(get(spec.province) or ""),
        prefecture_code=str(get(spec.prefecture) or ""),
        county_code=str(get(spec.county) or ""),
        school_id=get(spec.school),
    )


def _payload(row: AuditLog) -> bytes:
    created = row.created_at.astimezone(UTC).isoformat()
    fields = {
        "sequence": row.sequence,
        "created_at": created,
        "kind": row.kind,
        "action": row.action,
        "actor_id": row.actor_id,
        "actor_username": row.actor_username,
        "source": row.source,
        "address": row.address,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "object_repr": row.object_repr,
        "before": row.before,
        "after": row.after,
        "province_code": row.province_code,
        "prefecture_code": row.prefecture_code,
        "county_code": row.county_code,
        "school_id": row.school_id,
        "previous_hash": row.previous_hash,
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _hash(row: AuditLog) -> str:
    return hmac.new(settings.AUDIT_KEY.encode(), _payload(row), hashlib.sha256).hexdigest()


def _append(row: AuditLog) -> AuditLog:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    last = AuditLog.objects.order_by("-sequence").values_list("sequence", "entry_hash").first()
    row.sequence, row.previous_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    row.created_at = timezone.now()
    row.entry_hash = _hash(row)
    row.save()
    return row


def record_many(
    action: str,
    instances: list[models.Model],
    *,
    acting_user: Actor,
) -> int:
    """Append one 'create' row per instance in one pass (bulk imports); same chain, same rows."""
    if not instances:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    last = AuditLog.objects.order_by("-sequence").values_list("sequence", "entry_hash").first()
    sequence, previous = (last[0], last[1]) if last else (0, GENESIS)
    ctx = context.current()
    now = timezone.now()
    actor = _actor_fields(acting_user)
    rows = []
    for instance in instances:
        place = placement_of(instance)
        sequence += 1
        row = AuditLog(
            sequence=sequence, created_at=now, kind=AuditLog.KIND_WRITE, action=action, source=ctx.source,
            address=ctx.address, object_type=f"{instance._meta.app_label}.{instance._meta.model_name}",
            object_id=str(instance.pk or ""), object_repr=str(instance)[:255], before=None,
            after=snapshot(instance), province_code=place.province_code, prefecture_code=place.prefecture_code,
            county_code=place.county_code, school_id=place.school_id, previous_hash=previous, **actor,
        )
        row.entry_hash = _hash(row)
        previous = row.entry_hash
        rows.append(row)
    if connection.vendor == "postgresql":
        _copy_rows(rows)
    else:
        AuditLog.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


_COPY_FIELDS = [f for f in AuditLog._meta.concrete_fields if not f.primary_key]


def _copy_rows(rows: list[AuditLog]) -> None:
    """Bulk insert with PostgreSQL's COPY: Django's bulk_create sends arrays that psycopg quotes element by
    element in Python, which made 25,000 audit rows cost seconds of client CPU."""
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _COPY_FIELDS)
    table = connection.ops.quote_name(AuditLog._meta.db_table)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor behind Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([
                    json.dumps(getattr(row, f.attname), ensure_ascii=False)
                    if isinstance(f, models.JSONField) and getattr(row, f.attname) is not None
                    else getattr(row, f.attname)
                    for f in _COPY_FIELDS
                ])


def _actor_fields(acting_user: Actor) -> dict[str, Any]:
    """The actor columns of a row: the user's id and name, or no id and ``system`` for the platform."""
    require_actor(acting_user, "audit.record")
    return {"actor_id": acting_user.pk, "actor_username": acting_user.get_username()}


def record(
    action: str,
    instance: models.Model | None,
    *,
    acting_user: Actor,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditLog:
    """Append one write to the trail. Call it inside the action's transaction."""
    ctx = context.current()
    place = placement_of(instance)
    if instance is not None:
        object_type = object_type or f"{instance._meta.app_label}.{instance._meta.model_name}"
        object_id = object_id or str(instance.pk or "")
        object_repr = object_repr or str(instance)[:255]
    row = AuditLog(
        kind=AuditLog.KIND_WRITE,
        action=action,
        source=ctx.source,
        address=ctx.address,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        province_code=place.province_code,
        prefecture_code=place.prefecture_code,
        county_code=place.county_code,
        school_id=place.school_id,
        **_actor_fields(acting_user),
    )
    return _append(row)


def record_read(
    action: str,
    objects: Iterable[models.Model],
    *,
    acting_user: Actor,
    purpose: str = "",
) -> AuditLog:
    """The hook for auditing reads of personal data: one row per page view or export.

    It stores which records were read (their ids, not their contents) and why, never the data itself.
    """
    items = list(objects)
    first = items[0] if items else None
    ctx = context.current()
    place = placement_of(first) if len(items) == 1 else Placement()
    object_type = f"{first._meta.app_label}.{first._meta.model_name}" if first is not None else ""
    row = AuditLog(
        kind=AuditLog.KIND_READ,
        action=action,
        source=ctx.source,
        address=ctx.address,
        object_type=object_type,
        object_id=str(first.pk) if len(items) == 1 and first is not None else "",
        object_repr=str(first)[:255] if len(items) == 1 else f"{len(items)} records",
        before=None,
        after=_jsonable({"count": len(items), "ids": [str(i.pk) for i in items[:1000]], "purpose": purpose}),
        province_code=place.province_code,
        prefecture_code=place.prefecture_code,
        county_code=place.county_code,
        school_id=place.school_id,
        **_actor_fields(acting_user),
    )
    with transaction.atomic():
        return _append(row)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_sequence: int | None = None
    reason: str = ""


def verify(chunk_size: int = 5000) -> VerifyResult:
    """Walk the chain in order and report the first row whose link or hash does not hold."""
    expected_previous = GENESIS
    expected_sequence = 1
    checked = 0
    for row in AuditLog.objects.order_by("sequence").iterator(chunk_size=chunk_size):
        if row.sequence != expected_sequence:
            return VerifyResult(False, checked, expected_sequence, f"row {expected_sequence} is missing")
        if row.previous_hash != expected_previous:
            return VerifyResult(False, checked, row.sequence, "link to the previous row does not match")
        if not hmac.compare_digest(row.entry_hash, _hash(row)):
            return VerifyResult(False, checked, row.sequence, "row content does not match its hash")
        expected_previous = row.entry_hash
        expected_sequence += 1
        checked += 1
    return VerifyResult(True, checked)


