package contract

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/replaygate/replaygate/spec"
)

// InferOptions tune Infer.
type InferOptions struct {
	// Margin widens numeric ranges by this share of the observed range on
	// each side. 0 means the default 0.1; a negative value means no margin.
	Margin float64
	// MaxCategories is the most distinct values a string column may have to
	// get a values rule. 0 means the default 50; negative means never.
	MaxCategories int
	// Exclude names columns that get no rule (id, timestamp, label, scores).
	Exclude []string
}

// Defaults of InferOptions and the slack Infer leaves.
const (
	DefaultMargin        = 0.1
	DefaultMaxCategories = 50
	// InferredUnseenRate is the max_unseen_rate of an inferred values rule:
	// one row in a thousand may carry a value the profile did not see.
	InferredUnseenRate = 0.001
	// NullRateSlack multiplies an observed null rate into max_null_rate.
	NullRateSlack = 1.5
	// MinNullRate is the smallest max_null_rate inferred for a column that
	// had nulls.
	MinNullRate = 0.01
)

// Infer turns a profile into a starter contract, in the spirit of TFDV's
// infer_schema: what the data showed, with some slack.
//
//   - type: the column's kind; a string column whose every value is an RFC
//     3339 timestamp is a timestamp. Columns that are all null (Arrow type
//     null), of a type no contract covers, or of mixed types get no rule.
//   - min/max (int and float): the observed range widened by Margin × range
//     on each side (Margin × |value| for a constant column), with the lower
//     bound kept at 0 when no value was negative. Integer columns, and float
//     columns holding only whole numbers, are rounded outward to integers;
//     other floats outward to three significant digits of the range (a
//     range of 0.97 rounds to steps of 0.001). A side that saw ±Inf gets no
//     bound.
//   - max_null_rate: 0 when no nulls were seen (like TFDV's min_fraction
//     1); otherwise the observed rate × NullRateSlack rounded up to two
//     significant digits, at least MinNullRate and at most 1. An observed
//     0.42% gives 0.01, 20% gives 0.3, 12.3% gives 0.19.
//   - values (strings with at most MaxCategories distinct values): the
//     values seen, sorted, with max_unseen_rate InferredUnseenRate.
//     A spec cannot list an empty or blank string (nor invalid UTF-8, which
//     YAML cannot carry), so such values are left out and their share is
//     allowed as unseen (with the same slack as a null rate); a column that
//     only held such values gets no values rule. High-cardinality strings
//     get only a type.
//   - Columns whose name is blank or invalid UTF-8 get no rule (a spec
//     cannot name them), nor do the replay's own outputs (candidate_*,
//     production_*) when the profiled file was written by `replaygate replay`.
//   - bool and timestamp columns: type and max_null_rate.
func Infer(p *Profile, opts InferOptions) *spec.Contract {
	margin := opts.Margin
	switch {
	case margin == 0:
		margin = DefaultMargin
	case margin < 0:
		margin = 0
	}
	maxCat := opts.MaxCategories
	if maxCat == 0 {
		maxCat = DefaultMaxCategories
	}
	exclude := map[string]bool{}
	for _, name := range opts.Exclude {
		exclude[name] = true
	}
	features := map[string]spec.FeatureRule{}
	for i := range p.Columns {
		c := &p.Columns[i]
		if exclude[c.Name] || len(c.Mixed) > 0 || !nameable(c.Name) || replayOutput(c.Name) {
			continue
		}
		var r spec.FeatureRule
		switch c.Kind {
		case KindInt, KindFloat:
			r.Type = string(c.Kind)
			if c.HasRange {
				lo, hi := widen(c.Min, c.Max, margin, c.Integral)
				if c.NegInf == 0 {
					r.Min = &lo
				}
				if c.PosInf == 0 {
					r.Max = &hi
				}
			}
		case KindString:
			r.Type = string(KindString)
			if c.RFC3339 {
				r.Type = string(KindTimestamp)
			} else if maxCat > 0 && !c.DistinctCapped && c.Distinct > 0 && c.Distinct <= maxCat {
				r.Values, r.MaxUnseenRate = inferValues(c)
			}
		case KindBool, KindTimestamp:
			r.Type = string(c.Kind)
		default:
			continue
		}
		r.MaxNullRate = ptr(inferNullRate(c.NullRate()))
		features[c.Name] = r
	}
	return &spec.Contract{Features: features}
}

func ptr(v float64) *float64 { return &v }

// widen applies the margin and rounds outward.
func widen(min, max, margin float64, integral bool) (float64, float64) {
	spread := (max - min) * margin
	if max == min {
		spread = math.Abs(max) * margin
	}
	lo, hi := min-spread, max+spread
	if min >= 0 && lo < 0 {
		lo = 0
	}
	if integral {
		return math.Floor(lo), math.Ceil(hi)
	}
	width := max - min
	if width == 0 {
		width = math.Abs(max)
	}
	if width == 0 || math.IsInf(width, 0) {
		return lo, hi
	}
	e := int(math.Floor(math.Log10(width))) - 2
	return roundDecimal(lo, e, false), roundDecimal(hi, e, true)
}

// roundDecimal rounds v up or down to a multiple of 10^e and returns the
// float64 nearest to that decimal, so it prints exactly. A value within
// floating-point noise of the grid counts as on it.
func roundDecimal(v float64, e int, up bool) float64 {
	p := math.Pow10(abs(e))
	scaled := v * p
	if e >= 0 {
		scaled = v / p
	}
	if r := math.Round(scaled); math.Abs(scaled-r) <= 1e-9*math.Max(1, math.Abs(scaled)) {
		scaled = r
	}
	k := math.Floor(scaled)
	if up {
		k = math.Ceil(scaled)
	}
	if e >= 0 {
		return k * p
	}
	return k / p
}

func abs(e int) int {
	if e < 0 {
		return -e
	}
	return e
}

// replayOutput reports whether a column is one the replay adds.
func replayOutput(name string) bool {
	return strings.HasPrefix(name, "candidate_") || strings.HasPrefix(name, "production_")
}

// nameable reports whether a spec can carry s as a name or a listed value.
func nameable(s string) bool {
	return strings.TrimSpace(s) != "" && utf8.ValidString(s)
}

// inferValues is the values rule of a low-cardinality string column.
func inferValues(c *ColumnProfile) ([]string, *float64) {
	var vals []string
	var empty, total int64
	for _, v := range c.Values {
		total += v.Count
		if !nameable(v.Value) {
			empty += v.Count
			continue
		}
		vals = append(vals, v.Value)
	}
	if len(vals) == 0 {
		return nil, nil
	}
	sort.Strings(vals)
	unseen := InferredUnseenRate
	if empty > 0 {
		unseen = math.Max(unseen, inferNullRate(float64(empty)/float64(total)))
	}
	return vals, ptr(unseen)
}

// inferNullRate is the max_null_rate for an observed null rate r.
func inferNullRate(r float64) float64 {
	if r <= 0 {
		return 0
	}
	v := r * NullRateSlack
	e := int(math.Floor(math.Log10(v))) - 1
	v = roundDecimal(v, e, true)
	return math.Min(1, math.Max(MinNullRate, v))
}
