package stats

import (
	"fmt"
	"math"
)

// Scale sources of a WassersteinResult.
const (
	ScaleReference = "reference" // the reference's standard deviation
	ScalePooled    = "pooled"    // the reference is constant: both samples together
	ScaleNone      = "none"      // every value of both samples is the same: W = 0
)

// WassersteinResult is a Wasserstein-1 comparison, raw and normalised.
type WassersteinResult struct {
	// Distance is W1 = ∫ |F_ref(x) − F_cur(x)| dx, in the feature's units.
	Distance float64
	// Scale is the divisor of Normalized and ScaleSource where it came
	// from: the reference's population standard deviation (np.std, ddof=0)
	// when it is positive; when the reference is constant, the standard
	// deviation of both samples pooled, which is positive whenever
	// Distance is; ScaleNone (Scale 0, Normalized 0) when every value of
	// both samples is equal.
	Scale       float64
	ScaleSource string
	// Normalized is Distance/Scale: the distance in reference standard
	// deviations, comparable across features (DESIGN §3).
	Normalized float64
	// Bound is 0 for raw samples. From histograms the exact normalised
	// distance lies within Bound of Normalized (see WassersteinHistograms).
	Bound float64
}

// Wasserstein returns the Wasserstein-1 (earth mover's) distance between
// the finite values of two samples: scipy.stats.wasserstein_distance(u, v),
// the integral of |F_u − F_v| over the real line, computed on the merged
// sorted values. NaN and ±Inf are left out; ErrEmpty when either sample
// has no finite value. The samples are copied. Values near ±MaxFloat64
// are handled without overflow, but a distance beyond MaxFloat64 (samples
// at both ends of the float64 range) is +Inf.
func Wasserstein(u, v []float64) (float64, error) {
	a, b := sortedFinite(u), sortedFinite(v)
	if len(a) == 0 || len(b) == 0 {
		return 0, ErrEmpty
	}
	a, b, s := scaleSorted(a, b)
	return math.Ldexp(wassersteinSorted(a, b), s), nil
}

// scaleSorted scales two ascending samples by 2^−s when their range needs
// it (see scaleFor) and returns s.
func scaleSorted(a, b []float64) ([]float64, []float64, int) {
	s := scaleFor(min(a[0], b[0]), max(a[len(a)-1], b[len(b)-1]))
	if s != 0 {
		for i := range a {
			a[i] = math.Ldexp(a[i], -s)
		}
		for i := range b {
			b[i] = math.Ldexp(b[i], -s)
		}
	}
	return a, b, s
}

func wassersteinSorted(a, b []float64) float64 {
	n, m := len(a), len(b)
	fn, fm := float64(n), float64(m)
	i, j := 0, 0
	w := 0.0
	prev := math.Min(a[0], b[0])
	// Walk the merged values; between two consecutive values x < y both
	// CDFs are constant, equal to their value at x.
	for i < n || j < m {
		var x float64
		switch {
		case i == n:
			x = b[j]
		case j == m:
			x = a[i]
		default:
			x = min(a[i], b[j])
		}
		w += math.Abs(float64(i)/fn-float64(j)/fm) * (x - prev)
		for i < n && a[i] <= x {
			i++
		}
		for j < m && b[j] <= x {
			j++
		}
		prev = x
	}
	return w
}

// std is np.std(x) (population, ddof=0) of a non-empty slice, two-pass.
func std(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	mean := s / float64(len(x))
	ss := 0.0
	for _, v := range x {
		d := v - mean
		ss += d * d
	}
	return math.Sqrt(ss / float64(len(x)))
}

