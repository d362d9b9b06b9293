"""Benchmark of the annual development report (issue 10: all three formats in under 30 s).

Runs ``edupulse report annual --region R --year Y --format html,pdf,docx --out DIR`` N times as a separate
process each (cold: interpreter, Django, WeasyPrint and python-docx start every time, as an officer's
request in a fresh worker would) against an existing database with computed indicator values, and reports
the median and worst wall time, and the median of each step (gather, layout, html, pdf, docx) from the
command's JSON output.

Run against a copy of the demo database (never the read-only original):

    cp -r /tmp/demo-db /tmp/bench-report-db && chmod -R u+w /tmp/bench-report-db
    EDUPULSE_VAR_DIR=/tmp/bench-report-db .venv/bin/python bench/bench_report.py [--runs 5] [--region 51]

Prints one JSON object; ``--budget`` (default 30 s) makes it exit 1 when the median is over the budget.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EDUPULSE = [sys.executable, "-m", "edupulse"]


def one_run(region: str, year: str, formats: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-report-") as out:
        started = time.perf_counter()
        done = subprocess.run([*EDUPULSE, "report", "annual", "--region", region, "--year", year,
                               "--format", formats, "--out", out], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"report failed ({done.returncode}): {done.stderr.strip()}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        sizes = {fmt: Path(path).stat().st_size for fmt, path in result["files"].items()}
    return {"wall": wall, "steps": result["seconds"], "sizes": sizes}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--region", default="51")
    parser.add_argument("--year", default="2022")
    parser.add_argument("--format", default="html,pdf,docx")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds allowed for the median run")
    args = parser.parse_args()
    if "EDUPULSE_VAR_DIR" not in os.environ:  # the demo's data directory, read by the settings
        raise SystemExit("set EDUPULSE_VAR_DIR to a copy of the demo database (see the docstring)")
    runs = [one_run(args.region, args.year, args.format) for _ in range(args.runs)]
    walls = [r["wall"] for r in runs]
    steps = sorted({step for r in runs for step in r["steps"]})
    summary = {
        "benchmark": "annual report", "region": args.region, "year": args.year, "formats": args.format,
        "runs": args.runs, "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "wall_seconds": {"median": round(statistics.median(walls), 2), "max": round(max(walls), 2),
                         "min": round(min(walls), 2)},
        "step_seconds_median": {s: round(statistics.median(r["steps"].get(s, 0.0) for r in runs), 3) for s in steps},
        "file_bytes": runs[-1]["sizes"], "budget_seconds": args.budget,
    }
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0 if summary["wall_seconds"]["median"] <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
