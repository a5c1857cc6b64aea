package models

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/errs"
)

func TestFeatureTypeAndValue(t *testing.T) {
	for _, tc := range []struct {
		t    arrow.DataType
		want bool
	}{
		{arrow.PrimitiveTypes.Int8, true}, {arrow.PrimitiveTypes.Uint64, true}, {arrow.PrimitiveTypes.Float32, true},
		{arrow.FixedWidthTypes.Boolean, true}, {arrow.Null, true},
		{arrow.BinaryTypes.String, false}, {arrow.FixedWidthTypes.Timestamp_ms, false},
	} {
		if got := FeatureType(tc.t); got != tc.want {
			t.Errorf("FeatureType(%s) = %v", tc.t, got)
		}
	}
	mem := memory.DefaultAllocator
	ib := array.NewUint16Builder(mem)
	ib.AppendValues([]uint16{7, 0}, []bool{true, false})
	bb := array.NewBooleanBuilder(mem)
	bb.AppendValues([]bool{true, false}, nil)
	fb := array.NewFloat32Builder(mem)
	fb.Append(0.1)
	u, b, f := ib.NewArray(), bb.NewArray(), fb.NewArray()
	if FeatureValue(u, 0) != 7 || !math.IsNaN(FeatureValue(u, 1)) || FeatureValue(b, 0) != 1 || FeatureValue(b, 1) != 0 ||
		FeatureValue(f, 0) != float64(float32(0.1)) {
		t.Errorf("values: %v %v %v %v %v", FeatureValue(u, 0), FeatureValue(u, 1), FeatureValue(b, 0), FeatureValue(b, 1), FeatureValue(f, 0))
	}
}

func TestFeatureColumns(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "age", Type: arrow.PrimitiveTypes.Int64},
		{Name: "country", Type: arrow.BinaryTypes.String},
		{Name: "income", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	cols, err := FeatureColumns(schema, []string{"income", "age"}, nil, "http model m", "hint")
	if err != nil || len(cols) != 2 || cols[0] != 2 || cols[1] != 0 {
		t.Fatalf("FeatureColumns = %v, %v", cols, err)
	}
	for _, tc := range []struct {
		features, labels []string
		want, hint       string
	}{
		{[]string{"incme"}, nil, `http model m: traffic has no column "incme"; closest column: "income"`, "hint"},
		{[]string{"zzzzzzzz"}, nil, `http model m: traffic has no column "zzzzzzzz"`, "hint"},
		{[]string{"age", "country"}, []string{"", ` (model feature "f1")`}, `http model m: column "country" (model feature "f1") is utf8, not numeric or bool`, HintNumeric},
	} {
		_, err := FeatureColumns(schema, tc.features, tc.labels, "http model m", "hint")
		if err == nil || err.Error() != tc.want || errs.Code(err) != errs.CodeInput || errs.HintOf(err) != tc.hint {
			t.Errorf("%v: %v (hint %q), want %s", tc.features, err, errs.HintOf(err), tc.want)
		}
	}
	if j, err := Column(schema, "country", "exec model m", "h"); err != nil || j != 1 {
		t.Errorf("Column = %d, %v", j, err)
	}
}
