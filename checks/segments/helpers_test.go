package segments

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var mem = memory.DefaultAllocator

func fp(v float64) *float64 { return &v }

func mustNew(t testing.TB, cfg Config) *Check {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// synthRows is a column-wise table for synthetic batches; label -1 is null.
type synthRows struct {
	id        []string
	seg       []string
	cand, bas []float64
	label     []int
}

func (r *synthRows) add(id, seg string, cand, base float64, label int) {
	r.id = append(r.id, id)
	r.seg = append(r.seg, seg)
	r.cand = append(r.cand, cand)
	r.bas = append(r.bas, base)
	r.label = append(r.label, label)
}

// batch builds rows [lo, hi) as a record batch.
func (r *synthRows) batch(lo, hi int) arrow.RecordBatch {
	ib := array.NewStringBuilder(mem)
	sb := array.NewStringBuilder(mem)
	cb := array.NewFloat64Builder(mem)
	bb := array.NewFloat64Builder(mem)
	lb := array.NewInt64Builder(mem)
	for i := lo; i < hi; i++ {
		ib.Append(r.id[i])
		sb.Append(r.seg[i])
		cb.Append(r.cand[i])
		bb.Append(r.bas[i])
		if r.label[i] < 0 {
			lb.AppendNull()
		} else {
			lb.Append(int64(r.label[i]))
		}
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "seg", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "candidate_score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "prod", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "y", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	return array.NewRecordBatch(schema, []arrow.Array{ib.NewArray(), sb.NewArray(), cb.NewArray(), bb.NewArray(), lb.NewArray()}, int64(hi-lo))
}
