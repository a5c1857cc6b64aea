package latency

import (
	"math"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/checks"
)

var mem = memory.DefaultAllocator

type tcol struct {
	name string
	arr  arrow.Array
}

func col(name string, arr arrow.Array) tcol { return tcol{name, arr} }

// batch builds a record batch from columns of equal length.
func batch(cols ...tcol) arrow.RecordBatch {
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	var n int64
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.arr.DataType(), Nullable: true}
		arrs[i] = c.arr
		n = int64(c.arr.Len())
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, n)
}

// f64 builds a float64 array; a nil is a null.
func f64(vals ...any) arrow.Array {
	b := array.NewFloat64Builder(mem)
	for _, v := range vals {
		switch v := v.(type) {
		case nil:
			b.AppendNull()
		case int:
			b.Append(float64(v))
		case float64:
			b.Append(v)
		}
	}
	return b.NewArray()
}

func floats(vals []float64) arrow.Array {
	b := array.NewFloat64Builder(mem)
	b.AppendValues(vals, nil)
	return b.NewArray()
}

// strs builds a utf8 array; "" is a null.
func strs(vals ...string) arrow.Array {
	b := array.NewStringBuilder(mem)
	for _, v := range vals {
		if v == "" {
			b.AppendNull()
		} else {
			b.Append(v)
		}
	}
	return b.NewArray()
}

func nullStrs(n int) arrow.Array {
	b := array.NewStringBuilder(mem)
	b.AppendNulls(n)
	return b.NewArray()
}

func fp(v float64) *float64 { return &v }

func mustNew(t testing.TB, cfg Config, opts Options) *Check {
	t.Helper()
	c, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func observe(t testing.TB, c *Check, bs ...arrow.RecordBatch) {
	t.Helper()
	for _, b := range bs {
		if err := c.Observe(b); err != nil {
			t.Fatal(err)
		}
	}
}

// byName indexes outcomes by name.
func byName(out []checks.Outcome) map[string]checks.Outcome {
	m := map[string]checks.Outcome{}
	for _, o := range out {
		m[o.Name] = o
	}
	return m
}

// exactPercentile is the nearest-rank percentile HdrHistogram documents,
// computed by sorting: rank r = floor(p/100·n + 0.5) in [1, n], the r-th
// smallest value.
func exactPercentile(vals []float64, p float64) float64 {
	s := append([]float64(nil), vals...)
	sort.Float64s(s)
	r := int(math.Floor(p/100*float64(len(s)) + 0.5))
	r = max(1, min(r, len(s)))
	return s[r-1]
}

// bucketWidthMS is the width of the histogram bucket holding ms, derived
// from the layout (2,048 sub-buckets for 3 significant digits, one per
// microsecond below 2,048 µs, doubling with each power of two above).
func bucketWidthMS(ms float64) float64 {
	us := math.Round(ms * 1000)
	if us < 2048 {
		return 0.001
	}
	return math.Exp2(math.Floor(math.Log2(us))-10) / 1000
}

func newStringBuilder() *array.StringBuilder { return array.NewStringBuilder(mem) }
