package skew

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/stats"
)

// maxExamples is the number of worst rows quoted by skew.consistency.
const maxExamples = 5

// predState compares the candidate's score distribution with the logged
// baseline's, and counts decision flips per threshold.
type predState struct {
	cand, base         *stats.Reservoir
	pairs              int64   // rows with both scores finite
	flips              []int64 // per threshold
	candSeen, baseSeen bool
	candType, baseType string
}

func newPredState(cfg Config) *predState {
	return &predState{
		cand:  stats.NewReservoir(cfg.ReservoirSize, cfg.Seed^0xca4d),
		base:  stats.NewReservoir(cfg.ReservoirSize, cfg.Seed^0xba5e),
		flips: make([]int64, len(cfg.Prediction.Thresholds)),
	}
}

// scorePairs calls fn for every row with both columns' values; ok* is false
// for a missing value (null, NaN, ±Inf). It returns the type of a column
// that is present but not numeric.
func scorePairs(b arrow.RecordBatch, a, bn string, fn func(i int, x float64, okx bool, y float64, oky bool)) (aSeen, bSeen bool, aType, bType string) {
	ca, cb := column(b, a), column(b, bn)
	aSeen, bSeen = ca != nil, cb != nil
	if ca != nil && kindOf(ca.DataType()) != kindNumeric {
		aType, ca = ca.DataType().String(), nil
	}
	if cb != nil && kindOf(cb.DataType()) != kindNumeric {
		bType, cb = cb.DataType().String(), nil
	}
	if ca == nil || cb == nil {
		return
	}
	xs := make([]float64, ca.Len())
	okx := make([]bool, ca.Len())
	floats(ca, func(i int, v float64, null bool) { xs[i], okx[i] = v, !null && finite(v) })
	floats(cb, func(i int, v float64, null bool) { fn(i, xs[i], okx[i], v, !null && finite(v)) })
	return
}

func (p *predState) observe(b arrow.RecordBatch, cfg Config) {
	ths := cfg.Prediction.Thresholds
	as, bs, at, bt := scorePairs(b, cfg.CandidateScore, cfg.BaselineScore, func(_ int, x float64, okx bool, y float64, oky bool) {
		if okx {
			p.cand.Add(x)
		}
		if oky {
			p.base.Add(y)
		}
		if okx && oky {
			p.pairs++
			for k, t := range ths {
				if (x >= t) != (y >= t) {
					p.flips[k]++
				}
			}
		}
	})
	p.candSeen, p.baseSeen = p.candSeen || as, p.baseSeen || bs
	if p.candType == "" {
		p.candType = at
	}
	if p.baseType == "" {
		p.baseType = bt
	}
}

func (p *predState) merge(o *predState) error {
	if len(p.flips) != len(o.flips) {
		return errs.Run("", "%s: cannot merge skew checks with different prediction thresholds", where)
	}
	p.cand.Merge(o.cand)
	p.base.Merge(o.base)
	p.pairs += o.pairs
	for k := range p.flips {
		p.flips[k] += o.flips[k]
	}
	p.candSeen, p.baseSeen = p.candSeen || o.candSeen, p.baseSeen || o.baseSeen
	if p.candType == "" {
		p.candType = o.candType
	}
	if p.baseType == "" {
		p.baseType = o.baseType
	}
	return nil
}

// columnsProblem explains why two score columns cannot be compared, or
// returns "".
func columnsProblem(a, b string, aSeen, bSeen bool, aType, bType string) (checks.Status, string) {
	switch {
	case !aSeen:
		return checks.Error, fmt.Sprintf("column %q is not in the scored rows", a)
	case !bSeen:
		return checks.Error, fmt.Sprintf("baseline score column %q is not in the traffic", b)
	case aType != "":
		return checks.Error, fmt.Sprintf("type mismatch: column %q is %s, not a score", a, aType)
	case bType != "":
		return checks.Error, fmt.Sprintf("type mismatch: column %q is %s, not a score", b, bType)
	}
	return "", ""
}

