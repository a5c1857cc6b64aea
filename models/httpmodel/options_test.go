package httpmodel

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/errs"
)

func TestNewRejects(t *testing.T) {
	ok := Options{Protocol: KServeV2, URL: "http://127.0.0.1:8080/v2/models/m/infer", Features: []string{"a", "b"}}
	cases := []struct {
		name string
		edit func(o *Options)
		msg  string
	}{
		{"protocol typo", func(o *Options) { o.Protocol = "kserve-v3" }, `did you mean "kserve-v2"`},
		{"no protocol", func(o *Options) { o.Protocol = "" }, "no protocol"},
		{"unknown protocol", func(o *Options) { o.Protocol = "grpc" }, `unknown protocol "grpc"`},
		{"no url", func(o *Options) { o.URL = " " }, "no url"},
		{"bad scheme", func(o *Options) { o.URL = "ftp://host/x" }, "scheme must be http or https"},
		{"no host", func(o *Options) { o.URL = "http:///x" }, "has no host"},
		{"no features", func(o *Options) { o.Features = nil }, "no features"},
		{"empty feature", func(o *Options) { o.Features = []string{"a", " "} }, "feature 1 is empty"},
		{"repeated feature", func(o *Options) { o.Features = []string{"a", "a"} }, `features 0 and 1 are both "a"`},
		{"negative timeout", func(o *Options) { o.Timeout = -time.Second }, "negative timeout"},
		{"negative batch", func(o *Options) { o.Batch = -1 }, "batch -1"},
		{"negative concurrency", func(o *Options) { o.Concurrency = -2 }, "concurrency -2"},
		{"too many retries", func(o *Options) { o.Retries = 99 }, "retries 99"},
		{"header name", func(o *Options) { o.Headers = map[string]string{"Bad Name": "x"} }, "invalid header name"},
		{"header value", func(o *Options) { o.Headers = map[string]string{"X-A": "a\r\nb"} }, "line break"},
		{"datatype", func(o *Options) { o.Datatype = "INT64" }, `datatype "INT64"`},
		{"score path", func(o *Options) { o.Protocol, o.ScorePath = JSON, "results..score" }, "segment 2 is empty"},
		{"password not echoed", func(o *Options) { o.URL, o.Features = "http://user:s3cret@host/x", nil }, "xxxxx"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := ok
			c.edit(&o)
			_, err := New(o)
			if errs.Code(err) != errs.CodeInput || errs.HintOf(err) == "" || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("New: %v (code %d, hint %q); want an input error with %q", err, errs.Code(err), errs.HintOf(err), c.msg)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("error shows the password: %v", err)
			}
		})
	}
	if _, err := New(ok); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultsAndInfo(t *testing.T) {
	m, err := New(Options{Protocol: KServeV2, URL: "http://user:s3cret@127.0.0.1:8080/v2/models/m/infer", Features: []string{"a", "b"},
		Headers: map[string]string{"Authorization": "Bearer t0ken"}})
	if err != nil {
		t.Fatal(err)
	}
	o := m.Options()
	if o.Timeout != time.Second || o.Batch != 1 || o.Concurrency != 8 || o.Retries != 0 || o.InputName != "input-0" || o.Datatype != "FP64" {
		t.Errorf("defaults: %+v", o)
	}
	info := m.Info()
	if info.Type != "http" || info.Path != "http://user:xxxxx@127.0.0.1:8080/v2/models/m/infer" ||
		info.Details != "kserve-v2 http://user:xxxxx@127.0.0.1:8080/v2/models/m/infer, batch 1, concurrency 8, timeout 1s" ||
		strings.Join(info.Features, ",") != "a,b" {
		t.Errorf("info: %+v", info)
	}
	if strings.Contains(info.Details+info.Path+info.Fingerprint, "s3cret") || strings.Contains(info.Details, "t0ken") {
		t.Errorf("info shows credentials: %+v", info)
	}
	// The fingerprint hashes protocol, redacted URL and features, one a line.
	if want := "sha256:" + sha256Hex("kserve-v2\nhttp://user:xxxxx@127.0.0.1:8080/v2/models/m/infer\na\nb\n"); info.Fingerprint != want {
		t.Errorf("fingerprint %s, want %s", info.Fingerprint, want)
	}
	m2, _ := New(Options{Protocol: KServeV2, URL: "http://127.0.0.1:8080/v2/models/m/infer", Features: []string{"b", "a"}})
	if m2.Info().Fingerprint == info.Fingerprint {
		t.Error("fingerprint ignores the feature order")
	}
}

