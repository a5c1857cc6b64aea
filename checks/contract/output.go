package contract

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/models"
	"github.com/replaygate/replaygate/spec"
)

// output is the configuration and state of the candidate-output rules.
type output struct {
	sev            checks.Status
	hasMin, hasMax bool
	min, max       float64
	scoreCol       string
	errCol         string

	rows      int64 // every row observed
	noScore   int64 // rows of batches without a usable score column
	scoreType string
	wrongType bool // the score column had a non-numeric type

	errored int64 // rows with a candidate error
	scored  int64 // rows without one, with a score column
	nulls   int64
	nans    int64
	posInf  int64
	negInf  int64
	badEx   exampleList // non-finite or null scores

	lo, hi  float64 // extremes of the finite scores
	outside int64
	outEx   exampleList
}

func newOutput(r *spec.OutputRule, opts Options) (*output, error) {
	const where = "checks.contract.output"
	o := &output{scoreCol: opts.ScoreColumn, errCol: opts.ErrorColumn,
		lo: math.Inf(1), hi: math.Inf(-1)}
	var err error
	if o.sev, err = severity(r.Severity, where); err != nil {
		return nil, err
	}
	if r.Min != nil {
		if o.min, err = finite(*r.Min, where+".min"); err != nil {
			return nil, err
		}
		o.hasMin = true
	}
	if r.Max != nil {
		if o.max, err = finite(*r.Max, where+".max"); err != nil {
			return nil, err
		}
		o.hasMax = true
	}
	if o.hasMin && o.hasMax && o.min > o.max {
		return nil, inputErr("swap min and max", "%s: min %s is above max %s", where, num(o.min), num(o.max))
	}
	return o, nil
}

func (o *output) observe(b arrow.RecordBatch, ids *rowIDs) {
	n := int(b.NumRows())
	o.rows += int64(n)
	var failed func(i int) bool // nil: no error column, every row was scored
	if idx := b.Schema().FieldIndices(o.errCol); len(idx) > 0 {
		switch a := b.Column(idx[0]).(type) {
		case *array.String:
			failed = func(i int) bool { return a.IsValid(i) && a.ValueLen(i) > 0 }
		case *array.LargeString:
			failed = func(i int) bool { return a.IsValid(i) && a.ValueLen(i) > 0 }
		case *array.StringView:
			failed = func(i int) bool { return a.IsValid(i) && a.ValueLen(i) > 0 }
		case *array.Null:
		default:
			// Any other type: a non-null value is an error.
			failed = a.IsValid
		}
	}
	idx := b.Schema().FieldIndices(o.scoreCol)
	if len(idx) == 0 {
		o.noScore += int64(n)
		return
	}
	col := b.Column(idx[0])
	if o.scoreType == "" {
		o.scoreType = typeName(col.DataType())
	}
	var vals []float64
	switch a := col.(type) {
	case *array.Float64:
		vals = a.Values()
	default:
		k := kindOf(col.DataType())
		if k != KindFloat && k != KindInt {
			o.noScore += int64(n)
			o.wrongType = true
			return
		}
		vals = make([]float64, n)
		for i := range vals {
			vals[i] = models.FeatureValue(col, i)
		}
	}
	m := maskOf(col)
	hasMask := m.bm != nil
	lo, hi := o.lo, o.hi
	for i, x := range vals {
		if failed != nil && failed(i) {
			o.errored++
			continue
		}
		o.scored++
		switch {
		case hasMask && m.null(i):
			o.nulls++
		case x != x:
			o.nans++
		case math.IsInf(x, 1):
			o.posInf++
		case math.IsInf(x, -1):
			o.negInf++
		default:
			if x < lo {
				lo = x
			}
			if x > hi {
				hi = x
			}
			if (o.hasMin && x < o.min) || (o.hasMax && x > o.max) {
				o.outside++
				if !o.outEx.full() {
					o.outEx.add(ids.at(i))
				}
			}
			continue
		}
		if !o.badEx.full() {
			o.badEx.add(ids.at(i))
		}
	}
	o.lo, o.hi = lo, hi
}

func (o *output) merge(p *output, offset int64) {
	o.rows += p.rows
	o.noScore += p.noScore
	if o.scoreType == "" {
		o.scoreType = p.scoreType
	}
	o.wrongType = o.wrongType || p.wrongType
	o.errored += p.errored
	o.scored += p.scored
	o.nulls += p.nulls
	o.nans += p.nans
	o.posInf += p.posInf
	o.negInf += p.negInf
	o.badEx.merge(p.badEx, offset)
	o.lo = math.Min(o.lo, p.lo)
	o.hi = math.Max(o.hi, p.hi)
	o.outside += p.outside
	o.outEx.merge(p.outEx, offset)
}
