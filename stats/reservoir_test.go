package stats

import (
	"math"
	"slices"
	"testing"
)

func TestReservoirExactUnderCapacity(t *testing.T) {
	r := NewReservoir(10, 1)
	r.AddSlice([]float64{3, math.NaN(), 1, math.Inf(1), 2})
	if !r.Exact() || r.Seen() != 3 || r.NonFinite() != 2 {
		t.Fatalf("exact %v seen %d non-finite %d", r.Exact(), r.Seen(), r.NonFinite())
	}
	if got := slices.Sorted(slices.Values(r.Values())); !slices.Equal(got, []float64{1, 2, 3}) {
		t.Errorf("sample %v, want every value", got)
	}
	o := NewReservoir(10, 2)
	o.AddSlice([]float64{4, 5})
	r.Merge(o)
	if got := slices.Sorted(slices.Values(r.Values())); !slices.Equal(got, []float64{1, 2, 3, 4, 5}) || !r.Exact() {
		t.Errorf("merged sample %v, want every value", got)
	}
	if NewReservoir(0, 1).Cap() != DefaultReservoirSize {
		t.Error("capacity 0 does not mean the default")
	}
}

func TestReservoirDeterministic(t *testing.T) {
	run := func() []float64 {
		r := NewReservoir(50, 42)
		for i := range 10000 {
			r.Add(float64(i))
		}
		return slices.Clone(r.Values())
	}
	if a, b := run(), run(); !slices.Equal(a, b) {
		t.Error("same seed, same stream, different samples")
	}
}

// TestReservoirUniform checks that every value of a stream, and of two
// merged streams of different lengths, is kept with probability k/N:
// Pearson's chi-square over the inclusion counts of 4000 seeded runs must
// be below its 0.999 quantile.
func TestReservoirUniform(t *testing.T) {
	const k, runs = 20, 4000
	check := func(name string, n int, sample func(seed uint64) []float64) {
		hits := make([]float64, n)
		for seed := range uint64(runs) {
			s := sample(seed)
			if len(s) != k {
				t.Fatalf("%s: sample of %d values, want %d", name, len(s), k)
			}
			for _, v := range s {
				hits[int(v)]++
			}
		}
		want := float64(runs) * k / float64(n)
		chi := 0.0
		for _, h := range hits {
			chi += (h - want) * (h - want) / want
		}
		limit, _ := ChiSquareQuantile(0.999, n-1)
		if chi > limit {
			t.Errorf("%s: chi-square %.1f over %d values, limit %.1f: not uniform", name, chi, n, limit)
		}
	}
	check("one stream", 100, func(seed uint64) []float64 {
		r := NewReservoir(k, seed)
		for i := range 100 {
			r.Add(float64(i))
		}
		return r.Values()
	})
	check("merged streams", 100, func(seed uint64) []float64 {
		a, b := NewReservoir(k, seed), NewReservoir(k, seed+1_000_000)
		for i := range 70 { // values 0..69 in one part, 70..99 in the other
			a.Add(float64(i))
		}
		for i := 70; i < 100; i++ {
			b.Add(float64(i))
		}
		a.Merge(b)
		if a.Seen() != 100 {
			t.Fatalf("merged seen %d", a.Seen())
		}
		return a.Values()
	})
	check("merged into a short stream", 100, func(seed uint64) []float64 {
		a, b := NewReservoir(k, seed), NewReservoir(k, seed+2_000_000)
		for i := range 5 {
			a.Add(float64(i))
		}
		for i := 5; i < 100; i++ {
			b.Add(float64(i))
		}
		a.Merge(b)
		return a.Values()
	})
}

func TestReservoirMergeCapacities(t *testing.T) {
	a, b := NewReservoir(10, 1), NewReservoir(4, 2)
	for i := range 100 {
		a.Add(float64(i))
		b.Add(float64(100 + i))
	}
	valuesB := slices.Clone(b.Values())
	a.Merge(b)
	if a.Cap() != 4 || len(a.Values()) != 4 || a.Seen() != 200 {
		t.Errorf("cap %d, %d values, seen %d; want the smaller capacity", a.Cap(), len(a.Values()), a.Seen())
	}
	if !slices.Equal(b.Values(), valuesB) {
		t.Error("Merge changed its argument")
	}
}
