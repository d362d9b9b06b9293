"""Benchmark of base-data entity resolution (issue 11: Splink dedupe of 1 M records in under 2 minutes).

Data (not timed): ``linking_data.population`` — N persons in N/800 schools, 20 % of them present a second
time from another source system with one kind of damage (a typo, a homophone, day and month swapped, a
birth-date digit) or none. About 1.2 N records; the ground truth is known.

Timed, per configuration: ``linking.resolve`` — names to pinyin, Splink's training (prior, u by sampling,
m by EM), scoring the blocked pairs, union–find clusters. Printed: records, pairs scored, seconds, pairwise
precision and recall of the linked pairs (probability ≥ UPPER), and the peak RSS of the process.

* ``tuned``: EduPulse's model (``linking.model_settings``: name, pinyin, Levenshtein and Jaro–Winkler levels,
  swapped day/month);
* ``baseline``: Splink's library comparisons with their default parameters (``NameComparison``,
  ``DateOfBirthComparison``), same blocking and training.

Run: ``PYTHONPATH=$PWD .venv/bin/python bench/bench_basedata_dedupe.py [N] [tuned|baseline|both]``
(default 1,000,000 both).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edupulse.settings")


def main() -> None:
    import django  # app registry: settings must be configured before the app modules load

    django.setup()
    from edupulse.basedata import linking
    from edupulse.basedata.linking_data import population, true_pairs

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    which = sys.argv[2] if len(sys.argv) > 2 else "both"
    started = time.perf_counter()
    people = population(n, [f"21519{i:05d}" for i in range(max(1, n // 800))], seed=2026)
    truth = set(true_pairs(people))
    print(f"generated {people.num_rows:,} records in {time.perf_counter() - started:.1f} s")
    records = people.select(list(linking.LINK_COLUMNS))
    for name in ("tuned", "baseline") if which == "both" else (which,):
        result = linking.resolve(records, baseline=name == "baseline", train=True)
        found = {(a, b) for a, b, _p in result.matches}
        hits = len(found & truth)
        print(f"{name}: {result.records:,} records, {result.pairs_scored:,} pairs scored, {result.seconds:.1f} s, "
              f"precision {hits / max(1, len(found)):.4f}, recall {hits / len(truth):.4f}, "
              f"{len(result.review):,} to review")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
