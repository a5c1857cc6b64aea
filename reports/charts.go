package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

// Chart is one rendered plot.
type Chart struct {
	Name   string // the plot's name, e.g. "reliability[overall]"
	Title  string
	Kind   string
	File   string // ChartFile of the plot
	PNG    []byte
	Width  int // pixels
	Height int // pixels
}

// chartKinds maps each plot kind the charts know to its builder.
var chartKinds = map[string]func(p checks.Plot) (*chartFrame, error){
	checks.PlotLatency:       latencyChart,
	checks.PlotScores:        scoresChart,
	checks.PlotReliability:   reliabilityChart,
	checks.PlotSegmentDeltas: segmentDeltasChart,
	checks.PlotDrift:         driftChart,
	checks.PlotFeatureHist:   featureHistChart,
}

// chartHint is the hint of an error about a plot's data.
const chartHint = "the plot data in the result is malformed; re-create the result with replaygate run or check"

// Charts renders every plot of r that has a known kind, in the order of
// r.Plots. The bytes are deterministic: the same result renders to the same
// PNGs.
//
// Every chart is a PNG of ChartWidth x ChartHeight pixels at ChartDPI.
// Plots of a kind Charts does not know (a newer writer's) are passed over.
// Values a chart cannot place (NaN, infinities, negative counts, points
// outside 0..1 where a share is expected) are left out and counted in a
// note under the chart. A plot with nothing left to draw, or whose data is
// malformed (it does not decode, bin edges and counts disagree, the two
// histograms of a comparison have different bins) is not drawn: Charts
// still renders the other plots and returns them together with an input
// error that names every plot it could not draw. Charts writes no files.
func Charts(r *checks.Result) ([]Chart, error) {
	if r == nil {
		return nil, nil
	}
	var out []Chart
	var failed []error
	for _, p := range r.Plots {
		build, ok := chartKinds[p.Kind]
		if !ok {
			continue
		}
		png, err := renderChart(p, build)
		if err != nil {
			failed = append(failed, err)
			continue
		}
		out = append(out, Chart{
			Name:   p.Name,
			Title:  chartTitle(p),
			Kind:   p.Kind,
			File:   ChartFile(p),
			PNG:    png,
			Width:  ChartWidth,
			Height: ChartHeight,
		})
	}
	return out, errors.Join(failed...)
}

// renderChart builds and encodes one chart. A panic inside the plotting
// library becomes an error that names the plot.
func renderChart(p checks.Plot, build func(checks.Plot) (*chartFrame, error)) (png []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			png, err = nil, errs.Run("", "plot %q (%s): drawing the chart failed: %v", clean(p.Name), p.Kind, v)
		}
	}()
	f, err := build(p)
	if err != nil {
		return nil, err
	}
	if f.title == "" {
		f.title = chartTitle(p)
	}
	f.title = f.text(f.title)
	png, err = f.render()
	if err != nil {
		return nil, errs.Run("", "plot %q (%s): encoding the chart: %v", clean(p.Name), p.Kind, err)
	}
	return png, nil
}

// chartTitle is the plot's own title, or a title made from its kind.
func chartTitle(p checks.Plot) string {
	if t := clean(p.Title); t != "" {
		return t
	}
	switch p.Kind {
	case checks.PlotLatency:
		return "Latency distribution"
	case checks.PlotScores:
		return "Score distribution"
	case checks.PlotReliability:
		return "Calibration"
	case checks.PlotSegmentDeltas:
		return "Change per segment"
	case checks.PlotDrift:
		return "Feature drift"
	case checks.PlotFeatureHist:
		return "Feature distribution"
	}
	return clean(p.Name)
}

// plotError is an input error about the data of plot p.
func plotError(p checks.Plot, format string, args ...any) error {
	return errs.Input(chartHint, "plot %q (%s): %s", clean(p.Name), p.Kind, fmt.Sprintf(format, args...))
}

// decodeChart reads p.Data as T: directly when a check handed over a T
// (or *T), through JSON otherwise (the generic value of a result.json read
// back, or a type of another package with the same JSON shape).
func decodeChart[T any](p checks.Plot) (T, error) {
	switch d := p.Data.(type) {
	case T:
		return d, nil
	case *T:
		if d != nil {
			return *d, nil
		}
	}
	v, err := checks.DecodePlot[T](p)
	if err != nil {
		return v, errs.WrapInput(err, chartHint)
	}
	return v, nil
}

// WriteCharts writes each chart's PNG to dir/File, creating dir when it
// does not exist. Errors are run errors (exit 4) naming the path.
func WriteCharts(dir string, charts []Chart) error {
	const hint = "check that the chart folder is writable and the disk is not full"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return errs.Run(hint, "cannot create the chart folder %s: %v", dir, err)
	}
	seen := make(map[string]string, len(charts))
	for _, c := range charts {
		if c.File == "" || c.File != filepath.Base(c.File) || c.File == "." || c.File == ".." {
			return errs.Run("", "chart %q: %q is not a plain file name", clean(c.Name), clean(c.File))
		}
		if other, dup := seen[c.File]; dup {
			return errs.Run("", "charts %q and %q would both be written to %s", clean(other), clean(c.Name), filepath.Join(dir, c.File))
		}
		seen[c.File] = c.Name
		path := filepath.Join(dir, c.File)
		if err := os.WriteFile(path, c.PNG, 0o644); err != nil {
			return errs.Run(hint, "cannot write chart %s: %v", path, chartPathCause(err))
		}
	}
	return nil
}

// chartPathCause drops the operation and path an *fs.PathError repeats.
func chartPathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
