package stats

import (
	"fmt"
	"math"
)

// DefaultAlpha is the significance level of the critical values ("the
// smallest effect the sample could detect") that the comparisons report
// beside each statistic.
const DefaultAlpha = 0.05

// KSResult is a two-sample Kolmogorov–Smirnov comparison.
type KSResult struct {
	// D is the statistic sup_x |F_ref(x) − F_cur(x)| over the finite values.
	D float64
	// PValue is the two-sided p-value of scipy.stats.ks_2samp(ref, cur)
	// (method='auto'), to 1e-9; Method is how it was computed, "exact"
	// when max(N, M) ≤ 10 000 and "asymp" otherwise. One exception: for
	// N ≠ M ≤ 10 000 with a p-value surely below 1e-12 the slow exact
	// recursion is skipped and Method is "asymp" (see KSPValue).
	PValue float64
	Method string
	// N and M are the numbers of finite reference and current values.
	N, M int64
	// Critical is KSCritical(N, M, DefaultAlpha): the smallest D this pair
	// of sample sizes can tell from sampling noise at the 5% level.
	Critical float64
	// Bound is 0 when D comes from the raw samples. From histograms the
	// exact D lies in [D, D+Bound], and Bound ≤ the largest share of either
	// sample in a single bin (see KSHistograms).
	Bound float64
}

// KS compares two samples exactly: D is scipy.stats.ks_2samp(ref,
// cur).statistic and PValue its pvalue (alternative='two-sided',
// method='auto'), to 1e-9. Like scipy, D is the largest difference between
// the empirical CDFs evaluated at every sample value (ties handled by
// counting values ≤ x), and the exact method reports it rounded to a
// multiple of 1/lcm(N, M). NaN and ±Inf are left out (scipy would sort
// them in); ErrEmpty when either sample has no finite value. The samples
// are copied, not reordered.
func KS(ref, cur []float64) (KSResult, error) {
	a, b := sortedFinite(ref), sortedFinite(cur)
	if len(a) == 0 || len(b) == 0 {
		return KSResult{}, ErrEmpty
	}
	n, m := len(a), len(b)
	fn, fm := float64(n), float64(m)
	var maxS, minS float64
	i, j := 0, 0
	for i < n || j < m {
		var v float64
		switch {
		case i == n:
			v = b[j]
		case j == m:
			v = a[i]
		default:
			v = min(a[i], b[j])
		}
		for i < n && a[i] <= v {
			i++
		}
		for j < m && b[j] <= v {
			j++
		}
		d := float64(i)/fn - float64(j)/fm
		maxS = max(maxS, d)
		minS = min(minS, d)
	}
	return ksResult(max(maxS, -minS), int64(n), int64(m), 0), nil
}

func ksResult(d float64, n, m int64, bound float64) KSResult {
	p, dd, method := ksTwoSamplePValue(d, n, m)
	crit, _ := KSCritical(n, m, DefaultAlpha)
	return KSResult{D: dd, PValue: p, Method: method, N: n, M: m, Critical: crit, Bound: bound}
}

