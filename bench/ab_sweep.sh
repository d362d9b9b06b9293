#!/usr/bin/env bash
# Same-run A/B of the sweep benchmark: a base commit against this working tree, interleaved
# (base, new, base, new …) so that both see the same neighbours on a shared machine.
#
#   bench/ab_sweep.sh BASE_COMMIT [SITES=4000] [ROUNDS=2] [PROCESSES=2]
#
# Prints one line per run: which side, wall seconds, prober CPU ms per site, errors.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base=${1:?usage: bench/ab_sweep.sh BASE_COMMIT [SITES] [ROUNDS] [PROCESSES]}
sites=${2:-4000}
rounds=${3:-2}
processes=${4:-2}
worktree=$(mktemp -d)
cleanup() { git -C "$here" worktree remove --force "$worktree" >/dev/null 2>&1 || rm -rf "$worktree"; }
trap cleanup EXIT
git -C "$here" worktree add --detach --force "$worktree" "$base" >/dev/null
for _ in $(seq "$rounds"); do
  for side in base new; do
    dir=$here
    [ "$side" = base ] && dir=$worktree
    line=$(cd "$dir" && "$here/.venv/bin/python" bench/bench_probes.py --only sweep --sweep-sites "$sites" \
             --processes "$processes" 2>/dev/null | grep '^{"')
    echo "$side $(echo "$line" | "$here/.venv/bin/python" -c \
      'import json,sys; d=json.load(sys.stdin)["sweep"]; print(d["seconds"], "s", d["client_ms_per_site"], "ms/site", d["errors"], "errors")')"
  done
done
