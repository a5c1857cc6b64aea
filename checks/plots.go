package checks

import (
	"encoding/json"
	"fmt"
)

// Plot kinds: the charts a check can hand to the reports, with the shape of
// their Data. A renderer reads Data through JSON (it is a generic value once
// a result.json has been read back), so every field below has a JSON name
// and renderers decode Data into these types with DecodePlot.
const (
	// PlotLatency is a LatencyPlot: quantiles of the candidate's latency and
	// of the logged production latency, with the latency gates.
	PlotLatency = "latency_cdf"
	// PlotScores is a ScoresPlot: histograms of the candidate's and the
	// production model's scores over the same bins.
	PlotScores = "score_hist"
	// PlotReliability is a reliability curve of both models
	// (segments.ReliabilityPlot).
	PlotReliability = "reliability"
	// PlotSegmentDeltas is a SegmentDeltasPlot: per segment, the
	// candidate-minus-production change of one metric with its interval.
	PlotSegmentDeltas = "segment_deltas"
	// PlotDrift is a DriftPlot: the most drifted features' distances with
	// the warn and fail limits.
	PlotDrift = "drift_bars"
	// PlotFeatureHist is a FeatureHistPlot: reference against traffic for
	// one drifted feature.
	PlotFeatureHist = "feature_hist"
)

// Quantile is one point of a latency distribution: the share of rows
// (0..1) at or below MS milliseconds.
type Quantile struct {
	P  float64 `json:"p"`
	MS float64 `json:"ms"`
}

// LatencyGate is one latency limit drawn on the chart: the quantile it
// limits (0.99 for p99) and the limit in milliseconds.
type LatencyGate struct {
	Name string  `json:"name"` // e.g. "p99"
	P    float64 `json:"p"`
	MS   float64 `json:"ms"`
}

// LatencyPlot is the data of PlotLatency. Baseline is empty when the traffic
// has no logged production latency.
type LatencyPlot struct {
	Candidate []Quantile    `json:"candidate"`
	Baseline  []Quantile    `json:"baseline,omitempty"`
	Gates     []LatencyGate `json:"gates,omitempty"`
}

// Histogram is counts over bins: Edges has one more element than Counts
// (numeric bins (lo, hi], upper edge inclusive, as stats.Histogram counts),
// or Categories has as many elements
// as Counts (categorical bins). Counts are rows, not shares.
type Histogram struct {
	Edges      []float64 `json:"edges,omitempty"`
	Categories []string  `json:"categories,omitempty"`
	Counts     []float64 `json:"counts"`
}

// ScoresPlot is the data of PlotScores: both models' scores over the same
// bins.
type ScoresPlot struct {
	Candidate Histogram `json:"candidate"`
	Baseline  Histogram `json:"baseline"`
}

// SegmentDelta is one bar of PlotSegmentDeltas.
type SegmentDelta struct {
	Segment string    `json:"segment"` // "overall", "country=DE", ...
	Delta   float64   `json:"delta"`
	CI      []float64 `json:"ci,omitempty"` // [lo, hi] of the delta
	Status  Status    `json:"status"`
}

// SegmentDeltasPlot is the data of PlotSegmentDeltas for one metric.
// MaxDrop and MaxRise are the gates' limits on the delta (drawn as lines at
// -MaxDrop and +MaxRise); nil when the spec sets none.
type SegmentDeltasPlot struct {
	Metric         string         `json:"metric"`
	HigherIsBetter bool           `json:"higher_is_better"`
	MaxDrop        *float64       `json:"max_drop,omitempty"`
	MaxRise        *float64       `json:"max_rise,omitempty"`
	Segments       []SegmentDelta `json:"segments"`
}

// DriftBar is one feature of PlotDrift.
type DriftBar struct {
	Feature  string  `json:"feature"`
	Method   string  `json:"method"` // psi, js, ks, wasserstein, ...
	Distance float64 `json:"distance"`
	Warn     float64 `json:"warn"`
	Fail     float64 `json:"fail"`
	Status   Status  `json:"status"`
}

// DriftPlot is the data of PlotDrift: the most drifted features, largest
// distance relative to its fail limit first.
type DriftPlot struct {
	Features []DriftBar `json:"features"`
}

// FeatureHistPlot is the data of PlotFeatureHist: one feature's reference
// and traffic distributions over the same bins.
type FeatureHistPlot struct {
	Feature   string    `json:"feature"`
	Method    string    `json:"method"`
	Distance  float64   `json:"distance"`
	Reference Histogram `json:"reference"`
	Traffic   Histogram `json:"traffic"`
}

// DecodePlot reads p.Data into T (one of the plot data types above, or
// segments.ReliabilityPlot). Data may be the typed value a check produced or
// the generic value decoded from a result.json: both go through JSON.
func DecodePlot[T any](p Plot) (T, error) {
	var out T
	raw, err := json.Marshal(p.Data)
	if err != nil {
		return out, fmt.Errorf("plot %q: %w", p.Name, err)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, fmt.Errorf("plot %q (%s): %w", p.Name, p.Kind, err)
	}
	return out, nil
}
