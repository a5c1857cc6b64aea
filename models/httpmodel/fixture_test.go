package httpmodel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/models/xgboost"
	"github.com/replaygate/replaygate/traffic"
)

// fixtureRows is how many fixture traffic rows the tests replay.
const fixtureRows = 300

// fixture is the candidate model and fixture traffic rows with the scores
// the in-process XGBoost evaluator gives them: what every protocol's
// replay must reproduce bit for bit.
type fixture struct {
	booster  *xgboost.Booster
	features []string
	batch    arrow.RecordBatch
	want     []float64
}

var (
	fixtureOnce sync.Once
	fixtureVal  *fixture
	fixtureErr  error
)

func loadFixture(t testing.TB) *fixture {
	t.Helper()
	fixtureOnce.Do(func() { fixtureVal, fixtureErr = readFixture() })
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureVal
}

func readFixture() (*fixture, error) {
	b, err := xgboost.LoadFile("../../fixtures/models/candidate.json")
	if err != nil {
		return nil, err
	}
	fx := &fixture{booster: b, features: b.FeatureNames()}
	ctx := context.Background()
	r, err := traffic.Open(ctx, "../../fixtures/traffic/*.parquet", traffic.Options{Columns: fx.features, BatchSize: fixtureRows})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	fx.batch, err = r.Next()
	if err != nil {
		return nil, err
	}
	if fx.batch.NumRows() != fixtureRows {
		return nil, fmt.Errorf("fixture batch has %d rows", fx.batch.NumRows())
	}
	m, err := xgboost.New(b, "candidate.json", nil)
	if err != nil {
		return nil, err
	}
	sc, err := m.Predict(ctx, fx.batch)
	if err != nil {
		return nil, err
	}
	if sc.Errors != nil {
		return nil, errors.New("in-process scoring left errors")
	}
	fx.want = sc.Score
	return fx, nil
}

// score is the server side: XGBoost over rows (NaN = missing).
func (fx *fixture) score(rows [][]float64) []float64 {
	nf := len(fx.features)
	x := make([]float64, 0, len(rows)*nf)
	for _, r := range rows {
		x = append(x, r...)
	}
	out := make([]float64, len(rows))
	fx.booster.PredictDense(x, len(rows), out)
	return out
}

func (fx *fixture) index() map[string]int {
	idx := make(map[string]int, len(fx.features))
	for i, f := range fx.features {
		idx[f] = i
	}
	return idx
}

// num is a JSON number or null (a missing value, NaN).
type num struct{ v float64 }

func (n *num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		n.v = math.NaN()
		return nil
	}
	return json.Unmarshal(b, &n.v)
}

// rowFromObject reads an instance object keyed by feature name.
func (fx *fixture) rowFromObject(obj map[string]num) ([]float64, error) {
	if len(obj) != len(fx.features) {
		return nil, fmt.Errorf("instance has %d features, want %d", len(obj), len(fx.features))
	}
	idx := fx.index()
	row := make([]float64, len(fx.features))
	for k, v := range obj {
		j, ok := idx[k]
		if !ok {
			return nil, fmt.Errorf("unknown feature %q", k)
		}
		row[j] = v.v
	}
	return row, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}

