package httpmodel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/models"
)

// maxBody bounds a response body.
const maxBody = 64 << 20

const hintFeatures = "candidate.features lists the traffic columns sent to the model, in model order"

// Model scores rows against an HTTP endpoint. It is safe for concurrent use.
type Model struct {
	o          Options
	u          *url.URL
	host       string // the Host of a request to u
	name       string // as reported: credentials redacted
	client     *http.Client
	h1         *h1Transport // the client's transport for a plain http:// server; nil otherwise
	h1head     []byte       // with h1: the head of every request, up to the Content-Length value
	names      [][]byte     // JSON-quoted feature names
	inputName  []byte
	outputName []byte
	path       []segment
	header     http.Header // sent with every request; never modified

	bound atomic.Pointer[binding]
	ids   atomic.Uint64
	stats struct {
		requests, retries, failed, sent, received atomic.Int64
	}
}

type binding struct {
	schema *arrow.Schema
	cols   []int
}

// Stats count a Model's traffic since New.
type Stats struct {
	Requests      int64 // attempts sent, retries included
	Retries       int64 // attempts that repeated a failed one
	Failed        int64 // calls that ended in a request-level error
	BytesSent     int64 // request bodies
	BytesReceived int64 // response bodies, decompressed
}

// New validates o and returns a Model with its own keep-alive client.
func New(o Options) (*Model, error) {
	o.Features = append([]string(nil), o.Features...)
	o.fill()
	u, err := o.validate()
	if err != nil {
		return nil, err
	}
	m := &Model{o: o, u: u, name: u.Redacted()}
	if r, err := http.NewRequest(http.MethodPost, u.String(), nil); err == nil {
		m.host = r.Host
	} else {
		m.host = u.Host
	}
	m.path, _ = parsePath(o.ScorePath)
	for _, f := range o.Features {
		m.names = append(m.names, quote(f))
	}
	m.inputName, m.outputName = quote(o.InputName), quote(o.OutputName)
	m.header = http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}
	for k, v := range o.Headers {
		m.header.Set(k, v)
	}
	m.client = o.Client
	if t := newH1Transport(u); m.client == nil && t != nil {
		m.client = &http.Client{Transport: t}
		if m.header.Get("Accept-Encoding") == "" {
			m.header.Set("Accept-Encoding", "gzip") // as net/http's Transport asks
		}
		m.h1, m.h1head = t, requestHead(u, m.host, m.header)
	}
	if m.client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = max(100, 2*o.Concurrency)
		tr.MaxIdleConnsPerHost = max(o.Concurrency, 2)
		tr.IdleConnTimeout = 90 * time.Second
		m.client = &http.Client{Transport: tr}
	}
	return m, nil
}

// Options returns the options in effect, defaults filled in.
func (m *Model) Options() Options {
	o := m.o
	o.Features = append([]string(nil), o.Features...)
	return o
}

// Stats returns the traffic counted so far.
func (m *Model) Stats() Stats {
	return Stats{
		Requests:      m.stats.requests.Load(),
		Retries:       m.stats.retries.Load(),
		Failed:        m.stats.failed.Load(),
		BytesSent:     m.stats.sent.Load(),
		BytesReceived: m.stats.received.Load(),
	}
}

// Info describes the model for the result's fingerprints. Header values
// are not part of it.
func (m *Model) Info() models.Info {
	details := fmt.Sprintf("%s %s, batch %d, concurrency %d, timeout %v", m.o.Protocol, m.name, m.o.Batch, m.o.Concurrency, m.o.Timeout)
	if m.o.Retries > 0 {
		details += fmt.Sprintf(", retries %d", m.o.Retries)
	}
	return models.Info{
		Type:        "http",
		Path:        m.name,
		Fingerprint: fingerprint(m.o.Protocol, m.name, m.o.Features),
		Details:     details,
		Features:    append([]string(nil), m.o.Features...),
	}
}

// Bind checks a schema before any row is scored: every feature column
// exists and holds numbers or booleans.
func (m *Model) Bind(schema *arrow.Schema) error {
	_, err := m.bind(schema)
	return err
}

func (m *Model) bind(schema *arrow.Schema) (*binding, error) {
	if bd := m.bound.Load(); bd != nil && bd.schema == schema {
		return bd, nil
	}
	cols, err := models.FeatureColumns(schema, m.o.Features, nil, "http model "+m.name, hintFeatures)
	if err != nil {
		return nil, err
	}
	bd := &binding{schema: schema, cols: cols}
	m.bound.Store(bd)
	return bd, nil
}

