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

// BenchmarkPredictOneRow measures one request of one row, as the
// open-loop replay engine sends them, for every protocol against a local
// server that answers a fixed reply. B/op and allocs/op include the test
// server's share, which no change here touches.
func BenchmarkPredictOneRow(b *testing.B) {
	fx := loadFixture(b)
	cases := []struct {
		name, path, reply string
		opts              Options
	}{
		{"kserve-v2", "/v2/models/ctr/infer", `{"model_name":"ctr","id":"1","outputs":[{"name":"output-0","shape":[1,1],"datatype":"FP64","data":[0.5]}]}`, Options{Protocol: KServeV2, OutputName: "output-0"}},
		{"tfserving", "/v1/models/ctr:predict", `{"predictions":[[0.5]]}`, Options{Protocol: TFServing}},
		{"mlflow", "/invocations", `{"predictions":[0.5]}`, Options{Protocol: MLflow}},
		{"json", "/score", `{"score":0.5}`, Options{Protocol: JSON, ScorePath: "score"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			reply := []byte(c.reply)
			srv := serve(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				w.Header()["Content-Type"] = []string{"application/json"}
				w.Write(reply)
			}))
			o := c.opts
			o.URL, o.Features = srv.URL+c.path, fx.features
			m, err := New(o)
			if err != nil {
				b.Fatal(err)
			}
			in := fx.batch
			n := int(in.NumRows())
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				sc, err := m.PredictRows(ctx, in, i, i+1)
				if err != nil || sc.Errors != nil {
					b.Fatalf("%v %v", err, sc.Errors)
				}
				if i++; i == n {
					i = 0
				}
			}
		})
	}
}
