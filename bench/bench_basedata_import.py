"""Benchmark of reading and importing a large GBK CSV of students (issue 11, "a 1 GB GBK CSV").

Generation (not timed, in a child process): ``bench_basedata.generate`` writes N student rows (valid IDs,
~2.4 % of rows with one injected error) to Parquet; DuckDB turns them into a UTF-8 CSV with the Chinese
headers; that CSV is re-encoded to GB18030 (what "GBK" files are read as) with CSV faults added on the
way: every 1,000,000th data line gets an extra non-empty cell (a ``ragged_row``), every 500,000th one a
blank line before it (row numbers must count it). 11,000,000 rows make a file of about 1 GB.

Timed, each in a fresh child process so that its peak RSS (``resource.getrusage``) is its own:

* ``load``: ``reading.load`` alone (the file into a DuckDB temporary table, all text);
* ``load-python``: the same with the fast path switched off (``reading.FAST_CSV = False``): the Python
  ``csv`` module row by row, as every CSV was read before;
* ``import``: ``importing.import_file`` end to end (validation, store writes into a temporary store and a
  temporary SQLite database, the batch recorded through its action) with a register of 2,000 schools;
* baselines a user might reach for: ``polars`` (``polars.read_csv(encoding="gbk")``, every column as
  text) and ``pyarrow`` (``pyarrow.csv.open_csv`` streaming with ``encoding="gb18030"``, every column as
  text, batches counted and dropped). pandas is not installed in the project's environment.

``--xlsx-rows N`` also writes N rows as an XLSX workbook (text cells, Chinese headers) and times
``reading.load`` on it (python-calamine, row by row).

Run: ``PYTHONPATH=$PWD .venv/bin/python bench/bench_basedata_import.py [--rows N] [--repeat R]
[--modes load,load-python,import,polars,pyarrow] [--file PATH] [--xlsx-rows N]`` (``--file`` reuses a
generated file). Wall times on a shared machine vary with the other sessions' load; the CPU seconds
(user + system, all threads) vary much less.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edupulse.settings")

TODAY = datetime.date(2025, 6, 1)
SCHOOLS = 2000
RAGGED_EVERY = 1_000_000
BLANK_EVERY = 500_000
MODES = ("load", "load-python", "import", "polars", "pyarrow")


def generate_csv(n: int, path: Path) -> None:
    """Write ``n`` student rows to ``path`` as GB18030 CSV with Chinese headers (run in a child process)."""
    import duckdb
    from bench_basedata import generate

    from edupulse.basedata.schemas import STUDENT

    parquet, utf8 = path.with_suffix(".parquet"), path.with_suffix(".utf8.csv")
    generate(n, parquet)
    labels = ", ".join(f'"{f.name}" AS "{f.label}"' for f in STUDENT.fields if f.column_required)
    with duckdb.connect() as connection:
        connection.execute(f"COPY (SELECT {labels} FROM read_parquet('{parquet}')) TO '{utf8}' (HEADER, DELIMITER ',')")
    parquet.unlink()
    line = 0
    with utf8.open(encoding="utf-8", newline="") as source, path.open("wb") as target:
        while lines := source.readlines(1 << 23):
            for i, text in enumerate(lines):
                number = line + i  # 0 is the header
                if number and number % RAGGED_EVERY == 0:
                    lines[i] = text.rstrip("\n") + ",多余\n"
                elif number and number % BLANK_EVERY == 0:
                    lines[i] = "\n" + text
            line += len(lines)
            target.write("".join(lines).encode("gb18030"))
    utf8.unlink()


def generate_xlsx(n: int, path: Path) -> None:
    """Write ``n`` student rows to ``path`` as XLSX, every cell text (run in a child process)."""
    import pyarrow.parquet as pq
    import xlsxwriter
    from bench_basedata import generate

    from edupulse.basedata.schemas import STUDENT

    parquet = path.with_suffix(".parquet")
    generate(n, parquet)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    names = [f.name for f in STUDENT.fields if f.column_required]
    sheet.write_row(0, 0, [STUDENT.field(name).label for name in names])
    row = 1
    for batch in pq.ParquetFile(parquet).iter_batches(columns=names):
        for values in zip(*(batch.column(name).to_pylist() for name in names), strict=True):
            sheet.write_row(row, 0, values)  # strings: written as text cells
            row += 1
    workbook.close()
    parquet.unlink()


def measure(mode: str, path: Path) -> dict[str, float]:
    """Run one timed mode in this (child) process; the figures as a dict."""
    import django

    django.setup()
    rows = 0
    started = time.perf_counter()
    cpu_before = cpu_seconds()
    if mode in ("load", "load-python"):
        from edupulse.basedata import reading
        from edupulse.basedata.schemas import STUDENT
        from edupulse.basedata.validation import open_work_connection

        reading.FAST_CSV = mode == "load"
        with open_work_connection() as connection:
            started, cpu_before = time.perf_counter(), cpu_seconds()
            loaded = reading.load(path, STUDENT, connection)
            rows = loaded.rows
            extra = {"issues": len(loaded.issues)}
    elif mode == "import":
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from edupulse.basedata import importing
        from edupulse.core.actors import SYSTEM

        register = [(f"2151{i:06d}", "510107", True) for i in range(SCHOOLS)]
        importing.school_register = lambda: register  # type: ignore[assignment]  # no School rows in this database
        started, cpu_before = time.perf_counter(), cpu_seconds()
        outcome = importing.import_file(path, "student", "xueji", acting_user=SYSTEM, today=TODAY,
                                        store_path=path.parent / "store.duckdb")
        rows = outcome.batch.rows_total
        extra = {"clean": outcome.batch.rows_clean, "rejected": outcome.batch.rows_rejected}
    elif mode == "polars":
        import polars as pl

        frame = pl.read_csv(path, encoding="gbk", infer_schema=False, truncate_ragged_lines=True)
        rows = frame.height
        extra = {}
    elif mode == "pyarrow":
        import pyarrow as pa
        from pyarrow import csv as pacsv

        from edupulse.basedata.schemas import STUDENT

        labels = [f.label for f in STUDENT.fields if f.column_required]
        reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(encoding="gb18030", block_size=1 << 24),
                                convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(labels, pa.string())),
                                parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: "skip"))
        for batch in reader:
            rows += batch.num_rows
        extra = {}
    else:
        raise SystemExit(f"unknown mode {mode}")
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": round(elapsed, 2), "cpu": round(cpu, 2), "rows": rows, "peak_mb": peak, **extra}


def cpu_seconds() -> float:
    """User and system CPU time of this process, all its threads (DuckDB's and Arrow's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(args: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    output = subprocess.run(["nice", sys.executable, __file__, *args], check=True, capture_output=True, text=True,
                            env=env)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=11_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--file", type=Path, help="reuse a file generated before (kept)")
    parser.add_argument("--xlsx-rows", type=int, default=0, help="also time reading.load on an XLSX of this many rows")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        path = args.file
        if path is None:
            path = workdir / "students_gbk.csv"
            started = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--generate", str(args.rows), str(path)], check=True)
            print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.0f} s "
                  f"({path.stat().st_size / 1e6:,.0f} MB GB18030)", flush=True)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}"}
        results: dict[str, list[dict[str, float]]] = {mode: [] for mode in args.modes.split(",")}
        for attempt in range(args.repeat):
            for mode in results:  # interleaved, so that a busy minute of the shared machine hits every mode
                # A fresh store and database: the same file imported again would return the first batch.
                for stale in [*workdir.glob("store.duckdb*"), *workdir.glob("bench.sqlite3*")]:
                    stale.unlink()
                figures = child(["--measure", mode, str(path)], env)
                results[mode].append(figures)
                print(f"  run {attempt + 1} {mode}: {json.dumps(figures)}", flush=True)
        if args.xlsx_rows:
            workbook = workdir / "students.xlsx"
            subprocess.run([sys.executable, __file__, "--generate-xlsx", str(args.xlsx_rows), str(workbook)], check=True)
            print(f"generated {args.xlsx_rows:,} rows as XLSX ({workbook.stat().st_size / 1e6:,.1f} MB)", flush=True)
            for attempt in range(args.repeat):
                figures = child(["--measure", "load", str(workbook)], env)
                print(f"  run {attempt + 1} xlsx load: {json.dumps(figures)}", flush=True)
        load = os.getloadavg()
        print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        print("| mode | rows | median time | rows/s | MB/s | median CPU | peak RSS (max) | runs |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        size = path.stat().st_size / 1e6
        for mode, runs in results.items():
            seconds = statistics.median(r["seconds"] for r in runs)
            rows = int(runs[0]["rows"])
            each = ", ".join(f"{r['seconds']:.1f}" for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            print(f"| {mode} | {rows:,} | {seconds:.1f} s | {rows / seconds:,.0f} | {size / seconds:,.0f} | {cpu:.1f} s | "
                  f"{max(r['peak_mb'] for r in runs):,.0f} MB | {each} |")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--generate":
        generate_csv(int(sys.argv[2]), Path(sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "--generate-xlsx":
        generate_xlsx(int(sys.argv[2]), Path(sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], Path(sys.argv[3]))))
    else:
        main()
