package stats

import (
	"fmt"
	"math"
	"slices"
)

// Multiple comparisons across segments.
//
// A segment gate tests "no change" once per segment; with m segments and a
// 5 % level each, some segment would fail by chance on most runs. Both
// corrections here bound the family-wise error rate (the chance that any
// segment is flagged while nothing changed) by α = 1 − confidence:
//
//   - Bonferroni: each segment's percentile interval is taken at confidence
//     1 − α/m, and a segment is significant when that interval excludes
//     zero. The m intervals cover their true changes simultaneously with
//     probability ≥ 1 − α. Adjusted p-value: min(1, m·p).
//   - Holm: the step-down procedure on the bootstrap p-values
//     (BootstrapPValue): sort them p(1) ≤ … ≤ p(m), reject while p(i) ≤
//     α/(m − i + 1), stop at the first that is not. Adjusted p-value:
//     max over j ≤ i of min(1, (m − j + 1)·p(j)); significant when ≤ α.
//     Holm rejects everything Bonferroni rejects, and sometimes more.
//
// Which one the segment gate uses: Bonferroni. The gate's rule is written in
// terms of the interval ("the CI excludes zero"), and with Bonferroni the
// interval the report shows is exactly the evidence for the verdict, and a
// valid simultaneous interval. Holm's decisions cannot be read off one
// interval per segment (a Holm-significant segment may show an interval
// that covers zero), so it is offered for the p-values column and as an
// option (MetricGate.Decide takes its decision), not as the default.
//
// Resolution: bootstrap p-values move in steps of 1/B, and the Bonferroni
// interval's ends are the α/(2m) and 1 − α/(2m) quantiles of B replicates.
// With B = 200, α = 0.05 and m = 10 that quantile is the 0.5th replicate:
// the interval is the range of the replicates. Use B ≥ 20·m/α (4,000 for
// ten segments) when the corrected intervals matter; MinReplicates says so.

// Correction is a multiple-comparison correction.
type Correction string

// Corrections.
const (
	CorrectionNone       Correction = "none"
	CorrectionBonferroni Correction = "bonferroni"
	CorrectionHolm       Correction = "holm"
)

// SegmentTest is one segment's corrected test of "no change".
type SegmentTest struct {
	// CI is the percentile interval of the segment's deltas at
	// Confidence: 1 − α/m under Bonferroni and Holm (the simultaneous
	// interval), the requested confidence under no correction.
	CI         CI
	Confidence float64
	// P is the uncorrected two-sided bootstrap p-value, AdjustedP the
	// corrected one.
	P, AdjustedP float64
	// Significant: under none and Bonferroni, CI excludes zero; under
	// Holm, AdjustedP ≤ α.
	Significant bool
	// Err is set when the segment could not be tested (fewer than two
	// defined replicates); such segments do not count in m.
	Err error
}

// CorrectSegments tests each segment's replicate deltas (deltas[i] are
// segment i's, e.g. Resamples.Delta) at the family-wise confidence level
// with correction c.
func CorrectSegments(deltas [][]float64, confidence float64, c Correction) ([]SegmentTest, error) {
	if !(confidence > 0 && confidence < 1) {
		return nil, fmt.Errorf("segment tests: confidence %v is not between 0 and 1", confidence)
	}
	switch c {
	case CorrectionNone, CorrectionBonferroni, CorrectionHolm:
	default:
		return nil, fmt.Errorf("segment tests: unknown correction %q (known: none, bonferroni, holm)", c)
	}
	out := make([]SegmentTest, len(deltas))
	var tested []int
	for i, d := range deltas {
		if len(d) < 2 {
			out[i].Err = metricUndefined("segment test", "needs at least 2 defined replicates, got %d", len(d))
			continue
		}
		p, err := BootstrapPValue(d)
		if err != nil {
			out[i].Err = err
			continue
		}
		out[i].P = p
		tested = append(tested, i)
	}
	m := len(tested)
	alpha := 1 - confidence
	level := confidence
	if c != CorrectionNone && m > 0 {
		level = BonferroniConfidence(confidence, m)
	}
	ps := make([]float64, m)
	for j, i := range tested {
		ps[j] = out[i].P
	}
	var adj []float64
	switch c {
	case CorrectionNone:
		adj = ps
	case CorrectionBonferroni:
		adj = BonferroniAdjust(ps)
	case CorrectionHolm:
		adj = HolmAdjust(ps)
	}
	for j, i := range tested {
		t := &out[i]
		ci, err := PercentileCI(deltas[i], level)
		if err != nil {
			t.Err = err
			continue
		}
		t.CI, t.Confidence, t.AdjustedP = ci, level, adj[j]
		if c == CorrectionHolm {
			t.Significant = adj[j] <= alpha
		} else {
			t.Significant = !ci.Contains(0)
		}
	}
	return out, nil
}

// BonferroniConfidence is the per-test confidence that keeps m tests at
// family-wise confidence: 1 − (1 − confidence)/m.
func BonferroniConfidence(confidence float64, m int) float64 {
	if m < 1 {
		return confidence
	}
	return 1 - (1-confidence)/float64(m)
}

// MinReplicates is the smallest B for which the corrected percentile
// interval of m tests at confidence has its ends at least 10 replicates in
// from the extremes: 20·m/(1 − confidence), rounded up.
func MinReplicates(m int, confidence float64) int {
	if m < 1 || !(confidence > 0 && confidence < 1) {
		return DefaultReplicates
	}
	return int(math.Ceil(20 * float64(m) / (1 - confidence)))
}

// BonferroniAdjust returns min(1, m·p) for each of the m p-values.
func BonferroniAdjust(p []float64) []float64 {
	out := make([]float64, len(p))
	m := float64(len(p))
	for i, v := range p {
		out[i] = min(1, m*v)
	}
	return out
}

// HolmAdjust returns Holm's step-down adjusted p-values, in the order of p:
// for the i-th smallest, max over j ≤ i of min(1, (m − j + 1)·p(j)). A test
// is rejected at level α by Holm's procedure exactly when its adjusted
// p-value is ≤ α.
func HolmAdjust(p []float64) []float64 {
	m := len(p)
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case p[a] < p[b]:
			return -1
		case p[a] > p[b]:
			return 1
		}
		return 0
	})
	out := make([]float64, m)
	run := 0.0
	for rank, i := range idx {
		run = max(run, min(1, float64(m-rank)*p[i]))
		out[i] = run
	}
	return out
}

// Holm runs Holm's step-down procedure at level alpha and reports which of
// the p-values are rejected.
func Holm(p []float64, alpha float64) []bool {
	adj := HolmAdjust(p)
	out := make([]bool, len(p))
	for i, v := range adj {
		out[i] = v <= alpha
	}
	return out
}
