package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// Hand-computed values and edge cases of the count-vector statistics.
func TestCountStatistics(t *testing.T) {
	ln := math.Log
	tests := []struct {
		name     string
		ref, cur []int64
		psi, js  float64
		linf     float64
		chi2     float64
		dof      int
	}{
		{
			name: "equal shares", ref: []int64{10, 20, 30}, cur: []int64{1, 2, 3},
			psi: 0, js: 0, linf: 0, chi2: 0, dof: 2,
		},
		{
			// p = (.5,.5), q = (.25,.75): PSI = .25 ln 2 + (−.25) ln(2/3)
			name: "two bins", ref: []int64{50, 50}, cur: []int64{25, 75},
			psi: 0.25*ln(2) - 0.25*ln(0.5/0.75), linf: 0.25,
			// m = (.375, .625); JS² = (KL(p‖m)+KL(q‖m))/(2 ln 2)
			js: math.Sqrt((0.5*ln(0.5/0.375) + 0.5*ln(0.5/0.625) + 0.25*ln(0.25/0.375) + 0.75*ln(0.75/0.625)) / (2 * ln(2))),
			// expected counts 37.5 / 62.5 per row: 4·(12.5²/37.5 + 12.5²/62.5)... by cell
			chi2: 2*(12.5*12.5/37.5) + 2*(12.5*12.5/62.5), dof: 1,
		},
		{
			// an empty bin is floored at 1e-4; disjoint supports: JS = 1
			name: "disjoint", ref: []int64{10, 0}, cur: []int64{0, 4},
			psi: (1-1e-4)*ln(1/1e-4) + (1e-4-1)*ln(1e-4), js: 1, linf: 1, chi2: 14, dof: 1,
		},
		{
			// a bin empty in both is dropped by the chi-square test
			name: "empty in both", ref: []int64{5, 0, 5}, cur: []int64{5, 0, 5},
			psi: 0, js: 0, linf: 0, chi2: 0, dof: 1,
		},
		{
			name: "one bin", ref: []int64{7}, cur: []int64{3},
			psi: 0, js: 0, linf: 0, chi2: 0, dof: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			psi, err := PSI(tt.ref, tt.cur)
			if err != nil || !closeTo(psi, tt.psi, 1e-12) {
				t.Errorf("PSI = %v (%v), want %v", psi, err, tt.psi)
			}
			if back, _ := PSI(tt.cur, tt.ref); !closeTo(back, psi, 1e-15) {
				t.Errorf("PSI is not symmetric: %v and %v", psi, back)
			}
			js, err := JSDistance(tt.ref, tt.cur)
			if err != nil || !closeTo(js, tt.js, 1e-12) {
				t.Errorf("JS = %v (%v), want %v", js, err, tt.js)
			}
			linf, err := LInf(tt.ref, tt.cur)
			if err != nil || !closeTo(linf, tt.linf, 1e-15) {
				t.Errorf("LInf = %v (%v), want %v", linf, err, tt.linf)
			}
			c, err := ChiSquare(tt.ref, tt.cur)
			if err != nil || !closeTo(c.Statistic, tt.chi2, 1e-12) || c.DoF != tt.dof {
				t.Errorf("chi2 = %v dof %d (%v), want %v dof %d", c.Statistic, c.DoF, err, tt.chi2, tt.dof)
			}
			if tt.dof == 0 && c.PValue != 1 {
				t.Errorf("chi2 p-value with 0 dof = %v, want 1", c.PValue)
			}
		})
	}
}

func TestCountStatisticsErrors(t *testing.T) {
	fns := map[string]func(a, b []int64) error{
		"PSI":  func(a, b []int64) error { _, err := PSI(a, b); return err },
		"JS":   func(a, b []int64) error { _, err := JSDistance(a, b); return err },
		"LInf": func(a, b []int64) error { _, err := LInf(a, b); return err },
		"chi2": func(a, b []int64) error { _, err := ChiSquare(a, b); return err },
		"all":  func(a, b []int64) error { _, err := CompareCounts(a, b); return err },
	}
	cases := []struct {
		name     string
		ref, cur []int64
		want     error
	}{
		{"lengths differ", []int64{1, 2}, []int64{1}, ErrMismatch},
		{"empty reference", []int64{0, 0}, []int64{1, 2}, ErrEmpty},
		{"empty current", []int64{1, 2}, []int64{0, 0}, ErrEmpty},
		{"no bins", nil, nil, ErrEmpty},
		{"negative count", []int64{3, -1}, []int64{1, 1}, ErrArgument},
	}
	for name, fn := range fns {
		for _, c := range cases {
			if err := fn(c.ref, c.cur); !errors.Is(err, c.want) {
				t.Errorf("%s, %s: %v, want %v", name, c.name, err, c.want)
			}
		}
	}
}

