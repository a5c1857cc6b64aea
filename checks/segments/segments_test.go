package segments

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/stats"
)

// synth makes rows of segments: "good" (candidate = baseline, both
// informative), "bad" (candidate is noise, baseline informative) and
// "tiny" (fewer than min_rows). Every fifth row has no label.
func synth(nGood, nBad, nTiny int) *synthRows {
	rng := rand.New(rand.NewPCG(7, 11))
	r := &synthRows{}
	good := func() (float64, int) {
		y := 0
		if rng.Float64() < 0.3 {
			y = 1
		}
		z := 1.5*float64(2*y-1) + rng.NormFloat64()
		return 1 / (1 + math.Exp(-z)), y
	}
	id := 0
	add := func(seg string, n int, bad bool) {
		for i := 0; i < n; i++ {
			p, y := good()
			c := p
			if bad {
				c = rng.Float64()
			}
			if id%5 == 4 {
				y = -1
			}
			r.add(fmt.Sprintf("r%06d", id), seg, c, p, y)
			id++
		}
	}
	add("good", nGood, false)
	add("bad", nBad, true)
	add("tiny", nTiny, false)
	return r
}

func synthConfig() Config {
	return Config{
		By:            []string{"seg"},
		Metrics:       []string{"auc"},
		Label:         "y",
		BaselineScore: "prod",
		IDColumn:      "id",
		MinRows:       100,
		Seed:          1,
	}
}

func run(t *testing.T, cfg Config, r *synthRows) map[string]checks.Outcome {
	t.Helper()
	c := mustNew(t, cfg)
	b := r.batch(0, len(r.id))
	defer b.Release()
	if err := c.Observe(b); err != nil {
		t.Fatal(err)
	}
	return byName(c.Result())
}

// TestGateWiring checks each limit kind through the check: fail needs the
// change to be significant, a limit broken without a significant change
// warns.
func TestGateWiring(t *testing.T) {
	rows := synth(1000, 1000, 50)
	cases := []struct {
		gate    Gate
		segment string
		want    checks.Status
	}{
		{Gate{MaxDrop: fp(0.01)}, "good", checks.Pass},         // no change
		{Gate{MaxDrop: fp(0.01)}, "bad", checks.Fail},          // large significant drop
		{Gate{MaxDrop: fp(0.9)}, "bad", checks.Pass},           // drop within the limit
		{Gate{Min: fp(0.99)}, "good", checks.Warn},             // below min, but no change from baseline
		{Gate{Min: fp(0.7)}, "bad", checks.Fail},               // below min and a significant drop
		{Gate{Min: fp(0.4), Max: fp(0.6)}, "bad", checks.Pass}, // noise: about 0.48
		{Gate{Max: fp(0.5)}, "good", checks.Warn},              // above max, no change
		{Gate{MaxDrop: fp(0.01)}, "tiny", checks.Skip},         // below min_rows
		{Gate{MaxDrop: fp(0.01), Min: fp(0.99)}, "bad", checks.Fail},
	}
	for _, tc := range cases {
		cfg := synthConfig()
		cfg.Gates = map[string]Gate{"auc": tc.gate}
		o := run(t, cfg, rows)["auc[seg="+tc.segment+"]"]
		if o.Status != tc.want {
			t.Errorf("%s on %s: %s, want %s (%s)", o.Limit, tc.segment, o.Status, tc.want, o.Message)
		}
	}
}

func TestMinRowsAndCoverage(t *testing.T) {
	cfg := synthConfig()
	cfg.Gates = map[string]Gate{"auc": {MaxDrop: fp(0.01)}}
	got := run(t, cfg, synth(1000, 1000, 50))
	tiny := got["auc[seg=tiny]"]
	if tiny.Status != checks.Skip || tiny.Rows != 40 || tiny.Value != nil {
		t.Errorf("tiny: %+v", tiny)
	}
	if want := "40 labelled of 50 rows (80.0%); 40 labelled rows with both scores, below min_rows 100"; tiny.Message != want {
		t.Errorf("tiny message:\n got %q\nwant %q", tiny.Message, want)
	}
	good := got["auc[seg=good]"]
	if good.Rows != 800 || !strings.HasPrefix(good.Message, "800 labelled of 1,000 rows (80.0%); delta +0, ") {
		t.Errorf("good: rows %d, message %q", good.Rows, good.Message)
	}
	if *good.Delta != 0 || good.CI[0] != 0 || good.CI[1] != 0 {
		t.Errorf("good: identical scores must give delta 0 and CI [0, 0], got %v %v", *good.Delta, good.CI)
	}
	// overall comes first, then the values sorted
	c := mustNew(t, cfg)
	r := synth(1000, 1000, 50)
	b := r.batch(0, len(r.id))
	defer b.Release()
	if err := c.Observe(b); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range c.Result() {
		names = append(names, o.Name)
	}
	if want := "auc[overall] auc[seg=bad] auc[seg=good] auc[seg=tiny]"; strings.Join(names, " ") != want {
		t.Errorf("order %q, want %q", strings.Join(names, " "), want)
	}
}

