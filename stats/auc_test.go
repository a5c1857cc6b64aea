package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// aucTestData draws n rows of a named score distribution.
//
//   - binormal: logit = 1.5·y − 1 + N(0, 1), 30 % positives;
//   - ctr: click-through-like, 2 % positives, scores mostly 0.2–10 %;
//   - near_one: 1 − ctr's scores (most scores crowd just below 1);
//   - rounded: binormal scores rounded to 3 decimals (many ties).
func aucTestData(dist string, n int, seed uint64) (s, y []float64) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	s = make([]float64, n)
	y = make([]float64, n)
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	for i := range s {
		switch dist {
		case "binormal", "rounded":
			if r.Float64() < 0.3 {
				y[i] = 1
			}
			s[i] = sig(1.5*y[i] - 1 + r.NormFloat64())
			if dist == "rounded" {
				s[i] = math.Round(s[i]*1000) / 1000
			}
		case "ctr", "near_one":
			if r.Float64() < 0.02 {
				y[i] = 1
			}
			s[i] = sig(-4 + 0.8*y[i] + 0.7*r.NormFloat64())
			if dist == "near_one" {
				s[i] = 1 - s[i]
				y[i] = 1 - y[i]
			}
		}
	}
	return s, y
}

// The binned AUC against the exact one on 200,000 rows: quantile grids (the
// issue's target, |error| ≤ 1e-4) and the fixed grids of BinaryAcc. Cuts of
// the quantile grids come from another 20,000 rows of the same
// distribution, as they would from a reference sample.
func TestAUCBinnedError(t *testing.T) {
	const n = 200_000
	type gridCase struct {
		name  string
		grid  func(sample []float64) ScoreGrid
		limit float64 // asserted bound on |binned − exact|
	}
	must := func(g ScoreGrid, err error) ScoreGrid {
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	grids := []gridCase{
		{"quantile1024", func(s []float64) ScoreGrid { return must(QuantileScoreGrid(s, 1024)) }, 1e-4},
		{"quantile4096", func(s []float64) ScoreGrid { return must(QuantileScoreGrid(s, 4096)) }, 1e-4},
		{"prob8", func([]float64) ScoreGrid { return must(ProbabilityScoreGrid(8)) }, 1e-4},
		{"prob4", func([]float64) ScoreGrid { return must(ProbabilityScoreGrid(4)) }, 1e-3},
		{"uniform1e4", func([]float64) ScoreGrid { return must(UniformScoreGrid(0, 1, 10_000)) }, 1e-3},
		{"uniform1e5", func([]float64) ScoreGrid { return must(UniformScoreGrid(0, 1, 100_000)) }, 1e-4},
	}
	for di, dist := range []string{"binormal", "ctr", "near_one", "rounded"} {
		s, y := aucTestData(dist, n, uint64(100+di))
		ref, _ := aucTestData(dist, 20_000, uint64(200+di))
		exact, err := AUC(s, y, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range grids {
			binned, bound, err := BinnedAUC(s, y, nil, g.grid(ref))
			if err != nil {
				t.Fatal(err)
			}
			d := math.Abs(binned - exact)
			t.Logf("%-9s %-13s exact %.7f binned %.7f |error| %.2e bound %.2e", dist, g.name, exact, binned, d, bound)
			if d > bound+1e-12 {
				t.Errorf("%s %s: error %.3g exceeds the bound %.3g", dist, g.name, d, bound)
			}
			if d > g.limit {
				t.Errorf("%s %s: error %.3g exceeds %.0e", dist, g.name, d, g.limit)
			}
		}
	}
}

// The binned AUC is the exact AUC of the bin indices: an independent path
// through AUC (sort) and AUCFromBins (bin walk).
func TestAUCFromBinsIsAUCOfBinIndex(t *testing.T) {
	s, y := aucTestData("binormal", 5000, 7)
	w := make([]float64, len(s))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range w {
		w[i] = float64(r.IntN(4))
	}
	for _, bits := range []int{1, 3, 6} {
		g, _ := ProbabilityScoreGrid(bits)
		idx := make([]float64, len(s))
		for i, v := range s {
			idx[i] = float64(g.Bin(v))
		}
		want, err := AUC(idx, y, w)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := BinnedAUC(s, y, w, g)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("bits %d: binned %v, AUC of bin index %v", bits, got, want)
		}
	}
}

// AUC and average precision against a brute-force O(n²) pair count and a
// direct threshold walk, with weights, ties and zero weights.
func TestAUCBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for rep := 0; rep < 200; rep++ {
		n := 1 + r.IntN(300)
		s := make([]float64, n)
		y := make([]float64, n)
		w := make([]float64, n)
		for i := range s {
			s[i] = float64(r.IntN(1+r.IntN(40))) - 5 // many ties, negatives, zero
			if r.IntN(3) == 0 {
				y[i] = 1
			}
			w[i] = float64(r.IntN(4)) * 0.75
		}
		var num, P, N float64
		for i := range s {
			if y[i] == 1 {
				P += w[i]
			} else {
				N += w[i]
			}
			for j := range s {
				if y[i] == 1 && y[j] == 0 {
					switch {
					case s[i] > s[j]:
						num += w[i] * w[j]
					case s[i] == s[j]:
						num += w[i] * w[j] / 2
					}
				}
			}
		}
		got, err := AUC(s, y, w)
		if P == 0 || N == 0 {
			if !errors.Is(err, ErrMetricUndefined) {
				t.Fatalf("rep %d: one class: auc %v, %v", rep, got, err)
			}
			continue
		}
		if err != nil || math.Abs(got-num/(P*N)) > 1e-12 {
			t.Fatalf("rep %d: auc %v, %v; brute force %v", rep, got, err, num/(P*N))
		}
		// Average precision: walk the distinct scores from the top.
		var ap, tp, fp float64
		for _, th := range aucDistinctDesc(s) {
			var dp float64
			for i := range s {
				if s[i] == th {
					if y[i] == 1 {
						dp += w[i]
					} else {
						fp += w[i]
					}
				}
			}
			tp += dp
			if dp > 0 {
				ap += dp / P * tp / (tp + fp)
			}
		}
		gotAP, err := AveragePrecision(s, y, w)
		if err != nil || math.Abs(gotAP-ap) > 1e-12 {
			t.Fatalf("rep %d: average precision %v, %v; walk %v", rep, gotAP, err, ap)
		}
	}
}