// Predict implements models.Model: it sends the batch in requests of
// Options.Batch rows, Options.Concurrency at a time. Every failure is a
// per-row error (see the package comment); the returned error is ctx's
// when it is cancelled, or a binding error.
func (m *Model) Predict(ctx context.Context, in arrow.RecordBatch) (models.Scores, error) {
	return m.PredictRows(ctx, in, 0, int(in.NumRows()))
}

// PredictRows scores rows [from, to) of in as Predict scores a slice of
// them, without cutting the slice: an engine that sends single requests
// from a large batch spares a slice of every column on each request.
func (m *Model) PredictRows(ctx context.Context, in arrow.RecordBatch, from, to int) (models.Scores, error) {
	if err := ctx.Err(); err != nil {
		return models.Scores{}, err
	}
	if from < 0 || to < from || int64(to) > in.NumRows() {
		return models.Scores{}, errs.Run("", "http model %s: rows [%d, %d) of a batch of %d", m.name, from, to, in.NumRows())
	}
	bd, err := m.bind(in.Schema())
	if err != nil {
		return models.Scores{}, err
	}
	n := to - from
	sc := newScores(n)
	batch := m.o.Batch
	nf := len(bd.cols)
	top := getScratch(nf, batch)
	defer putScratch(top)
	cols := top.cols
	for j, ci := range bd.cols {
		cols[j] = in.Column(ci)
	}
	nreq := (n + batch - 1) / batch
	var next atomic.Int64
	var wg sync.WaitGroup
	work := func(sc0 *scratch) {
		flat, rows := sc0.flat, sc0.rows
		for {
			r := int(next.Add(1) - 1)
			if r >= nreq || ctx.Err() != nil {
				return
			}
			lo, hi := r*batch, min((r+1)*batch, n)
			k := hi - lo
			for i := range k {
				row := flat[i*nf : (i+1)*nf : (i+1)*nf]
				for j, c := range cols {
					row[j] = models.FeatureValue(c, from+lo+i)
				}
				rows[i] = row
			}
			start := time.Now()
			rep, err := m.Call(ctx, rows[:k])
			fill(&sc, lo, k, rep, err, float64(time.Since(start).Nanoseconds())/1e6)
		}
	}
	if workers := min(m.o.Concurrency, nreq); workers <= 1 {
		// One request at a time (an engine pacing single requests itself):
		// in the caller's goroutine, which spares a goroutine start and
		// its stack growth on every request.
		work(top)
	} else {
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ws := getScratch(nf, batch)
				defer putScratch(ws)
				work(ws)
			}()
		}
		wg.Wait()
	}
	if err := ctx.Err(); err != nil {
		return models.Scores{}, err
	}
	return tidy(sc), nil
}

// newScores returns room for n rows' scores, latencies and errors.
func newScores(n int) models.Scores {
	return models.Scores{
		Score: make([]float64, n), LatencyMS: make([]float64, n),
		Errors: make([]string, n), ErrorClass: make([]string, n),
	}
}

// fill writes the outcome of one call for rows [lo, lo+k) of sc: its
// scores and per-row errors, or its error on every row, and its latency.
func fill(sc *models.Scores, lo, k int, rep Reply, err error, latMS float64) {
	var ce *CallError
	errors.As(err, &ce)
	for i := range k {
		row := lo + i
		sc.LatencyMS[row] = latMS
		switch {
		case err != nil:
			sc.Score[row] = math.NaN()
			if ce != nil {
				sc.Errors[row], sc.ErrorClass[row] = ce.Error(), ce.Class
			} else {
				sc.Errors[row], sc.ErrorClass[row] = err.Error(), "cancelled"
			}
		default:
			sc.Score[row] = rep.Scores[i]
			if rep.Errors != nil && rep.ErrorClass[i] != "" {
				sc.Errors[row], sc.ErrorClass[row] = rep.Errors[i], rep.ErrorClass[i]
			}
		}
	}
}

// tidy drops sc's error columns when every row was scored.
func tidy(sc models.Scores) models.Scores {
	for _, c := range sc.ErrorClass {
		if c != "" {
			return sc
		}
	}
	sc.Errors, sc.ErrorClass = nil, nil
	return sc
}

// scratch is a worker's room to gather rows in, kept for reuse.
type scratch struct {
	cols []arrow.Array
	flat []float64
	rows [][]float64
}