func TestOneClassSkips(t *testing.T) {
	r := &synthRows{}
	for i := 0; i < 200; i++ {
		r.add(fmt.Sprint(i), "x", 0.3, 0.4, 0)
	}
	cfg := synthConfig()
	cfg.Metrics = []string{"auc", "logloss"}
	got := run(t, cfg, r)
	if o := got["auc[seg=x]"]; o.Status != checks.Skip || !strings.Contains(o.Message, "needs both classes: 0 positives among 200") {
		t.Errorf("auc: %s %q", o.Status, o.Message)
	}
	// log loss is defined on one class: -ln(0.7) against -ln(0.6)
	o := got["logloss[seg=x]"]
	if o.Status != checks.Pass || math.Abs(*o.Value+math.Log(0.7)) > 1e-12 || math.Abs(*o.Baseline+math.Log(0.6)) > 1e-12 {
		t.Errorf("logloss: %+v", o)
	}
}

func TestMetricNotFound(t *testing.T) {
	cfg := synthConfig()
	cfg.Gates = map[string]Gate{"ece": {Max: fp(0.05)}}
	got := run(t, cfg, synth(200, 0, 0))
	o, ok := got["ece[overall]"]
	if !ok || o.Status != checks.Fail || !strings.Contains(o.Message, "metric not found") {
		t.Errorf("ece: %+v", o)
	}
}

// TestMergeHalves: merging the checks of two halves gives the outcomes of
// one pass: counts and AUC exactly, float sums to rounding.
func TestMergeHalves(t *testing.T) {
	cfg := synthConfig()
	cfg.Metrics = []string{"auc", "logloss", "accuracy"}
	cfg.Gates = map[string]Gate{"auc": {MaxDrop: fp(0.01)}, "logloss": {MaxRise: fp(0.01)}}
	r := synth(900, 700, 60)
	n := len(r.id)
	one := mustNew(t, cfg)
	a, b := mustNew(t, cfg), mustNew(t, cfg)
	// the halves interleave segments: the second starts inside "bad"
	for _, p := range []struct {
		c      *Check
		lo, hi int
	}{{one, 0, n}, {a, 0, 1200}, {b, 1200, n}} {
		bt := p.c
		rb := r.batch(p.lo, p.hi)
		if err := bt.Observe(rb); err != nil {
			t.Fatal(err)
		}
		rb.Release()
	}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	want, got := one.Result(), a.Result()
	if len(want) != len(got) {
		t.Fatalf("%d outcomes, want %d", len(got), len(want))
	}
	near := func(x, y *float64) bool {
		if x == nil || y == nil {
			return x == y
		}
		return math.Abs(*x-*y) <= 1e-12*max(1, math.Abs(*x))
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.Name != g.Name || w.Status != g.Status || w.Rows != g.Rows || w.Limit != g.Limit {
			t.Errorf("%s: merged %s %s rows %d, one pass %s %s rows %d", w.Name, g.Name, g.Status, g.Rows, w.Name, w.Status, w.Rows)
		}
		if !near(w.Value, g.Value) || !near(w.Baseline, g.Baseline) || len(w.CI) != len(g.CI) {
			t.Errorf("%s: values differ", w.Name)
			continue
		}
		for k := range w.CI {
			if !near(&w.CI[k], &g.CI[k]) {
				t.Errorf("%s: CI %v, one pass %v", w.Name, g.CI, w.CI)
			}
		}
		if strings.HasPrefix(w.Name, "auc") && w.Value != nil && (*w.Value != *g.Value || w.CI[0] != g.CI[0] || w.CI[1] != g.CI[1]) {
			t.Errorf("%s: auc must merge exactly", w.Name)
		}
	}
}

