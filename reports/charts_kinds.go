package reports

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/replaygate/replaygate/checks"
)

// One builder per plot kind. A builder decodes the plot's data, leaves out
// what cannot be drawn (noting it under the chart), and returns the page;
// it returns an error only when nothing can be drawn or the data is
// malformed.

// chartDataSpan is about the width of the data area, used to decide whether the
// labels of a category axis need turning.
var chartDataSpan = chartPageW - vg.Points(80)

var (
	chartGuideLine   = draw.LineStyle{Color: chartGuide, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
	chartZeroLine    = draw.LineStyle{Color: chartGuide, Width: vg.Points(0.8)}
	chartFailLine    = draw.LineStyle{Color: chartRed, Width: vg.Points(1.3), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
	chartWarnLine    = draw.LineStyle{Color: chartAmber, Width: vg.Points(1.3), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
	chartWhiskerLine = draw.LineStyle{Color: chartInk, Width: vg.Points(1.2)}
)

func chartStatusColor(s checks.Status) color.RGBA {
	switch s {
	case checks.Pass:
		return chartPassColor
	case checks.Warn:
		return chartAmber
	case checks.Fail:
		return chartRed
	}
	return chartGrey
}

// chartStatusOrder lists the statuses a legend shows, in order.
var chartStatusOrder = []checks.Status{checks.Pass, checks.Warn, checks.Fail, checks.Skip, checks.Error}

// chartStatusLegend has one swatch per status present.
func chartStatusLegend(present map[checks.Status]bool) []chartLegendItem {
	var items []chartLegendItem
	for _, s := range chartStatusOrder {
		if present[s] {
			items = append(items, chartLegendItem{text: string(s), key: chartSwatchKey(chartStatusColor(s))})
		}
	}
	return items
}

// chartInvalidNote describes n values left out.
func chartInvalidNote(n int, what, why string) string {
	return fmt.Sprintf("%s left out (%s)", plural(n, what, what+"s"), why)
}

// --- latency_cdf -----------------------------------------------------------

// chartCDFPoints keeps the quantiles that can be drawn (finite, p in 0..1,
// ms >= 0), ordered by p, with ms made non-decreasing so the curve never
// runs backwards.
func chartCDFPoints(qs []checks.Quantile) (plotter.XYs, int) {
	var pts plotter.XYs
	bad := 0
	for _, q := range qs {
		if !chartFinite(q.P, q.MS) || q.P < 0 || q.P > 1 || q.MS < 0 {
			bad++
			continue
		}
		pts = append(pts, plotter.XY{X: q.MS, Y: q.P})
	}
	slices.SortStableFunc(pts, func(a, b plotter.XY) int { return cmp.Or(cmp.Compare(a.Y, b.Y), cmp.Compare(a.X, b.X)) })
	for i := 1; i < len(pts); i++ {
		pts[i].X = max(pts[i].X, pts[i-1].X)
	}
	return pts, bad
}

func latencyChart(p checks.Plot) (*chartFrame, error) {
	d, err := decodeChart[checks.LatencyPlot](p)
	if err != nil {
		return nil, err
	}
	cand, badC := chartCDFPoints(d.Candidate)
	base, badB := chartCDFPoints(d.Baseline)
	if len(cand)+len(base) == 0 {
		return nil, plotError(p, "no latency quantile to draw (%d candidate, %d production, none finite with p in 0..1)", len(d.Candidate), len(d.Baseline))
	}
	f := &chartFrame{subtitle: "Share of requests answered within each latency; a gate holds when the candidate's curve passes at or above its marker."}
	if bad := badC + badB; bad > 0 {
		f.note(chartInvalidNote(bad, "quantile", "not finite, p outside 0..1 or a negative latency"))
	}
	if len(cand) == 0 {
		f.note("candidate: no latency recorded")
	}
	var gates []checks.LatencyGate
	badG := 0
	for _, g := range d.Gates {
		if !chartFinite(g.P, g.MS) || g.P < 0 || g.P > 1 || g.MS < 0 {
			badG++
			continue
		}
		gates = append(gates, g)
	}
	if badG > 0 {
		f.note(chartInvalidNote(badG, "gate", "not finite, p outside 0..1 or a negative limit"))
	}

	hi, minPos := 0.0, math.Inf(1)
	see := func(ms float64) {
		hi = max(hi, ms)
		if ms > 0 {
			minPos = min(minPos, ms)
		}
	}
	for _, pt := range append(slices.Clone(cand), base...) {
		see(pt.X)
	}
	for _, g := range gates {
		see(g.MS)
	}
	logScale := hi > 0 && hi/minPos >= 100
	xLabel := "latency (ms)"
	var xmin, xmax float64
	if logScale {
		xLabel = "latency (ms, log scale)"
		xmin, xmax = chartSnap125(minPos, false), chartSnap125(hi, true)
	} else {
		xmin, xmax = 0, hi*1.04
		if hi == 0 {
			xmax = 1
		}
	}
	x := func(ms float64) float64 { return max(ms, xmin) }

	pl := newChartPlot(xLabel, "share of requests at or below (0–1)")
	chartAddGrid(pl, true, true)
	if logScale {
		pl.X.Scale = plot.LogScale{}
		pl.X.Tick.Marker = chartLogTicks{}
	}

	var gateLines chartSegments
	var gateDots chartDots
	var gateText chartAnnots
	for _, g := range gates {
		gateLines = append(gateLines, chartSegment{x(g.MS), 0, x(g.MS), 1, chartGuideLine})
		gateDots = append(gateDots, chartDot{x(g.MS), g.P, draw.GlyphStyle{Color: chartInk, Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}})
		name := f.text(g.Name)
		if name == "" {
			name = "p" + formatNumber(100*g.P)
		}
		// Below and right of the marker: the region a passing candidate's
		// curve stays out of (it is at or above the marker from there on).
		ts := chartTextStyle(9, true, chartInk)
		ts.YAlign = draw.YTop
		gateText = append(gateText, chartAnnot{x: x(g.MS), y: g.P, text: fmt.Sprintf("%s limit %s ms", name, formatNumber(g.MS)),
			style: ts, off: vg.Point{X: vg.Points(5), Y: vg.Points(-4)}})
	}
	pl.Add(gateLines)

	series := []struct {
		name string
		pts  plotter.XYs
		col  color.RGBA
	}{{"production (logged)", base, chartOrange}, {"candidate", cand, chartBlue}}
	var legend []chartLegendItem
	for _, s := range series {
		if len(s.pts) == 0 {
			continue
		}
		pts := make(plotter.XYs, 0, len(s.pts)+1)
		for _, pt := range s.pts {
			pts = append(pts, plotter.XY{X: x(pt.X), Y: pt.Y})
		}
		if last := pts[len(pts)-1]; last.Y == 1 && last.X < xmax {
			pts = append(pts, plotter.XY{X: xmax, Y: 1})
		}
		ln, err := plotter.NewLine(pts)
		if err != nil {
			return nil, plotError(p, "%s: %v", s.name, err)
		}
		ln.StepStyle = plotter.PostStep
		ln.LineStyle = draw.LineStyle{Color: s.col, Width: vg.Points(2)}
		pl.Add(ln)
		if len(pts) == 1 { // no line to draw: show the point
			pl.Add(chartDots{{pts[0].X, pts[0].Y, draw.GlyphStyle{Color: s.col, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}}})
		}
		legend = append([]chartLegendItem{{text: s.name, key: chartLineKey(ln.LineStyle, nil)}}, legend...)
	}
	pl.Add(gateDots, gateText)
	if len(gates) > 0 {
		legend = append(legend, chartLegendItem{text: "gate (limit at a quantile)", key: chartLineKey(chartGuideLine,
			&draw.GlyphStyle{Color: chartInk, Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}})})
	}
	pl.X.Min, pl.X.Max = xmin, xmax
	pl.Y.Min, pl.Y.Max = 0, 1
	f.plot, f.legend = pl, legend
	return f, nil
}

// chartSnap125 rounds v > 0 down (or up) to 1, 2 or 5 times a power of
// ten: the ends of a log axis.
func chartSnap125(v float64, up bool) float64 {
	base := math.Pow(10, math.Floor(math.Log10(v)))
	steps := []float64{1, 2, 5, 10}
	if up {
		for _, m := range steps {
			if m*base >= v*(1-1e-12) {
				return m * base
			}
		}
	}
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i]*base <= v*(1+1e-12) {
			return steps[i] * base
		}
	}
	return base
}

