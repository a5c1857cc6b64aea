package latency

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/replaygate/replaygate/checks"
)

// FuzzObserve feeds arbitrary latencies and error strings through Observe
// and Merge: nothing may panic, every Value must be finite, and merging two
// halves must equal one pass.
func FuzzObserve(f *testing.F) {
	seed := func(vals ...float64) []byte {
		b := make([]byte, 8*len(vals))
		for i, v := range vals {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
		}
		return b
	}
	f.Add(seed(1, 2, 20), "timeout: x")
	f.Add(seed(math.NaN(), -1, math.Inf(1), 0, 1e300), "http_status: 500")
	f.Add(seed(5e-324, 3.6e6, 3.6e6+1), ": no class")
	f.Fuzz(func(t *testing.T, raw []byte, msg string) {
		n := len(raw) / 8
		lat := make([]float64, n)
		errCol := make([]string, n)
		for i := range lat {
			lat[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
			if i%3 == 1 {
				errCol[i] = msg
			}
		}
		mk := func(lo, hi int) *Check {
			c := mustNew(t, Config{P99: 1e6, MaxErrorRate: fp(0.5), BaselineColumn: "base"}, Options{})
			observe(t, c, batch(col("candidate_latency_ms", floats(lat[lo:hi])),
				col("candidate_error", strs(errCol[lo:hi]...)), col("base", floats(lat[lo:hi]))))
			return c
		}
		one, a, b := mk(0, n), mk(0, n/2), mk(n/2, n)
		if err := a.Merge(b); err != nil {
			t.Fatal(err)
		}
		got, want := a.Result(), one.Result()
		if len(got) != len(want) {
			t.Fatalf("%d outcomes after merge, %d in one pass", len(got), len(want))
		}
		for i, o := range want {
			if o.Value != nil && (math.IsNaN(*o.Value) || math.IsInf(*o.Value, 0)) {
				t.Fatalf("%s: non-finite value %v", o.Name, *o.Value)
			}
			if o.Status == checks.Error {
				t.Fatalf("%s: error: %s", o.Name, o.Message)
			}
			g := got[i]
			if g.Name != o.Name || g.Status != o.Status || g.Message != o.Message || !sameF(g.Value, o.Value) {
				t.Fatalf("merge differs from one pass:\n got %+v\nwant %+v", g, o)
			}
		}
	})
}

func sameF(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
