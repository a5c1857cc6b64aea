package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bootBenchRows draws n paired rows: a label and two correlated scores.
func bootBenchRows(n int, seed uint64) (keys []uint64, y, cand, base []float64) {
	r := rand.New(rand.NewPCG(seed, 77))
	keys = make([]uint64, n)
	y = make([]float64, n)
	cand = make([]float64, n)
	base = make([]float64, n)
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	for i := range y {
		keys[i] = uint64(i)
		if r.Float64() < 0.3 {
			y[i] = 1
		}
		z := r.NormFloat64()
		cand[i] = sig(1.2*y[i] - 1 + 0.8*z + 0.6*r.NormFloat64())
		base[i] = sig(1.0*y[i] - 1 + 0.8*z + 0.6*r.NormFloat64())
	}
	return keys, y, cand, base
}

func benchBootstrap(b *testing.B, metrics []Metric, reps int) {
	const n = 1 << 16
	keys, y, cand, base := bootBenchRows(n, 1)
	pb, err := NewPairedBootstrap(BootstrapConfig{Replicates: reps, Seed: 42, Metrics: metrics, Threshold: 0.5})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i & (n - 1)
		if err := pb.Add(keys[j]+uint64(i), y[j], cand[j], base[j]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/row")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBootstrapB200 is the paired bootstrap of the segment gate's
// default metrics (auc, logloss, ece) at B = 200, one core: ns/row.
func BenchmarkBootstrapB200(b *testing.B) {
	b.Run("auc+logloss+ece", func(b *testing.B) {
		benchBootstrap(b, []Metric{MetricAUC, MetricLogLoss, MetricECE}, 200)
	})
	b.Run("auc", func(b *testing.B) { benchBootstrap(b, []Metric{MetricAUC}, 200) })
	b.Run("all-binary", func(b *testing.B) {
		benchBootstrap(b, []Metric{MetricAUC, MetricPRAUC, MetricLogLoss, MetricBrier, MetricECE,
			MetricAccuracy, MetricPrecision, MetricRecall, MetricF1, MetricPositiveRate}, 200)
	})
}

// BenchmarkPoissonWeightsB200 draws one row's 200 weights.
func BenchmarkPoissonWeightsB200(b *testing.B) {
	g, _ := NewPoissonWeights(42, 200)
	w := make([]uint8, 200)
	var sink uint8
	for i := 0; i < b.N; i++ {
		g.Fill(w, uint64(i))
		sink += w[i%200]
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/row")
	_ = sink
}

// BenchmarkBootstrapResamples computes one metric's 200 replicates from a
// filled state (once per segment and metric at the end of a run).
func BenchmarkBootstrapResamples(b *testing.B) {
	keys, y, cand, base := bootBenchRows(20000, 2)
	for _, m := range []Metric{MetricAUC, MetricLogLoss, MetricECE} {
		pb, _ := NewPairedBootstrap(BootstrapConfig{Seed: 1, Metrics: []Metric{m}})
		for i := range keys {
			_ = pb.Add(keys[i], y[i], cand[i], base[i])
		}
		b.Run(string(m), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := pb.Resamples(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAUCExact is the exact AUC of 200,000 rows: ns/row.
func BenchmarkAUCExact(b *testing.B) {
	s, y := aucTestData("binormal", 200_000, 1)
	w := make([]float64, len(s))
	for i := range w {
		w[i] = float64(i%3) + 0.5
	}
	for _, c := range []struct {
		name string
		w    []float64
	}{{"unweighted", nil}, {"weighted", w}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := AUC(s, y, c.w); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(s)), "ns/row")
		})
	}
}

// BenchmarkBinaryAcc adds rows to a streaming accumulator: ns/row.
func BenchmarkBinaryAcc(b *testing.B) {
	s, y := aucTestData("binormal", 1<<16, 1)
	grids := map[string]func() ScoreGrid{
		"prob8":        func() ScoreGrid { g, _ := ProbabilityScoreGrid(8); return g },
		"quantile4096": func() ScoreGrid { g, _ := QuantileScoreGrid(s, 4096); return g },
	}
	for _, name := range []string{"prob8", "quantile4096"} {
		b.Run(name, func(b *testing.B) {
			acc, _ := NewBinaryAcc(grids[name](), 0.5)
			for i := 0; i < b.N; i++ {
				j := i & (len(s) - 1)
				if err := acc.Add(s[j], y[j], 1); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/row")
		})
	}
}
