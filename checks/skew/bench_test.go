package skew

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Synthetic data of BenchmarkSkew50x1M. bench/skewdata writes the same
// values (same generator, same seed) for the pandas + scipy comparison of
// bench/skew.sh; keep the two generators identical.
const (
	benchFeatures  = 50
	benchRefRows   = 200_000
	benchRows      = 1_000_000
	benchBatchRows = 64 * 1024
	benchSeed      = 20260101
)

// benchValues returns column j of the reference (traffic false) or of the
// traffic. Five kinds of distribution take turns; every tenth column is
// shifted and stretched in the traffic (x → 1.1x + 0.2).
func benchValues(j int, traffic bool, rows int) []float64 {
	d := uint64(0)
	if traffic {
		d = 1
	}
	rng := rand.New(rand.NewPCG(benchSeed, uint64(j)<<1|d))
	out := make([]float64, rows)
	for i := range out {
		var x float64
		switch j % 5 {
		case 0:
			x = rng.NormFloat64()
		case 1:
			x = math.Exp(0.5 * rng.NormFloat64())
		case 2:
			x = rng.ExpFloat64()
		case 3:
			x = 10 * rng.Float64()
		default:
			if rng.Float64() < 0.3 {
				x = rng.NormFloat64() - 2
			} else {
				x = 0.5*rng.NormFloat64() + 1
			}
		}
		if traffic && j%10 == 0 {
			x = 1.1*x + 0.2
		}
		out[i] = x
	}
	return out
}

// benchBatches builds rows × benchFeatures float64 columns as batches of
// benchBatchRows rows.
func benchBatches(traffic bool, rows int) []arrow.RecordBatch {
	nb := (rows + benchBatchRows - 1) / benchBatchRows
	arrs := make([][]arrow.Array, nb)
	for k := range arrs {
		arrs[k] = make([]arrow.Array, benchFeatures)
	}
	fields := make([]arrow.Field, benchFeatures)
	for j := range benchFeatures {
		fields[j] = arrow.Field{Name: fmt.Sprintf("f%02d", j), Type: arrow.PrimitiveTypes.Float64, Nullable: true}
		vals := benchValues(j, traffic, rows)
		for k := range nb {
			lo, hi := k*benchBatchRows, min((k+1)*benchBatchRows, rows)
			bld := array.NewFloat64Builder(mem)
			bld.AppendValues(vals[lo:hi], nil)
			arrs[k][j] = bld.NewArray()
			bld.Release()
		}
	}
	sc := arrow.NewSchema(fields, nil)
	out := make([]arrow.RecordBatch, nb)
	for k := range out {
		out[k] = array.NewRecordBatch(sc, arrs[k], int64(arrs[k][0].Len()))
		for _, a := range arrs[k] {
			a.Release()
		}
	}
	return out
}

var benchData = sync.OnceValues(func() (ref, traffic []arrow.RecordBatch) {
	return benchBatches(false, benchRefRows), benchBatches(true, benchRows)
})

// BenchmarkSkew50x1M reads a 200k-row reference of 50 float64 features,
// then observes 1M traffic rows (batches of 64k) and computes the result
// (PSI, JS, KS, Wasserstein of every feature). Run on one core:
//
//	go test ./checks/skew -run '^$' -bench Skew50x1M -cpu 1 -benchtime 1x -count 3
//
// Metrics: ref_s (reference read), observe_s (Observe over the traffic +
// Result), rows/s (traffic rows / observe_s) and state_B/feature (the
// shared fine and decile edges, reference and traffic histograms of one
// feature). With REPLAYGATE_SKEW_OUT set, the outcomes are written there
// as JSON for bench/skew.sh.
func BenchmarkSkew50x1M(b *testing.B) {
	ref, traffic := benchData()
	var rows int64
	for _, t := range traffic {
		rows += t.NumRows()
	}
	b.ResetTimer()
	var refDur, obsDur time.Duration
	var c *Check
	for range b.N {
		t0 := time.Now()
		var err error
		c, err = NewFromReference(src(ref...), Config{})
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		for _, t := range traffic {
			if err := c.Observe(t); err != nil {
				b.Fatal(err)
			}
		}
		out := c.Result()
		t2 := time.Now()
		refDur += t1.Sub(t0)
		obsDur += t2.Sub(t1)
		if len(out) != benchFeatures+1 {
			b.Fatalf("%d outcomes, want %d", len(out), benchFeatures+1)
		}
		if p := os.Getenv("REPLAYGATE_SKEW_OUT"); p != "" {
			data, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(refDur.Seconds()/n, "ref_s")
	b.ReportMetric(obsDur.Seconds()/n, "observe_s")
	b.ReportMetric(float64(rows)*n/obsDur.Seconds(), "rows/s")
	f, cur := c.ref.features[0], c.cur[0]
	state := 8*(f.fine.Bins()-1) + 8*(f.coarse.Bins()-1) + f.hist.SizeBytes() + cur.hist.SizeBytes()
	b.ReportMetric(float64(state), "state_B/feature")
	b.ReportMetric(float64(cur.hist.SizeBytes()), "traffic_B/feature")
}

// BenchmarkReference50x200k reads the benchmark's reference alone: 200k rows
// of 50 float64 features into reservoirs, quantile edges and histograms.
//
//	go test ./checks/skew -run '^$' -bench Reference50x200k -cpu 1 -benchtime 3x
func BenchmarkReference50x200k(b *testing.B) {
	ref, _ := benchData()
	b.ResetTimer()
	for range b.N {
		if _, err := NewFromReference(src(ref...), Config{}); err != nil {
			b.Fatal(err)
		}
	}
}
