package stats

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// metricsOracle is testdata/metrics_oracle.json, written by
// testdata/gen_metrics.py with scikit-learn 1.2.1 and numpy.
type metricsOracle struct {
	Sklearn    string `json:"sklearn"`
	Binary     []mtBinaryCase
	Regression []mtRegressionCase
	Percentile struct {
		Values   []float64 `json:"values"`
		Q        []float64 `json:"q"`
		Expected []float64 `json:"expected"`
	} `json:"percentile"`
}

type mtBinaryCase struct {
	Name     string    `json:"name"`
	Scores   []float64 `json:"scores"`
	Labels   []float64 `json:"labels"`
	Weights  []float64 `json:"weights"`
	Expected struct {
		AUC         *float64 `json:"auc"`
		PRAUC       *float64 `json:"pr_auc"`
		LogLoss     *float64 `json:"logloss"`
		Brier       *float64 `json:"brier"`
		ECE         *float64 `json:"ece"`
		Reliability []struct {
			Bin           int     `json:"bin"`
			MeanPredicted float64 `json:"mean_predicted"`
			ObservedRate  float64 `json:"observed_rate"`
			Count         float64 `json:"count"`
		} `json:"reliability"`
		CalibrationCurve *struct {
			ProbTrue []float64 `json:"prob_true"`
			ProbPred []float64 `json:"prob_pred"`
		} `json:"calibration_curve"`
		At []struct {
			Threshold    float64  `json:"threshold"`
			Accuracy     *float64 `json:"accuracy"`
			PositiveRate *float64 `json:"positive_rate"`
			Precision    float64  `json:"precision"`
			Recall       float64  `json:"recall"`
			F1           float64  `json:"f1"`
		} `json:"at"`
	} `json:"expected"`
}

type mtRegressionCase struct {
	Name     string    `json:"name"`
	Pred     []float64 `json:"pred"`
	Target   []float64 `json:"target"`
	Weights  []float64 `json:"weights"`
	Expected struct {
		RMSE float64  `json:"rmse"`
		MAE  float64  `json:"mae"`
		R2   *float64 `json:"r2"`
	} `json:"expected"`
}

const mtTol = 1e-9

func mtLoadOracle(t *testing.T) *metricsOracle {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "metrics_oracle.json"))
	if err != nil {
		t.Fatalf("read oracle (regenerate with /usr/bin/python3 stats/testdata/gen_metrics.py): %v", err)
	}
	var o metricsOracle
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("decode oracle: %v", err)
	}
	if len(o.Binary) < 10 || len(o.Regression) < 5 {
		t.Fatalf("oracle has %d binary and %d regression cases, want at least 10 and 5", len(o.Binary), len(o.Regression))
	}
	return &o
}

