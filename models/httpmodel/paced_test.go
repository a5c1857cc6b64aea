package httpmodel

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/models"
)

// pacedPredict scores in through m's paced sender, one request of up to
// m's batch rows every 200 µs, and gathers the answers as Predict would
// return them. It fails the test when m cannot pace itself here.
func pacedPredict(t *testing.T, m *Model, in arrow.RecordBatch, inFlight int) models.Scores {
	t.Helper()
	sc, errs := pacedRun(t, context.Background(), m, in, inFlight)
	for _, err := range errs {
		if err != nil {
			t.Fatalf("paced request: %v", err)
		}
	}
	return sc
}

// pacedRun is pacedPredict that returns each request's error.
func pacedRun(t *testing.T, ctx context.Context, m *Model, in arrow.RecordBatch, inFlight int) (models.Scores, []error) {
	t.Helper()
	return pacedSend(t, pacedOpen(t, ctx, m, models.PacedOptions{InFlight: inFlight}), m, in)
}

// pacedOpen opens m's paced sender; it skips the test where there is
// none, and fails it when m refuses.
func pacedOpen(t *testing.T, ctx context.Context, m *Model, o models.PacedOptions) models.PacedSender {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the paced sender needs Linux")
	}
	ps, ok := m.OpenPaced(ctx, o)
	if !ok {
		t.Fatal("OpenPaced refused a plain http:// server")
	}
	return ps
}

// pacedSend sends in through ps (m's) as pacedPredict does, closes ps, and
// returns the scores and each request's error.
func pacedSend(t *testing.T, ps models.PacedSender, m *Model, in arrow.RecordBatch) (models.Scores, []error) {
	t.Helper()
	n := int(in.NumRows())
	sc := newScores(n)
	k := m.o.Batch
	nreq := (n + k - 1) / k
	errs := make([]error, nreq)
	var mu sync.Mutex
	calls := make([]int, nreq)
	reqs := make([]models.PacedRequest, nreq)
	start := time.Now()
	for r := range reqs {
		lo, hi := r*k, min(n, (r+1)*k)
		reqs[r] = models.PacedRequest{At: start.Add(time.Duration(r) * 200 * time.Microsecond), In: in, Lo: lo, Hi: hi,
			Done: func(sent, done time.Time, got models.Scores, err error) {
				mu.Lock()
				defer mu.Unlock()
				calls[r]++
				errs[r] = err
				if err != nil {
					return
				}
				if len(got.Score) != hi-lo {
					t.Errorf("request %d: %d scores for %d rows", r, len(got.Score), hi-lo)
					return
				}
				copy(sc.Score[lo:hi], got.Score)
				copy(sc.LatencyMS[lo:hi], got.LatencyMS)
				if got.Errors != nil {
					copy(sc.Errors[lo:hi], got.Errors)
					copy(sc.ErrorClass[lo:hi], got.ErrorClass)
				}
				if sent.IsZero() || done.Before(sent) {
					t.Errorf("request %d: sent %v, done %v", r, sent, done)
				}
			}}
	}
	ps.Send(reqs[:nreq/2])
	ps.Send(reqs[nreq/2:])
	ps.Close()
	for r, c := range calls {
		if c != 1 {
			t.Errorf("request %d: Done called %d times, want once", r, c)
		}
	}
	return tidy(sc), errs
}

