package skew

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/checks/checkstest"
)

// plotData is a planted drift: x shifted by one standard deviation (fail),
// y by a third of one (warn), z unchanged; c loses half of "a" to a value
// the reference never had (fail); city has 30 values, a few shares moved
// and one unseen value. Scores: the candidate's uniform, the logged ones
// squared, with nulls and NaN on both sides.
type plotData struct {
	x, y, z, cand, prod []any // float64, math.NaN() or nil
	c, city             []string
}

func makePlotData(n int, seed uint64, traffic bool) plotData {
	r := rand.New(rand.NewPCG(seed, 99))
	var d plotData
	for i := 0; i < n; i++ {
		x, y := r.NormFloat64(), r.NormFloat64()
		if traffic {
			x += 1
			y += 0.35
		}
		var xv any = x
		switch {
		case i%97 == 0:
			xv = nil
		case traffic && i%211 == 0:
			xv = math.NaN()
		}
		d.x = append(d.x, xv)
		d.y = append(d.y, y)
		d.z = append(d.z, r.Float64()*10)
		u := r.Float64()
		c := "a"
		switch {
		case u < 0.5:
		case u < 0.8:
			c = "b"
		default:
			c = "c"
		}
		if traffic && c == "a" && r.IntN(2) == 0 {
			c = "q"
		}
		if i%50 == 0 {
			c = "" // null
		}
		d.c = append(d.c, c)
		// city k with weight 1/(k+1); the traffic moves share to city7
		// and brings city_new.
		k := 0
		for w := r.Float64() * 3.99; k < 29 && w > 1/float64(k+1); k++ {
			w -= 1 / float64(k+1)
		}
		city := fmt.Sprintf("city%02d", k)
		if traffic && r.IntN(20) == 0 {
			city = "city07"
		}
		if traffic && i%40 == 1 {
			city = "city_new"
		}
		d.city = append(d.city, city)
		cs, ps := r.Float64(), r.Float64()
		var cv, pv any = cs, ps * ps
		if i%83 == 0 {
			cv = nil
		}
		if i%89 == 0 {
			pv = math.NaN()
		}
		d.cand = append(d.cand, cv)
		d.prod = append(d.prod, pv)
	}
	return d
}

// batches cuts the data into batches of at most size rows.
func (d plotData) batches(size int, scores bool) []arrow.RecordBatch {
	var out []arrow.RecordBatch
	for lo := 0; lo < len(d.x); lo += size {
		hi := min(lo+size, len(d.x))
		cols := []tcol{
			col("x", f64(d.x[lo:hi]...)), col("y", f64(d.y[lo:hi]...)), col("z", f64(d.z[lo:hi]...)),
			col("c", strArr(d.c[lo:hi]...)), col("city", strArr(d.city[lo:hi]...)),
		}
		if scores {
			cols = append(cols, col("candidate_score", f64(d.cand[lo:hi]...)), col("prod_score", f64(d.prod[lo:hi]...)))
		}
		out = append(out, batch(cols...))
	}
	return out
}

func release(bs []arrow.RecordBatch) {
	for _, b := range bs {
		b.Release()
	}
}

var plotConfig = Config{
	Features:      []string{"x", "y", "z", "c", "city"},
	BaselineScore: "prod_score",
	Prediction:    &PredictionConfig{Thresholds: []float64{0.5}},
}

