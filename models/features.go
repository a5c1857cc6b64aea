package models

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// FeatureType reports whether a column of type t can feed a model feature:
// any integer or float, a boolean (0 or 1), or the null type (every value
// missing, e.g. a header-only CSV).
func FeatureType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.BOOL,
		arrow.NULL:
		return true
	}
	return false
}

// FeatureValue is row i of a column FeatureType accepts, as a float64
// (booleans as 0 and 1); NaN when the value is null.
func FeatureValue(a arrow.Array, i int) float64 {
	if a.IsNull(i) {
		return math.NaN()
	}
	switch c := a.(type) {
	case *array.Float64:
		return c.Value(i)
	case *array.Float32:
		return float64(c.Value(i))
	case *array.Float16:
		return float64(c.Value(i).Float32())
	case *array.Int64:
		return float64(c.Value(i))
	case *array.Int32:
		return float64(c.Value(i))
	case *array.Int16:
		return float64(c.Value(i))
	case *array.Int8:
		return float64(c.Value(i))
	case *array.Uint64:
		return float64(c.Value(i))
	case *array.Uint32:
		return float64(c.Value(i))
	case *array.Uint16:
		return float64(c.Value(i))
	case *array.Uint8:
		return float64(c.Value(i))
	case *array.Boolean:
		if c.Value(i) {
			return 1
		}
		return 0
	}
	return math.NaN()
}
