"""``edupulse basedata dedupe``: entity resolution over the student records of the store.

Reads the clean rows of the live student batches (or of the batches named), links them (``linking.py``; the
pairs scored by DuckDB or by Spark, everything else the same) with the officers' earlier decisions applied, and
writes, in one DuckDB transaction committed as the last step of the ``record_dedupe`` action (which queues the
uncertain pairs for review):

* ``student_link``: each record (batch, row) → its cluster;
* ``student_master``: one master record per cluster, each field from its most trusted source (``PRECEDENCE``)
  with that source named.

Both tables are replaced by every run (a run covers the batches it was given).
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from edupulse.basedata import linking, store
from edupulse.basedata.actions import QueuedPair, record_dedupe
from edupulse.basedata.models import ImportBatch, MatchReview, ReviewStatus
from edupulse.basedata.records import has_table, register_live
from edupulse.core.actors import Actor
from edupulse.orgs.models import School

MASTER_FIELDS = ("name", "gender", "birth_date", "school_code", "needy", "left_behind", "migrant")
_OPTIONAL = ("needy", "left_behind", "migrant")


@dataclass(frozen=True)
class DedupeOutcome:
    run_key: str
    resolution: linking.Resolution
    masters: int
    queued: int

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``edupulse basedata dedupe --json`` (docs/cli-basedata.md)."""
        r = self.resolution
        return {"run": self.run_key, "records": r.records, "pairs_scored": r.pairs_scored, "matches": len(r.matches),
                "review": len(r.review), "queued": self.queued, "clusters": len(set(r.clusters.values())),
                "masters": self.masters, "thresholds": {"lower": linking.LOWER, "upper": linking.UPPER},
                "engine": r.engine, "seconds": r.seconds}


def _records(connection: duckdb.DuckDBPyConnection, batch_ids: list[int] | None) -> pa.Table:
    live = register_live(connection, "student")
    if batch_ids is not None:
        wanted = set(batch_ids)
        connection.register("live", pa.table({"batch_key": [b.key for b in live if b.pk in wanted],
                                              "batch_id": [b.pk for b in live if b.pk in wanted],
                                              "source": [b.source for b in live if b.pk in wanted]}))
    columns = connection.execute('SELECT * FROM "student" LIMIT 0').description or ()
    present = {c[0] for c in columns}
    optional = ", ".join(f't."{name}"' if name in present else f"NULL::VARCHAR AS {name}" for name in _OPTIONAL)
    return connection.sql(f"""
SELECT l.batch_id * {1_000_000_000} + t."row" AS unique_id, l.source, t.name, t.gender, t.birth_date,
       t.school_code, {optional}
FROM "student" t JOIN live l USING (batch_key)""").to_arrow_table()  # noqa: S608 - our column names


def _decisions() -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    decided = MatchReview.objects.exclude(status=ReviewStatus.PENDING).values_list(
        "left_batch_id", "left_row", "right_batch_id", "right_row", "status")
    confirmed: list[tuple[int, int]] = []
    rejected: list[tuple[int, int]] = []
    for lb, lr, rb, rr, status in decided:
        pair = (MatchReview.unique_id(lb, lr), MatchReview.unique_id(rb, rr))
        (confirmed if status == ReviewStatus.CONFIRMED else rejected).append(pair)
    return confirmed, rejected


def _queued(resolution: linking.Resolution, schools_of: dict[int, str]) -> list[QueuedPair]:
    school_ids = dict(School.objects.filter(code__in=set(schools_of.values())).values_list("code", "pk"))
    pairs = []
    for left, right, probability in resolution.review:
        school = school_ids.get(schools_of.get(left, "")) or school_ids.get(schools_of.get(right, ""))
        if school is None:  # neither record at a school of the register: nobody's queue (cannot happen for clean rows)
            continue
        (lb, lr), (rb, rr) = MatchReview.split(left), MatchReview.split(right)
        pairs.append(QueuedPair(lb, lr, rb, rr, probability, school))
    return pairs


def run_dedupe(*, acting_user: Actor, batch_ids: list[int] | None = None, store_path: Any = None,
               engine: linking.Engine = "duckdb") -> DedupeOutcome:
    """Link the student records on the engine, write links and masters, queue the uncertain pairs (atomic)."""
    if batch_ids is not None:
        known = set(ImportBatch.objects.filter(pk__in=batch_ids, kind="student").values_list("pk", flat=True))
        if missing := sorted(set(batch_ids) - known):
            raise LookupError(missing)
    confirmed, rejected = _decisions()
    run_key = uuid.uuid4().hex
    with store.connect(store_path) as connection:
        if not has_table(connection, "student"):
            records = pa.table({"unique_id": pa.array([], pa.int64()), **{c: pa.array([], pa.string()) for c in
                                ("source", *MASTER_FIELDS)}})
        else:
            records = _records(connection, batch_ids)
        prepared = linking.prepare(records.select(list(linking.LINK_COLUMNS)))
        resolution = (linking.resolve(prepared, confirmed=confirmed, rejected=rejected, engine=engine)
                      if records.num_rows else linking.Resolution(0, 0, engine=engine))
        schools_of = dict(zip(prepared.column("unique_id").to_pylist(), prepared.column("school_code").to_pylist(),
                              strict=True))
        masters = _write(connection, records, resolution)
        try:
            queued = record_dedupe(run_key, "student", _queued(resolution, schools_of),
                                   {"records": resolution.records, "matches": len(resolution.matches),
                                    "review": len(resolution.review), "masters": masters},
                                   acting_user=acting_user, commit_store=lambda: _commit(connection))
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                connection.execute("ROLLBACK")
            raise
    return DedupeOutcome(run_key, resolution, masters, queued)


def _commit(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("COMMIT")


def _write(connection: duckdb.DuckDBPyConnection, records: pa.Table, resolution: linking.Resolution) -> int:
    """Replace ``student_link`` and ``student_master`` inside a transaction left open for the action to commit."""
    clusters = pa.table({"unique_id": pa.array(list(resolution.clusters), pa.int64()),
                         "cluster_id": pa.array(list(resolution.clusters.values()), pa.int64())})
    connection.register("run_records", records)
    connection.register("run_clusters", clusters)
    connection.execute("BEGIN TRANSACTION")
    connection.execute(f"""
CREATE OR REPLACE TABLE student_link AS
SELECT c.unique_id // {1_000_000_000} AS batch_id, c.unique_id % {1_000_000_000} AS "row", c.cluster_id
FROM run_clusters c""")  # noqa: S608 - a constant
    connection.execute("CREATE OR REPLACE TABLE student_master AS "
                       + linking.master_sql("run_records", "run_clusters", MASTER_FIELDS))
    count = connection.execute("SELECT count(*) FROM student_master").fetchall()[0][0]
    return int(count)
