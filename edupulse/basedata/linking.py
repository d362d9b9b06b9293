"""Entity resolution across source systems (issue 11 items 5 and 8): Splink on its DuckDB backend, or on Spark.

Records of the 学籍系统, the 资助系统 and other exports often lack a reliable ID number (missing, a school's
internal number, mistyped). They are linked on **name** (also as **pinyin**, from pypinyin, so 张晓明 and 张小明
— the same name typed with a homophone — agree), **birth date** (exact, day and month swapped, one digit off,
same year and month), **gender** and **school**. Splink (Fellegi–Sunter) estimates how much each level of
agreement weighs from the data itself: u by random sampling, m by expectation maximisation, the prior from
deterministic rules. Pairs are only compared within blocks (same school and pinyin, same school and birth
date, same pinyin and birth date), so a province's records cost linear time, not quadratic.

A pair's match probability decides its fate:

* ``≥ UPPER``: the same person; linked.
* ``LOWER ≤ p < UPPER``: uncertain; it goes to the review queue (``MatchReview``), where an officer confirms
  (linked from then on) or rejects (kept apart from then on).
* below ``LOWER``: different persons.

One model, two engines (``Engine``): the comparisons, blocking rules and weights are defined once
(:func:`model_settings`, data/linking_model.json) and Splink writes them in the SQL of the backend it is given —
DuckDB in process (the default), or Spark (``linking_spark.py``: a cluster, or local mode) for a store too large
for one machine's scoring. Everything around the scoring is shared: the preparation (DuckDB SQL and pypinyin, in
this process), the thresholds, the clusters, the master records and the review queue.

Clusters are the connected components of the linked pairs (confirmed reviews added, rejected ones removed —
which is why the components are computed here, by union–find, rather than by Splink's own clustering, which
knows no human decision). Each cluster becomes one **master record** whose every field comes from the
source that is most trusted for that field (``PRECEDENCE``, documented in docs/cli-basedata.md): the 学籍系统
for names and school, the 资助系统 for the needy-student flag.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from pypinyin import lazy_pinyin
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from edupulse.basedata import linking_spark
from edupulse.basedata.linking_data import population
from edupulse.basedata.rules import parse_date_sql

if TYPE_CHECKING:
    from splink.internals.splink_dataframe import SplinkDataFrame  # not re-exported by splink

# A store too small to estimate the weights from (a county's first batches, a test) uses the model shipped in
# data/linking_model.json, trained on a generated province sample (``python -m edupulse.basedata.linking``).
MIN_TRAIN_RECORDS = 5000
SHIPPED_MODEL = Path(__file__).resolve().parent / "data" / "linking_model.json"
LOWER = 0.5  # below: different persons
UPPER = 0.95  # at or above: the same person; in between: reviewed by an officer
# Per field, the source systems in order of trust (the first with a value wins); unlisted sources come last.
PRECEDENCE: dict[str, tuple[str, ...]] = {
    "name": ("xueji", "jiaoshi", "zizhu", "other"),
    "gender": ("xueji", "jiaoshi", "zizhu", "other"),
    "birth_date": ("xueji", "jiaoshi", "zizhu", "other"),
    "school_code": ("xueji", "jiaoshi", "zizhu", "other"),
    "needy": ("zizhu", "xueji", "other"),
    "left_behind": ("xueji", "zizhu", "other"),
    "migrant": ("xueji", "zizhu", "other"),
}
LINK_COLUMNS = ("unique_id", "source", "name", "gender", "birth_date", "school_code")
Engine = Literal["duckdb", "spark"]
_SCORED = ("unique_id_l", "unique_id_r", "match_probability")


@dataclass
class Resolution:
    """What a run found: scored pairs, the linked (``matches``) and uncertain (``review``) ones, clusters."""

    records: int
    pairs_scored: int
    matches: list[tuple[int, int, float]] = field(default_factory=list)
    review: list[tuple[int, int, float]] = field(default_factory=list)
    clusters: dict[int, int] = field(default_factory=dict)  # unique_id → cluster id (its smallest unique_id)
    seconds: float = 0.0
    engine: Engine = "duckdb"


def pinyin_of(names: Iterable[str | None]) -> list[str]:
    """Tone-less pinyin of each name, character by character through a per-character cache (a province has
    a few thousand distinct characters and millions of names; pypinyin per name would dominate the run).
    Per character rather than per phrase: a name is no phrase, and 单/解 read as surnames are rare enough."""
    cache: dict[str, str] = {}

    def of(char: str) -> str:
        if char not in cache:
            cache[char] = "".join(lazy_pinyin(char))
        return cache[char]

    return ["".join(of(c) for c in name.strip()) if name else "" for name in names]


def prepare(table: pa.Table) -> pa.Table:
    """The linking columns: names trimmed with their pinyin, birth dates as ISO text (any accepted spelling)."""
    connection = duckdb.connect()
    connection.register("raw", table)
    birth = parse_date_sql("nullif(trim(birth_date), '')")
    sql = ("SELECT unique_id, source, nullif(trim(name), '') AS name, nullif(trim(gender), '') AS gender, "  # noqa: S608
           f"strftime({birth}, '%Y-%m-%d') AS birth_date, nullif(trim(school_code), '') AS school_code FROM raw")
    prepared = connection.sql(sql).to_arrow_table()
    return prepared.append_column("name_pinyin", pa.array(pinyin_of(prepared.column("name").to_pylist()), pa.string()))


def _swapped_day_month() -> cll.CustomLevel:
    return cll.CustomLevel(
        "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) AND substr(birth_date_l, 6, 2) = "
        "substr(birth_date_r, 9, 2) AND substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)",
        "day and month swapped")


def model_settings() -> SettingsCreator:
    """The tuned model: comparisons that know Chinese names and the usual birth-date slips."""
    name = cl.CustomComparison([
        cll.NullLevel("name"),
        cll.ExactMatchLevel("name"),
        cll.ExactMatchLevel("name_pinyin").configure(label_for_charts="same pinyin (homophone)"),
        cll.LevenshteinLevel("name", 1),
        cll.JaroWinklerLevel("name_pinyin", 0.9),
        cll.ElseLevel(),
    ], output_column_name="name")
    birth = cl.CustomComparison([
        cll.NullLevel("birth_date"),
        cll.ExactMatchLevel("birth_date"),
        _swapped_day_month(),
        cll.LevenshteinLevel("birth_date", 1),
        cll.CustomLevel("substr(birth_date_l, 1, 7) = substr(birth_date_r, 1, 7)", "same year and month"),
        cll.ElseLevel(),
    ], output_column_name="birth_date")
    return SettingsCreator(
        link_type="dedupe_only", unique_id_column_name="unique_id",
        comparisons=[name, birth, cl.ExactMatch("gender"), cl.ExactMatch("school_code")],
        blocking_rules_to_generate_predictions=[
            block_on("school_code", "name_pinyin"), block_on("school_code", "birth_date"),
            block_on("name_pinyin", "birth_date")],
        retain_matching_columns=False, retain_intermediate_calculation_columns=False,
    )


def baseline_settings() -> SettingsCreator:
    """Splink's library comparisons with their default parameters (the benchmark's baseline)."""
    return SettingsCreator(
        link_type="dedupe_only", unique_id_column_name="unique_id",
        comparisons=[cl.NameComparison("name"), cl.DateOfBirthComparison("birth_date", input_is_string=True),
                     cl.ExactMatch("gender"), cl.ExactMatch("school_code")],
        blocking_rules_to_generate_predictions=[
            block_on("school_code", "name_pinyin"), block_on("school_code", "birth_date"),
            block_on("name_pinyin", "birth_date")],
        retain_matching_columns=False, retain_intermediate_calculation_columns=False,
    )


def _train(linker: Linker, seed: int) -> None:
    """Prior from a strict deterministic rule, u by sampling, m by EM on three blockings (each trains the
    comparisons it does not block on, so every comparison is trained at least once)."""
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name", "birth_date", "school_code")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("school_code", "birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("school_code", "name_pinyin"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_pinyin", "birth_date"))


def shipped_settings(dialect: str) -> dict[str, Any]:
    """The shipped model for one backend: :func:`model_settings` written in the backend's SQL dialect, with the
    weights (m, u, the prior) saved in data/linking_model.json.

    The file holds the comparisons too, but as DuckDB SQL, which Spark would misread (``"name_l"`` is a string
    literal there); so only its numbers are taken, after checking on the DuckDB rendering that they were trained
    for these very comparisons and levels (a changed level without a retrained file must not be scored)."""
    trained = json.loads(SHIPPED_MODEL.read_text(encoding="utf-8"))
    settings = model_settings().create_settings_dict(dialect)
    if _levels(model_settings().create_settings_dict("duckdb")) != _levels(trained):
        raise ValueError(f"{SHIPPED_MODEL.name} was trained for other comparisons than model_settings(); "
                         "retrain it: python -m edupulse.basedata.linking")
    for written, saved in zip(settings["comparisons"], trained["comparisons"], strict=True):
        for level, weights in zip(written["comparison_levels"], saved["comparison_levels"], strict=True):
            level.update({key: weights[key] for key in ("m_probability", "u_probability") if key in weights})
    settings["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    return settings


def _levels(settings: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(c["output_column_name"], [level["sql_condition"] for level in c["comparison_levels"]])
            for c in settings["comparisons"]]


def _database(engine: Engine, spark: Any) -> Any:
    """Splink's database API of the engine: a private in-memory DuckDB connection, or ``spark`` (by default
    ``linking_spark.session()``)."""
    if engine == "duckdb":
        return DuckDBAPI(connection=duckdb.connect())
    return linking_spark.database(spark if spark is not None else linking_spark.session())


def _register(database: Any, prepared: pa.Table) -> Any:
    """``prepared`` as the linker's input table (on Spark through ``linking_spark.frame``)."""
    if database.sql_dialect.sql_dialect_str == "duckdb":
        return database.register(prepared)
    return database.register(linking_spark.frame(database.spark, prepared))