func (p *predState) outcomes(c *Check) []checks.Outcome {
	pc := c.cfg.Prediction
	o := c.outcome(Name + ".prediction")
	o.Limit = limitOf(pc.Method)
	flips := make([]checks.Outcome, len(pc.Thresholds))
	for k, t := range pc.Thresholds {
		flips[k] = c.outcome(fmt.Sprintf("%s.flip_rate@%s", Name, num(t)))
		if pc.MaxFlipRate != nil {
			flips[k].Limit = "<= " + num(*pc.MaxFlipRate)
		}
	}
	fail := func(st checks.Status, msg string) []checks.Outcome {
		for _, x := range append([]*checks.Outcome{&o}, ptrs(flips)...) {
			if st == checks.Skip {
				*x = skip(*x, msg)
			} else {
				x.Status, x.Message = st, msg
			}
		}
		return append([]checks.Outcome{o}, flips...)
	}
	if c.rows == 0 {
		return fail(checks.Skip, "no rows")
	}
	if st, msg := columnsProblem(c.cfg.CandidateScore, c.cfg.BaselineScore, p.candSeen, p.baseSeen, p.candType, p.baseType); st != "" {
		return fail(st, msg)
	}
	cv, bv := p.cand.Values(), p.base.Values()
	if len(cv) == 0 || len(bv) == 0 {
		return fail(checks.Skip, fmt.Sprintf("no rows with a finite score: %d candidate, %d baseline", len(cv), len(bv)))
	}
	cmpn, err := stats.CompareSamples(bv, cv)
	if err != nil {
		o.Status, o.Message = checks.Error, fmt.Sprintf("cannot compare the scores: %v", err)
	} else {
		var v, crit float64
		switch pc.Method.Name {
		case MethodPSI:
			v, crit = cmpn.PSI, cmpn.PSICritical
		case MethodJS:
			v, crit = cmpn.JS, cmpn.JSCritical
		case MethodKS:
			v, crit = cmpn.KS.D, cmpn.KS.Critical
		case MethodWasserstein:
			v, crit = cmpn.Wasserstein.Normalized, -1
		}
		o.Value, o.Rows, o.Status = checks.F(v), p.cand.Seen(), c.grade(v, pc.Method)
		var m strings.Builder
		fmt.Fprintf(&m, "%s %s of %q against the logged %q", pc.Method.Name, num(v), c.cfg.CandidateScore, c.cfg.BaselineScore)
		if crit >= 0 {
			fmt.Fprintf(&m, " (smallest detectable %s)", num(crit))
		}
		fmt.Fprintf(&m, "; PSI %s, JS %s, KS D %s (p %s), Wasserstein/std %s",
			num(cmpn.PSI), num(cmpn.JS), num(cmpn.KS.D), pval(cmpn.KS.PValue), num(cmpn.Wasserstein.Normalized))
		o.Message = m.String()
		if !p.cand.Exact() || !p.base.Exact() {
			o.Warnings = append(o.Warnings, fmt.Sprintf("computed on uniform samples of %d candidate and %d baseline scores", len(cv), len(bv)))
		}
	}
	for k, t := range pc.Thresholds {
		f := &flips[k]
		if p.pairs == 0 {
			*f = skip(*f, "no rows with both scores finite")
			continue
		}
		r := float64(p.flips[k]) / float64(p.pairs)
		f.Value, f.Rows, f.Status = checks.F(r), p.pairs, checks.Pass
		f.Message = fmt.Sprintf("%d of %d rows change decision at score >= %s", p.flips[k], p.pairs, num(t))
		if pc.MaxFlipRate != nil && r > *pc.MaxFlipRate {
			f.Status = c.sev
		}
	}
	return append(append([]checks.Outcome{o}, flips...), c.segmentFlips()...)
}