func TestBind(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "income", Type: arrow.PrimitiveTypes.Float64},
		{Name: "country", Type: arrow.BinaryTypes.String},
		{Name: "flag", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "nothing", Type: arrow.Null},
	}, nil)
	cases := []struct {
		features []string
		msg      string
	}{
		{[]string{"income", "flag", "nothing"}, ""},
		{[]string{"incme"}, `traffic has no column "incme"; closest column: "income"`},
		{[]string{"zzzzzz"}, `traffic has no column "zzzzzz"`},
		{[]string{"country"}, `column "country" is utf8, not numeric or bool`},
	}
	for _, c := range cases {
		m, err := New(Options{Protocol: JSON, URL: "http://127.0.0.1:1/x", Features: c.features})
		if err != nil {
			t.Fatal(err)
		}
		err = m.Bind(schema)
		if c.msg == "" {
			if err != nil {
				t.Errorf("%v: %v", c.features, err)
			}
			continue
		}
		if errs.Code(err) != errs.CodeInput || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%v: %v; want an input error with %q", c.features, err, c.msg)
		}
	}
}

func TestReady(t *testing.T) {
	h := func(routes map[string]string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, ok := routes[r.Method+" "+r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			if code, rest, found := strings.Cut(body, "|"); found && len(code) == 3 {
				w.WriteHeader(map[string]int{"503": 503, "500": 500}[code])
				body = rest
			}
			io.WriteString(w, body)
		})
	}
	const available = `{"model_version_status":[{"version":"2","state":"AVAILABLE"}]}`
	cases := []struct {
		name     string
		protocol string
		path     string
		routes   map[string]string
		msg      string // "" = ready
	}{
		{"kserve ready, empty bodies", KServeV2, "/v2/models/ctr/infer", map[string]string{"GET /v2/health/ready": "", "GET /v2/models/ctr/ready": ""}, ""},
		{"kserve versioned, prefixed", KServeV2, "/serving/v2/models/ctr/versions/3/infer", map[string]string{"GET /serving/v2/health/ready": "", "GET /serving/v2/models/ctr/versions/3/ready": ""}, ""},
		{"kserve model loading", KServeV2, "/v2/models/ctr/infer", map[string]string{"GET /v2/health/ready": "", "GET /v2/models/ctr/ready": `503|{"error":"model ctr is loading"}`}, "model ctr is loading"},
		{"kserve server not ready", KServeV2, "/v2/models/ctr/infer", map[string]string{"GET /v2/models/ctr/ready": ""}, "404"},
		{"tfserving available", TFServing, "/v1/models/ctr:predict", map[string]string{"GET /v1/models/ctr": available}, ""},
		{"tfserving loading", TFServing, "/v1/models/ctr:predict", map[string]string{"GET /v1/models/ctr": `{"model_version_status":[{"version":"2","state":"LOADING"}]}`}, "version 2 LOADING"},
		{"tfserving unknown model", TFServing, "/v1/models/ctx:predict", map[string]string{"GET /v1/models/ctr": available}, "404"},
		{"mlflow ping", MLflow, "/invocations", map[string]string{"GET /ping": "\n"}, ""},
		{"mlflow health", MLflow, "/invocations", map[string]string{"GET /health": "OK"}, ""},
		{"mlflow down", MLflow, "/invocations", map[string]string{"GET /ping": "500|{}"}, "status 500"},
		{"json has no probe", JSON, "/score", map[string]string{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := serve(t, h(c.routes))
			m, err := New(Options{Protocol: c.protocol, URL: srv.URL + c.path, Features: []string{"x"}})
			if err != nil {
				t.Fatal(err)
			}
			err = m.Ready(context.Background())
			if c.msg == "" {
				if err != nil {
					t.Fatalf("Ready: %v", err)
				}
				return
			}
			if errs.Code(err) != errs.CodeRun || errs.HintOf(err) == "" || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("Ready: %v; want a run error with %q and a hint", err, c.msg)
			}
		})
	}
}

func TestQuoteBareTokens(t *testing.T) {
	cases := []struct{ in, want string }{
		{`[1,2]`, `[1,2]`},
		{`[NaN, Infinity, -Infinity]`, `["NaN", "Infinity", "-Infinity"]`},
		{`{"NaN":"a NaN \" Infinity","v":NaN}`, `{"NaN":"a NaN \" Infinity","v":"NaN"}`},
		{`{"p":[[-1e-5],[Infinity]]}`, `{"p":[[-1e-5],["Infinity"]]}`},
		{`Nope`, `Nope`},
	}
	for _, c := range cases {
		if got := string(quoteBareTokens([]byte(c.in))); got != c.want {
			t.Errorf("%s: got %s, want %s", c.in, got, c.want)
		}
	}
}

