package latency

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/checks/checkstest"
)

// uniformMS returns the latencies lo, lo+step, ... (n values).
func uniformMS(n int, lo, step float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = lo + float64(i)*step
	}
	return out
}

func TestLatencyPlot(t *testing.T) {
	cand := uniformMS(1000, 1, 1) // 1, 2, ..., 1000 ms
	prod := uniformMS(1000, 2, 2) // 2, 4, ..., 2000 ms
	cfg := Config{P50: 5 * time.Millisecond, P99: 25 * time.Millisecond, P999: 2 * time.Second,
		Max: 3 * time.Second, MaxErrorRate: fp(0.01), BaselineColumn: "prod_ms"}
	c := mustNew(t, cfg, Options{})
	for lo := 0; lo < len(cand); lo += 300 {
		hi := min(lo+300, len(cand))
		observe(t, c, batch(col("candidate_latency_ms", floats(cand[lo:hi])), col("prod_ms", floats(prod[lo:hi]))))
	}
	plots := c.Plots()
	if len(plots) != 1 {
		t.Fatalf("%d plots, want 1", len(plots))
	}
	p := plots[0]
	if p.Name != "latency" || p.Kind != checks.PlotLatency || p.Title != "Latency: candidate against logged production latency" {
		t.Errorf("plot %q %q %q", p.Name, p.Kind, p.Title)
	}
	d := p.Data.(checks.LatencyPlot)

	for name, series := range map[string]struct {
		got  []checks.Quantile
		vals []float64
	}{"candidate": {d.Candidate, cand}, "baseline": {d.Baseline, prod}} {
		q := series.got
		if len(q) < 60 || len(q) > 120 {
			t.Fatalf("%s: %d points, want 60..120", name, len(q))
		}
		if q[0].P != 0 || q[len(q)-1].P != 1 {
			t.Errorf("%s: P from %v to %v, want 0 to 1", name, q[0].P, q[len(q)-1].P)
		}
		lo, hi := series.vals[0], series.vals[len(series.vals)-1]
		if q[0].MS != lo || q[len(q)-1].MS != hi {
			t.Errorf("%s: ends %v, %v ms, want the exact min %v and max %v", name, q[0].MS, q[len(q)-1].MS, lo, hi)
		}
		tail := map[float64]bool{}
		for i, x := range q {
			if i > 0 && !(x.P > q[i-1].P && x.MS >= q[i-1].MS) {
				t.Errorf("%s: point %d %+v does not follow %+v", name, i, x, q[i-1])
			}
			tail[x.P] = true
			if x.P == 0 || x.P == 1 {
				continue
			}
			// Nearest rank by sorting, against the histogram's value: at
			// most one bucket above, at most 0.5 µs below.
			exact := exactPercentile(series.vals, 100*x.P)
			if x.MS < exact-0.0005 || x.MS > exact+bucketWidthMS(exact) {
				t.Errorf("%s: p=%v is %v ms, exact %v: not within one bucket", name, x.P, x.MS, exact)
			}
		}
		for _, p := range []float64{0.5, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999} {
			if !tail[p] {
				t.Errorf("%s: no point at p=%v", name, p)
			}
		}
	}

	// The curve passes through the values the gated outcomes report.
	out := byName(c.Result())
	at := func(q []checks.Quantile, p float64) float64 {
		for _, x := range q {
			if x.P == p {
				return x.MS
			}
		}
		t.Fatalf("no point at %v", p)
		return 0
	}
	for _, k := range []struct {
		name string
		p    float64
	}{{"latency.p50", 0.5}, {"latency.p90", 0.9}, {"latency.p99", 0.99}, {"latency.p999", 0.999}, {"latency.max", 1}} {
		if v := *out[k.name].Value; at(d.Candidate, k.p) != v {
			t.Errorf("%s: outcome %v, plot %v", k.name, v, at(d.Candidate, k.p))
		}
	}
	if v := *out["baseline_latency.p99"].Value; at(d.Baseline, 0.99) != v {
		t.Errorf("baseline p99: outcome %v, plot %v", v, at(d.Baseline, 0.99))
	}

	wantGates := []checks.LatencyGate{{Name: "p50", P: 0.5, MS: 5}, {Name: "p99", P: 0.99, MS: 25},
		{Name: "p999", P: 0.999, MS: 2000}, {Name: "max", P: 1, MS: 3000}}
	if !reflect.DeepEqual(d.Gates, wantGates) {
		t.Errorf("gates %+v, want %+v", d.Gates, wantGates)
	}

	back := checkstest.DecodeBack[checks.LatencyPlot](t, p)
	if !reflect.DeepEqual(back, d) {
		t.Errorf("round trip changed the data:\n%+v\n%+v", back, d)
	}
	raw, _ := json.Marshal(p)
	if len(raw) > 20_000 {
		t.Errorf("plot is %d bytes of JSON", len(raw))
	}
}

func TestLatencyPlotAbsent(t *testing.T) {
	tests := []struct {
		name string
		c    func(t *testing.T) *Check
	}{
		{"no rows", func(t *testing.T) *Check { return mustNew(t, Config{P99: time.Second}, Options{}) }},
		{"no latency column", func(t *testing.T) *Check {
			c := mustNew(t, Config{P99: time.Second}, Options{})
			observe(t, c, batch(col("candidate_error", nullStrs(3))))
			return c
		}},
		{"only nulls", func(t *testing.T) *Check {
			c := mustNew(t, Config{}, Options{})
			observe(t, c, batch(col("candidate_latency_ms", f64(nil, nil, math.NaN()))))
			return c
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if p := tt.c(t).Plots(); p != nil {
				t.Errorf("plots %+v, want none", p)
			}
		})
	}
}

// Without a baseline column, or with one that holds no value, the plot has
// the candidate alone; without gates it has no gate lines. Another role
// names the plot after its outcomes.
func TestLatencyPlotCandidateOnly(t *testing.T) {
	c := mustNew(t, Config{BaselineColumn: "prod_ms"}, Options{Role: "shadow"})
	observe(t, c, batch(col("shadow_latency_ms", f64(1, 2, 3)), col("prod_ms", f64(nil, nil, nil))))
	p := c.Plots()
	if len(p) != 1 || p[0].Name != "shadow_latency" || p[0].Title != "Latency: shadow" {
		t.Fatalf("plots %+v", p)
	}
	d := p[0].Data.(checks.LatencyPlot)
	if len(d.Candidate) == 0 || d.Baseline != nil || d.Gates != nil {
		t.Errorf("data %+v", d)
	}
	raw, _ := json.Marshal(p[0])
	var generic map[string]any
	_ = json.Unmarshal(raw, &generic)
	if _, ok := generic["data"].(map[string]any)["baseline"]; ok {
		t.Errorf("empty baseline written: %s", raw)
	}
}

// Merging the checks of two halves gives the plot of one pass.
func TestLatencyPlotMerge(t *testing.T) {
	vals := uniformMS(2000, 0.25, 0.37)
	one := mustNew(t, Config{P95: time.Millisecond}, Options{})
	observe(t, one, batch(col("candidate_latency_ms", floats(vals))))
	a := mustNew(t, Config{P95: time.Millisecond}, Options{})
	b := mustNew(t, Config{P95: time.Millisecond}, Options{})
	observe(t, a, batch(col("candidate_latency_ms", floats(vals[:700]))))
	observe(t, b, batch(col("candidate_latency_ms", floats(vals[700:]))))
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Plots(), one.Plots()) {
		t.Error("merged plot differs from one pass")
	}
}
