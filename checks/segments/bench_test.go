package segments

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// benchRow is one row of the benchmark's synthetic traffic.
type benchRow struct {
	id                string
	country, platform string
	cand, base        float64
	label             int64
}

// benchSegmentValues are the ~10 values of each segment column; their
// weights are uneven (value k has weight k+1), so the smallest segment
// holds about 1/55 of the rows.
var benchSegmentValues = []string{"v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9"}

// benchPick draws a value index with weight k+1 for value k.
func benchPick(rng *rand.Rand) int {
	u := rng.IntN(55)
	for k := 0; k < 10; k++ {
		if u < k+1 {
			return k
		}
		u -= k + 1
	}
	return 9
}

// benchRows draws n rows from seed. bench/segmentsdata draws the same rows
// (same generator, same order of draws) for the scikit-learn comparison in
// bench/segments.sh; keep the two in step.
func benchRows(n int, seed uint64) []benchRow {
	rng := rand.New(rand.NewPCG(seed, 1))
	rows := make([]benchRow, n)
	for i := range rows {
		country := benchPick(rng)
		platform := benchPick(rng)
		var y int64
		if rng.Float64() < 0.3 {
			y = 1
		}
		s := float64(2*y - 1)
		zb := 1.2*s + rng.NormFloat64()
		// the candidate is a little better, except on country v3
		zc := 1.3*s + rng.NormFloat64()
		if country == 3 {
			zc = 0.8*s + rng.NormFloat64()
		}
		rows[i] = benchRow{
			id:       fmt.Sprintf("r%07d", i),
			country:  benchSegmentValues[country],
			platform: benchSegmentValues[platform],
			cand:     1 / (1 + math.Exp(-zc)),
			base:     1 / (1 + math.Exp(-zb)),
			label:    y,
		}
	}
	return rows
}

// benchBatches builds the rows as record batches of at most size rows.
func benchBatches(rows []benchRow, size int) []arrow.RecordBatch {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "country", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "platform", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "candidate_score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "baseline_score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "label", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	var out []arrow.RecordBatch
	for lo := 0; lo < len(rows); lo += size {
		hi := min(lo+size, len(rows))
		ib := array.NewStringBuilder(mem)
		cb := array.NewStringBuilder(mem)
		pb := array.NewStringBuilder(mem)
		sb := array.NewFloat64Builder(mem)
		bb := array.NewFloat64Builder(mem)
		lb := array.NewInt64Builder(mem)
		for _, r := range rows[lo:hi] {
			ib.Append(r.id)
			cb.Append(r.country)
			pb.Append(r.platform)
			sb.Append(r.cand)
			bb.Append(r.base)
			lb.Append(r.label)
		}
		cols := []arrow.Array{ib.NewArray(), cb.NewArray(), pb.NewArray(), sb.NewArray(), bb.NewArray(), lb.NewArray()}
		out = append(out, array.NewRecordBatch(schema, cols, int64(hi-lo)))
		for _, c := range cols {
			c.Release()
		}
	}
	return out
}

// BenchmarkSegments1M times the segments check over 1,000,000 rows in
// 64k-row batches: two segment columns of 10 values each (21 segments with
// overall), metrics auc and logloss, 200 bootstrap replicates. It reports
// rows/s and the state the check holds (state-bytes). bench/segments.sh
// runs it against scikit-learn on the same rows:
//
//	go test ./checks/segments -run '^$' -bench Segments1M -cpu 1 -benchtime 1x -count 3
func BenchmarkSegments1M(b *testing.B) {
	const n = 1_000_000
	batches := benchBatches(benchRows(n, 42), 64<<10)
	defer func() {
		for _, rb := range batches {
			rb.Release()
		}
	}()
	cfg := Config{
		By:            []string{"country", "platform"},
		Metrics:       []string{"auc", "logloss"},
		Label:         "label",
		BaselineScore: "baseline_score",
		IDColumn:      "id",
		Replicates:    200,
		Seed:          1,
	}
	b.ReportAllocs()
	var size int
	var overall string
	start := time.Now()
	b.ResetTimer()
	for range b.N {
		c, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		for _, rb := range batches {
			if err := c.Observe(rb); err != nil {
				b.Fatal(err)
			}
		}
		res := c.Result()
		if len(res) != 2*21 {
			b.Fatalf("%d outcomes, want 42", len(res))
		}
		size = c.SizeBytes()
		o := res[0]
		overall = fmt.Sprintf("%s value %.6f baseline %.6f delta %+.6f CI [%+.6f, %+.6f]", o.Name, *o.Value, *o.Baseline, *o.Delta, o.CI[0], o.CI[1])
	}
	b.StopTimer()
	elapsed := time.Since(start).Seconds()
	b.ReportMetric(float64(n)*float64(b.N)/elapsed, "rows/s")
	b.ReportMetric(float64(size), "state-bytes")
	b.Logf("%s", overall)
}
