package stats

import (
	"math/rand/v2"
	"testing"
)

// benchValues returns n normal values from a fixed seed.
func benchValues(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = r.NormFloat64()
	}
	return xs
}

// BenchmarkHistogramAdd counts 1M values into a 1000-bin histogram on the
// quantile edges of a reference sample. ns/value = ns/op / 1e6; the
// ns/value metric reports it directly.
func BenchmarkHistogramAdd(b *testing.B) {
	ref := benchValues(100_000, 1)
	e, err := QuantileEdges(ref, 1000)
	if err != nil {
		b.Fatal(err)
	}
	xs := benchValues(1_000_000, 2)
	for i := range xs {
		xs[i] = xs[i]*1.1 + 0.1
	}
	const batch = 4096
	b.ResetTimer()
	for b.Loop() {
		h := NewHistogram(e)
		for i := 0; i < len(xs); i += batch {
			h.AddSlice(xs[i:min(i+batch, len(xs))])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(xs)), "ns/value")
}

// BenchmarkPSI counts 1M current values into the decile bins of a
// reference and computes PSI against the reference's counts; ns/value
// covers both.
func BenchmarkPSI(b *testing.B) {
	ref := benchValues(100_000, 1)
	e, err := QuantileEdges(ref, PSIBins)
	if err != nil {
		b.Fatal(err)
	}
	hr := NewHistogram(e)
	hr.AddSlice(ref)
	refCounts := hr.Counts()
	xs := benchValues(1_000_000, 3)
	const batch = 4096
	var psi float64
	for b.Loop() {
		h := NewHistogram(e)
		for i := 0; i < len(xs); i += batch {
			h.AddSlice(xs[i:min(i+batch, len(xs))])
		}
		if psi, err = PSI(refCounts, h.Counts()); err != nil {
			b.Fatal(err)
		}
	}
	_ = psi
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(xs)), "ns/value")
}

// BenchmarkSkewFeature is one numeric feature's whole skew pass over 1M
// current values: count them into the 1000-bin histogram on the
// reference's quantile edges, then compute every statistic
// (CompareHistograms: PSI, JS and chi-square on the deciles, KS and
// Wasserstein with their bounds). The budget is about 80 ns per
// value (250k rows/s per core over 50 features).
func BenchmarkSkewFeature(b *testing.B) {
	ref := benchValues(100_000, 1)
	fine, _ := QuantileEdges(ref, FineBins)
	coarse, _ := QuantileEdges(ref, PSIBins)
	hr := NewHistogram(fine)
	hr.AddSlice(ref)
	xs := benchValues(1_000_000, 4)
	for i := range xs {
		xs[i] = xs[i]*1.05 + 0.05
	}
	const batch = 4096
	for b.Loop() {
		h := NewHistogram(fine)
		for i := 0; i < len(xs); i += batch {
			h.AddSlice(xs[i:min(i+batch, len(xs))])
		}
		if _, err := CompareHistograms(hr, h, coarse); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(xs)), "ns/value")
}

// BenchmarkCompareHistograms is the per-feature cost at the end of a run:
// every statistic from two 1000-bin histograms of 1M values each.
func BenchmarkCompareHistograms(b *testing.B) {
	ref := benchValues(1_000_000, 1)
	fine, _ := QuantileEdges(ref, FineBins)
	coarse, _ := QuantileEdges(ref, PSIBins)
	hr, hc := NewHistogram(fine), NewHistogram(fine)
	hr.AddSlice(ref)
	cur := benchValues(1_000_000, 5)
	for i := range cur {
		cur[i] += 0.01
	}
	hc.AddSlice(cur)
	for b.Loop() {
		if _, err := CompareHistograms(hr, hc, coarse); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReservoirAdd offers 1M values to a reservoir of 100k.
func BenchmarkReservoirAdd(b *testing.B) {
	xs := benchValues(1_000_000, 6)
	for b.Loop() {
		r := NewReservoir(100_000, 1)
		r.AddSlice(xs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(xs)), "ns/value")
}

// BenchmarkQuantileEdges sorts a 1M-value reference sample and takes its
// 1000 quantile cuts.
func BenchmarkQuantileEdges(b *testing.B) {
	xs := benchValues(1_000_000, 7)
	for b.Loop() {
		if _, err := QuantileEdges(xs, FineBins); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKSExact is the exact KS test on two raw samples of 100k values.
func BenchmarkKSExact(b *testing.B) {
	a, c := benchValues(100_000, 8), benchValues(100_000, 9)
	for b.Loop() {
		if _, err := KS(a, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCategoryCounts counts 1M string values into a 50-value
// vocabulary plus other.
func BenchmarkCategoryCounts(b *testing.B) {
	vals := make([]string, 60)
	for i := range vals {
		vals[i] = "value-" + string(rune('A'+i))
	}
	v, _ := NewVocabulary(vals[:50])
	xs := make([]string, 1_000_000)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range xs {
		xs[i] = vals[r.IntN(len(vals))]
	}
	for b.Loop() {
		c := NewCategoryCounts(v)
		for _, x := range xs {
			c.Add(x)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(xs)), "ns/value")
}
