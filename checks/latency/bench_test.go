package latency

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// benchBatch is a 64Ki-row batch of log-normal latencies with a null error
// column and, when base is set, a logged production latency column.
func benchBatch(base bool) arrow.RecordBatch {
	const n = 1 << 16
	r := rand.New(rand.NewPCG(1, 1))
	lat := make([]float64, n)
	prod := make([]float64, n)
	for i := range lat {
		lat[i] = math.Exp(1.5 + r.NormFloat64())
		prod[i] = math.Exp(1.4 + r.NormFloat64())
	}
	cols := []tcol{col("candidate_latency_ms", floats(lat)), col("candidate_error", nullStrs(n))}
	if base {
		cols = append(cols, col("prod_latency_ms", floats(prod)))
	}
	return batch(cols...)
}

func benchObserve(b *testing.B, cfg Config, rec arrow.RecordBatch) {
	c := mustNew(b, cfg, Options{})
	b.ResetTimer()
	for b.Loop() {
		if err := c.Observe(rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*float64(rec.NumRows())/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkObserve measures rows per second through Observe.
func BenchmarkObserve(b *testing.B) {
	b.Run("candidate", func(b *testing.B) { benchObserve(b, Config{}, benchBatch(false)) })
	b.Run("with_baseline", func(b *testing.B) {
		benchObserve(b, Config{BaselineColumn: "prod_latency_ms"}, benchBatch(true))
	})
}

// BenchmarkResult measures the end-of-run cost: every percentile of every
// distribution.
func BenchmarkResult(b *testing.B) {
	c := mustNew(b, Config{BaselineColumn: "prod_latency_ms"}, Options{})
	if err := c.Observe(benchBatch(true)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = c.Result()
	}
}