// The paced sender's scores are the fixture model's, exactly, over the
// answers it reads itself (plain, kept alive) and the ones it hands to the
// general path: chunked, gzip, Connection: close.
func TestPacedExactScores(t *testing.T) {
	fx := loadFixture(t)
	const n = 40
	in := fx.batch.NewSlice(0, n)
	defer in.Release()
	tf := tfServer(fx, false)
	cases := []struct {
		name string
		wrap func(w http.ResponseWriter, r *http.Request)
	}{
		{"plain", tf.ServeHTTP},
		{"connection close", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			tf.ServeHTTP(w, r)
		}},
		{"chunked", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Transfer-Encoding", "chunked")
			tf.ServeHTTP(flushWriter{w}, r)
		}},
		{"gzip", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			tf.ServeHTTP(gzipWriter{w, zw}, r)
			zw.Close()
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var hits atomic.Int64
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				c.wrap(w, r)
			}))
			m, err := New(Options{Protocol: TFServing, URL: srv.URL + "/v1/models/ctr:predict", Features: fx.features, Batch: 3, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			sc := pacedPredict(t, m, in, 4)
			if scored, _ := checkAccounting(t, sc, n); scored != n {
				t.Fatalf("%d of %d rows scored: %v", scored, n, sc.Errors)
			}
			for i := range n {
				if math.Float64bits(sc.Score[i]) != math.Float64bits(fx.want[i]) {
					t.Errorf("row %d: score %v, want %v", i, sc.Score[i], fx.want[i])
				}
			}
			// 14 requests; a server whose answers the loop does not read
			// sees the ones in flight at its first such answer (at most 4)
			// twice.
			if h := hits.Load(); h < 14 || h > 14+4 {
				t.Errorf("server saw %d requests, want 14 (up to 18 when those in flight are sent again)", h)
			}
		})
	}
}

type flushWriter struct{ http.ResponseWriter }

func (f flushWriter) Write(b []byte) (int, error) {
	n, err := f.ResponseWriter.Write(b)
	f.ResponseWriter.(http.Flusher).Flush()
	return n, err
}

type gzipWriter struct {
	http.ResponseWriter
	zw *gzip.Writer
}

func (g gzipWriter) Write(b []byte) (int, error) { return g.zw.Write(b) }