var scratches sync.Pool

// getScratch returns scratch with room for nf columns and batch rows.
func getScratch(nf, batch int) *scratch {
	s, _ := scratches.Get().(*scratch)
	if s == nil {
		s = new(scratch)
	}
	if cap(s.cols) < nf {
		s.cols = make([]arrow.Array, nf)
	}
	if cap(s.flat) < nf*batch {
		s.flat = make([]float64, nf*batch)
	}
	if cap(s.rows) < batch {
		s.rows = make([][]float64, batch)
	}
	s.cols, s.flat, s.rows = s.cols[:nf], s.flat[:nf*batch], s.rows[:batch]
	return s
}

func putScratch(s *scratch) {
	clear(s.cols) // the record's columns are not held past the call
	clear(s.rows)
	scratches.Put(s)
}

// Reply is the outcome of one call that got an answer.
type Reply struct {
	Scores     []float64 // one per row; NaN or ±Inf where the row failed
	Errors     []string  // per-row message, "" for a scored row; nil when every row was scored
	ErrorClass []string  // per-row class (non_finite, decode); nil when every row was scored
	Retries    int       // attempts that repeated a failed one
}

// CallError is a call that failed as a whole: every row of it fails.
type CallError struct {
	Class   string // timeout, http_<status>, connection, decode or shape
	Msg     string
	Retries int
}

func (e *CallError) Error() string {
	switch e.Retries {
	case 0:
		return e.Msg
	case 1:
		return e.Msg + " (after 1 retry)"
	}
	return fmt.Sprintf("%s (after %d retries)", e.Msg, e.Retries)
}

// Call sends rows (each len(Features) values in feature order, NaN where
// missing) as one request, retrying as Options.Retries allows, and returns
// once the response is fully read: an engine that paces requests itself
// times a request by timing Call. A failed call returns a *CallError; when
// ctx is cancelled Call returns ctx.Err().
func (m *Model) Call(ctx context.Context, rows [][]float64) (Reply, error) {
	if err := ctx.Err(); err != nil {
		return Reply{}, err
	}
	for _, r := range rows {
		if len(r) != len(m.o.Features) {
			return Reply{}, errs.Run("", "http model %s: a row of %d values for %d features", m.name, len(r), len(m.o.Features))
		}
	}
	body := m.encode(nil, rows, m.ids.Add(1))
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			m.stats.retries.Add(1)
			t := time.NewTimer(backoff(attempt))
			select {
			case <-ctx.Done():
				t.Stop()
				return Reply{}, ctx.Err()
			case <-t.C:
			}
		}
		rep, f := m.attempt(ctx, body, len(rows))
		if err := ctx.Err(); err != nil {
			return Reply{}, err
		}
		if f == nil {
			rep.Retries = attempt
			return rep, nil
		}
		if !f.retry || attempt >= m.o.Retries {
			m.stats.failed.Add(1)
			return Reply{Retries: attempt}, &CallError{Class: f.class, Msg: f.msg, Retries: attempt}
		}
	}
}

// backoff is the wait before retry number attempt: 10ms doubling, at most
// 200ms.
func backoff(attempt int) time.Duration {
	return min(10*time.Millisecond<<(attempt-1), 200*time.Millisecond)
}

// requestHead is the head http.Request.Write writes for the model's POST
// to u, up to the Content-Length value; nil when a header name or value
// is not plain (net/http then reports it).
func requestHead(u *url.URL, host string, h http.Header) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Go-http-client/1.1\r\n", u.RequestURI(), host)
	for k, vs := range h {
		for _, c := range []byte(k) {
			if !isToken(c) {
				return nil
			}
		}
		for _, v := range vs {
			if !plainValue([]byte(v)) {
				return nil
			}
			fmt.Fprintf(&b, "%s: %s\r\n", k, strings.TrimSpace(v))
		}
	}
	b.WriteString("Content-Length: ")
	return b.Bytes()
}

