"""Entity resolution: precision and recall on a population with known duplicates, per kind of damage; master
records by source precedence; the review queue and the officers' decisions; the command."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from edupulse.accounts.tests.factories import make_user
from edupulse.basedata import linking
from edupulse.basedata.importing import import_file
from edupulse.basedata.linking_data import DAMAGE, population, true_pairs
from edupulse.basedata.models import MatchReview, ReviewStatus
from edupulse.basedata.tests import helpers
from edupulse.basedata.tests.factories import make_review
from edupulse.basedata.tests.helpers import TODAY, student
from edupulse.core.actors import SYSTEM
from edupulse.core.models import AuditLog
from edupulse.orgs.tests.factories import make_school

SCHOOLS = [f"21519{i:05d}" for i in range(8)]


@pytest.fixture(scope="module")
def resolved() -> tuple[pa.Table, linking.Resolution]:
    people = population(3000, SCHOOLS, duplicate_share=0.3, seed=7)
    return people, linking.resolve(people.select(list(linking.LINK_COLUMNS)))


def test_precision_and_recall_on_known_duplicates(resolved: tuple[pa.Table, linking.Resolution]) -> None:
    people, result = resolved
    truth = true_pairs(people)
    found = {(a, b) for a, b, _p in result.matches}
    hits = found & set(truth)
    precision, recall = len(hits) / len(found), len(hits) / len(truth)
    assert precision >= 0.98 and recall >= 0.95, (precision, recall)
    # Every kind of damage is found, not only the easy ones.
    per_kind = Counter(truth[pair] for pair in hits)
    for kind in DAMAGE:
        total = sum(1 for damage in truth.values() if damage == kind)
        assert total > 50 and per_kind[kind] / total >= 0.9, (kind, per_kind[kind], total)


def test_clusters_are_the_linked_pairs(resolved: tuple[pa.Table, linking.Resolution]) -> None:
    _people, result = resolved
    for left, right, probability in result.matches[:200]:
        assert result.clusters[left] == result.clusters[right] == min(left, right) and probability >= linking.UPPER
    assert all(linking.LOWER <= p < linking.UPPER for _l, _r, p in result.review)


def test_decisions_override_the_model() -> None:
    assert linking.components([1, 2, 3, 4], [(1, 2), (2, 3)]) == {1: 1, 2: 1, 3: 1, 4: 4}
    people = pa.table({"unique_id": [1, 2, 3], "source": ["xueji", "zizhu", "other"], "name": ["张晓明", "张小明", "李华"],
                       "gender": ["1", "1", "2"], "birth_date": ["2012-03-05", "2012-05-03", "2013-01-01"],
                       "school_code": ["2151900001"] * 3})
    pool = population(400, SCHOOLS[:2], seed=3).select(list(linking.LINK_COLUMNS))
    table = pa.concat_tables([people, pool.set_column(0, "unique_id", pa.compute.add(pool.column("unique_id"), 10))])
    linked = linking.resolve(table)
    assert linked.clusters[1] == linked.clusters[2]  # a homophone and swapped day/month: still the same child
    overruled = linking.resolve(table, rejected=[(1, 2)], confirmed=[(1, 3)])
    assert overruled.clusters[2] != overruled.clusters[1] == overruled.clusters[3]


def test_master_fields_come_from_the_most_trusted_source() -> None:
    connection = duckdb.connect()
    connection.register("r", pa.table({
        "unique_id": [1, 2, 3], "source": ["zizhu", "xueji", "xueji"], "name": ["张小明", "张晓明", "李华"],
        "needy": ["1", None, "0"], "gender": ["1", "1", "2"]}))
    connection.register("c", pa.table({"unique_id": [1, 2, 3], "cluster_id": [1, 1, 3]}))
    rows = connection.execute(linking.master_sql("r", "c", ("name", "needy")) + " ORDER BY cluster_id").fetchall()
    assert rows == [(1, 2, "张晓明", "xueji", "1", "zizhu"), (3, 1, "李华", "xueji", "0", "xueji")]


@pytest.mark.django_db
def test_the_command_links_store_records_and_writes_masters(settings: Any, tmp_path: Path) -> None:
    settings.BASEDATA_DUCKDB_PATH = tmp_path / "basedata.duckdb"
    make_school("510107", code=helpers.ACTIVE)
    pupils = [student(n, name=name) for n, name in enumerate(["张晓明", "李华", "王芳", "赵强"], start=1)]
    import_file(helpers.write_csv(tmp_path / "xueji.csv", pupils), "student", "xueji", acting_user=SYSTEM, today=TODAY)
    aid = [list(pupils[0]), list(pupils[1])]
    aid[0][3] = "张小明"  # the aid system typed a homophone
    import_file(helpers.write_csv(tmp_path / "zizhu.csv", aid), "student", "zizhu", acting_user=SYSTEM, today=TODAY)
    out = io.StringIO()
    call_command("basedata", "dedupe", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["records"] == 6 and report["masters"] == 4 and report["matches"] == 2
    assert set(report) >= {"run", "pairs_scored", "review", "queued", "clusters", "thresholds", "seconds"}
    with duckdb.connect(str(settings.BASEDATA_DUCKDB_PATH), read_only=True) as connection:
        names = sorted(r[0] for r in connection.execute("SELECT name FROM student_master").fetchall())
    assert names == ["张晓明", "李华", "王芳", "赵强"]  # the 学籍系统 spelling wins
    assert AuditLog.objects.filter(action="basedata.dedupe.run").count() == 1


@pytest.mark.django_db
def test_an_officer_confirms_or_rejects_once_and_schools_do_not() -> None:
    school = make_school("510107")
    first, second = make_review(school), make_review(school)
    officer, cio = Client(), Client()
    officer.force_login(make_user("county_officer", region="510107"))
    cio.force_login(make_user("school_cio", school=school))
    assert cio.post(reverse("basedata:review-confirm", args=[first.pk])).status_code in (403, 404)
    officer.post(reverse("basedata:review-confirm", args=[first.pk]))
    officer.post(reverse("basedata:review-reject", args=[second.pk]))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (ReviewStatus.CONFIRMED, ReviewStatus.REJECTED)
    assert first.decided_by is not None and first.decided_at is not None
    page = officer.post(reverse("basedata:review-reject", args=[first.pk]), follow=True)
    assert MatchReview.objects.get(pk=first.pk).status == ReviewStatus.CONFIRMED
    assert "已" in page.content.decode() or page.status_code == 200
    assert AuditLog.objects.filter(object_type="basedata.matchreview", kind=AuditLog.KIND_WRITE).count() >= 2