// TestDecode reads each protocol's responses: values written by hand.
func TestDecode(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name  string
		opts  Options
		n     int
		body  string
		want  []float64
		class []string // per row; nil = all scored
		fail  string   // request-level class
	}{
		{"kserve first output", Options{Protocol: KServeV2}, 2, `{"outputs":[{"name":"p","shape":[2],"data":[0.1,0.2]}]}`, []float64{0.1, 0.2}, nil, ""},
		{"kserve named output", Options{Protocol: KServeV2, OutputName: "p"}, 2, `{"outputs":[{"name":"l","shape":[2],"data":[1,0]},{"name":"p","shape":[2,2],"data":[0.9,0.1,0.3,0.7]}]}`, []float64{0.1, 0.7}, nil, ""},
		{"kserve nested data, no shape", Options{Protocol: KServeV2}, 2, `{"outputs":[{"name":"p","data":[[0.5],[0.25]]}]}`, []float64{0.5, 0.25}, nil, ""},
		{"kserve three classes", Options{Protocol: KServeV2}, 1, `{"outputs":[{"name":"p","shape":[1,3],"data":[0.2,0.5,0.3]}]}`, []float64{0.5}, nil, ""},
		{"kserve missing output", Options{Protocol: KServeV2, OutputName: "q"}, 1, `{"outputs":[{"name":"p","shape":[1],"data":[0.5]}]}`, nil, nil, "decode"},
		{"kserve wrong rows", Options{Protocol: KServeV2}, 3, `{"outputs":[{"name":"p","shape":[2],"data":[0.5,0.5]}]}`, nil, nil, "shape"},
		{"kserve shape vs data", Options{Protocol: KServeV2}, 2, `{"outputs":[{"name":"p","shape":[2,1],"data":[0.5]}]}`, nil, nil, "shape"},
		{"kserve NaN row", Options{Protocol: KServeV2}, 2, `{"outputs":[{"name":"p","shape":[2],"data":[NaN,0.5]}]}`, []float64{nan, 0.5}, []string{"non_finite", ""}, ""},
		{"tf mixed entries", Options{Protocol: TFServing}, 4, `{"predictions":[0.1,[0.2],[0.7,0.3],{"prob":0.4,"label":"x"}]}`, []float64{0.1, 0.2, 0.3, 0.4}, nil, ""},
		{"tf columnar outputs", Options{Protocol: TFServing}, 2, `{"outputs":[[0.1],[0.2]]}`, []float64{0.1, 0.2}, nil, ""},
		{"tf null and string", Options{Protocol: TFServing}, 3, `{"predictions":[null,"high",1e400]}`, []float64{nan, nan, math.Inf(1)}, []string{"non_finite", "decode", "non_finite"}, ""},
		{"tf object ambiguous", Options{Protocol: TFServing}, 1, `{"predictions":[{"a":1,"b":2}]}`, []float64{nan}, []string{"decode"}, ""},
		{"tf error body", Options{Protocol: TFServing}, 1, `{"error":"Input is empty"}`, nil, nil, "decode"},
		{"mlflow bare list", Options{Protocol: MLflow}, 2, `[0.5, 0.25]`, []float64{0.5, 0.25}, nil, ""},
		{"mlflow output name", Options{Protocol: MLflow, OutputName: "p"}, 1, `{"predictions":[{"p":0.125,"q":1}]}`, []float64{0.125}, nil, ""},
		{"mlflow trailing data", Options{Protocol: MLflow}, 1, `[0.5] [0.5]`, nil, nil, "decode"},
		{"json whole response", Options{Protocol: JSON}, 1, `0.5`, []float64{0.5}, nil, ""},
		{"json index path", Options{Protocol: JSON, ScorePath: "outputs.0.prob"}, 1, `{"outputs":[{"prob":0.75}]}`, []float64{0.75}, nil, ""},
		{"json list at path", Options{Protocol: JSON, Batch: 2, ScorePath: "scores"}, 2, `{"scores":[0.5,0.25]}`, []float64{0.5, 0.25}, nil, ""},
		{"json wildcard", Options{Protocol: JSON, Batch: 2, ScorePath: "r.*.s.0"}, 2, `{"r":[{"s":[0.5]},{"s":[0.25]}]}`, []float64{0.5, 0.25}, nil, ""},
		{"json wildcard, none", Options{Protocol: JSON, Batch: 2, ScorePath: "r.*.s"}, 2, `{"r":[]}`, nil, nil, "shape"},
		{"json missing field", Options{Protocol: JSON, ScorePath: "score"}, 1, `{"scor":0.5}`, nil, nil, "decode"},
		{"json empty body", Options{Protocol: JSON}, 1, ``, nil, nil, "decode"},
		{"full precision", Options{Protocol: JSON}, 1, `0.30000000000000004`, []float64{0.30000000000000004}, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.opts
			o.URL, o.Features = "http://127.0.0.1:1/x", []string{"x"}
			m, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			got, rerr, f := m.decode([]byte(c.body), c.n)
			if c.fail != "" {
				if f == nil || f.class != c.fail {
					t.Fatalf("failure %+v, want class %s", f, c.fail)
				}
				return
			}
			if f != nil {
				t.Fatalf("failure %s: %s", f.class, f.msg)
			}
			for i, w := range c.want {
				if math.Float64bits(got[i]) != math.Float64bits(w) && !(math.IsNaN(w) && math.IsNaN(got[i])) {
					t.Errorf("row %d: %v, want %v", i, got[i], w)
				}
				class := ""
				if rerr != nil && rerr[i] != nil {
					class = rerr[i].class
				}
				if want := ""; c.class != nil {
					want = c.class[i]
					if class != want {
						t.Errorf("row %d: class %q, want %q", i, class, want)
					}
				} else if class != "" {
					t.Errorf("row %d: class %q (%s)", i, class, rerr[i].msg)
				}
			}
		})
	}
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
