package httpmodel

import (
	"math"
	"testing"
)

// FuzzDecode feeds arbitrary response bodies to every protocol's decoder:
// it must never panic, and a decoded response has one score per row with
// a class on every row that is not a finite number.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"outputs":[{"name":"p","shape":[2,1],"data":[0.1,0.2]}]}`), uint8(2))
	f.Add([]byte(`{"predictions":[[NaN],[Infinity],{"score":-Infinity}]}`), uint8(3))
	f.Add([]byte(`{"results":[{"score":0.5}]}`), uint8(1))
	f.Add([]byte(`[0.5, "NaN", null]`), uint8(3))
	f.Add([]byte(`{"error":"boom"}`), uint8(1))
	var ms []*Model
	for _, o := range []Options{
		{Protocol: KServeV2},
		{Protocol: TFServing},
		{Protocol: MLflow, OutputName: "score"},
		{Protocol: JSON, Batch: 2, ScorePath: "results.*.score"},
		{Protocol: JSON, ScorePath: "0.score"},
	} {
		o.URL, o.Features = "http://127.0.0.1:1/x", []string{"x"}
		m, err := New(o)
		if err != nil {
			f.Fatal(err)
		}
		ms = append(ms, m)
	}
	f.Fuzz(func(t *testing.T, body []byte, rows uint8) {
		n := int(rows%8) + 1
		for _, m := range ms {
			scores, rerr, fl := m.decode(body, n)
			if fl != nil {
				if fl.class != "decode" && fl.class != "shape" || fl.msg == "" {
					t.Fatalf("%s: failure %+v", m.o.Protocol, fl)
				}
				continue
			}
			if len(scores) != n || rerr != nil && len(rerr) != n {
				t.Fatalf("%s: %d scores, %d errors for %d rows", m.o.Protocol, len(scores), len(rerr), n)
			}
			for i, s := range scores {
				bad := math.IsNaN(s) || math.IsInf(s, 0)
				if bad && (rerr == nil || rerr[i] == nil) {
					t.Fatalf("%s: row %d scored %v without a class", m.o.Protocol, i, s)
				}
			}
		}
	})
}
