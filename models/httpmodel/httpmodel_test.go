package httpmodel

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/models"
)

// TestExactScores replays fixture rows through every protocol against a
// server scoring with the fixture model: the scores must equal the
// in-process evaluator's bit for bit.
func TestExactScores(t *testing.T) {
	fx := loadFixture(t)
	cases := []struct {
		name    string
		handler http.Handler
		path    string
		opts    Options
	}{
		{"kserve n1 batch1", kserveServer(fx, "n1"), "/v2/models/ctr/infer", Options{Protocol: KServeV2, Batch: 1, OutputName: "output-0"}},
		{"kserve n batch7", kserveServer(fx, "n"), "/v2/models/ctr/infer", Options{Protocol: KServeV2, Batch: 7, OutputName: "output-0"}},
		{"kserve n2 batch64", kserveServer(fx, "n2"), "/v2/models/ctr/infer", Options{Protocol: KServeV2, Batch: 64, OutputName: "output-0"}},
		{"kserve fp32 per-feature", kserveServer(fx, "n1"), "/v2/models/ctr/infer", Options{Protocol: KServeV2, Batch: 16, OutputName: "output-0", Datatype: "fp32", PerFeature: true}},
		{"tfserving objects batch1", tfServer(fx, false), "/v1/models/ctr:predict", Options{Protocol: TFServing}},
		{"tfserving lists batch32", tfServer(fx, false), "/v1/models/ctr:predict", Options{Protocol: TFServing, Batch: 32, Lists: true}},
		{"tfserving score objects", tfServer(fx, true), "/v1/models/ctr:predict", Options{Protocol: TFServing, Batch: 10, OutputName: "score"}},
		{"mlflow batch1", mlflowServer(fx), "/invocations", Options{Protocol: MLflow}},
		{"mlflow batch50", mlflowServer(fx), "/invocations", Options{Protocol: MLflow, Batch: 50, Concurrency: 2}},
		{"json single", jsonServer(fx), "/score", Options{Protocol: JSON, ScorePath: "score"}},
		{"json batch wildcard", jsonServer(fx), "/score", Options{Protocol: JSON, Batch: 25, ScorePath: "results.*.score"}},
		{"json batch objects", jsonServer(fx), "/score", Options{Protocol: JSON, Batch: 9, ScorePath: "results", OutputName: "score"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := serve(t, c.handler)
			o := c.opts
			o.URL, o.Features = srv.URL+c.path, fx.features
			m, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Ready(context.Background()); err != nil {
				t.Fatalf("Ready: %v", err)
			}
			sc, err := m.Predict(context.Background(), fx.batch)
			if err != nil {
				t.Fatal(err)
			}
			if sc.Errors != nil {
				for i, e := range sc.Errors {
					if e != "" {
						t.Fatalf("row %d: %s: %s", i, sc.ErrorClass[i], e)
					}
				}
			}
			for i, want := range fx.want {
				if math.Float64bits(sc.Score[i]) != math.Float64bits(want) {
					t.Fatalf("row %d: score %v, in-process %v", i, sc.Score[i], want)
				}
				if !(sc.LatencyMS[i] > 0) {
					t.Fatalf("row %d: latency %v", i, sc.LatencyMS[i])
				}
			}
			batch := m.Options().Batch
			st := m.Stats()
			if wantReq := int64((fixtureRows + batch - 1) / batch); st.Requests != wantReq || st.Retries != 0 || st.Failed != 0 {
				t.Errorf("stats %+v, want %d requests", st, wantReq)
			}
			if st.BytesSent == 0 || st.BytesReceived == 0 {
				t.Errorf("stats %+v: no bytes counted", st)
			}
		})
	}
}

// TestFixtureHasMissingValues makes sure the exact-score test covers nulls.
func TestFixtureHasMissingValues(t *testing.T) {
	fx := loadFixture(t)
	nulls := 0
	for _, c := range fx.batch.Columns() {
		nulls += c.NullN()
	}
	if nulls == 0 {
		t.Skip("fixture rows hold no missing values")
	}
}

