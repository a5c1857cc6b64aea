package segments

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/checks/checkstest"
)

// observeRows feeds c rows [lo, hi) of r.
func observeRows(t *testing.T, c *Check, r *synthRows, lo, hi int) {
	t.Helper()
	b := r.batch(lo, hi)
	defer b.Release()
	if err := c.Observe(b); err != nil {
		t.Fatal(err)
	}
}

func TestSegmentDeltasPlot(t *testing.T) {
	cfg := synthConfig()
	cfg.Metrics = []string{"auc", "logloss", "positive_rate"}
	cfg.Gates = map[string]Gate{"auc": {MaxDrop: fp(0.01), Min: fp(0.5)}, "logloss": {MaxRise: fp(0.05)}}
	c := mustNew(t, cfg)
	r := synth(1000, 1000, 50)
	observeRows(t, c, r, 0, len(r.id))
	outcomes := c.Result()
	plots := c.Plots()

	names := make([]string, len(plots))
	for i, p := range plots {
		names[i] = p.Name
	}
	want := []string{"segment_deltas[auc]", "segment_deltas[logloss]", "segment_deltas[positive_rate]", "reliability[overall]"}
	if !slices.Equal(names, want) {
		t.Fatalf("plots %v, want %v", names, want)
	}
	limits := map[string][2]*float64{"auc": {fp(0.01), nil}, "logloss": {nil, fp(0.05)}, "positive_rate": {nil, nil}}
	for i, m := range cfg.Metrics {
		p := plots[i]
		if p.Kind != checks.PlotSegmentDeltas {
			t.Errorf("%s: kind %q", p.Name, p.Kind)
		}
		d := checkstest.DecodeBack[checks.SegmentDeltasPlot](t, p)
		if !reflect.DeepEqual(d, p.Data) {
			t.Errorf("%s: data changed through JSON", p.Name)
		}
		if d.Metric != m || d.HigherIsBetter != (m == "auc") ||
			!reflect.DeepEqual(d.MaxDrop, limits[m][0]) || !reflect.DeepEqual(d.MaxRise, limits[m][1]) {
			t.Errorf("%s: metric %s, higher is better %v, max drop %v, max rise %v", p.Name, d.Metric, d.HigherIsBetter, d.MaxDrop, d.MaxRise)
		}
		// One bar per outcome of the metric, in outcome order.
		var mine []checks.Outcome
		for _, o := range outcomes {
			if len(o.Name) > len(m) && o.Name[:len(m)+1] == m+"[" {
				mine = append(mine, o)
			}
		}
		segs := []string{"overall", "seg=bad", "seg=good", "seg=tiny"}
		if len(d.Segments) != len(segs) || len(mine) != len(segs) {
			t.Fatalf("%s: %d bars, %d outcomes, want %d", m, len(d.Segments), len(mine), len(segs))
		}
		for k, s := range d.Segments {
			o := mine[k]
			if s.Segment != segs[k] || o.Name != m+"["+segs[k]+"]" || s.Status != o.Status {
				t.Errorf("%s bar %d: %s %s, outcome %s %s", m, k, s.Segment, s.Status, o.Name, o.Status)
			}
			if o.Delta == nil {
				if s.Delta != 0 || s.CI != nil || s.Status != checks.Skip {
					t.Errorf("%s: %+v for an outcome without a delta", o.Name, s)
				}
				continue
			}
			if s.Delta != *o.Delta || !slices.Equal(s.CI, o.CI) || len(s.CI) != 2 {
				t.Errorf("%s: delta %v CI %v, outcome %v %v", o.Name, s.Delta, s.CI, *o.Delta, o.CI)
			}
		}
	}
	// The planted segments: "good" has the baseline's scores, "bad" noise
	// (a large, significant AUC drop past max_drop); "tiny" is too small.
	auc := plots[0].Data.(checks.SegmentDeltasPlot).Segments
	if g := auc[2]; g.Delta != 0 || g.Status != checks.Pass {
		t.Errorf("good: %+v", g)
	}
	if b := auc[1]; !(b.Delta < -0.2 && b.CI[1] < -0.01) || b.Status != checks.Fail {
		t.Errorf("bad: %+v", b)
	}
	if tiny := auc[3]; tiny.Status != checks.Skip {
		t.Errorf("tiny: %+v", tiny)
	}
}

