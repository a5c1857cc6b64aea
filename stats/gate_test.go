package stats

import (
	"fmt"
	"math"
	"testing"
)

// Every combination of (beyond the limit or not) × (significant or not) ×
// (higher or lower is better), for each limit kind: fail needs both, warn
// is beyond without significance, pass is within the limit.
func TestGateTable(t *testing.T) {
	type setup struct {
		value, baseline float64
	}
	kinds := []struct {
		gate           MetricGate
		harm           Direction
		beyond, within setup
		sig, notSig    CI
	}{
		{MetricGate{LimitMin, 0.70}, HigherIsBetter,
			setup{0.69, 0.72}, setup{0.71, 0.72}, CI{-0.05, -0.01, 0.95}, CI{-0.04, 0.01, 0.95}},
		{MetricGate{LimitMaxDrop, 0.01}, HigherIsBetter,
			setup{0.70, 0.72}, setup{0.715, 0.72}, CI{-0.03, -0.01, 0.95}, CI{-0.03, 0.005, 0.95}},
		{MetricGate{LimitMax, 0.05}, LowerIsBetter,
			setup{0.06, 0.04}, setup{0.045, 0.04}, CI{0.005, 0.02, 0.95}, CI{-0.01, 0.02, 0.95}},
		{MetricGate{LimitMaxRise, 0.01}, LowerIsBetter,
			setup{0.32, 0.30}, setup{0.305, 0.30}, CI{0.01, 0.03, 0.95}, CI{-0.005, 0.03, 0.95}},
	}
	for _, k := range kinds {
		if k.gate.Harm() != k.harm {
			t.Errorf("%s: harm %d, want %d", k.gate, k.gate.Harm(), k.harm)
		}
		if err := k.gate.Validate(); err != nil {
			t.Errorf("%s: %v", k.gate, err)
		}
		for _, beyond := range []bool{true, false} {
			for _, sig := range []bool{true, false} {
				s, ci := k.within, k.notSig
				if beyond {
					s = k.beyond
				}
				if sig {
					ci = k.sig
				}
				want := GatePass
				switch {
				case beyond && sig:
					want = GateFail
				case beyond:
					want = GateWarn
				}
				name := fmt.Sprintf("%s beyond=%v significant=%v", k.gate, beyond, sig)
				d := k.gate.Evaluate(s.value, s.baseline, &ci)
				if d.Status != want || d.Beyond != beyond || d.Significant != sig || d.Reason == "" {
					t.Errorf("%s: %+v, want %s", name, d, want)
				}
				// Decide with the significance given agrees.
				if d2 := k.gate.Decide(s.value, s.baseline, sig); d2.Status != want {
					t.Errorf("%s: Decide %s, want %s", name, d2.Status, want)
				}
			}
		}
	}
}

func TestGateEdges(t *testing.T) {
	sig := &CI{-0.03, -0.01, 0.95}
	cases := []struct {
		name            string
		gate            MetricGate
		value, baseline float64
		ci              *CI
		want            GateStatus
	}{
		// 0.74 − 0.73 is 0.010000000000000009 in float64: at the limit.
		{"drop exactly at the limit", MetricGate{LimitMaxDrop, 0.01}, 0.73, 0.74, sig, GatePass},
		{"value exactly at min", MetricGate{LimitMin, 0.7}, 0.7, 0.8, sig, GatePass},
		{"value exactly at max", MetricGate{LimitMax, 0.05}, 0.05, 0.01, &CI{0.01, 0.05, 0.95}, GatePass},
		// A significant improvement is not a significant harm.
		{"below min but significantly better than baseline", MetricGate{LimitMin, 0.7}, 0.65, 0.60, &CI{0.02, 0.08, 0.95}, GateWarn},
		{"above max but significantly better", MetricGate{LimitMax, 0.05}, 0.06, 0.09, &CI{-0.04, -0.02, 0.95}, GateWarn},
		// An interval touching zero does not exclude it.
		{"interval ends at zero", MetricGate{LimitMaxDrop, 0.01}, 0.70, 0.72, &CI{-0.03, 0, 0.95}, GateWarn},
		// No baseline: absolute limits judge the value, relative ones warn.
		{"min without interval", MetricGate{LimitMin, 0.7}, 0.69, 0, nil, GateFail},
		{"max without interval, within", MetricGate{LimitMax, 0.05}, 0.04, 0, nil, GatePass},
		{"max_drop without interval", MetricGate{LimitMaxDrop, 0.01}, 0.70, 0.72, nil, GateWarn},
		{"max_rise without interval, within", MetricGate{LimitMaxRise, 0.01}, 0.30, 0.30, nil, GatePass},
		{"NaN value", MetricGate{LimitMin, 0.7}, math.NaN(), 0.72, sig, GateFail},
		// max_drop 0: any significant drop fails.
		{"max_drop 0", MetricGate{LimitMaxDrop, 0}, 0.719, 0.72, sig, GateFail},
	}
	for _, c := range cases {
		if d := c.gate.Evaluate(c.value, c.baseline, c.ci); d.Status != c.want {
			t.Errorf("%s: %+v, want %s", c.name, d, c.want)
		}
	}
	for _, g := range []MetricGate{{"median", 1}, {LimitMin, math.NaN()}, {LimitMaxDrop, -0.01}, {LimitMax, math.Inf(1)}} {
		if err := g.Validate(); err == nil {
			t.Errorf("%+v validated", g)
		}
	}
	if s := (MetricGate{LimitMaxDrop, 0.01}).String(); s != "max_drop 0.01" {
		t.Errorf("String() = %q", s)
	}
}
