package stats

import "math"

// ECEBins is the number of equal-width bins over [0, 1] of the expected
// calibration error and the reliability curve.
const ECEBins = 10

// ReliabilityBin is one point of a reliability curve: the rows whose score
// falls in (Lo, Hi] (the first bin also holds 0), their mean score and their
// observed positive rate.
type ReliabilityBin struct {
	Lo            float64 `json:"lo"`
	Hi            float64 `json:"hi"`
	MeanPredicted float64 `json:"mean_predicted"` // weighted mean score in the bin
	ObservedRate  float64 `json:"observed_rate"`  // weighted share of positives in the bin
	Count         float64 `json:"count"`          // total weight in the bin: the number of rows when unweighted
}

// Calibration is the expected calibration error with the reliability curve
// it is computed from.
type Calibration struct {
	// ECE = Σ over bins of (bin weight / total weight)·|ObservedRate −
	// MeanPredicted|.
	ECE float64
	// Bins are the bins of positive weight, ascending; empty bins are left
	// out, as in scikit-learn's calibration_curve.
	Bins []ReliabilityBin
}

// ECE is the expected calibration error over ECEBins equal-width bins of
// [0, 1]: Σ_k (W_k/W)·|acc_k − conf_k|, where W_k is bin k's weight, acc_k its
// weighted positive rate and conf_k its weighted mean score. Scores must lie
// in [0, 1]. Binning follows scikit-learn's calibration_curve(strategy=
// "uniform", n_bins=10): the interior edges are 0.1, 0.2, ... (computed as
// i·0.1), and a score equal to an edge belongs to the lower bin. Undefined
// when the total weight is 0.
func ECE(scores, labels, weights []float64) (float64, error) {
	c, err := ReliabilityCurve(scores, labels, weights)
	return c.ECE, err
}

// ReliabilityCurve returns the ECE together with the per-bin points of the
// reliability curve (mean predicted, observed rate, weight), computed as in
// ECE. Unweighted, the points equal scikit-learn's calibration_curve.
func ReliabilityCurve(scores, labels, weights []float64) (Calibration, error) {
	const name = "ece"
	if err := metricCheck(name, scores, labels, weights, true, true); err != nil {
		return Calibration{}, err
	}
	var acc eceAcc
	for i, p := range scores {
		acc.add(p, labels[i], metricWeightAt(weights, i))
	}
	return acc.result()
}

// eceAcc accumulates the per-bin sums of the ECE.
type eceAcc struct {
	w, wy, wp [ECEBins]float64
}

func (a *eceAcc) add(p, y, w float64) {
	k := eceBin(p)
	a.w[k] += w
	a.wy[k] += w * y
	a.wp[k] += w * p
}

func (a *eceAcc) merge(o *eceAcc) {
	for k := range a.w {
		a.w[k] += o.w[k]
		a.wy[k] += o.wy[k]
		a.wp[k] += o.wp[k]
	}
}

func (a *eceAcc) result() (Calibration, error) {
	var c Calibration
	var total, gap float64
	for k := range a.w {
		total += a.w[k]
		gap += math.Abs(a.wy[k] - a.wp[k])
	}
	if !(total > 0) {
		return c, metricUndefined("ece", "total weight is 0")
	}
	c.ECE = gap / total
	for k, w := range a.w {
		if !(w > 0) {
			continue
		}
		c.Bins = append(c.Bins, ReliabilityBin{
			Lo: eceEdge(k), Hi: eceEdge(k + 1),
			MeanPredicted: a.wp[k] / w, ObservedRate: a.wy[k] / w, Count: w,
		})
	}
	return c, nil
}

// eceEdge is the k-th edge of the ECE bins, as numpy's linspace(0, 1, 11)
// computes it (k·0.1, so edge 3 is 0.30000000000000004).
func eceEdge(k int) float64 {
	if k >= ECEBins {
		return 1
	}
	return float64(k) * (1.0 / ECEBins)
}

// eceBin is the number of interior edges strictly below p (numpy
// searchsorted(edges[1:-1], p, side="left")): p in (edge k, edge k+1] is in
// bin k, and 0 is in bin 0.
func eceBin(p float64) int {
	if !(p > 0) {
		return 0
	}
	if p >= 1 {
		return ECEBins - 1
	}
	k := min(int(p*ECEBins), ECEBins-1)
	for k > 0 && eceEdge(k) >= p {
		k--
	}
	for k < ECEBins-1 && eceEdge(k+1) < p {
		k++
	}
	return k
}
