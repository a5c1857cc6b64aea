package segments

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/stats"
)

// ranked is one segment in report order, with its exact rows when kept.
type ranked struct {
	name string
	seg  *segment
	rows []int // indices into the exact store; nil = every row (overall)
}

// order lists the segments in report order: overall, then each By column
// and cross in config order, values sorted, (other) last.
func (c *Check) order() []ranked {
	var out []ranked
	for di, d := range c.dims {
		idx := make([]int, len(d.segs))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			sa, sb := d.segs[a], d.segs[b]
			if sa.other != sb.other {
				if sa.other {
					return 1
				}
				return -1
			}
			return slices.Compare(sa.values, sb.values)
		})
		var groups [][]int
		if di > 0 && c.exact.on {
			groups = make([][]int, len(d.segs))
			for r, code := range c.exact.codes[di-1] {
				groups[code] = append(groups[code], r)
			}
		}
		for _, i := range idx {
			r := ranked{name: d.name(d.segs[i]), seg: d.segs[i]}
			if groups != nil {
				r.rows = groups[i]
				if r.rows == nil {
					r.rows = []int{}
				}
			}
			out = append(out, r)
		}
	}
	return out
}

// cell is one metric on one segment before the correction.
type cell struct {
	skip     string // reason, when the segment is skipped
	err      error  // the metric could not be computed
	value    float64
	baseline float64
	res      stats.Resamples
	tested   int // index into the corrected tests, -1 = not tested
}

// Result returns the outcomes: for each metric in config order, one per
// segment in report order, then a fail for each gate on a metric that is
// not computed.
func (c *Check) Result() []checks.Outcome {
	out := c.result()
	c.last = append([]checks.Outcome(nil), out...)
	return out
}

func (c *Check) result() []checks.Outcome {
	segs := c.order()
	var out []checks.Outcome
	global := c.globalWarnings()
	for _, m := range c.metrics {
		gates := c.gatesOf(m)
		cells := make([]cell, len(segs))
		var deltas [][]float64
		for i, r := range segs {
			cells[i] = c.evaluate(m, r)
			if cells[i].skip == "" && cells[i].err == nil && len(cells[i].res.Delta) >= 2 {
				cells[i].tested = len(deltas)
				deltas = append(deltas, cells[i].res.Delta)
			}
		}
		tests, err := stats.CorrectSegments(deltas, c.cfg.Confidence, stats.CorrectionBonferroni)
		if err != nil { // the configuration was validated: not reached
			tests = make([]stats.SegmentTest, len(deltas))
			for i := range tests {
				tests[i].Err = err
			}
		}
		mTested := 0
		for _, t := range tests {
			if t.Err == nil {
				mTested++
			}
		}
		for i, r := range segs {
			o := c.outcome(m, gates, r, cells[i], tests, mTested)
			if i == 0 {
				o.Warnings = append(o.Warnings, global...)
				if need := stats.MinReplicates(mTested, c.cfg.Confidence); mTested > 0 && c.cfg.Replicates < need {
					o.Warnings = append(o.Warnings, fmt.Sprintf(
						"%d replicates are coarse for %d corrected intervals: their ends are near the extreme replicates; use at least %d",
						c.cfg.Replicates, mTested, need))
				}
			}
			out = append(out, o)
		}
	}
	for _, g := range c.gates {
		if g.known {
			continue
		}
		out = append(out, checks.Outcome{
			Check:   Name,
			Name:    g.metric + "[overall]",
			Status:  checks.Fail,
			Limit:   limitString(g.gates),
			Message: fmt.Sprintf("metric not found: a gate names %s, which is not among the computed metrics (%s); add it to segments.metrics", g.metric, metricList(c.metrics)),
		})
	}
	return out
}

func (c *Check) gatesOf(m stats.Metric) []stats.MetricGate {
	for _, g := range c.gates {
		if g.metric == string(m) {
			return g.gates
		}
	}
	return nil
}

