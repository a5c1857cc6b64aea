package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

func TestEdgesBin(t *testing.T) {
	e, err := NewEdges([]float64{-1, 0, 2.5, 10})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		x    float64
		want int
	}{
		{-100, 0}, {-1, 0}, // bins are right-closed: a cut belongs to the bin below it
		{math.Nextafter(-1, 0), 1}, {0, 1}, {1e-300, 2}, {2.5, 2}, {2.6, 3}, {10, 3},
		{10.000001, 4}, {math.MaxFloat64, 4}, {-math.MaxFloat64, 0},
	}
	for _, tt := range tests {
		if got := e.Bin(tt.x); got != tt.want {
			t.Errorf("Bin(%v) = %d, want %d", tt.x, got, tt.want)
		}
	}
}

// TestEdgesBinSearch compares the branch-free search, alone and four at a
// time, with sort.SearchFloat64s (np.searchsorted side='left') for every
// number of cuts up to 70.
func TestEdgesBinSearch(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for k := 0; k <= 70; k++ {
		cuts := make([]float64, k)
		for i := range cuts {
			cuts[i] = float64(i) * 1.5
		}
		e, err := NewEdges(cuts)
		if err != nil {
			t.Fatal(err)
		}
		for range 300 {
			var xs [4]float64
			for j := range xs {
				xs[j] = (r.Float64()*1.2 - 0.1) * float64(k) * 1.5
				if r.IntN(4) == 0 && k > 0 {
					xs[j] = cuts[r.IntN(k)] // exactly on a cut
				}
			}
			b0, b1, b2, b3 := e.bin4(xs[0], xs[1], xs[2], xs[3])
			for j, got := range []int{b0, b1, b2, b3, e.Bin(xs[0])} {
				x := xs[j%4]
				if want := sort.SearchFloat64s(cuts, x); got != want {
					t.Fatalf("%d cuts: bin of %v = %d, want %d", k, x, got, want)
				}
			}
		}
	}
}

func TestNewEdgesErrors(t *testing.T) {
	for _, cuts := range [][]float64{{1, 1}, {2, 1}, {0, math.NaN()}, {math.Inf(-1), 0}, {0, math.Inf(1)}} {
		if _, err := NewEdges(cuts); !errors.Is(err, ErrArgument) {
			t.Errorf("NewEdges(%v) = %v, want ErrArgument", cuts, err)
		}
	}
}

