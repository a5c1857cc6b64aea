package latency

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

// mix returns n latencies: share of them at a, the rest at b, interleaved.
func mix(n int, share, a, b float64) []float64 {
	out := make([]float64, n)
	k := int(math.Round(share * float64(n)))
	for i := range out {
		if i < k {
			out[i] = a
		} else {
			out[i] = b
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func TestPercentilesAgainstSort(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	uniform := make([]float64, 5000)
	for i := range uniform {
		uniform[i] = 0.5 + 499.5*r.Float64()
	}
	lognormal := make([]float64, 20000)
	for i := range lognormal {
		lognormal[i] = math.Exp(1.5 + 1.2*r.NormFloat64()) // median ~4.5 ms, long tail
	}
	tiny := []float64{0.004, 0.0125, 0.75}
	tests := []struct {
		name string
		vals []float64
		want map[float64]float64 // hand-computed percentiles, when known
	}{
		{"90% 2ms 10% 20ms", mix(1000, 0.9, 2, 20), map[float64]float64{50: 2, 90: 2, 95: 20, 99: 20, 99.9: 20}},
		{"99% 1ms 1% 250ms", mix(10000, 0.99, 1, 250), map[float64]float64{50: 1, 99: 1, 99.9: 250}},
		{"uniform 0.5..500ms", uniform, nil},
		{"lognormal", lognormal, nil},
		{"three values", tiny, map[float64]float64{50: 0.013, 99: 0.75}}, // 12.5 µs rounds to 13 µs
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(t, Config{}, Options{})
			// Several batches, to cross batch boundaries.
			for lo := 0; lo < len(tt.vals); lo += 777 {
				hi := min(lo+777, len(tt.vals))
				observe(t, c, batch(col("candidate_latency_ms", floats(tt.vals[lo:hi]))))
			}
			s := c.Summary().Candidate
			got := map[float64]float64{50: s.P50, 90: s.P90, 95: s.P95, 99: s.P99, 99.9: s.P999}
			for p, v := range got {
				exact := exactPercentile(tt.vals, p)
				// The reported value is the upper edge of the exact value's
				// bucket (at most one bucket above), less at most the 0.5 µs
				// of rounding to whole microseconds.
				if v < exact-0.0005 || v > exact+bucketWidthMS(exact) {
					t.Errorf("p%v = %v, exact %v: not within one bucket (%v ms)", p, v, exact, bucketWidthMS(exact))
				}
				if exact >= 0.5 && math.Abs(v-exact)/exact > 0.001 {
					t.Errorf("p%v = %v, exact %v: relative error %.3g%% > 0.1%%", p, v, exact, 100*math.Abs(v-exact)/exact)
				}
				if w, ok := tt.want[p]; ok && v != w {
					t.Errorf("p%v = %v, want %v", p, v, w)
				}
			}
			lo, hi := tt.vals[0], tt.vals[0]
			var sum float64
			for _, v := range tt.vals {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
				sum += math.Round(v*1000) / 1000
			}
			if s.Min != lo || s.Max != hi || s.Count != int64(len(tt.vals)) {
				t.Errorf("min %v max %v count %d, want %v %v %d", s.Min, s.Max, s.Count, lo, hi, len(tt.vals))
			}
			if mean := sum / float64(len(tt.vals)); math.Abs(s.Mean-mean) > 1e-9*mean {
				t.Errorf("mean %v, want %v", s.Mean, mean)
			}
		})
	}
}

// TestRelativeError sweeps single latencies over the range and checks the
// documented bound: within 0.1% from 0.5 ms up, within 0.5 µs below.
func TestRelativeError(t *testing.T) {
	const hour = 3_600_000.0
	worst := 0.0
	for x := 0.001; x <= hour; x *= 1.0173 {
		var d dist
		d.add(x)
		d.add(hour) // keeps the exact maximum from hiding the bucket's error
		v := d.quantile(50)
		if x >= 0.5 {
			rel := math.Abs(v-x) / x
			worst = math.Max(worst, rel)
			if rel > 0.001 {
				t.Fatalf("latency %v ms reported as %v: relative error %.4g%% > 0.1%%", x, v, 100*rel)
			}
		} else if math.Abs(v-x) > 0.0005+1e-12 {
			t.Fatalf("latency %v ms reported as %v: more than 0.5 µs off", x, v)
		}
	}
	t.Logf("worst relative error from 0.5 ms to 1 h: %.4f%%", 100*worst)
}

func TestMergeEqualsOnePass(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	var bs []arrow.RecordBatch
	for k := 0; k < 6; k++ {
		n := 400 + k*37
		lat := make([]any, n)
		base := make([]any, n)
		svc := make([]float64, n)
		errCol := make([]string, n)
		for i := range lat {
			v := math.Exp(1 + r.NormFloat64())
			lat[i], base[i], svc[i] = v, 0.8*v, 0.5*v
			switch {
			case i%97 == 0:
				errCol[i] = "timeout: deadline 50ms exceeded"
				lat[i] = 50.0
			case i%89 == 0:
				errCol[i] = "http_status: 500 internal server error"
			case i%83 == 0:
				lat[i] = nil
			case i%79 == 0:
				lat[i] = math.NaN()
			case i%73 == 0:
				base[i] = nil
			}
		}
		bs = append(bs, batch(
			col("candidate_latency_ms", f64(lat...)),
			col("candidate_error", strs(errCol...)),
			col("candidate_service_ms", floats(svc)),
			col("prod_latency_ms", f64(base...)),
		))
	}
	cfg := Config{P99: 30 * time.Millisecond, MaxErrorRate: fp(0.01), BaselineColumn: "prod_latency_ms",
		MaxP99RatioToBaseline: fp(1.1)}
	one := mustNew(t, cfg, Options{})
	observe(t, one, bs...)
	one.SetDuration(3 * time.Second)

	for split := 0; split <= len(bs); split++ {
		a, b := mustNew(t, cfg, Options{}), mustNew(t, cfg, Options{})
		observe(t, a, bs[:split]...)
		observe(t, b, bs[split:]...)
		a.SetDuration(3 * time.Second)
		b.SetDuration(2 * time.Second)
		if err := a.Merge(b); err != nil {
			t.Fatal(err)
		}
		if got, want := a.Result(), one.Result(); !reflect.DeepEqual(got, want) {
			t.Fatalf("split %d: merged outcomes differ from one pass:\n got %+v\nwant %+v", split, got, want)
		}
		if got, want := a.Summary(), one.Summary(); !reflect.DeepEqual(got, want) {
			t.Fatalf("split %d: merged summary differs:\n got %+v\nwant %+v", split, got, want)
		}
		if !a.all.h.Equals(one.all.h) {
			t.Fatalf("split %d: merged histogram differs", split)
		}
	}
}

func TestMergeRejects(t *testing.T) {
	a := mustNew(t, Config{P99: time.Millisecond}, Options{})
	if err := a.Merge(a); err == nil {
		t.Error("merging a check into itself: no error")
	}
	if err := a.Merge(mustNew(t, Config{P99: 2 * time.Millisecond}, Options{})); err == nil {
		t.Error("merging different configurations: no error")
	}
	if err := a.Merge(mustNew(t, Config{P99: time.Millisecond}, Options{Role: "production"})); err == nil {
		t.Error("merging different roles: no error")
	}
	if err := a.Merge(mustNew(t, Config{P99: time.Millisecond}, Options{})); err != nil {
		t.Errorf("merging the same configuration: %v", err)
	}
}

func TestGates(t *testing.T) {
	lat := mix(1000, 0.9, 2, 20) // p50 2, p90 2, p95 20, p99 20, max 20
	tests := []struct {
		name string
		cfg  Config
		want map[string]checks.Status
	}{
		{"no gates", Config{}, map[string]checks.Status{
			"latency.p50": checks.Pass, "latency.p99": checks.Pass, "latency.max": checks.Pass}},
		{"within", Config{P50: 5 * time.Millisecond, P99: 25 * time.Millisecond, Max: 20 * time.Millisecond},
			map[string]checks.Status{"latency.p50": checks.Pass, "latency.p99": checks.Pass, "latency.max": checks.Pass}},
		{"p90 and p95 around the jump", Config{P90: 2 * time.Millisecond, P95: 19 * time.Millisecond},
			map[string]checks.Status{"latency.p90": checks.Pass, "latency.p95": checks.Fail}},
		{"above", Config{P50: time.Millisecond, P99: 15 * time.Millisecond, Max: 19999 * time.Microsecond},
			map[string]checks.Status{"latency.p50": checks.Fail, "latency.p99": checks.Fail, "latency.max": checks.Fail}},
		{"warn", Config{P99: 15 * time.Millisecond, Severity: "warn"},
			map[string]checks.Status{"latency.p99": checks.Warn, "latency.p50": checks.Pass}},
		{"p999 gate", Config{P999: 10 * time.Millisecond}, map[string]checks.Status{"latency.p999": checks.Fail}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(t, tt.cfg, Options{})
			observe(t, c, batch(col("candidate_latency_ms", floats(lat))))
			got := byName(c.Result())
			for name, st := range tt.want {
				if got[name].Status != st {
					t.Errorf("%s: %s (%s), want %s", name, got[name].Status, got[name].Message, st)
				}
			}
		})
	}
}

