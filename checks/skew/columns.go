package skew

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Column kinds the check compares.
type kind uint8

const (
	kindOther kind = iota
	kindNumeric
	kindString
)

func kindOf(t arrow.DataType) kind {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		return kindNumeric
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return kindString
	}
	return kindOther
}

func kindName(k kind) string {
	switch k {
	case kindNumeric:
		return "numeric"
	case kindString:
		return "string"
	}
	return "other"
}

// column returns the batch's column named name, or nil.
func column(b arrow.RecordBatch, name string) arrow.Array {
	idx := b.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return nil
	}
	return b.Column(idx[0])
}

// floats calls fn for each row of a numeric column with its value, or
// null = true for a null.
func floats(a arrow.Array, fn func(i int, v float64, null bool)) {
	for i := 0; i < a.Len(); i++ {
		v, ok := numAt(a, i)
		fn(i, v, !ok)
	}
}

// floatAt returns row i of a numeric column and whether it is a finite
// value (false for a null, NaN, ±Inf or another type).
func floatAt(a arrow.Array, i int) (float64, bool) {
	if a == nil {
		return 0, false
	}
	v, ok := numAt(a, i)
	return v, ok && v-v == 0
}

// numAt reads row i of an integer or float column; false for a null or a
// column of another type.
func numAt(a arrow.Array, i int) (float64, bool) {
	if a.IsNull(i) {
		return 0, false
	}
	switch c := a.(type) {
	case *array.Float64:
		return c.Value(i), true
	case *array.Float32:
		return float64(c.Value(i)), true
	case *array.Float16:
		return float64(c.Value(i).Float32()), true
	case *array.Int64:
		return float64(c.Value(i)), true
	case *array.Int32:
		return float64(c.Value(i)), true
	case *array.Int16:
		return float64(c.Value(i)), true
	case *array.Int8:
		return float64(c.Value(i)), true
	case *array.Uint64:
		return float64(c.Value(i)), true
	case *array.Uint32:
		return float64(c.Value(i)), true
	case *array.Uint16:
		return float64(c.Value(i)), true
	case *array.Uint8:
		return float64(c.Value(i)), true
	}
	return 0, false
}

// strs calls fn for each row of a string column.
func strs(a arrow.Array, fn func(i int, v string, null bool)) {
	n := a.Len()
	for i := 0; i < n; i++ {
		if a.IsNull(i) {
			fn(i, "", true)
			continue
		}
		switch c := a.(type) {
		case *array.String:
			fn(i, c.Value(i), false)
		case *array.LargeString:
			fn(i, c.Value(i), false)
		case *array.StringView:
			fn(i, c.Value(i), false)
		default:
			fn(i, "", true)
		}
	}
}

// stringAt returns a function giving row i of a string column as a string
// ("" for nulls or another type).
func stringAt(a arrow.Array) func(i int) string {
	return func(i int) string {
		if a == nil || a.IsNull(i) {
			return ""
		}
		switch c := a.(type) {
		case *array.String:
			return c.Value(i)
		case *array.LargeString:
			return c.Value(i)
		case *array.StringView:
			return c.Value(i)
		}
		return a.ValueStr(i)
	}
}
