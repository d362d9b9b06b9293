"""Benchmark: what the teacher rules (``rules_teacher.py``) add to the compiled check of a teacher file.

N demo teachers (``demo.teachers``, ~3 % with an injected error) are written to CSV and loaded once into DuckDB
(not timed). Timed, alternately: the compiled check query (``CREATE TEMP TABLE flagged AS check_sql(...)``) with
the teacher rules, and the same query with them removed — the baseline in the same run. One DuckDB thread, so
the figure is per core and the machine's other load disturbs it less.

Run: ``PYTHONPATH=$PWD .venv/bin/python bench/bench_basedata_teacher_rules.py [N] [RUNS]`` (default 200,000 × 9).
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edupulse.settings")

TODAY = datetime.date(2025, 6, 1)
SCHOOLS = [("2151900001", "510107"), ("2151900002", "510104"), ("3151900003", "511002")]


def main(n: int, runs: int) -> None:
    import django

    django.setup()
    from edupulse.basedata import demo, rules_teacher
    from edupulse.basedata.reading import load
    from edupulse.basedata.rules import check_sql
    from edupulse.basedata.schemas import TEACHER
    from edupulse.basedata.validation import open_work_connection, prepare

    with tempfile.TemporaryDirectory() as directory:
        path = demo.write_csv(demo.teachers(n, SCHOOLS, seed=1, today=TODAY), Path(directory) / "teachers.csv")
        with open_work_connection() as connection:
            connection.execute("SET threads = 1")
            prepare(connection, [(code, county, True) for code, county in SCHOOLS])
            load(path, TEACHER, connection, "src")
            with_rules = check_sql(TEACHER, "src", TODAY).sql
            original = rules_teacher.teacher_rules
            rules_teacher.teacher_rules = lambda today: []
            try:
                baseline = check_sql(TEACHER, "src", TODAY).sql
            finally:
                rules_teacher.teacher_rules = original
            times: dict[str, list[float]] = {"baseline (shared rules only)": [], "with the teacher rules": []}
            for _ in range(runs):
                for label, sql in zip(times, (baseline, with_rules), strict=True):
                    start = time.perf_counter()
                    connection.execute(f"CREATE OR REPLACE TEMP TABLE flagged AS {sql}")
                    times[label].append(time.perf_counter() - start)
    medians = {label: statistics.median(values) for label, values in times.items()}
    for label, median in medians.items():
        print(f"{label}: median {median:.3f} s ({n / median:,.0f} rows/s)")
    base, full = medians.values()
    print(f"added: {full - base:.3f} s = {(full - base) / n * 1e6:.2f} µs per row ({(full / base - 1) * 100:.0f} %)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000, int(sys.argv[2]) if len(sys.argv) > 2 else 9)
