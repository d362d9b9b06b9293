"""Entity resolution on Spark: the same model (comparisons, blocking and the shipped weights — fixed, not
re-estimated, so the engines are comparable) scored by Splink's Spark backend in local mode gives every blocked
pair the probability DuckDB gives it, hence the same links, clusters and master records; the command's
``--engine spark`` writes what ``--engine duckdb`` writes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from edupulse.basedata import linking, linking_spark
from edupulse.basedata.importing import import_file
from edupulse.basedata.linking_data import population, true_pairs
from edupulse.basedata.tests import helpers
from edupulse.basedata.tests.helpers import TODAY, student
from edupulse.core.actors import SYSTEM
from edupulse.core.models import AuditLog
from edupulse.orgs.tests.factories import make_school

SCHOOL = "2151900009"


def _scored(result: linking.Resolution) -> dict[tuple[int, int], float]:
    return {(a, b): p for a, b, p in (*result.matches, *result.review)}


def test_spark_scores_every_blocked_pair_as_duckdb_does(spark: Any) -> None:
    people = population(300, [SCHOOL], duplicate_share=0.3, seed=7)  # 402 records, every kind of damage
    records = people.select(list(linking.LINK_COLUMNS))
    # lower=0: every blocked pair comes back with its probability, the clear non-matches included, so the weak
    # levels (Jaro–Winkler of the pinyin, same year and month, other) are compared too, not only the strong ones.
    on_duckdb = linking.resolve(records, lower=0.0, train=False)
    on_spark = linking.resolve(records, lower=0.0, train=False, engine="spark", spark=spark)
    assert (on_duckdb.engine, on_spark.engine) == ("duckdb", "spark")
    in_duckdb, in_spark = _scored(on_duckdb), _scored(on_spark)
    assert set(in_spark) == set(in_duckdb)
    assert max(abs(in_spark[pair] - in_duckdb[pair]) for pair in in_duckdb) < 1e-9
    assert sum(p < linking.LOWER for p in in_duckdb.values()) > 20 and sum(
        p >= linking.UPPER for p in in_duckdb.values()) > 80
    # The same decisions: linked pairs and clusters (the clusters depend on the upper threshold only).
    assert sorted(pair[:2] for pair in on_spark.matches) == sorted(pair[:2] for pair in on_duckdb.matches)
    assert on_spark.clusters == on_duckdb.clusters
    truth = set(true_pairs(people))
    assert len(truth & {(a, b) for a, b, _p in on_spark.matches}) >= 0.95 * len(truth)
    # The session serves further runs: nothing of this one is left in it.
    assert not [t.name for t in spark.catalog.listTables() if t.name.startswith("__splink__")]


def _masters(path: Path) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute("SELECT * EXCLUDE (cluster_id) FROM student_master ORDER BY name").fetchall()


@pytest.mark.django_db
def test_the_command_on_spark_writes_what_it_writes_on_duckdb(spark: Any, settings: Any, tmp_path: Path) -> None:
    settings.BASEDATA_DUCKDB_PATH = tmp_path / "basedata.duckdb"
    make_school("510107", code=helpers.ACTIVE)
    pupils = [student(n, name=name) for n, name in enumerate(["张晓明", "李华", "王芳", "赵强"], start=1)]
    import_file(helpers.write_csv(tmp_path / "xueji.csv", pupils), "student", "xueji", acting_user=SYSTEM, today=TODAY)
    aid = [list(pupils[0]), list(pupils[2])]
    aid[0][3], aid[1][3] = "张小明", "王方"  # a homophone; a typo
    import_file(helpers.write_csv(tmp_path / "zizhu.csv", aid), "student", "zizhu", acting_user=SYSTEM, today=TODAY)
    reports, masters = {}, {}
    for engine in ("duckdb", "spark"):  # the session of the command is the active one (the fixture's)
        out = io.StringIO()
        call_command("basedata", "dedupe", "--engine", engine, "--json", stdout=out)
        reports[engine] = json.loads(out.getvalue())
        masters[engine] = _masters(settings.BASEDATA_DUCKDB_PATH)
    assert reports["spark"]["engine"] == "spark"
    ignored = ("run", "seconds", "engine")
    assert {k: v for k, v in reports["spark"].items() if k not in ignored} == {
        k: v for k, v in reports["duckdb"].items() if k not in ignored}
    assert reports["spark"]["matches"] == 2 and reports["spark"]["masters"] == 4
    assert masters["spark"] == masters["duckdb"]
    assert [row[1] for row in masters["spark"]] == ["张晓明", "李华", "王芳", "赵强"]  # name, from the 学籍系统


@pytest.mark.django_db
def test_without_spark_the_command_says_what_it_needs(monkeypatch: pytest.MonkeyPatch, settings: Any,
                                                      tmp_path: Path) -> None:
    def no_java(**_options: Any) -> Any:
        raise linking_spark.SparkUnavailableError("Java gateway process exited")

    monkeypatch.setattr(linking_spark, "session", no_java)
    settings.BASEDATA_DUCKDB_PATH = tmp_path / "basedata.duckdb"
    make_school("510107", code=helpers.ACTIVE)
    pupils = [student(1, name="李华"), student(2, name="王芳")]
    import_file(helpers.write_csv(tmp_path / "xueji.csv", pupils), "student", "xueji", acting_user=SYSTEM, today=TODAY)
    with pytest.raises(CommandError) as refused:
        call_command("basedata", "dedupe", "--engine", "spark")
    assert "PySpark" in str(refused.value) and "Java 17" in str(refused.value) and refused.value.returncode == 2
    assert not AuditLog.objects.filter(action="basedata.dedupe.run").exists()


def test_the_shipped_weights_must_belong_to_the_comparisons(monkeypatch: pytest.MonkeyPatch) -> None:
    spark_sql = linking.shipped_settings("spark")["comparisons"][0]["comparison_levels"]
    assert "jaro_winkler(`name_pinyin_l`, `name_pinyin_r`) >= 0.9" in [level["sql_condition"] for level in spark_sql]
    assert all("m_probability" in level for level in spark_sql if not level.get("is_null_level"))
    changed = linking.model_settings()
    changed.comparisons = changed.comparisons[1:]  # a model without the name comparison, weights not retrained
    monkeypatch.setattr(linking, "model_settings", lambda: changed)
    with pytest.raises(ValueError, match="retrain"):
        linking.shipped_settings("spark")
