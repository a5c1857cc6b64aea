package models

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/internal/suggest"
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

// HintNumeric is the hint of a feature column that holds neither numbers
// nor booleans.
const HintNumeric = "the model takes numbers: categorical features must reach it as numeric codes or one-hot columns, as in training"

// Column is the index of the column called name in schema, or an input
// error with hint that names the model (who, e.g. `http model URL`) and the
// closest column there is.
func Column(schema *arrow.Schema, name, who, hint string) (int, error) {
	return column(schema, name, "", who, hint)
}

func column(schema *arrow.Schema, name, label, who, hint string) (int, error) {
	if idx := schema.FieldIndices(name); len(idx) > 0 {
		return idx[0], nil
	}
	names := make([]string, schema.NumFields())
	for j, f := range schema.Fields() {
		names[j] = f.Name
	}
	if near := suggest.Closest(name, names); near != "" {
		return 0, errs.Input(hint, "%s: traffic has no column %q%s; closest column: %q", who, name, label, near)
	}
	return 0, errs.Input(hint, "%s: traffic has no column %q%s", who, name, label)
}

// FeatureColumns is the index in schema of each feature column, checking
// that each exists (an input error with hint otherwise) and holds what
// FeatureType accepts (an input error with HintNumeric). labels, when not
// nil, holds a note per feature put after its name in errors, such as
// ` (model feature "f3")`.
func FeatureColumns(schema *arrow.Schema, features []string, labels []string, who, hint string) ([]int, error) {
	cols := make([]int, len(features))
	for i, c := range features {
		label := ""
		if labels != nil {
			label = labels[i]
		}
		j, err := column(schema, c, label, who, hint)
		if err != nil {
			return nil, err
		}
		if t := schema.Field(j).Type; !FeatureType(t) {
			return nil, errs.Input(HintNumeric, "%s: column %q%s is %s, not numeric or bool", who, c, label, t)
		}
		cols[i] = j
	}
	return cols, nil
}
