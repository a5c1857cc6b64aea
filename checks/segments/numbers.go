package segments

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/replaygate/replaygate/errs"
)

// numbers returns a reader of a numeric or boolean column: the row's value
// and false for a null.
func numbers(a arrow.Array, name string) (func(i int) (float64, bool), error) {
	wrap := func(v func(i int) float64) func(i int) (float64, bool) {
		return func(i int) (float64, bool) {
			if a.IsNull(i) {
				return 0, false
			}
			return v(i), true
		}
	}
	switch a := a.(type) {
	case *array.Float64:
		return wrap(func(i int) float64 { return a.Value(i) }), nil
	case *array.Float32:
		return wrap(func(i int) float64 { return float64(a.Value(i)) }), nil
	case *array.Int64:
		return wrap(func(i int) float64 { return float64(a.Value(i)) }), nil
	case *array.Int32:
		return wrap(func(i int) float64 { return float64(a.Value(i)) }), nil
	case *array.Int16:
		return wrap(func(i int) float64 { return float64(a.Value(i)) }), nil
	case *array.Int8:
		return wrap(func(i int) float64 { return float64(a.Value(i)) }), nil
	case *array.Uint64:
		return wrap(func(i int) float64 { return float64(a.Value(i)) }), nil
	case *array.Uint32:
		return wrap(func(i int) float64 { return float64(a.Value(i)) }), nil
	case *array.Uint16:
		return wrap(func(i int) float64 { return float64(a.Value(i)) }), nil
	case *array.Uint8:
		return wrap(func(i int) float64 { return float64(a.Value(i)) }), nil
	case *array.Boolean:
		return wrap(func(i int) float64 {
			if a.Value(i) {
				return 1
			}
			return 0
		}), nil
	case *array.Null:
		return func(int) (float64, bool) { return 0, false }, nil
	}
	return nil, errs.Input("use a numeric or boolean column", "%s: column %q is %s, not numeric", where, name, a.DataType())
}