def trained_linker(prepared: pa.Table, *, baseline: bool = False, train: bool | None = None,
                   seed: int = 2026, database: Any = None) -> Linker:
    """A linker over ``prepared`` on ``database`` (a Splink database API; DuckDB by default): trained on it
    (``train``, by default when it is large enough), else the shipped model."""
    database = database if database is not None else _database("duckdb", None)
    if train is None:
        train = baseline or prepared.num_rows >= MIN_TRAIN_RECORDS
    if not train:
        return Linker(_register(database, prepared), shipped_settings(database.sql_dialect.sql_dialect_str),
                      log_level="WARNING")
    linker = Linker(_register(database, prepared), baseline_settings() if baseline else model_settings(),
                    log_level="WARNING")
    _train(linker, seed)
    return linker


def resolve(records: pa.Table, *, lower: float = LOWER, upper: float = UPPER, baseline: bool = False,
            train: bool | None = None, confirmed: Iterable[tuple[int, int]] = (),
            rejected: Iterable[tuple[int, int]] = (), seed: int = 2026, engine: Engine = "duckdb",
            spark: Any = None) -> Resolution:
    """Score the pairs of ``records`` (columns of ``LINK_COLUMNS``, prepared or not) on the engine (``spark``:
    that SparkSession rather than ``linking_spark.session()``), split them by the thresholds and cluster the
    linked ones with the officers' decisions applied."""
    started = time.perf_counter()
    prepared = records if "name_pinyin" in records.column_names else prepare(records)
    database = _database(engine, spark)
    try:
        linker = trained_linker(prepared, baseline=baseline, train=train, seed=seed, database=database)
        pairs = _scored_pairs(linker.inference.predict(threshold_match_probability=lower))
    finally:
        if engine == "spark":  # a Spark session outlives the run: free what it holds (DuckDB's connection is ours)
            linking_spark.release(database.spark)
    result = Resolution(records=prepared.num_rows, pairs_scored=len(pairs), engine=engine)
    decided = {_pair(a, b) for a, b in (*confirmed, *rejected)}
    for left, right, probability in pairs:
        key = _pair(left, right)
        if probability >= upper:
            result.matches.append((*key, float(probability)))
        elif key not in decided:
            result.review.append((*key, float(probability)))
    no = {_pair(a, b) for a, b in rejected}
    edges = [(a, b) for a, b, _p in result.matches if (a, b) not in no] + [_pair(a, b) for a, b in confirmed]
    result.clusters = components(pc.cast(prepared.column("unique_id"), pa.int64()).to_pylist(), edges)
    result.seconds = round(time.perf_counter() - started, 2)
    return result


