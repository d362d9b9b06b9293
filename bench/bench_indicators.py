"""Benchmark of the indicator library (issue 10): every indicator for the whole demo province recomputed.

Set-up (not timed): a fresh embedded database in a temporary directory, ``migrate``, ``load-regions``,
``demo-data --province 51 --scale S`` (S = 1.0: about 25,000 schools), ``collect demo --period 2022`` (2021
approved, 2022 in every review state) and ``monitor demo`` (websites, probe states, systems).

Timed, median of N runs each, in one process:
(a) ``compute``: numerator, denominator and coverage of every indicator in force for the province, its
    prefectures and counties, for 2 periods and one basis — the DuckDB engine (facts read from the database
    into Arrow, one grouped query per source);
(b) ``recompute``: the action that computes both bases for both periods and replaces the stored values;
(c) the baseline a developer would write first: the same figures added up in Python, school by school, from
    the submissions' values (as the collection summary did before), for the collection indicators only.

Run: ``.venv/bin/python bench/bench_indicators.py [--scale 1.0] [--runs 5] [--var-dir DIR]`` (``--var-dir`` reuses
the data directory an earlier run printed, skipping the set-up).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup(var_dir: Path, scale: float) -> None:
    env = {**os.environ, "EDUPULSE_VAR_DIR": str(var_dir)}
    for args in (["migrate", "--verbosity", "0"], ["load-regions"],
                 ["demo-data", "--province", "51", "--scale", str(scale), "--seed", "7"],
                 ["collect", "demo", "--period", "2022"], ["monitor", "demo"]):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "edupulse.cli", *args], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        print(f"set-up: {' '.join(args)} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)


def timed(fn: Any, runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def python_baseline(definitions: list[Any]) -> dict[tuple[str, str, str], tuple[float, float]]:
    """Σ numerator and Σ denominator per (indicator, period, county), school by school in Python."""
    from edupulse.collection.models import Submission
    from edupulse.collection.models.submission import APPROVED

    sums: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    rows = Submission.objects.filter(period__in=["2021", "2022"], status__in=list(APPROVED)).values_list(
        "school__county_id", "period", "values").iterator(chunk_size=5000)
    for county, period, values in rows:
        for d in definitions:
            fields = d.fields()
            if any(values.get(f) is None for f in fields):
                continue
            parts = []
            for measure in (d.numerator, d.denominator):
                if measure.kind == "sum":
                    parts.append(float(values[measure.field]))
                else:  # the library's simple conditions, evaluated by hand as a first attempt would
                    parts.append(1.0 if _holds(measure.condition, values) else 0.0)
            cell = sums[(d.code, period, county)]
            cell[0] += parts[0]
            cell[1] += parts[1]
    return {k: (v[0], v[1]) for k, v in sums.items()}


def _holds(condition: str, values: dict[str, Any]) -> bool:
    if condition.endswith("IS NOT NULL"):
        return values.get(condition.split()[0]) is not None
    if ">=" in condition:
        field, limit = (p.strip() for p in condition.split(">="))
        return float(values[field]) >= float(limit)
    return bool(values.get(condition.strip()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--var-dir", type=Path, help="reuse a data directory set up by an earlier run")
    args = parser.parse_args()
    var_dir = args.var_dir or Path(tempfile.mkdtemp(prefix="bench-indicators-"))
    if args.var_dir is None:
        setup(var_dir, args.scale)
    print(f"data directory: {var_dir}", file=sys.stderr)
    os.environ["EDUPULSE_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edupulse.settings")
    import django

    django.setup()
    from edupulse.core.actions import run_as_system
    from edupulse.indicators import computing
    from edupulse.indicators.actions import recompute
    from edupulse.indicators.definitions import effective
    from edupulse.orgs.models import School

    definitions = list(effective().values())
    schools = School.objects.filter(province_id="51", is_active=True).count()
    compute_s, result = timed(lambda: computing.compute(definitions, ["2021", "2022"], "approved"), args.runs)
    values = computing.values(result)
    recompute_s, _stored = timed(lambda: run_as_system(recompute, ["2021", "2022"]), args.runs)
    collection = [d for d in definitions if d.source.startswith("collection.")]
    baseline_s, baseline = timed(lambda: python_baseline(collection), args.runs)
    county_engine = {(v.indicator, v.period, v.region): (v.numerator, v.denominator) for v in values
                     if v.level == "county" and v.indicator in {d.code for d in collection}}
    mismatches = [k for k, (n, d) in baseline.items() if county_engine.get(k, (0.0, 0.0)) != (round(n, 4), round(d, 4))]
    print(f"machine: {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"schools: {schools}; indicators: {len(definitions)}; values per basis: {len(values)} "
          f"(2 periods × province, prefectures, counties)")
    print(f"(a) compute, 2 periods, one basis:        median {compute_s:.3f} s")
    print(f"(b) recompute + store, 2 periods × 2 bases: median {recompute_s:.3f} s (target < 2 s)")
    print(f"(c) Python baseline, collection indicators only, county level only: median {baseline_s:.3f} s "
          f"(engine/baseline = {compute_s / baseline_s:.2f}; county sums that differ: {len(mismatches)})")


if __name__ == "__main__":
    main()
