package contract

import (
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/spec"
)

// freshness is the configuration and state of the freshness rules.
type freshness struct {
	sev     checks.Status
	col     string
	now     time.Time
	maxAge  time.Duration
	maxSpan time.Duration

	rows      int64 // rows of batches with a usable column
	missing   int64
	wrong     int64
	wrongType string
	nulls     int64
	valid     int64 // non-null rows with a timestamp
	unparsed  int64 // non-null strings that are not RFC 3339
	badFirst  string

	seen           bool
	newest, oldest time.Time
	newestEx       example
	oldestEx       example
}

func newFreshness(r *spec.Freshness, opts Options) (*freshness, error) {
	const where = "checks.contract.freshness"
	f := &freshness{col: r.Column, maxAge: r.MaxAge.Duration, maxSpan: r.MaxSpan.Duration}
	var err error
	if f.sev, err = severity(r.Severity, where); err != nil {
		return nil, err
	}
	if f.col == "" {
		return nil, inputErr("set checks.contract.freshness.column or traffic.timestamp",
			"%s: no timestamp column", where)
	}
	if f.maxAge < 0 || f.maxSpan < 0 {
		return nil, inputErr("use a positive duration such as 24h", "%s: negative duration", where)
	}
	if f.maxAge == 0 && f.maxSpan == 0 {
		return nil, inputErr("set max_age (e.g. 24h) or max_span", "%s: nothing to check", where)
	}
	switch {
	case r.Now != "":
		t, err := time.Parse(time.RFC3339Nano, r.Now)
		if err != nil {
			return nil, inputErr("write it as RFC 3339, e.g. 2024-05-01T00:00:00Z",
				"%s.now: %q is not an RFC 3339 time", where, r.Now)
		}
		f.now = t
	case !opts.Now.IsZero():
		f.now = opts.Now
	default:
		f.now = time.Now()
	}
	return f, nil
}

func (f *freshness) observe(b arrow.RecordBatch, ids *rowIDs) {
	n := b.NumRows()
	idx := b.Schema().FieldIndices(f.col)
	if len(idx) == 0 {
		f.missing += n
		return
	}
	col := b.Column(idx[0])
	m := maskOf(col)
	switch a := col.(type) {
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		f.ticks(a.Values(), m, unit, ids)
	case *array.Date32:
		v := a.Values()
		f.scanTicks(len(v), func(i int) int64 { return int64(v[i]) * 86400 }, m, arrow.Second, ids)
	case *array.Date64:
		v := a.Values()
		f.scanTicks(len(v), func(i int) int64 { return int64(v[i]) }, m, arrow.Millisecond, ids)
	case *array.String:
		f.strings(a.Len(), a.Value, m, ids)
	case *array.LargeString:
		f.strings(a.Len(), a.Value, m, ids)
	case *array.StringView:
		f.strings(a.Len(), a.Value, m, ids)
	case *array.Dictionary:
		if !isStringType(a.Dictionary().DataType()) {
			f.wrongCol(col, n)
			return
		}
		d := a.Dictionary()
		val := d.ValueStr
		switch dv := d.(type) {
		case *array.String:
			val = dv.Value
		case *array.LargeString:
			val = dv.Value
		}
		f.strings(a.Len(), func(i int) string { return val(a.GetValueIndex(i)) }, m, ids)
	case *array.Null:
		f.rows += n
		f.nulls += n
	default:
		f.wrongCol(col, n)
	}
}

func (f *freshness) wrongCol(col arrow.Array, n int64) {
	f.wrong += n
	if f.wrongType == "" {
		f.wrongType = typeName(col.DataType())
	}
}

// ticks finds the batch's extremes in raw units, then converts only those.
func (f *freshness) ticks(v []arrow.Timestamp, m nullMask, unit arrow.TimeUnit, ids *rowIDs) {
	f.scanTicks(len(v), func(i int) int64 { return int64(v[i]) }, m, unit, ids)
}

func (f *freshness) scanTicks(n int, at func(int) int64, m nullMask, unit arrow.TimeUnit, ids *rowIDs) {
	f.rows += int64(n)
	hasMask := m.bm != nil
	lo, hi := -1, -1
	var loV, hiV int64
	for i := 0; i < n; i++ {
		if hasMask && m.null(i) {
			f.nulls++
			continue
		}
		f.valid++
		x := at(i)
		if lo < 0 || x < loV {
			lo, loV = i, x
		}
		if hi < 0 || x > hiV {
			hi, hiV = i, x
		}
	}
	if lo >= 0 {
		f.note(tickTime(loV, unit), lo, ids)
		f.note(tickTime(hiV, unit), hi, ids)
	}
}

func (f *freshness) strings(n int, val func(int) string, m nullMask, ids *rowIDs) {
	f.rows += int64(n)
	hasMask := m.bm != nil
	lo, hi := -1, -1
	var loT, hiT time.Time
	for i := 0; i < n; i++ {
		if hasMask && m.null(i) {
			f.nulls++
			continue
		}
		s := val(i)
		t, ok := parseTime(s)
		if !ok {
			if f.unparsed == 0 {
				f.badFirst = strings.Clone(s)
			}
			f.unparsed++
			continue
		}
		f.valid++
		if lo < 0 || t.Before(loT) {
			lo, loT = i, t
		}
		if hi < 0 || t.After(hiT) {
			hi, hiT = i, t
		}
	}
	if lo >= 0 {
		f.note(loT, lo, ids)
		f.note(hiT, hi, ids)
	}
}

// note folds one timestamp into the extremes; ties keep the earlier row.
func (f *freshness) note(t time.Time, i int, ids *rowIDs) {
	if !f.seen {
		f.seen = true
		f.newest, f.oldest = t, t
		f.newestEx, f.oldestEx = ids.at(i), ids.at(i)
		return
	}
	if t.After(f.newest) {
		f.newest, f.newestEx = t, ids.at(i)
	}
	if t.Before(f.oldest) {
		f.oldest, f.oldestEx = t, ids.at(i)
	}
}

func (f *freshness) merge(o *freshness, offset int64) {
	f.rows += o.rows
	f.missing += o.missing
	f.wrong += o.wrong
	if f.wrongType == "" {
		f.wrongType = o.wrongType
	}
	f.nulls += o.nulls
	f.valid += o.valid
	if f.unparsed == 0 {
		f.badFirst = o.badFirst
	}
	f.unparsed += o.unparsed
	if !o.seen {
		return
	}
	if !f.seen {
		f.seen = true
		f.newest, f.oldest = o.newest, o.oldest
		f.newestEx, f.oldestEx = o.newestEx.shift(offset), o.oldestEx.shift(offset)
		return
	}
	if o.newest.After(f.newest) {
		f.newest, f.newestEx = o.newest, o.newestEx.shift(offset)
	}
	if o.oldest.Before(f.oldest) {
		f.oldest, f.oldestEx = o.oldest, o.oldestEx.shift(offset)
	}
}
