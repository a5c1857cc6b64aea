#!/usr/bin/env bash
# Throughput and pacing of `replaygate run` against a model server that does
# no work (bench/noop, generic json protocol, one row a request), next to
# vegeta (github.com/tsenart/vegeta/v12) sending the very same request to the
# same server at the same concurrency:
#
#   1. replaygate, replay.mode max, C requests in flight (closed loop);
#   2. vegeta closed loop, C workers, -rate=0: the peer's requests/s, V;
#   3. replaygate, replay.mode rate at 50% and 100% of V (open loop), with
#      the scheduling lag p99 and the late sends; at 50% also with HEADROOM
#      (default 64) requests allowed in flight instead of C, so that a
#      server's stall of a few milliseconds does not use up every sender and
#      the lag left is the sender's own timing (C is the row's C column);
#   4. vegeta open loop at the same rates and in-flight limits, with its scheduling lag
#      measured as replaygate measures its own: each hit's send time (its
#      timestamp in vegeta's results) minus its intended time, start +
#      seq/rate. vegeta does not record its start, so the start is taken
#      as the one that makes its least late hit exactly on time: a lower
#      bound on its lag;
#   5. at 50% with HEADROOM in flight, replaygate once more with
#      replay.realtime: true (row "replaygate-rt"; "replaygate-rt-refused"
#      when the OS refuses real-time priority: run as root or with
#      CAP_SYS_NICE);
#   6. at 50% with HEADROOM in flight, bench/floor at the same rate: one
#      thread on its own epoll, timerfd and pre-dialled sockets, with no Go
#      scheduler, HTTP library or traffic between the timer and the write.
#      Its lag is the floor the machine sets at that rate (row "floor").
#
#   bench/replay.sh                     # C = 8 and 2, 10 s a run
#   CONC=8 DURATION=5 bench/replay.sh
#   VEGETA=/path/to/vegeta bench/replay.sh
#   RG_ENV="GOGC=100" bench/replay.sh   # environment for replaygate only
#   HEADROOM=128 bench/replay.sh        # in flight of the second 50% run
#   BATCH_SIZE=1024 bench/replay.sh     # replay.batch_size of the specs
#   REPEAT=5 bench/replay.sh            # five times over; prints each row's median
#   REALTIME=0 bench/replay.sh          # without the replay.realtime row
#
# Without VEGETA it installs vegeta into a temporary folder with `go
# install` (needs the Go module proxy). Needs jq. Generated traffic, specs
# and results go to bench/out/replay/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
CONC=${CONC:-"8 2"}
DURATION=${DURATION:-10}                 # seconds a run
HEADROOM=${HEADROOM:-64}                 # requests in flight of the second 50% run
REPEAT=${REPEAT:-1}                      # repetitions of the whole sequence
REALTIME=${REALTIME:-1}                  # 1: also replay.realtime: true at 50%
ROWS=${ROWS:-250000}                     # generated traffic; max mode replays all of it
FEATURES=${FEATURES:-"age income session_length_s pages_viewed days_since_signup ctr_7d"}
OUT=${OUT:-bench/out/replay}
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
command -v jq >/dev/null || { echo "bench/replay.sh needs jq: apt-get install jq" >&2; exit 1; }

tmp=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

if [ -z "${VEGETA:-}" ]; then
  echo "installing vegeta into $tmp/bin ..." >&2
  GOBIN="$tmp/bin" go install github.com/tsenart/vegeta/v12@latest
  VEGETA="$tmp/bin/vegeta"
fi
go build -o "$OUT/replaygate" .
go build -o "$OUT/noop" ./bench/noop
go build -o "$OUT/floor" ./bench/floor
data="$OUT/traffic-$ROWS"
[ -d "$data" ] || go run ./fixtures/gen -rows "$ROWS" -out "$data" >/dev/null