func aucDistinctDesc(s []float64) []float64 {
	seen := map[float64]bool{}
	var out []float64
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] > out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// The radix sort orders every kind of float64, including negatives,
// subnormals and huge values, like the comparison sort.
func TestAUCRadixSort(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 255, 256, 5000} {
		items := make([]aucItem, n)
		for i := range items {
			var v float64
			switch r.IntN(5) {
			case 0:
				v = r.NormFloat64() * 1e300
			case 1:
				v = -r.Float64() * 1e-310
			case 2:
				v = float64(r.IntN(5))
			default:
				v = r.NormFloat64()
			}
			items[i] = aucItem{aucKey(v), v}
		}
		aucRadixSort(items)
		for i := 1; i < n; i++ {
			if items[i].w < items[i-1].w {
				t.Fatalf("n %d: %v before %v", n, items[i-1].w, items[i].w)
			}
		}
	}
}

// The probability grid is monotone and covers [0, 1] with the documented
// number of bins.
func TestProbabilityScoreGrid(t *testing.T) {
	for _, bits := range []int{1, 4, 8, 12} {
		g, err := ProbabilityScoreGrid(bits)
		if err != nil {
			t.Fatal(err)
		}
		if want := 2*(1+29<<bits) + 1; g.Len() != want {
			t.Errorf("bits %d: %d bins, want %d", bits, g.Len(), want)
		}
		probe := []float64{-1, 0, 1e-300, 1e-10, 0.001, 0.25, 0.49999999, 0.5, 0.50000001, 0.75, 0.999, 1 - 1e-12, 1 - 1e-16, 1, 2}
		r := rand.New(rand.NewPCG(uint64(bits), 9))
		for i := 0; i < 20000; i++ {
			probe = append(probe, r.Float64(), math.Pow(r.Float64(), 8), 1-math.Pow(r.Float64(), 8))
		}
		mtSortFloats(probe)
		prev := -1
		for _, p := range probe {
			b := g.Bin(p)
			if b < prev || b < 0 || b >= g.Len() {
				t.Fatalf("bits %d: Bin(%v) = %d after %d (of %d)", bits, p, b, prev, g.Len())
			}
			prev = b
		}
		if g.Bin(0) != 0 || g.Bin(1) != g.Len()-1 || g.Bin(0.5) != g.Len()/2 {
			t.Errorf("bits %d: ends %d, %d, middle %d", bits, g.Bin(0), g.Bin(1), g.Bin(0.5))
		}
		// Relative width: 0.01 and 0.01·(1+2^-bits·2.01) are in different bins.
		if g.Bin(0.01) == g.Bin(0.01*(1+2.01/float64(int(1)<<bits))) {
			t.Errorf("bits %d: bins wider than 2^-bits relative", bits)
		}
	}
}

