package stats

import (
	"fmt"
	"math"
)

// BinaryAcc accumulates every binary-classification metric over a stream of
// (score, label, weight) rows, in bounded memory, and merges with another
// accumulator of the same grid and threshold (shards, workers).
//
// Log loss, Brier, ECE and the reliability curve, accuracy, precision,
// recall, F1 and positive rate are exact: they are sums, and merging adds
// them (integer weights add exactly; other sums up to floating-point
// rounding). AUC and average precision are binned on the ScoreGrid given to
// NewBinaryAcc: scores in one bin count as tied, and AUC reports a bound on
// its distance to the exact value.
//
// Choosing the grid. Scores in [0, 1]: ProbabilityScoreGrid(8) (14,851 bins,
// 237 KB) is the same on every shard and needs no first pass; its relative
// bin width is 2^-8 toward both ends, so skewed scores (click-through rates
// of 0.1–1 %, fraud scores near 1) keep their resolution. An equal-width
// UniformScoreGrid(0, 1, 10_000) is simple too, but loses resolution where
// scores crowd near 0 or 1. Unbounded scores (margins, logits): a
// QuantileScoreGrid of a sample every shard shares, such as the reference
// data or the first batch of a single run.
//
// Measured against the exact AUC on 200,000 rows of four score
// distributions (TestAUCBinnedError: binormal, click-through-like, near 1,
// rounded): quantile grids of 1024 and 4096 bins err by at most 2.1e-6,
// ProbabilityScoreGrid(8) by 2.3e-6, UniformScoreGrid(0, 1, 10_000) by
// 3.8e-6, ProbabilityScoreGrid(4) by 1.2e-4. The guaranteed bound AUC()
// reports is looser: 1e-4 to 5e-4 for the same grids.
type BinaryAcc struct {
	grid      ScoreGrid
	threshold float64
	rows      int64
	outside   int64 // scores outside [0, 1]: Brier and ECE are undefined
	w, ll, br float64
	conf      Confusion
	ece       eceAcc
	pos, neg  []float64
}

// NewBinaryAcc returns an empty accumulator binning AUC on grid and
// predicting positive at score ≥ threshold.
func NewBinaryAcc(grid ScoreGrid, threshold float64) (*BinaryAcc, error) {
	if grid.Len() == 0 {
		return nil, fmt.Errorf("binary metrics: empty score grid")
	}
	if math.IsNaN(threshold) {
		return nil, fmt.Errorf("binary metrics: threshold is NaN")
	}
	return &BinaryAcc{
		grid: grid, threshold: threshold,
		conf: Confusion{Threshold: threshold},
		pos:  make([]float64, grid.Len()), neg: make([]float64, grid.Len()),
	}, nil
}

// Add adds one row. A non-finite score, a label other than 0 or 1, or a
// negative or non-finite weight is rejected and leaves the accumulator
// unchanged.
func (a *BinaryAcc) Add(score, label, weight float64) error {
	if math.IsNaN(score) || math.IsInf(score, 0) {
		return metricBadInput("binary metrics", "score %v is not finite", score)
	}
	if label != 0 && label != 1 {
		return metricBadInput("binary metrics", "label %v is not 0 or 1", label)
	}
	if !(weight >= 0) || math.IsInf(weight, 0) {
		return metricBadInput("binary metrics", "weight %v is not a finite number ≥ 0", weight)
	}
	a.rows++
	if score < 0 || score > 1 {
		a.outside++
	}
	if weight == 0 {
		return nil
	}
	a.w += weight
	a.ll += weight * logLossTerm(score, label)
	d := label - score
	a.br += weight * d * d
	a.conf.add(score >= a.threshold, label == 1, weight)
	a.ece.add(score, label, weight)
	if label == 1 {
		a.pos[a.grid.Bin(score)] += weight
	} else {
		a.neg[a.grid.Bin(score)] += weight
	}
	return nil
}

