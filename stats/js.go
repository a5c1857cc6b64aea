package stats

import (
	"fmt"
	"math"
)

// JSDistance returns the Jensen–Shannon distance, base 2, between two count
// vectors over the same bins: scipy.spatial.distance.jensenshannon(ref,
// cur, base=2). With p and q the shares (counts over their totals) and
// m = (p+q)/2,
//
//	JS = sqrt( (KL(p‖m) + KL(q‖m)) / (2·ln 2) ),
//
// with 0·ln 0 = 0, so empty bins need no floor. It lies in [0, 1]: 0 for
// equal shares, 1 for disjoint supports. Bins are those of PSI. ErrMismatch
// when the lengths differ, ErrEmpty when either vector sums to 0,
// ErrArgument on a negative count.
func JSDistance(ref, cur []int64) (float64, error) {
	nr, nc, err := checkCounts(ref, cur)
	if err != nil {
		return 0, err
	}
	var left, right float64
	for i := range ref {
		p := float64(ref[i]) / nr
		q := float64(cur[i]) / nc
		m := (p + q) / 2
		left += relEntr(p, m)
		right += relEntr(q, m)
	}
	js := (left + right) / math.Ln2
	return math.Sqrt(math.Max(js/2, 0)), nil
}

// relEntr is scipy.special.rel_entr for the arguments JSDistance passes:
// x·ln(x/y), and 0 when x = 0.
func relEntr(x, y float64) float64 {
	if x == 0 {
		return 0
	}
	return x * math.Log(x/y)
}

// JSCritical returns the Jensen–Shannon distance (base 2) that samples of
// sizes n and m over `bins` bins exceed by chance with probability alpha
// under the null hypothesis: sqrt(χ²_{1−α}(bins−1)·(1/n + 1/m)/(8·ln 2)).
// The JS divergence in nats expands to Σ (p_i−q_i)²/(8π_i), one eighth of
// the quadratic form behind PSICritical, so the same chi-square limit
// applies. ErrArgument as for PSICritical.
func JSCritical(n, m int64, bins int, alpha float64) (float64, error) {
	psi, err := PSICritical(n, m, bins, alpha)
	if err != nil {
		return 0, fmt.Errorf("JS critical value: %w", err)
	}
	return math.Sqrt(psi / (8 * math.Ln2)), nil
}
