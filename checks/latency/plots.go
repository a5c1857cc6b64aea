package latency

import (
	"math"
	"time"

	"github.com/replaygate/replaygate/checks"
)

// plotPercentiles are the percentiles (0..100) of the latency plot: every
// whole percent, then the tail. They include every gated percentile (50,
// 90, 95, 99, 99.9), so the curve passes through the values the gates
// read. 0 and 100 are the exact minimum and maximum.
var plotPercentiles = func() []float64 {
	out := make([]float64, 0, 104)
	for i := 0; i < 100; i++ {
		out = append(out, float64(i))
	}
	return append(out, 99.5, 99.9, 99.99, 100)
}()

// Plots returns the latency chart (checks.PlotLatency): quantiles of the
// distribution the gates read (every row with a latency, errored rows
// included), of the logged production latency when Config.BaselineColumn
// holds values, and one line per configured percentile or max gate (max at
// P = 1). It returns nil when no row had a latency. The plot is named
// "latency", or "<role>_latency" for a role other than the candidate.
func (c *Check) Plots() []checks.Plot {
	if c.all.n == 0 {
		return nil
	}
	d := checks.LatencyPlot{Candidate: plotQuantiles(&c.all)}
	title := "Latency: candidate"
	if c.prefix != Name {
		title = "Latency: " + c.prefix[:len(c.prefix)-len(Name)-1]
	}
	if c.base.n > 0 {
		d.Baseline = plotQuantiles(&c.base)
		title += " against logged production latency"
	}
	for _, g := range c.gates() {
		if g.limit <= 0 {
			continue
		}
		p := 1.0
		if g.q >= 0 {
			p = share(g.q)
		}
		d.Gates = append(d.Gates, checks.LatencyGate{Name: g.key, P: p, MS: float64(g.limit) / float64(time.Millisecond)})
	}
	return []checks.Plot{{Name: c.prefix, Title: title, Kind: checks.PlotLatency, Data: d}}
}

// plotQuantiles returns d's quantiles at plotPercentiles; d holds values.
func plotQuantiles(d *dist) []checks.Quantile {
	out := make([]checks.Quantile, len(plotPercentiles))
	for i, p := range plotPercentiles {
		var ms float64
		switch p {
		case 0:
			ms = d.min
		case 100:
			ms = d.max
		default:
			ms = d.quantile(p)
		}
		out[i] = checks.Quantile{P: share(p), MS: ms}
	}
	return out
}

// share turns a percentile into a share of rows, rounded to 1e-6 so that
// 99.9 gives 0.999 and not 0.9990000000000001.
func share(pct float64) float64 { return math.Round(pct*1e4) / 1e6 }