// NormalizedWasserstein returns Wasserstein(ref, cur) divided by the
// reference's standard deviation, np.std(ref) (see WassersteinResult for
// the constant-reference fallback, which never divides by zero). NaN and
// ±Inf are left out; ErrEmpty when either sample has no finite value.
func NormalizedWasserstein(ref, cur []float64) (WassersteinResult, error) {
	a, b := sortedFinite(ref), sortedFinite(cur)
	if len(a) == 0 || len(b) == 0 {
		return WassersteinResult{}, ErrEmpty
	}
	a, b, s := scaleSorted(a, b)
	w := wassersteinSorted(a, b)
	pooled := func() float64 { return std(append(append(make([]float64, 0, len(a)+len(b)), a...), b...)) }
	return normalize(w, std(a), pooled, 0, s), nil
}

// normalize builds the result from a distance, the reference's standard
// deviation, the pooled one (called only when needed) and an error bound,
// all in units of 2^s.
func normalize(w, refStd float64, pooled func() float64, bound float64, s int) WassersteinResult {
	r := WassersteinResult{Distance: math.Ldexp(w, s)}
	var scale float64
	switch {
	case refStd > 0:
		scale, r.ScaleSource = refStd, ScaleReference
	case w > 0:
		if p := pooled(); p > 0 {
			scale, r.ScaleSource = p, ScalePooled
		}
	}
	if scale == 0 {
		r.ScaleSource = ScaleNone
		return r
	}
	r.Scale = math.Ldexp(scale, s)
	r.Normalized = w / scale
	r.Bound = bound / scale
	return r
}