func TestCriticalValues(t *testing.T) {
	// c(0.05) = sqrt(−ln(0.025)/2) = 1.35810…
	ks, err := KSCritical(100, 100, 0.05)
	if want := 1.3581015157406195 * math.Sqrt(200.0/10000); err != nil || !closeTo(ks, want, 1e-15) {
		t.Errorf("KSCritical(100, 100, .05) = %v (%v), want %v", ks, err, want)
	}
	if c := ks / math.Sqrt(200.0/10000); math.Abs(c-1.358) > 5e-4 {
		t.Errorf("c(0.05) = %v, want 1.358", c)
	}
	// χ²_{0.95}(9) = 16.918977604620448 (tables)
	psi, err := PSICritical(1000, 4000, 10, 0.05)
	if want := 16.918977604620448 * (1.0/1000 + 1.0/4000); err != nil || !closeTo(psi, want, 1e-12) {
		t.Errorf("PSICritical = %v (%v), want %v", psi, err, want)
	}
	js, _ := JSCritical(1000, 4000, 10, 0.05)
	if want := math.Sqrt(psi / (8 * math.Ln2)); !closeTo(js, want, 1e-15) {
		t.Errorf("JSCritical = %v, want %v", js, want)
	}
	// ten bins; the largest pooled share is 0.4 (v = .24); z_{1−0.05/20} = 2.807033768343811
	ref := []int64{400, 100, 100, 100, 100, 100, 50, 25, 20, 5}
	cur := []int64{1600, 400, 400, 400, 400, 400, 200, 100, 80, 20}
	linf, _ := LInfCritical(ref, cur, 0.05)
	if want := 2.807033768343811 * math.Sqrt(0.24*(1.0/1000+1.0/4000)); !closeTo(linf, want, 1e-12) {
		t.Errorf("LInfCritical = %v, want %v", linf, want)
	}
	if z, err := LInfCritical([]int64{3, 0}, []int64{5, 0}, 0.05); z != 0 || err != nil {
		t.Errorf("LInfCritical with one bin = %v, %v; want 0", z, err)
	}
	for _, bad := range []struct {
		n, m  int64
		bins  int
		alpha float64
	}{{0, 5, 10, 0.05}, {5, 0, 10, 0.05}, {5, 5, 1, 0.05}, {5, 5, 10, 0}, {5, 5, 10, 1}, {5, 5, 10, math.NaN()}} {
		if _, err := PSICritical(bad.n, bad.m, bad.bins, bad.alpha); !errors.Is(err, ErrArgument) {
			t.Errorf("PSICritical(%v) = %v, want ErrArgument", bad, err)
		}
	}
	if _, err := KSCritical(5, 5, 2); !errors.Is(err, ErrArgument) {
		t.Errorf("KSCritical with alpha 2: %v", err)
	}
	if _, err := ChiSquareQuantile(0, 3); !errors.Is(err, ErrArgument) {
		t.Errorf("ChiSquareQuantile(0, 3): %v", err)
	}
}

// TestCriticalValuesSize checks the critical values against their claim:
// when both samples come from one distribution, PSI, JS and KS exceed them
// about 5% of the time (L∞'s is conservative: at most 5%). Seeded; 500
// pairs of 1000 and 2000 values give a standard error of 1 point.
func TestCriticalValuesSize(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 12))
	const trials, n, m = 500, 1000, 2000
	var psiHits, jsHits, ksHits, linfHits int
	ref, cur := make([]float64, n), make([]float64, m)
	for range trials {
		for i := range ref {
			ref[i] = r.ExpFloat64()
		}
		for i := range cur {
			cur[i] = r.ExpFloat64()
		}
		c, err := CompareSamples(ref, cur)
		if err != nil {
			t.Fatal(err)
		}
		if c.PSI > c.PSICritical {
			psiHits++
		}
		if c.JS > c.JSCritical {
			jsHits++
		}
		if c.KS.D > c.KS.Critical {
			ksHits++
		}
		e, _ := QuantileEdges(ref, PSIBins)
		hr, hc := NewHistogram(e), NewHistogram(e)
		hr.AddSlice(ref)
		hc.AddSlice(cur)
		cc, _ := CompareCounts(hr.Counts(), hc.Counts())
		if cc.LInf > cc.LInfCritical {
			linfHits++
		}
	}
	for name, hits := range map[string]int{"PSI": psiHits, "JS": jsHits, "KS": ksHits} {
		if rate := float64(hits) / trials; rate < 0.025 || rate > 0.075 {
			t.Errorf("%s exceeds its critical value in %.1f%% of null trials, want about 5%%", name, 100*rate)
		}
	}
	if rate := float64(linfHits) / trials; rate > 0.075 || rate == 0 {
		t.Errorf("L-infinity exceeds its critical value in %.1f%% of null trials, want at most 5%% (and not never)", 100*rate)
	}
}

