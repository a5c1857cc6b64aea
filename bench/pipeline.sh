#!/usr/bin/env bash
# Throughput and peak memory of `replaygate run` (in-process XGBoost model
# plus the contract check) over generated traffic of growing size, to show
# rows/s and that peak RSS does not grow with the row count.
#
#   bench/pipeline.sh                 # 1M and 5M rows, one core and all cores
#   ROWS="1000000" bench/pipeline.sh  # just 1M
#
# Needs /usr/bin/time (Debian package `time`). Generated data goes to
# bench/out/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-"1000000 5000000"}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
[ -x /usr/bin/time ] || { echo "bench/pipeline.sh needs /usr/bin/time: apt-get install time" >&2; exit 1; }

go build -o "$OUT/replaygate" .
model=$(realpath fixtures/models/candidate.json)
echo "model: $(go run ./fixtures/gen -describe "$model" 2>/dev/null || echo "$model")"

for rows in $ROWS; do
  data="$OUT/traffic-$rows"
  if [ ! -d "$data" ]; then
    go run ./fixtures/gen -rows "$rows" -out "$data" >/dev/null
  fi
  spec="$OUT/bench-$rows.yaml"
  cat > "$spec" <<YAML
version: 1
traffic: {path: $(realpath "$data"), id: request_id, timestamp: ts}
candidate:
  model: {type: xgboost, path: $model}
checks:
  contract:
    features:
      age: {type: int, min: 18, max: 100, max_out_of_range_rate: 0.01}
      income: {type: float, min: 0, max_null_rate: 0.05}
      country: {type: string, values: [US, DE, FR, BR, IN, GB, JP, MX], max_unseen_rate: 0.05}
      platform: {type: string, values: [ios, android, web]}
    output: {min: 0, max: 1}
reports: {dir: $OUT/report-$rows, formats: [json]}
YAML
  for cores in 1 "$(nproc)"; do
    log="$OUT/time-$rows-$cores.txt"
    GOMAXPROCS=$cores /usr/bin/time -v "$OUT/replaygate" run --spec "$spec" --workers "$cores" --quiet 2> "$log" || true
    secs=$(python3 -c "import json;print(json.load(open('$OUT/report-$rows/result.json'))['replay']['duration_s'])")
    wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
    printf "rows=%-9s cores=%s replay=%8.2fs  %10.0f rows/s  wall=%s  peak RSS=%d MB\n" \
      "$rows" "$cores" "$secs" "$(python3 -c "print($rows/$secs)")" "$wall" "$((rss / 1024))"
  done
done
