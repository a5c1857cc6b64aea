package stats

import (
	"errors"
	"fmt"
	"math"
)

// Model-performance metrics.
//
// Every function here takes scores (or predictions), labels (or targets) and
// optional per-row weights as plain []float64 of equal length. A nil weights
// slice means every row weighs 1; weights follow scikit-learn's sample_weight
// (a row of weight 2 counts as two identical rows, weight 0 removes it), which
// is what lets the bootstrap resample with Poisson weights.
//
// Input rules, shared by all metrics:
//   - scores, labels and weights must be finite (NaN and ±Inf are input errors,
//     as in scikit-learn);
//   - binary labels must be exactly 0 or 1;
//   - weights must be ≥ 0 (scikit-learn accepts negative weights; replaygate
//     does not);
//   - Brier and ECE need scores in [0, 1]; log loss clips them to
//     [1e-15, 1−1e-15] instead.
//
// Errors wrap ErrMetricInput (the rows break a rule above) or
// ErrMetricUndefined (the metric has no value on these rows: zero total
// weight, AUC with one class, ...). No metric ever returns NaN.

// ErrMetricUndefined is wrapped by the error a metric returns when it has no
// value on the given rows: zero total weight, AUC on rows of a single class,
// average precision without positives, R² on fewer than two rows.
var ErrMetricUndefined = errors.New("metric undefined")

// ErrMetricInput is wrapped by the error a metric returns when its input
// breaks a rule: slices of different lengths, a non-finite value, a label
// other than 0 or 1, a negative weight, a probability outside [0, 1].
var ErrMetricInput = errors.New("invalid metric input")

// LogLossEps is the clipping bound of log loss: p is clipped to
// [LogLossEps, 1−LogLossEps] (scikit-learn's log_loss with eps=1e-15).
const LogLossEps = 1e-15

// Metric names a model-performance metric, as written in a spec.
type Metric string

// The metrics replaygate computes.
const (
	MetricAUC          Metric = "auc"           // ROC AUC, ties count half
	MetricPRAUC        Metric = "pr_auc"        // average precision
	MetricLogLoss      Metric = "logloss"       // mean negative log-likelihood, p clipped
	MetricBrier        Metric = "brier"         // mean squared error of the probability
	MetricECE          Metric = "ece"           // expected calibration error, 10 equal-width bins
	MetricAccuracy     Metric = "accuracy"      // at the threshold
	MetricPrecision    Metric = "precision"     // at the threshold; 0 when nothing is predicted positive
	MetricRecall       Metric = "recall"        // at the threshold; 0 when there are no positives
	MetricF1           Metric = "f1"            // at the threshold; 0 when precision and recall are 0
	MetricPositiveRate Metric = "positive_rate" // share of rows predicted positive; needs no label
	MetricRMSE         Metric = "rmse"          // regression
	MetricMAE          Metric = "mae"           // regression
	MetricR2           Metric = "r2"            // regression
)

// Metrics lists every metric, in a stable order.
var Metrics = []Metric{
	MetricAUC, MetricPRAUC, MetricLogLoss, MetricBrier, MetricECE,
	MetricAccuracy, MetricPrecision, MetricRecall, MetricF1, MetricPositiveRate,
	MetricRMSE, MetricMAE, MetricR2,
}

// Direction says which way a metric improves.
type Direction int

// Directions.
const (
	Neutral        Direction = 0 // neither (positive_rate)
	HigherIsBetter Direction = 1
	LowerIsBetter  Direction = -1
)