func TestKSEdgeCases(t *testing.T) {
	tests := []struct {
		name     string
		ref, cur []float64
		d, p     float64
	}{
		{"identical", []float64{1, 2, 3}, []float64{3, 2, 1}, 0, 1},
		{"all values equal", []float64{5, 5, 5}, []float64{5, 5}, 0, 1},
		// D = 1, p = 2/C(4,2) = 1/3 (exact, by counting lattice paths)
		{"disjoint 2 and 2", []float64{1, 2}, []float64{3, 4}, 1, 1.0 / 3},
		{"infinities left out", []float64{1, math.Inf(1), 2, math.NaN()}, []float64{math.Inf(-1), 2, 1}, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := KS(tt.ref, tt.cur)
			if err != nil {
				t.Fatal(err)
			}
			if !closeTo(r.D, tt.d, 1e-15) || !closeTo(r.PValue, tt.p, 1e-12) || r.Method != "exact" {
				t.Errorf("KS = %+v, want D %v p %v", r, tt.d, tt.p)
			}
		})
	}
	if _, err := KS([]float64{math.NaN()}, []float64{1}); !errors.Is(err, ErrEmpty) {
		t.Errorf("KS without finite values: %v", err)
	}
	if _, _, err := KSPValue(1.5, 3, 3); !errors.Is(err, ErrArgument) {
		t.Errorf("KSPValue(1.5): %v", err)
	}
	if p := KolmogorovSF(0, 0.5); p != 1 {
		t.Errorf("KolmogorovSF(0, .5) = %v", p)
	}
}

func TestWassersteinEdgeCases(t *testing.T) {
	tests := []struct {
		name     string
		ref, cur []float64
		w, norm  float64
		source   string
	}{
		// scipy's docstring example: wasserstein_distance([0,1,3], [5,6,8]) = 5
		{"shift", []float64{0, 1, 3}, []float64{5, 6, 8}, 5, 5 / std([]float64{0, 1, 3}), ScaleReference},
		{"identical", []float64{1, 2}, []float64{2, 1}, 0, 0, ScaleReference},
		{"both constant", []float64{4, 4}, []float64{4}, 0, 0, ScaleNone},
		// reference constant 0, current {0, 2}: W = 1, pooled std of {0,0,0,2} = sqrt(.75)
		{"constant reference", []float64{0, 0}, []float64{0, 2}, 1, 1 / math.Sqrt(0.75), ScalePooled},
		{"infinities left out", []float64{0, math.Inf(1), 1}, []float64{math.NaN(), 0, 1, math.Inf(-1)}, 0, 0, ScaleReference},
		// ±MaxFloat64 sentinels do not overflow the scale
		{"extremes", []float64{-math.MaxFloat64, math.MaxFloat64}, []float64{-math.MaxFloat64, math.MaxFloat64}, 0, 0, ScaleReference},
		{"huge shift", []float64{0, 1e300}, []float64{1e300, 2e300}, 1e300, 2, ScaleReference},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NormalizedWasserstein(tt.ref, tt.cur)
			if err != nil {
				t.Fatal(err)
			}
			if !closeTo(r.Distance, tt.w, 1e-12) || !closeTo(r.Normalized, tt.norm, 1e-12) || r.ScaleSource != tt.source {
				t.Errorf("got %+v, want W %v normalised %v from %s", r, tt.w, tt.norm, tt.source)
			}
			if math.IsNaN(r.Normalized) || math.IsInf(r.Normalized, 0) || math.IsNaN(r.Scale) {
				t.Errorf("not finite: %+v", r)
			}
			w, _ := Wasserstein(tt.ref, tt.cur)
			if !closeTo(w, tt.w, 1e-12) {
				t.Errorf("Wasserstein = %v, want %v", w, tt.w)
			}
			// the same from histograms on the reference's quantiles
			e, err := QuantileEdges(tt.ref, FineBins)
			if err != nil {
				t.Fatal(err)
			}
			hr, hc := NewHistogram(e), NewHistogram(e)
			hr.AddSlice(tt.ref)
			hc.AddSlice(tt.cur)
			h, err := WassersteinHistograms(hr, hc)
			if err != nil {
				t.Fatal(err)
			}
			if h.ScaleSource != tt.source || math.Abs(h.Normalized-tt.norm) > h.Bound*(1+1e-12)+1e-12 || math.IsNaN(h.Bound) {
				t.Errorf("from histograms %+v, want %v within the bound", h, tt.norm)
			}
		})
	}
	if _, err := Wasserstein(nil, []float64{1}); !errors.Is(err, ErrEmpty) {
		t.Errorf("Wasserstein of an empty sample: %v", err)
	}
}

