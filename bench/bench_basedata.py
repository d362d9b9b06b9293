"""Benchmark of base-data validation (issue 11): N student rows from Parquet, validated end to end.

Generation (not timed, in a child process so that its memory does not count): N rows written by DuckDB
straight to Parquet — unique, valid ID numbers (region × birth date × sequence from the row index, the
check digit computed in SQL), the grade matching the age, ~3 % of rows with one injected error (missing
name, wrong check digit, gender flipped, unknown school, the previous row's person again). The other columns vary
as a province's do, so that no check is flattered by a constant column: about 300 k distinct names, 20 k schools,
9 % of students not Han across 55 ethnicity codes, 12 classes, the enrolment date of the grade, a few students
suspended or returning, and the three flags set for 8–12 %.

Timed: ``validation.validate_file`` on the file — load (a view over the Parquet file), the compiled
checks (one pass plus the duplicate aggregate), the issues fetched into Python — as ``edupulse basedata
validate`` runs it. Printed: rows/s and the peak RSS of this process (``resource.getrusage``).

Run: ``PYTHONPATH=$PWD .venv/bin/python bench/bench_basedata.py [N] [--runs K]`` (default 1,000,000), or
``--generate N FILE [SCHOOLS]`` once and then ``--file FILE [--runs K]`` (from two checkouts, for an A/B on one file).
"""

from __future__ import annotations

import datetime
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edupulse.settings")

TODAY = datetime.date(2025, 6, 1)
SCHOOLS = 20000  # about a province's count
# Names from common surnames and given-name characters: about 300 k distinct, as unique as real names are.
SURNAMES_TEXT = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
                 "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_TEXT = ("子涵梓轩浩宇欣怡雨桐一诺思远嘉怡俊杰晨曦佳琪博文语嫣天佑若汐明辉雅静志强丽娟海涛秀英建国婷婷伟华文静"
              "鑫磊晓燕宏伟玉兰")
SURNAMES = "[" + ", ".join(f"'{c}'" for c in SURNAMES_TEXT) + "]"
GIVEN = "[" + ", ".join(f"'{c}'" for c in GIVEN_TEXT) + "]"
DAYS = 3900  # birth dates over about 10.7 years: ages 6 to 17
REGIONS = 997  # a prime: the row index spreads over regions, sequences and dates without repeating a person


