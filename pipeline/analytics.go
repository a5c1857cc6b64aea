package pipeline

import (
	"context"

	"github.com/replaygate/replaygate/checks/segments"
	"github.com/replaygate/replaygate/checks/skew"
	"github.com/replaygate/replaygate/spec"
	"github.com/replaygate/replaygate/traffic"
)

// newSkew reads the reference and builds the skew check of the spec.
func newSkew(ctx context.Context, sp *spec.Spec) (*skew.Check, error) {
	k := sp.Checks.Skew
	method := func(m *spec.SkewMethod) skew.Method {
		if m == nil {
			return skew.Method{}
		}
		return skew.Method{Name: m.Method, Warn: m.Warn, Fail: m.Fail}
	}
	t := sp.Traffic
	cfg := skew.Config{
		Features:        []string(k.Features),
		Exclude:         append([]string{t.ID, t.Timestamp, t.Label}, k.Exclude...),
		Numeric:         method(k.Numeric),
		Categorical:     method(k.Categorical),
		MaxDriftedShare: k.MaxDriftedShare,
		Severity:        k.Severity,
		IDColumn:        t.ID,
		Seed:            uint64(sp.Replay.Seed),
		Segments:        t.Segments, // per-segment skew of the most drifted features
	}
	if b := t.Baseline; b != nil {
		cfg.BaselineScore = b.Score
		cfg.Exclude = append(cfg.Exclude, b.Score, b.LatencyMS)
	}
	if len(k.PerFeature) > 0 {
		cfg.PerFeature = map[string]skew.Method{}
		for f, m := range k.PerFeature {
			cfg.PerFeature[f] = method(&m)
		}
	}
	if p := k.Prediction; p != nil {
		cfg.Prediction = &skew.PredictionConfig{Method: skew.Method{Name: p.Method, Warn: p.Warn, Fail: p.Fail},
			Thresholds: p.Thresholds, MaxFlipRate: p.MaxFlipRate}
	}
	if c := k.Consistency; c != nil {
		cfg.Consistency = &skew.ConsistencyConfig{Tolerance: c.Tolerance, MaxMismatchRate: c.MaxMismatchRate}
	}
	rd, err := traffic.Open(ctx, sp.Resolve(sp.Reference.Path), traffic.Options{})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return skew.NewFromReference(rd, cfg)
}

// newSegments builds the segments check of the spec.
func newSegments(sp *spec.Spec) (*segments.Check, error) {
	g := sp.Checks.Segments
	cfg := segments.Config{
		By: g.By, Crosses: g.Crosses, Metrics: g.Metrics,
		Label: labelColumn(sp), IDColumn: sp.Traffic.ID,
		MinRows: g.MinRows, Confidence: g.Confidence, Replicates: g.Replicates,
		Seed: uint64(sp.Replay.Seed), Threshold: g.Threshold,
	}
	if len(cfg.Metrics) == 0 {
		cfg.Metrics = []string{"auc"}
	}
	if b := sp.Traffic.Baseline; b != nil {
		cfg.BaselineScore = b.Score
	}
	if len(g.Gates) > 0 {
		cfg.Gates = map[string]segments.Gate{}
		for m, x := range g.Gates {
			cfg.Gates[m] = segments.Gate{Min: x.Min, Max: x.Max, MaxDrop: x.MaxDrop, MaxRise: x.MaxRise}
		}
	}
	return segments.New(cfg)
}
