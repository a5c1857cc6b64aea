package skew

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/stats"
)

// Result returns skew.<feature> for every feature in order, then
// skew.drifted_share, then the segment outcomes (see segmentOutcomes),
// then skew.prediction and skew.flip_rate@<t> per threshold when
// prediction is configured, followed by the per-segment flip rates (see
// segmentFlips), then skew.consistency when consistency is configured.
func (c *Check) Result() []checks.Outcome {
	var out []checks.Outcome
	compared, drifted := 0, 0
	for i, f := range c.ref.features {
		o, d, ok := c.featureOutcome(f, c.cur[i])
		out = append(out, o)
		if ok {
			compared++
			if d {
				drifted++
			}
		}
	}
	out = append(out, c.driftedShare(compared, drifted))
	out = append(out, c.segmentOutcomes(out)...)
	if c.pred != nil {
		out = append(out, c.pred.outcomes(c)...)
	}
	if c.cons != nil {
		out = append(out, c.cons.outcome(c))
	}
	return out
}

// featureOutcome returns the feature's outcome, whether its distance is
// above its fail gate, and whether it was compared at all.
func (c *Check) featureOutcome(f *refFeature, cf *curFeature) (checks.Outcome, bool, bool) {
	o := c.outcome(f.name)
	o.Name = Name + "." + f.name
	o.Limit = limitOf(f.method)
	switch {
	case f.skip != "":
		return skip(o, f.skip), false, false
	case c.rows == 0:
		return skip(o, "no rows"), false, false
	case cf.present == 0:
		if f.explicit {
			o.Status, o.Message = checks.Error, fmt.Sprintf("column %q is not in the traffic", f.name)
			return o, false, false
		}
		return skip(o, fmt.Sprintf("column %q is not in the traffic", f.name)), false, false
	case cf.badType != "":
		o.Status, o.Rows = c.sev, cf.badRows
		o.Message = fmt.Sprintf("type mismatch: %q is %s (%s) in the reference but %s in the traffic; the serving pipeline logs it differently from training",
			f.name, f.typ, kindName(f.kind), cf.badType)
		return o, false, false
	}
	if f.kind == kindNumeric {
		return c.numericOutcome(f, cf, o, c.rows)
	}
	return c.categoricalOutcome(f, cf, o, c.rows)
}

// numericOutcome compares cf, observed over rows rows, with f.
func (c *Check) numericOutcome(f *refFeature, cf *curFeature, o checks.Outcome, rows int64) (checks.Outcome, bool, bool) {
	h := cf.hist
	setAside := h.NaN() + h.PosInf() + h.NegInf()
	all := h.Total() + setAside + h.Nulls()
	if h.Total() == 0 {
		return skip(o, fmt.Sprintf("no finite value in the traffic (%s: %d null, %d NaN, %d ±Inf)",
			plural(all, "row", "rows"), h.Nulls(), h.NaN(), h.PosInf()+h.NegInf())), false, false
	}
	cmp, err := stats.CompareHistograms(f.hist, h, f.coarse)
	exact := err == nil && f.values != nil && !cf.dropped && len(cf.values) > 0
	if exact {
		// Few enough values on both sides: KS and Wasserstein from the
		// values themselves, as scipy computes them.
		if cmp.KS, err = stats.KS(f.values, cf.values); err == nil {
			cmp.Wasserstein, err = stats.NormalizedWasserstein(f.values, cf.values)
		}
	}
	if err != nil {
		o.Status, o.Message = checks.Error, fmt.Sprintf("cannot compare %q: %v", f.name, err)
		return o, false, false
	}
	var v, crit float64
	switch f.method.Name {
	case MethodPSI:
		v, crit = cmp.PSI, cmp.PSICritical
	case MethodJS:
		v, crit = cmp.JS, cmp.JSCritical
	case MethodKS:
		v, crit = cmp.KS.D, cmp.KS.Critical
	case MethodWasserstein:
		v, crit = cmp.Wasserstein.Normalized, -1
	}
	o.Value, o.Rows = checks.F(v), h.Total()
	o.Status = c.grade(v, f.method)
	var m strings.Builder
	fmt.Fprintf(&m, "%s %s", f.method.Name, num(v))
	if crit >= 0 {
		fmt.Fprintf(&m, " (smallest detectable %s)", num(crit))
	}
	fmt.Fprintf(&m, "; PSI %s, JS %s, KS D %s (p %s), Wasserstein/std %s",
		num(cmp.PSI), num(cmp.JS), num(cmp.KS.D), pval(cmp.KS.PValue), num(cmp.Wasserstein.Normalized))
	fmt.Fprintf(&m, "; null rate %s → %s", pct(f.nulls, f.rows), pct(h.Nulls(), all))
	if setAside > 0 {
		fmt.Fprintf(&m, "; %d NaN and %d ±Inf in the traffic left out", h.NaN(), h.PosInf()+h.NegInf())
	}
	if cf.present < rows {
		fmt.Fprintf(&m, "; column missing from %s", plural(rows-cf.present, "row", "rows"))
	}
	if exact {
		fmt.Fprintf(&m, "; KS and Wasserstein exact (at most %d values a side)", ExactValues)
	}
	o.Message = m.String()
	if int64(f.sampled) < f.seen {
		o.Warnings = append(o.Warnings, fmt.Sprintf("reference sampled: %d of %d finite values; bins and statistics are from the sample", f.sampled, f.seen))
	}
	if f.method.Name == MethodKS && cmp.KS.Bound > 0.01 {
		o.Warnings = append(o.Warnings, fmt.Sprintf("KS D from histograms, exact value within +%s", num(cmp.KS.Bound)))
	}
	return o, v > f.method.Fail, true
}

