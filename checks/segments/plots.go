package segments

import (
	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/stats"
)

// ReliabilityPlot is the data of a reliability (calibration) curve: per
// score bin of both models, the mean predicted score, the observed positive
// rate and the row count. Empty bins are left out.
type ReliabilityPlot struct {
	Segment   string                 `json:"segment"`
	Candidate []stats.ReliabilityBin `json:"candidate"`
	Baseline  []stats.ReliabilityBin `json:"baseline"`
}

// Plots returns the reliability curves of the overall segment, kept for
// the reports' charts when ece is among the metrics and the labelled rows
// were kept (binary metrics, up to ExactRows rows).
func (c *Check) Plots() []checks.Plot {
	has := false
	for _, m := range c.metrics {
		has = has || m == stats.MetricECE
	}
	if !has || c.regression || !c.exact.on || c.exact.dropped || len(c.exact.cand) == 0 {
		return nil
	}
	cand, base, y := c.exact.gather(nil, false)
	cc, err1 := stats.ReliabilityCurve(cand, y, nil)
	bc, err2 := stats.ReliabilityCurve(base, y, nil)
	if err1 != nil || err2 != nil {
		return nil
	}
	return []checks.Plot{{
		Name:  "reliability[overall]",
		Title: "Calibration: observed positive rate against mean predicted score, candidate and production",
		Kind:  checks.PlotReliability,
		Data:  ReliabilityPlot{Segment: "overall", Candidate: cc.Bins, Baseline: bc.Bins},
	}}
}
