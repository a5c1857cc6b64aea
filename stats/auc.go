package stats

import (
	"math"
	"slices"
)

// AUC is the area under the ROC curve of scores against 0/1 labels, with
// optional weights: the weighted share of (positive, negative) pairs in which
// the positive scores higher, a tie counting half. It equals scikit-learn's
// roc_auc_score(labels, scores, sample_weight=weights) (the trapezoid under
// the ROC curve, whose ties are diagonal segments). Rows of weight 0 are
// ignored. It is undefined (ErrMetricUndefined) unless both classes have
// positive weight.
//
// Cost: O(n log n); the scores are radix-sorted on their float64 bits.
func AUC(scores, labels, weights []float64) (float64, error) {
	const name = "auc"
	if err := metricCheck(name, scores, labels, weights, true, false); err != nil {
		return 0, err
	}
	pos, neg, err := aucSplit(name, scores, labels, weights)
	if err != nil {
		return 0, err
	}
	if weights != nil {
		aucRescale(pos)
		aucRescale(neg)
	}
	return aucSorted(pos, neg), nil
}

// AveragePrecision is the area under the precision–recall curve as a step
// function: Σ over distinct score thresholds (highest first) of
// (recall gained) × (precision at that threshold). It equals scikit-learn's
// average_precision_score(labels, scores, sample_weight=weights). It is
// undefined (ErrMetricUndefined) without positive weight (scikit-learn
// returns 0 there with a warning).
func AveragePrecision(scores, labels, weights []float64) (float64, error) {
	const name = "pr_auc"
	if err := metricCheck(name, scores, labels, weights, true, false); err != nil {
		return 0, err
	}
	pos, neg, err := aucSplit(name, scores, labels, weights)
	if err != nil && len(pos) > 0 {
		// Only negatives are missing: every threshold has precision 1.
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	return apSorted(pos, neg), nil
}

// aucItem is one row: its score as a sortable key, and its weight.
type aucItem struct {
	key uint64
	w   float64
}

// aucKey maps a finite float64 to a uint64 with the same order; -0 and +0
// map to the same key.
func aucKey(s float64) uint64 {
	if s == 0 {
		s = 0
	}
	b := math.Float64bits(s)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// aucSplit returns the positive and the negative rows of positive weight,
// each sorted by score. It fails when a class has no weight.
func aucSplit(name string, scores, labels, weights []float64) (pos, neg []aucItem, err error) {
	np := 0
	for _, y := range labels {
		if y == 1 {
			np++
		}
	}
	pos = make([]aucItem, 0, np)
	neg = make([]aucItem, 0, len(labels)-np)
	for i, s := range scores {
		w := metricWeightAt(weights, i)
		if w == 0 {
			continue
		}
		it := aucItem{aucKey(s), w}
		if labels[i] == 1 {
			pos = append(pos, it)
		} else {
			neg = append(neg, it)
		}
	}
	if len(pos) == 0 || len(neg) == 0 {
		return pos, neg, metricUndefined(name, "needs both classes: %d positive and %d negative rows of positive weight", len(pos), len(neg))
	}
	aucRadixSort(pos)
	aucRadixSort(neg)
	return pos, neg, nil
}

// aucRescale multiplies the weights by the power of two that brings the
// largest into [0.5, 1), so that sums neither overflow nor underflow. AUC
// does not change when one class's weights are all multiplied by the same
// number (average precision does: apSorted scales both classes alike).
func aucRescale(items []aucItem) {
	maxW := 0.0
	for _, it := range items {
		maxW = max(maxW, it.w)
	}
	_, e := math.Frexp(maxW)
	if e == 0 {
		return
	}
	for i := range items {
		items[i].w = math.Ldexp(items[i].w, -e)
	}
}

// aucSorted computes the AUC of positives and negatives sorted by key.
func aucSorted(pos, neg []aucItem) float64 {
	var P, N float64
	for _, it := range pos {
		P += it.w
	}
	for _, it := range neg {
		N += it.w
	}
	var u, below float64 // below: negative weight strictly below the current key
	j := 0
	for i := 0; i < len(pos); {
		k := pos[i].key
		var wp float64
		for ; i < len(pos) && pos[i].key == k; i++ {
			wp += pos[i].w
		}
		for ; j < len(neg) && neg[j].key < k; j++ {
			below += neg[j].w
		}
		var eq float64
		for ; j < len(neg) && neg[j].key == k; j++ {
			eq += neg[j].w
		}
		u += wp * (below + 0.5*eq)
		below += eq
	}
	return aucClamp(u / P / N)
}

// apSorted computes average precision from positives and negatives sorted
// ascending by key, walking thresholds from the highest score down.
func apSorted(pos, neg []aucItem) float64 {
	// One common power-of-two scale for both classes: precision mixes them.
	maxW := 0.0
	for _, it := range pos {
		maxW = max(maxW, it.w)
	}
	for _, it := range neg {
		maxW = max(maxW, it.w)
	}
	_, e := math.Frexp(maxW)
	var P float64
	for _, it := range pos {
		P += math.Ldexp(it.w, -e)
	}
	if !(P > 0) {
		return 0
	}
	var tp, fp, ap float64
	i, j := len(pos)-1, len(neg)-1
	for i >= 0 {
		k := pos[i].key
		if j >= 0 && neg[j].key > k {
			k = neg[j].key
		}
		var wp, wn float64
		for ; i >= 0 && pos[i].key == k; i-- {
			wp += math.Ldexp(pos[i].w, -e)
		}
		for ; j >= 0 && neg[j].key == k; j-- {
			wn += math.Ldexp(neg[j].w, -e)
		}
		tp += wp
		fp += wn
		if wp > 0 {
			ap += wp / P * (tp / (tp + fp))
		}
	}
	return aucClamp(ap)
}

func aucClamp(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

// aucRadixSort sorts items by key: least-significant-digit radix sort on
// 11-bit digits, skipping the digits every key shares (the leading bits of
// probabilities mostly are), falling back to pdqsort for short slices.
func aucRadixSort(items []aucItem) {
	if len(items) < 256 {
		slices.SortFunc(items, func(a, b aucItem) int {
			switch {
			case a.key < b.key:
				return -1
			case a.key > b.key:
				return 1
			}
			return 0
		})
		return
	}
	const bits, passes = 11, 6
	const size = 1 << bits
	var count [passes][size]int
	for _, it := range items {
		k := it.key
		for p := 0; p < passes; p++ {
			count[p][(k>>(p*bits))&(size-1)]++
		}
	}
	buf := make([]aucItem, len(items))
	src, dst := items, buf
	for p := 0; p < passes; p++ {
		c := &count[p]
		if c[(src[0].key>>(p*bits))&(size-1)] == len(src) {
			continue // every key has this digit
		}
		sum := 0
		for d := range c {
			n := c[d]
			c[d] = sum
			sum += n
		}
		shift := uint(p * bits)
		for _, it := range src {
			d := (it.key >> shift) & (size - 1)
			dst[c[d]] = it
			c[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &items[0] {
		copy(items, src)
	}
}

// AUCFromBins is the AUC of scores summarised by a monotone binning: pos[i]
// and neg[i] are the positive and negative weight of bin i, bins in
// ascending score order. Pairs within a bin count as ties (half). It is
// undefined unless both classes have positive weight.
//
// Error bound: the exact AUC of the underlying rows differs from this value
// by at most AUCBinsBound(pos, neg) = ½·Σ pos[i]·neg[i] / (P·N), half the
// weight share of the in-bin pairs, whose order the bins hide. With b
// equal-count (quantile) bins the bound is about 1/(2b) for a model whose
// bins all hold the same share of positives, and smaller for a model that
// separates the classes. The actual error is far below the bound, because
// the in-bin pairs of a fine bin split close to evenly: the tests measure it
// on 200,000 rows (see auc_test.go and the package README figures).
func AUCFromBins(pos, neg []float64) (float64, error) {
	const name = "auc"
	P, N, err := aucBinTotals(name, pos, neg)
	if err != nil {
		return 0, err
	}
	var u, below float64
	for i, wp := range pos {
		wn := neg[i]
		u += wp / P * (below + 0.5*wn/N)
		below += wn / N
	}
	return aucClamp(u), nil
}

// AUCBinsBound is the largest possible difference between AUCFromBins(pos,
// neg) and the exact AUC of the rows the bins summarise: half the weight
// share of the (positive, negative) pairs that fall in the same bin.
func AUCBinsBound(pos, neg []float64) float64 {
	P, N, err := aucBinTotals("auc", pos, neg)
	if err != nil {
		return 0
	}
	var s float64
	for i, wp := range pos {
		s += wp / P * (neg[i] / N)
	}
	return 0.5 * s
}

// AveragePrecisionFromBins is average precision over binned scores (each bin
// is one threshold; bins in ascending score order). It is undefined without
// positive weight.
func AveragePrecisionFromBins(pos, neg []float64) (float64, error) {
	const name = "pr_auc"
	if len(pos) != len(neg) {
		return 0, metricBadInput(name, "%d positive bins but %d negative bins", len(pos), len(neg))
	}
	var P float64
	for i, w := range pos {
		if !(w >= 0) || math.IsInf(w, 0) || !(neg[i] >= 0) || math.IsInf(neg[i], 0) {
			return 0, metricBadInput(name, "bin %d: weights %v and %v must be finite and ≥ 0", i, w, neg[i])
		}
		P += w
	}
	if !(P > 0) {
		return 0, metricUndefined(name, "no positive weight")
	}
	var tp, fp, ap float64
	for i := len(pos) - 1; i >= 0; i-- {
		tp += pos[i]
		fp += neg[i]
		if pos[i] > 0 {
			ap += pos[i] / P * (tp / (tp + fp))
		}
	}
	return aucClamp(ap), nil
}

func aucBinTotals(name string, pos, neg []float64) (P, N float64, err error) {
	if len(pos) != len(neg) {
		return 0, 0, metricBadInput(name, "%d positive bins but %d negative bins", len(pos), len(neg))
	}
	for i, w := range pos {
		if !(w >= 0) || math.IsInf(w, 0) || !(neg[i] >= 0) || math.IsInf(neg[i], 0) {
			return 0, 0, metricBadInput(name, "bin %d: weights %v and %v must be finite and ≥ 0", i, w, neg[i])
		}
		P += w
		N += neg[i]
	}
	if !(P > 0) || !(N > 0) {
		return 0, 0, metricUndefined(name, "needs both classes: positive weight %v, negative weight %v", P, N)
	}
	if math.IsInf(P, 0) || math.IsInf(N, 0) {
		return 0, 0, metricBadInput(name, "total weight overflows")
	}
	return P, N, nil
}

// BinnedAUC is AUCFromBins over the bins of grid: scores are binned, then
// the AUC is computed treating in-bin pairs as ties. It also returns the
// bound on its distance to the exact AUC (AUCBinsBound).
func BinnedAUC(scores, labels, weights []float64, grid ScoreGrid) (auc, bound float64, err error) {
	const name = "auc"
	if err := metricCheck(name, scores, labels, weights, true, false); err != nil {
		return 0, 0, err
	}
	if grid.Len() == 0 {
		return 0, 0, metricBadInput(name, "empty score grid")
	}
	if grid.kind == gridProb {
		var outside int64
		for _, s := range scores {
			if s < 0 || s > 1 {
				outside++
			}
		}
		if outside > 0 {
			return 0, 0, scoreGridOutside(name, outside)
		}
	}
	pos := make([]float64, grid.Len())
	neg := make([]float64, grid.Len())
	for i, s := range scores {
		w := metricWeightAt(weights, i)
		if labels[i] == 1 {
			pos[grid.Bin(s)] += w
		} else {
			neg[grid.Bin(s)] += w
		}
	}
	auc, err = AUCFromBins(pos, neg)
	if err != nil {
		return 0, 0, err
	}
	return auc, AUCBinsBound(pos, neg), nil
}
