#!/usr/bin/env bash
# Runs our tiers and the peers (scikit-learn, tf.keras, PyTorch) on the same
# workloads, interleaved in one run, and prints a table of medians and ratios.
#
#   benches/compare.sh [--reps N] [--workloads "w1 w2 w3"] [--python /path/to/venv/bin/python]
#
# Without --python (or $PEERS_PY) it creates .venv-peers/ with scikit-learn,
# tensorflow-cpu and torch from PyPI (several GB; once). JSON lines go to
# target/compare/runs.jsonl; the table to stdout. Each run is a fresh process,
# seed = repetition index, one process at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=3
WORKLOADS="w1 w2 w3"
PY="${PEERS_PY:-}"
TORCH_ADAM="${TORCH_ADAM:-fused}"
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS="$2"; shift 2 ;;
    --workloads) WORKLOADS="$2"; shift 2 ;;
    --python) PY="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$PY" ]; then
  if [ ! -x .venv-peers/bin/python ]; then
    python3 -m venv .venv-peers
    .venv-peers/bin/pip install --quiet scikit-learn tensorflow-cpu torch
  fi
  PY=.venv-peers/bin/python
fi
cargo build --release --example bench_workloads
OUT=target/compare
mkdir -p "$OUT"
RUNS="$OUT/runs.jsonl"
: > "$RUNS"
OURS=target/release/examples/bench_workloads
PEERS=benches/peers/bench_one.py
for rep in $(seq 0 $((REPS - 1))); do
  for wl in $WORKLOADS; do
    for api in tape keras sklearn; do
      "$OURS" --workload "$wl" --api "$api" --seed "$rep" --quiet | sed 's/^{/{"framework":"ours-'"$api"'",/' >> "$RUNS" || echo "ours-$api $wl failed" >&2
    done
    for fw in sklearn keras torch; do
      extra=()
      [ "$fw" = torch ] && extra=(--torch-adam "$TORCH_ADAM")
      "$PY" "$PEERS" --framework "$fw" --workload "$wl" --seed "$rep" --data-dir data "${extra[@]}" >> "$RUNS" 2>/dev/null \
        || echo "$fw $wl failed" >&2
    done
  done
done
"$PY" benches/compare_table.py "$RUNS"