// A percentile in the same histogram bucket as its limit passes; the exact
// maximum is compared exactly.
func TestGateAtResolution(t *testing.T) {
	// 25.003 ms and 25 ms share a bucket (16 µs wide from 16,384 µs).
	c := mustNew(t, Config{P99: 25 * time.Millisecond, Max: 25 * time.Millisecond}, Options{})
	observe(t, c, batch(col("candidate_latency_ms", f64(25.003, 25.003))))
	got := byName(c.Result())
	if o := got["latency.p99"]; o.Status != checks.Pass || *o.Value != 25.003 {
		t.Errorf("p99: %s %v, want pass 25.003", o.Status, *o.Value)
	}
	if o := got["latency.max"]; o.Status != checks.Fail {
		t.Errorf("max: %s, want fail", o.Status)
	}
	c = mustNew(t, Config{P99: 25 * time.Millisecond}, Options{})
	observe(t, c, batch(col("candidate_latency_ms", f64(25.02, 25.02))))
	if o := byName(c.Result())["latency.p99"]; o.Status != checks.Fail {
		t.Errorf("p99 25.02 ms vs 25 ms: %s, want fail", o.Status)
	}
}

func TestErrorsAndTimeouts(t *testing.T) {
	// 10 rows: 7 scored at 2 ms, 1 http 500 at 4 ms, 2 timeouts at 50 ms.
	lat := f64(2, 2, 2, 2, 4, 2, 50, 2, 50, 2)
	errCol := strs("", "", "", "", "http_status: 500", "", "timeout: 50ms", "", "timeout: 50ms", "")
	tests := []struct {
		name     string
		cfg      Config
		errStat  checks.Status
		timeStat checks.Status
	}{
		{"no gates", Config{}, checks.Pass, checks.Pass},
		{"within", Config{MaxErrorRate: fp(0.3), MaxTimeoutRate: fp(0.2)}, checks.Pass, checks.Pass},
		{"above", Config{MaxErrorRate: fp(0.29), MaxTimeoutRate: fp(0.1)}, checks.Fail, checks.Fail},
		{"warn", Config{MaxErrorRate: fp(0), Severity: "warn"}, checks.Warn, checks.Pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(t, tt.cfg, Options{})
			observe(t, c, batch(col("candidate_latency_ms", lat), col("candidate_error", errCol)))
			got := byName(c.Result())
			e, to := got["latency.error_rate"], got["latency.timeout_rate"]
			if e.Status != tt.errStat || *e.Value != 0.3 || e.Rows != 10 {
				t.Errorf("error_rate: %s %v rows %d, want %s 0.3 rows 10", e.Status, *e.Value, e.Rows, tt.errStat)
			}
			if to.Status != tt.timeStat || *to.Value != 0.2 {
				t.Errorf("timeout_rate: %s %v, want %s 0.2", to.Status, *to.Value, tt.timeStat)
			}
			if want := "3 of 10 rows (30%) errored: timeout 2, http_status 1"; e.Message != want {
				t.Errorf("error_rate message %q, want %q", e.Message, want)
			}
			if want := "2 of 10 rows (20%) timed out"; to.Message != want {
				t.Errorf("timeout_rate message %q, want %q", to.Message, want)
			}
			// Timeouts count at their timeout latency: p90 (rank 9) is 50 ms.
			p90 := got["latency.p90"]
			if *p90.Value != 50 || p90.Rows != 10 {
				t.Errorf("p90 %v over %d rows, want 50 over 10", *p90.Value, p90.Rows)
			}
			if want := "p90 50 ms over 10 rows; includes 3 errored rows (2 timed out)"; p90.Message != want {
				t.Errorf("p90 message %q, want %q", p90.Message, want)
			}
			s := c.Summary()
			if s.Scored.Count != 7 || s.Scored.Max != 2 || s.Candidate.Max != 50 {
				t.Errorf("scored view %+v, candidate max %v", s.Scored, s.Candidate.Max)
			}
			if s.Errors != 3 || s.Timeouts != 2 || s.Classes["timeout"] != 2 || s.Classes["http_status"] != 1 {
				t.Errorf("summary errors %d timeouts %d classes %v", s.Errors, s.Timeouts, s.Classes)
			}
		})
	}
}