// segmentFlips returns skew.flip_rate@<t>[<column>=<value>] per threshold,
// segment column and value (in value order, "(null)" and "(other)" last):
// the flip rate over the segment's rows with both scores finite, under the
// same gate as the overall rate; skip under MinSegmentRows rows. A segment
// column absent from the traffic gives one skip skew.flip_rate@<t>[<column>].
func (c *Check) segmentFlips() []checks.Outcome {
	pc := c.cfg.Prediction
	var out []checks.Outcome
	for j, t := range pc.Thresholds {
		name := fmt.Sprintf("%s.flip_rate@%s", Name, num(t))
		for _, s := range c.segs {
			if s.present == 0 {
				o := c.outcome(fmt.Sprintf("%s[%s]", name, s.col))
				if pc.MaxFlipRate != nil {
					o.Limit = "<= " + num(*pc.MaxFlipRate)
				}
				out = append(out, skip(o, fmt.Sprintf("segment column %q is not in the traffic", s.col)))
				continue
			}
			for _, k := range s.order() {
				o := c.outcome(fmt.Sprintf("%s[%s=%s]", name, s.col, s.values[k]))
				if pc.MaxFlipRate != nil {
					o.Limit = "<= " + num(*pc.MaxFlipRate)
				}
				seg := fmt.Sprintf("segment %s=%s, %s", s.col, s.values[k], plural(s.rows[k], "row", "rows"))
				pairs, flips := s.pairs[k], s.flips[k][j]
				switch {
				case s.rows[k] < MinSegmentRows:
					out = append(out, skip(o, fmt.Sprintf("%s: fewer than the %d needed to compare", seg, MinSegmentRows)))
					continue
				case pairs == 0:
					out = append(out, skip(o, seg+": no rows with both scores finite"))
					continue
				}
				r := float64(flips) / float64(pairs)
				o.Value, o.Rows, o.Status = checks.F(r), pairs, checks.Pass
				o.Message = fmt.Sprintf("%s: %d of %d rows change decision at score >= %s", seg, flips, pairs, num(t))
				if pc.MaxFlipRate != nil && r > *pc.MaxFlipRate {
					o.Status = c.sev
				}
				out = append(out, o)
			}
		}
	}
	return out
}