"$OUT/noop" -addr 127.0.0.1:0 -dump "$OUT/body.json" > "$tmp/addr" &
server=$!
for _ in $(seq 100); do [ -s "$tmp/addr" ] && break; sleep 0.05; done
[ -s "$tmp/addr" ] || { echo "bench/replay.sh: the no-op server did not start" >&2; exit 1; }
addr=$(head -1 "$tmp/addr")
url="http://$addr/score"

feats=$(echo $FEATURES | sed 's/ /, /g')
# spec NAME MODE C RATE SAMPLE [REPLAY_CONCURRENCY]
spec() {
  local name=$1 mode=$2 c=$3 rate=$4 sample=$5 rc=${6:-}
  local replay="{mode: $mode"
  [ "$mode" = rate ] && replay="$replay, rate: $rate"
  [ "$sample" != 1 ] && replay="$replay, sample: $sample, seed: 1"
  [ -n "$rc" ] && replay="$replay, concurrency: $rc"
  [ -n "${BATCH_SIZE:-}" ] && replay="$replay, batch_size: $BATCH_SIZE"
  [ -n "$extra" ] && replay="$replay, $extra"
  replay="$replay}"
  cat > "$OUT/$name.yaml" <<YAML
version: 1
traffic: {path: $data, id: request_id, timestamp: ts}
candidate:
  model: {type: http, protocol: json, url: "$url", batch: 1, concurrency: $c, timeout: 1s, score_path: score}
  features: [$feats]
replay: $replay
checks:
  latency: {p99: 10s, max_error_rate: 0}
reports: {dir: $OUT/$name, formats: [json]}
YAML
}

