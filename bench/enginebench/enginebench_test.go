package enginebench

import (
	"context"
	"io"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/models"
	"github.com/replaygate/replaygate/models/xgboost"
	"github.com/replaygate/replaygate/replay"
)

const (
	batchRows = 8192
	batches   = 16 // 131,072 rows a pass
)

// constModel scores every row 0.5: the cheapest model there is.
type constModel struct{}

func (constModel) Predict(_ context.Context, in arrow.RecordBatch) (models.Scores, error) {
	s := make([]float64, in.NumRows())
	for i := range s {
		s[i] = 0.5
	}
	return models.Scores{Score: s}, nil
}

// sliceSource hands out the same batches, retained, once each.
type sliceSource struct {
	bs []arrow.RecordBatch
	i  int
}

func (s *sliceSource) Next() (arrow.RecordBatch, error) {
	if s.i == len(s.bs) {
		return nil, io.EOF
	}
	b := s.bs[s.i]
	s.i++
	b.Retain()
	return b, nil
}

// makeBatches builds record batches with one float64 column per name, 10%
// of the values null, uniform in [0, 100).
func makeBatches(tb testing.TB, names []string) []arrow.RecordBatch {
	tb.Helper()
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: arrow.PrimitiveTypes.Float64, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]arrow.RecordBatch, batches)
	for k := range out {
		bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for c := range names {
			fb := bld.Field(c).(*array.Float64Builder)
			fb.Reserve(batchRows)
			for r := 0; r < batchRows; r++ {
				if rng.Float64() < 0.1 {
					fb.UnsafeAppendBoolToBitmap(false)
					continue
				}
				fb.UnsafeAppend(rng.Float64() * 100)
			}
		}
		out[k] = bld.NewRecordBatch()
		bld.Release()
	}
	tb.Cleanup(func() {
		for _, b := range out {
			b.Release()
		}
	})
	return out
}

// benchOverhead times, on every iteration, one pass of direct Predict calls
// over the batches and one engine replay (max mode, one worker, so both run
// on one core) over the same batches, and reports both per row and their
// difference, the engine's overhead.
func benchOverhead(b *testing.B, m models.Model, bs []arrow.RecordBatch) {
	ctx := context.Background()
	rows := int64(len(bs) * batchRows)
	eng := &replay.Engine{
		Scorers: []replay.Scorer{{Role: "candidate", Model: m}},
		Options: replay.Options{Mode: replay.ModeMax, Workers: 1},
	}
	var direct, engine time.Duration
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		for _, in := range bs {
			sc, err := m.Predict(ctx, in)
			if err != nil || len(sc.Score) != batchRows {
				b.Fatalf("predict: %v (%d scores)", err, len(sc.Score))
			}
		}
		t1 := time.Now()
		var got int64
		sum, err := eng.Run(ctx, &sliceSource{bs: bs}, func(out arrow.RecordBatch) error {
			got += out.NumRows()
			return nil
		})
		t2 := time.Now()
		if err != nil || got != rows || sum.Rows != rows {
			b.Fatalf("engine: %v (%d of %d rows)", err, got, rows)
		}
		direct += t1.Sub(t0)
		engine += t2.Sub(t1)
	}
	n := float64(b.N) * float64(rows)
	b.ReportMetric(float64(direct)/n, "direct-ns/row")
	b.ReportMetric(float64(engine)/n, "engine-ns/row")
	b.ReportMetric(float64(engine-direct)/n, "overhead-ns/row")
	b.ReportMetric(0, "ns/op") // an op is two passes; the per-row figures are the result
}

// BenchmarkEngineOverhead reports the engine's per-row cost over a direct
// in-process call: for a model that does nothing (the overhead alone), and
// for the fixture XGBoost candidate (200 trees, depth 6, 30 features), to
// put it against real scoring.
func BenchmarkEngineOverhead(b *testing.B) {
	path := filepath.Join("..", "..", "fixtures", "models", "candidate.json")
	booster, err := xgboost.LoadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	names := booster.FeatureNames()
	xm, err := xgboost.New(booster, path, nil)
	if err != nil {
		b.Fatal(err)
	}
	bs := makeBatches(b, names)
	b.Run("const", func(b *testing.B) { benchOverhead(b, constModel{}, bs) })
	b.Run("xgboost", func(b *testing.B) { benchOverhead(b, xm, bs) })
}
