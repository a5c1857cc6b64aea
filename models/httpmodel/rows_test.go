package httpmodel

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/replaygate/replaygate/errs"
)

// PredictRows scores a row range of a batch in place: the same scores,
// bit for bit, as the in-process evaluator gives those rows, one request
// at a time (Concurrency 1, the caller's goroutine) or several.
func TestPredictRowsScoresInPlace(t *testing.T) {
	fx := loadFixture(t)
	srv := serve(t, jsonServer(fx))
	n := int(fx.batch.NumRows())
	for _, o := range []Options{{Batch: 1, Concurrency: 1}, {Batch: 7, Concurrency: 3}} {
		o.Protocol, o.ScorePath, o.URL, o.Features = JSON, "results.*.score", srv.URL+"/score", fx.features
		if o.Batch == 1 {
			o.ScorePath = "score"
		}
		m, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range [][2]int{{0, 1}, {n - 1, n}, {3, 40}, {5, 5}} {
			t.Run(fmt.Sprintf("batch%d rows %d-%d", o.Batch, r[0], r[1]), func(t *testing.T) {
				sc, err := m.PredictRows(context.Background(), fx.batch, r[0], r[1])
				if err != nil {
					t.Fatal(err)
				}
				if len(sc.Score) != r[1]-r[0] || sc.Errors != nil {
					t.Fatalf("%d scores, errors %v", len(sc.Score), sc.Errors)
				}
				for i, s := range sc.Score {
					if want := fx.want[r[0]+i]; math.Float64bits(s) != math.Float64bits(want) {
						t.Fatalf("row %d: score %v, in-process %v", r[0]+i, s, want)
					}
				}
			})
		}
		if _, err := m.PredictRows(context.Background(), fx.batch, 2, n+1); err == nil || errs.Code(err) != errs.CodeRun {
			t.Errorf("rows past the batch: err %v, want a run error", err)
		}
	}
}
