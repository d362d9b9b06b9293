"""Benchmark of statistics collection (issue 3).

(a) A province's upload: N single-school xlsx templates (default 25,000) parsed (python-calamine, 2
    forked worker processes that also run the 28 rules incl. year-on-year) and stored (bulk, one audit
    row each, chunk by chunk while the workers parse the next chunks) — ``edupulse collect import``
    without the CLI wrapper, timed end to end; the parse stage alone (nothing stored) is timed
    separately; then the same files are re-imported (idempotent: nothing written).
(b) The province summary table (county × school category with totals, from approved data) built and
    written as XLSX: median of 5.
(c) Parse step: python-calamine vs openpyxl (read-only, values) reading the same files' two sheets,
    single process: median of 3 passes, ratio.

Set-up (not timed): fresh database, ``migrate``, ``load-regions``, ``demo-data --province 51`` at a scale
giving at least N schools the form is assigned to, then N files written from 20 realistic base
templates with each school's code patched in.

Run: ``.venv/bin/python bench/bench_collection.py [--count 25000] [--no-postgres] [--compare 500]``.
PostgreSQL: 127.0.0.1:5432, trust auth; database ``edupulse_bench_collection`` is created and dropped.
openpyxl is only needed here: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
EDUPULSE = [sys.executable, "-m", "edupulse.cli"]
FORM = "edu_informatization_annual"
PERIOD = "2022"
PLACEHOLDER_CODE = "2151999999"
PLACEHOLDER_NAME = "基准学校占位名称"


def run(cmd: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def psql(pg_url: str, sql: str) -> None:
    import psycopg

    parsed = urlparse(pg_url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def prepare(kind: str, workdir: Path, pg_url: str, scale: float) -> dict[str, str]:
    env = dict(os.environ, EDUPULSE_VAR_DIR=str(workdir), EDUPULSE_DEBUG="0", EDUPULSE_ENFORCE_ACTIONS="0")
    if kind == "postgresql":
        name = urlparse(pg_url).path.lstrip("/")
        psql(pg_url, f"DROP DATABASE IF EXISTS {name}")
        psql(pg_url, f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = pg_url
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    run([*EDUPULSE, "migrate", "--verbosity", "0"], env)
    run([*EDUPULSE, "load-regions"], env)
    run([*EDUPULSE, "demo-data", "--province", "51", "--scale", str(scale), "--quiet"], env)
    run([*EDUPULSE, "collect", "load-forms"], env)
    return env


# ------------------------------------------------------------------------------------------- child


def write_files(count: int, directory: Path) -> tuple[list[Path], float]:
    """N template files for N assigned schools, from 20 realistic base templates (code/name patched)."""
    import random

    from edupulse.collection import workbook
    from edupulse.collection.completeness import expected_schools
    from edupulse.collection.demo import realistic_values
    from edupulse.collection.registry import current_version, spec_for
    from edupulse.core.actors import SYSTEM

    spec = spec_for(current_version(FORM))
    schools = list(expected_schools(spec, SYSTEM).filter(province_id="51").order_by("code")[:count])
    if len(schools) < count:
        sys.exit(f"only {len(schools)} assigned schools; raise --scale")
    rng = random.Random(3)
    bases = []
    for school in schools[:20]:
        data = workbook.build_template(spec, school_code=PLACEHOLDER_CODE, school_name=PLACEHOLDER_NAME,
                                       period=PERIOD, values=realistic_values(school, rng))
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            bases.append([(info, archive.read(info)) for info in archive.infolist()])
    started = time.perf_counter()
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    code_bytes, name_bytes = PLACEHOLDER_CODE.encode(), PLACEHOLDER_NAME.encode()
    for index, school in enumerate(schools):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
            for info, content in bases[index % len(bases)]:
                if info.filename.endswith(".xml"):
                    content = content.replace(code_bytes, school.code.encode()).replace(name_bytes,
                                                                                        school.name.encode())
                out.writestr(info.filename, content)
        path = directory / f"{school.code}.xlsx"
        path.write_bytes(buffer.getvalue())
        paths.append(path)
    return paths, time.perf_counter() - started


def child(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edupulse.settings")
    import django

    django.setup()
    from django.db import connection

    from edupulse.collection import importing, products
    from edupulse.collection.models import Submission
    from edupulse.collection.models.submission import SubmissionStatus as Status
    from edupulse.collection.registry import current_version, spec_for
    from edupulse.core import context
    from edupulse.core.actors import SYSTEM

    workdir = Path(args.workdir)
    paths, generate_seconds = write_files(args.count, workdir / "files")
    version = current_version(FORM)
    spec = spec_for(version)
    limits = importing.current_limits()
    result: dict[str, Any] = {"vendor": connection.vendor, "files": len(paths), "generate_s": generate_seconds}
    with context.using(context.cli_context()):
        tasks, failed = importing.tasks_from_paths(paths, limits)
        started = time.perf_counter()
        importing.parse_all(tasks, spec, PERIOD, limits, workers=2)  # the parse stage alone, nothing stored
        result["parse_only_s"] = time.perf_counter() - started
        started = time.perf_counter()
        tasks, failed = importing.tasks_from_paths(paths, limits)
        report = importing.run_import(tasks, failed, form_code=FORM, period=PERIOD, acting_user=SYSTEM, workers=2)
        result.update({"import_s": time.perf_counter() - started, "accepted": report.accepted,
                       "rejected": report.rejected, "check_store_s": report.check_store_seconds})
        started = time.perf_counter()
        tasks, failed = importing.tasks_from_paths(paths, limits)
        again = importing.run_import(tasks, failed, form_code=FORM, period=PERIOD, acting_user=SYSTEM, workers=2)
        result["reimport_s"] = time.perf_counter() - started
        result["reimport_check_store_s"] = again.check_store_seconds
        result["reimport_accepted"] = again.accepted
        result["submissions"] = Submission.objects.filter(form=version.form, period=PERIOD).count()
    Submission.objects.filter(form=version.form, period=PERIOD).update(status=Status.COUNTY_APPROVED)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        summary = products.summarise(spec, PERIOD, "county", user=SYSTEM)
        products.summary_xlsx(summary)
        timings.append(time.perf_counter() - started)
    result.update({"summary_s": statistics.median(timings), "summary_schools": summary.total.schools,
                   "summary_regions": len(summary.regions)})
    if args.compare:
        result.update(compare(paths[: args.compare]))
    print(json.dumps(result))


def compare(paths: list[Path]) -> dict[str, Any]:
    """Read both sheets of the same files with python-calamine and with openpyxl."""
    import python_calamine

    try:
        import openpyxl
    except ImportError:
        return {"compare": "openpyxl not installed (pip install -e '.[bench]')"}
    blobs = [p.read_bytes() for p in paths]

    def with_calamine() -> int:
        cells = 0
        for blob in blobs:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(blob))
            for name in book.sheet_names:
                cells += sum(len(r) for r in book.get_sheet_by_name(name).to_python(skip_empty_area=False))
        return cells

    def with_openpyxl() -> int:
        cells = 0
        for blob in blobs:
            book = openpyxl.load_workbook(io.BytesIO(blob), read_only=True, data_only=True)
            for sheet in book.worksheets:
                cells += sum(len(r) for r in sheet.iter_rows(values_only=True))
            book.close()
        return cells

    def timed(fn: Any) -> float:
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - started)
        return statistics.median(runs)

    calamine_s, openpyxl_s = timed(with_calamine), timed(with_openpyxl)
    return {"compare_files": len(blobs), "calamine_ms_per_file": 1000 * calamine_s / len(blobs),
            "openpyxl_ms_per_file": 1000 * openpyxl_s / len(blobs), "openpyxl_over_calamine": openpyxl_s / calamine_s}


# ------------------------------------------------------------------------------------------ driver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=25000)
    parser.add_argument("--compare", type=int, default=500, help="files for the calamine/openpyxl comparison")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/edupulse_bench_collection")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    # About 44% of a province's schools get the survey (kindergartens do not): pick a scale that
    # yields at least --count assigned schools.
    scale = min(4.0, max(0.05, round(args.count / 10000 + 0.05, 2)))
    kinds = [k for k, off in (("sqlite", args.no_sqlite), ("postgresql", args.no_postgres)) if not off]
    print(f"machine: {platform.node()} {platform.machine()} cpus={os.cpu_count()} python={platform.python_version()}")
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="bench-collection-") as tmp:
            workdir = Path(tmp)
            env = prepare(kind, workdir, args.pg_url, scale)
            out = run([sys.executable, __file__, "--child", "--count", str(args.count), "--workdir", tmp,
                       "--compare", str(args.compare if kind == "sqlite" else 0)], env)
            result = json.loads(out.strip().splitlines()[-1])
            print(json.dumps({"backend": kind, **result}, ensure_ascii=False))
            if kind == "postgresql":
                psql(args.pg_url, f"DROP DATABASE IF EXISTS {urlparse(args.pg_url).path.lstrip('/')}")


if __name__ == "__main__":
    main()