def generate(n: int, path: Path, schools: int = SCHOOLS) -> None:
    """Write ``n`` student rows of ``schools`` schools (codes 2151000000…) to ``path`` with DuckDB (run in a child
    process)."""
    import duckdb  # heavy: only in the generating child

    from edupulse.basedata.regions import region_spans
    from edupulse.basedata.rules import checksum_sql

    regions = sorted({s.code for s in region_spans() if s.start <= 2005 and s.end >= 2025 and not s.code.endswith("00")})
    regions = regions[:: max(1, len(regions) // REGIONS)][:REGIONS]
    region_list = "[" + ", ".join(f"'{r}'" for r in regions) + "]"
    grades = "['11', '12', '13', '14', '15', '16', '21', '22', '23', '31', '32', '33']"
    con = duckdb.connect()
    con.execute("SET memory_limit = '2GB'")
    body = (f"{region_list}[(p % {len(regions)}) + 1] || strftime(born, '%Y%m%d') || "
            f"lpad(CAST((p // {len(regions) * DAYS}) % 1000 AS VARCHAR), 3, '0')")
    con.execute(f"""
COPY (
WITH r AS (SELECT i, hash(i, 11) % 1000 AS dice FROM range({n}) t(i)),
people AS (SELECT i, dice, CASE WHEN dice BETWEEN 20 AND 24 AND i > 0 THEN i - 1 ELSE i END AS p FROM r),
born AS (SELECT *, DATE '2007-09-01' + CAST((p // {len(regions)}) % {DAYS} AS INTEGER) AS born FROM people),
ids AS (SELECT *, {body} AS b FROM born),
withcheck AS (SELECT *, b || {checksum_sql('b')} AS id FROM ids)
SELECT student_no, id_type, id_number, name, gender, birth_date, ethnicity, school_code, grade, class_name,
       strftime(make_date(2025 - CAST(right(grade, 1) AS INTEGER), 9, 1), '%Y-%m-%d') AS enrol_date, status,
       left_behind, migrant, needy
FROM (
SELECT i, 'G' || id AS student_no, '1' AS id_type,
       CASE WHEN dice BETWEEN 10 AND 14 THEN left(id, 17) || CASE WHEN right(id, 1) = '0' THEN '1' ELSE '0' END
            ELSE id END AS id_number,
       CASE WHEN dice < 10 THEN NULL ELSE {SURNAMES}[CAST(hash(p * 16 + 1) % {len(SURNAMES_TEXT)} AS INTEGER) + 1]
            || {GIVEN}[CAST(hash(p * 16 + 2) % {len(GIVEN_TEXT)} AS INTEGER) + 1]
            || CASE WHEN hash(p * 16 + 3) % 3 > 0
                    THEN {GIVEN}[CAST(hash(p * 16 + 4) % {len(GIVEN_TEXT)} AS INTEGER) + 1] ELSE '' END END AS name,
       CASE WHEN (CAST(substr(id, 17, 1) AS INTEGER) % 2 = 1) <> (dice BETWEEN 15 AND 17) THEN '1' ELSE '2' END AS gender,
       strftime(born, '%Y-%m-%d') AS birth_date,
       CASE WHEN hash(p * 16 + 5) % 100 < 91 THEN '01'
            ELSE lpad(CAST(2 + hash(p * 16 + 6) % 55 AS VARCHAR), 2, '0') END AS ethnicity,
       CASE WHEN dice = 18 THEN '2199999999' ELSE '2151' || lpad(CAST(p % {schools} AS VARCHAR), 6, '0') END AS school_code,
       {grades}[2024 - year(born) - CASE WHEN strftime(born, '%m%d') > '0831' THEN 1 ELSE 0 END - 5] AS grade,
       CAST(1 + hash(p * 16 + 7) % 12 AS VARCHAR) || '班' AS class_name,
       CASE WHEN hash(p * 16 + 8) % 100 < 97 THEN '01' WHEN hash(p * 16 + 8) % 100 = 97 THEN '02'
            WHEN hash(p * 16 + 8) % 100 = 98 THEN '05' ELSE '03' END AS status,
       CASE WHEN hash(p * 16 + 9) % 10 = 0 THEN '1' ELSE '0' END AS left_behind,
       CASE WHEN hash(p * 16 + 10) % 12 = 0 THEN '1' ELSE '0' END AS migrant,
       CASE WHEN hash(p * 16 + 11) % 8 = 0 THEN '1' ELSE '0' END AS needy
FROM withcheck)
ORDER BY i
) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 122880)
""")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _validate(path: Path, runs: int) -> None:
    """Validate ``path`` ``runs`` times; print the median wall and CPU time (CPU: both DuckDB threads summed,
    the steadier figure on a shared machine) and the peak RSS."""
    import django  # heavy: Django only for the timed part

    django.setup()
    from edupulse.basedata.validation import validate_file  # app registry: after django.setup()

    register = [(f"2151{i:06d}", "510107", True) for i in range(SCHOOLS)]
    walls, cpus = [], []
    for _run in range(runs):
        cpu, started = _cpu_seconds(), time.perf_counter()
        result = validate_file(path, "student", today=TODAY, schools=register)
        walls.append(time.perf_counter() - started)
        cpus.append(_cpu_seconds() - cpu)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"validated {result.rows:,} rows in {wall:.2f} s (median of {runs}: {', '.join(f'{w:.2f}' for w in walls)}): "
          f"{result.rows / wall:,.0f} rows/s; CPU {cpu:.2f} s = {cpu / result.rows * 1e6:.2f} µs a row; "
          f"peak RSS {peak_mb:,.0f} MB, {len(result.issues):,} issues")
    print({rule: count for rule, count in result.counts.items() if count})


def main() -> None:
    """``N`` (default 1,000,000) generates and validates; ``--file PATH`` validates a file generated before
    (``--generate N PATH``), e.g. to compare two checkouts on the same file: run this script from each with
    ``PYTHONPATH`` set to that checkout. ``--runs K`` repeats the validation."""
    args = sys.argv[1:]
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 1
    if "--file" in args:
        _validate(Path(args[args.index("--file") + 1]), runs)
        return
    n = int(args[0]) if args and args[0].isdigit() else 1_000_000
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "students.parquet"
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--generate", str(n), str(path)], check=True)
        print(f"generated {n:,} rows in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
        _validate(path, runs)


if __name__ == "__main__":
    if len(sys.argv) in (4, 5) and sys.argv[1] == "--generate":  # --generate N FILE [SCHOOLS]
        generate(int(sys.argv[2]), Path(sys.argv[3]), *(int(a) for a in sys.argv[4:]))
    else:
        main()
