package segments

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/stats"
)

// PlotSegments is the most segments one segment_deltas chart shows.
const PlotSegments = 40

// ReliabilityPlot is the data of a reliability (calibration) curve: per
// score bin of both models, the mean predicted score, the observed positive
// rate and the row count. Empty bins are left out.
type ReliabilityPlot struct {
	Segment   string                 `json:"segment"`
	Candidate []stats.ReliabilityBin `json:"candidate"`
	Baseline  []stats.ReliabilityBin `json:"baseline"`
}

// Plots returns the check's charts: first one "segment_deltas[<metric>]"
// (checks.PlotSegmentDeltas) per metric in config order, then the
// reliability curves of the overall segment, "reliability[overall]"
// (checks.PlotReliability).
//
// A segment_deltas chart has the metric's segments in outcome order
// (overall first), each with the Delta, CI and Status of its outcome; a
// skipped or errored segment has no delta and shows with Delta 0, no CI
// and its status. Past PlotSegments segments it keeps overall and the
// segments that matter most (see limitSegments), still in outcome order.
// MaxDrop and MaxRise are the metric's gates. A metric none of whose
// segments has a delta gets no chart. The chart is built from the outcomes
// of Result, recomputed, so it agrees with them exactly.
//
// The reliability curves are kept whenever the metrics are
// binary-classification ones and the labelled rows were kept (up to
// ExactRows rows): calibration is worth a look whether or not ece is
// gated. Scores outside [0, 1] give no curve.
func (c *Check) Plots() []checks.Plot {
	out := c.deltaPlots()
	if p, ok := c.reliabilityPlot(); ok {
		out = append(out, p)
	}
	return out
}

// deltaPlots builds the segment_deltas charts from the outcomes Result
// returns, so that they agree with them exactly.
func (c *Check) deltaPlots() []checks.Plot {
	outcomes := c.last
	if outcomes == nil {
		outcomes = c.Result()
	}
	var out []checks.Plot
	for _, m := range c.metrics {
		prefix := string(m) + "["
		var segs []checks.SegmentDelta
		hasDelta := false
		for _, o := range outcomes {
			if o.Check != Name || !strings.HasPrefix(o.Name, prefix) || !strings.HasSuffix(o.Name, "]") {
				continue
			}
			sd := checks.SegmentDelta{Segment: o.Name[len(prefix) : len(o.Name)-1], Status: o.Status}
			if o.Delta != nil {
				sd.Delta, sd.CI, hasDelta = *o.Delta, slices.Clone(o.CI), true
			}
			segs = append(segs, sd)
		}
		if !hasDelta {
			continue
		}
		d := checks.SegmentDeltasPlot{Metric: string(m), HigherIsBetter: m.Direction() == stats.HigherIsBetter, Segments: limitSegments(segs)}
		for _, g := range c.gatesOf(m) {
			switch g.Kind {
			case stats.LimitMaxDrop:
				d.MaxDrop = checks.F(g.Limit)
			case stats.LimitMaxRise:
				d.MaxRise = checks.F(g.Limit)
			}
		}
		out = append(out, checks.Plot{
			Name:  "segment_deltas[" + string(m) + "]",
			Title: fmt.Sprintf("%s change per segment: candidate minus production, with its confidence interval", m),
			Kind:  checks.PlotSegmentDeltas,
			Data:  d,
		})
	}
	return out
}

// limitSegments keeps overall (the first) and the PlotSegments−1 others
// that matter most: fail, error, warn, pass, skip, then the largest
// |delta|, then outcome order; the kept ones stay in outcome order.
func limitSegments(segs []checks.SegmentDelta) []checks.SegmentDelta {
	if len(segs) <= PlotSegments {
		return segs
	}
	idx := make([]int, len(segs)-1)
	for i := range idx {
		idx[i] = i + 1
	}
	// fail, error, warn, pass, then skip: a skipped segment has no delta
	// to show.
	rank := func(s checks.Status) int {
		if s == checks.Skip {
			return math.MaxInt
		}
		return checks.StatusOrder(s)
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(rank(segs[a].Status), rank(segs[b].Status)),
			cmp.Compare(math.Abs(segs[b].Delta), math.Abs(segs[a].Delta)))
	})
	idx = append(idx[:PlotSegments-1], 0)
	slices.Sort(idx)
	out := make([]checks.SegmentDelta, len(idx))
	for i, k := range idx {
		out[i] = segs[k]
	}
	return out
}

// reliabilityPlot returns the overall reliability curves of both models.
func (c *Check) reliabilityPlot() (checks.Plot, bool) {
	if c.regression || !c.exact.on || c.exact.dropped || len(c.exact.cand) == 0 {
		return checks.Plot{}, false
	}
	cand, base, y := c.exact.gather(nil, false)
	cc, err1 := stats.ReliabilityCurve(cand, y, nil)
	bc, err2 := stats.ReliabilityCurve(base, y, nil)
	if err1 != nil || err2 != nil {
		return checks.Plot{}, false
	}
	return checks.Plot{
		Name:  "reliability[overall]",
		Title: "Calibration: observed positive rate against mean predicted score, candidate and production",
		Kind:  checks.PlotReliability,
		Data:  ReliabilityPlot{Segment: "overall", Candidate: cc.Bins, Baseline: bc.Bins},
	}, true
}
