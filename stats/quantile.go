package stats

import (
	"math"
)

// Quantile returns the q-quantile of sorted, an ascending slice of finite
// values, with numpy's default method: np.quantile(x, q) with
// method='linear' (Hyndman & Fan type 7). The virtual index is
// h = (n−1)·q; with i = floor(h) and t = h − i the result interpolates
// between sorted[i] and sorted[i+1] exactly as numpy's _lerp does:
// a + (b−a)·t when t < 0.5 and b − (b−a)·(1−t) otherwise, so that the
// result is bit-for-bit numpy's. q is clamped to [0, 1]. Quantile returns
// ErrEmpty when sorted is empty and never sorts or copies its input.
func Quantile(sorted []float64, q float64) (float64, error) {
	if len(sorted) == 0 {
		return 0, ErrEmpty
	}
	return quantileSorted(sorted, q), nil
}

func quantileSorted(sorted []float64, q float64) float64 {
	n := len(sorted)
	if !(q > 0) { // also catches NaN
		q = 0
	}
	if q > 1 {
		q = 1
	}
	h := float64(n-1) * q
	if h >= float64(n-1) {
		return sorted[n-1]
	}
	lo := math.Floor(h)
	i := int(lo)
	t := h - lo
	a, b := sorted[i], sorted[i+1]
	d := b - a
	if !isFinite(d) {
		// b − a overflows only for values of opposite signs near
		// ±MaxFloat64, where numpy returns ±Inf or NaN; this stays finite.
		return a*(1-t) + b*t
	}
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
}

// Quantiles returns np.quantile(x, qs) (method='linear') of the finite
// values of sample, one result per entry of qs. NaN and ±Inf are left out
// (numpy would return NaN for a sample holding NaN); the sample is copied,
// never reordered. It returns ErrEmpty when sample holds no finite value.
func Quantiles(sample []float64, qs []float64) ([]float64, error) {
	sorted := sortedFinite(sample)
	if len(sorted) == 0 {
		return nil, ErrEmpty
	}
	out := make([]float64, len(qs))
	for i, q := range qs {
		out[i] = quantileSorted(sorted, q)
	}
	return out, nil
}

// sortedFinite returns an ascending copy of the finite values of xs.
func sortedFinite(xs []float64) []float64 {
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		if isFinite(x) {
			out = append(out, x)
		}
	}
	sortFloats(out)
	return out
}

// isFinite reports whether x is neither NaN nor ±Inf: x−x is 0 for every
// finite x and NaN otherwise.
func isFinite(x float64) bool { return x-x == 0 }
