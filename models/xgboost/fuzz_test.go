package xgboost

import (
	"math"
	"os"
	"testing"

	"github.com/replaygate/replaygate/errs"
)

// FuzzParse feeds arbitrary bytes to the model parser (JSON and UBJSON) and
// scores a few rows with whatever loads: nothing may panic, and every
// rejection is an input error.
func FuzzParse(f *testing.F) {
	f.Add(marshal(f, tinyModel()))
	for _, p := range []string{"testdata/models/base_score_logistic.json", "testdata/models/dart.json", "testdata/reject/categorical.json"} {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := parse(data, "fuzz.json")
		if err != nil {
			if errs.Code(err) != errs.CodeInput {
				t.Fatalf("error %q has exit code %d, want %d", err, errs.Code(err), errs.CodeInput)
			}
			return
		}
		nf := b.NumFeatures()
		if nf > 4096 {
			return
		}
		const rows = 4
		x := make([]float64, rows*nf)
		for i := range x {
			switch r := i / nf; r {
			case 0:
				x[i] = math.NaN()
			case 1:
				x[i] = 0
			case 2:
				x[i] = float64(i%7) - 3
			default:
				x[i] = math.Inf(1 - 2*(i%2))
			}
		}
		out := make([]float64, rows*b.NumClass())
		b.PredictDense(x, rows, out)
		b.PredictMargin(x, rows, out)
		_ = b.Describe()
		if _, err := New(b, "fuzz.json", nil); err != nil && errs.Code(err) != errs.CodeInput {
			t.Fatal(err)
		}
	})
}
