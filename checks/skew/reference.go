package skew

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/stats"
)

// Source is a stream of record batches ending with io.EOF, such as a
// traffic.Reader. The caller of Next releases each batch.
type Source interface {
	Next() (arrow.RecordBatch, error)
}

// refFeature is one feature's reference state: immutable once built and
// shared by every Check forked from the same reference.
type refFeature struct {
	name     string
	kind     kind
	typ      string
	method   Method
	skip     string // why the feature is not compared; "" = compared
	explicit bool

	rows  int64 // reference rows
	nulls int64

	// numeric
	fine, coarse *stats.Edges
	hist         *stats.Histogram
	seen         int64     // finite values
	sampled      int       // values in the reservoir (== seen when exact)
	min, max     float64   // exact range of the finite values
	values       []float64 // every finite value when there are at most ExactValues; else nil

	// categorical
	vocab    *stats.Vocabulary
	counts   *stats.CategoryCounts
	known    map[string]struct{} // every reference value; nil when too many to keep
	distinct int
}

type reference struct {
	rows     int64
	features []*refFeature
}

// refBuilder accumulates one feature while the reference is read.
type refBuilder struct {
	f                   *refFeature
	res                 *stats.Reservoir
	nan, posInf, negInf int64
	sketch              *stats.ValueSketch
	col                 int
}

// readReference reads src to its end once and builds every feature's
// reference state.
func readReference(src Source, cfg Config) (*reference, error) {
	first, err := src.Next()
	if errors.Is(err, io.EOF) {
		return nil, errs.Input("point reference.path at the training data", "%s: the reference has no rows", where)
	}
	if err != nil {
		return nil, err
	}
	builders, err := chooseFeatures(first.Schema(), cfg)
	if err != nil {
		first.Release()
		return nil, err
	}
	ref := &reference{}
	for b := first; ; {
		if err := observeReference(b, builders); err != nil {
			b.Release()
			return nil, err
		}
		ref.rows += b.NumRows()
		b.Release()
		b, err = src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	top := cfg.TopValues
	if top == 0 {
		top = stats.DefaultTopValues
	}
	for _, rb := range builders {
		rb.f.rows = ref.rows
		if rb.f.skip == "" {
			if err := rb.finish(top); err != nil {
				return nil, err
			}
		}
		ref.features = append(ref.features, rb.f)
	}
	return ref, nil
}

func chooseFeatures(sc *arrow.Schema, cfg Config) ([]*refBuilder, error) {
	var names []string
	explicit := cfg.Features != nil
	if explicit {
		names = cfg.Features
	} else {
		for _, f := range sc.Fields() {
			if kindOf(f.Type) != kindOther {
				names = append(names, f.Name)
			}
		}
	}
	var out []*refBuilder
	seen := map[string]bool{}
	for _, name := range names {
		if slices.Contains(cfg.Exclude, name) || seen[name] {
			continue
		}
		seen[name] = true
		idx := sc.FieldIndices(name)
		if len(idx) == 0 {
			return nil, errs.Input("list columns of the reference in checks.skew.features", "%s: feature %q is not a column of the reference", where, name)
		}
		t := sc.Field(idx[0]).Type
		k := kindOf(t)
		if k == kindOther {
			return nil, errs.Input("compare numeric or string columns only", "%s: feature %q is %s in the reference, neither numeric nor string", where, name, t)
		}
		m := cfg.Numeric
		if k == kindString {
			m = cfg.Categorical
		}
		if pm, ok := cfg.PerFeature[name]; ok {
			m = pm
		}
		allowed := numericMethods
		if k == kindString {
			allowed = categoricalMethods
		}
		if !slices.Contains(allowed, m.Name) {
			return nil, errs.Input(fmt.Sprintf("use one of %v for a %s feature", allowed, kindName(k)),
				"%s: method %q does not apply to %s feature %q", where, m.Name, kindName(k), name)
		}
		rb := &refBuilder{f: &refFeature{name: name, kind: k, typ: t.String(), method: m, explicit: explicit}, col: idx[0]}
		seed := cfg.Seed + uint64(len(out))
		if k == kindNumeric {
			rb.res = stats.NewReservoir(cfg.ReservoirSize, seed)
			rb.f.min, rb.f.max = math.Inf(1), math.Inf(-1)
		} else {
			rb.sketch = stats.NewValueSketch(0)
		}
		out = append(out, rb)
	}
	return out, nil
}

func observeReference(b arrow.RecordBatch, builders []*refBuilder) error {
	for _, rb := range builders {
		a := column(b, rb.f.name)
		if a == nil {
			return errs.Input("", "%s: reference batch lacks column %q", where, rb.f.name)
		}
		if kindOf(a.DataType()) != rb.f.kind {
			return errs.Input("", "%s: reference column %q changes type from %s to %s", where, rb.f.name, rb.f.typ, a.DataType())
		}
		switch rb.f.kind {
		case kindNumeric:
			floats(a, func(_ int, v float64, null bool) {
				switch {
				case null:
					rb.f.nulls++
				case v != v:
					rb.nan++
				case v-v != 0 && v > 0:
					rb.posInf++
				case v-v != 0:
					rb.negInf++
				default:
					rb.res.Add(v)
					rb.f.min, rb.f.max = min(rb.f.min, v), max(rb.f.max, v)
				}
			})
		case kindString:
			strs(a, func(_ int, v string, null bool) {
				if null {
					rb.f.nulls++
					return
				}
				rb.sketch.Add(v)
			})
		}
	}
	return nil
}

// finish turns the reservoir or sketch into the reference histogram or
// category counts.
func (rb *refBuilder) finish(top int) error {
	f := rb.f
	switch f.kind {
	case kindNumeric:
		vals := rb.res.Values()
		f.seen, f.sampled = rb.res.Seen(), len(vals)
		if len(vals) == 0 {
			f.skip = fmt.Sprintf("no finite value in the reference (%d rows: %d null, %d NaN, %d ±Inf)", f.rows, f.nulls, rb.nan, rb.posInf+rb.negInf)
			return nil
		}
		edges, err := stats.QuantileEdgesOf(vals, stats.FineBins, stats.PSIBins)
		if err != nil {
			return err
		}
		f.fine, f.coarse = edges[0], edges[1]
		if int64(len(vals)) == f.seen && len(vals) <= ExactValues {
			f.values = slices.Clone(vals)
		}
		f.hist = stats.NewHistogram(f.fine)
		f.hist.AddSlice(vals)
		f.hist.AddNull(f.nulls)
		addN(f.hist, nanValue, rb.nan)
		addN(f.hist, posInf, rb.posInf)
		addN(f.hist, negInf, rb.negInf)
	case kindString:
		s := rb.sketch
		nonNull := s.Total()
		if nonNull == 0 {
			f.skip = fmt.Sprintf("no value in the reference (%d rows, all null)", f.rows)
			return nil
		}
		counts := s.Counts()
		f.distinct = len(counts)
		if !f.explicit && (!s.Exact() || (f.distinct > top && 2*int64(f.distinct) > nonNull)) {
			f.skip = fmt.Sprintf("looks like an identifier: %d or more distinct values in %d rows (name it in checks.skew.features to compare it anyway)", f.distinct, nonNull)
			return nil
		}
		if s.Exact() {
			f.known = make(map[string]struct{}, len(counts))
			for v := range counts {
				f.known[v] = struct{}{}
			}
		}
		var err error
		if f.vocab, err = stats.NewVocabulary(s.Top(top)); err != nil {
			return err
		}
		f.counts = s.CategoryCounts(f.vocab)
		f.counts.AddNull(f.nulls)
	}
	return nil
}
