"""Benchmark of the stored quality scores (issue 11 item 4): what scoring at import costs, what a trend read costs.

Set-up (not timed): a throw-away SQLite database and store in a temporary directory, the regions, 2,000 schools of
四川 in 20 counties, and ``BATCHES`` student files of about N rows each (``bench_basedata.generate``: valid IDs, ~2.4 %
of rows with an injected error; school codes 2151000000… of the register).

Timed, each file imported with ``importing.import_file`` alternately
* **with** the scores (as imported now: ``quality.quality_report`` on the rows just written, stored by
  ``record_quality`` in the import's transaction), and
* **without** them (the same import with the report switched off: the baseline, in the same run);
then, over the batches imported, a county's trend read from the stored scores (``quality_trend.trend``, median of
20 reads) against computing the same figures by rescanning the store (``quality.batch_quality`` of every batch, what
a trend would cost without stored scores).

Run: ``PYTHONPATH=$PWD .venv/bin/python bench/bench_basedata_quality.py [N] [BATCHES]`` (default 500,000 × 6).
"""

from __future__ import annotations

import datetime
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edupulse.settings")

TODAY = datetime.date(2025, 6, 1)  # the generator's school year
SCHOOLS = 2000
COUNTIES = ("510104", "510105", "510106", "510107", "510108", "510112", "510113", "510114", "510115", "510116",
            "510703", "510704", "510122", "510124", "510129", "510131", "510181", "510182", "510183", "510184")


def setup_register() -> None:
    """Regions and ``SCHOOLS`` schools (codes 2151000000…, as the generator writes them), spread over COUNTIES."""
    from django.core.management import call_command  # app registry: after django.setup()

    from edupulse.core import context
    from edupulse.core.regions import RegionCode
    from edupulse.orgs.models import Region, School

    call_command("migrate", verbosity=0)
    call_command("load_regions", stdout=io.StringIO())
    counties = [c for c in COUNTIES if Region.objects.filter(code=c).exists()]
    schools = []
    for i in range(SCHOOLS):
        county = RegionCode.parse(counties[i % len(counties)])
        schools.append(School(code=f"2151{i:06d}", name=f"学校{i}", category="21", county_id=county.code,
                              prefecture_id=county.at("prefecture").code, province_id=county.province.code,
                              urban_rural="111", ownership="public"))
    with context.inside_action():  # set-up only: the register is not what is measured
        School.objects.bulk_create(schools)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    batches = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    with tempfile.TemporaryDirectory() as directory:
        os.environ["EDUPULSE_VAR_DIR"] = directory
        files = []
        started = time.perf_counter()
        for i in range(batches):  # n, n+1, …: different files (an import is once per file)
            path = Path(directory) / f"students-{i}.parquet"
            subprocess.run([sys.executable, str(ROOT / "bench" / "bench_basedata.py"), "--generate", str(n + i),
                            str(path), str(SCHOOLS)], check=True)
            files.append(path)
        print(f"generated {batches} files of ~{n:,} rows in {time.perf_counter() - started:.1f} s")

        import django  # heavy: Django only once the files exist

        django.setup()
        # app registry: the modules below read models, which exist only after django.setup().
        from edupulse.basedata import importing, quality, quality_trend, store
        from edupulse.basedata.actions import imports
        from edupulse.basedata.models import ImportBatch
        from edupulse.core.actors import SYSTEM

        setup_register()
        scored, stored = importing.quality_report, imports.record_quality
        spent: list[float] = []

        def timed(function: Any) -> Any:
            """The function, adding its run time to ``spent`` (the scoring's own share of an import)."""

            def run(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return function(*args, **kwargs)
                finally:
                    spent.append(time.perf_counter() - started)

            return run

        imports.record_quality = timed(stored)
        timings: dict[str, list[float]] = {"with": [], "without": []}
        scoring: list[float] = []
        for i, path in enumerate(files):
            # ABBA order, so that neither variant always runs on the larger store.
            variant = "with" if i % 4 in (0, 3) else "without"
            # The baseline switches the report off (the batch is then stored without scores).
            importing.quality_report = timed(scored) if variant == "with" else (lambda *args: None)
            spent.clear()
            started = time.perf_counter()
            importing.import_file(path, "student", "xueji", acting_user=SYSTEM, today=TODAY)
            timings[variant].append(time.perf_counter() - started)
            if variant == "with":
                scoring.append(sum(spent))
        importing.quality_report, imports.record_quality = scored, stored
        for variant, values in timings.items():
            print(f"import {variant} scores: median {statistics.median(values):.2f} s "
                  f"({', '.join(f'{v:.2f}' for v in values)})")
        print(f"of which scoring and storing (quality_report + record_quality): median "
              f"{statistics.median(scoring):.2f} s ({', '.join(f'{v:.2f}' for v in scoring)})")
        quality.backfill(acting_user=SYSTEM)  # the baseline's batches get their scores: every batch in the trend

        group = quality_trend.region_group(SYSTEM, COUNTIES[3])
        assert group is not None
        reads = []
        for _ in range(20):
            started = time.perf_counter()
            points = quality_trend.trend(SYSTEM, "student", group)
            reads.append(time.perf_counter() - started)
        print(f"trend of {group.name} over {len(points)} batches from the stored scores: median "
              f"{statistics.median(reads) * 1000:.1f} ms")
        started = time.perf_counter()
        with store.connect() as connection:
            for batch in ImportBatch.objects.order_by("created_at"):
                quality.batch_quality(batch, connection)
        print(f"the same by rescanning the store (batch_quality of {batches} batches): "
              f"{time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