// attempt sends body once.
func (m *Model) attempt(ctx context.Context, body []byte, n int) (Reply, *failure) {
	if m.h1head != nil {
		if rep, f, ok := m.attemptH1(ctx, body, n); ok {
			return rep, f
		}
	}
	actx, cancel := context.WithTimeout(ctx, m.o.Timeout)
	defer cancel()
	// The request is built as http.NewRequestWithContext builds it, from
	// the URL parsed once and a header map shared by every request: the
	// client and transport only read them.
	req := (&http.Request{
		Method:        http.MethodPost,
		URL:           m.u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        m.header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		GetBody:       func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil },
		ContentLength: int64(len(body)),
		Host:          m.host,
	}).WithContext(actx)
	m.stats.requests.Add(1)
	m.stats.sent.Add(int64(len(body)))
	resp, err := m.client.Do(req)
	if err != nil {
		return Reply{}, m.transportFailure(err, actx)
	}
	rb := getRespBuf()
	defer putRespBuf(rb)
	data, err := rb.read(resp.Body)
	resp.Body.Close()
	m.stats.received.Add(int64(len(data)))
	if err != nil {
		return Reply{}, m.transportFailure(err, actx)
	}
	return m.reply(resp.StatusCode, resp.Status, data, n)
}

// attemptH1 sends body once over the HTTP/1.1 transport without the
// http.Request and http.Response of the general path. ok is false for a
// redirect, which the general path (http.Client) then follows.
func (m *Model) attemptH1(ctx context.Context, body []byte, n int) (rep Reply, f *failure, ok bool) {
	rb := getRespBuf()
	defer putRespBuf(rb)
	a, err := m.h1.post(ctx, time.Now().Add(m.o.Timeout), m.h1head, body, rb)
	if err == nil {
		switch a.code {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			return Reply{}, nil, false // counted by the general path
		}
	}
	m.stats.requests.Add(1)
	m.stats.sent.Add(int64(len(body)))
	if err != nil {
		return Reply{}, m.transportFailure(err, ctx), true
	}
	m.stats.received.Add(int64(len(a.body)))
	rep, f = m.reply(a.code, a.status, a.body, n)
	return rep, f, true
}

// reply reads a whole answer: its status, then its body's scores.
func (m *Model) reply(code int, status string, data []byte, n int) (Reply, *failure) {
	if code < 200 || code > 299 {
		return Reply{}, &failure{
			class: fmt.Sprintf("http_%d", code),
			msg:   fmt.Sprintf("%s answered %s: %s", m.name, status, serverMessage(data)),
			retry: code >= 500,
		}
	}
	if len(data) > maxBody {
		return Reply{}, &failure{class: "decode", msg: fmt.Sprintf("response is larger than %d MiB", maxBody>>20)}
	}
	scores, rerr, f := m.decode(data, n)
	if f != nil {
		return Reply{}, f
	}
	rep := Reply{Scores: scores}
	if rerr != nil {
		rep.Errors, rep.ErrorClass = make([]string, n), make([]string, n)
		for i, e := range rerr {
			if e != nil {
				rep.Errors[i], rep.ErrorClass[i] = e.msg, e.class
			}
		}
	}
	return rep, nil
}

// respBuf holds a response body while it is decoded; decoding copies what
// it keeps, so the buffer is reused by later responses.
type respBuf struct {
	b  []byte
	lr io.LimitedReader
}

// maxPooledBody bounds the buffers kept for reuse: a rare large response
// does not pin its memory.
const maxPooledBody = 64 << 10

var respBufs = sync.Pool{New: func() any { return &respBuf{b: make([]byte, 0, 1024)} }}

func getRespBuf() *respBuf { return respBufs.Get().(*respBuf) }

func putRespBuf(rb *respBuf) {
	if cap(rb.b) <= maxPooledBody {
		rb.b, rb.lr.R = rb.b[:0], nil
		respBufs.Put(rb)
	}
}

// read reads r to its end, at most maxBody+1 bytes, as
// io.ReadAll(io.LimitReader(r, maxBody+1)) does.
func (rb *respBuf) read(r io.Reader) ([]byte, error) {
	rb.lr = io.LimitedReader{R: r, N: maxBody + 1}
	b := rb.b[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := rb.lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			rb.b = b
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
	}
}

// transportFailure classifies an error of sending a request or reading its
// response: past the attempt's deadline it is a timeout, else a connection
// failure.
func (m *Model) transportFailure(err error, actx context.Context) *failure {
	var ne net.Error
	if errors.Is(actx.Err(), context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return &failure{class: "timeout", msg: fmt.Sprintf("no response from %s within %v", m.name, m.o.Timeout), retry: true}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		msg = "connection closed before the response was complete (" + msg + ")"
	}
	return &failure{class: "connection", msg: fmt.Sprintf("%s: %s", m.name, strings.TrimSpace(msg)), retry: true}
}

var _ models.Model = (*Model)(nil)
