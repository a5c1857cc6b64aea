#!/usr/bin/env bash
# Compare replaygate's in-process XGBoost evaluator (models/xgboost) with
# XGBoost's own prediction, one core each, on the same model and rows.
#
#   bench/xgboost.sh [MODEL]     MODEL defaults to fixtures/models/candidate.json
#
# Needs Go and Python 3 with XGBoost (Debian: apt-get install python3-xgboost).
# Environment: PYTHON (default /usr/bin/python3), BENCH_ROWS (default 200000),
# BENCH_SEED (default 42).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
if [[ $# -ge 1 ]]; then
	model=$1
	[[ $model == /* ]] || model="$PWD/$model"
else
	model="$root/fixtures/models/candidate.json"
fi
py=${PYTHON:-/usr/bin/python3}
rows=${BENCH_ROWS:-200000}
seed=${BENCH_SEED:-42}

if [[ ! -f $model ]]; then
	echo "xgboost.sh: no model at $model" >&2
	exit 3
fi
if ! "$py" -c 'import numpy, xgboost' 2>/dev/null; then
	echo "xgboost.sh: $py cannot import xgboost and numpy" >&2
	echo "hint: apt-get install python3-xgboost, or set PYTHON to an interpreter that has them" >&2
	exit 3
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
native="$root/bench/xgboost_native.py"
export OMP_NUM_THREADS=1

echo "== rows: $rows, seed $seed, drawn around the model's split thresholds (10% missing)" >&2
"$py" "$native" rows --model "$model" --rows "$rows" --seed "$seed" --out "$tmp/rows.bin"

echo "== replaygate (go test -bench, -cpu 1)" >&2
(cd "$root" && REPLAYGATE_BENCH_MODEL="$model" REPLAYGATE_BENCH_ROWS="$tmp/rows.bin" REPLAYGATE_BENCH_OUT="$tmp/ours.bin" \
	go test ./models/xgboost -run '^$' -bench '^(BenchmarkPredictDense|BenchmarkModelPredict)$' \
	-benchtime 3x -count 3 -cpu 1) | tee "$tmp/go.txt" >&2

echo "== xgboost (nthread=1)" >&2
"$py" "$native" time --model "$model" --bin "$tmp/rows.bin" --json "$tmp/native.json" --repeat 3 --check "$tmp/ours.bin"

echo
"$py" "$native" report --native "$tmp/native.json" --go "$tmp/go.txt"