// kserveServer implements the Open Inference Protocol's REST inference and
// health endpoints for model "ctr". outShape is the output form: "n"
// (shape [n]), "n1" ([n,1]) or "n2" ([n,2]: 1-p, p).
func kserveServer(fx *fixture, outShape string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/health/ready", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("GET /v2/models/ctr/ready", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("POST /v2/models/ctr/infer", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID     string `json:"id"`
			Inputs []struct {
				Name     string `json:"name"`
				Shape    []int  `json:"shape"`
				Datatype string `json:"datatype"`
				Data     []num  `json:"data"`
			} `json:"inputs"`
			Outputs []struct {
				Name string `json:"name"`
			} `json:"outputs"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			fail(w, 400, "bad request: %v", err)
			return
		}
		nf := len(fx.features)
		var rows [][]float64
		switch {
		case len(req.Inputs) == 1:
			in := req.Inputs[0]
			if len(in.Shape) != 2 || in.Shape[1] != nf || len(in.Data) != in.Shape[0]*nf {
				fail(w, 400, "input %s: shape %v with %d values", in.Name, in.Shape, len(in.Data))
				return
			}
			for i := range in.Shape[0] {
				row := make([]float64, nf)
				for j := range row {
					row[j] = in.Data[i*nf+j].v
				}
				rows = append(rows, row)
			}
		case len(req.Inputs) == nf:
			idx := fx.index()
			n := req.Inputs[0].Shape[0]
			rows = make([][]float64, n)
			for i := range rows {
				rows[i] = make([]float64, nf)
			}
			for _, in := range req.Inputs {
				j, ok := idx[in.Name]
				if !ok || len(in.Shape) != 1 || in.Shape[0] != n || len(in.Data) != n {
					fail(w, 400, "input %q: shape %v", in.Name, in.Shape)
					return
				}
				for i := range n {
					rows[i][j] = in.Data[i].v
				}
			}
		default:
			fail(w, 400, "%d inputs", len(req.Inputs))
			return
		}
		for _, in := range req.Inputs {
			if in.Datatype != "FP64" && in.Datatype != "FP32" {
				fail(w, 400, "datatype %s", in.Datatype)
				return
			}
		}
		p := fx.score(rows)
		n := len(p)
		out := map[string]any{"name": "output-0", "datatype": "FP64"}
		switch outShape {
		case "n":
			out["shape"], out["data"] = []int{n}, p
		case "n1":
			out["shape"], out["data"] = []int{n, 1}, p
		case "n2":
			data := make([]float64, 0, 2*n)
			for _, v := range p {
				data = append(data, 1-v, v)
			}
			out["shape"], out["data"] = []int{n, 2}, data
		}
		writeJSON(w, 200, map[string]any{"model_name": "ctr", "id": req.ID, "outputs": []any{
			map[string]any{"name": "label", "shape": []int{n}, "datatype": "INT64", "data": make([]int, n)}, out,
		}})
	})
	return mux
}

// tfServer implements TensorFlow Serving's REST predict and model status
// endpoints for model "ctr"; objects selects {"score": p} predictions
// instead of [p].
func tfServer(fx *fixture, objects bool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/models/ctr", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"model_version_status":[{"version":"1","state":"AVAILABLE","status":{"error_code":"OK","error_message":""}}]}`)
	})
	mux.HandleFunc("POST /v1/models/ctr:predict", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Signature string            `json:"signature_name"`
			Instances []json.RawMessage `json:"instances"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Signature != "serving_default" {
			fail(w, 400, "bad request: %v", err)
			return
		}
		rows := make([][]float64, len(req.Instances))
		for i, raw := range req.Instances {
			var list []num
			var obj map[string]num
			var err error
			if json.Unmarshal(raw, &list) == nil {
				if len(list) != len(fx.features) {
					fail(w, 400, "instance %d has %d values", i, len(list))
					return
				}
				rows[i] = make([]float64, len(list))
				for j, v := range list {
					rows[i][j] = v.v
				}
			} else if err = json.Unmarshal(raw, &obj); err == nil {
				rows[i], err = fx.rowFromObject(obj)
			}
			if err != nil {
				fail(w, 400, "instance %d: %v", i, err)
				return
			}
		}
		preds := make([]any, len(rows))
		for i, p := range fx.score(rows) {
			if objects {
				preds[i] = map[string]any{"score": p, "class": "1"}
			} else {
				preds[i] = []float64{p}
			}
		}
		writeJSON(w, 200, map[string]any{"predictions": preds})
	})
	return mux
}

// mlflowServer implements the MLflow scoring server's /invocations (the
// dataframe_split form) and /ping.
func mlflowServer(fx *fixture) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "\n") })
	mux.HandleFunc("POST /invocations", func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			writeJSON(w, 415, map[string]string{"error_code": "BAD_REQUEST", "message": "content type " + ct})
			return
		}
		var req struct {
			Split *struct {
				Columns []string `json:"columns"`
				Data    [][]num  `json:"data"`
			} `json:"dataframe_split"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Split == nil {
			writeJSON(w, 400, map[string]string{"error_code": "BAD_REQUEST", "message": fmt.Sprintf("bad request: %v", err)})
			return
		}
		idx := fx.index()
		rows := make([][]float64, len(req.Split.Data))
		for i, d := range req.Split.Data {
			rows[i] = make([]float64, len(fx.features))
			for c, name := range req.Split.Columns {
				rows[i][idx[name]] = d[c].v
			}
		}
		writeJSON(w, 200, map[string]any{"predictions": fx.score(rows)})
	})
	return mux
}

// jsonServer is a generic JSON endpoint: an array of row objects (or one
// object) in, {"results":[{"score": p, "id": i}]} (or {"score": p}) out.
func jsonServer(fx *fixture) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var objs []map[string]num
		if err := json.Unmarshal(body, &objs); err != nil {
			var one map[string]num
			if err := json.Unmarshal(body, &one); err != nil {
				fail(w, 400, "bad request: %v", err)
				return
			}
			row, err := fx.rowFromObject(one)
			if err != nil {
				fail(w, 400, "%v", err)
				return
			}
			writeJSON(w, 200, map[string]any{"score": fx.score([][]float64{row})[0], "model": "ctr"})
			return
		}
		rows := make([][]float64, len(objs))
		for i, o := range objs {
			var err error
			if rows[i], err = fx.rowFromObject(o); err != nil {
				fail(w, 400, "row %d: %v", i, err)
				return
			}
		}
		res := make([]any, len(rows))
		for i, p := range fx.score(rows) {
			res[i] = map[string]any{"score": p, "id": i}
		}
		writeJSON(w, 200, map[string]any{"results": res})
	})
}

func serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