// --- score_hist and feature_hist -----------------------------------------

// chartHistSeries is one histogram of a comparison.
type chartHistSeries struct {
	name string
	col  color.RGBA
	h    checks.Histogram
}

// chartHistogram draws the series side by side over their shared bins, as
// shares of each series' rows. It returns the rows of each drawn series.
func chartHistogram(p checks.Plot, f *chartFrame, xLabel string, series []chartHistSeries) (map[string]float64, error) {
	var numeric, categorical []chartHistSeries
	for _, s := range series {
		h := s.h
		switch {
		case len(h.Edges) > 0:
			if len(h.Edges) != len(h.Counts)+1 {
				return nil, plotError(p, "%s: %d bin edges for %d counts (want one edge more than counts)", s.name, len(h.Edges), len(h.Counts))
			}
			for i, e := range h.Edges {
				if !chartFinite(e) || (i > 0 && !(e > h.Edges[i-1])) {
					return nil, plotError(p, "%s: bin edges are not increasing finite numbers (edge %d is %s)", s.name, i, formatNumber(e))
				}
			}
			numeric = append(numeric, s)
		case len(h.Categories) > 0 || len(h.Counts) > 0:
			if len(h.Categories) != len(h.Counts) {
				return nil, plotError(p, "%s: %d categories for %d counts", s.name, len(h.Categories), len(h.Counts))
			}
			categorical = append(categorical, s)
		default:
			f.note(s.name + ": no data")
		}
	}
	if len(numeric) > 0 && len(categorical) > 0 {
		return nil, plotError(p, "%s has numeric bins but %s has categories", numeric[0].name, categorical[0].name)
	}

	// The shared bins and each series' counts over them.
	var names []string
	var counts [][]float64
	var drawn []chartHistSeries
	switch {
	case len(numeric) > 0:
		edges := numeric[0].h.Edges
		for _, s := range numeric[1:] {
			if !chartSameEdges(edges, s.h.Edges) {
				return nil, plotError(p, "%s and %s histograms have different bins", numeric[0].name, s.name)
			}
		}
		names = chartBinLabels(edges)
		for _, s := range numeric {
			counts = append(counts, slices.Clone(s.h.Counts))
		}
		drawn = numeric
	case len(categorical) > 0:
		index := map[string]int{}
		for _, s := range categorical {
			for _, c := range s.h.Categories {
				if _, ok := index[c]; !ok {
					index[c] = len(names)
					names = append(names, c)
				}
			}
		}
		for _, s := range categorical {
			cs := make([]float64, len(names))
			for i, c := range s.h.Categories {
				cs[index[c]] += s.h.Counts[i]
			}
			counts = append(counts, cs)
		}
		for i, n := range names {
			names[i] = chartClip(f.text(n), 24)
		}
		drawn = categorical
	default:
		return nil, plotError(p, "no histogram to draw")
	}

	// Shares of each series' rows; series without rows are left out.
	bad := 0
	totals := map[string]float64{}
	var shares [][]float64
	var kept []chartHistSeries
	for i, s := range drawn {
		total := 0.0
		for j, c := range counts[i] {
			if !chartFinite(c) || c < 0 {
				bad++
				counts[i][j] = 0
				continue
			}
			total += c
		}
		if !(total > 0) || math.IsInf(total, 0) {
			f.note(s.name + ": no rows")
			continue
		}
		sh := make([]float64, len(counts[i]))
		for j, c := range counts[i] {
			sh[j] = c / total
		}
		shares = append(shares, sh)
		kept = append(kept, s)
		totals[s.name] = total
	}
	if bad > 0 {
		f.note(chartInvalidNote(bad, "count", "not finite or negative"))
	}
	if len(kept) == 0 {
		return nil, plotError(p, "no rows in any histogram")
	}

	pl := newChartPlot(xLabel, "share of rows (0–1)")
	chartAddGrid(pl, false, true)
	const group = 0.8
	w := group / float64(len(kept))
	var bars chartBoxes
	top := 0.0
	for j, s := range kept {
		for i, v := range shares[j] {
			x0 := float64(i) - group/2 + float64(j)*w
			bars = append(bars, chartBox{x0: x0 + 0.03*w, x1: x0 + 0.97*w, y0: 0, y1: v, fill: s.col})
			top = max(top, v)
		}
		f.legend = append(f.legend, chartLegendItem{text: s.name, key: chartSwatchKey(s.col)})
	}
	// A share too small to see (an unseen category's few rows) gets its
	// value written above it, so that it does not read as zero.
	var small chartAnnots
	if len(names) <= 30 {
		for j := range kept {
			for i, v := range shares[j] {
				if v > 0 && v < top*0.015 {
					ts := chartTextStyle(8, false, chartMuted)
					ts.XAlign, ts.YAlign = draw.XCenter, draw.YBottom
					x := float64(i) - group/2 + (float64(j)+0.5)*w
					small = append(small, chartAnnot{x: x, y: v, text: chartPercent(v), style: ts, off: vg.Point{Y: vg.Points(2)}})
				}
			}
		}
	}
	pl.Add(bars, small)
	chartNominal(pl, false, names, chartDataSpan)
	pl.Y.Min, pl.Y.Max = 0, top*1.08
	f.plot = pl
	return totals, nil
}

