package reports

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/plot"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

var chartsOut = flag.String("charts.out", "", "also write the sample charts as PNG files to this folder, to look at them")

// sampleCharts renders samplePlots once for the tests that only read the
// charts.
var sampleCharts = sync.OnceValues(func() ([]Chart, error) {
	return Charts(&checks.Result{Plots: samplePlots()})
})

// knownSamplePlots are the sample plots of a kind Charts draws.
func knownSamplePlots() []checks.Plot {
	var out []checks.Plot
	for _, p := range samplePlots() {
		if _, ok := chartKinds[p.Kind]; ok {
			out = append(out, p)
		}
	}
	return out
}

// pixelStats describes an image: the standard deviation of its luminance
// (0..255) and how many pixels are close to each of the given colours.
type pixelStats struct {
	lumaStd  float64
	colours  int
	nearCols []int
}

func statsOf(img image.Image, cols ...color.RGBA) pixelStats {
	b := img.Bounds()
	var sum, sum2 float64
	distinct := map[color.RGBA]bool{}
	near := make([]int, len(cols))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			c := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}
			distinct[c] = true
			l := 0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)
			sum += l
			sum2 += l * l
			for i, want := range cols {
				if absDiff(c.R, want.R) <= 8 && absDiff(c.G, want.G) <= 8 && absDiff(c.B, want.B) <= 8 {
					near[i]++
				}
			}
		}
	}
	n := float64(b.Dx() * b.Dy())
	mean := sum / n
	return pixelStats{lumaStd: math.Sqrt(max(sum2/n-mean*mean, 0)), colours: len(distinct), nearCols: near}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// The floors of "not blank", measured on this renderer: an empty frame
// (title, subtitle, axes, tick labels, no data; TestChartsBlankFloor) has a
// luminance standard deviation of about 13 and some 200 colours, all of
// them anti-aliased greys of its text; the sample charts measure 26 to 60
// and 320 to 1,300 colours. The luminance floor sits between the two; the
// colour floor only rules out a flat image, since text alone passes it.
// What proves the data were drawn is the count of pixels in the series'
// own colours, which an empty frame has none of.
const (
	minLumaStd    = 20
	minColours    = 100
	minDataPixels = 400 // a 2 pt line 100 px long, or a 20 x 20 px bar
)

// decodeChartPNG decodes a chart and checks its size.
func decodeChartPNG(t *testing.T, c Chart) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(c.PNG))
	if err != nil {
		t.Fatalf("%s: %v", c.Name, err)
	}
	if b := img.Bounds(); b.Dx() != ChartWidth || b.Dy() != ChartHeight || c.Width != ChartWidth || c.Height != ChartHeight {
		t.Errorf("%s: image %dx%d, Chart says %dx%d, want %dx%d", c.Name, b.Dx(), b.Dy(), c.Width, c.Height, ChartWidth, ChartHeight)
	}
	return img
}