// TestBinnedPoint: without the exact store the point AUC comes from the
// bootstrap's binned scores, close to the exact one, with a warning.
func TestBinnedPoint(t *testing.T) {
	r := synth(3000, 0, 0)
	exact := run(t, synthConfig(), r)["auc[overall]"]
	cfg := synthConfig()
	cfg.ExactRows = 1000
	binned := run(t, cfg, r)["auc[overall]"]
	if math.Abs(*exact.Value-*binned.Value) > 1e-3 || *exact.Value == *binned.Value {
		t.Errorf("exact %v, binned %v", *exact.Value, *binned.Value)
	}
	if !strings.Contains(strings.Join(binned.Warnings, "\n"), "binned scores") {
		t.Errorf("no warning about binned scores: %v", binned.Warnings)
	}
}

func TestOtherSegment(t *testing.T) {
	r := &synthRows{}
	for i := 0; i < 40; i++ {
		r.add(fmt.Sprint(i), fmt.Sprintf("v%02d", i%4), 0.5, 0.5, i%2)
	}
	cfg := synthConfig()
	cfg.MaxValues = 2
	cfg.MinRows = 1
	got := run(t, cfg, r)
	o, ok := got["auc[seg=(other)]"]
	if !ok || o.Rows != 20 {
		t.Fatalf("no (other) segment of 20 rows: %+v", o)
	}
	if !strings.Contains(strings.Join(got["auc[overall]"].Warnings, "\n"), "more than 2 distinct values: 20 rows") {
		t.Errorf("warnings %v", got["auc[overall]"].Warnings)
	}
}

func TestConfigErrors(t *testing.T) {
	base := synthConfig()
	cases := map[string]func(*Config){
		"no label":         func(c *Config) { c.Label = "" },
		"no id":            func(c *Config) { c.IDColumn = "" },
		"unknown metric":   func(c *Config) { c.Metrics = []string{"auroc"} },
		"mixed regression": func(c *Config) { c.Metrics = []string{"auc", "rmse"} },
		"drop on logloss":  func(c *Config) { c.Gates = map[string]Gate{"logloss": {MaxDrop: fp(0.1)}} },
		"rise on auc":      func(c *Config) { c.Gates = map[string]Gate{"auc": {MaxRise: fp(0.1)}} },
		"negative drop":    func(c *Config) { c.Gates = map[string]Gate{"auc": {MaxDrop: fp(-1)}} },
		"confidence":       func(c *Config) { c.Confidence = 1 },
		"duplicate by":     func(c *Config) { c.By = []string{"seg", "seg"} },
		"unknown gate key": func(c *Config) { c.Gates = map[string]Gate{"acu": {Min: fp(0.5)}} },
	}
	for name, mut := range cases {
		cfg := base
		mut(&cfg)
		_, err := New(cfg)
		if err == nil || errs.Code(err) != errs.CodeInput {
			t.Errorf("%s: err %v, want an input error", name, err)
		}
	}
}

func TestMissingColumn(t *testing.T) {
	cfg := synthConfig()
	cfg.By = []string{"country"}
	c := mustNew(t, cfg)
	r := synth(10, 0, 0)
	b := r.batch(0, 10)
	defer b.Release()
	err := c.Observe(b)
	if err == nil || !strings.Contains(err.Error(), `column "country"`) || errs.Code(err) != errs.CodeInput {
		t.Errorf("err %v", err)
	}
}

// The reliability curve behind ece is kept as plot data: its bins
// reproduce the ECE outcome's value.
func TestReliabilityPlot(t *testing.T) {
	var cand, base, lab []float64
	for i := 0; i < 2000; i++ {
		p := float64(i%100) / 100
		cand, base = append(cand, p), append(base, 1-p)
		l := 0.0
		if (i*7919)%100 < i%100 {
			l = 1
		}
		lab = append(lab, l)
	}
	c := mustNew(t, Config{Metrics: []string{"ece"}, Label: "y", BaselineScore: "prod", IDColumn: "id", MinRows: 10})
	var r synthRows
	for i := range cand {
		r.add(fmt.Sprintf("r%d", i), "a", cand[i], base[i], int(lab[i]))
	}
	if err := c.Observe(r.batch(0, len(cand))); err != nil {
		t.Fatal(err)
	}
	plots := c.Plots() // segment_deltas[ece], then the curves
	if len(plots) != 2 || plots[1].Kind != "reliability" {
		t.Fatalf("plots %+v", plots)
	}
	d := plots[1].Data.(ReliabilityPlot)
	ece, n := 0.0, 0.0
	for _, b := range d.Candidate {
		ece += b.Count * math.Abs(b.ObservedRate-b.MeanPredicted)
		n += b.Count
	}
	want, _ := stats.ECE(cand, lab, nil)
	if n != 2000 || math.Abs(ece/n-want) > 1e-12 {
		t.Errorf("curve gives ECE %v over %v rows, stats.ECE %v", ece/n, n, want)
	}
}
