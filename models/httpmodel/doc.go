// Package httpmodel scores traffic against a model behind an HTTP endpoint.
//
// Four protocols are spoken:
//
//   - kserve-v2, the Open Inference Protocol (KServe, Triton, Seldon
//     MLServer, OpenVINO): POST {"id", "inputs":[{"name", "shape":[n,f],
//     "datatype", "data":[row-major]}]} to .../v2/models/NAME/infer, or one
//     tensor of shape [n] per feature, named by its column, with
//     Options.PerFeature. The score of row i is read from the output named
//     Options.OutputName (default: the first output): shape [n] or [n,1]
//     gives the value, [n,2] gives column 1 (the positive-class probability
//     of a binary classifier), [n,k] with k > 2 gives the largest value (the
//     probability of the most likely class; per-class values are not
//     reported).
//   - tfserving, TensorFlow Serving's REST API: POST
//     {"signature_name":"serving_default","instances":[{feature: value}]}
//     (or lists of values in feature order with Options.Lists) to
//     .../v1/models/NAME:predict; the response's "predictions" hold one
//     entry per row.
//   - mlflow, the MLflow scoring server: POST
//     {"dataframe_split":{"columns":[...],"data":[[...]]}} to /invocations;
//     the response's "predictions" (or, from older servers, a bare array)
//     hold one entry per row.
//   - json, a generic endpoint: POST a JSON array of row objects
//     {feature: value}, or a single object when Options.Batch is 1, and read
//     the scores at Options.ScorePath, a dotted path with numeric indices and
//     "*" wildcards over arrays ("score", "outputs.0.prob",
//     "results.*.score"). The path must reach one entry per row: an array of
//     n entries, or with a wildcard n values; with Batch 1 it may reach the
//     entry itself. An empty path is the whole response.
//
// A prediction entry is a number; a list [p] (its value), [p0, p1] (p1,
// the positive class) or longer (its largest value); or an object, whose
// field Options.OutputName is read, else its only numeric field.
//
// Values are sent as JSON numbers with every digit of their float64 value
// (FP32 tensors: of their float32 value), so an XGBoost model behind the
// endpoint scores exactly as in process. Booleans are sent as 0 and 1.
// Missing values (nulls) are sent as JSON null for every protocol. The Open
// Inference Protocol has no missing value in FP32/FP64 tensors and NaN is
// not JSON: Seldon MLServer reads null as NaN, while Triton rejects the
// request, which then ends as a per-row error of class "http_400" carrying
// the server's message.
//
// Predict splits a batch into requests of Options.Batch rows and keeps up to
// Options.Concurrency of them in flight over one shared keep-alive client
// (gzip responses are accepted). A plain http:// server without a proxy is
// spoken to over HTTP/1.1 by the package's own transport, which writes
// each request and reads its answer in the calling goroutine with the
// standard library's writer and parser (see h1Transport); the model's
// own requests skip even those: their head is built once, and a plain
// answer head (HTTP/1.1, one Content-Length, no transfer or content
// coding) is read by parseHead, checked against http.ReadResponse by
// FuzzParseHead; any other answer goes to http.ReadResponse. https and
// proxied servers go through net/http's Transport. Redirects are followed
// as http.Client follows them. Each row's latency is its request's: from
// just before the request is sent until its response is fully read,
// retries included. A failure is a per-row error, never a returned error,
// with one of these classes:
//
//	timeout     the request outlived Options.Timeout
//	http_<code> the server answered with a non-2xx status (http_500, http_503, ...)
//	connection  the connection was refused, reset or closed early
//	decode      the response is not JSON or lacks the expected field
//	shape       the response holds the wrong number of scores: every row of
//	            the request fails, none is shifted onto another
//	non_finite  the score is NaN, ±Inf or null (TensorFlow Serving may send
//	            bare NaN and Infinity tokens; they are read, not rejected)
//
// Timeouts, connection errors and 5xx answers are retried up to
// Options.Retries times with a short backoff; 4xx answers are not.
//
// An engine that paces requests itself (open-loop replay, measured from
// each request's intended send time) calls Model.Call per request and times
// it: Call returns once the response is fully read. On Linux,
// Model.OpenPaced instead gives it a sender that sends requests at their
// times itself: one locked thread on its own epoll, timerfd and
// non-blocking sockets writes each request the moment its timer fires and
// reads the answers, so that neither Go's scheduler nor its network poller
// sits between a request's time and its write (see pacedSender). It serves
// plain http:// servers without retries; answers it does not read itself
// (chunked, compressed) switch it to Call. Asked to (PacedOptions.Realtime),
// the thread runs at real-time priority where the OS allows it.
package httpmodel
