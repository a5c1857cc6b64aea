package skew

import (
	"math"
	"strings"
	"testing"
)

// exactSamples are the samples of TestExactSmallSamples; the oracle is
//
//	ref = [10*sin(0.7*i) + i%7 for i in range(600)]
//	cur = [10*sin(1.3*j) + j%5 + 0.8 for j in range(400)]
//	scipy.stats.ks_2samp(ref, cur)  -> D, p
//	scipy.stats.wasserstein_distance(ref, cur) / numpy.std(ref)
//
// computed with scipy 1.10.1.
func exactSamples(nCur int) (ref, cur []any) {
	for i := range 600 {
		ref = append(ref, 10*math.Sin(0.7*float64(i))+float64(i%7))
	}
	for j := range nCur {
		cur = append(cur, 10*math.Sin(1.3*float64(j))+float64(j%5)+0.8)
	}
	return ref, cur
}

const (
	oracleKSD          = 0.035833333333333335
	oracleKSP          = 0.909957674130496
	oracleWassersteinN = 0.040084292646203494
)

func TestExactSmallSamples(t *testing.T) {
	ref, cur := exactSamples(400)
	for _, tc := range []struct {
		method string
		want   float64
	}{
		{MethodKS, oracleKSD},
		{MethodWasserstein, oracleWassersteinN},
	} {
		t.Run(tc.method, func(t *testing.T) {
			c, err := NewFromReference(src(batch(col("x", f64(ref...)))), Config{Numeric: Method{Name: tc.method, Warn: 0.1, Fail: 0.2}})
			if err != nil {
				t.Fatal(err)
			}
			// Two batches, and a second check merged in: the kept values
			// survive both.
			other := c.Fork()
			for _, b := range [][]any{cur[:150], cur[150:300]} {
				if err := c.Observe(batch(col("x", f64(b...)))); err != nil {
					t.Fatal(err)
				}
			}
			if err := other.Observe(batch(col("x", f64(append(cur[300:], nil, math.NaN(), math.Inf(1))...)))); err != nil {
				t.Fatal(err)
			}
			if err := c.Merge(other); err != nil {
				t.Fatal(err)
			}
			o := byName(t, c.Result(), "skew.x")
			if o.Value == nil || math.Abs(*o.Value-tc.want) > 1e-9 {
				t.Fatalf("value %v, scipy %v (%s)", o.Value, tc.want, o.Message)
			}
			if !strings.Contains(o.Message, "exact") || !strings.Contains(o.Message, "(p 0.91") {
				t.Errorf("message does not say the exact path was taken with scipy's p-value: %s", o.Message)
			}
		})
	}
}

// Beyond ExactValues traffic values the check falls back to the histograms,
// within their bound of the exact value.
func TestExactFallsBackToHistograms(t *testing.T) {
	ref, cur := exactSamples(ExactValues + 1)
	c, err := NewFromReference(src(batch(col("x", f64(ref...)))), Config{Numeric: Method{Name: MethodKS, Warn: 0.1, Fail: 0.2}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Observe(batch(col("x", f64(cur...)))); err != nil {
		t.Fatal(err)
	}
	o := byName(t, c.Result(), "skew.x")
	if strings.Contains(o.Message, "exact") {
		t.Errorf("%d traffic values took the exact path: %s", len(cur), o.Message)
	}
	if c.cur[0].values != nil || !c.cur[0].dropped {
		t.Errorf("the traffic values were kept past ExactValues")
	}
}
