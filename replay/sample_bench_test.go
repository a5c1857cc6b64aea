package replay

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/models"
)

// trafficBatch is a batch shaped like logged traffic: a string request id,
// a timestamp and six nullable float features.
func trafficBatch(tb testing.TB, n int) arrow.RecordBatch {
	tb.Helper()
	fields := []arrow.Field{
		{Name: "request_id", Type: arrow.BinaryTypes.String},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	}
	for j := range 6 {
		fields = append(fields, arrow.Field{Name: fmt.Sprint("f", j), Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	bld := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))
	defer bld.Release()
	for i := range n {
		bld.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("req-%012d", i))
		bld.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(1_700_000_000_000 + int64(i)))
		for j := range 6 {
			if (i+j)%10 == 0 {
				bld.Field(2 + j).AppendNull()
			} else {
				bld.Field(2 + j).(*array.Float64Builder).Append(float64(i*j) / 7)
			}
		}
	}
	b := bld.NewRecordBatch()
	tb.Cleanup(b.Release)
	return b
}

// BenchmarkSample is the cost of sampling one 8192-row batch by request id
// to 14%: in an open-loop replay it runs between two batches' sends.
func BenchmarkSample(b *testing.B) {
	in := trafficBatch(b, 8192)
	e := &Engine{Options: Options{Sample: 0.14, Seed: 1, IDColumn: "request_id"}}
	for b.Loop() {
		out, err := e.sample(in, 0)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}

// BenchmarkOpenLoop replays 20,000 rows in rate mode at a rate no machine
// keeps up with, one row a request, against a model that answers at once:
// the engine's own cost and garbage per request.
//
//	go test ./replay -run '^$' -bench OpenLoop -benchmem
func BenchmarkOpenLoop(b *testing.B) {
	for _, m := range []models.Model{&fakeModel{failAt: -1}, &rowsModel{fakeModel{failAt: -1}}} {
		b.Run(fmt.Sprintf("%T", m), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				eng := &Engine{Scorers: []Scorer{{Role: "candidate", Model: m}},
					Options: Options{Mode: ModeRate, Rate: 1e9, Workers: 2, RequestRows: 1}}
				if _, err := eng.Run(context.Background(), &sliceSource{rows: 20000, batch: 8192}, func(arrow.RecordBatch) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*20000), "ns/request")
		})
	}
}
