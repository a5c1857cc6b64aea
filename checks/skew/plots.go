package skew

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/stats"
)

// Plot sizes.
const (
	// PlotDriftFeatures is the most features the drift chart shows.
	PlotDriftFeatures = 15
	// PlotHistFeatures is the most features that get a histogram overlay.
	PlotHistFeatures = 4
	// PlotCategories is the most categorical values a histogram overlay
	// shows by name; the others are counted under "(other)".
	PlotCategories = 20
	// PlotScoreBins is the number of bins of the score histograms.
	PlotScoreBins = 50
)

// Bucket names of the categorical histogram overlays.
const (
	OtherBucket  = "(other)"  // values without a bin of their own
	UnseenBucket = "(unseen)" // traffic values the reference never had
)

// drifted is one compared feature with its outcome.
type drifted struct {
	fi  int
	o   checks.Outcome
	rel float64 // distance / fail limit
}

// Plots returns the skew charts, in this order:
//
//   - "drift" (checks.PlotDrift): up to PlotDriftFeatures compared features,
//     largest distance relative to the fail limit first (feature order
//     breaks ties), with the method, distance, limits and status of their
//     skew.<feature> outcomes. Features that could not be compared (skip,
//     error, type mismatch) have no distance and are left out. No plot when
//     no feature was compared.
//   - "feature_hist[<feature>]" (checks.PlotFeatureHist): reference against
//     traffic for the first PlotHistFeatures features of the drift chart
//     whose status is warn or fail; when none drifted, for the first
//     feature of the drift chart alone, so a report always shows one
//     overlay. See featureHist for the bins.
//   - "scores" (checks.PlotScores): the candidate's and the logged
//     production scores over PlotScoreBins equal bins, when prediction
//     drift is configured and both columns held a finite score. See
//     scoreHists.
//
// Every plot is built from the check's own state, so it agrees with the
// outcomes and merges like them.
func (c *Check) Plots() []checks.Plot {
	var out []checks.Plot
	feats := c.driftOrder()
	if len(feats) > 0 {
		shown := feats[:min(len(feats), PlotDriftFeatures)]
		d := checks.DriftPlot{Features: make([]checks.DriftBar, len(shown))}
		for i, x := range shown {
			f := c.ref.features[x.fi]
			d.Features[i] = checks.DriftBar{Feature: f.name, Method: f.method.Name, Distance: *x.o.Value,
				Warn: f.method.Warn, Fail: f.method.Fail, Status: x.o.Status}
		}
		out = append(out, checks.Plot{Name: "drift", Title: "Feature drift: distance of the traffic from the reference, against the warn and fail limits",
			Kind: checks.PlotDrift, Data: d})
	}
	var hist []drifted
	for _, x := range feats {
		if len(hist) < PlotHistFeatures && (x.o.Status == checks.Warn || x.o.Status == checks.Fail) {
			hist = append(hist, x)
		}
	}
	if len(hist) == 0 && len(feats) > 0 {
		hist = feats[:1]
	}
	for _, x := range hist {
		f := c.ref.features[x.fi]
		ref, cur := c.featureHist(f, c.cur[x.fi])
		out = append(out, checks.Plot{
			Name:  "feature_hist[" + f.name + "]",
			Title: fmt.Sprintf("%s: reference against traffic, %s %s", f.name, f.method.Name, num(*x.o.Value)),
			Kind:  checks.PlotFeatureHist,
			Data:  checks.FeatureHistPlot{Feature: f.name, Method: f.method.Name, Distance: *x.o.Value, Reference: ref, Traffic: cur},
		})
	}
	if p := c.pred; p != nil && c.rows > 0 {
		if cand, base, ok := p.scoreHists(c.cfg); ok {
			out = append(out, checks.Plot{
				Name:  "scores",
				Title: fmt.Sprintf("Scores: candidate (%s) against logged production (%s)", c.cfg.CandidateScore, c.cfg.BaselineScore),
				Kind:  checks.PlotScores,
				Data:  checks.ScoresPlot{Candidate: cand, Baseline: base},
			})
		}
	}
	return out
}