// chartPercent writes a share as a percentage with two significant
// digits: 0.0011 is "0.11%".
func chartPercent(v float64) string {
	return strconv.FormatFloat(100*v, 'g', 2, 64) + "%"
}

// chartSameEdges reports whether two bin edge lists agree to nine significant
// digits.
func chartSameEdges(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9*max(math.Abs(a[i]), math.Abs(b[i]), 1e-300) {
			return false
		}
	}
	return true
}

// chartBinLabels names numeric bins "lo–hi" with as few digits as keep
// neighbouring edges apart.
func chartBinLabels(edges []float64) []string {
	var texts []string
	for prec := 3; prec <= 10; prec++ {
		texts = texts[:0]
		distinct := true
		for i, e := range edges {
			texts = append(texts, chartShortNumber(e, prec))
			if i > 0 && texts[i] == texts[i-1] {
				distinct = false
			}
		}
		if distinct {
			break
		}
	}
	out := make([]string, len(edges)-1)
	for i := range out {
		out[i] = texts[i] + "–" + texts[i+1]
	}
	return out
}

func scoresChart(p checks.Plot) (*chartFrame, error) {
	d, err := decodeChart[checks.ScoresPlot](p)
	if err != nil {
		return nil, err
	}
	f := &chartFrame{}
	totals, err := chartHistogram(p, f, "score (bins)", []chartHistSeries{
		{"candidate", chartBlue, d.Candidate},
		{"production", chartOrange, d.Baseline},
	})
	if err != nil {
		return nil, err
	}
	f.subtitle = "Share of each model's scored rows per score bin" + chartRowCounts(totals, "candidate", "production")
	return f, nil
}