func ptrs(xs []checks.Outcome) []*checks.Outcome {
	out := make([]*checks.Outcome, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	return out
}

// example is one mismatched row.
type example struct {
	id       string
	diff     float64 // |replayed − logged|; +Inf when one side is missing
	served   float64 // the logged score; NaN when missing
	replayed float64 // the replayed production score; NaN when missing
	// vals holds the row's value of every reference feature (NaN when
	// missing or not numeric), copied when the row enters the top.
	vals []float64
	row  int // the row in the batch being observed; -1 once vals is set
}

// consState compares the replayed production score with the logged one,
// row by row.
type consState struct {
	compared           int64 // rows where at least one of the two scores is present
	mismatches         int64
	finite             int64 // rows with both finite
	sumAbs             float64
	maxAbs             float64
	worst              []example // the maxExamples largest diffs, sorted
	prodSeen, baseSeen bool
	prodType, baseType string
}

func worse(a, b example) int {
	if c := cmp.Compare(b.diff, a.diff); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

func (s *consState) keep(e example) {
	if len(s.worst) == maxExamples && worse(e, s.worst[maxExamples-1]) >= 0 {
		return
	}
	i, _ := slices.BinarySearchFunc(s.worst, e, worse)
	s.worst = slices.Insert(s.worst, i, e)
	if len(s.worst) > maxExamples {
		s.worst = s.worst[:maxExamples]
	}
}

func (s *consState) observe(b arrow.RecordBatch, cfg Config, ref *reference) {
	tol := cfg.Consistency.Tolerance
	idCol := column(b, cfg.IDColumn)
	id := stringAt(idCol)
	ps, bs, pt, bt := scorePairs(b, cfg.ProductionScore, cfg.BaselineScore, func(i int, x float64, okx bool, y float64, oky bool) {
		if !okx && !oky {
			return
		}
		s.compared++
		d := math.Inf(1)
		if okx && oky {
			d = math.Abs(x - y)
			s.finite++
			s.sumAbs += d
			s.maxAbs = max(s.maxAbs, d)
		}
		if d > tol {
			s.mismatches++
			served, replayed := y, x
			if !oky {
				served = math.NaN()
			}
			if !okx {
				replayed = math.NaN()
			}
			s.keep(example{id: id(i), diff: d, served: served, replayed: replayed, row: i})
		}
	})
	s.copyValues(b, ref)
	s.prodSeen, s.baseSeen = s.prodSeen || ps, s.baseSeen || bs
	if s.prodType == "" {
		s.prodType = pt
	}
	if s.baseType == "" {
		s.baseType = bt
	}
}

// copyValues fills the feature values of the rows of b that entered the
// top during this batch.
func (s *consState) copyValues(b arrow.RecordBatch, ref *reference) {
	var cols []arrow.Array
	for k := range s.worst {
		e := &s.worst[k]
		if e.row < 0 {
			continue
		}
		if cols == nil {
			cols = make([]arrow.Array, len(ref.features))
			for fi, f := range ref.features {
				if a := column(b, f.name); f.skip == "" && f.kind == kindNumeric && a != nil && kindOf(a.DataType()) == kindNumeric {
					cols[fi] = a
				}
			}
		}
		e.vals = make([]float64, len(ref.features))
		for fi, a := range cols {
			v, ok := floatAt(a, e.row)
			if !ok {
				v = math.NaN()
			}
			e.vals[fi] = v
		}
		e.row = -1
	}
}

func (s *consState) merge(o *consState) {
	s.compared += o.compared
	s.mismatches += o.mismatches
	s.finite += o.finite
	s.sumAbs += o.sumAbs
	s.maxAbs = max(s.maxAbs, o.maxAbs)
	for _, e := range o.worst {
		s.keep(e)
	}
	s.prodSeen, s.baseSeen = s.prodSeen || o.prodSeen, s.baseSeen || o.baseSeen
	if s.prodType == "" {
		s.prodType = o.prodType
	}
	if s.baseType == "" {
		s.baseType = o.baseType
	}
}

func (s *consState) outcome(c *Check) checks.Outcome {
	cc := c.cfg.Consistency
	o := c.outcome(Name + ".consistency")
	o.Limit = fmt.Sprintf("mismatch rate <= %s at |diff| > %s", num(cc.MaxMismatchRate), num(cc.Tolerance))
	if c.rows == 0 {
		return skip(o, "no rows")
	}
	if st, msg := columnsProblem(c.cfg.ProductionScore, c.cfg.BaselineScore, s.prodSeen, s.baseSeen, s.prodType, s.baseType); st != "" {
		o.Status, o.Message = st, msg
		return o
	}
	if s.compared == 0 {
		return skip(o, "no rows with a score")
	}
	r := float64(s.mismatches) / float64(s.compared)
	o.Value, o.Rows, o.Status = checks.F(r), s.compared, checks.Pass
	if r > cc.MaxMismatchRate {
		o.Status = c.sev
	}
	var m strings.Builder
	fmt.Fprintf(&m, "%d of %d rows differ from the logged %q by more than %s", s.mismatches, s.compared, c.cfg.BaselineScore, num(cc.Tolerance))
	if s.finite > 0 {
		fmt.Fprintf(&m, "; |diff| mean %s, max %s", num(s.sumAbs/float64(s.finite)), num(s.maxAbs))
	}
	if miss := s.compared - s.finite; miss > 0 {
		fmt.Fprintf(&m, "; %d rows with only one of the two scores", miss)
	}
	for k, e := range s.worst {
		if e.id != "" {
			o.Examples = append(o.Examples, e.id)
		}
		if k == 0 {
			m.WriteString("; worst rows: ")
		} else {
			m.WriteString("; ")
		}
		m.WriteString(describeRow(e, c.ref))
	}
	o.Message = m.String()
	return o
}

// describeRow quotes one mismatched row: its id, both scores, |diff| and
// the numeric features whose value lies outside the reference's range.
func describeRow(e example, ref *reference) string {
	score := func(v float64) string {
		if math.IsNaN(v) {
			return "missing"
		}
		return num(v)
	}
	id := e.id
	if id == "" {
		id = "(no id)"
	}
	var out []string
	for fi, v := range e.vals {
		f := ref.features[fi]
		if math.IsNaN(v) || f.skip != "" || f.kind != kindNumeric {
			continue
		}
		switch {
		case v > f.max:
			out = append(out, fmt.Sprintf("%s=%s (training max %s)", f.name, num(v), num(f.max)))
		case v < f.min:
			out = append(out, fmt.Sprintf("%s=%s (training min %s)", f.name, num(v), num(f.min)))
		}
	}
	r := fmt.Sprintf("row %s: served %s, replayed %s (|diff| %s)", id, score(e.served), score(e.replayed), num(e.diff))
	if len(out) > 0 {
		r += ", outside the training range: " + strings.Join(out, ", ")
	}
	return r
}
