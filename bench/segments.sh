#!/usr/bin/env bash
# Compare the segments check (checks/segments BenchmarkSegments1M) with the
# same per-segment metrics computed by scikit-learn in a loop over segments,
# one core each, on the same 1,000,000 rows: 2 segment columns of 10 values
# (21 segments with overall), auc and log loss of candidate and baseline,
# a 200-replicate paired Poisson bootstrap of the AUC change.
#
#   bench/segments.sh
#
# Needs Go, GNU time (/usr/bin/time) and Python 3 with pandas and
# scikit-learn (Debian: apt-get install python3-sklearn python3-pandas).
# Environment: PYTHON (default /usr/bin/python3), SKLEARN_REPLICATES
# (bootstrap replicates scikit-learn actually runs, default 25; its
# bootstrap time is extrapolated linearly to 200 and the output says so).
# Data and logs go to bench/out/segments/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-/usr/bin/python3}
reps=${SKLEARN_REPLICATES:-25}
out="$root/bench/out/segments"
mkdir -p "$out"

if ! "$py" -c 'import numpy, pandas, sklearn' 2>/dev/null; then
	echo "segments.sh: $py cannot import numpy, pandas and sklearn" >&2
	echo "hint: apt-get install python3-sklearn python3-pandas, or set PYTHON" >&2
	exit 3
fi
if [[ ! -x /usr/bin/time ]]; then
	echo "segments.sh: no /usr/bin/time (apt-get install time)" >&2
	exit 3
fi
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

echo "== data: 1,000,000 rows, seed 42 -> $out/segments.csv" >&2
(cd "$root" && go run ./bench/segmentsdata -rows 1000000 -seed 42 -out "$out/segments.csv")

echo "== replaygate: BenchmarkSegments1M, -cpu 1 -benchtime 1x -count 3" >&2
(cd "$root" && go test -c -o "$out/segments.test" ./checks/segments)
/usr/bin/time -v -o "$out/go-time.txt" "$out/segments.test" -test.run '^$' \
	-test.bench '^BenchmarkSegments1M$' -test.cpu 1 -test.benchtime 1x -test.count 3 | tee "$out/go.txt" >&2

echo "== scikit-learn: $reps replicates run, extrapolated to 200" >&2
/usr/bin/time -v -o "$out/py-time.txt" "$py" "$root/bench/segments_sklearn.py" \
	--csv "$out/segments.csv" --replicates "$reps" --target 200 | tee "$out/py.json"

"$py" - "$out" <<'PY'
import json, re, statistics, sys
out = sys.argv[1]
go = open(f"{out}/go.txt").read()
rates = [float(x) for x in re.findall(r"([\d.]+) rows/s", go)]
state = [int(float(x)) for x in re.findall(r"([\d.]+) state-bytes", go)]
def rss(path):
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(path).read()).group(1))
py = json.loads(open(f"{out}/py.json").read().strip().splitlines()[-1])
go_rate = statistics.median(rates)
go_s = 1e6 / go_rate
print()
print(f"rows 1,000,000; 21 segments; metrics auc, logloss; 200 bootstrap replicates; one core")
print(f"replaygate   : {go_s:7.2f} s  {go_rate:>10,.0f} rows/s/core (median of {len(rates)}: "
      + ", ".join(f"{r:,.0f}" for r in rates) + ")")
print(f"               check state {state[-1]/2**20:.1f} MiB (SizeBytes); peak RSS {rss(out+'/go-time.txt')/1024:.0f} MiB "
      "(test binary, includes the 1M rows held as Arrow batches)")
ext = " (EXTRAPOLATED: bootstrap run with %d replicates, %.1f s, scaled linearly to 200)" % (py["replicates_run"], py["boot_run_s"]) if py["extrapolated"] else ""
print(f"scikit-learn : {py['compute_s']:7.2f} s  {py['rows_per_s']:>10,.0f} rows/s/core{ext}")
print(f"               split {py['split_s']:.2f} s, point estimates {py['point_s']:.2f} s, bootstrap {py['boot_target_s']:.2f} s; "
      f"CSV load {py['load_s']:.2f} s not included; peak RSS {rss(out+'/py-time.txt')/1024:.0f} MiB")
print(f"ratio        : replaygate is {py['compute_s']/go_s:.1f}x faster (target >= 10x); rows/s/core target >= 250,000: "
      + ("met" if go_rate >= 250000 else "NOT met"))
o = py["overall"]
print(f"check overall (scikit-learn): auc {o['auc']:.6f} baseline {o['auc_baseline']:.6f} delta {o['auc_delta']:+.6f}")
m = re.search(r"auc\[overall\].*", go)
print(f"check overall (replaygate)  : {m.group(0) if m else '?'}")
PY