func TestQuantileEdges(t *testing.T) {
	below := func(x float64) float64 { return math.Nextafter(x, math.Inf(-1)) }
	tests := []struct {
		name   string
		sample []float64
		bins   int
		want   []float64
	}{
		{"constant", []float64{3, 3, 3, 3}, 10, []float64{below(3), 3}},
		{"one value", []float64{7}, 4, []float64{below(7), 7}},
		{"quartiles", []float64{1, 2, 3, 4, 5}, 4, []float64{2, 3, 4}},
		{"interpolated", []float64{0, 10}, 4, []float64{2.5, 5, 7.5}},
		{"one bin", []float64{1, 2, 3}, 1, []float64{}},
		// expected values from np.quantile: 9·0.6 rounds below 5.4
		{"point mass at the minimum", []float64{0, 0, 0, 0, 0, 1, 2, 3, 4, 5}, 5, []float64{below(0), 0, 1.3999999999999995, 3.2}},
		{"point mass at the maximum", []float64{1, 2, 5, 5, 5, 5}, 3, []float64{3.9999999999999996, 5}},
		{"non-finite left out", []float64{math.NaN(), 1, math.Inf(1), 2, 3, math.Inf(-1)}, 2, []float64{2}},
		{"no finite value below the minimum", []float64{-math.MaxFloat64, -math.MaxFloat64, 1}, 2, []float64{-math.MaxFloat64}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := QuantileEdges(tt.sample, tt.bins)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Cuts(); !slices.Equal(got, tt.want) {
				t.Errorf("cuts %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := QuantileEdges([]float64{math.NaN(), math.Inf(1)}, 10); !errors.Is(err, ErrEmpty) {
		t.Errorf("no finite value: %v, want ErrEmpty", err)
	}
	if _, err := QuantileEdges([]float64{1}, 0); !errors.Is(err, ErrArgument) {
		t.Errorf("0 bins: %v, want ErrArgument", err)
	}
}

// TestQuantileEdgesNestedDeciles: the decile cuts are cuts of the 1000-bin
// edges, for samples with and without ties, so Rebin is exact.
func TestQuantileEdgesNestedDeciles(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 50 {
		n := 1 + r.IntN(3000)
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = r.NormFloat64()
			if trial%2 == 1 {
				xs[i] = math.Round(xs[i] * 3)
			}
		}
		fine, _ := QuantileEdges(xs, FineBins)
		dec, _ := QuantileEdges(xs, PSIBins)
		for _, c := range dec.cuts {
			if _, ok := slices.BinarySearch(fine.cuts, c); !ok {
				t.Fatalf("trial %d: decile cut %v is not a fine cut", trial, c)
			}
		}
		h := NewHistogram(fine)
		h.AddSlice(xs)
		coarse, err := h.Rebin(dec)
		if err != nil {
			t.Fatal(err)
		}
		direct := NewHistogram(dec)
		direct.AddSlice(xs)
		if !slices.Equal(coarse.Counts(), direct.Counts()) {
			t.Fatalf("trial %d: rebinned %v, direct %v", trial, coarse.Counts(), direct.Counts())
		}
	}
}

func TestRebinMismatch(t *testing.T) {
	fine, _ := NewEdges([]float64{0, 1, 2})
	coarse, _ := NewEdges([]float64{1.5})
	if _, err := NewHistogram(fine).Rebin(coarse); !errors.Is(err, ErrMismatch) {
		t.Errorf("Rebin onto a cut that is not a fine cut: %v, want ErrMismatch", err)
	}
}

func mixedValues(r *rand.Rand, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		switch r.IntN(40) {
		case 0:
			xs[i] = math.NaN()
		case 1:
			xs[i] = math.Inf(1)
		case 2:
			xs[i] = math.Inf(-1)
		case 3:
			xs[i] = 2 // a point mass
		default:
			xs[i] = r.NormFloat64()*2 + 1
		}
	}
	return xs
}

// TestHistogramMergeExact: any split of the data into shards, counted one
// value at a time or in batches and merged in any order, gives the same
// counts, set-aside counts, minimum and maximum as one histogram of all of
// it; mean and standard deviation agree to rounding.
func TestHistogramMergeExact(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	ref := mixedValues(r, 5000)
	e, err := QuantileEdges(ref, 100)
	if err != nil {
		t.Fatal(err)
	}
	xs := mixedValues(r, 20000)
	whole := NewHistogram(e)
	whole.AddSlice(xs)
	whole.AddNull(9)

	for _, shards := range []int{1, 2, 3, 7, 64} {
		parts := make([]*Histogram, shards)
		for i := range parts {
			parts[i] = NewHistogram(e)
		}
		for i := 0; i < len(xs); {
			k := 1 + r.IntN(50)
			p := parts[r.IntN(shards)]
			if k == 1 {
				p.Add(xs[i])
			} else {
				p.AddSlice(xs[i:min(i+k, len(xs))])
			}
			i += k
		}
		parts[0].AddNull(4)
		parts[shards-1].AddNull(5)
		r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
		got := parts[0]
		for _, p := range parts[1:] {
			if err := got.Merge(p); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(got.Counts(), whole.Counts()) {
			t.Fatalf("%d shards: counts differ", shards)
		}
		if histValues(got) != histValues(whole) {
			t.Errorf("%d shards: set aside %+v, want %+v", shards, histValues(got), histValues(whole))
		}
		gmin, _ := got.Min()
		wmin, _ := whole.Min()
		gmax, _ := got.Max()
		wmax, _ := whole.Max()
		if gmin != wmin || gmax != wmax {
			t.Errorf("%d shards: range [%v, %v], want [%v, %v]", shards, gmin, gmax, wmin, wmax)
		}
		if !closeTo(got.Mean(), whole.Mean(), 1e-12) || !closeTo(got.Std(), whole.Std(), 1e-12) {
			t.Errorf("%d shards: mean %v std %v, want %v %v", shards, got.Mean(), got.Std(), whole.Mean(), whole.Std())
		}
		if !closeTo(got.lowSum, whole.lowSum, 1e-9) || !closeTo(got.highSum, whole.highSum, 1e-9) {
			t.Errorf("%d shards: outer sums %v %v, want %v %v", shards, got.lowSum, got.highSum, whole.lowSum, whole.highSum)
		}
	}
	finite := sortedFinite(xs)
	if want := std(finite); !closeTo(whole.Std(), want, 1e-12) {
		t.Errorf("Std %v, two-pass np.std %v", whole.Std(), want)
	}
}

func TestHistogramMergeMismatch(t *testing.T) {
	a, _ := NewEdges([]float64{1, 2})
	b, _ := NewEdges([]float64{1, 3})
	if err := NewHistogram(a).Merge(NewHistogram(b)); !errors.Is(err, ErrMismatch) {
		t.Errorf("Merge across edges: %v, want ErrMismatch", err)
	}
	c, _ := NewEdges([]float64{1, 2})
	if err := NewHistogram(a).Merge(NewHistogram(c)); err != nil {
		t.Errorf("Merge across equal edges: %v", err)
	}
}

// TestHistogramWiden: counts switch to 64 bits before a 32-bit count can
// overflow, and keep counting.
func TestHistogramWiden(t *testing.T) {
	e, _ := NewEdges([]float64{0})
	h := NewHistogram(e)
	h.AddSlice([]float64{-1, 1, 1})
	h.n = countLimit - 2 // pretend many values were counted
	h.c32[1] = countLimit - 3
	h.AddSlice([]float64{1, 1, 1, 1, 1})
	if h.c64 == nil {
		t.Fatal("counts were not widened")
	}
	if got, want := h.count(1), int64(countLimit-3+5); got != want {
		t.Errorf("count %d, want %d", got, want)
	}
	h.Add(-2)
	if got := h.count(0); got != 2 {
		t.Errorf("count of bin 0 = %d, want 2", got)
	}
	o := NewHistogram(e)
	o.Add(5)
	if err := o.Merge(h); err != nil || o.c64 == nil || o.count(1) != int64(countLimit-3+6) {
		t.Errorf("merge into 32-bit counts: %v, widened %v, count %d", err, o.c64 != nil, o.count(1))
	}
}

func TestHistogramSize(t *testing.T) {
	xs := benchValues(10000, 9)
	e, _ := QuantileEdges(xs, FineBins)
	h := NewHistogram(e)
	if got := h.SizeBytes(); got > 4200 {
		t.Errorf("a 1000-bin histogram takes %d bytes, want about 4 100", got)
	}
	// one feature: shared cuts + reference + current histogram
	if total := 8*len(e.cuts) + 2*h.SizeBytes(); total >= 16*1024 {
		t.Errorf("one feature's state is %d bytes, want under 16 KiB", total)
	}
}

func TestHistogramEmptyAndNonFinite(t *testing.T) {
	e, _ := NewEdges([]float64{0})
	h := NewHistogram(e)
	h.AddSlice([]float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Inf(1)})
	h.AddSlice(nil)
	if h.Total() != 0 || h.NaN() != 1 || h.PosInf() != 2 || h.NegInf() != 1 {
		t.Errorf("total %d nan %d +inf %d -inf %d", h.Total(), h.NaN(), h.PosInf(), h.NegInf())
	}
	if _, ok := h.Min(); ok {
		t.Error("Min of an empty histogram is ok")
	}
	if h.Std() != 0 || h.Mean() != 0 {
		t.Errorf("empty histogram: mean %v std %v", h.Mean(), h.Std())
	}
	if _, err := KSHistograms(h, h); !errors.Is(err, ErrEmpty) {
		t.Errorf("KS of empty histograms: %v", err)
	}
	if _, err := WassersteinHistograms(h, h); !errors.Is(err, ErrEmpty) {
		t.Errorf("Wasserstein of empty histograms: %v", err)
	}
	if _, err := CompareHistograms(h, h, e); !errors.Is(err, ErrEmpty) {
		t.Errorf("CompareHistograms of empty histograms: %v", err)
	}
}

// FuzzHistogram feeds arbitrary float64 bit patterns (NaN, ±Inf,
// subnormals, ±0 included) to histograms on edges made from the same
// values: nothing panics, every value is counted exactly once, the merged
// halves equal the whole, and the statistics stay finite.
func FuzzHistogram(f *testing.F) {
	f.Add([]byte{}, uint8(10))
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\xf8\x7f\x00\x00\x00\x00\x00\x00\xf0\x7f\x00\x00\x00\x00\x00\x00\xf0\xff\x01\x00\x00\x00\x00\x00\x00\x00"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, bins uint8) {
		xs := make([]float64, len(data)/8)
		for i := range xs {
			var u uint64
			for j := range 8 {
				u |= uint64(data[8*i+j]) << (8 * j)
			}
			xs[i] = math.Float64frombits(u)
		}
		e, err := QuantileEdges(xs, int(bins))
		if err != nil {
			if !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrArgument) {
				t.Fatalf("QuantileEdges: %v", err)
			}
			e, _ = NewEdges(nil)
		}
		whole, a, b := NewHistogram(e), NewHistogram(e), NewHistogram(e)
		whole.AddSlice(xs)
		half := len(xs) / 2
		for _, x := range xs[:half] {
			a.Add(x)
		}
		b.AddSlice(xs[half:])
		if err := a.Merge(b); err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, c := range whole.Counts() {
			sum += c
		}
		if sum != whole.Total() || sum+whole.NaN()+whole.PosInf()+whole.NegInf() != int64(len(xs)) {
			t.Fatalf("counts add up to %d finite + %d set aside, want %d values", sum, whole.NaN()+whole.PosInf()+whole.NegInf(), len(xs))
		}
		if !slices.Equal(a.Counts(), whole.Counts()) || histValues(a) != histValues(whole) {
			t.Fatalf("merged halves %v differ from the whole %v", a.Counts(), whole.Counts())
		}
		if whole.Total() == 0 {
			return
		}
		c, err := CompareHistograms(whole, a, e)
		if err != nil {
			t.Fatalf("CompareHistograms: %v", err)
		}
		for name, v := range map[string]float64{"PSI": c.PSI, "JS": c.JS, "KS": c.KS.D, "KS p": c.KS.PValue, "chi2": c.ChiSquare.Statistic,
			"W": c.Wasserstein.Normalized, "W bound": c.Wasserstein.Bound, "std": whole.Std(), "mean": whole.Mean()} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s = %v", name, v)
			}
		}
		if c.PSI != 0 || c.KS.D != 0 {
			t.Fatalf("a histogram against its own copy: PSI %v, KS %v", c.PSI, c.KS.D)
		}
	})
}

func TestQuantileEdgesOf(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	xs := make([]float64, 5000)
	for i := range xs {
		xs[i] = math.Round(rng.NormFloat64()*100) / 10 // ties
	}
	xs[7], xs[9] = math.NaN(), math.Inf(1)
	got, err := QuantileEdgesOf(xs, FineBins, PSIBins, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, bins := range []int{FineBins, PSIBins, 1} {
		want, err := QuantileEdges(xs, bins)
		if err != nil {
			t.Fatal(err)
		}
		if !got[i].Equal(want) {
			t.Errorf("%d bins: edges differ from QuantileEdges", bins)
		}
	}
	if _, err := QuantileEdgesOf(xs, 10, 0); !errors.Is(err, ErrArgument) {
		t.Errorf("0 bins: %v", err)
	}
	if _, err := QuantileEdgesOf([]float64{math.NaN()}, 10); !errors.Is(err, ErrEmpty) {
		t.Errorf("no finite value: %v", err)
	}
}