func featureHistChart(p checks.Plot) (*chartFrame, error) {
	d, err := decodeChart[checks.FeatureHistPlot](p)
	if err != nil {
		return nil, err
	}
	f := &chartFrame{}
	feature := f.text(d.Feature)
	if feature == "" {
		feature = "feature"
	}
	kind := "bins"
	if len(d.Reference.Edges) == 0 && len(d.Traffic.Edges) == 0 {
		kind = "categories"
	}
	totals, err := chartHistogram(p, f, chartClip(feature, 40)+" ("+kind+")", []chartHistSeries{
		{"reference (training)", chartOrange, d.Reference},
		{"traffic", chartBlue, d.Traffic},
	})
	if err != nil {
		return nil, err
	}
	sub := "Feature " + feature
	if m := f.text(d.Method); m != "" {
		sub += " · " + m
		if chartFinite(d.Distance) {
			sub += " distance " + formatNumber(d.Distance)
		}
	}
	f.subtitle = sub + chartRowCounts(totals, "reference (training)", "traffic")
	return f, nil
}

// chartRowCounts lists the rows behind each drawn series: " · candidate 11,955
// rows · production 11,955 rows".
func chartRowCounts(totals map[string]float64, names ...string) string {
	var b strings.Builder
	for _, n := range names {
		if t, ok := totals[n]; ok {
			name, _, _ := strings.Cut(n, " (")
			fmt.Fprintf(&b, " · %s %s rows", name, formatNumber(t))
		}
	}
	return b.String()
}

// --- reliability -------------------------------------------------------------

