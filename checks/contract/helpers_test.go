package contract

import (
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/checks"
)

var mem = memory.DefaultAllocator

// column is a named Arrow array for building test batches.
type column struct {
	name string
	arr  arrow.Array
}

func col(name string, arr arrow.Array) column { return column{name, arr} }

// batch builds a record batch from columns of equal length.
func batch(cols ...column) arrow.RecordBatch {
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	n := int64(-1)
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.arr.DataType(), Nullable: true}
		arrs[i] = c.arr
		n = int64(c.arr.Len())
	}
	if n < 0 {
		n = 0
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, n)
}

// Builders: a nil argument is a null.

func i64(vals ...any) arrow.Array {
	b := array.NewInt64Builder(mem)
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(int64(v.(int)))
		}
	}
	return b.NewArray()
}

func i8(vals ...any) arrow.Array {
	b := array.NewInt8Builder(mem)
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(int8(v.(int)))
		}
	}
	return b.NewArray()
}

func u64(vals ...any) arrow.Array {
	b := array.NewUint64Builder(mem)
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(v.(uint64))
		}
	}
	return b.NewArray()
}

func f64(vals ...any) arrow.Array {
	b := array.NewFloat64Builder(mem)
	for _, v := range vals {
		switch v := v.(type) {
		case nil:
			b.AppendNull()
		case int:
			b.Append(float64(v))
		default:
			b.Append(v.(float64))
		}
	}
	return b.NewArray()
}

func f32(vals ...any) arrow.Array {
	b := array.NewFloat32Builder(mem)
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(float32(v.(float64)))
		}
	}
	return b.NewArray()
}

func f16(vals ...any) arrow.Array {
	b := array.NewFloat16Builder(mem)
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(float16.New(float32(v.(float64))))
		}
	}
	return b.NewArray()
}

func str(vals ...any) arrow.Array {
	b := array.NewStringBuilder(mem)
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(v.(string))
		}
	}
	return b.NewArray()
}

func largeStr(vals ...any) arrow.Array {
	b := array.NewLargeStringBuilder(mem)
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(v.(string))
		}
	}
	return b.NewArray()
}

func dict(vals ...any) arrow.Array {
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}
	b := array.NewDictionaryBuilder(mem, dt).(*array.BinaryDictionaryBuilder)
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else if err := b.AppendString(v.(string)); err != nil {
			panic(err)
		}
	}
	return b.NewArray()
}

func bools(vals ...any) arrow.Array {
	b := array.NewBooleanBuilder(mem)
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(v.(bool))
		}
	}
	return b.NewArray()
}

func nulls(n int) arrow.Array { return array.NewNull(n) }

// stamps builds a timestamp column of the given unit from times.
func stamps(unit arrow.TimeUnit, tz string, vals ...any) arrow.Array {
	b := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: unit, TimeZone: tz})
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
			continue
		}
		t := v.(time.Time)
		var x int64
		switch unit {
		case arrow.Second:
			x = t.Unix()
		case arrow.Millisecond:
			x = t.UnixMilli()
		case arrow.Microsecond:
			x = t.UnixMicro()
		default:
			x = t.UnixNano()
		}
		b.Append(arrow.Timestamp(x))
	}
	return b.NewArray()
}

func dates32(vals ...any) arrow.Array {
	b := array.NewDate32Builder(mem)
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(arrow.Date32FromTime(v.(time.Time)))
		}
	}
	return b.NewArray()
}

func dates64(vals ...any) arrow.Array {
	b := array.NewDate64Builder(mem)
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(arrow.Date64FromTime(v.(time.Time)))
		}
	}
	return b.NewArray()
}

func fp(v float64) *float64 { return &v }

// run builds a check, observes the batches and returns its outcomes,
// asserting the invariants every outcome must hold.
func run(t *testing.T, c *Check, batches ...arrow.RecordBatch) []checks.Outcome {
	t.Helper()
	for _, b := range batches {
		if err := c.Observe(b); err != nil {
			t.Fatalf("Observe: %v", err)
		}
	}
	out := c.Result()
	for _, o := range out {
		if o.Check != "contract" {
			t.Errorf("%s: check %q", o.Name, o.Check)
		}
		if o.Value != nil && (math.IsNaN(*o.Value) || math.IsInf(*o.Value, 0)) {
			t.Errorf("%s: non-finite value %v", o.Name, *o.Value)
		}
		if len(o.Examples) > maxExamples {
			t.Errorf("%s: %d examples", o.Name, len(o.Examples))
		}
		if o.Status == checks.Skip && o.Value != nil {
			t.Errorf("%s: skip with a value", o.Name)
		}
		if o.Status == checks.Pass && len(o.Examples) > 0 {
			t.Errorf("%s: pass with examples %v", o.Name, o.Examples)
		}
	}
	return out
}

// want is the expected part of an outcome; a nil Value means no value.
type want struct {
	Name     string
	Status   checks.Status
	Value    *float64
	Limit    string
	Rows     int64
	Message  string
	Examples []string
	Warnings []string
}

func asWant(o checks.Outcome) want {
	return want{o.Name, o.Status, o.Value, o.Limit, o.Rows, o.Message, o.Examples, o.Warnings}
}

func compare(t *testing.T, got []checks.Outcome, exp []want) {
	t.Helper()
	if len(got) != len(exp) {
		for _, o := range got {
			t.Logf("got %s", fmtWant(asWant(o)))
		}
		t.Fatalf("%d outcomes, want %d", len(got), len(exp))
	}
	for i := range exp {
		g := asWant(got[i])
		if fmtWant(g) != fmtWant(exp[i]) {
			t.Errorf("outcome %d:\n got %s\nwant %s", i, fmtWant(g), fmtWant(exp[i]))
		}
	}
}

func fmtWant(w want) string {
	v := "<nil>"
	if w.Value != nil {
		v = num(*w.Value)
	}
	return "{" + w.Name + " " + string(w.Status) + " value=" + v + " limit=" + q(w.Limit) +
		" rows=" + num(float64(w.Rows)) + " msg=" + q(w.Message) + " ex=" + qs(w.Examples) + " warn=" + qs(w.Warnings) + "}"
}

func q(s string) string { return "\"" + s + "\"" }

func qs(ss []string) string {
	out := "["
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += q(s)
	}
	return out + "]"
}
