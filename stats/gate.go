package stats

import (
	"fmt"
	"math"
)

// LimitKind is the kind of a metric gate's limit, as written in a spec.
type LimitKind string

// Limit kinds. min and max bound the candidate's value; max_drop bounds how
// far a higher-is-better metric may fall below the baseline, max_rise how
// far a lower-is-better metric may climb above it.
const (
	LimitMin     LimitKind = "min"
	LimitMax     LimitKind = "max"
	LimitMaxDrop LimitKind = "max_drop"
	LimitMaxRise LimitKind = "max_rise"
)

// GateStatus is a gate's verdict. The strings equal the checks package's
// pass, warn and fail statuses.
type GateStatus string

// Gate verdicts.
const (
	GatePass GateStatus = "pass"
	GateWarn GateStatus = "warn"
	GateFail GateStatus = "fail"
)

// gateTolerance: a value within this relative distance of its limit counts
// as at the limit, so that 0.74 − 0.73 does not exceed a max_drop of 0.01
// through rounding.
const gateTolerance = 1e-12

// MetricGate is one limit on a metric of the candidate.
type MetricGate struct {
	Kind  LimitKind
	Limit float64
}

// GateDecision is a gate's verdict with the two facts it rests on.
type GateDecision struct {
	Status GateStatus
	// Beyond: the value (min, max) or its change from the baseline
	// (max_drop, max_rise) is past the limit.
	Beyond bool
	// Significant: the change from the baseline is significant in the
	// harmful direction.
	Significant bool
	// Reason says why, in a few words, for the outcome's message.
	Reason string
}

// Harm is the direction in which a change hurts under this limit: a fall
// (HigherIsBetter: min, max_drop) or a rise (LowerIsBetter: max,
// max_rise).
func (g MetricGate) Harm() Direction {
	if g.Kind == LimitMin || g.Kind == LimitMaxDrop {
		return HigherIsBetter
	}
	return LowerIsBetter
}

// String is the limit as the result shows it, e.g. "max_drop 0.01".
func (g MetricGate) String() string { return fmt.Sprintf("%s %v", g.Kind, g.Limit) }

// Validate checks the kind and the limit (finite; ≥ 0 for max_drop and
// max_rise).
func (g MetricGate) Validate() error {
	switch g.Kind {
	case LimitMin, LimitMax, LimitMaxDrop, LimitMaxRise:
	default:
		return fmt.Errorf("gate: unknown limit %q (known: min, max, max_drop, max_rise)", g.Kind)
	}
	if math.IsNaN(g.Limit) || math.IsInf(g.Limit, 0) {
		return fmt.Errorf("gate: %s limit %v is not a finite number", g.Kind, g.Limit)
	}
	if (g.Kind == LimitMaxDrop || g.Kind == LimitMaxRise) && g.Limit < 0 {
		return fmt.Errorf("gate: %s limit %v is negative", g.Kind, g.Limit)
	}
	return nil
}

// Beyond reports whether value (and, for max_drop and max_rise, its change
// from baseline) is past the limit. A value exactly at the limit is not.
func (g MetricGate) Beyond(value, baseline float64) bool {
	tol := gateTolerance * max(1, math.Abs(g.Limit))
	switch g.Kind {
	case LimitMin:
		return value < g.Limit-tol
	case LimitMax:
		return value > g.Limit+tol
	case LimitMaxDrop:
		return baseline-value > g.Limit+tol
	case LimitMaxRise:
		return value-baseline > g.Limit+tol
	}
	return false
}

// Significant reports whether the confidence interval of the change
// (candidate − baseline) excludes zero on the harmful side: Hi < 0 when a
// fall hurts, Lo > 0 when a rise hurts. An interval that excludes zero on
// the other side (a significant improvement) is not a significant harm.
func (g MetricGate) Significant(ci CI) bool {
	if g.Harm() == HigherIsBetter {
		return ci.Hi < 0
	}
	return ci.Lo > 0
}

// Evaluate is the gate's verdict on the candidate's value, the baseline's,
// and the confidence interval of the change (nil when there is no baseline
// to compare with), following the design's rule:
//
//   - fail: past the limit, and the change is significant (the interval
//     excludes zero on the harmful side);
//   - warn: past the limit, but the change is not significant;
//   - pass: not past the limit.
//
// Without an interval, an absolute limit (min, max) fails on the value
// alone (there is no baseline to blame), and a relative one (max_drop,
// max_rise) cannot be significant, so it warns when past the limit. A
// non-finite value fails.
func (g MetricGate) Evaluate(value, baseline float64, ci *CI) GateDecision {
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return GateDecision{Status: GateFail, Beyond: true, Significant: true, Reason: "the value is not a finite number"}
	}
	if ci == nil {
		d := g.Decide(value, baseline, false)
		if !d.Beyond {
			return d
		}
		if g.Kind == LimitMin || g.Kind == LimitMax {
			d.Status = GateFail
			d.Reason = g.describe(value, baseline) + " (no baseline to compare with)"
		} else {
			d.Reason = g.describe(value, baseline) + ", but there is no confidence interval to judge the change"
		}
		return d
	}
	return g.Decide(value, baseline, g.Significant(*ci))
}

// Decide is Evaluate with the significance of the change already decided,
// e.g. by Holm's procedure over several segments (CorrectSegments).
func (g MetricGate) Decide(value, baseline float64, significant bool) GateDecision {
	d := GateDecision{Beyond: g.Beyond(value, baseline), Significant: significant}
	switch {
	case d.Beyond && significant:
		d.Status, d.Reason = GateFail, fmt.Sprintf("%s, and the change is significant", g.describe(value, baseline))
	case d.Beyond:
		d.Status, d.Reason = GateWarn, fmt.Sprintf("%s, but the change is not significant", g.describe(value, baseline))
	default:
		d.Status, d.Reason = GatePass, "within "+g.String()
	}
	return d
}

func (g MetricGate) describe(value, baseline float64) string {
	switch g.Kind {
	case LimitMin:
		return fmt.Sprintf("%.4g is below the minimum %v", value, g.Limit)
	case LimitMax:
		return fmt.Sprintf("%.4g is above the maximum %v", value, g.Limit)
	case LimitMaxDrop:
		return fmt.Sprintf("dropped by %.4g from %.4g, more than %v", baseline-value, baseline, g.Limit)
	}
	return fmt.Sprintf("rose by %.4g from %.4g, more than %v", value-baseline, baseline, g.Limit)
}
