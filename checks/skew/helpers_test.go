package skew

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/models/xgboost"
	"github.com/replaygate/replaygate/traffic"
)

var mem = memory.DefaultAllocator

const (
	trainingPath = "../../fixtures/training.parquet"
	trafficGlob  = "../../fixtures/traffic/*.parquet"
	productionJS = "../../fixtures/models/production.json"
	skewedRows   = "../../fixtures/oracle/skewed_rows.json"
)

type tcol struct {
	name string
	arr  arrow.Array
}

func col(name string, arr arrow.Array) tcol { return tcol{name, arr} }

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

// strs builds a utf8 array; "" is a null.
func strArr(vals ...string) arrow.Array {
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

func rep[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// sliceSource is a Source over batches held in memory.
type sliceSource struct{ bs []arrow.RecordBatch }

func (s *sliceSource) Next() (arrow.RecordBatch, error) {
	if len(s.bs) == 0 {
		return nil, io.EOF
	}
	b := s.bs[0]
	s.bs = s.bs[1:]
	b.Retain()
	return b, nil
}

func src(bs ...arrow.RecordBatch) Source { return &sliceSource{bs: bs} }

func fp(v float64) *float64 { return &v }

func byName(t testing.TB, out []checks.Outcome, name string) checks.Outcome {
	t.Helper()
	for _, o := range out {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no outcome %q", name)
	return checks.Outcome{}
}

// openReference opens the committed training data.
func openReference(t testing.TB) *traffic.Reader {
	t.Helper()
	r, err := traffic.Open(context.Background(), trainingPath, traffic.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// trafficBatches reads the committed traffic; with replay it adds a
// production_score column: the production model replayed in process.
func trafficBatches(t testing.TB, replay bool) []arrow.RecordBatch {
	t.Helper()
	r, err := traffic.Open(context.Background(), trafficGlob, traffic.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var m *xgboost.Model
	if replay {
		b, err := xgboost.LoadFile(productionJS)
		if err != nil {
			t.Fatal(err)
		}
		if m, err = xgboost.New(b, productionJS, nil); err != nil {
			t.Fatal(err)
		}
	}
	var out []arrow.RecordBatch
	for {
		b, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if m != nil {
			s, err := m.Predict(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			fb := array.NewFloat64Builder(mem)
			fb.AppendValues(s.Score, nil)
			ps := fb.NewArray()
			fields := append(b.Schema().Fields(), arrow.Field{Name: DefaultProductionScore, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
			cols := append(append([]arrow.Array(nil), b.Columns()...), ps)
			nb := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, b.NumRows())
			b.Release()
			ps.Release()
			b = nb
		}
		out = append(out, b)
	}
	t.Cleanup(func() {
		for _, b := range out {
			b.Release()
		}
	})
	return out
}