// A metric with no delta on any segment gets no chart; regression metrics
// get theirs but no calibration curve; binary metrics get the curve
// whether or not ece is among them.
func TestSegmentPlotsPresence(t *testing.T) {
	tests := []struct {
		name string
		cfg  func() Config
		want []string
	}{
		{"every segment too small", func() Config {
			cfg := synthConfig()
			cfg.MinRows = 100_000
			return cfg
		}, []string{"reliability[overall]"}},
		{"auc only", synthConfig, []string{"segment_deltas[auc]", "reliability[overall]"}},
		{"rows not kept", func() Config {
			cfg := synthConfig()
			cfg.ExactRows = -1
			return cfg
		}, []string{"segment_deltas[auc]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(t, tt.cfg())
			r := synth(400, 400, 10)
			observeRows(t, c, r, 0, len(r.id))
			var names []string
			for _, p := range c.Plots() {
				names = append(names, p.Name)
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("plots %v, want %v", names, tt.want)
			}
		})
	}

	t.Run("regression", func(t *testing.T) {
		c := mustNew(t, regConfig(0))
		b := regSynth(3000).batch()
		defer b.Release()
		if err := c.Observe(b); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range c.Plots() {
			names = append(names, p.Name)
			if p.Kind == checks.PlotSegmentDeltas && p.Data.(checks.SegmentDeltasPlot).HigherIsBetter != (p.Name == "segment_deltas[r2]") {
				t.Errorf("%s: higher is better %v", p.Name, p.Data.(checks.SegmentDeltasPlot).HigherIsBetter)
			}
		}
		var want []string
		for _, m := range regConfig(0).Metrics {
			want = append(want, "segment_deltas["+m+"]")
		}
		if !slices.Equal(names, want) {
			t.Errorf("plots %v, want %v", names, want)
		}
	})
}

// Past PlotSegments segments the chart keeps overall and the worst ones,
// in outcome order.
func TestLimitSegments(t *testing.T) {
	segs := []checks.SegmentDelta{{Segment: "overall", Status: checks.Pass}}
	for i := 1; i <= 60; i++ {
		s := checks.SegmentDelta{Segment: fmt.Sprintf("s=%02d", i), Delta: float64(i) / 1000, Status: checks.Pass}
		switch {
		case i%20 == 0:
			s.Status = checks.Fail
		case i%15 == 0:
			s.Status = checks.Skip
			s.Delta = 0
		}
		segs = append(segs, s)
	}
	got := limitSegments(segs)
	if len(got) != PlotSegments || got[0].Segment != "overall" {
		t.Fatalf("%d segments from %s", len(got), got[0].Segment)
	}
	// Kept: the 3 fails (20, 40, 60), then passes by |delta| from 59 down:
	// 36 more, so s=19 and above, less the skipped 30 and 45.
	keep := map[string]bool{"overall": true, "s=20": true, "s=40": true, "s=60": true}
	n := 0
	for i := 59; n < 36; i-- {
		if i%20 != 0 && i%15 != 0 {
			keep[fmt.Sprintf("s=%02d", i)] = true
			n++
		}
	}
	for k, s := range got {
		if !keep[s.Segment] {
			t.Errorf("kept %s", s.Segment)
		}
		if k > 0 && s.Segment < got[k-1].Segment {
			t.Errorf("%s after %s: not in outcome order", s.Segment, got[k-1].Segment)
		}
	}
	if short := segs[:10]; !reflect.DeepEqual(limitSegments(short), short) {
		t.Error("a short list changed")
	}
}

// Merging the checks of two halves gives the plots of one pass.
func TestSegmentPlotsMerge(t *testing.T) {
	cfg := synthConfig()
	cfg.Gates = map[string]Gate{"auc": {MaxDrop: fp(0.01)}}
	r := synth(900, 700, 60)
	n := len(r.id)
	one, a, b := mustNew(t, cfg), mustNew(t, cfg), mustNew(t, cfg)
	observeRows(t, one, r, 0, n)
	observeRows(t, a, r, 0, 1200)
	observeRows(t, b, r, 1200, n)
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	want, got := one.Plots(), a.Plots()
	if len(want) != 2 || !reflect.DeepEqual(got[0], want[0]) {
		t.Errorf("segment deltas after the merge:\n%+v\none pass:\n%+v", got, want)
	}
}

// BenchmarkPlots1M times Plots after Result on the rows of
// BenchmarkSegments1M (21 segments, auc and logloss, 200 replicates): the
// segment_deltas charts recompute the outcomes, and the reliability curves
// read the kept rows.
//
//	go test ./checks/segments -run '^$' -bench Plots1M -benchtime 3x
func BenchmarkPlots1M(b *testing.B) {
	batches := benchBatches(benchRows(1_000_000, 42), 64<<10)
	defer func() {
		for _, rb := range batches {
			rb.Release()
		}
	}()
	c, err := New(Config{By: []string{"country", "platform"}, Metrics: []string{"auc", "logloss"}, Label: "label",
		BaselineScore: "baseline_score", IDColumn: "id", Replicates: 200, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	for _, rb := range batches {
		if err := c.Observe(rb); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("Result", func(b *testing.B) {
		for range b.N {
			c.Result()
		}
	})
	b.Run("Plots", func(b *testing.B) {
		for range b.N {
			if len(c.Plots()) != 3 {
				b.Fatal("want segment_deltas[auc], segment_deltas[logloss] and reliability[overall]")
			}
		}
	})
}