// plotCheck builds a check on the planted reference and feeds it the
// traffic, or the reference itself when drift is false.
func plotCheck(t *testing.T, cfg Config, drift bool) (*Check, plotData, plotData) {
	t.Helper()
	refData := makePlotData(4000, 1, false)
	ref := refData.batches(4000, false)
	defer release(ref)
	c, err := NewFromReference(src(ref...), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cur := refData
	if drift {
		cur = makePlotData(3000, 2, true)
	}
	bs := cur.batches(700, true)
	defer release(bs)
	for _, b := range bs {
		if err := c.Observe(b); err != nil {
			t.Fatal(err)
		}
	}
	return c, refData, cur
}

func plotsByName(ps []checks.Plot) map[string]checks.Plot {
	m := map[string]checks.Plot{}
	for _, p := range ps {
		m[p.Name] = p
	}
	return m
}

// decode reads a plot's data back as a renderer does, from result.json,
// and checks that JSON kept it whole.
func decode[T any](t *testing.T, p checks.Plot) T {
	t.Helper()
	d := checkstest.DecodeBack[T](t, p)
	if !reflect.DeepEqual(d, p.Data) {
		t.Errorf("%s: data changed through JSON:\n%+v\n%+v", p.Name, d, p.Data)
	}
	return d
}

func finiteValues(vals []any) []float64 {
	var out []float64
	for _, v := range vals {
		if f, ok := v.(float64); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
			out = append(out, f)
		}
	}
	return out
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func TestDriftPlot(t *testing.T) {
	c, _, _ := plotCheck(t, plotConfig, true)
	out := c.Result()
	plots := c.Plots()
	byN := plotsByName(plots)
	d := decode[checks.DriftPlot](t, byN["drift"])

	// Every compared feature, in decreasing distance / fail; each bar is
	// its outcome.
	if len(d.Features) != 5 {
		t.Fatalf("%d bars, want 5", len(d.Features))
	}
	for i, b := range d.Features {
		o := byName(t, out, "skew."+b.Feature)
		m := c.ref.features[slices.IndexFunc(c.ref.features, func(f *refFeature) bool { return f.name == b.Feature })].method
		if o.Value == nil || b.Distance != *o.Value || b.Status != o.Status || b.Method != m.Name || b.Warn != m.Warn || b.Fail != m.Fail {
			t.Errorf("bar %+v, outcome %s %v %q", b, o.Status, o.Value, o.Limit)
		}
		if want := limitOf(Method{Name: b.Method, Warn: b.Warn, Fail: b.Fail}); o.Limit != want {
			t.Errorf("%s: limit %q, bar says %q", b.Feature, o.Limit, want)
		}
		if i > 0 && b.Distance/b.Fail > d.Features[i-1].Distance/d.Features[i-1].Fail {
			t.Errorf("bar %d (%s) is above bar %d relative to its fail limit", i, b.Feature, i-1)
		}
	}
	// The planted drift: x and c fail, y warns, z and city pass.
	want := map[string]checks.Status{"x": checks.Fail, "c": checks.Fail, "y": checks.Warn, "z": checks.Pass, "city": checks.Pass}
	for _, b := range d.Features {
		if b.Status != want[b.Feature] {
			t.Errorf("%s: %s, planted %s", b.Feature, b.Status, want[b.Feature])
		}
	}
	if d.Features[0].Feature != "x" {
		t.Errorf("first bar %s, want x (shifted by one standard deviation)", d.Features[0].Feature)
	}

	// Overlays for the drifted features, in bar order.
	var hists []string
	for _, p := range plots {
		if p.Kind == checks.PlotFeatureHist {
			hists = append(hists, p.Name)
		}
	}
	var wantHists []string
	for _, b := range d.Features {
		if b.Status == checks.Warn || b.Status == checks.Fail {
			wantHists = append(wantHists, "feature_hist["+b.Feature+"]")
		}
	}
	if !slices.Equal(hists, wantHists) {
		t.Errorf("overlays %v, want %v", hists, wantHists)
	}
	for _, name := range hists {
		h := decode[checks.FeatureHistPlot](t, byN[name])
		o := byName(t, out, "skew."+h.Feature)
		if h.Distance != *o.Value || h.Method != c.ref.features[slices.IndexFunc(c.ref.features, func(f *refFeature) bool { return f.name == h.Feature })].method.Name {
			t.Errorf("%s: %s %v, outcome %v", name, h.Method, h.Distance, *o.Value)
		}
	}
	if !reflect.DeepEqual(plots, c.Plots()) {
		t.Error("a second call gives other plots")
	}
}

// rightClosed counts vals into bins (e[i], e[i+1]], the first bin closed
// at both ends.
func rightClosed(vals, e []float64) []float64 {
	out := make([]float64, len(e)-1)
	for _, v := range vals {
		for i := range out {
			if (v > e[i] || (i == 0 && v == e[0])) && v <= e[i+1] {
				out[i]++
				break
			}
		}
	}
	return out
}

func TestNumericFeatureHist(t *testing.T) {
	for _, reservoir := range []int{0, 1000} {
		t.Run(fmt.Sprintf("reservoir %d", reservoir), func(t *testing.T) {
			cfg := plotConfig
			cfg.ReservoirSize = reservoir
			c, ref, cur := plotCheck(t, cfg, true)
			p, ok := plotsByName(c.Plots())["feature_hist[x]"]
			if !ok {
				t.Fatal("no overlay of x")
			}
			h := decode[checks.FeatureHistPlot](t, p)
			e := h.Reference.Edges
			if !slices.Equal(e, h.Traffic.Edges) || len(e) != len(h.Reference.Counts)+1 || len(e) != len(h.Traffic.Counts)+1 {
				t.Fatalf("edges %v, counts %v and %v", e, h.Reference.Counts, h.Traffic.Counts)
			}
			for i, v := range e {
				if math.IsNaN(v) || math.IsInf(v, 0) || (i > 0 && !(v > e[i-1])) {
					t.Errorf("edge %d = %v after %v", i, v, e[max(i-1, 0)])
				}
			}
			refVals, curVals := finiteValues(ref.x), finiteValues(cur.x)
			lo := math.Min(slices.Min(refVals), slices.Min(curVals))
			hi := math.Max(slices.Max(refVals), slices.Max(curVals))
			if e[0] != lo || e[len(e)-1] != hi {
				t.Errorf("outer edges %v, %v; the values span %v, %v", e[0], e[len(e)-1], lo, hi)
			}
			// The inner edges are the reference's 9 decile cuts, the bins
			// PSI is computed on.
			if cuts := c.ref.features[0].coarse.Cuts(); len(e) != 11 || !slices.Equal(e[1:10], cuts) {
				t.Errorf("edges %v, want the decile cuts %v between the outer ends", e, cuts)
			}
			if got := rightClosed(curVals, e); !slices.Equal(got, h.Traffic.Counts) {
				t.Errorf("traffic counts %v, recounted %v", h.Traffic.Counts, got)
			}
			if s := sum(h.Traffic.Counts); s != float64(len(curVals)) {
				t.Errorf("traffic counts sum to %v, %d finite values", s, len(curVals))
			}
			if s := sum(h.Reference.Counts); math.Abs(s-float64(len(refVals))) > 1e-9 {
				t.Errorf("reference counts sum to %v, %d finite values", s, len(refVals))
			}
			if reservoir == 0 {
				if got := rightClosed(refVals, e); !slices.Equal(got, h.Reference.Counts) {
					t.Errorf("reference counts %v, recounted %v", h.Reference.Counts, got)
				}
			}
		})
	}
}

func TestCategoricalFeatureHist(t *testing.T) {
	c, ref, cur := plotCheck(t, plotConfig, true)
	count := func(vals []string) map[string]float64 {
		m := map[string]float64{}
		for _, v := range vals {
			if v != "" {
				m[v]++
			}
		}
		return m
	}

	// c: three values and one unseen; nothing else.
	h := decode[checks.FeatureHistPlot](t, plotsByName(c.Plots())["feature_hist[c]"])
	rc, cc := count(ref.c), count(cur.c)
	want := checks.FeatureHistPlot{Feature: "c", Method: MethodLInf, Distance: h.Distance,
		Reference: checks.Histogram{Categories: []string{"a", "b", "c", UnseenBucket}, Counts: []float64{rc["a"], rc["b"], rc["c"], 0}},
		Traffic:   checks.Histogram{Categories: []string{"a", "b", "c", UnseenBucket}, Counts: []float64{cc["a"], cc["b"], cc["c"], cc["q"]}}}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("c:\n%+v, want\n%+v", h, want)
	}

	// city: 30 values, 20 shown, the others under (other), city_new unseen.
	fi := slices.IndexFunc(c.ref.features, func(f *refFeature) bool { return f.name == "city" })
	rh, ch := c.featureHist(c.ref.features[fi], c.cur[fi])
	rc, cc = count(ref.city), count(cur.city)
	if len(rc) != 30 {
		t.Fatalf("reference has %d cities, want 30", len(rc))
	}
	if !slices.Equal(rh.Categories, ch.Categories) || len(rh.Categories) != PlotCategories+2 ||
		rh.Categories[PlotCategories] != OtherBucket || rh.Categories[PlotCategories+1] != UnseenBucket {
		t.Fatalf("categories %v and %v", rh.Categories, ch.Categories)
	}
	// Independently: the 20 cities with the largest share on either side,
	// listed by decreasing reference count.
	type city struct {
		name string
		w    float64
	}
	var all []city
	rn, cn := float64(len(finiteStrings(ref.city))), float64(len(finiteStrings(cur.city)))
	for k := range rc {
		all = append(all, city{k, math.Max(rc[k]/rn, cc[k]/cn)})
	}
	slices.SortFunc(all, func(a, b city) int { return cmp.Or(cmp.Compare(b.w, a.w), cmp.Compare(a.name, b.name)) })
	top := map[string]bool{}
	for _, x := range all[:PlotCategories] {
		top[x.name] = true
	}
	var refOther, curOther float64
	for k := range rc {
		if !top[k] {
			refOther += rc[k]
			curOther += cc[k]
		}
	}
	for i, name := range rh.Categories[:PlotCategories] {
		if !top[name] {
			t.Errorf("%s shown, not among the largest shares", name)
		}
		if rh.Counts[i] != rc[name] || ch.Counts[i] != cc[name] {
			t.Errorf("%s: %v and %v, want %v and %v", name, rh.Counts[i], ch.Counts[i], rc[name], cc[name])
		}
		if i > 0 && rc[name] > rc[rh.Categories[i-1]] {
			t.Errorf("%s follows %s but is more frequent in the reference", name, rh.Categories[i-1])
		}
	}
	if got := rh.Counts[PlotCategories:]; !slices.Equal(got, []float64{refOther, 0}) {
		t.Errorf("reference (other), (unseen) = %v, want %v, 0", got, refOther)
	}
	if got := ch.Counts[PlotCategories:]; !slices.Equal(got, []float64{curOther, cc["city_new"]}) {
		t.Errorf("traffic (other), (unseen) = %v, want %v, %v", got, curOther, cc["city_new"])
	}
	if sum(rh.Counts) != rn || sum(ch.Counts) != cn {
		t.Errorf("counts sum to %v and %v, want %v and %v non-null rows", sum(rh.Counts), sum(ch.Counts), rn, cn)
	}
}