func TestErrorColumnForms(t *testing.T) {
	// An error without "class: " is of class "error"; "" counts as scored.
	c := mustNew(t, Config{}, Options{})
	observe(t, c, batch(col("candidate_latency_ms", f64(1, 1, 1)), col("candidate_error", strs("boom", "", "decode: bad json"))))
	b := array0(t)
	observe(t, c, b)
	s := c.Summary()
	if s.Errors != 2 || s.Classes["error"] != 1 || s.Classes["decode"] != 1 || s.Rows != 4 {
		t.Errorf("errors %d classes %v rows %d", s.Errors, s.Classes, s.Rows)
	}
}

// array0 is a batch whose error column holds an empty string, which is
// not an error.
func array0(t *testing.T) arrow.RecordBatch {
	t.Helper()
	bld := newStringBuilder()
	bld.Append("")
	return batch(col("candidate_latency_ms", f64(1)), col("candidate_error", bld.NewArray()))
}

func TestRatioToBaseline(t *testing.T) {
	cand := mix(1000, 0.9, 2, 30)
	base := mix(1000, 0.9, 2, 20)
	tests := []struct {
		name  string
		limit *float64
		want  checks.Status
	}{
		{"informational", nil, checks.Pass},
		{"within", fp(1.5), checks.Pass},
		{"above", fp(1.2), checks.Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(t, Config{BaselineColumn: "prod_latency_ms", MaxP99RatioToBaseline: tt.limit}, Options{})
			observe(t, c, batch(col("candidate_latency_ms", floats(cand)), col("prod_latency_ms", floats(base))))
			got := byName(c.Result())
			r := got["latency.p99_ratio_to_baseline"]
			if r.Status != tt.want || *r.Value != 1.5 {
				t.Errorf("ratio %s %v (%s), want %s 1.5", r.Status, *r.Value, r.Message, tt.want)
			}
			if want := "p99 30 ms is 1.5× the logged production p99 20 ms"; r.Message != want {
				t.Errorf("message %q, want %q", r.Message, want)
			}
			p99 := got["latency.p99"]
			if *p99.Baseline != 20 || *p99.Delta != 10 {
				t.Errorf("p99 baseline %v delta %v, want 20 10", *p99.Baseline, *p99.Delta)
			}
			for name, want := range map[string]float64{"baseline_latency.p50": 2, "baseline_latency.p99": 20, "baseline_latency.max": 20} {
				if o := got[name]; o.Status != checks.Pass || *o.Value != want || o.Rows != 1000 {
					t.Errorf("%s: %s %v rows %d, want pass %v 1000", name, o.Status, *o.Value, o.Rows, want)
				}
			}
		})
	}
}

