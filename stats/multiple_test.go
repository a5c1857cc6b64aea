package stats

import (
	"errors"
	"math"
	"testing"
)

func TestBootstrapPValue(t *testing.T) {
	cases := []struct {
		d    []float64
		want float64
	}{
		{[]float64{-1, 2, 3, 4}, 0.5}, // one of four ≤ 0
		{[]float64{1, 2, 3}, 0},       // none ≤ 0
		{[]float64{-1, -2, 0.5}, 2.0 / 3},
		{[]float64{0, 0}, 1}, // no change at all: 2·1, capped
		{[]float64{0, 1, 2, 3}, 0.5},
	}
	for _, c := range cases {
		if p, err := BootstrapPValue(c.d); err != nil || math.Abs(p-c.want) > 1e-15 {
			t.Errorf("p(%v) = %v, %v; want %v", c.d, p, err, c.want)
		}
	}
	if _, err := BootstrapPValue(nil); !errors.Is(err, ErrMetricUndefined) {
		t.Errorf("p of nothing: %v", err)
	}
}

// Hand-computed Bonferroni and Holm adjustments.
func TestHolmBonferroni(t *testing.T) {
	cases := []struct {
		p, bonf, holm []float64
		holmReject    []bool // at 0.05
	}{
		{
			// sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 → 0.06
			p: []float64{0.01, 0.04, 0.03, 0.005}, bonf: []float64{0.04, 0.16, 0.12, 0.02},
			holm: []float64{0.03, 0.06, 0.06, 0.02}, holmReject: []bool{true, false, false, true},
		},
		{
			p: []float64{0.01, 0.04, 0.03}, bonf: []float64{0.03, 0.12, 0.09},
			holm: []float64{0.03, 0.06, 0.06}, holmReject: []bool{true, false, false},
		},
		{
			p: []float64{0.5, 0.5, 0.9}, bonf: []float64{1, 1, 1},
			holm: []float64{1, 1, 1}, holmReject: []bool{false, false, false},
		},
		{
			// Holm rejects all three where Bonferroni rejects one.
			p: []float64{0.01, 0.02, 0.025}, bonf: []float64{0.03, 0.06, 0.075},
			holm: []float64{0.03, 0.04, 0.04}, holmReject: []bool{true, true, true},
		},
		{p: []float64{0.2}, bonf: []float64{0.2}, holm: []float64{0.2}, holmReject: []bool{false}},
	}
	for _, c := range cases {
		b, h, rej := BonferroniAdjust(c.p), HolmAdjust(c.p), Holm(c.p, 0.05)
		for i := range c.p {
			if math.Abs(b[i]-c.bonf[i]) > 1e-12 || math.Abs(h[i]-c.holm[i]) > 1e-12 || rej[i] != c.holmReject[i] {
				t.Errorf("p %v: bonferroni %v holm %v reject %v; want %v %v %v", c.p, b, h, rej, c.bonf, c.holm, c.holmReject)
				break
			}
		}
	}
	if got := BonferroniConfidence(0.95, 5); math.Abs(got-0.99) > 1e-15 {
		t.Errorf("bonferroni confidence %v, want 0.99", got)
	}
	if got := MinReplicates(10, 0.95); got != 4000 {
		t.Errorf("min replicates for 10 tests %d, want 4000", got)
	}
}

func mtLinspace(lo, hi float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return out
}

// Three segments and one that cannot be tested:
//   - a: all 200 deltas > 0 → p = 0;
//   - b: symmetric about 0 → p = 1;
//   - c: 2 of 200 deltas < 0 → p = 0.02;
//   - d: one replicate → not tested, m = 3.
func TestCorrectSegments(t *testing.T) {
	a := mtLinspace(0.01, 0.05, 200)
	b := mtLinspace(-0.05, 0.05, 200)
	c := append([]float64{-0.001, -0.001}, mtLinspace(0.01, 0.05, 198)...)
	d := []float64{0.3}
	deltas := [][]float64{a, b, c, d}

	// No correction: 95 % intervals.
	got, err := CorrectSegments(deltas, 0.95, CorrectionNone)
	if err != nil {
		t.Fatal(err)
	}
	want := []bool{true, false, true}
	for i, w := range want {
		if got[i].Significant != w || got[i].Confidence != 0.95 {
			t.Errorf("none: segment %d significant %v at %v, want %v", i, got[i].Significant, got[i].Confidence, w)
		}
	}
	if !errors.Is(got[3].Err, ErrMetricUndefined) {
		t.Errorf("segment with one replicate: %v", got[3].Err)
	}

	// Bonferroni, m = 3: intervals at 1 − 0.05/3. Segment c's lower end
	// interpolates between its 2nd and 3rd smallest deltas, at
	// h = 199·0.05/6 = 1.658: −0.001 + 0.658·0.011 > 0, so the interval
	// excludes zero although the adjusted p-value, 3·0.02, is above 0.05:
	// under Bonferroni the interval decides.
	got, _ = CorrectSegments(deltas, 0.95, CorrectionBonferroni)
	level := 1 - 0.05/3
	for i, w := range []bool{true, false, true} {
		g := got[i]
		if g.Significant != w || math.Abs(g.Confidence-level) > 1e-15 || g.CI.Level != g.Confidence {
			t.Errorf("bonferroni: segment %d %+v, want significant %v at %v", i, g, w, level)
		}
	}
	if math.Abs(got[2].AdjustedP-0.06) > 1e-12 || got[0].AdjustedP != 0 || got[1].AdjustedP != 1 {
		t.Errorf("bonferroni adjusted p %v %v %v", got[0].AdjustedP, got[1].AdjustedP, got[2].AdjustedP)
	}
	if h := 199 * 0.05 / 6; math.Abs(got[2].CI.Lo-(-0.001+(h-1)*0.011)) > 1e-12 {
		t.Errorf("segment c interval %+v", got[2].CI)
	}

	// Holm: sorted p 0 (·3), 0.02 (·2 = 0.04 ≤ 0.05), 1.
	got, _ = CorrectSegments(deltas, 0.95, CorrectionHolm)
	for i, w := range []struct {
		adj float64
		sig bool
	}{{0, true}, {1, false}, {0.04, true}} {
		if math.Abs(got[i].AdjustedP-w.adj) > 1e-12 || got[i].Significant != w.sig {
			t.Errorf("holm: segment %d adjusted p %v significant %v, want %v %v", i, got[i].AdjustedP, got[i].Significant, w.adj, w.sig)
		}
	}
	if _, err := CorrectSegments(deltas, 0.95, "sidak"); err == nil {
		t.Error("unknown correction accepted")
	}
	if _, err := CorrectSegments(deltas, 1, CorrectionHolm); err == nil {
		t.Error("confidence 1 accepted")
	}
}