// mtExpect compares a metric's (value, error) with the oracle's value, nil
// meaning undefined.
func mtExpect(t *testing.T, what string, got float64, err error, want *float64) {
	t.Helper()
	if want == nil {
		if !errors.Is(err, ErrMetricUndefined) {
			t.Errorf("%s = %v, %v; want ErrMetricUndefined", what, got, err)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: %v; want %v", what, err, *want)
		return
	}
	if math.Abs(got-*want) > mtTol {
		t.Errorf("%s = %.17g, want %.17g (diff %.3g)", what, got, *want, got-*want)
	}
}

func mtF(v float64) *float64 { return &v }

func TestMetricsOracleBinary(t *testing.T) {
	o := mtLoadOracle(t)
	for _, c := range o.Binary {
		t.Run(c.Name, func(t *testing.T) {
			s, y, w := c.Scores, c.Labels, c.Weights
			e := c.Expected
			v, err := AUC(s, y, w)
			mtExpect(t, "auc", v, err, e.AUC)
			v, err = AveragePrecision(s, y, w)
			mtExpect(t, "pr_auc", v, err, e.PRAUC)
			v, err = LogLoss(s, y, w)
			mtExpect(t, "logloss", v, err, e.LogLoss)
			inUnit := true
			for _, p := range s {
				inUnit = inUnit && p >= 0 && p <= 1
			}
			if inUnit {
				v, err = Brier(s, y, w)
				mtExpect(t, "brier", v, err, e.Brier)
				cal, err := ReliabilityCurve(s, y, w)
				mtExpect(t, "ece", cal.ECE, err, e.ECE)
				if err == nil {
					mtCheckReliability(t, c, cal)
				}
			} else {
				if _, err := Brier(s, y, w); !errors.Is(err, ErrMetricInput) {
					t.Errorf("brier of scores outside [0, 1]: err %v, want ErrMetricInput", err)
				}
				if _, err := ECE(s, y, w); !errors.Is(err, ErrMetricInput) {
					t.Errorf("ece of scores outside [0, 1]: err %v, want ErrMetricInput", err)
				}
			}
			for _, at := range e.At {
				name := fmt.Sprintf("@%v ", at.Threshold)
				cm, err := ConfusionAt(s, y, w, at.Threshold)
				if err != nil {
					t.Fatalf("confusion: %v", err)
				}
				v, err := cm.Accuracy()
				mtExpect(t, name+"accuracy", v, err, at.Accuracy)
				v, err = cm.PositiveRate()
				mtExpect(t, name+"positive_rate (confusion)", v, err, at.PositiveRate)
				v, err = PositiveRate(s, w, at.Threshold)
				mtExpect(t, name+"positive_rate", v, err, at.PositiveRate)
				mtExpect(t, name+"precision", cm.Precision(), nil, &at.Precision)
				mtExpect(t, name+"recall", cm.Recall(), nil, &at.Recall)
				mtExpect(t, name+"f1", cm.F1(), nil, &at.F1)
			}
			mtCheckBinaryAcc(t, c, inUnit)
		})
	}
}

func mtCheckReliability(t *testing.T, c mtBinaryCase, cal Calibration) {
	t.Helper()
	e := c.Expected
	if len(cal.Bins) != len(e.Reliability) {
		t.Fatalf("reliability: %d bins, want %d", len(cal.Bins), len(e.Reliability))
	}
	for i, b := range cal.Bins {
		r := e.Reliability[i]
		if b.Lo != eceEdge(r.Bin) || math.Abs(b.MeanPredicted-r.MeanPredicted) > mtTol ||
			math.Abs(b.ObservedRate-r.ObservedRate) > mtTol || math.Abs(b.Count-r.Count) > mtTol {
			t.Errorf("reliability bin %d = %+v, want bin %d %+v", i, b, r.Bin, r)
		}
	}
	if cc := e.CalibrationCurve; cc != nil {
		// scikit-learn's calibration_curve, unweighted.
		if len(cc.ProbTrue) != len(cal.Bins) {
			t.Fatalf("calibration_curve has %d points, we have %d", len(cc.ProbTrue), len(cal.Bins))
		}
		for i, b := range cal.Bins {
			if math.Abs(b.ObservedRate-cc.ProbTrue[i]) > mtTol || math.Abs(b.MeanPredicted-cc.ProbPred[i]) > mtTol {
				t.Errorf("point %d = (%v, %v), calibration_curve (%v, %v)", i, b.MeanPredicted, b.ObservedRate, cc.ProbPred[i], cc.ProbTrue[i])
			}
		}
	}
}

// mtCheckBinaryAcc feeds the case row by row (in two halves, merged) to a
// BinaryAcc and compares its exact metrics with the oracle, and its binned
// AUC with the exact one within the reported bound.
func mtCheckBinaryAcc(t *testing.T, c mtBinaryCase, inUnit bool) {
	t.Helper()
	e := c.Expected
	grid, _ := ProbabilityScoreGrid(8)
	if !inUnit {
		// Margins: a probability grid would tie them all in its end bins.
		acc, _ := NewBinaryAcc(grid, 0.5)
		for i := range c.Scores {
			_ = acc.Add(c.Scores[i], c.Labels[i], 1)
		}
		if _, _, err := acc.AUC(); !errors.Is(err, ErrMetricInput) {
			t.Errorf("auc of margins on a probability grid: err %v, want ErrMetricInput", err)
		}
		grid, _ = QuantileScoreGrid(c.Scores, 64)
	}
	thr := e.At[0].Threshold
	a, err := NewBinaryAcc(grid, thr)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewBinaryAcc(grid, thr)
	for i := range c.Scores {
		dst := a
		if i%2 == 1 {
			dst = b
		}
		if err := dst.Add(c.Scores[i], c.Labels[i], metricWeightAt(c.Weights, i)); err != nil {
			t.Fatalf("add row %d: %v", i, err)
		}
	}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	if a.Rows() != int64(len(c.Scores)) {
		t.Errorf("rows = %d, want %d", a.Rows(), len(c.Scores))
	}
	v, err := a.LogLoss()
	mtExpect(t, "acc logloss", v, err, e.LogLoss)
	if inUnit {
		v, err = a.Brier()
		mtExpect(t, "acc brier", v, err, e.Brier)
		v, err = a.Value(MetricECE)
		mtExpect(t, "acc ece", v, err, e.ECE)
	} else if _, err := a.Brier(); !errors.Is(err, ErrMetricInput) {
		t.Errorf("acc brier outside [0, 1]: err %v, want ErrMetricInput", err)
	}
	at := e.At[0]
	v, err = a.Value(MetricAccuracy)
	mtExpect(t, "acc accuracy", v, err, at.Accuracy)
	v, err = a.Value(MetricPositiveRate)
	mtExpect(t, "acc positive_rate", v, err, at.PositiveRate)
	if at.Accuracy != nil {
		for _, m := range []struct {
			m    Metric
			want float64
		}{{MetricPrecision, at.Precision}, {MetricRecall, at.Recall}, {MetricF1, at.F1}} {
			v, err = a.Value(m.m)
			mtExpect(t, "acc "+string(m.m), v, err, &m.want)
		}
	}
	auc, bound, err := a.AUC()
	if e.AUC == nil {
		mtExpect(t, "acc auc", auc, err, nil)
		return
	}
	if err != nil {
		t.Fatalf("acc auc: %v", err)
	}
	if d := math.Abs(auc - *e.AUC); d > bound+mtTol {
		t.Errorf("binned auc %v is %.3g from sklearn's %v, beyond its bound %.3g", auc, d, *e.AUC, bound)
	}
}

func TestMetricsOracleRegression(t *testing.T) {
	o := mtLoadOracle(t)
	for _, c := range o.Regression {
		t.Run(c.Name, func(t *testing.T) {
			v, err := RMSE(c.Pred, c.Target, c.Weights)
			mtExpect(t, "rmse", v, err, &c.Expected.RMSE)
			v, err = MAE(c.Pred, c.Target, c.Weights)
			mtExpect(t, "mae", v, err, &c.Expected.MAE)
			v, err = R2(c.Pred, c.Target, c.Weights)
			mtExpect(t, "r2", v, err, c.Expected.R2)
			// Streaming, split in three and merged.
			var parts [3]RegressionAcc
			for i := range c.Pred {
				if err := parts[i%3].Add(c.Pred[i], c.Target[i], metricWeightAt(c.Weights, i)); err != nil {
					t.Fatal(err)
				}
			}
			parts[1].Merge(&parts[2])
			parts[0].Merge(&parts[1])
			for _, m := range []struct {
				m    Metric
				want *float64
			}{{MetricRMSE, &c.Expected.RMSE}, {MetricMAE, &c.Expected.MAE}, {MetricR2, c.Expected.R2}} {
				v, err := parts[0].Value(m.m)
				mtExpect(t, "acc "+string(m.m), v, err, m.want)
			}
		})
	}
}

func TestMetricsOraclePercentile(t *testing.T) {
	o := mtLoadOracle(t)
	p := o.Percentile
	sorted := slices.Clone(p.Values)
	slices.Sort(sorted)
	for i, q := range p.Q {
		if got := bootPercentile(sorted, q); math.Abs(got-p.Expected[i]) > 1e-12 {
			t.Errorf("percentile %v = %.17g, numpy %.17g", q, got, p.Expected[i])
		}
	}
	// The 95 % interval's ends are the 2.5th and 97.5th percentiles.
	ci, err := PercentileCI(p.Values, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(ci.Lo-p.Expected[2]) > 1e-12 || math.Abs(ci.Hi-p.Expected[6]) > 1e-12 || ci.Level != 0.95 {
		t.Errorf("95%% interval %+v, want [%v, %v]", ci, p.Expected[2], p.Expected[6])
	}
}

// Hand-computed values and the input rules.
func TestMetricsHandComputed(t *testing.T) {
	// One positive at 0.8 above one negative at 0.3, another tied at 0.8:
	// pairs (0.8+, 0.3-) = 1, (0.8+, 0.8-) = ½ → AUC = 1.5/2.
	s := []float64{0.8, 0.3, 0.8}
	y := []float64{1, 0, 0}
	if v, err := AUC(s, y, nil); err != nil || v != 0.75 {
		t.Errorf("auc = %v, %v; want 0.75", v, err)
	}
	// -0 and +0 are one score: a tie.
	if v, err := AUC([]float64{math.Copysign(0, -1), 0}, []float64{1, 0}, nil); err != nil || v != 0.5 {
		t.Errorf("auc(-0 vs +0) = %v, %v; want 0.5", v, err)
	}
	// Log loss of p = 0 for a positive is −ln(1e-15).
	if v, err := LogLoss([]float64{0}, []float64{1}, nil); err != nil || math.Abs(v+math.Log(1e-15)) > 1e-12 {
		t.Errorf("logloss clip = %v, %v; want %v", v, err, -math.Log(1e-15))
	}
	// ECE of two rows in one bin: |1 − 0.55| ... both in bin 5: conf
	// 0.55, acc 0.5 → 0.05.
	if v, err := ECE([]float64{0.51, 0.59}, []float64{1, 0}, nil); err != nil || math.Abs(v-0.05) > 1e-12 {
		t.Errorf("ece = %v, %v; want 0.05", v, err)
	}
	for _, k := range []struct {
		p    float64
		want int
	}{{0, 0}, {0.1, 0}, {0.1000001, 1}, {0.3, 2}, {0.30000000000000004, 2}, {0.3000000000000001, 3}, {0.95, 9}, {1, 9}} {
		if got := eceBin(k.p); got != k.want {
			t.Errorf("eceBin(%v) = %d, want %d", k.p, got, k.want)
		}
	}

	bad := []struct {
		name    string
		s, y, w []float64
	}{
		{"length", []float64{0.1, 0.2}, []float64{0}, nil},
		{"weights length", []float64{0.1}, []float64{0}, []float64{1, 1}},
		{"NaN score", []float64{math.NaN(), 0.2}, []float64{0, 1}, nil},
		{"Inf score", []float64{math.Inf(1), 0.2}, []float64{0, 1}, nil},
		{"label 2", []float64{0.1, 0.2}, []float64{0, 2}, nil},
		{"label NaN", []float64{0.1, 0.2}, []float64{0, math.NaN()}, nil},
		{"negative weight", []float64{0.1, 0.2}, []float64{0, 1}, []float64{1, -1}},
		{"NaN weight", []float64{0.1, 0.2}, []float64{0, 1}, []float64{1, math.NaN()}},
	}
	for _, b := range bad {
		for name, f := range map[string]func() error{
			"auc":     func() error { _, err := AUC(b.s, b.y, b.w); return err },
			"pr_auc":  func() error { _, err := AveragePrecision(b.s, b.y, b.w); return err },
			"logloss": func() error { _, err := LogLoss(b.s, b.y, b.w); return err },
			"brier":   func() error { _, err := Brier(b.s, b.y, b.w); return err },
			"ece":     func() error { _, err := ECE(b.s, b.y, b.w); return err },
			"conf":    func() error { _, err := ConfusionAt(b.s, b.y, b.w, 0.5); return err },
		} {
			if err := f(); !errors.Is(err, ErrMetricInput) {
				t.Errorf("%s with %s: err %v, want ErrMetricInput", name, b.name, err)
			}
		}
	}
	// Zero rows: undefined, never NaN.
	for name, f := range map[string]func() (float64, error){
		"auc":     func() (float64, error) { return AUC(nil, nil, nil) },
		"pr_auc":  func() (float64, error) { return AveragePrecision(nil, nil, nil) },
		"logloss": func() (float64, error) { return LogLoss(nil, nil, nil) },
		"brier":   func() (float64, error) { return Brier(nil, nil, nil) },
		"ece":     func() (float64, error) { return ECE(nil, nil, nil) },
		"rmse":    func() (float64, error) { return RMSE(nil, nil, nil) },
		"mae":     func() (float64, error) { return MAE(nil, nil, nil) },
		"r2":      func() (float64, error) { return R2(nil, nil, nil) },
		"rate":    func() (float64, error) { return PositiveRate(nil, nil, 0.5) },
	} {
		if v, err := f(); !errors.Is(err, ErrMetricUndefined) || v != 0 {
			t.Errorf("%s of no rows = %v, %v; want ErrMetricUndefined", name, v, err)
		}
	}
}

func TestMetricNames(t *testing.T) {
	for _, m := range Metrics {
		got, err := ParseMetric(string(m))
		if err != nil || got != m {
			t.Errorf("ParseMetric(%q) = %q, %v", m, got, err)
		}
	}
	if _, err := ParseMetric("roc"); err == nil {
		t.Error("ParseMetric(roc) succeeded")
	}
	dirs := map[Metric]Direction{
		MetricAUC: HigherIsBetter, MetricPRAUC: HigherIsBetter, MetricAccuracy: HigherIsBetter,
		MetricPrecision: HigherIsBetter, MetricRecall: HigherIsBetter, MetricF1: HigherIsBetter,
		MetricR2: HigherIsBetter, MetricLogLoss: LowerIsBetter, MetricBrier: LowerIsBetter,
		MetricECE: LowerIsBetter, MetricRMSE: LowerIsBetter, MetricMAE: LowerIsBetter,
		MetricPositiveRate: Neutral,
	}
	for _, m := range Metrics {
		if m.Direction() != dirs[m] {
			t.Errorf("%s direction %d, want %d", m, m.Direction(), dirs[m])
		}
	}
}