func TestBaselineMissing(t *testing.T) {
	c := mustNew(t, Config{BaselineColumn: "prod_latency_ms", MaxP99RatioToBaseline: fp(1.2)}, Options{})
	observe(t, c, batch(col("candidate_latency_ms", f64(1, 2))))
	got := byName(c.Result())
	if o := got["latency.p99_ratio_to_baseline"]; o.Status != checks.Skip ||
		o.Message != `no baseline: column "prod_latency_ms" is not in the scored rows` {
		t.Errorf("ratio: %s %q", o.Status, o.Message)
	}
	if o := got["baseline_latency.p99"]; o.Status != checks.Skip {
		t.Errorf("baseline p99: %s", o.Status)
	}
	if o := got["latency.p99"]; o.Baseline != nil || o.Status != checks.Pass {
		t.Errorf("p99 carries a baseline without one: %+v", o)
	}
}

func TestBadValues(t *testing.T) {
	c := mustNew(t, Config{P99: 10 * time.Millisecond}, Options{})
	observe(t, c,
		batch(col("candidate_latency_ms", f64(1, math.NaN(), -3, nil, math.Inf(1), 0, 0.0002, 2, 5e6))),
		batch(col("other", f64(1, 2))), // no latency column: 2 rows without a latency
	)
	s := c.Summary().Candidate
	if s.Count != 5 || s.Invalid != 3 || s.Missing != 3 || s.BelowRange != 2 || s.AboveRange != 1 {
		t.Errorf("summary %+v, want count 5 invalid 3 missing 3 below 2 above 1", s)
	}
	if s.Min != 0 || s.Max != 5e6 {
		t.Errorf("min %v max %v, want 0 and 5e6", s.Min, s.Max)
	}
	o := byName(c.Result())["latency.p50"]
	want := "p50 1 ms over 5 rows; 3 rows without a latency left out; 3 rows with a NaN, infinite or negative latency left out; " +
		"2 rows under 1 µs counted as 1 µs; 1 row over 1 h counted as 1 h"
	if o.Message != want || o.Status != checks.Pass {
		t.Errorf("p50: %s %q\nwant %q", o.Status, o.Message, want)
	}
	for _, o := range c.Result() {
		if o.Value != nil && (math.IsNaN(*o.Value) || math.IsInf(*o.Value, 0)) {
			t.Errorf("%s: non-finite value %v", o.Name, *o.Value)
		}
	}
}