// categoricalOutcome compares cf, observed over rows rows, with f.
func (c *Check) categoricalOutcome(f *refFeature, cf *curFeature, o checks.Outcome, rows int64) (checks.Outcome, bool, bool) {
	cc := cf.counts
	nonNull := cc.Total()
	all := nonNull + cc.Nulls()
	if nonNull == 0 {
		return skip(o, fmt.Sprintf("no value in the traffic (%s, all null)", plural(all, "row", "rows"))), false, false
	}
	cmp, err := stats.CompareCategories(f.counts, cc)
	if err != nil {
		o.Status, o.Message = checks.Error, fmt.Sprintf("cannot compare %q: %v", f.name, err)
		return o, false, false
	}
	var v, crit float64
	switch f.method.Name {
	case MethodLInf:
		v, crit = cmp.LInf, cmp.LInfCritical
	case MethodPSI:
		v, crit = cmp.PSI, cmp.PSICritical
	case MethodJS:
		v, crit = cmp.JS, cmp.JSCritical
	case MethodChi2:
		v, crit = cmp.ChiSquare.EffectSize, cmp.ChiSquare.MinEffect
	}
	o.Value, o.Rows = checks.F(v), nonNull
	o.Status = c.grade(v, f.method)
	var m strings.Builder
	fmt.Fprintf(&m, "%s %s (smallest detectable %s); L∞ %s, PSI %s, JS %s, chi-square %s (p %s, w %s)",
		f.method.Name, num(v), num(crit), num(cmp.LInf), num(cmp.PSI), num(cmp.JS),
		num(cmp.ChiSquare.Statistic), pval(cmp.ChiSquare.PValue), num(cmp.ChiSquare.EffectSize))
	fmt.Fprintf(&m, "; null rate %s → %s", pct(f.nulls, f.rows), pct(cc.Nulls(), all))
	if f.known != nil {
		fmt.Fprintf(&m, "; unseen in the reference %s", pct(cf.unseen, nonNull))
		if cf.unseen > 0 {
			fmt.Fprintf(&m, " (%s)", strings.Join(cf.unseenTop.Top(5), ", "))
		}
	} else {
		m.WriteString("; unseen share unknown: the reference has too many distinct values to keep")
	}
	if cf.present < rows {
		fmt.Fprintf(&m, "; column missing from %s", plural(rows-cf.present, "row", "rows"))
	}
	o.Message = m.String()
	return o, v > f.method.Fail, true
}

func (c *Check) driftedShare(compared, drifted int) checks.Outcome {
	o := c.outcome(Name + ".drifted_share")
	if c.cfg.MaxDriftedShare != nil {
		o.Limit = "<= " + num(*c.cfg.MaxDriftedShare)
	}
	if c.rows == 0 {
		return skip(o, "no rows")
	}
	if compared == 0 {
		return skip(o, "no feature could be compared")
	}
	s := float64(drifted) / float64(compared)
	o.Value, o.Rows, o.Status = checks.F(s), c.rows, checks.Pass
	o.Message = fmt.Sprintf("%d of %d features above their fail gate", drifted, compared)
	if lim := c.cfg.MaxDriftedShare; lim != nil && s > *lim {
		o.Status = c.sev
	}
	return o
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

func pval(p float64) string {
	if p < 1e-4 {
		return strconv.FormatFloat(p, 'e', 1, 64)
	}
	return strconv.FormatFloat(p, 'f', 4, 64)
}

func pct(k, n int64) string {
	if n == 0 {
		return "n/a"
	}
	return strconv.FormatFloat(100*float64(k)/float64(n), 'f', 2, 64) + "%"
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