// WassersteinHistograms estimates the Wasserstein-1 distance from two
// histograms on the same edges (ErrMismatch otherwise), with a rigorous
// error bound, and normalises both by the reference histogram's standard
// deviation (Histogram.Std), with the fallback of WassersteinResult (pooled
// moments).
//
// Bin i spans [l_i, u_i]: its cuts, except that the outer bins end at the
// smallest and largest finite value of either histogram (their exact Min
// and Max); a bin outside that range has width 0. Write w_i = u_i − l_i,
// p_i and q_i for the two samples' shares of the bin and d = F_ref(l_i) −
// F_cur(l_i) for the CDF difference where the bin starts; both CDFs are
// known exactly at every cut. W = Σ_i ∫_bin |F_ref − F_cur|; each bin's
// integral gets an estimate and an interval that surely holds it, and
// Bound adds up the largest distance from each estimate to the ends of its
// interval, so |estimate − W| ≤ Bound always.
//
// (a) Every bin, from the counts alone. Take both CDFs as linear across the
// bin (values spread evenly) and integrate |F_ref − F_cur| exactly (a
// linear function that may change sign once). At a fraction t of the way
// through the bin the true F_ref lies in [F_ref(l_i), F_ref(l_i)+p_i] and
// the linear one is F_ref(l_i)+t·p_i, so they differ by at most
// max(t, 1−t)·p_i one way or the other, likewise for F_cur, and the error
// of |F_ref − F_cur| is at most max(t·p_i + (1−t)·q_i, (1−t)·p_i + t·q_i):
// integrated, w_i·((p_i+q_i)/2 + |p_i−q_i|/4) ≤ w_i·max(p_i, q_i). When the
// difference cannot change sign in the bin (d − q_i ≥ 0 or d + p_i ≤ 0),
// the integral is just ∫(F_ref − F_cur), which lies in
// w_i·[d − q_i, d + p_i], half-width w_i·(p_i+q_i)/2. The estimate is the
// linear one, the centre of the interval.
//
// (b) The two outer bins, where histograms also keep the sum of their
// values (so the mean μ of each sample's values in the bin): ∫ F over the
// bin is F(l_i)·w_i + p_i·(u_i − μ_ref) exactly, so the signed integral
// S = ∫(F_ref − F_cur) is known, and ∫|F_ref − F_cur| = |S| + 2·(the part
// of opposite sign), which is at most w_i·(q_i − d)⁺ when S ≥ 0 and
// w_i·(d + p_i)⁺ when S < 0. The bin's interval is the intersection of this
// one and (a)'s, and the estimate (a)'s moved into it. This matters most: values beyond the reference's range,
// the typical drift, all land in an outer bin, which can be wide.
//
// With 1000 quantile bins the interior bins are narrow and the bound is
// about (interior range)/1000 in the units of the feature; the outer bins
// add little unless both samples have mass there with CDFs that cross.
func WassersteinHistograms(ref, cur *Histogram) (WassersteinResult, error) {
	if !ref.edges.Equal(cur.edges) {
		return WassersteinResult{}, fmt.Errorf("%w: histograms have different edges", ErrMismatch)
	}
	if ref.n == 0 || cur.n == 0 {
		return WassersteinResult{}, ErrEmpty
	}
	// Work in units of 2^s, like the histograms' moments.
	s := max(ref.sexp, cur.sexp)
	sc := func(x float64) float64 { return math.Ldexp(x, -s) }
	lo, hi := sc(math.Min(ref.min, cur.min)), sc(math.Max(ref.max, cur.max))
	cuts := ref.edges.cuts
	last := len(cuts)
	outerKnown := !ref.outerUnknown && !cur.outerUnknown
	fn, fm := float64(ref.n), float64(cur.n)
	var cr, cc int64
	var w, bound float64
	for i := 0; i <= last; i++ {
		l, u := lo, hi
		if i > 0 {
			l = math.Max(sc(cuts[i-1]), lo)
		}
		if i < last {
			u = math.Min(sc(cuts[i]), hi)
		}
		pr, pc := ref.count(i), cur.count(i)
		d0 := float64(cr)/fn - float64(cc)/fm
		cr += pr
		cc += pc
		d1 := float64(cr)/fn - float64(cc)/fm
		width := u - l
		if !(width > 0) {
			continue
		}
		p, q := float64(pr)/fn, float64(pc)/fm
		// (a)
		est := width * absLinearIntegral(d0, d1)
		half := width * ((p+q)/2 + math.Abs(p-q)/4)
		if d0-q >= 0 || d0+p <= 0 {
			half = width * (p + q) / 2
		}
		lowA, highA := est-half, est+half
		// (b)
		if outerKnown && (i == 0 || i == last) {
			sr, su := ref.lowSum, cur.lowSum
			if i == last && i != 0 {
				sr, su = ref.highSum, cur.highSum
			}
			sr, su = math.Ldexp(sr, ref.sexp-s), math.Ldexp(su, cur.sexp-s)
			// ∫F = F(l)·w + Σ_{values v in bin}(u − v)/n
			intR := float64(cr-pr)/fn*width + (float64(pr)*u-sr)/fn
			intC := float64(cc-pc)/fm*width + (float64(pc)*u-su)/fm
			S := intR - intC
			opp := math.Max(0, q-d0)
			if S < 0 {
				opp = math.Max(0, d0+p)
			}
			lowB, highB := math.Abs(S), math.Abs(S)+2*width*opp
			if l, h := math.Max(lowA, lowB), math.Min(highA, highB); l <= h {
				lowA, highA = l, h
			} else {
				// Only rounding can make the intervals miss each other;
				// keep the tighter one.
				if highB-lowB < highA-lowA {
					lowA, highA = lowB, highB
				}
			}
		}
		lowA = math.Max(lowA, 0)
		est = math.Min(math.Max(est, lowA), highA)
		w += est
		bound += math.Max(est-lowA, highA-est)
	}
	pooled := func() float64 {
		h := Histogram{n: ref.n, sexp: ref.sexp, mean: ref.mean, m2: ref.m2}
		h.mergeMomentsOf(cur)
		return math.Ldexp(h.stdScaled(), h.sexp-s)
	}
	return normalize(w, math.Ldexp(ref.stdScaled(), ref.sexp-s), pooled, bound, s), nil
}

// absLinearIntegral is the mean of |d(t)| over t in [0, 1] for d linear
// from d0 to d1.
func absLinearIntegral(d0, d1 float64) float64 {
	if (d0 >= 0) == (d1 >= 0) || d0 == 0 || d1 == 0 {
		return math.Abs(d0+d1) / 2
	}
	a, b := math.Abs(d0), math.Abs(d1)
	return (a*a + b*b) / (2 * (a + b))
}