// evaluate computes metric m on one segment.
func (c *Check) evaluate(m stats.Metric, r ranked) cell {
	s := r.seg
	cl := cell{tested: -1}
	if s.used < int64(c.cfg.MinRows) {
		cl.skip = fmt.Sprintf("%s labelled rows with both scores, below min_rows %s", checks.Thousands(s.used), checks.Thousands(int64(c.cfg.MinRows)))
		return cl
	}
	if (m == stats.MetricAUC || m == stats.MetricPRAUC) && (s.pos == 0 || s.pos == s.used) {
		cl.skip = fmt.Sprintf("%s needs both classes: %s positives among %s labelled rows", m, checks.Thousands(s.pos), checks.Thousands(s.used))
		return cl
	}
	res, err := s.pb.Resamples(m)
	if err != nil {
		cl.err = err
		return cl
	}
	cl.res = res
	if c.exact.on {
		cand, base, y := c.exact.gather(r.rows, c.regression)
		v, err1 := exactMetric(m, cand, y, c.threshold)
		b, err2 := exactMetric(m, base, y, c.threshold)
		if err := errors.Join(err1, err2); err != nil {
			if errors.Is(err, stats.ErrMetricUndefined) {
				cl.skip = err.Error()
			} else {
				cl.err = err
			}
			return cl
		}
		cl.value, cl.baseline = v, b
		return cl
	}
	if res.PointErr != nil {
		cl.skip = res.PointErr.Error()
		return cl
	}
	cl.value, cl.baseline = res.Point.Candidate, res.Point.Baseline
	return cl
}

// outcome turns one evaluated cell into an Outcome.
func (c *Check) outcome(m stats.Metric, gates []stats.MetricGate, r ranked, cl cell, tests []stats.SegmentTest, mTested int) checks.Outcome {
	s := r.seg
	o := checks.Outcome{
		Check: Name,
		Name:  fmt.Sprintf("%s[%s]", m, r.name),
		Limit: limitString(gates),
		Rows:  s.used,
	}
	msg := []string{coverage(s)}
	if s.unscored > 0 {
		msg = append(msg, fmt.Sprintf("%s labelled rows without both scores left out", checks.Thousands(s.unscored)))
	}
	switch {
	case cl.skip != "":
		o.Status = checks.Skip
		o.Message = strings.Join(append(msg, cl.skip), "; ")
		return o
	case cl.err != nil:
		o.Status = checks.Error
		o.Message = strings.Join(append(msg, cl.err.Error()), "; ")
		return o
	}
	o.Value, o.Baseline, o.Delta = checks.F(cl.value), checks.F(cl.baseline), checks.F(cl.value-cl.baseline)
	var ci *stats.CI
	if cl.tested >= 0 && tests[cl.tested].Err == nil {
		t := tests[cl.tested]
		ci = &t.CI
		o.CI = []float64{t.CI.Lo, t.CI.Hi}
		msg = append(msg, fmt.Sprintf("delta %+.4g, %s%% CI [%.4g, %.4g] (Bonferroni over %d segments, %d replicates)",
			cl.value-cl.baseline, percent(t.Confidence), t.CI.Lo, t.CI.Hi, mTested, c.cfg.Replicates))
	} else {
		why := fmt.Sprintf("only %d defined replicates", len(cl.res.Delta))
		if cl.tested >= 0 {
			why = tests[cl.tested].Err.Error()
		}
		o.Warnings = append(o.Warnings, "no confidence interval: "+why)
		msg = append(msg, fmt.Sprintf("delta %+.4g, no confidence interval", cl.value-cl.baseline))
	}
	if cl.res.Undefined > 0 {
		o.Warnings = append(o.Warnings, fmt.Sprintf("%d of %d replicates left out: %s undefined on them", cl.res.Undefined, c.cfg.Replicates, m))
	}
	if len(gates) == 0 {
		o.Status = checks.Pass
		msg = append(msg, "no gate")
		o.Message = strings.Join(msg, "; ")
		return o
	}
	o.Status = checks.Pass
	var reasons []string
	for _, g := range gates {
		d := g.Evaluate(cl.value, cl.baseline, ci)
		st := checks.Status(d.Status)
		if checks.StatusOrder(st) < checks.StatusOrder(o.Status) {
			o.Status = st
		}
		reasons = append(reasons, d.Reason)
	}
	o.Message = strings.Join(append(msg, reasons...), "; ")
	return o
}