func TestChartsSample(t *testing.T) {
	charts, err := sampleCharts()
	if err != nil {
		t.Fatal(err)
	}
	known := knownSamplePlots()
	if len(charts) != len(known) {
		t.Fatalf("%d charts, want %d (one per plot of a known kind)", len(charts), len(known))
	}
	// The colours each chart must show: its two series, or its statuses.
	wantCols := map[string][]color.RGBA{
		"latency":               {chartBlue, chartOrange},
		"scores":                {chartBlue, chartOrange},
		"reliability[overall]":  {chartBlue, chartOrange},
		"segment_deltas[auc]":   {chartPassColor, chartRed}, // country=DE fails
		"drift":                 {chartPassColor, chartAmber},
		"feature_hist[income]":  {chartBlue, chartOrange},
		"feature_hist[country]": {chartBlue, chartOrange},
	}
	for i, c := range charts {
		p := known[i]
		if c.Name != p.Name || c.Kind != p.Kind || c.File != ChartFile(p) || c.Title != p.Title {
			t.Errorf("chart %d: name %q kind %q file %q title %q, want %q %q %q %q", i, c.Name, c.Kind, c.File, c.Title, p.Name, p.Kind, ChartFile(p), p.Title)
		}
		if c.Kind == "bar" {
			t.Errorf("the plot of unknown kind %q was drawn", c.Kind)
		}
		img := decodeChartPNG(t, c)
		cols, ok := wantCols[c.Name]
		if !ok {
			t.Fatalf("no expected colours for %s", c.Name)
		}
		s := statsOf(img, cols...)
		t.Logf("%-22s %6d bytes, luma std %.1f, %d colours, data pixels %v", c.Name, len(c.PNG), s.lumaStd, s.colours, s.nearCols)
		if s.lumaStd < minLumaStd || s.colours < minColours {
			t.Errorf("%s looks blank: luminance std-dev %.1f (want >= %d), %d colours (want >= %d)", c.Name, s.lumaStd, minLumaStd, s.colours, minColours)
		}
		for j, n := range s.nearCols {
			if n < minDataPixels {
				t.Errorf("%s: %d pixels of colour %v, want >= %d", c.Name, n, cols[j], minDataPixels)
			}
		}
	}
	if *chartsOut != "" {
		if err := WriteCharts(*chartsOut, charts); err != nil {
			t.Fatal(err)
		}
	}
}

// TestChartsBlankFloor shows that the floors tell a chart from an empty
// frame: an empty page with title and axes stays under them.
func TestChartsBlankFloor(t *testing.T) {
	f := &chartFrame{title: "An empty plot", subtitle: "nothing drawn", plot: newChartPlot("x (units)", "y (units)")}
	f.plot.X.Min, f.plot.X.Max, f.plot.Y.Min, f.plot.Y.Max = 0, 1, 0, 1
	b, err := f.render()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	s := statsOf(img, chartBlue)
	t.Logf("empty frame: luma std %.1f, %d colours", s.lumaStd, s.colours)
	if s.lumaStd >= minLumaStd || s.nearCols[0] > 0 {
		t.Errorf("an empty frame passes the not-blank floor: luma std %.1f, %d blue pixels", s.lumaStd, s.nearCols[0])
	}
}

func TestChartsDeterministic(t *testing.T) {
	first, err := sampleCharts()
	if err != nil {
		t.Fatal(err)
	}
	again, err := Charts(&checks.Result{Plots: samplePlots()})
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(again) {
		t.Fatalf("%d charts, then %d", len(first), len(again))
	}
	for i := range first {
		if !bytes.Equal(first[i].PNG, again[i].PNG) {
			t.Errorf("%s: two renderings differ", first[i].Name)
		}
	}
}

// TestChartsFromJSON renders a result read back from result.json, where
// the plots' data are generic maps, and expects the same bytes as from the
// checks' typed values.
func TestChartsFromJSON(t *testing.T) {
	typed, err := sampleCharts()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sampleResult()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "result.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Plots {
		if _, ok := p.Data.(map[string]any); !ok {
			t.Fatalf("plot %s: data read back as %T, want a generic map", p.Name, p.Data)
		}
	}
	generic, err := Charts(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(generic) != len(typed) {
		t.Fatalf("%d charts from JSON, %d from typed data", len(generic), len(typed))
	}
	for i := range typed {
		if generic[i].Name != typed[i].Name || !bytes.Equal(generic[i].PNG, typed[i].PNG) {
			t.Errorf("%s: the chart from result.json differs from the chart of the typed data", typed[i].Name)
		}
	}
}

func TestChartsPointerData(t *testing.T) {
	typed, err := sampleCharts()
	if err != nil {
		t.Fatal(err)
	}
	p := samplePlots()[0]
	d := p.Data.(checks.LatencyPlot)
	p.Data = &d
	charts, err := Charts(&checks.Result{Plots: []checks.Plot{p}})
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) != 1 || !bytes.Equal(charts[0].PNG, typed[0].PNG) {
		t.Error("a *LatencyPlot renders differently from a LatencyPlot")
	}
}