func TestNoLatency(t *testing.T) {
	tests := []struct {
		name   string
		b      arrow.RecordBatch
		status checks.Status
		msg    string
	}{
		{"all null", batch(col("candidate_latency_ms", f64(nil, nil))), checks.Skip,
			`no rows with a latency: every value of "candidate_latency_ms" is null`},
		{"all invalid", batch(col("candidate_latency_ms", f64(math.NaN(), -1))), checks.Skip,
			`no rows with a latency: every value of "candidate_latency_ms" is null, NaN, infinite or negative`},
		{"missing column", batch(col("x", f64(1))), checks.Skip,
			`no rows with a latency: column "candidate_latency_ms" is not in the scored rows`},
		{"not a number", batch(col("candidate_latency_ms", strs("1ms", "2ms"))), checks.Error,
			`column "candidate_latency_ms" is utf8, not a number of milliseconds`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(t, Config{P99: time.Millisecond}, Options{})
			observe(t, c, tt.b)
			got := byName(c.Result())
			o := got["latency.p99"]
			if o.Status != tt.status || o.Message != tt.msg || o.Value != nil {
				t.Errorf("p99: %s %q, want %s %q", o.Status, o.Message, tt.status, tt.msg)
			}
			if e := got["latency.error_rate"]; e.Status != checks.Pass {
				t.Errorf("error_rate: %s", e.Status)
			}
		})
	}
}

func TestZeroRows(t *testing.T) {
	c := mustNew(t, Config{P99: time.Millisecond, BaselineColumn: "b", MaxErrorRate: fp(0)}, Options{})
	observe(t, c, batch(col("candidate_latency_ms", f64())))
	c.SetDuration(time.Second)
	out := c.Result()
	if len(out) != 13 {
		t.Fatalf("%d outcomes, want 13", len(out))
	}
	for _, o := range out {
		if o.Status != checks.Skip || o.Message != "no rows" || o.Check != "latency" {
			t.Errorf("%s: %s %q, want skip \"no rows\"", o.Name, o.Status, o.Message)
		}
	}
}

func TestOutcomeOrderAndNames(t *testing.T) {
	c := mustNew(t, Config{BaselineColumn: "prod_latency_ms"}, Options{})
	observe(t, c, batch(col("candidate_latency_ms", f64(1)), col("prod_latency_ms", f64(1)), col("candidate_service_ms", f64(0.5))))
	var names []string
	for _, o := range c.Result() {
		names = append(names, o.Name)
	}
	want := "latency.p50 latency.p90 latency.p95 latency.p99 latency.p999 latency.max latency.error_rate " +
		"latency.timeout_rate latency.throughput latency.p99_ratio_to_baseline baseline_latency.p50 " +
		"baseline_latency.p99 baseline_latency.max service_time.p50 service_time.p99 service_time.max"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("names:\n got %s\nwant %s", got, want)
	}
	p := mustNew(t, Config{}, Options{Role: "production"})
	observe(t, p, batch(col("production_latency_ms", f64(3)), col("production_service_ms", f64(1))))
	got := byName(p.Result())
	if o := got["production_latency.p99"]; o.Status != checks.Pass || *o.Value != 3 {
		t.Errorf("production role: %+v", o)
	}
	if o := got["production_service_time.p99"]; o.Status != checks.Pass || *o.Value != 1 {
		t.Errorf("production service time: %+v", o)
	}
}