// chartReliability has the JSON shape of segments.ReliabilityPlot; reports
// reads it without importing the check that makes it.
type chartReliability struct {
	Segment   string                `json:"segment"`
	Candidate []chartReliabilityBin `json:"candidate"`
	Baseline  []chartReliabilityBin `json:"baseline"`
}

// chartReliabilityBin has the JSON shape of stats.ReliabilityBin.
type chartReliabilityBin struct {
	Lo            float64 `json:"lo"`
	Hi            float64 `json:"hi"`
	MeanPredicted float64 `json:"mean_predicted"`
	ObservedRate  float64 `json:"observed_rate"`
	Count         float64 `json:"count"`
}

func reliabilityChart(p checks.Plot) (*chartFrame, error) {
	d, err := decodeChart[chartReliability](p)
	if err != nil {
		return nil, err
	}
	const eps = 1e-9
	keep := func(bins []chartReliabilityBin) ([]chartReliabilityBin, int) {
		var out []chartReliabilityBin
		bad := 0
		for _, b := range bins {
			if !chartFinite(b.MeanPredicted, b.ObservedRate) || b.MeanPredicted < -eps || b.MeanPredicted > 1+eps ||
				b.ObservedRate < -eps || b.ObservedRate > 1+eps {
				bad++
				continue
			}
			b.MeanPredicted = min(max(b.MeanPredicted, 0), 1)
			b.ObservedRate = min(max(b.ObservedRate, 0), 1)
			out = append(out, b)
		}
		slices.SortStableFunc(out, func(a, b chartReliabilityBin) int { return cmp.Compare(a.MeanPredicted, b.MeanPredicted) })
		return out, bad
	}
	cand, badC := keep(d.Candidate)
	base, badB := keep(d.Baseline)
	if len(cand)+len(base) == 0 {
		return nil, plotError(p, "no reliability bin to draw (%d candidate, %d production, none finite in 0..1)", len(d.Candidate), len(d.Baseline))
	}
	f := &chartFrame{}
	if bad := badC + badB; bad > 0 {
		f.note(chartInvalidNote(bad, "bin", "not finite or outside 0..1"))
	}
	maxCount := 0.0
	for _, b := range append(slices.Clone(cand), base...) {
		if chartFinite(b.Count) && b.Count > 0 {
			maxCount = max(maxCount, b.Count)
		}
	}
	radius := func(c float64) vg.Length {
		if !chartFinite(c) || c <= 0 || maxCount == 0 {
			return vg.Points(3)
		}
		return vg.Points(2.5 + 4*math.Sqrt(c/maxCount))
	}

	pl := newChartPlot("mean predicted score (0–1)", "observed positive rate (0–1)")
	chartAddGrid(pl, true, true)
	pl.Add(chartSegments{{0, 0, 1, 1, chartGuideLine}})
	series := []struct {
		name  string
		bins  []chartReliabilityBin
		col   color.RGBA
		shape draw.GlyphDrawer
	}{{"production", base, chartOrange, draw.PyramidGlyph{}}, {"candidate", cand, chartBlue, draw.CircleGlyph{}}}
	var legend []chartLegendItem
	rows := map[string]float64{}
	for _, s := range series {
		if len(s.bins) == 0 {
			f.note(s.name + ": no bins")
			continue
		}
		pts := make(plotter.XYs, len(s.bins))
		var ds chartDots
		for i, b := range s.bins {
			pts[i] = plotter.XY{X: b.MeanPredicted, Y: b.ObservedRate}
			ds = append(ds, chartDot{b.MeanPredicted, b.ObservedRate, draw.GlyphStyle{Color: chartAlpha(s.col, 0.85), Radius: radius(b.Count), Shape: s.shape}})
			if chartFinite(b.Count) && b.Count > 0 {
				rows[s.name] += b.Count
			}
		}
		ln, err := plotter.NewLine(pts)
		if err != nil {
			return nil, plotError(p, "%s: %v", s.name, err)
		}
		ln.LineStyle = draw.LineStyle{Color: s.col, Width: vg.Points(1.6)}
		pl.Add(ln, ds)
		legend = append([]chartLegendItem{{text: s.name, key: chartLineKey(ln.LineStyle, &draw.GlyphStyle{Color: s.col, Radius: vg.Points(3.5), Shape: s.shape})}}, legend...)
	}
	legend = append(legend, chartLegendItem{text: "perfectly calibrated", key: chartLineKey(chartGuideLine, nil)})
	pl.X.Min, pl.X.Max = 0, 1
	pl.Y.Min, pl.Y.Max = 0, 1
	sub := "Marker size grows with the rows in the score bin"
	if seg := f.text(d.Segment); seg != "" {
		sub = "Segment " + chartClip(seg, 40) + " · marker size grows with the rows in the score bin"
	}
	f.subtitle = sub + chartRowCounts(rows, "candidate", "production")
	f.plot, f.legend = pl, legend
	return f, nil
}