// A connection the server closed while it sat idle is dropped, and the
// next request goes out on a new one.
func TestPacedIdleConnectionClosed(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"score": 0.5}`)
	}))
	srv.Config.IdleTimeout = time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	m, err := New(Options{Protocol: JSON, URL: srv.URL, Features: []string{"x"}, Batch: 1, ScorePath: "score", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ps, ok := m.OpenPaced(context.Background(), models.PacedOptions{InFlight: 2})
	if !ok {
		t.Skip("no paced sender here")
	}
	in := floatBatch(t, "x", 1, 2, 3, 4, 5)
	var got []float64
	var mu sync.Mutex
	start := time.Now()
	var reqs []models.PacedRequest
	for i := range 5 {
		reqs = append(reqs, models.PacedRequest{At: start.Add(time.Duration(i) * 20 * time.Millisecond), In: in, Lo: i, Hi: i + 1,
			Done: func(sent, done time.Time, sc models.Scores, err error) {
				mu.Lock()
				defer mu.Unlock()
				if err != nil || sc.Errors != nil {
					t.Errorf("request %d: %v %v", i, err, sc.Errors)
					return
				}
				got = append(got, sc.Score[0])
			}})
	}
	ps.Send(reqs)
	ps.Close()
	if len(got) != 5 {
		t.Errorf("%d answers, want 5", len(got))
	}
}

// Cancelling the context ends every request: the ones in flight and the
// ones not yet due, each with the context's error, and Close returns.
func TestPacedCancelled(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	m, err := New(Options{Protocol: JSON, URL: srv.URL, Features: []string{"x"}, Batch: 1, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	in := floatBatch(t, "x", 1, 2, 3, 4, 5, 6)
	sc, errs := pacedRun(t, ctx, m, in, 3)
	_ = sc
	for r, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("request %d: %v, want context.Canceled", r, err)
		}
	}
}

// At most inFlight requests are out at once; the ones due meanwhile wait
// for a connection, and that wait is theirs: sent is when they left.
func TestPacedInFlightBound(t *testing.T) {
	var now, peak atomic.Int64
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		c := now.Add(1)
		for {
			p := peak.Load()
			if c <= p || peak.CompareAndSwap(p, c) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		now.Add(-1)
		io.WriteString(w, `{"score": 1}`)
	}))
	m, err := New(Options{Protocol: JSON, URL: srv.URL, Features: []string{"x"}, Batch: 1, ScorePath: "score", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ps, ok := m.OpenPaced(context.Background(), models.PacedOptions{InFlight: 2})
	if !ok {
		t.Skip("no paced sender here")
	}
	in := floatBatch(t, "x", 1, 2, 3, 4, 5, 6)
	start := time.Now()
	var mu sync.Mutex
	lags := make([]time.Duration, 6)
	var reqs []models.PacedRequest
	for i := range 6 {
		at := start.Add(time.Duration(i) * time.Millisecond)
		reqs = append(reqs, models.PacedRequest{At: at, In: in, Lo: i, Hi: i + 1,
			Done: func(sent, done time.Time, sc models.Scores, err error) {
				mu.Lock()
				defer mu.Unlock()
				if err != nil || sc.Errors != nil || sc.Score[0] != 1 {
					t.Errorf("request %d: %v %v %v", i, err, sc.Errors, sc.Score)
				}
				lags[i] = sent.Sub(at)
			}})
	}
	ps.Send(reqs)
	ps.Close()
	if p := peak.Load(); p > 2 {
		t.Errorf("%d requests in flight at once, want at most 2", p)
	}
	// Requests 2 and 3 waited for the first two answers (20 ms), 4 and 5
	// for the next two.
	if lags[2] < 15*time.Millisecond || lags[4] < 35*time.Millisecond {
		t.Errorf("lags %v: the wait for a free connection is not counted", lags)
	}
}

// Nothing listens on the port: every request fails as a connection
// error, and nothing is lost.
func TestPacedConnectionRefused(t *testing.T) {
	addr := deadAddr(t)
	m, err := New(Options{Protocol: JSON, URL: "http://" + addr + "/score", Features: []string{"x"}, Batch: 1, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	sc := pacedPredict(t, m, floatBatch(t, "x", 1, 2, 3), 2)
	if _, errored := checkAccounting(t, sc, 3); errored != 3 {
		t.Fatalf("%d of 3 rows errored", errored)
	}
	for i := range 3 {
		if sc.ErrorClass[i] != "connection" || !strings.Contains(sc.Errors[i], "refused") {
			t.Errorf("row %d: %q %q", i, sc.ErrorClass[i], sc.Errors[i])
		}
	}
	if st := m.Stats(); st.Requests != 3 || st.Failed != 3 {
		t.Errorf("stats %+v, want 3 requests, 3 failed", st)
	}
}

// FuzzPacedAnswer answers the paced sender's request with arbitrary bytes
// (then closes the connection) and checks it against Call over the same
// bytes: the same class, the same score. Answers the loop reads itself
// must read as the standard parser reads them; the others go to Call.
func FuzzPacedAnswer(f *testing.F) {
	if runtime.GOOS != "linux" {
		f.Skip("the paced sender needs Linux")
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n{\"score\": 0.5}"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 14\r\nConnection: close\r\n\r\n{\"score\": 0.5}trailing"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\ne\r\n{\"score\": 0.5}\r\n0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n{\"score\": 0.5}"))
	f.Add([]byte("HTTP/1.1 200 OK\nContent-Length: 14\n\n{\"score\": 0.5}"))
	f.Add([]byte("HTTP/1.0 200 OK\r\n\r\n{\"score\": NaN}"))
	f.Add([]byte("garbage"))
	var answer atomic.Pointer[[]byte]
	addr := rawServer(f, func(n int, c net.Conn) {
		if readRequest(bufio.NewReader(c)) {
			c.Write(*answer.Load())
		}
	})
	in := floatBatch(f, "x", 1)
	open := func(t *testing.T) *Model {
		m, err := New(Options{Protocol: JSON, URL: addr, Features: []string{"x"}, Batch: 1, ScorePath: "score", Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	f.Fuzz(func(t *testing.T, ans []byte) {
		answer.Store(&ans)
		want, err := open(t).PredictRows(context.Background(), in, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		got := pacedPredict(t, open(t), in, 1)
		class := func(sc models.Scores) string {
			if sc.ErrorClass == nil {
				return ""
			}
			return sc.ErrorClass[0]
		}
		if class(got) != class(want) || math.Float64bits(got.Score[0]) != math.Float64bits(want.Score[0]) {
			t.Fatalf("answer %q: paced %q %v (%v), Call %q %v (%v)", ans, class(got), got.Score[0], got.Errors, class(want), want.Score[0], want.Errors)
		}
	})
}