rows=()   # tool mode C asked req/s p50_ms p99_ms lag_p99_ms late errors
extra=""  # more replay keys for spec
# rg NAME MODE C RATE [rt]: run replaygate (with replay.realtime: true
# when rt) and append a row
rg() {
  local name=$1 mode=$2 c=$3 rate=$4 sample=1 tool=replaygate
  extra=""
  if [ "${5:-}" = rt ]; then tool=replaygate-rt; extra="realtime: true"; fi
  if [ "$mode" = rate ]; then
    sample=$(awk -v r="$rate" -v d="$DURATION" -v n="$ROWS" 'BEGIN { s = r * d / n; if (s >= 1) print 1; else printf "%.6f", s }')
    spec "$name" rate "$c" "$rate" "$sample"
  else
    # One batch of C requests in flight, as vegeta's C workers; without
    # replay.concurrency, max mode would run C batches of C requests.
    spec "$name" max "$c" 0 1 1
  fi
  rm -f "$OUT/$name/result.json"
  env ${RG_ENV:-} "$OUT/replaygate" run --spec "$OUT/$name.yaml" --quiet > "$OUT/$name.log" 2>&1 || true
  local r="$OUT/$name/result.json"
  if [ ! -s "$r" ]; then
    # A crash is a result too: record it and go on with the other runs.
    echo "replaygate $name wrote no result ($OUT/$name.log): $(grep -m1 -E 'panic|error' "$OUT/$name.log" || head -1 "$OUT/$name.log")" >&2
    rows+=("$(printf '%s\t%s\t%s\t%s\tcrashed\t-\t-\t-\t-\t-' "$tool" "$mode" "$c" "$rate")")
    return
  fi
  rows+=("$(jq -r --arg tool "$tool" --arg m "$mode" --arg c "$c" --arg rate "$rate" '
    def obs($n): ([.checks[] | select(.name == $n) | .value] | first) // "-";
    [ (if $tool == "replaygate-rt" and .replay.realtime != "on" then $tool + "-refused" else $tool end),
      $m, $c, (if $m == "rate" then $rate else "-" end),
      (.replay.rows_per_s | floor),
      obs("latency.p50"), obs("latency.p99"),
      (if $m == "rate" then .replay.lag_p99_ms else "-" end),
      (if $m == "rate" then .replay.late_sends else "-" end),
      (.replay.errors // 0) ] | @tsv' "$r")")
}
# vglag RESULTS RATE: vegeta's scheduling lag p99 (ms) and late hits
# (> 1 ms), tab-separated
vglag() {
  "$VEGETA" encode --to csv < "$1" |
    awk -F, -v r="$2" '{ d[NR] = $1 - $9 / r * 1e9; if (NR == 1 || d[NR] < m) m = d[NR] }
      END { for (i = 1; i <= NR; i++) printf "%.6f\n", (d[i] - m) / 1e6 }' |
    sort -g |
    awk '{ v[NR] = $1; if ($1 > 1) late++ }
      END { i = int(0.99 * NR); if (i < 0.99 * NR) i++; if (i < 1) i = 1; printf "%.3f\t%d", v[i], late }'
}
# vg NAME C RATE: run vegeta (RATE 0 = closed loop with C workers) and append a row
vg() {
  local name=$1 c=$2 rate=$3 mode=rate
  printf 'POST %s\nContent-Type: application/json\n@%s\n' "$url" "$OUT/body.json" > "$tmp/targets"
  if [ "$rate" = 0 ]; then
    mode=max
    "$VEGETA" attack -targets "$tmp/targets" -rate=0 -workers="$c" -max-workers="$c" -duration="${DURATION}s" > "$OUT/$name.bin"
  else
    "$VEGETA" attack -targets "$tmp/targets" -rate="$rate/1s" -workers="$c" -max-workers="$c" -duration="${DURATION}s" > "$OUT/$name.bin"
  fi
  "$VEGETA" report -type=json < "$OUT/$name.bin" > "$OUT/$name.json"
  local lag="-" late="-"
  if [ "$mode" = rate ]; then
    IFS=$'\t' read -r lag late <<<"$(vglag "$OUT/$name.bin" "$rate")"
  fi
  rows+=("$(jq -r --arg m "$mode" --arg c "$c" --arg rate "$rate" --arg lag "$lag" --arg late "$late" '
    [ "vegeta", $m, $c, (if $m == "rate" then $rate else "-" end),
      (.throughput | floor),
      (.latencies["50th"] / 1e6), (.latencies["99th"] / 1e6), $lag, $late,
      (.requests - (.status_codes["200"] // 0)) ] | @tsv' "$OUT/$name.json")")
}

# fl C RATE: run bench/floor (the machine's floor: one thread, epoll, no
# Go scheduler, HTTP library or traffic between the timer and the write)
# at RATE with C connections and append a row
fl() {
  local c=$1 rate=$2 out
  out=$("$OUT/floor" -url "$url" -body "$OUT/body.json" -rate "$rate" -duration "${DURATION}s" -conns "$c")
  rows+=("$(awk -F'\t' -v c="$c" -v rate="$rate" -v d="$DURATION" '
    { printf "floor\trate\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t0\t-", c, rate, $1 / d, $4, $5, $2, $3 }' <<<"$out")")
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, server $addr" >&2
spec warmup max 2 0 0.01 1
"$OUT/replaygate" run --spec "$OUT/warmup.yaml" --quiet > "$OUT/warmup.log" 2>&1 || true
[ -s "$OUT/body.json" ] || { echo "bench/replay.sh: no request reached the server:" >&2; cat "$OUT/warmup.log" >&2; exit 1; }

# both NAME MODE C RATE: replaygate, then vegeta, and the ratio of their
# req/s on both rows; prints vegeta's req/s
both() {
  local name=$1 mode=$2 c=$3 rate=$4
  rg "rg-$name" "$mode" "$c" "$rate"
  local a b
  a=$(cut -f5 <<<"${rows[-1]}")
  vg "vg-$name" "$c" "$rate"
  b=$(cut -f5 <<<"${rows[-1]}")
  rows[-2]="${rows[-2]}	$(awk -v a="$a" -v b="$b" 'BEGIN { if (a ~ /^[0-9.]+$/) printf "%.2f", a / b; else print "-" }')"
  rows[-1]="${rows[-1]}	1.00"
  echo "$b"
}

runs=()   # the rows of every repetition, each prefixed with its repetition
for rep in $(seq "$REPEAT"); do
  [ "$REPEAT" = 1 ] || echo "repetition $rep of $REPEAT" >&2
  rows=()
  for c in $CONC; do
    echo "C=$c: replaygate max, vegeta closed loop ..." >&2
    both "max-c$c" max "$c" 0 > "$tmp/vmax"
    vmax=$(cat "$tmp/vmax")
    for pct in 50 100; do
      rate=$(( vmax * pct / 100 ))
      echo "C=$c: open loop at $pct% ($rate/s) ..." >&2
      both "rate$pct-c$c" rate "$c" "$rate" > /dev/null
      if [ "$pct" = 50 ] && [ "$HEADROOM" != "$c" ]; then
        echo "C=$c: open loop at $pct% ($rate/s), $HEADROOM in flight ..." >&2
        both "rate$pct-c$c-h$HEADROOM" rate "$HEADROOM" "$rate" > /dev/null
        if [ "$REALTIME" = 1 ]; then
          echo "C=$c: open loop at $pct% ($rate/s), $HEADROOM in flight, replay.realtime ..." >&2
          rg "rg-rate$pct-c$c-h$HEADROOM-rt" rate "$HEADROOM" "$rate" rt
          rows[-1]="${rows[-1]}	-"
        fi
        fl "$HEADROOM" "$rate"
      fi
    done
  done
  for r in "${rows[@]}"; do runs+=("$rep	$r"); done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

header='tool\tmode\tC\trate asked\treq/s\tp50 ms\tp99 ms\tlag p99 ms\tlate sends\terrors\tratio rg/vegeta\n'
{
  printf "$header"
  printf '%s\n' "${runs[@]}" | cut -f2-
} > "$OUT/table.tsv"
if [ "$REPEAT" = 1 ]; then
  column -t -s $'\t' "$OUT/table.tsv"
  exit 0
fi
# With repetitions, each row of the table is the median of that row over
# the repetitions (the rate asked too, as each repetition derives it from
# its own vegeta run); the lag p99 and the ratio also show their range.
echo "every repetition: $OUT/table.tsv; medians of $REPEAT repetitions:"
{
  printf "$header"
  printf '%s\n' "${runs[@]}" | awk -F'\t' -v n="${#rows[@]}" '
    function median(s,   a, k, i, j, t) {
      k = split(s, a, " ")
      for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
      if (a[1] !~ /^[0-9.]+$/) return a[1]
      return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    function range(s, fmt,   a, k, i, lo, hi) {
      k = split(s, a, " "); lo = hi = a[1]
      if (lo !~ /^[0-9.]+$/) return ""
      for (i = 2; i <= k; i++) { if (a[i] + 0 < lo + 0) lo = a[i]; if (a[i] + 0 > hi + 0) hi = a[i] }
      return sprintf(" (" fmt "-" fmt ")", lo, hi)
    }
    { i = (NR - 1) % n; key[i] = $2 "\t" $3 "\t" $4
      for (f = 5; f <= 12; f++) v[i, f] = v[i, f] " " $f }
    END { for (i = 0; i < n; i++) {
      line = key[i]
      for (f = 5; f <= 12; f++) {
        m = median(v[i, f])
        if (m ~ /^[0-9.]+$/) m = sprintf(f == 12 ? "%.2f" : f >= 7 && f <= 9 ? "%.3f" : "%.0f", m)
        if (f == 9 || f == 12) m = m range(v[i, f], f == 12 ? "%.2f" : "%.3f")
        line = line "\t" m
      }
      print line } }'
} | column -t -s $'\t'
