package stats

import (
	"fmt"
	"math"
)

// PSIFloor is the share an empty bin is floored at before PSI takes
// logarithms (DESIGN §3).
const PSIFloor = 1e-4

// PSI returns the population stability index of two count vectors over the
// same bins (ErrMismatch when their lengths differ):
//
//	PSI = Σ_i (p_i − q_i)·ln(p_i/q_i),  p_i = max(ref_i/Σref, 1e-4),  q_i = max(cur_i/Σcur, 1e-4).
//
// Shares are floored at PSIFloor and not renormalised; for an empty bin
// this is the usual replacement of 0 by 1e-4 (Evidently, and the common
// numpy recipes), and a bin holding less than 1e-4 of its sample counts as
// 1e-4 too, so PSI never rewards a bin for being almost empty rather than
// empty. PSI is symmetric in ref and cur and is 0 for equal shares.
//
// Numeric features use the decile bins of the reference
// (QuantileEdges(reference, 10), or of the pooled data without a
// reference); categorical features one bin per value (the top 50 values of
// the reference plus one bin for every other value). ErrEmpty when either
// vector sums to 0; ErrArgument on a negative count.
func PSI(ref, cur []int64) (float64, error) {
	nr, nc, err := checkCounts(ref, cur)
	if err != nil {
		return 0, err
	}
	psi := 0.0
	for i := range ref {
		p := math.Max(float64(ref[i])/nr, PSIFloor)
		q := math.Max(float64(cur[i])/nc, PSIFloor)
		psi += (p - q) * math.Log(p/q)
	}
	return psi, nil
}

// checkCounts validates two count vectors over the same bins and returns
// their totals.
func checkCounts(ref, cur []int64) (nr, nc float64, err error) {
	if len(ref) != len(cur) {
		return 0, 0, fmt.Errorf("%w: %d reference bins and %d current bins", ErrMismatch, len(ref), len(cur))
	}
	var sr, sc int64
	for i := range ref {
		if ref[i] < 0 || cur[i] < 0 {
			return 0, 0, fmt.Errorf("%w: negative count in bin %d", ErrArgument, i)
		}
		sr += ref[i]
		sc += cur[i]
	}
	if sr == 0 || sc == 0 {
		return 0, 0, ErrEmpty
	}
	return float64(sr), float64(sc), nil
}

// PSICritical returns the PSI that samples of sizes n and m over `bins`
// bins exceed by chance with probability alpha when both come from the
// same distribution: χ²_{1−α}(bins−1)·(1/n + 1/m).
//
// Why: PSI is the symmetrised Kullback–Leibler divergence of the two
// shares, whose second-order expansion around the common distribution π is
// Σ (p_i−q_i)²/π_i; multiplied by nm/(n+m) that is Pearson's chi-square of
// the 2×bins table, asymptotically χ²(bins−1) under the null hypothesis
// (Yurdakul 2018, "Statistical properties of population stability index").
// This holds for bins fixed in advance and, to first order, for quantile
// bins of the reference too: the true mass of a bin between two sample
// quantiles varies around its nominal share with the same variance
// π(1−π)/n as a fixed bin's sample share. The 1e-4 floor and bins with
// fewer than about 5 expected values make it approximate. A PSI below this
// value is within sampling noise; a gate limit below it cannot be met
// reliably even by identical distributions. ErrArgument unless n, m ≥ 1,
// bins ≥ 2 and 0 < alpha < 1.
func PSICritical(n, m int64, bins int, alpha float64) (float64, error) {
	if n < 1 || m < 1 || bins < 2 || !(alpha > 0 && alpha < 1) {
		return 0, fmt.Errorf("%w: PSI critical value needs sizes ≥ 1, bins ≥ 2 and 0 < alpha < 1, got n=%d, m=%d, bins=%d, alpha=%v", ErrArgument, n, m, bins, alpha)
	}
	c, err := ChiSquareQuantile(1-alpha, bins-1)
	if err != nil {
		return 0, err
	}
	return c * (1/float64(n) + 1/float64(m)), nil
}
