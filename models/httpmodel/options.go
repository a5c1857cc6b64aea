package httpmodel

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/internal/suggest"
)

// Protocols spoken by this package.
const (
	KServeV2  = "kserve-v2"
	TFServing = "tfserving"
	MLflow    = "mlflow"
	JSON      = "json"
)

var protocols = []string{KServeV2, TFServing, MLflow, JSON}

// Defaults applied by New to zero options.
const (
	DefaultTimeout     = time.Second
	DefaultBatch       = 1
	DefaultConcurrency = 8
	DefaultInputName   = "input-0"
	DefaultDatatype    = "FP64"
)

// maxRetries bounds Options.Retries: beyond it a dead endpoint only slows
// the run down.
const maxRetries = 10

// Options configure a Model.
type Options struct {
	Protocol    string            // kserve-v2 | tfserving | mlflow | json
	URL         string            // the scoring endpoint
	Features    []string          // traffic columns sent, in model order (required)
	Timeout     time.Duration     // per request attempt; default 1s
	Batch       int               // rows per request; default 1
	Concurrency int               // requests in flight per Predict call; default 8
	Headers     map[string]string // added to every request (e.g. Authorization)
	Retries     int               // retries of a timed-out, unreachable or 5xx request; default 0

	// kserve-v2
	InputName  string // input tensor name; default "input-0"
	Datatype   string // FP32 | FP64; default FP64
	PerFeature bool   // one tensor of shape [n] per feature, named by its column

	// OutputName selects the kserve-v2 output tensor ("" = the first
	// output) and, for every protocol, the field read from a prediction
	// that is an object ("" = its only numeric field).
	OutputName string

	// tfserving: send each instance as a list of values in feature order
	// instead of an object keyed by feature name.
	Lists bool

	// json: where the scores are in the response (see the package comment).
	ScorePath string

	// Client, when set, sends the requests instead of the Model's own
	// keep-alive client (tests, custom transports).
	Client *http.Client
}

func (o *Options) fill() {
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Batch == 0 {
		o.Batch = DefaultBatch
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Protocol == KServeV2 {
		if o.InputName == "" {
			o.InputName = DefaultInputName
		}
		if o.Datatype == "" {
			o.Datatype = DefaultDatatype
		}
		o.Datatype = strings.ToUpper(o.Datatype)
	}
}

const hintURL = "candidate.model.url is the full scoring URL, e.g. http://127.0.0.1:8080/v2/models/NAME/infer (kserve-v2), http://host:8501/v1/models/NAME:predict (tfserving), http://host:5000/invocations (mlflow)"

// validate checks o (already filled) and returns the parsed URL.
func (o *Options) validate() (*url.URL, error) {
	known := false
	for _, p := range protocols {
		known = known || o.Protocol == p
	}
	if !known {
		hint := "candidate.model.protocol is one of " + strings.Join(protocols, ", ")
		if near := suggest.Closest(o.Protocol, protocols); near != "" {
			return nil, errs.Input(hint, "http model: unknown protocol %q; did you mean %q?", o.Protocol, near)
		}
		if o.Protocol == "" {
			return nil, errs.Input(hint, "http model %s: no protocol", o.URL)
		}
		return nil, errs.Input(hint, "http model: unknown protocol %q", o.Protocol)
	}
	if strings.TrimSpace(o.URL) == "" {
		return nil, errs.Input(hintURL, "http model (%s): no url", o.Protocol)
	}
	u, err := url.Parse(o.URL)
	if err != nil {
		return nil, errs.Input(hintURL, "http model: url %q: %v", o.URL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errs.Input(hintURL, "http model: url %q: scheme must be http or https", u.Redacted())
	}
	if u.Host == "" {
		return nil, errs.Input(hintURL, "http model: url %q has no host", u.Redacted())
	}
	name := u.Redacted()
	if len(o.Features) == 0 {
		return nil, errs.Input("list the traffic columns the model takes, in model order, in candidate.features",
			"http model %s: no features", name)
	}
	seen := make(map[string]int, len(o.Features))
	for i, f := range o.Features {
		if strings.TrimSpace(f) == "" {
			return nil, errs.Input("candidate.features names one traffic column per model input", "http model %s: feature %d is empty", name, i)
		}
		if j, dup := seen[f]; dup {
			return nil, errs.Input("each column is sent once; remove the repeat", "http model %s: features %d and %d are both %q", name, j, i, f)
		}
		seen[f] = i
	}
	switch {
	case o.Timeout < 0:
		return nil, errs.Input("candidate.model.timeout is a positive duration such as 50ms", "http model %s: negative timeout %v", name, o.Timeout)
	case o.Batch < 0:
		return nil, errs.Input("candidate.model.batch is the number of rows per request, 1 or more", "http model %s: batch %d", name, o.Batch)
	case o.Concurrency < 0:
		return nil, errs.Input("candidate.model.concurrency is the number of requests in flight, 1 or more", "http model %s: concurrency %d", name, o.Concurrency)
	case o.Retries < 0 || o.Retries > maxRetries:
		return nil, errs.Input(fmt.Sprintf("candidate.model.retries is between 0 and %d", maxRetries), "http model %s: retries %d", name, o.Retries)
	}
	for k := range o.Headers {
		if strings.TrimSpace(k) == "" || strings.ContainsAny(k, " :\r\n") {
			return nil, errs.Input("header names are tokens such as Authorization", "http model %s: invalid header name %q", name, k)
		}
	}
	for k, v := range o.Headers {
		if strings.ContainsAny(v, "\r\n") {
			return nil, errs.Input("a header value is one line", "http model %s: header %s holds a line break", name, k)
		}
	}
	if o.Protocol == KServeV2 && o.Datatype != "FP32" && o.Datatype != "FP64" {
		return nil, errs.Input("the datatype of the input tensor is FP32 or FP64", "http model %s: datatype %q", name, o.Datatype)
	}
	if o.Protocol == JSON {
		if _, err := parsePath(o.ScorePath); err != nil {
			return nil, errs.Input(`a score path is dotted field names, numeric indices and "*" over arrays, e.g. "results.*.score"`,
				"http model %s: score path %q: %v", name, o.ScorePath, err)
		}
	}
	return u, nil
}

// fingerprint identifies what is scored: the protocol, the endpoint and
// the columns sent. Header values (credentials) are not part of it.
func fingerprint(protocol, url string, features []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", protocol, url)
	for _, f := range features {
		fmt.Fprintf(h, "%s\n", f)
	}
	return fmt.Sprintf("sha256:%x", h.Sum(nil))
}
