package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortFloats(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		gen  func(i int) float64
		n    int
	}{
		{"normal", func(int) float64 { return rng.NormFloat64() * 1e3 }, 10000},
		{"ties and signs", func(int) float64 { return float64(rng.IntN(21) - 10) }, 5000},
		{"extremes", func(i int) float64 {
			return []float64{math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 0, 1, -1}[i%7]
		}, 7000},
		{"constant", func(int) float64 { return 42.5 }, 3000},
		{"sorted descending", func(i int) float64 { return float64(-i) / 3 }, 4096},
		{"short", func(int) float64 { return rng.Float64() - 0.5 }, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			xs := make([]float64, tc.n)
			for i := range xs {
				xs[i] = tc.gen(i)
			}
			want := slices.Clone(xs)
			slices.Sort(want)
			sortFloats(xs)
			if !slices.Equal(xs, want) {
				t.Fatalf("sortFloats differs from slices.Sort")
			}
		})
	}
}

func TestSortFloatsZeros(t *testing.T) {
	xs := make([]float64, radixMin)
	for i := range xs {
		xs[i] = float64(i%3 - 1)
		if i%5 == 0 {
			xs[i] = math.Copysign(0, -1)
		}
	}
	sortFloats(xs)
	if !slices.IsSorted(xs) {
		t.Fatal("not sorted")
	}
}

func BenchmarkSortFloats200k(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	src := make([]float64, 200_000)
	for i := range src {
		src[i] = rng.NormFloat64()
	}
	xs := make([]float64, len(src))
	for _, impl := range []struct {
		name string
		sort func([]float64)
	}{{"radix", sortFloats}, {"pdqsort", slices.Sort[[]float64]}} {
		b.Run(impl.name, func(b *testing.B) {
			for range b.N {
				copy(xs, src)
				impl.sort(xs)
			}
		})
	}
}