func TestChartsNothing(t *testing.T) {
	for name, r := range map[string]*checks.Result{"nil": nil, "no plots": emptyResult(),
		"unknown kind only": {Plots: []checks.Plot{{Name: "x", Kind: "bar", Data: map[string]any{}}}}} {
		charts, err := Charts(r)
		if err != nil || len(charts) != 0 {
			t.Errorf("%s: %d charts, %v; want none and no error", name, len(charts), err)
		}
	}
}

// TestChartsBadData: values a chart cannot place are left out and noted,
// the rest is drawn; a plot with nothing left to draw, or with malformed
// data, is an input error that names it. Nothing panics.
func TestChartsBadData(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	f := checks.F
	lat := func(c, b []checks.Quantile, g ...checks.LatencyGate) checks.LatencyPlot {
		return checks.LatencyPlot{Candidate: c, Baseline: b, Gates: g}
	}
	q := func(pairs ...float64) []checks.Quantile {
		var out []checks.Quantile
		for i := 0; i+1 < len(pairs); i += 2 {
			out = append(out, checks.Quantile{P: pairs[i], MS: pairs[i+1]})
		}
		return out
	}
	good := q(0, 1, 0.5, 2, 0.99, 4, 1, 5)
	num := func(edges []float64, counts ...float64) checks.Histogram {
		return checks.Histogram{Edges: edges, Counts: counts}
	}
	cat := func(cats []string, counts ...float64) checks.Histogram {
		return checks.Histogram{Categories: cats, Counts: counts}
	}
	e3 := []float64{0, 0.5, 1}
	scores := func(c, b checks.Histogram) checks.ScoresPlot { return checks.ScoresPlot{Candidate: c, Baseline: b} }
	feat := func(ref, tr checks.Histogram) checks.FeatureHistPlot {
		return checks.FeatureHistPlot{Feature: "f", Method: "psi", Distance: 0.1, Reference: ref, Traffic: tr}
	}
	bin := func(x, y, n float64) map[string]any {
		return map[string]any{"mean_predicted": x, "observed_rate": y, "count": n}
	}
	rel := func(c, b []any) map[string]any {
		return map[string]any{"segment": "overall", "candidate": c, "baseline": b}
	}
	seg := func(s ...checks.SegmentDelta) checks.SegmentDeltasPlot {
		return checks.SegmentDeltasPlot{Metric: "auc", HigherIsBetter: true, MaxDrop: f(0.01), Segments: s}
	}
	sd := func(name string, d float64, st checks.Status, ci ...float64) checks.SegmentDelta {
		return checks.SegmentDelta{Segment: name, Delta: d, CI: ci, Status: st}
	}
	drift := func(bars ...checks.DriftBar) checks.DriftPlot { return checks.DriftPlot{Features: bars} }
	db := func(name string, d, warn, fail float64) checks.DriftBar {
		return checks.DriftBar{Feature: name, Method: "psi", Distance: d, Warn: warn, Fail: fail, Status: checks.Pass}
	}
	var many []checks.DriftBar
	for i := range 45 {
		many = append(many, db(fmt.Sprintf("f%02d", i), 1/float64(i+1), 0.1, 0.25))
	}
	var manySegs []checks.SegmentDelta
	for i := range 60 {
		manySegs = append(manySegs, sd(fmt.Sprintf("segment=a rather long segment name %02d", i), float64(i%7-3)/100, checks.Pass, -0.05, 0.05))
	}

	cases := []struct {
		name string
		kind string
		data any
		ok   bool   // drawn; otherwise an input error
		want string // in the error
	}{
		{"latency NaN and Inf quantiles", checks.PlotLatency, lat(append(q(0.3, nan, nan, 2, 0.7, inf), good...), nil), true, ""},
		{"latency p outside 0..1 and negative ms", checks.PlotLatency, lat(append(q(1.5, 3, 0.2, -1), good...), good), true, ""},
		{"latency bad gates", checks.PlotLatency, lat(good, nil, checks.LatencyGate{Name: "p99", P: 0.99, MS: inf}, checks.LatencyGate{P: 2, MS: 3}), true, ""},
		{"latency only production", checks.PlotLatency, lat(nil, good), true, ""},
		{"latency all zero", checks.PlotLatency, lat(q(0, 0, 1, 0), nil), true, ""},
		{"latency one point", checks.PlotLatency, lat(q(0.5, 3), nil, checks.LatencyGate{Name: "p50", P: 0.5, MS: 3}), true, ""},
		{"latency log range", checks.PlotLatency, lat(q(0, 0, 0.5, 0.01, 0.99, 5000, 1, 90000), nil, checks.LatencyGate{Name: "p99", P: 0.99, MS: 100}), true, ""},
		{"latency decreasing ms", checks.PlotLatency, lat(q(0, 9, 0.5, 3, 1, 1), nil), true, ""},
		{"latency empty", checks.PlotLatency, lat(nil, nil), false, "no latency quantile"},
		{"latency all NaN", checks.PlotLatency, lat(q(nan, nan, 0.5, nan), q(0.5, inf)), false, "no latency quantile"},
		{"scores NaN and negative counts", checks.PlotScores, scores(num(e3, nan, 5), num(e3, -1, 5)), true, ""},
		{"scores one side without rows", checks.PlotScores, scores(num(e3, 0, 0), num(e3, 1, 5)), true, ""},
		{"scores one side empty", checks.PlotScores, scores(num(e3, 3, 4), checks.Histogram{}), true, ""},
		{"scores Inf count", checks.PlotScores, scores(num(e3, inf, 4), num(e3, 1, 1)), true, ""},
		{"scores zero total", checks.PlotScores, scores(num(e3, 0, 0), num(e3, 0, 0)), false, "no rows in any histogram"},
		{"scores no data", checks.PlotScores, scores(checks.Histogram{}, checks.Histogram{}), false, "no histogram"},
		{"scores edges and counts disagree", checks.PlotScores, scores(num(e3, 1, 2, 3), num(e3, 1, 2)), false, "3 bin edges for 3 counts"},
		{"scores edges not increasing", checks.PlotScores, scores(num([]float64{0, 0.5, 0.5}, 1, 2), num(e3, 1, 2)), false, "not increasing"},
		{"scores NaN edge", checks.PlotScores, scores(num([]float64{0, nan, 1}, 1, 2), num(e3, 1, 2)), false, "not increasing finite"},
		{"scores different bins", checks.PlotScores, scores(num(e3, 1, 2), num([]float64{0, 0.4, 1}, 1, 2)), false, "different bins"},
		{"scores numeric against categorical", checks.PlotScores, scores(num(e3, 1, 2), cat([]string{"a", "b"}, 1, 2)), false, "has categories"},
		{"feature different categories", checks.PlotFeatureHist, feat(cat([]string{"a", "b"}, 1, 2), cat([]string{"b", "c", "a"}, 1, 2, 3)), true, ""},
		{"feature repeated category", checks.PlotFeatureHist, feat(cat([]string{"a", "a"}, 1, 2), cat([]string{"a"}, 1)), true, ""},
		{"feature names the font cannot draw", checks.PlotFeatureHist, feat(cat([]string{"東京", "大阪", "🙂"}, 1, 2, 3), cat([]string{"東京", "大阪"}, 1, 2)), true, ""},
		{"feature categories and counts disagree", checks.PlotFeatureHist, feat(cat([]string{"a", "b"}, 1), cat([]string{"a"}, 1)), false, "2 categories for 1 counts"},
		{"feature counts without bins", checks.PlotFeatureHist, feat(checks.Histogram{Counts: []float64{1}}, cat([]string{"a"}, 1)), false, "0 categories for 1 counts"},
		{"feature tiny and huge edges", checks.PlotFeatureHist, feat(num([]float64{-1e300, 1e-300, 2e-300, 1e300}, 1, 2, 3), num([]float64{-1e300, 1e-300, 2e-300, 1e300}, 3, 2, 1)), true, ""},
		{"reliability NaN and out of range bins", checks.PlotReliability, rel([]any{bin(0.1, 0.1, 10), bin(1.5, 0.5, 10), bin(0.5, -0.2, 3)}, []any{bin(0.3, 0.3, -1)}), true, ""},
		{"reliability one model", checks.PlotReliability, rel([]any{bin(0.1, 0.1, 10)}, nil), true, ""},
		{"reliability empty", checks.PlotReliability, rel(nil, nil), false, "no reliability bin"},
		{"reliability out of range only", checks.PlotReliability, rel([]any{bin(2, 2, 1)}, []any{bin(-1, 0, 1)}), false, "no reliability bin"},
		{"reliability not an object", checks.PlotReliability, "a string", false, "cannot unmarshal"},
		{"segments NaN delta and CI", checks.PlotSegmentDeltas, seg(sd("a", nan, checks.Pass), sd("b", 0.01, checks.Warn, nan, 0.02), sd("c", -0.02, checks.Fail, 0.01, -0.03)), true, ""},
		{"segments all zero", checks.PlotSegmentDeltas, seg(sd("a", 0, checks.Pass), sd("b", 0, checks.Pass)), true, ""},
		{"segments bad limits", checks.PlotSegmentDeltas, checks.SegmentDeltasPlot{Metric: "ece", MaxDrop: f(-1), MaxRise: f(inf), Segments: []checks.SegmentDelta{sd("a", 0.01, checks.Pass)}}, true, ""},
		{"segments many with long names", checks.PlotSegmentDeltas, seg(manySegs...), true, ""},
		{"segments all skipped", checks.PlotSegmentDeltas, seg(sd("a", 0, checks.Skip), sd("b", 0, checks.Error)), false, "1 skipped, 1 not computed"},
		{"segments none", checks.PlotSegmentDeltas, seg(), false, "no segment"},
		{"drift NaN and negative distances", checks.PlotDrift, drift(db("a", nan, 0.1, 0.2), db("b", -1, 0.1, 0.2), db("c", 0.3, nan, 0.2)), true, ""},
		{"drift all zero", checks.PlotDrift, drift(db("a", 0, 0, 0)), true, ""},
		{"drift more features than fit", checks.PlotDrift, drift(many...), true, ""},
		{"drift none", checks.PlotDrift, drift(), false, "no feature"},
		{"drift only NaN", checks.PlotDrift, drift(db("a", inf, 0.1, 0.2)), false, "no feature"},
		{"no data", checks.PlotDrift, nil, false, "no feature"},
		{"wrong shape", checks.PlotLatency, map[string]any{"candidate": "fast"}, false, "cannot unmarshal"},
		{"typed data with NaN for a JSON-only kind", checks.PlotReliability,
			struct {
				Candidate []reliabilityTestBin `json:"candidate"`
			}{[]reliabilityTestBin{{nan, 0.5}}}, false, "unsupported value: NaN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := checks.Plot{Name: "plot " + tc.name, Title: tc.name, Kind: tc.kind, Data: tc.data}
			charts, err := Charts(&checks.Result{Plots: []checks.Plot{p}})
			if tc.ok {
				if err != nil {
					t.Fatalf("want a chart, got %v", err)
				}
				if len(charts) != 1 {
					t.Fatalf("%d charts, want 1", len(charts))
				}
				img := decodeChartPNG(t, charts[0])
				if s := statsOf(img); s.lumaStd < 10 {
					t.Errorf("blank page: luma std %.1f", s.lumaStd)
				}
				if *chartsOut != "" {
					charts[0].File = "bad_" + ChartFile(checks.Plot{Name: tc.name})
					if err := WriteCharts(*chartsOut, charts[:1]); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			if err == nil {
				t.Fatal("want an error")
			}
			if errs.Code(err) != errs.CodeInput {
				t.Errorf("exit code %d, want %d (input): %v", errs.Code(err), errs.CodeInput, err)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", p.Name)) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name the plot or lacks %q", err, tc.want)
			}
			if errs.HintOf(err) == "" {
				t.Errorf("error %q has no hint", err)
			}
			if len(charts) != 0 {
				t.Errorf("%d charts of a plot that could not be drawn", len(charts))
			}
		})
	}
}