// KSHistograms compares two histograms on the same edges (ErrMismatch
// otherwise) with the KS statistic evaluated at the cuts:
// D_h = max_k |F_ref(c_k) − F_cur(c_k)|, where F(c_k) is the share of
// values in bins 0..k, which is exact at the cuts because the bins are
// right-closed. PValue applies the method of KS to D_h and the sizes.
//
// Error bound. Let p_i and q_i be the shares of the two samples in bin i =
// (c_{i−1}, c_i], and d_i = F_ref(c_i) − F_cur(c_i) (d = 0 at −Inf and
// +Inf). For x in bin i both CDFs are non-decreasing, so
// F_ref(x) − F_cur(x) ≤ F_ref(c_i) − F_cur(c_{i−1}) = d_{i−1} + p_i and
// F_cur(x) − F_ref(x) ≤ q_i − d_{i−1}. Hence the exact D satisfies
//
//	D_h ≤ D ≤ max_i max(d_{i−1} + p_i, q_i − d_{i−1}) ≤ D_h + max_i max(p_i, q_i),
//
// and Bound is the middle term minus D_h: the exact statistic lies in
// [D, D+Bound], and Bound is at most the largest single-bin share of either
// sample. With 1000 quantile bins of the reference, each bin holds about
// 0.1% of the reference, so the bound is about 0.001 plus whatever the
// current sample piles into one bin (a point mass, or values beyond the
// reference's range, which the outer bins collect).
func KSHistograms(ref, cur *Histogram) (KSResult, error) {
	if !ref.edges.Equal(cur.edges) {
		return KSResult{}, fmt.Errorf("%w: histograms have different edges", ErrMismatch)
	}
	if ref.n == 0 || cur.n == 0 {
		return KSResult{}, ErrEmpty
	}
	fn, fm := float64(ref.n), float64(cur.n)
	var cr, cc int64 // cumulative counts
	var dh, upper, prev float64
	for i := 0; i < ref.edges.Bins(); i++ {
		pr, pc := ref.count(i), cur.count(i)
		upper = max(upper, prev+float64(pr)/fn, float64(pc)/fm-prev)
		cr += pr
		cc += pc
		d := float64(cr)/fn - float64(cc)/fm
		dh = max(dh, math.Abs(d))
		prev = d
	}
	return ksResult(dh, ref.n, cur.n, max(0, upper-dh)), nil
}

// KSCritical returns c(α)·sqrt((n+m)/(n·m)) with c(α) = sqrt(−ln(α/2)/2):
// the asymptotic critical value of the two-sample KS statistic at level α
// (c(0.05) = 1.3581), i.e. the smallest D that samples of sizes n and m can
// distinguish from sampling noise. ErrArgument unless 0 < α < 1 and
// n, m ≥ 1.
func KSCritical(n, m int64, alpha float64) (float64, error) {
	if !(alpha > 0 && alpha < 1) || n < 1 || m < 1 {
		return 0, fmt.Errorf("%w: KS critical value needs 0 < alpha < 1 and sizes ≥ 1, got alpha=%v, n=%d, m=%d", ErrArgument, alpha, n, m)
	}
	c := math.Sqrt(-math.Log(alpha/2) / 2)
	fn, fm := float64(n), float64(m)
	return c * math.Sqrt((fn+fm)/(fn*fm)), nil
}

// KSPValue returns the two-sided p-value scipy.stats.ks_2samp reports for
// statistic d between samples of sizes n and m (method='auto'), and the
// method: "exact" or "asymp". The exact method counts lattice paths in
// O(n·m·d) steps (up to about 0.1 s at n ≈ m ≈ 10 000); when Massart's
// inequality bounds the p-value by 4·exp(−2d²·nm/(√n+√m)²) < 1e-12 for
// n ≠ m, that count is skipped and the smaller of the bound and the
// asymptotic value is returned as "asymp", within 1e-12 of scipy's exact
// value. ErrArgument unless n, m ≥ 1 and 0 ≤ d ≤ 1.
func KSPValue(d float64, n, m int64) (float64, string, error) {
	if n < 1 || m < 1 || !(d >= 0 && d <= 1) {
		return 0, "", fmt.Errorf("%w: KS p-value needs sizes ≥ 1 and 0 ≤ d ≤ 1, got d=%v, n=%d, m=%d", ErrArgument, d, n, m)
	}
	p, _, method := ksTwoSamplePValue(d, n, m)
	return p, method, nil
}

// KolmogorovSF returns Pr(D_n ≥ x) for the two-sided one-sample KS
// statistic of n values, scipy.stats.kstwo.sf(x, n); ks_2samp's asymptotic
// p-value is KolmogorovSF(round(nm/(n+m)), D).
func KolmogorovSF(n int64, x float64) float64 {
	if n < 1 || math.IsNaN(x) {
		return 1
	}
	return kolmogorovSF(n, x)
}