// ParseMetric returns the metric named s, or an error listing the names.
func ParseMetric(s string) (Metric, error) {
	for _, m := range Metrics {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown metric %q (known: auc, pr_auc, logloss, brier, ece, accuracy, precision, recall, f1, positive_rate, rmse, mae, r2)", s)
}

// Direction reports which way m improves.
func (m Metric) Direction() Direction {
	switch m {
	case MetricAUC, MetricPRAUC, MetricAccuracy, MetricPrecision, MetricRecall, MetricF1, MetricR2:
		return HigherIsBetter
	case MetricLogLoss, MetricBrier, MetricECE, MetricRMSE, MetricMAE:
		return LowerIsBetter
	}
	return Neutral
}

// Regression reports whether m compares a real-valued prediction with a
// real-valued target (rmse, mae, r2) rather than a score with a 0/1 label.
func (m Metric) Regression() bool {
	return m == MetricRMSE || m == MetricMAE || m == MetricR2
}

// NeedsLabel reports whether m needs a label (all but positive_rate).
func (m Metric) NeedsLabel() bool { return m != MetricPositiveRate }

// metricUndefined returns an error wrapping ErrMetricUndefined.
func metricUndefined(name, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", name, ErrMetricUndefined, fmt.Sprintf(format, args...))
}

// metricBadInput returns an error wrapping ErrMetricInput.
func metricBadInput(name, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", name, ErrMetricInput, fmt.Sprintf(format, args...))
}

// metricCheck validates the common shape of a metric's input. binary asks for
// 0/1 labels; unit asks for scores in [0, 1].
func metricCheck(name string, scores, labels, weights []float64, binary, unit bool) error {
	if len(labels) != len(scores) {
		return metricBadInput(name, "%d scores but %d labels", len(scores), len(labels))
	}
	if weights != nil && len(weights) != len(scores) {
		return metricBadInput(name, "%d scores but %d weights", len(scores), len(weights))
	}
	for i, s := range scores {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return metricBadInput(name, "row %d: score %v is not finite", i, s)
		}
		if unit && (s < 0 || s > 1) {
			return metricBadInput(name, "row %d: score %v is outside [0, 1]", i, s)
		}
	}
	for i, y := range labels {
		if binary {
			if y != 0 && y != 1 {
				return metricBadInput(name, "row %d: label %v is not 0 or 1", i, y)
			}
		} else if math.IsNaN(y) || math.IsInf(y, 0) {
			return metricBadInput(name, "row %d: target %v is not finite", i, y)
		}
	}
	for i, w := range weights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return metricBadInput(name, "row %d: weight %v is not a finite number ≥ 0", i, w)
		}
	}
	return nil
}

// metricWeightAt returns row i's weight (1 when weights is nil).
func metricWeightAt(weights []float64, i int) float64 {
	if weights == nil {
		return 1
	}
	return weights[i]
}

// clipProb clips p to [LogLossEps, 1−LogLossEps].
func metricClipProb(p float64) float64 {
	if p < LogLossEps {
		return LogLossEps
	}
	if p > 1-LogLossEps {
		return 1 - LogLossEps
	}
	return p
}

// logLossTerm is one row's log loss: −ln p for a positive, −ln(1−p) for a
// negative, with p clipped.
func logLossTerm(p, y float64) float64 {
	p = metricClipProb(p)
	if y == 1 {
		return -math.Log(p)
	}
	return -math.Log(1 - p)
}

// LogLoss is the weighted mean of −y·ln p − (1−y)·ln(1−p) with p clipped to
// [1e-15, 1−1e-15] (scikit-learn log_loss(y, p, eps=1e-15, labels=[0, 1],
// sample_weight=w)). Scores outside [0, 1] are clipped like any other.
func LogLoss(scores, labels, weights []float64) (float64, error) {
	const name = "logloss"
	if err := metricCheck(name, scores, labels, weights, true, false); err != nil {
		return 0, err
	}
	var sum, wsum float64
	for i, p := range scores {
		w := metricWeightAt(weights, i)
		if w == 0 {
			continue
		}
		sum += w * logLossTerm(p, labels[i])
		wsum += w
	}
	if wsum == 0 {
		return 0, metricUndefined(name, "total weight is 0")
	}
	return sum / wsum, nil
}