// driftOrder returns the compared features with their outcomes (computed
// as Result does), largest distance relative to the fail limit first.
func (c *Check) driftOrder() []drifted {
	var out []drifted
	for i, f := range c.ref.features {
		o, _, ok := c.featureOutcome(f, c.cur[i])
		if !ok || o.Value == nil {
			continue
		}
		v := *o.Value
		rel := v / f.method.Fail
		if f.method.Fail == 0 { // any distance is past a zero limit
			rel = 0
			if v > 0 {
				rel = math.Inf(1)
			}
		}
		out = append(out, drifted{fi: i, o: o, rel: rel})
	}
	slices.SortStableFunc(out, func(a, b drifted) int { return cmp.Compare(b.rel, a.rel) })
	return out
}

// featureHist returns a compared feature's reference and traffic
// histograms over the same bins; counts are rows, nulls left out.
//
// A numeric feature is shown on the decile bins PSI and JS are computed on
// (the reference's quantile cuts), summed exactly from the check's fine
// histograms; NaN and ±Inf are left out. The open-ended outer bins are
// closed at the smallest and largest finite value of reference and
// traffic together, and dropped when both are empty, so every edge is
// finite. When the reference was sampled, its counts are the sample's
// scaled to the number of finite reference values.
//
// A categorical feature shows up to PlotCategories values of the
// reference's vocabulary, those with the largest share in the reference or
// the traffic, in vocabulary order (most frequent in the reference first);
// then OtherBucket for every other value, and UnseenBucket for the traffic
// values the reference never had (part of OtherBucket otherwise, and left
// in it when the reference had too many distinct values to keep). A bucket
// empty on both sides is left out.
func (c *Check) featureHist(f *refFeature, cf *curFeature) (ref, cur checks.Histogram) {
	if f.kind == kindNumeric {
		return numericHist(f, cf)
	}
	return categoricalHist(f, cf)
}

func numericHist(f *refFeature, cf *curFeature) (ref, cur checks.Histogram) {
	rh, err1 := f.hist.Rebin(f.coarse)
	ch, err2 := cf.hist.Rebin(f.coarse)
	if err1 != nil || err2 != nil { // the coarse cuts are fine cuts: not reached
		return checks.Histogram{Counts: []float64{}}, checks.Histogram{Counts: []float64{}}
	}
	cuts := f.coarse.Cuts()
	rc, cc := rh.Counts(), ch.Counts()
	scale := 1.0
	if f.sampled > 0 && int64(f.sampled) < f.seen {
		scale = float64(f.seen) / float64(f.sampled)
	}
	lo, hi := f.min, f.max
	if m, ok := cf.hist.Min(); ok {
		lo = math.Min(lo, m)
	}
	if m, ok := cf.hist.Max(); ok {
		hi = math.Max(hi, m)
	}
	// bin i is (edge(i), edge(i+1)]: cuts inside, lo and hi outside.
	edge := func(i int) float64 {
		switch {
		case i == 0:
			return lo
		case i > len(cuts):
			return hi
		}
		return cuts[i-1]
	}
	first, last := 0, len(rc)-1
	if rc[0] == 0 && cc[0] == 0 && len(cuts) > 0 {
		first = 1
	}
	if rc[last] == 0 && cc[last] == 0 && len(cuts) > 0 && last > first {
		last--
	}
	edges := make([]float64, 0, last-first+2)
	for i := first; i <= last+1; i++ {
		edges = append(edges, edge(i))
	}
	// An outer bin whose values all lie on its cut (or a single bin of
	// equal values) is widened by the least amount, so that the edges stay
	// strictly increasing; the cuts themselves are.
	if !(edges[0] < edges[1]) {
		edges[0] = math.Nextafter(edges[1], math.Inf(-1))
	}
	if n := len(edges); !(edges[n-1] > edges[n-2]) {
		edges[n-1] = math.Nextafter(edges[n-2], math.Inf(1))
	}
	ref = checks.Histogram{Edges: edges, Counts: make([]float64, 0, len(edges)-1)}
	cur = checks.Histogram{Edges: slices.Clone(edges), Counts: make([]float64, 0, len(edges)-1)}
	for i := first; i <= last; i++ {
		ref.Counts = append(ref.Counts, float64(rc[i])*scale)
		cur.Counts = append(cur.Counts, float64(cc[i]))
	}
	return ref, cur
}