func mtSortFloats(s []float64) {
	items := make([]aucItem, len(s))
	for i, v := range s {
		items[i] = aucItem{aucKey(v), v}
	}
	aucRadixSort(items)
	for i := range s {
		s[i] = items[i].w
	}
}

func TestScoreGridErrors(t *testing.T) {
	if _, err := UniformScoreGrid(1, 0, 10); err == nil {
		t.Error("uniform grid over [1, 0] accepted")
	}
	if _, err := CutScoreGrid([]float64{0.2, 0.1}); err == nil {
		t.Error("decreasing cuts accepted")
	}
	if _, err := QuantileScoreGrid([]float64{math.NaN()}, 10); err == nil {
		t.Error("quantile grid of NaN accepted")
	}
	g, err := QuantileScoreGrid([]float64{3, 1, 2, 2, 2, 2}, 3)
	if err != nil {
		t.Fatal(err)
	}
	// Quantiles at 1/3 and 2/3 of [1 2 2 2 2 3] are both 2: one cut.
	if g.Len() != 2 || g.Bin(1.9) != 0 || g.Bin(2) != 1 {
		t.Errorf("quantile grid: %d bins, Bin(1.9) %d, Bin(2) %d", g.Len(), g.Bin(1.9), g.Bin(2))
	}
	a, _ := ProbabilityScoreGrid(4)
	b, _ := ProbabilityScoreGrid(5)
	acc, _ := NewBinaryAcc(a, 0.5)
	other, _ := NewBinaryAcc(b, 0.5)
	if err := acc.Merge(other); err == nil {
		t.Error("merged accumulators of different grids")
	}
}

// FuzzAUC: any scores, labels and weights (NaN, ±Inf, huge, tiny) either
// give a value in [0, 1] or one of the two documented errors; never a panic
// or a NaN.
func FuzzAUC(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, false)
	f.Add([]byte{0xff, 0xf8, 0, 0, 0, 0, 0, 1, 1, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0, 0}, true)
	f.Fuzz(func(t *testing.T, data []byte, weighted bool) {
		// Each row: 8 bytes of score bits, 1 byte of label, and with
		// weights 8 bytes of weight bits.
		row := 9
		if weighted {
			row = 17
		}
		n := len(data) / row
		s := make([]float64, n)
		y := make([]float64, n)
		var w []float64
		if weighted {
			w = make([]float64, n)
		}
		for i := 0; i < n; i++ {
			d := data[i*row:]
			s[i] = math.Float64frombits(aucLeU64(d))
			y[i] = float64(d[8] % 3) // 2 is an invalid label
			if weighted {
				w[i] = math.Float64frombits(aucLeU64(d[9:]))
			}
		}
		check := func(name string, v float64, err error) {
			if err != nil {
				if !errors.Is(err, ErrMetricInput) && !errors.Is(err, ErrMetricUndefined) {
					t.Fatalf("%s: undocumented error %v", name, err)
				}
				return
			}
			if !(v >= 0 && v <= 1) {
				t.Fatalf("%s = %v, outside [0, 1]", name, v)
			}
		}
		v, err := AUC(s, y, w)
		check("auc", v, err)
		v, err = AveragePrecision(s, y, w)
		check("pr_auc", v, err)
		g, _ := ProbabilityScoreGrid(4)
		v, _, err = BinnedAUC(s, y, w, g)
		check("binned auc", v, err)
		acc, _ := NewBinaryAcc(g, 0.5)
		for i := range s {
			_ = acc.Add(s[i], y[i], metricWeightAt(w, i))
		}
		v, _, err = acc.AUC()
		check("acc auc", v, err)
	})
}

func aucLeU64(b []byte) uint64 {
	var v uint64
	for i := 0; i < 8; i++ {
		v |= uint64(b[i]) << (8 * i)
	}
	return v
}