// --- segment_deltas ----------------------------------------------------------

func segmentDeltasChart(p checks.Plot) (*chartFrame, error) {
	d, err := decodeChart[checks.SegmentDeltasPlot](p)
	if err != nil {
		return nil, err
	}
	f := &chartFrame{}
	metric := f.text(d.Metric)
	if metric == "" {
		metric = "metric"
	}
	type bar struct {
		name   string
		delta  float64
		ci     []float64
		status checks.Status
	}
	var bars []bar
	var skipped, failed, invalid []string
	for _, s := range d.Segments {
		name := chartClip(f.text(s.Segment), 24)
		switch {
		case s.Status == checks.Skip:
			skipped = append(skipped, name)
		case s.Status == checks.Error:
			failed = append(failed, name)
		case !chartFinite(s.Delta):
			invalid = append(invalid, name)
		default:
			b := bar{name: name, delta: s.Delta, status: s.Status}
			if len(s.CI) == 2 && chartFinite(s.CI...) {
				b.ci = []float64{min(s.CI[0], s.CI[1]), max(s.CI[0], s.CI[1])}
			}
			bars = append(bars, b)
		}
	}
	if len(bars) == 0 {
		return nil, plotError(p, "no segment to draw (%d segments: %d skipped, %d not computed, %d without a finite delta)",
			len(d.Segments), len(skipped), len(failed), len(invalid))
	}
	listNote := func(what string, names []string) {
		if len(names) > 0 {
			f.note(fmt.Sprintf("%s, not drawn (%d): %s", what, len(names), strings.Join(names, ", ")))
		}
	}
	listNote("Skipped", skipped)
	listNote("Could not be computed", failed)
	listNote("No finite delta", invalid)

	limit := func(v *float64, name string) (float64, bool) {
		if v == nil {
			return 0, false
		}
		if !chartFinite(*v) || *v < 0 {
			f.note(fmt.Sprintf("%s %s left out (not a finite non-negative number)", name, formatNumber(*v)))
			return 0, false
		}
		return *v, true
	}
	drop, hasDrop := limit(d.MaxDrop, "max_drop")
	rise, hasRise := limit(d.MaxRise, "max_rise")

	pl := newChartPlot("segment", "Δ "+chartClip(metric, 30)+" (candidate − production)")
	chartAddGrid(pl, false, true)
	lo, hi := 0.0, 0.0
	n := float64(len(bars))
	var rects chartBoxes
	var ws chartWhiskers
	var texts chartAnnots
	present := map[checks.Status]bool{}
	names := make([]string, len(bars))
	for i, b := range bars {
		names[i] = b.name
		x := float64(i)
		col := chartStatusColor(b.status)
		present[b.status] = true
		rects = append(rects, chartBox{x0: x - 0.3, x1: x + 0.3, y0: 0, y1: b.delta, fill: col,
			edge: draw.LineStyle{Color: col, Width: vg.Points(1)}})
		top, bottom := max(b.delta, 0), min(b.delta, 0)
		if b.ci != nil {
			ws.items = append(ws.items, chartWhisker{x, b.ci[0], b.ci[1]})
			top, bottom = max(top, b.ci[1]), min(bottom, b.ci[0])
		}
		lo, hi = min(lo, bottom), max(hi, top)
		txt := ""
		if len(bars) <= 14 {
			txt = formatSigned(b.delta)
		}
		if b.status == checks.Warn || b.status == checks.Fail {
			txt = strings.TrimSpace(txt + " " + string(b.status))
		}
		if txt != "" {
			ts := chartTextStyle(8.5, b.status == checks.Fail, chartInk)
			ts.XAlign = draw.XCenter
			a := chartAnnot{x: x, text: txt, style: ts}
			if b.delta >= 0 {
				a.y, a.style.YAlign, a.off = top, draw.YBottom, vg.Point{Y: vg.Points(3)}
			} else {
				a.y, a.style.YAlign, a.off = bottom, draw.YTop, vg.Point{Y: vg.Points(-3)}
			}
			texts = append(texts, a)
		}
	}
	pl.Add(chartSegments{{-0.5, 0, n - 0.5, 0, chartZeroLine}}, rects)
	if len(ws.items) > 0 {
		ws.style, ws.cap = chartWhiskerLine, vg.Points(4)
		pl.Add(ws)
	}
	var limits chartSegments
	for _, l := range []struct {
		on   bool
		y    float64
		text string
	}{{hasDrop, -drop, "max_drop " + formatNumber(drop)}, {hasRise, rise, "max_rise " + formatNumber(rise)}} {
		if !l.on {
			continue
		}
		limits = append(limits, chartSegment{-0.5, l.y, n - 0.5, l.y, chartFailLine})
		ts := chartTextStyle(8.5, false, chartRed)
		ts.YAlign = draw.YCenter
		texts = append(texts, chartAnnot{x: n - 0.5, y: l.y, text: l.text, style: ts, off: vg.Point{X: vg.Points(4)}})
		lo, hi = min(lo, l.y), max(hi, l.y)
	}
	pl.Add(limits, texts)
	if hi-lo < 1e-12 {
		lo, hi = lo-0.01, hi+0.01
	}
	pad := 0.06 * (hi - lo)
	pl.Y.Min, pl.Y.Max = lo-pad, hi+pad
	chartNominal(pl, false, names, chartDataSpan)

	f.legend = chartStatusLegend(present)
	if len(ws.items) > 0 {
		f.legend = append(f.legend, chartLegendItem{text: "confidence interval", key: chartWhiskerKey(chartWhiskerLine)})
	}
	if len(limits) > 0 {
		f.legend = append(f.legend, chartLegendItem{text: "gate limit", key: chartLineKey(chartFailLine, nil)})
	}
	better := "higher"
	if !d.HigherIsBetter {
		better = "lower"
	}
	f.subtitle = fmt.Sprintf("Candidate minus production per segment; %s %s is better. Bar colour is the segment's status.", better, chartClip(metric, 30))
	f.plot = pl
	return f, nil
}