func categoricalHist(f *refFeature, cf *curFeature) (ref, cur checks.Histogram) {
	values := f.vocab.Values()
	rc, cc := f.counts.Counts(), cf.counts.Counts()
	rt, ct := float64(f.counts.Total()), float64(cf.counts.Total())
	sh := func(k, n float64) float64 {
		if n == 0 {
			return 0
		}
		return k / n
	}
	// The values shown: largest share on either side first, vocabulary
	// order among equals; then back to vocabulary order.
	idx := make([]int, len(values))
	for i := range idx {
		idx[i] = i
	}
	weight := func(i int) float64 { return math.Max(sh(float64(rc[i]), rt), sh(float64(cc[i]), ct)) }
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(weight(b), weight(a)) })
	idx = idx[:min(len(idx), PlotCategories)]
	slices.Sort(idx)

	var refOther, curOther float64 = float64(rc[len(values)]), float64(cc[len(values)])
	shown := make([]bool, len(values))
	for _, i := range idx {
		shown[i] = true
	}
	for i := range values {
		if !shown[i] {
			refOther += float64(rc[i])
			curOther += float64(cc[i])
		}
	}
	var unseen float64
	if f.known != nil {
		unseen = float64(cf.unseen)
		curOther -= unseen
	}
	for _, i := range idx {
		ref.Categories = append(ref.Categories, values[i])
		ref.Counts = append(ref.Counts, float64(rc[i]))
		cur.Counts = append(cur.Counts, float64(cc[i]))
	}
	if refOther > 0 || curOther > 0 {
		ref.Categories = append(ref.Categories, OtherBucket)
		ref.Counts = append(ref.Counts, refOther)
		cur.Counts = append(cur.Counts, curOther)
	}
	if unseen > 0 {
		ref.Categories = append(ref.Categories, UnseenBucket)
		ref.Counts = append(ref.Counts, 0)
		cur.Counts = append(cur.Counts, unseen)
	}
	cur.Categories = slices.Clone(ref.Categories)
	if ref.Counts == nil {
		ref.Counts, cur.Counts = []float64{}, []float64{}
	}
	return ref, cur
}

// scoreHists returns the histograms of the candidate's and the logged
// baseline scores, from the samples the skew.prediction outcome compares
// (every finite score while no more than Config.ReservoirSize were seen;
// beyond, a uniform sample whose counts are scaled to the scores seen).
// The bins are PlotScoreBins equal bins over [0, 1] when every sampled
// score lies in it, else over the range of both samples; each bin holds
// its lower edge, the last also its upper. ok is false when either column
// is missing or not numeric, or held no finite score.
func (p *predState) scoreHists(cfg Config) (cand, base checks.Histogram, ok bool) {
	if st, _ := columnsProblem(cfg.CandidateScore, cfg.BaselineScore, p.candSeen, p.baseSeen, p.candType, p.baseType); st != "" {
		return cand, base, false
	}
	cv, bv := p.cand.Values(), p.base.Values()
	if len(cv) == 0 || len(bv) == 0 {
		return cand, base, false
	}
	lo, hi := 0.0, 1.0
	mn, mx := math.Min(slices.Min(cv), slices.Min(bv)), math.Max(slices.Max(cv), slices.Max(bv))
	if mn < 0 || mx > 1 {
		lo, hi = mn, mx
		if lo == hi {
			lo, hi = lo-0.5, hi+0.5
		}
	}
	edges := make([]float64, PlotScoreBins+1)
	for i := range edges {
		edges[i] = lo + (hi-lo)*float64(i)/PlotScoreBins
	}
	edges[PlotScoreBins] = hi
	count := func(r *stats.Reservoir, vals []float64) checks.Histogram {
		h := checks.Histogram{Edges: slices.Clone(edges), Counts: make([]float64, PlotScoreBins)}
		for _, v := range vals {
			b := int(math.Floor((v - lo) / (hi - lo) * PlotScoreBins))
			h.Counts[max(0, min(b, PlotScoreBins-1))]++
		}
		if len(vals) > 0 && int64(len(vals)) < r.Seen() {
			s := float64(r.Seen()) / float64(len(vals))
			for i := range h.Counts {
				h.Counts[i] *= s
			}
		}
		return h
	}
	return count(p.cand, cv), count(p.base, bv), true
}
