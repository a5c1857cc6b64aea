package traffic

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// conform turns a batch whose columns are already the stream's columns in
// the stream's order into a batch of exactly the stream's schema, decoding
// dictionaries and widening types where unification asked for it. It does
// not release b.
func conform(b arrow.RecordBatch, schema *arrow.Schema) (arrow.RecordBatch, error) {
	if int(b.NumCols()) != schema.NumFields() {
		return nil, fmt.Errorf("internal: batch has %d columns, schema %d", b.NumCols(), schema.NumFields())
	}
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, f := range schema.Fields() {
		c, err := convertArray(b.Column(i), f.Type)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", f.Name, err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(schema, cols, b.NumRows()), nil
}

// convertArray returns arr as type to (a new reference either way).
func convertArray(arr arrow.Array, to arrow.DataType) (arrow.Array, error) {
	from := arr.DataType()
	if arrow.TypeEqual(from, to) {
		arr.Retain()
		return arr, nil
	}
	mem := memory.DefaultAllocator
	switch from.ID() {
	case arrow.DICTIONARY:
		d := arr.(*array.Dictionary)
		dense, err := compute.TakeArray(context.Background(), d.Dictionary(), d.Indices())
		if err != nil {
			return nil, fmt.Errorf("decoding dictionary: %w", err)
		}
		defer dense.Release()
		return convertArray(dense, to)
	case arrow.NULL:
		return array.MakeArrayOfNull(mem, to, arr.Len()), nil
	}
	if to.ID() == arrow.FLOAT64 {
		switch a := arr.(type) {
		case *array.Int64:
			return toFloat64(a, mem), nil
		case *array.Int32:
			return toFloat64(a, mem), nil
		case *array.Int16:
			return toFloat64(a, mem), nil
		case *array.Int8:
			return toFloat64(a, mem), nil
		case *array.Uint64:
			return toFloat64(a, mem), nil
		case *array.Uint32:
			return toFloat64(a, mem), nil
		case *array.Uint16:
			return toFloat64(a, mem), nil
		case *array.Uint8:
			return toFloat64(a, mem), nil
		case *array.Float32:
			return toFloat64(a, mem), nil
		}
	}
	out, err := compute.CastArray(context.Background(), arr, compute.SafeCastOptions(to))
	if err != nil {
		return nil, fmt.Errorf("cannot convert %s to %s: %w", from, to, err)
	}
	return out, nil
}

type numeric interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

type valuer[T numeric] interface {
	arrow.Array
	Value(int) T
}

func toFloat64[T numeric](a valuer[T], mem memory.Allocator) arrow.Array {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	n := a.Len()
	b.Reserve(n)
	for i := 0; i < n; i++ {
		if a.IsNull(i) {
			b.UnsafeAppendBoolToBitmap(false)
			continue
		}
		b.UnsafeAppend(float64(a.Value(i)))
	}
	return b.NewArray()
}
