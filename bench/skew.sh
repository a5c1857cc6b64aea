#!/usr/bin/env bash
# Compare replaygate's skew check (checks/skew, BenchmarkSkew50x1M) with the
# same statistics computed by pandas + scipy, one core each, on the same
# data: a 200k-row reference and 1M traffic rows of 50 float64 features
# (every tenth shifted), written once by bench/skewdata with the
# benchmark's own generator and seed, so both sides see identical values.
#
#   bench/skew.sh
#
# Needs Go and Python 3 with numpy, pandas and scipy (Debian:
# apt-get install python3-pandas python3-scipy). Environment: PYTHON
# (default /usr/bin/python3), BENCH_COUNT (default 3).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-/usr/bin/python3}
count=${BENCH_COUNT:-3}
out="$root/bench/out/skew"

if ! "$py" -c 'import numpy, pandas, scipy' 2>/dev/null; then
	echo "skew.sh: $py cannot import numpy, pandas and scipy" >&2
	echo "hint: apt-get install python3-pandas python3-scipy, or set PYTHON to an interpreter that has them" >&2
	exit 3
fi
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 GOMAXPROCS=1
mkdir -p "$out"

echo "== data: $out (go run ./bench/skewdata)" >&2
(cd "$root" && go run ./bench/skewdata -out "$out")

echo "== replaygate (BenchmarkSkew50x1M, -cpu 1 -benchtime 1x -count $count)" >&2
(cd "$root" && go test -c -o "$out/skew.test" ./checks/skew)
(cd "$root/checks/skew" && REPLAYGATE_SKEW_OUT="$out/go_outcomes.json" /usr/bin/time -v -o "$out/go_time.txt" \
	"$out/skew.test" -test.run '^$' -test.bench '^BenchmarkSkew50x1M$' -test.cpu 1 -test.benchtime 1x -test.count "$count") |
	tee "$out/go.txt" >&2
grep -E 'Maximum resident|Elapsed' "$out/go_time.txt" >&2

echo "== pandas + scipy (one thread)" >&2
/usr/bin/time -v -o "$out/py_time.txt" "$py" "$root/bench/skew_scipy.py" --data "$out" --repeat "$count" \
	--json "$out/py.json" --go "$out/go_outcomes.json" | tee "$out/py.txt" >&2
grep -E 'Maximum resident|Elapsed' "$out/py_time.txt" >&2

echo
"$py" - "$out/go.txt" "$out/py.json" <<'PY'
import json, re, statistics, sys
obs, ref = [], []
for line in open(sys.argv[1]):
    if line.startswith("BenchmarkSkew50x1M"):
        obs.append(float(re.search(r"([0-9.]+) observe_s", line).group(1)))
        ref.append(float(re.search(r"([0-9.]+) ref_s", line).group(1)))
p = json.load(open(sys.argv[2]))
go_obs, go_all = statistics.median(obs), statistics.median(o + r for o, r in zip(obs, ref))
py = statistics.median(p["compute_s"])
print(f"replaygate observe+result  {go_obs:.3f} s  ({p['rows'] / go_obs:,.0f} rows/s)")
print(f"replaygate ref+observe+result  {go_all:.3f} s")
print(f"pandas+scipy compute       {py:.3f} s  (load {p['load_s']:.3f} s, not counted)")
print(f"ratio scipy / replaygate: {py / go_obs:.2f}x (traffic pass), {py / go_all:.2f}x (including the reference read)")
PY