// checkAccounting checks every row is accounted for: scored or errored.
func checkAccounting(t *testing.T, sc models.Scores, n int) (scored, errored int) {
	t.Helper()
	if len(sc.Score) != n || len(sc.LatencyMS) != n {
		t.Fatalf("%d scores, %d latencies for %d rows", len(sc.Score), len(sc.LatencyMS), n)
	}
	for i := range n {
		if sc.Errors != nil && sc.ErrorClass[i] != "" {
			errored++
			if sc.Errors[i] == "" {
				t.Errorf("row %d: class %s without a message", i, sc.ErrorClass[i])
			}
		} else {
			scored++
		}
	}
	if scored+errored != n {
		t.Fatalf("rows in %d, scored %d + errored %d", n, scored, errored)
	}
	return scored, errored
}

// TestFailures drives each failure to its error class: nothing is lost
// and no score lands on another row.
func TestFailures(t *testing.T) {
	fx := loadFixture(t)
	const n = 10
	in := fx.batch.NewSlice(0, n)
	defer in.Release()

	var mu sync.Mutex
	seen := map[[32]byte]int{} // request bodies, for fail-first-then-succeed
	firstTime := func(r *http.Request) ([]byte, bool) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		mu.Lock()
		defer mu.Unlock()
		k := sha256.Sum256(body)
		seen[k]++
		return body, seen[k] == 1
	}
	tf := tfServer(fx, false)
	cases := []struct {
		name    string
		retries int
		handler http.HandlerFunc
		class   string // every row's class; "" = every row scored
		msg     string
		retried int64
	}{
		{name: "non-JSON body", class: "decode", msg: "not JSON", handler: func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<html>upstream error</html>")
		}},
		{name: "missing field", class: "decode", msg: `no field "predictions"`, handler: func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"result": [0.5]}`)
		}},
		{name: "too few scores", class: "shape", msg: "predictions for", handler: func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"predictions": [[0.5]]}`)
		}},
		{name: "500", class: "http_500", msg: "model crashed", handler: func(w http.ResponseWriter, r *http.Request) {
			fail(w, 500, "model crashed")
		}},
		{name: "400 is not retried", retries: 2, class: "http_400", msg: "bad instances", handler: func(w http.ResponseWriter, r *http.Request) {
			fail(w, 400, "bad instances")
		}},
		{name: "503 always", retries: 2, class: "http_503", msg: "after 2 retries", retried: 6, handler: func(w http.ResponseWriter, r *http.Request) {
			fail(w, 503, "overloaded")
		}},
		{name: "503 then OK", retries: 1, retried: 3, handler: func(w http.ResponseWriter, r *http.Request) {
			if _, first := firstTime(r); first {
				fail(w, 503, "overloaded")
				return
			}
			tf.ServeHTTP(w, r)
		}},
		{name: "slow past the timeout", class: "timeout", msg: "within", handler: func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}},
		{name: "connection reset", class: "connection", msg: "closed", handler: func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := serve(t, c.handler)
			m, err := New(Options{Protocol: TFServing, URL: srv.URL + "/v1/models/ctr:predict", Features: fx.features,
				Batch: 4, Retries: c.retries, Timeout: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			sc, err := m.Predict(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			scored, _ := checkAccounting(t, sc, n)
			for i := range n {
				if c.class == "" {
					if math.Float64bits(sc.Score[i]) != math.Float64bits(fx.want[i]) {
						t.Errorf("row %d: score %v, want %v", i, sc.Score[i], fx.want[i])
					}
					continue
				}
				if sc.ErrorClass[i] != c.class || !strings.Contains(sc.Errors[i], c.msg) || !math.IsNaN(sc.Score[i]) {
					t.Errorf("row %d: class %q, message %q, score %v; want %s with %q", i, sc.ErrorClass[i], sc.Errors[i], sc.Score[i], c.class, c.msg)
				}
			}
			if c.class == "" && scored != n {
				t.Errorf("%d of %d rows scored", scored, n)
			}
			if st := m.Stats(); st.Retries != c.retried {
				t.Errorf("%d retries counted, want %d", st.Retries, c.retried)
			}
			if c.retries > 0 {
				return // retries are Call's: the model does not pace itself
			}
			// The same answers through the model's own paced sender.
			sc = pacedPredict(t, m, in, 4)
			checkAccounting(t, sc, n)
			for i := range n {
				if c.class == "" {
					continue
				}
				if sc.ErrorClass[i] != c.class || !strings.Contains(sc.Errors[i], c.msg) || !math.IsNaN(sc.Score[i]) {
					t.Errorf("paced: row %d: class %q, message %q, score %v; want %s with %q", i, sc.ErrorClass[i], sc.Errors[i], sc.Score[i], c.class, c.msg)
				}
			}
		})
	}
}