// Merge folds o into a. Both must have equal grids and thresholds.
func (a *BinaryAcc) Merge(o *BinaryAcc) error {
	if !a.grid.Equal(&o.grid) {
		return fmt.Errorf("binary metrics: cannot merge a %s into a %s", o.grid.String(), a.grid.String())
	}
	if a.threshold != o.threshold {
		return fmt.Errorf("binary metrics: cannot merge threshold %v into threshold %v", o.threshold, a.threshold)
	}
	a.rows += o.rows
	a.outside += o.outside
	a.w += o.w
	a.ll += o.ll
	a.br += o.br
	a.conf.TP += o.conf.TP
	a.conf.FP += o.conf.FP
	a.conf.TN += o.conf.TN
	a.conf.FN += o.conf.FN
	a.ece.merge(&o.ece)
	for i := range a.pos {
		a.pos[i] += o.pos[i]
		a.neg[i] += o.neg[i]
	}
	return nil
}

// Rows is the number of rows added, including rows of weight 0.
func (a *BinaryAcc) Rows() int64 { return a.rows }

// Weight is the total weight.
func (a *BinaryAcc) Weight() float64 { return a.w }

// Confusion is the weighted confusion matrix at the threshold.
func (a *BinaryAcc) Confusion() Confusion { return a.conf }

// AUC is the binned AUC and the bound on its distance to the exact AUC.
func (a *BinaryAcc) AUC() (auc, bound float64, err error) {
	if a.outside > 0 && a.grid.kind == gridProb {
		return 0, 0, scoreGridOutside("auc", a.outside)
	}
	auc, err = AUCFromBins(a.pos, a.neg)
	if err != nil {
		return 0, 0, err
	}
	return auc, AUCBinsBound(a.pos, a.neg), nil
}

// LogLoss is the exact log loss.
func (a *BinaryAcc) LogLoss() (float64, error) {
	if !(a.w > 0) {
		return 0, metricUndefined("logloss", "total weight is 0")
	}
	return a.ll / a.w, nil
}

// Brier is the exact Brier score; undefined (an input error) when a score
// fell outside [0, 1].
func (a *BinaryAcc) Brier() (float64, error) {
	if a.outside > 0 {
		return 0, metricBadInput("brier", "%d scores outside [0, 1]", a.outside)
	}
	if !(a.w > 0) {
		return 0, metricUndefined("brier", "total weight is 0")
	}
	return a.br / a.w, nil
}

// Calibration is the exact ECE with its reliability curve; an input error
// when a score fell outside [0, 1].
func (a *BinaryAcc) Calibration() (Calibration, error) {
	if a.outside > 0 {
		return Calibration{}, metricBadInput("ece", "%d scores outside [0, 1]", a.outside)
	}
	return a.ece.result()
}

// Value returns metric m; regression metrics are an error.
func (a *BinaryAcc) Value(m Metric) (float64, error) {
	switch m {
	case MetricAUC:
		v, _, err := a.AUC()
		return v, err
	case MetricPRAUC:
		if a.outside > 0 && a.grid.kind == gridProb {
			return 0, scoreGridOutside("pr_auc", a.outside)
		}
		return AveragePrecisionFromBins(a.pos, a.neg)
	case MetricLogLoss:
		return a.LogLoss()
	case MetricBrier:
		return a.Brier()
	case MetricECE:
		c, err := a.Calibration()
		return c.ECE, err
	case MetricAccuracy:
		return a.conf.Accuracy()
	case MetricPrecision, MetricRecall, MetricF1:
		if !(a.w > 0) {
			return 0, metricUndefined(string(m), "total weight is 0")
		}
		switch m {
		case MetricPrecision:
			return a.conf.Precision(), nil
		case MetricRecall:
			return a.conf.Recall(), nil
		}
		return a.conf.F1(), nil
	case MetricPositiveRate:
		return a.conf.PositiveRate()
	}
	return 0, fmt.Errorf("binary metrics: metric %q is not a binary-classification metric", m)
}