// TestHistogramBounds checks the documented bounds on random pairs of many
// shapes: the exact KS statistic lies in [D, D+Bound], Bound is at most the
// largest bin share, and the exact normalised Wasserstein distance lies
// within Bound of the histogram estimate.
func TestHistogramBounds(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(21, 22))
	draw := func(kind, n int, shift float64) []float64 {
		xs := make([]float64, n)
		for i := range xs {
			switch kind {
			case 0:
				xs[i] = r.NormFloat64() + shift
			case 1: // heavy tails
				xs[i] = r.NormFloat64() / (r.Float64() + 1e-3) * (1 + shift)
			case 2: // ties
				xs[i] = math.Round(r.ExpFloat64()*3 + shift)
			case 3: // zero-inflated
				if r.IntN(3) == 0 {
					xs[i] = r.ExpFloat64() + shift
				}
			}
		}
		return xs
	}
	for trial := range 80 {
		kind := trial % 4
		ref := draw(kind, 50+r.IntN(3000), 0)
		cur := draw(kind, 20+r.IntN(3000), r.Float64()*r.Float64()*2)
		bins := []int{10, 100, FineBins}[trial%3]
		e, _ := QuantileEdges(ref, bins)
		hr, hc := NewHistogram(e), NewHistogram(e)
		hr.AddSlice(ref)
		hc.AddSlice(cur)
		ks, _ := KSHistograms(hr, hc)
		exact, _ := KS(ref, cur)
		maxShare := 0.0
		for i, c := range hr.Counts() {
			maxShare = max(maxShare, float64(c)/float64(hr.Total()), float64(hc.count(i))/float64(hc.Total()))
		}
		if exact.D < ks.D-1e-12 || exact.D > ks.D+ks.Bound+1e-12 || ks.Bound > maxShare+1e-12 {
			t.Errorf("trial %d: exact D %v, histogram D %v bound %v (largest share %v)", trial, exact.D, ks.D, ks.Bound, maxShare)
		}
		w, _ := WassersteinHistograms(hr, hc)
		ew, _ := NormalizedWasserstein(ref, cur)
		if d := math.Abs(w.Normalized - ew.Normalized); d > w.Bound*(1+1e-9)+1e-12 {
			t.Errorf("trial %d (kind %d, %d bins): Wasserstein %v, exact %v, off by %v > bound %v", trial, kind, bins, w.Normalized, ew.Normalized, d, w.Bound)
		}
	}
}

func TestCompareSamplesEmpty(t *testing.T) {
	c, err := CompareSamples([]float64{math.NaN(), math.Inf(1)}, []float64{1})
	if !errors.Is(err, ErrEmpty) {
		t.Errorf("CompareSamples without finite reference values: %v", err)
	}
	if c.Ref.NaN != 1 || c.Ref.PosInf != 1 || c.Cur.Finite != 1 {
		t.Errorf("counts %+v %+v", c.Ref, c.Cur)
	}
}

func TestCompareHistogramsMismatch(t *testing.T) {
	a, _ := NewEdges([]float64{0, 1})
	b, _ := NewEdges([]float64{0, 2})
	ha, hb := NewHistogram(a), NewHistogram(b)
	ha.Add(0.5)
	hb.Add(0.5)
	if _, err := CompareHistograms(ha, hb, a); !errors.Is(err, ErrMismatch) {
		t.Errorf("CompareHistograms across edges: %v", err)
	}
	c, _ := NewEdges([]float64{0.5})
	ha2 := NewHistogram(a)
	ha2.Add(2)
	if _, err := CompareHistograms(ha, ha2, c); !errors.Is(err, ErrMismatch) {
		t.Errorf("CompareHistograms onto foreign coarse edges: %v", err)
	}
}