// Brier is the weighted mean of (y − p)² (scikit-learn brier_score_loss).
// Scores must lie in [0, 1].
func Brier(scores, labels, weights []float64) (float64, error) {
	const name = "brier"
	if err := metricCheck(name, scores, labels, weights, true, true); err != nil {
		return 0, err
	}
	var sum, wsum float64
	for i, p := range scores {
		w := metricWeightAt(weights, i)
		d := labels[i] - p
		sum += w * d * d
		wsum += w
	}
	if wsum == 0 {
		return 0, metricUndefined(name, "total weight is 0")
	}
	return sum / wsum, nil
}

// Confusion holds the weighted confusion matrix of a score at a threshold:
// a row is predicted positive when its score is ≥ the threshold.
type Confusion struct {
	Threshold      float64
	TP, FP, TN, FN float64
}

// ConfusionAt counts the weighted confusion matrix of scores against labels
// at threshold: score ≥ threshold predicts positive.
func ConfusionAt(scores, labels, weights []float64, threshold float64) (Confusion, error) {
	c := Confusion{Threshold: threshold}
	if math.IsNaN(threshold) {
		return c, metricBadInput("confusion", "threshold is NaN")
	}
	if err := metricCheck("confusion", scores, labels, weights, true, false); err != nil {
		return c, err
	}
	for i, s := range scores {
		c.add(s >= threshold, labels[i] == 1, metricWeightAt(weights, i))
	}
	return c, nil
}

func (c *Confusion) add(predPos, pos bool, w float64) {
	switch {
	case predPos && pos:
		c.TP += w
	case predPos:
		c.FP += w
	case pos:
		c.FN += w
	default:
		c.TN += w
	}
}

// Total is the total weight.
func (c Confusion) Total() float64 { return c.TP + c.FP + c.TN + c.FN }

// Accuracy is (TP+TN)/total (scikit-learn accuracy_score); undefined when
// the total weight is 0.
func (c Confusion) Accuracy() (float64, error) {
	t := c.Total()
	if t == 0 {
		return 0, metricUndefined("accuracy", "total weight is 0")
	}
	return (c.TP + c.TN) / t, nil
}

// Precision is TP/(TP+FP), 0 when nothing is predicted positive
// (scikit-learn precision_score with zero_division=0).
func (c Confusion) Precision() float64 {
	if d := c.TP + c.FP; d > 0 {
		return c.TP / d
	}
	return 0
}

// Recall is TP/(TP+FN), 0 when there are no positives (scikit-learn
// recall_score with zero_division=0).
func (c Confusion) Recall() float64 {
	if d := c.TP + c.FN; d > 0 {
		return c.TP / d
	}
	return 0
}

// F1 is the harmonic mean of precision and recall, 0 when both are 0
// (scikit-learn f1_score with zero_division=0).
func (c Confusion) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// PositiveRate is the share of weight predicted positive; undefined when the
// total weight is 0.
func (c Confusion) PositiveRate() (float64, error) {
	t := c.Total()
	if t == 0 {
		return 0, metricUndefined("positive_rate", "total weight is 0")
	}
	return (c.TP + c.FP) / t, nil
}

// PositiveRate is the weighted share of scores ≥ threshold. It needs no
// labels; undefined when the total weight is 0.
func PositiveRate(scores, weights []float64, threshold float64) (float64, error) {
	const name = "positive_rate"
	if math.IsNaN(threshold) {
		return 0, metricBadInput(name, "threshold is NaN")
	}
	// The scores stand in for the labels, which are not needed.
	if err := metricCheck(name, scores, scores, weights, false, false); err != nil {
		return 0, err
	}
	var pos, tot float64
	for i, s := range scores {
		w := metricWeightAt(weights, i)
		if s >= threshold {
			pos += w
		}
		tot += w
	}
	if tot == 0 {
		return 0, metricUndefined(name, "total weight is 0")
	}
	return pos / tot, nil
}
