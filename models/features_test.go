package models

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
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