def _scored_pairs(scored: SplinkDataFrame) -> list[tuple[int, int, float]]:
    """(left id, right id, probability) of every scored pair, fetched from the backend."""
    if scored.db_api.sql_dialect.sql_dialect_str == "duckdb":
        return scored.as_duckdbpyrelation().project(", ".join(_SCORED)).fetchall()
    frame = scored.as_spark_dataframe().select(*_SCORED)
    if hasattr(frame, "toArrow"):  # PySpark 4: one Arrow transfer instead of a Row object per pair
        table = frame.toArrow()
        return list(zip(*(table.column(c).to_pylist() for c in _SCORED), strict=True))
    return [tuple(row) for row in frame.collect()]


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def components(ids: Iterable[int], edges: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Connected components by union–find: each id → the smallest id of its component."""
    parent: dict[int, int] = {i: i for i in ids}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving keeps the trees flat
            i = parent[i]
        return i

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {i: root(i) for i in parent}


def master_sql(records: str, clusters: str, fields: Iterable[str]) -> str:
    """One row per cluster: each field from the most trusted source that has a value (``PRECEDENCE``), with
    that source named (``<field>_source``), and the count of records merged."""
    columns = []
    for name in fields:
        order = PRECEDENCE.get(name, ("xueji", "jiaoshi", "zizhu", "other"))
        rank = "CASE r.source " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(order)) + f" ELSE {len(order)} END"
        columns.append(f"arg_min(r.\"{name}\", ({rank}) * 1e12 + r.unique_id) FILTER (WHERE nullif(trim(r.\"{name}\"), '') "
                       f"IS NOT NULL) AS \"{name}\"")
        columns.append(f"arg_min(r.source, ({rank}) * 1e12 + r.unique_id) FILTER (WHERE nullif(trim(r.\"{name}\"), '') "
                       f"IS NOT NULL) AS \"{name}_source\"")
    return (f"SELECT c.cluster_id, count(*) AS records, {', '.join(columns)} "  # noqa: S608 - our names
            f"FROM {records} r JOIN {clusters} c USING (unique_id) GROUP BY c.cluster_id")


def write_shipped_model(path: Path = SHIPPED_MODEL, *, people: int = 20000) -> None:
    """Train the model on a generated sample and save it as the shipped model."""
    sample = population(people, [f"21519{i:05d}" for i in range(people // 800)], seed=11)
    linker = trained_linker(prepare(sample.select(list(LINK_COLUMNS))), train=True)
    linker.misc.save_model_to_json(str(path), overwrite=True)


if __name__ == "__main__":
    write_shipped_model(Path(sys.argv[1]) if len(sys.argv) > 1 else SHIPPED_MODEL)
