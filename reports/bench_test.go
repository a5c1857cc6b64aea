package reports

import (
	"fmt"
	"io"
	"testing"

	"github.com/replaygate/replaygate/checks"
)

// largeResult has n outcomes: a contract rule per feature and a segment
// comparison per country, a tenth of them failing.
func largeResult(n int) *checks.Result {
	r := sampleResult()
	r.Checks = nil
	for i := range n {
		o := checks.Outcome{Check: "contract", Name: fmt.Sprintf("f%04d.max", i), Status: checks.Pass,
			Value: checks.F(float64(i) * 1.5), Limit: "<= 120", Rows: 1_000_000}
		if i%2 == 1 {
			o = checks.Outcome{Check: "segments", Name: fmt.Sprintf("auc[country=C%04d]", i), Status: checks.Pass,
				Value: checks.F(0.71), Baseline: checks.F(0.72), Delta: checks.F(-0.01), CI: []float64{-0.02, 0.001},
				Limit: "max_drop 0.01", Rows: 5000}
		}
		if i%10 == 0 {
			o.Status = checks.Fail
			o.Message = "dropped beyond the limit on this segment of the traffic"
			o.Examples = []string{"r1", "r2", "r3", "r4", "r5"}
		}
		r.Checks = append(r.Checks, o)
	}
	return r
}

func BenchmarkTerminal(b *testing.B) {
	r := largeResult(1000)
	for _, opts := range []Options{{}, {Verbose: true, Color: true}} {
		b.Run(fmt.Sprintf("verbose=%v", opts.Verbose), func(b *testing.B) {
			for b.Loop() {
				if err := Terminal(io.Discard, r, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWriteJSON(b *testing.B) {
	r := largeResult(1000)
	for b.Loop() {
		if err := WriteJSON(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadJSON(b *testing.B) {
	var data []byte
	{
		w := &sink{}
		if err := WriteJSON(w, largeResult(1000)); err != nil {
			b.Fatal(err)
		}
		data = w.b
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := decodeJSON("bench.json", data); err != nil {
			b.Fatal(err)
		}
	}
}

type sink struct{ b []byte }

func (s *sink) Write(p []byte) (int, error) { s.b = append(s.b, p...); return len(p), nil }
