package httpmodel

import (
	"context"
	"io"
	"net/http"
	"testing"
)

// BenchmarkPredictJSONBatch1 measures the adapter's own overhead: one row
// a request, 8 in flight, against a local server that answers at once.
// Reported as requests/s.
func BenchmarkPredictJSONBatch1(b *testing.B) {
	srv := serve(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"score":0.5}`)
	}))
	fx := loadFixture(b)
	m, err := New(Options{Protocol: JSON, URL: srv.URL + "/score", Features: fx.features, ScorePath: "score", Concurrency: 8})
	if err != nil {
		b.Fatal(err)
	}
	in := fx.batch.NewSlice(0, 256)
	defer in.Release()
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		sc, err := m.Predict(ctx, in)
		if err != nil || sc.Errors != nil {
			b.Fatalf("%v %v", err, sc.Errors)
		}
	}
	b.ReportMetric(float64(m.Stats().Requests)/b.Elapsed().Seconds(), "requests/s")
}