// globalWarnings are the check-wide facts reported once per metric, on the
// overall outcome.
func (c *Check) globalWarnings() []string {
	var w []string
	if c.badLabel > 0 {
		if c.regression {
			w = append(w, fmt.Sprintf("%s rows have a target that is not a finite number (e.g. %v) and were left out", checks.Thousands(c.badLabel), c.badLabelExample))
		} else {
			w = append(w, fmt.Sprintf("%s rows have a label other than 0 or 1 (e.g. %v) and were left out", checks.Thousands(c.badLabel), c.badLabelExample))
		}
	}
	if c.nullIDs > 0 {
		w = append(w, fmt.Sprintf("%s rows have a null %s and share one bootstrap weight draw", checks.Thousands(c.nullIDs), c.cfg.IDColumn))
	}
	for _, d := range c.dims[1:] {
		if d.overflow > 0 {
			w = append(w, fmt.Sprintf("%s has more than %d distinct values: %s rows of later values are in the %s segment",
				strings.Join(d.cols, ","), c.cfg.MaxValues, checks.Thousands(d.overflow), OtherValue))
		}
	}
	if c.exact.dropped && !c.regression {
		w = append(w, fmt.Sprintf("more than %s labelled rows: auc and pr_auc point estimates are on binned scores (about 1e-4)", checks.Thousands(int64(c.cfg.ExactRows))))
	}
	return w
}

// gather returns the kept rows' scores and labels (regression: targets).
func (e *exactStore) gather(rows []int, regression bool) (cand, base, y []float64) {
	if regression {
		if rows == nil {
			return e.cand, e.base, e.target
		}
		cand = make([]float64, len(rows))
		base = make([]float64, len(rows))
		y = make([]float64, len(rows))
		for i, r := range rows {
			cand[i], base[i], y[i] = e.cand[r], e.base[r], e.target[r]
		}
		return cand, base, y
	}
	if rows == nil {
		y = make([]float64, len(e.label))
		for i, l := range e.label {
			y[i] = float64(l)
		}
		return e.cand, e.base, y
	}
	cand = make([]float64, len(rows))
	base = make([]float64, len(rows))
	y = make([]float64, len(rows))
	for i, r := range rows {
		cand[i], base[i], y[i] = e.cand[r], e.base[r], float64(e.label[r])
	}
	return cand, base, y
}

// exactMetric computes m on the rows as they are.
func exactMetric(m stats.Metric, scores, labels []float64, threshold float64) (float64, error) {
	switch m {
	case stats.MetricAUC:
		return stats.AUC(scores, labels, nil)
	case stats.MetricPRAUC:
		return stats.AveragePrecision(scores, labels, nil)
	case stats.MetricLogLoss:
		return stats.LogLoss(scores, labels, nil)
	case stats.MetricBrier:
		return stats.Brier(scores, labels, nil)
	case stats.MetricECE:
		return stats.ECE(scores, labels, nil)
	case stats.MetricPositiveRate:
		return stats.PositiveRate(scores, nil, threshold)
	case stats.MetricRMSE:
		return stats.RMSE(scores, labels, nil)
	case stats.MetricMAE:
		return stats.MAE(scores, labels, nil)
	case stats.MetricR2:
		return stats.R2(scores, labels, nil)
	}
	conf, err := stats.ConfusionAt(scores, labels, nil, threshold)
	if err != nil {
		return 0, err
	}
	switch m {
	case stats.MetricAccuracy:
		return conf.Accuracy()
	case stats.MetricPrecision:
		return conf.Precision(), nil
	case stats.MetricRecall:
		return conf.Recall(), nil
	case stats.MetricF1:
		return conf.F1(), nil
	}
	return 0, fmt.Errorf("%s: not a binary-classification metric", m)
}

func limitString(gates []stats.MetricGate) string {
	parts := make([]string, len(gates))
	for i, g := range gates {
		parts[i] = g.String()
	}
	return strings.Join(parts, ", ")
}

func metricList(ms []stats.Metric) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = string(m)
	}
	return strings.Join(parts, ", ")
}

// coverage says how many of the segment's rows carry a label.
func coverage(s *segment) string {
	if s.rows == 0 {
		return "no rows"
	}
	return fmt.Sprintf("%s labelled of %s rows (%.1f%%)", checks.Thousands(s.labelled), checks.Thousands(s.rows), 100*float64(s.labelled)/float64(s.rows))
}

// percent formats a confidence level as a percentage, e.g. 99.62.
func percent(level float64) string { return fmt.Sprintf("%.4g", 100*level) }