// --- drift_bars --------------------------------------------------------------

// chartMaxDriftBars is the most features the drift chart shows.
const chartMaxDriftBars = 20

func driftChart(p checks.Plot) (*chartFrame, error) {
	d, err := decodeChart[checks.DriftPlot](p)
	if err != nil {
		return nil, err
	}
	f := &chartFrame{}
	var bars []checks.DriftBar
	bad := 0
	for _, b := range d.Features {
		if !chartFinite(b.Distance) || b.Distance < 0 {
			bad++
			continue
		}
		bars = append(bars, b)
	}
	if len(bars) == 0 {
		return nil, plotError(p, "no feature to draw (%d features, none with a finite non-negative distance)", len(d.Features))
	}
	if bad > 0 {
		f.note(chartInvalidNote(bad, "feature", "distance not finite or negative"))
	}
	if len(bars) > chartMaxDriftBars {
		f.note(fmt.Sprintf("%d more features not shown", len(bars)-chartMaxDriftBars))
		bars = bars[:chartMaxDriftBars]
	}
	okLimit := func(v float64) bool { return chartFinite(v) && v > 0 }
	shared := true
	for _, b := range bars[1:] {
		shared = shared && b.Method == bars[0].Method && b.Warn == bars[0].Warn && b.Fail == bars[0].Fail
	}
	sameMethod := true
	for _, b := range bars[1:] {
		sameMethod = sameMethod && b.Method == bars[0].Method
	}

	n := len(bars)
	names := make([]string, n)
	var rects chartBoxes
	var marks chartSegments
	var texts chartAnnots
	present := map[checks.Status]bool{}
	hi := 0.0
	hasWarn, hasFail := false, false
	tick := func(c color.Color) draw.LineStyle { return draw.LineStyle{Color: c, Width: vg.Points(2.2)} }
	for i, b := range bars {
		y := float64(n - 1 - i) // the first feature on top
		name := chartClip(f.text(b.Feature), 28)
		if !sameMethod {
			name += " (" + chartClip(f.text(b.Method), 12) + ")"
		}
		names[n-1-i] = name
		col := chartStatusColor(b.Status)
		present[b.Status] = true
		rects = append(rects, chartBox{x0: 0, x1: b.Distance, y0: y - 0.32, y1: y + 0.32, fill: col})
		end := b.Distance
		for _, l := range []struct {
			v   float64
			c   color.RGBA
			has *bool
		}{{b.Warn, chartAmber, &hasWarn}, {b.Fail, chartRed, &hasFail}} {
			if !okLimit(l.v) {
				continue
			}
			*l.has = true
			end = max(end, l.v)
			if !shared {
				marks = append(marks, chartSegment{l.v, y - 0.42, l.v, y + 0.42, tick(l.c)})
			}
		}
		hi = max(hi, end)
	}
	if hi == 0 {
		hi = 1
	}
	xmax := hi * 1.05

	// Each bar's value goes just after its end, or after the limit mark it
	// would cover. The data area's width is estimated from the longest
	// feature name; the plot then makes room for the labels on the right.
	tickFont := chartTextStyle(9, false, chartInk)
	nameW := vg.Length(0)
	for _, nm := range names {
		nameW = max(nameW, tickFont.Width(nm))
	}
	perPt := xmax / float64(max(chartPageW-nameW-vg.Points(110), vg.Points(100)))
	for i, b := range bars {
		txt := formatNumber(b.Distance)
		if b.Status == checks.Warn || b.Status == checks.Fail {
			txt += " " + string(b.Status)
		}
		ts := chartTextStyle(8.5, b.Status == checks.Fail, chartInk)
		ts.YAlign = draw.YCenter
		at := b.Distance
		span := float64(ts.Width(txt)+vg.Points(8)) * perPt
		lims := []float64{b.Warn, b.Fail}
		slices.Sort(lims)
		for _, l := range lims {
			if okLimit(l) && l >= at-2*perPt && l <= at+span {
				at = l
			}
		}
		texts = append(texts, chartAnnot{x: at, y: float64(n - 1 - i), text: txt, style: ts, off: vg.Point{X: vg.Points(5)}})
	}
	if shared {
		for _, l := range []struct {
			v     float64
			style draw.LineStyle
			name  string
			align draw.XAlignment
		}{{bars[0].Warn, chartWarnLine, "warn", draw.XRight}, {bars[0].Fail, chartFailLine, "fail", draw.XLeft}} {
			if !okLimit(l.v) {
				continue
			}
			marks = append(marks, chartSegment{l.v, -0.5, l.v, float64(n) - 0.5, l.style})
			ts := chartTextStyle(8.5, false, l.style.Color)
			ts.XAlign, ts.YAlign = l.align, draw.YBottom
			dx := vg.Points(3)
			if l.align == draw.XRight {
				dx = -dx
			}
			texts = append(texts, chartAnnot{x: l.v, y: float64(n) - 0.5, text: l.name + " " + formatNumber(l.v), style: ts, off: vg.Point{X: dx, Y: vg.Points(2)}})
		}
	}

	xLabel := "distance"
	if sameMethod && f.text(bars[0].Method) != "" {
		xLabel += " (" + chartClip(f.text(bars[0].Method), 20) + ")"
	} else if !sameMethod {
		xLabel += " (each feature's method)"
	}
	pl := newChartPlot(xLabel, "feature")
	chartAddGrid(pl, true, false)
	pl.Add(rects, marks, texts)
	chartNominal(pl, true, names, 0)
	pl.X.Min, pl.X.Max = 0, xmax

	f.legend = chartStatusLegend(present)
	key := func(ls draw.LineStyle, c color.Color) func(*draw.Canvas) {
		if shared {
			return chartLineKey(ls, nil)
		}
		return chartTickKey(tick(c))
	}
	if hasWarn {
		f.legend = append(f.legend, chartLegendItem{text: "warn limit", key: key(chartWarnLine, chartAmber)})
	}
	if hasFail {
		f.legend = append(f.legend, chartLegendItem{text: "fail limit", key: key(chartFailLine, chartRed)})
	}
	f.subtitle = "Distance between training and traffic per feature, largest first. Bar colour is the status."
	if !shared && (hasWarn || hasFail) {
		f.subtitle = "Distance between training and traffic per feature, largest first; marks are each feature's own limits."
	}
	f.plot = pl
	return f, nil
}
