"""Benchmark of base-data entity resolution (issue 11: Splink dedupe of 1 M records in under 2 minutes).

Data (not timed): ``linking_data.population`` — N persons in N/800 schools, 20 % of them present a second
time from another source system with one kind of damage (a typo, a homophone, day and month swapped, a
birth-date digit) or none. About 1.2 N records; the ground truth is known.

Timed once: ``linking.prepare`` (birth dates parsed, names to pinyin; shared by every run). Timed, per
configuration: ``linking.resolve`` — Splink's training (prior, u by sampling, m by EM), scoring the blocked
pairs, union–find clusters. Printed: records, pairs scored, seconds, pairwise
precision and recall of the linked pairs (probability ≥ UPPER), and the peak RSS of the process.

* ``tuned``: EduPulse's model (``linking.model_settings``: name, pinyin, Levenshtein and Jaro–Winkler levels,
  swapped day/month);
* ``baseline``: Splink's library comparisons with their default parameters (``NameComparison``,
  ``DateOfBirthComparison``), same blocking and training.

``--engine duckdb|spark|both`` (default duckdb): where Splink runs — DuckDB in process, or Spark through
``linking_spark.session`` (local mode on every core, ``--spark-memory`` driver, ``--spark-partitions`` shuffle
partitions; the session's start is timed apart). ``--shipped``: score with the shipped weights
(data/linking_model.json) instead of training — the engines then use the very same m and u, and only the
scoring is timed. With both engines, the linked pairs that only one engine found are counted.

Run: ``PYTHONPATH=$PWD .venv/bin/python bench/bench_basedata_dedupe.py [N] [tuned|baseline|both]
[--engine duckdb|spark|both] [--shipped]`` (default 1,000,000 both on DuckDB, trained).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edupulse.settings")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=1_000_000, help="persons (records ≈ 1.2 N)")
    parser.add_argument("which", nargs="?", default="both", choices=("tuned", "baseline", "both"))
    parser.add_argument("--engine", default="duckdb", choices=("duckdb", "spark", "both"))
    parser.add_argument("--shipped", action="store_true", help="score with the shipped weights, do not train")
    parser.add_argument("--runs", type=int, default=1, help="runs of each configuration (the median is printed)")
    parser.add_argument("--spark-memory", default="2g", help="Spark driver memory (local mode)")
    parser.add_argument("--spark-partitions", default="4", help="spark.sql.shuffle.partitions")
    return parser.parse_args()


def main() -> None:
    import django  # app registry: settings must be configured before the app modules load

    django.setup()
    from edupulse.basedata import linking, linking_spark
    from edupulse.basedata.linking_data import population, true_pairs

    args = _arguments()
    if args.shipped and args.which != "tuned":
        raise SystemExit("--shipped: the shipped weights are those of the tuned model; run it with `tuned`")
    started = time.perf_counter()
    people = population(args.n, [f"21519{i:05d}" for i in range(max(1, args.n // 800))], seed=2026)
    truth = set(true_pairs(people))
    print(f"generated {people.num_rows:,} records in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    records = linking.prepare(people.select(list(linking.LINK_COLUMNS)))
    print(f"prepared (dates, pinyin) in {time.perf_counter() - started:.1f} s, once for every run below")
    spark: Any = None
    if args.engine in ("spark", "both"):
        started = time.perf_counter()
        spark = linking_spark.session(conf={"spark.driver.memory": args.spark_memory,
                                            "spark.sql.shuffle.partitions": args.spark_partitions})
        print(f"Spark {spark.version} session ({spark.sparkContext.master}) started in "
              f"{time.perf_counter() - started:.1f} s")
    linked: dict[tuple[str, str], set[tuple[int, int]]] = {}
    for name in ("tuned", "baseline") if args.which == "both" else (args.which,):
        for engine in ("duckdb", "spark") if args.engine == "both" else (args.engine,):
            runs = [linking.resolve(records, baseline=name == "baseline", train=not args.shipped, engine=engine,
                                    spark=spark) for _ in range(args.runs)]
            result = runs[-1]
            found = linked[(name, engine)] = {(a, b) for a, b, _p in result.matches}
            hits = len(found & truth)
            print(f"{name} on {engine}: {result.records:,} records, {result.pairs_scored:,} pairs scored, "
                  f"{statistics.median(r.seconds for r in runs):.1f} s (median of {[r.seconds for r in runs]}), "
                  f"precision {hits / max(1, len(found)):.4f}, recall {hits / len(truth):.4f}, "
                  f"{len(result.review):,} to review")
        if args.engine == "both":
            on_duckdb, on_spark = linked[(name, "duckdb")], linked[(name, "spark")]
            print(f"{name}: linked by DuckDB only {len(on_duckdb - on_spark):,}, by Spark only "
                  f"{len(on_spark - on_duckdb):,}, by both {len(on_duckdb & on_spark):,}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process {peak:.0f} MB (Spark's JVM not included)")


if __name__ == "__main__":
    main()