// TestNonFiniteTFServing: bare NaN and Infinity tokens, as TensorFlow
// Serving writes them, fail only their own rows.
func TestNonFiniteTFServing(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"predictions": [[0.25], [NaN], [-Infinity], [0.75]]}`)
	}))
	m, err := New(Options{Protocol: TFServing, URL: srv.URL + "/v1/models/m:predict", Features: []string{"x"}, Batch: 4})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := m.Predict(context.Background(), floatBatch(t, "x", 1, 2, 3, 4))
	if err != nil {
		t.Fatal(err)
	}
	checkAccounting(t, sc, 4)
	wantClass := []string{"", "non_finite", "non_finite", ""}
	for i, c := range wantClass {
		if sc.ErrorClass[i] != c {
			t.Errorf("row %d: class %q, want %q (%s)", i, sc.ErrorClass[i], c, sc.Errors[i])
		}
	}
	if sc.Score[0] != 0.25 || sc.Score[3] != 0.75 || !math.IsNaN(sc.Score[1]) || !math.IsInf(sc.Score[2], -1) {
		t.Errorf("scores %v", sc.Score)
	}
}

// deadAddr is a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestConnectionRefused: nothing listens on the port.
func TestConnectionRefused(t *testing.T) {
	addr := deadAddr(t)
	m, err := New(Options{Protocol: JSON, URL: "http://" + addr + "/score", Features: []string{"x"}, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := m.Predict(context.Background(), floatBatch(t, "x", 1, 2))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if sc.ErrorClass[i] != "connection" || !strings.Contains(sc.Errors[i], "after 1 retry") {
			t.Errorf("row %d: %q %q", i, sc.ErrorClass[i], sc.Errors[i])
		}
	}
	if err := m.Ready(context.Background()); errs.Code(err) != errs.CodeRun || !strings.Contains(err.Error(), "cannot connect") {
		t.Errorf("json protocol without a server: Ready = %v, want a run error (the TCP check)", err)
	}
	k, _ := New(Options{Protocol: KServeV2, URL: "http://" + addr + "/v2/models/m/infer", Features: []string{"x"}})
	err = k.Ready(context.Background())
	if errs.Code(err) != errs.CodeRun || errs.HintOf(err) == "" || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("Ready of a dead server: %v (code %d)", err, errs.Code(err))
	}
}

// TestPredictCancelled: a cancelled context is Predict's error.
func TestPredictCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server notices a closed connection once the body is read
		cancel()
		<-r.Context().Done()
	}))
	m, err := New(Options{Protocol: JSON, URL: srv.URL, Features: []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict(ctx, floatBatch(t, "x", 1, 2, 3)); !errors.Is(err, context.Canceled) {
		t.Errorf("Predict: %v, want context.Canceled", err)
	}
}

func floatBatch(t testing.TB, name string, vals ...float64) arrow.RecordBatch {
	t.Helper()
	b := array.NewFloat64Builder(memory.NewGoAllocator())
	b.AppendValues(vals, nil)
	col := b.NewArray()
	rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil), []arrow.Array{col}, int64(len(vals)))
	t.Cleanup(rec.Release)
	return rec
}

// TestRequestBodies pins the bytes each protocol sends for two rows, one
// with a missing value, and the column types it converts.
func TestRequestBodies(t *testing.T) {
	mem := memory.NewGoAllocator()
	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{3, 9007199254740993}, nil)
	fb := array.NewFloat64Builder(mem)
	fb.AppendValues([]float64{0.1, 0}, []bool{true, false})
	bb := array.NewBooleanBuilder(mem)
	bb.AppendValues([]bool{true, false}, nil)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64},
		{Name: "b", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "c\"q", Type: arrow.FixedWidthTypes.Boolean},
	}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{ib.NewArray(), fb.NewArray(), bb.NewArray()}, 2)
	defer rec.Release()
	feats := []string{"a", "b", "c\"q"}
	cases := []struct {
		opts Options
		want string
	}{
		{Options{Protocol: KServeV2}, `{"id":"1","inputs":[{"name":"input-0","shape":[2,3],"datatype":"FP64","data":[3,0.1,1,9007199254740992,null,0]}]}`},
		{Options{Protocol: KServeV2, Datatype: "FP32", PerFeature: true, OutputName: "prob"}, `{"id":"1","inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[3,9007199000000000]},{"name":"b","shape":[2],"datatype":"FP32","data":[0.1,null]},{"name":"c\"q","shape":[2],"datatype":"FP32","data":[1,0]}],"outputs":[{"name":"prob"}]}`},
		{Options{Protocol: TFServing}, `{"signature_name":"serving_default","instances":[{"a":3,"b":0.1,"c\"q":1},{"a":9007199254740992,"b":null,"c\"q":0}]}`},
		{Options{Protocol: TFServing, Lists: true}, `{"signature_name":"serving_default","instances":[[3,0.1,1],[9007199254740992,null,0]]}`},
		{Options{Protocol: MLflow}, `{"dataframe_split":{"columns":["a","b","c\"q"],"data":[[3,0.1,1],[9007199254740992,null,0]]}}`},
		{Options{Protocol: JSON}, `{"a":3,"b":0.1,"c\"q":1}` + `{"a":9007199254740992,"b":null,"c\"q":0}`},
		{Options{Protocol: JSON, Batch: 2}, `[{"a":3,"b":0.1,"c\"q":1},{"a":9007199254740992,"b":null,"c\"q":0}]`},
	}
	for _, c := range cases {
		var mu sync.Mutex
		var got []string
		srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got = append(got, string(b))
			mu.Unlock()
			w.WriteHeader(500)
		}))
		o := c.opts
		o.URL, o.Features, o.Concurrency = srv.URL, feats, 1
		if o.Batch == 0 && o.Protocol != JSON {
			o.Batch = 2
		}
		m, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Predict(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		if s := strings.Join(got, ""); s != c.want {
			t.Errorf("%s: sent\n%s\nwant\n%s", o.Protocol, s, c.want)
		}
	}
}

// TestHeadersAndGzip: configured headers reach the server, and a gzip
// response is read.
func TestHeadersAndGzip(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Header.Get("Authorization") != "Bearer t0ken" || r.Header.Get("Content-Type") != "application/json" {
			fail(w, 401, "headers %v", r.Header)
			return
		}
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			fail(w, 406, "gzip not accepted")
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, `{"predictions":[0.125,0.5]}`)
		zw.Close()
	}))
	m, err := New(Options{Protocol: MLflow, URL: srv.URL + "/invocations", Features: []string{"x"}, Batch: 2,
		Headers: map[string]string{"Authorization": "Bearer t0ken"}})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := m.Predict(context.Background(), floatBatch(t, "x", 1, 2))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Errors != nil || sc.Score[0] != 0.125 || sc.Score[1] != 0.5 {
		t.Fatalf("scores %v, errors %v", sc.Score, sc.Errors)
	}
	if st := m.Stats(); st.BytesReceived != int64(len(`{"predictions":[0.125,0.5]}`)) {
		t.Errorf("received %d bytes, want the decompressed size", st.BytesReceived)
	}
}