func TestServiceTime(t *testing.T) {
	c := mustNew(t, Config{}, Options{})
	observe(t, c, batch(col("candidate_latency_ms", f64(10, 12, 40)), col("candidate_service_ms", f64(2, 3, nil))))
	got := byName(c.Result())
	o := got["service_time.p99"]
	if o.Status != checks.Pass || *o.Value != 3 || o.Rows != 2 {
		t.Errorf("service p99: %+v", o)
	}
	if want := `service time p99 3 ms over 2 rows (column "candidate_service_ms"); 1 row without a latency left out`; o.Message != want {
		t.Errorf("message %q, want %q", o.Message, want)
	}
	if s := c.Summary(); s.Service == nil || s.Service.Max != 3 || s.Baseline != nil {
		t.Errorf("summary service %+v baseline %+v", s.Service, s.Baseline)
	}
}

func TestThroughput(t *testing.T) {
	c := mustNew(t, Config{}, Options{})
	observe(t, c, batch(col("candidate_latency_ms", floats(mix(19998, 1, 1, 1)))))
	if o := byName(c.Result())["latency.throughput"]; o.Status != checks.Skip {
		t.Errorf("throughput without a duration: %s", o.Status)
	}
	c.SetDuration(1520 * time.Millisecond)
	o := byName(c.Result())["latency.throughput"]
	if o.Status != checks.Pass || math.Abs(*o.Value-19998/1.52) > 1e-9 {
		t.Errorf("throughput %s %v, want pass %v", o.Status, *o.Value, 19998/1.52)
	}
	if want := "19,998 rows in 1.52 s: 13,157 rows/s"; o.Message != want {
		t.Errorf("message %q, want %q", o.Message, want)
	}
}

func TestMessages(t *testing.T) {
	lat := append(mix(19998, 0.5, 2, 31.2), 4, 4)
	errCol := make([]string, len(lat))
	errCol[len(lat)-1], errCol[len(lat)-2] = "http_status: 503", "http_status: 503"
	c := mustNew(t, Config{P99: 25 * time.Millisecond, P50: 5 * time.Millisecond}, Options{})
	observe(t, c, batch(col("candidate_latency_ms", floats(lat)), col("candidate_error", strs(errCol...))))
	got := byName(c.Result())
	tests := map[string]struct {
		msg, limit string
		status     checks.Status
	}{
		"latency.p99": {"p99 31.2 ms over 20,000 rows, above the 25 ms limit; includes 2 errored rows", "<= 25ms", checks.Fail},
		"latency.p50": {"p50 4 ms over 20,000 rows, within the 5 ms limit; includes 2 errored rows", "<= 5ms", checks.Pass},
	}
	for name, tt := range tests {
		o := got[name]
		if o.Message != tt.msg || o.Limit != tt.limit || o.Status != tt.status {
			t.Errorf("%s: %s %q %q, want %s %q %q", name, o.Status, o.Limit, o.Message, tt.status, tt.limit, tt.msg)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		msg  string
	}{
		{"severity", Config{Severity: "block"}, `checks.latency.severity: unknown severity "block"`},
		{"negative", Config{P99: -time.Millisecond}, "checks.latency.p99: -1ms is negative"},
		{"rate", Config{MaxErrorRate: fp(1.5)}, "checks.latency.max_error_rate: 1.5 is not between 0 and 1"},
		{"nan rate", Config{MaxTimeoutRate: fp(math.NaN())}, "checks.latency.max_timeout_rate: NaN is not between 0 and 1"},
		{"ratio", Config{MaxP99RatioToBaseline: fp(0), BaselineColumn: "b"}, "checks.latency.max_p99_ratio_to_baseline: 0 is not a positive number"},
		{"ratio without baseline", Config{MaxP99RatioToBaseline: fp(1.2)}, "checks.latency.max_p99_ratio_to_baseline: no baseline latency column to compare with"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg, Options{})
			if err == nil || err.Error() != tt.msg || errs.Code(err) != errs.CodeInput {
				t.Errorf("error %v (code %d), want %q (code 3)", err, errs.Code(err), tt.msg)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		ms   float64
		want string
	}{
		{0.85, "850 µs"}, {0.001, "1 µs"}, {31.26, "31.3 ms"}, {2, "2 ms"}, {120.4, "120 ms"}, {1520, "1.52 s"}, {0, "0 µs"},
	}
	for _, tt := range tests {
		if got := human(tt.ms); got != tt.want {
			t.Errorf("human(%v) = %q, want %q", tt.ms, got, tt.want)
		}
	}
}
