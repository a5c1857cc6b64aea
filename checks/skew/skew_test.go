package skew

import (
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

func seq(n int, f func(i int) any) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

// TestEdgeCases: constant, all-null, infinite, type-mismatched and
// online-only values never give NaN and always give a reason.
func TestEdgeCases(t *testing.T) {
	ref := batch(
		col("x", f64(seq(100, func(i int) any { return float64(i) })...)),
		col("const", f64(seq(100, func(int) any { return 7.0 })...)),
		col("empty", f64(seq(100, func(int) any { return nil })...)),
		col("logged", f64(seq(100, func(i int) any { return float64(i % 3) })...)),
		col("c", strArr(append(rep("a", 50), rep("b", 50)...)...)),
	)
	cur := batch(
		col("x", f64(append(seq(96, func(i int) any { return float64(i) }), math.Inf(1), math.Inf(-1), math.NaN(), nil)...)),
		col("const", f64(seq(100, func(int) any { return 7.0 })...)),
		col("empty", f64(seq(100, func(int) any { return 1.0 })...)),
		col("logged", strArr(rep("1", 100)...)),
		col("c", strArr(append(append(rep("a", 40), rep("b", 40)...), rep("z", 20)...)...)),
	)
	defer ref.Release()
	defer cur.Release()
	c, err := NewFromReference(src(ref), Config{Numeric: Method{Name: MethodKS, Warn: 0.1, Fail: 0.25}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Observe(cur); err != nil {
		t.Fatal(err)
	}
	out := c.Result()
	for _, o := range out {
		if o.Value != nil && (math.IsNaN(*o.Value) || math.IsInf(*o.Value, 0)) {
			t.Errorf("%s: value %v", o.Name, *o.Value)
		}
		if o.Status == checks.Skip && o.Message == "" {
			t.Errorf("%s: skip without a reason", o.Name)
		}
	}
	tests := []struct {
		name   string
		status checks.Status
		value  float64 // -1: no value
		msg    string
	}{
		// 96 finite values 0..95 against 0..99: D = 4/100 at 95.
		{"skew.x", checks.Pass, 1 - 96.0/100, "1 NaN and 2 ±Inf in the traffic left out"},
		{"skew.const", checks.Pass, 0, "PSI 0"},
		{"skew.empty", checks.Skip, -1, "no finite value in the reference"},
		{"skew.logged", checks.Fail, -1, "type mismatch"},
		// shares a .5/.5/0 against .4/.4/.2: L∞ 0.2 = fail gate, not above.
		{"skew.c", checks.Warn, 0.2, "unseen in the reference 20.00% (z)"},
		{"skew.drifted_share", checks.Pass, 0, "0 of 3 features"},
	}
	for _, tc := range tests {
		o := byName(t, out, tc.name)
		if o.Status != tc.status || !strings.Contains(o.Message, tc.msg) {
			t.Errorf("%s: %s %q, want %s with %q", tc.name, o.Status, o.Message, tc.status, tc.msg)
		}
		if tc.value >= 0 && (o.Value == nil || math.Abs(*o.Value-tc.value) > 1e-12) {
			t.Errorf("%s: value %v, want %v", tc.name, o.Value, tc.value)
		}
	}
}

func TestNoRows(t *testing.T) {
	ref := batch(col("x", f64(1, 2, 3)))
	defer ref.Release()
	c, err := NewFromReference(src(ref), Config{BaselineScore: "s", Consistency: &ConsistencyConfig{}, Prediction: &PredictionConfig{Thresholds: []float64{0.5}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range c.Result() {
		if o.Status != checks.Skip || !strings.HasPrefix(o.Message, "no rows") {
			t.Errorf("%s: %s %q, want skip: no rows", o.Name, o.Status, o.Message)
		}
	}
}

func TestDriftedShareGate(t *testing.T) {
	ref := batch(col("x", f64(seq(100, func(i int) any { return float64(i) })...)), col("y", f64(seq(100, func(i int) any { return float64(i) })...)))
	cur := batch(col("x", f64(seq(100, func(i int) any { return float64(i + 1000) })...)), col("y", f64(seq(100, func(i int) any { return float64(i) })...)))
	defer ref.Release()
	defer cur.Release()
	for _, tc := range []struct {
		sev  string
		max  float64
		want checks.Status
	}{{"", 0.5, checks.Pass}, {"", 0.4, checks.Fail}, {"warn", 0.4, checks.Warn}} {
		c, err := NewFromReference(src(ref), Config{MaxDriftedShare: fp(tc.max), Severity: tc.sev})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Observe(cur); err != nil {
			t.Fatal(err)
		}
		out := c.Result()
		o := byName(t, out, "skew.drifted_share")
		if o.Status != tc.want || *o.Value != 0.5 {
			t.Errorf("severity %q max %v: %s %v, want %s 0.5", tc.sev, tc.max, o.Status, *o.Value, tc.want)
		}
		x := byName(t, out, "skew.x")
		if want := map[string]checks.Status{"": checks.Fail, "warn": checks.Warn}[tc.sev]; x.Status != want {
			t.Errorf("skew.x: %s, want %s", x.Status, want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	ref := batch(col("x", f64(1, 2, 3)), col("c", strArr("a", "b", "c")), col("t", array.MakeArrayOfNull(mem, arrow.FixedWidthTypes.Boolean, 3)))
	defer ref.Release()
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"method", Config{Numeric: Method{Name: "kl", Warn: 0.1, Fail: 0.2}}, "unknown or unsupported method"},
		{"order", Config{Numeric: Method{Name: "psi", Warn: 0.3, Fail: 0.2}}, "warn 0.3 is above fail 0.2"},
		{"negative", Config{Categorical: Method{Name: "linf", Warn: -1, Fail: 0.2}}, "non-negative"},
		{"linf on numeric", Config{PerFeature: map[string]Method{"x": {Name: "linf", Warn: 0.1, Fail: 0.2}}}, `does not apply to numeric feature "x"`},
		{"missing feature", Config{Features: []string{"nope"}}, `feature "nope" is not a column of the reference`},
		{"bool feature", Config{Features: []string{"t"}}, "neither numeric nor string"},
		{"no baseline", Config{Consistency: &ConsistencyConfig{Tolerance: 1e-6}}, "baseline score column"},
		{"severity", Config{Severity: "info"}, "unknown severity"},
		{"share", Config{MaxDriftedShare: fp(2)}, "not between 0 and 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewFromReference(src(ref), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if errs.Code(err) != errs.CodeInput {
				t.Errorf("exit code %d, want %d (input error)", errs.Code(err), errs.CodeInput)
			}
		})
	}
	if _, err := NewFromReference(src(), Config{}); err == nil || !strings.Contains(err.Error(), "no rows") {
		t.Errorf("empty reference: %v", err)
	}
}
