package stats

import (
	"fmt"
	"math"
)

// RMSE is the root of the weighted mean squared error of predictions against
// targets (scikit-learn mean_squared_error(target, pred, sample_weight=w,
// squared=False)). Undefined when the total weight is 0.
func RMSE(pred, target, weights []float64) (float64, error) {
	a, err := regressionOf("rmse", pred, target, weights)
	if err != nil {
		return 0, err
	}
	return a.RMSE()
}

// MAE is the weighted mean absolute error (scikit-learn
// mean_absolute_error). Undefined when the total weight is 0.
func MAE(pred, target, weights []float64) (float64, error) {
	a, err := regressionOf("mae", pred, target, weights)
	if err != nil {
		return 0, err
	}
	return a.MAE()
}

// R2 is the coefficient of determination 1 − Σw(y−ŷ)² / Σw(y−ȳ)², ȳ the
// weighted mean target (scikit-learn r2_score). As in scikit-learn, a
// constant target gives 1 when the predictions are exact and 0 otherwise.
// Undefined with fewer than two rows or zero total weight.
func R2(pred, target, weights []float64) (float64, error) {
	a, err := regressionOf("r2", pred, target, weights)
	if err != nil {
		return 0, err
	}
	return a.R2()
}

func regressionOf(name string, pred, target, weights []float64) (*RegressionAcc, error) {
	if err := metricCheck(name, pred, target, weights, false, false); err != nil {
		return nil, err
	}
	var a RegressionAcc
	for i, p := range pred {
		a.add(p, target[i], metricWeightAt(weights, i))
	}
	return &a, nil
}

// RegressionAcc accumulates regression metrics over a stream of (prediction,
// target, weight) rows; two accumulators merge exactly (up to floating-point
// rounding). The target's spread is kept as a weighted mean and a sum of
// squared deviations (West's update, Chan's merge), so R² stays accurate for
// targets whose mean is large next to their spread. The zero value is ready.
type RegressionAcc struct {
	rows     int64
	w        float64 // total weight
	mean     float64 // weighted mean target
	m2       float64 // Σ w (y − mean)²
	sse, sae float64 // Σ w (y − ŷ)², Σ w |y − ŷ|
}

// Add adds one row. It rejects non-finite values and negative weights and
// leaves the accumulator unchanged then.
func (a *RegressionAcc) Add(pred, target, weight float64) error {
	if math.IsNaN(pred) || math.IsInf(pred, 0) || math.IsNaN(target) || math.IsInf(target, 0) {
		return metricBadInput("regression", "prediction %v and target %v must be finite", pred, target)
	}
	if !(weight >= 0) || math.IsInf(weight, 0) {
		return metricBadInput("regression", "weight %v is not a finite number ≥ 0", weight)
	}
	a.add(pred, target, weight)
	return nil
}

func (a *RegressionAcc) add(pred, y, w float64) {
	a.rows++
	if w == 0 {
		return
	}
	e := y - pred
	a.sse += w * e * e
	a.sae += w * math.Abs(e)
	a.w += w
	d := y - a.mean
	a.mean += d * w / a.w
	a.m2 += w * d * (y - a.mean)
}

// Merge folds o into a.
func (a *RegressionAcc) Merge(o *RegressionAcc) {
	a.rows += o.rows
	if o.w == 0 {
		return
	}
	if a.w == 0 {
		a.w, a.mean, a.m2 = o.w, o.mean, o.m2
		a.sse += o.sse
		a.sae += o.sae
		return
	}
	w := a.w + o.w
	d := o.mean - a.mean
	a.mean += d * o.w / w
	a.m2 += o.m2 + d*d*a.w*o.w/w
	a.w = w
	a.sse += o.sse
	a.sae += o.sae
}

// Rows is the number of rows added, including rows of weight 0.
func (a *RegressionAcc) Rows() int64 { return a.rows }

// Weight is the total weight.
func (a *RegressionAcc) Weight() float64 { return a.w }

// RMSE is the root mean squared error.
func (a *RegressionAcc) RMSE() (float64, error) {
	if !(a.w > 0) {
		return 0, metricUndefined("rmse", "total weight is 0")
	}
	return math.Sqrt(a.sse / a.w), nil
}

// MAE is the mean absolute error.
func (a *RegressionAcc) MAE() (float64, error) {
	if !(a.w > 0) {
		return 0, metricUndefined("mae", "total weight is 0")
	}
	return a.sae / a.w, nil
}

// R2 is the coefficient of determination (see R2).
func (a *RegressionAcc) R2() (float64, error) {
	if a.rows < 2 {
		return 0, metricUndefined("r2", "needs at least 2 rows, got %d", a.rows)
	}
	if !(a.w > 0) {
		return 0, metricUndefined("r2", "total weight is 0")
	}
	return regressionR2(a.sse, a.m2), nil
}

// regressionR2 is 1 − sse/sst, with scikit-learn's finite convention for a
// constant target (sst = 0): 1 when sse is 0 too, else 0.
func regressionR2(sse, sst float64) float64 {
	if !(sst > 0) {
		if sse == 0 {
			return 1
		}
		return 0
	}
	return 1 - sse/sst
}

// Value returns metric m (rmse, mae or r2).
func (a *RegressionAcc) Value(m Metric) (float64, error) {
	switch m {
	case MetricRMSE:
		return a.RMSE()
	case MetricMAE:
		return a.MAE()
	case MetricR2:
		return a.R2()
	}
	return 0, fmt.Errorf("regression: metric %q is not a regression metric (rmse, mae, r2)", m)
}