type reliabilityTestBin struct {
	MeanPredicted float64 `json:"mean_predicted"`
	ObservedRate  float64 `json:"observed_rate"`
}

// TestChartsErrorNamesEveryPlot: plots that cannot be drawn do not stop
// the others; the error names each of them.
func TestChartsErrorNamesEveryPlot(t *testing.T) {
	plots := []checks.Plot{
		{Name: "one", Kind: checks.PlotDrift, Data: checks.DriftPlot{}},
		{Name: "two", Kind: checks.PlotScores, Data: checks.ScoresPlot{}},
	}
	charts, err := Charts(&checks.Result{Plots: append(plots, samplePlots()...)})
	if len(charts) != len(knownSamplePlots()) {
		t.Errorf("%d charts, want the %d sample charts", len(charts), len(knownSamplePlots()))
	}
	if err == nil || !strings.Contains(err.Error(), `"one"`) || !strings.Contains(err.Error(), `"two"`) {
		t.Errorf("error %v does not name both plots", err)
	}
}

func TestChartText(t *testing.T) {
	f := &chartFrame{}
	for _, tc := range []struct{ in, want string }{
		{"country=DE", "country=DE"},
		{"Zürich – São Paulo", "Zürich – São Paulo"},
		{"city=東京", "city=??"},
		{"a\x1b[31mb\nc", `a\x1b[31mb c`},
	} {
		if got := f.text(tc.in); got != tc.want {
			t.Errorf("text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if !f.replaced {
		t.Error("a replaced character was not recorded")
	}
}

func TestChartClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"country=DE", 20, "country=DE"},
		{"segment=a rather long segment name 02", 20, "segment=a r… name 02"},
		{"東京東京東京", 5, "東京…東京"},
	} {
		if got := chartClip(tc.in, tc.n); got != tc.want || len([]rune(got)) > tc.n {
			t.Errorf("chartClip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
	if got := chartPercent(10.0 / 8915); got != "0.11%" {
		t.Errorf("chartPercent = %q, want 0.11%%", got)
	}
}

func TestChartBinLabels(t *testing.T) {
	for _, tc := range []struct {
		edges []float64
		want  []string
	}{
		{[]float64{0, 0.2, 0.4}, []string{"0–0.2", "0.2–0.4"}},
		{[]float64{0, 20000, 120000, 1.5e6}, []string{"0–20k", "20k–120k", "120k–1.5M"}},
		{[]float64{0.1, 0.1001, 0.1002}, []string{"0.1–0.1001", "0.1001–0.1002"}},
		{[]float64{-3, -1.5, 0}, []string{"-3–-1.5", "-1.5–0"}},
		{[]float64{1000, 2500, 9999.5}, []string{"1000–2500", "2500–9999.5"}},
	} {
		if got := chartBinLabels(tc.edges); !slices.Equal(got, tc.want) {
			t.Errorf("chartBinLabels(%v) = %q, want %q", tc.edges, got, tc.want)
		}
	}
}

func TestChartTicks(t *testing.T) {
	labels := func(ts []plot.Tick) []string {
		var out []string
		for _, t := range ts {
			if t.Label != "" {
				out = append(out, t.Label)
			}
		}
		return out
	}
	for _, tc := range []struct {
		lo, hi float64
		log    bool
		want   []string
	}{
		{0, 1, false, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{-0.053, 0.031, false, []string{"-0.04", "-0.02", "0.00", "0.02"}},
		{-0.0123, 0.0456, false, []string{"-0.01", "0.00", "0.01", "0.02", "0.03", "0.04"}},
		{0, 120000, false, []string{"0", "20000", "40000", "60000", "80000", "100000", "120000"}},
		{0, 26, false, []string{"0", "5", "10", "15", "20", "25"}},
		{0.5, 2000, true, []string{"1", "10", "100", "1000"}},
		{1, 50, true, []string{"1", "2", "5", "10", "20", "50"}},
	} {
		var ts []plot.Tick
		if tc.log {
			ts = chartLogTicks{}.Ticks(tc.lo, tc.hi)
		} else {
			ts = chartNiceTicks{}.Ticks(tc.lo, tc.hi)
		}
		if got := labels(ts); !slices.Equal(got, tc.want) {
			t.Errorf("ticks(%v, %v, log %v) = %q, want %q", tc.lo, tc.hi, tc.log, got, tc.want)
		}
	}
	for _, v := range [][2]float64{{0, 0}, {1, 0}, {math.NaN(), 1}, {0, math.Inf(1)}} {
		if ts := (chartNiceTicks{}).Ticks(v[0], v[1]); len(ts) != 0 {
			t.Errorf("ticks over %v: %v, want none", v, ts)
		}
	}
}

func TestWriteCharts(t *testing.T) {
	charts, err := sampleCharts()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out", "charts")
	if err := WriteCharts(dir, charts); err != nil {
		t.Fatal(err)
	}
	for _, c := range charts {
		got, err := os.ReadFile(filepath.Join(dir, c.File))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, c.PNG) {
			t.Errorf("%s: the file differs from the chart's PNG", c.File)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(charts) {
		t.Errorf("%d files in %s, want %d", len(entries), dir, len(charts))
	}
	// Writing again overwrites.
	if err := WriteCharts(dir, charts); err != nil {
		t.Fatal(err)
	}
	if err := WriteCharts(filepath.Join(t.TempDir(), "none"), nil); err != nil {
		t.Errorf("no charts: %v", err)
	}
}

func TestWriteChartsErrors(t *testing.T) {
	charts, err := sampleCharts()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	file := filepath.Join(tmp, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	blocked := filepath.Join(tmp, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, charts[0].File), 0o755); err != nil { // a folder where a PNG goes
		t.Fatal(err)
	}
	dup := []Chart{charts[0], charts[0]}
	for _, tc := range []struct {
		name   string
		dir    string
		charts []Chart
		want   string
	}{
		{"folder is a file", filepath.Join(file, "charts"), charts, filepath.Join(file, "charts")},
		{"file is a folder", blocked, charts, filepath.Join(blocked, charts[0].File)},
		{"same file twice", filepath.Join(tmp, "dup"), dup, "both be written to"},
		{"path in the file name", filepath.Join(tmp, "sep"), []Chart{{Name: "x", File: "../x.png"}}, "not a plain file name"},
		{"no file name", filepath.Join(tmp, "empty"), []Chart{{Name: "x"}}, "not a plain file name"},
	} {
		err := WriteCharts(tc.dir, tc.charts)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if errs.Code(err) != errs.CodeRun || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v (code %d), want a run error containing %q", tc.name, err, errs.Code(err), tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "sep", "..", "x.png")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a chart was written outside its folder")
	}
}

// BenchmarkCharts renders every sample plot; each sub-benchmark reports
// the time and PNG size of one chart.
func BenchmarkCharts(b *testing.B) {
	b.Run("all", func(b *testing.B) {
		r := &checks.Result{Plots: samplePlots()}
		for b.Loop() {
			if _, err := Charts(r); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(knownSamplePlots())), "ns/chart")
	})
	for _, p := range knownSamplePlots() {
		b.Run(p.Name, func(b *testing.B) {
			r := &checks.Result{Plots: []checks.Plot{p}}
			var size int
			for b.Loop() {
				charts, err := Charts(r)
				if err != nil {
					b.Fatal(err)
				}
				size = len(charts[0].PNG)
			}
			b.ReportMetric(float64(size), "png-bytes")
		})
	}
}