func finiteStrings(vals []string) []string {
	var out []string
	for _, v := range vals {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Without drift the report still gets one overlay: the feature first in
// the drift chart.
func TestFeatureHistWithoutDrift(t *testing.T) {
	c, _, _ := plotCheck(t, plotConfig, false)
	plots := c.Plots()
	d := decode[checks.DriftPlot](t, plotsByName(plots)["drift"])
	var hists []string
	for _, p := range plots {
		if p.Kind == checks.PlotFeatureHist {
			hists = append(hists, p.Name)
		}
	}
	if len(hists) != 1 || hists[0] != "feature_hist["+d.Features[0].Feature+"]" {
		t.Errorf("overlays %v, drift chart starts with %s", hists, d.Features[0].Feature)
	}
	for _, b := range d.Features {
		if b.Status != checks.Pass || b.Distance != 0 {
			t.Errorf("%+v: the traffic is the reference", b)
		}
	}
}

func TestScoresPlot(t *testing.T) {
	c, _, cur := plotCheck(t, plotConfig, true)
	p, ok := plotsByName(c.Plots())["scores"]
	if !ok || p.Kind != checks.PlotScores {
		t.Fatalf("no scores plot: %+v", p)
	}
	d := decode[checks.ScoresPlot](t, p)
	want := make([]float64, PlotScoreBins+1)
	for i := range want {
		want[i] = float64(i) / PlotScoreBins
	}
	for _, h := range []checks.Histogram{d.Candidate, d.Baseline} {
		if !slices.Equal(h.Edges, want) {
			t.Errorf("edges %v, want 50 bins over [0, 1]", h.Edges)
		}
	}
	count := func(vals []float64) []float64 {
		out := make([]float64, PlotScoreBins)
		for _, v := range vals {
			out[min(int(v*PlotScoreBins), PlotScoreBins-1)]++
		}
		return out
	}
	cv, pv := finiteValues(cur.cand), finiteValues(cur.prod)
	if got := count(cv); !slices.Equal(got, d.Candidate.Counts) {
		t.Errorf("candidate counts %v, want %v", d.Candidate.Counts, got)
	}
	if got := count(pv); !slices.Equal(got, d.Baseline.Counts) {
		t.Errorf("baseline counts %v, want %v", d.Baseline.Counts, got)
	}
	if len(cv) == len(cur.cand) || len(pv) == len(cur.prod) {
		t.Error("the data has no missing scores to leave out")
	}
	o := byName(t, c.Result(), "skew.prediction")
	if sum(d.Candidate.Counts) != float64(o.Rows) {
		t.Errorf("candidate counts sum to %v, skew.prediction has %d rows", sum(d.Candidate.Counts), o.Rows)
	}
}

// Scores outside [0, 1] get bins over their range; no rows give no plot,
// and no prediction config, or a missing score column, no scores plot.
func TestScoresPlotRangeAndAbsence(t *testing.T) {
	refB := batch(col("x", f64(1, 2, 3, 4)))
	defer refB.Release()
	build := func(cfg Config, cols ...tcol) []checks.Plot {
		c, err := NewFromReference(src(refB), cfg)
		if err != nil {
			t.Fatal(err)
		}
		b := batch(append([]tcol{col("x", f64(1, 2, 3, 4))}, cols...)...)
		defer b.Release()
		if err := c.Observe(b); err != nil {
			t.Fatal(err)
		}
		return c.Plots()
	}
	pred := Config{BaselineScore: "prod_score", Prediction: &PredictionConfig{}}
	p := plotsByName(build(pred, col("candidate_score", f64(-2, 0, 1, 3)), col("prod_score", f64(-1, nil, 2, 2))))["scores"]
	d := decode[checks.ScoresPlot](t, p)
	e := d.Candidate.Edges
	if len(e) != PlotScoreBins+1 || e[0] != -2 || e[PlotScoreBins] != 3 || math.Abs(e[1]-(-1.9)) > 1e-12 {
		t.Errorf("edges %v, want 50 bins over [-2, 3]", e)
	}
	// -2 → bin 0, 0 → 20, 1 → 30, 3 → 49; -1 → 10, 2 → 40 twice.
	wantC, wantB := make([]float64, PlotScoreBins), make([]float64, PlotScoreBins)
	wantC[0], wantC[20], wantC[30], wantC[49] = 1, 1, 1, 1
	wantB[10], wantB[40] = 1, 2
	if !slices.Equal(d.Candidate.Counts, wantC) || !slices.Equal(d.Baseline.Counts, wantB) {
		t.Errorf("counts %v and %v", d.Candidate.Counts, d.Baseline.Counts)
	}
	c, err := NewFromReference(src(refB), pred)
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Plots(); p != nil {
		t.Errorf("plots without rows: %+v", p)
	}
	for name, plots := range map[string][]checks.Plot{
		"no prediction":    build(Config{}, col("candidate_score", f64(0, 0, 1, 1)), col("prod_score", f64(0, 0, 1, 1))),
		"no baseline":      build(pred, col("candidate_score", f64(0, 0, 1, 1))),
		"no finite scores": build(pred, col("candidate_score", f64(nil, nil, nil, nil)), col("prod_score", f64(0, 0, 1, 1))),
		"string scores":    build(pred, col("candidate_score", strArr("a", "b", "c", "d")), col("prod_score", f64(0, 0, 1, 1))),
	} {
		if _, ok := plotsByName(plots)["scores"]; ok {
			t.Errorf("%s: a scores plot", name)
		}
	}
}

// Merging the checks of two halves gives the plots of one pass.
func TestPlotsMerge(t *testing.T) {
	one, _, cur := plotCheck(t, plotConfig, true)
	a := one.Fork()
	b := one.Fork()
	bs := cur.batches(1000, true)
	defer release(bs)
	for i, x := range bs {
		part := a
		if i%2 == 1 {
			part = b
		}
		if err := part.Observe(x); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	want, got := one.Plots(), a.Plots()
	if len(want) < 5 {
		t.Fatalf("%d plots, want drift, three overlays and scores", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		for i := range want {
			if i >= len(got) || !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("plot %s differs after the merge", want[i].Name)
			}
		}
	}
}
