package httpmodel

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// h1For returns a transport for srv's URL.
func h1For(t testing.TB, rawURL string) *h1Transport {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	tr := newH1Transport(u)
	if tr == nil {
		t.Fatalf("no HTTP/1.1 transport for %s", rawURL)
	}
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// post sends body to rawURL through tr and returns the answer's status
// and body.
func post(ctx context.Context, tr http.RoundTripper, rawURL, body string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// countingServer answers with handler and counts the connections it
// accepted.
func countingServer(t *testing.T, handler http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func TestH1Transport(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.Path, b)
	}
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string // every answer's body
		conns   int64  // connections for 5 requests
	}{
		{"kept alive", echo, "POST /p hello", 1},
		{"server closes", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			echo(w, r)
		}, "POST /p hello", 5},
		{"chunked", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "a")
			w.(http.Flusher).Flush()
			io.WriteString(w, "b")
		}, "ab", 1},
		{"gzip", func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Accept-Encoding") != "gzip" {
				http.Error(w, "no gzip asked: "+r.Header.Get("Accept-Encoding"), 400)
				return
			}
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			io.WriteString(zw, `{"score":0.5}`)
			zw.Close()
		}, `{"score":0.5}`, 1},
		{"100 continue first", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusContinue)
			io.WriteString(w, "done")
		}, "done", 1},
		{"error status", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
		}, "overloaded\n", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, conns := countingServer(t, tc.handler)
			tr := h1For(t, srv.URL)
			for i := 0; i < 5; i++ {
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/p", strings.NewReader("hello"))
				if tc.name == "gzip" {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				resp, err := tr.RoundTrip(req)
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || string(b) != tc.want {
					t.Fatalf("request %d: body %q (%v), want %q", i, b, err, tc.want)
				}
				if tc.name == "gzip" && (resp.Header.Get("Content-Encoding") != "" || !resp.Uncompressed) {
					t.Errorf("gzip answer: header %v, uncompressed %v", resp.Header, resp.Uncompressed)
				}
			}
			if got := conns.Load(); got != tc.conns {
				t.Errorf("%d connections for 5 requests, want %d", got, tc.conns)
			}
		})
	}
}

// A redirect to another server is followed there, not sent to the first.
func TestH1TransportRedirect(t *testing.T) {
	other, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "other got %s", b)
	})
	first, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/moved", http.StatusTemporaryRedirect)
	})
	cl := &http.Client{Transport: h1For(t, first.URL)}
	resp, err := cl.Post(first.URL+"/score", "application/json", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "other got x" {
		t.Errorf("after the redirect: %q", b)
	}
}

// rawServer accepts connections on 127.0.0.1 and hands each, with its
// number, to serve.
func rawServer(t testing.TB, serve func(n int, c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for n := 0; ; n++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(n, c)
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/score"
}

// readRequest reads one request off c; false at the connection's end.
func readRequest(br *bufio.Reader) bool {
	req, err := http.ReadRequest(br)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, req.Body)
	return true
}

const okAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

// A kept-alive connection the server closed while it was idle is found
// dead on its next request, which then goes out once more on a new
// connection; a new connection that fails is not tried again.
func TestH1TransportStaleConnection(t *testing.T) {
	var accepted atomic.Int64
	addr := rawServer(t, func(n int, c net.Conn) {
		accepted.Add(1)
		if readRequest(bufio.NewReader(c)) {
			io.WriteString(c, okAnswer) // then close without saying so
		}
	})
	tr := h1For(t, addr)
	for i := 0; i < 3; i++ {
		if code, body, err := post(context.Background(), tr, addr, "x"); err != nil || code != 200 || body != "ok" {
			t.Fatalf("request %d: %d %q %v", i, code, body, err)
		}
		time.Sleep(20 * time.Millisecond) // let the close arrive
	}
	if got := accepted.Load(); got != 3 {
		t.Errorf("%d connections for 3 requests, want 3", got)
	}

	refuse := rawServer(t, func(n int, c net.Conn) {}) // accepts, then closes
	if _, _, err := post(context.Background(), h1For(t, refuse), refuse, "x"); err == nil {
		t.Fatal("a server that closes every connection at once answered")
	}
}

// An answer that breaks off after it began is an error, never sent again.
func TestH1TransportBrokenAnswer(t *testing.T) {
	var requests atomic.Int64
	addr := rawServer(t, func(n int, c net.Conn) {
		br := bufio.NewReader(c)
		for readRequest(br) {
			requests.Add(1)
			if n == 0 {
				io.WriteString(c, okAnswer)
				continue
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok")
			return
		}
	})
	tr := h1For(t, addr)
	if _, _, err := post(context.Background(), tr, addr, "x"); err != nil {
		t.Fatal(err)
	}
	// The pooled connection still works: the second request goes on it.
	if _, body, err := post(context.Background(), tr, addr, "x"); err != nil || body != "ok" {
		t.Fatalf("second request: %q %v", body, err)
	}
	tr.CloseIdleConnections()
	_, _, err := post(context.Background(), tr, addr, "x")
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("cut-off body: error %v, want unexpected EOF", err)
	}
	if got := requests.Load(); got != 3 {
		t.Errorf("the server saw %d requests, want 3 (no resend of an answered request)", got)
	}
}

func TestH1TransportContext(t *testing.T) {
	release := make(chan struct{})
	var conns atomic.Int64
	addr := rawServer(t, func(n int, c net.Conn) {
		conns.Add(1)
		br := bufio.NewReader(c)
		for readRequest(br) {
			select {
			case <-release:
			case <-time.After(5 * time.Second):
			}
			io.WriteString(c, okAnswer)
		}
	})
	tr := h1For(t, addr)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := post(ctx, tr, addr, "x")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("past the deadline: %v after %v, want context.DeadlineExceeded at once", err, time.Since(start))
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, _, err := post(ctx, tr, addr, "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v, want context.Canceled", err)
	}
	if n := len(tr.idle); n != 0 {
		t.Errorf("%d connections pooled after two abandoned requests, want none", n)
	}
	close(release)
	if _, body, err := post(context.Background(), tr, addr, "x"); err != nil || body != "ok" {
		t.Fatalf("after the abandoned requests: %q %v", body, err)
	}
	if got := conns.Load(); got != 3 {
		t.Errorf("%d connections, want 3: an abandoned one is never reused", got)
	}
}

// A body closed before its end closes its connection instead of pooling
// it with unread bytes.
func TestH1TransportUnreadBody(t *testing.T) {
	big := strings.Repeat("x", 64<<10)
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, big) })
	tr := h1For(t, srv.URL)
	for i := 0; i < 2; i++ {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("x"))
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 10)
		io.ReadFull(resp.Body, buf)
		resp.Body.Close()
		if _, err := resp.Body.Read(buf); err == nil {
			t.Error("read after close succeeded")
		}
	}
	if got := conns.Load(); got != 2 {
		t.Errorf("%d connections, want 2", got)
	}
}

func TestNewH1Transport(t *testing.T) {
	for _, tc := range []struct {
		url  string
		addr string // "": net/http's transport instead
	}{
		{"http://127.0.0.1:8080/v2/models/m/infer", "127.0.0.1:8080"},
		{"http://localhost/invocations", "localhost:80"},
		{"http://[::1]:9000/x", "[::1]:9000"},
		{"https://127.0.0.1:8443/x", ""},
	} {
		u, _ := url.Parse(tc.url)
		tr := newH1Transport(u)
		switch {
		case tc.addr == "" && tr != nil:
			t.Errorf("%s: HTTP/1.1 transport to %s, want net/http's", tc.url, tr.addr)
		case tc.addr != "" && (tr == nil || tr.addr != tc.addr):
			t.Errorf("%s: transport %+v, want one dialling %s", tc.url, tr, tc.addr)
		}
	}
}

// FuzzH1Transport answers a request with arbitrary bytes: the transport
// must never panic or hang, and an answer it accepts has a readable body.
func FuzzH1Transport(f *testing.F) {
	f.Add([]byte(okAnswer))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc"))
	f.Add([]byte("HTTP/1.0 200 OK\r\n\r\nuntil close"))
	f.Add([]byte("garbage"))
	answers := make(chan []byte, 1)
	addr := rawServer(f, func(n int, c net.Conn) {
		if readRequest(bufio.NewReader(c)) {
			c.Write(<-answers)
		}
	})
	f.Fuzz(func(t *testing.T, answer []byte) {
		answers <- answer
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		tr := h1For(t, addr)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, addr, bytes.NewReader([]byte("x")))
		resp, err := tr.RoundTrip(req)
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("no answer within 2 s from %q", answer)
			}
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if ctx.Err() != nil {
			t.Fatalf("body of %q not read within 2 s", answer)
		}
		// The model's own path reads the same answer as the general one.
		std := *resp
		answers <- answer
		rb := getRespBuf()
		defer putRespBuf(rb)
		a, err := h1For(t, addr).post(ctx, time.Now().Add(2*time.Second), []byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "), []byte("x"), rb)
		if ctx.Err() != nil {
			t.Fatalf("no answer within 2 s from %q", answer)
		}
		if err == nil && (a.code != std.StatusCode || a.status != std.Status) {
			t.Fatalf("%q: post read %d %q, RoundTrip %d %q", answer, a.code, a.status, std.StatusCode, std.Status)
		}
	})
}

// The attempt's deadline bounds the dial of a new connection.
func TestPostDialDeadline(t *testing.T) {
	addr := rawServer(t, func(n int, c net.Conn) {})
	rb := getRespBuf()
	defer putRespBuf(rb)
	_, err := h1For(t, addr).post(context.Background(), time.Now().Add(-time.Millisecond), []byte("POST / HTTP/1.1\r\nContent-Length: "), nil, rb)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("dial past the deadline: %v, want context.DeadlineExceeded", err)
	}
}

func TestParseHead(t *testing.T) {
	for _, tc := range []struct {
		head string
		ok   bool
		keep bool
	}{
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true, true},
		{"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nConnection: close\r\n\r\n", true, false},
		{"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: Keep-Alive\r\n\r\n{}", true, true},
		{"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", true, true},
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", false, false},              // head not complete
		{"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false, false},        // not HTTP/1.1
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, false}, // chunked
		{"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n", false, false},
		{"HTTP/1.1 200 OK\r\n\r\n", false, false}, // no length: read to the close
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n", false, false},
		{"HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\n", false, false},
		{"HTTP/1.1 100 Continue\r\n\r\n", false, false},
		{"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", false, false},
		{"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n", false, false}, // folded line
		{"HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n", false, false},
		{"HTTP/1.1 200 OK\r\nConnection: upgrade\r\nContent-Length: 0\r\n\r\n", false, false},
		{"HTTP/1.1 20x OK\r\nContent-Length: 0\r\n\r\n", false, false},
	} {
		h, ok := parseHead([]byte(tc.head))
		if ok != tc.ok || ok && h.keep != tc.keep {
			t.Errorf("%q: ok %v keep %v, want ok %v keep %v", tc.head, ok, h.keep, tc.ok, tc.keep)
		}
	}
}

// FuzzParseHead checks parseHead against http.ReadResponse: where it
// reads a head, the standard library reads the same status, length,
// connection and body.
func FuzzParseHead(f *testing.F) {
	f.Add([]byte(okAnswer))
	f.Add([]byte("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"))
	f.Add([]byte("HTTP/1.1 404 \r\nx-a: \t v \r\nContent-Length: 0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, ok := parseHead(b)
		if !ok {
			return
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(b)), postRequest)
		if err != nil {
			t.Fatalf("parseHead read %+v from %q, net/http failed: %v", h, b, err)
		}
		if resp.StatusCode != h.code || resp.Status != h.status || resp.ContentLength != int64(h.length) || resp.Close == h.keep {
			t.Fatalf("%q: parseHead %+v, net/http status %d %q length %d close %v", b, h, resp.StatusCode, resp.Status, resp.ContentLength, resp.Close)
		}
		body, err := io.ReadAll(resp.Body)
		if len(b) >= h.n+h.length {
			if err != nil || !bytes.Equal(body, b[h.n:h.n+h.length]) {
				t.Fatalf("%q: body %q (%v), parseHead's %q", b, body, err, b[h.n:h.n+h.length])
			}
		} else if err == nil {
			t.Fatalf("%q: net/http read a whole body from a short answer", b)
		}
	})
}

// The model's own requests carry what net/http would send for them.
func TestRequestHeadMatchesNetHTTP(t *testing.T) {
	got := make(chan *http.Request, 1)
	addr := rawServer(t, func(n int, c net.Conn) {
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		b, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(b))
		got <- req
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n{\"score\":0.5}")
	})
	m, err := New(Options{URL: addr + "?v=1", Protocol: JSON, ScorePath: "score", Features: []string{"x"},
		Headers: map[string]string{"Authorization": "Bearer t0k", "X-Trace": " a b "}})
	if err != nil {
		t.Fatal(err)
	}
	if m.h1head == nil {
		t.Fatal("no prebuilt request head for a plain http:// server")
	}
	rep, f := m.attempt(context.Background(), []byte(`[{"x":1}]`), 1)
	if f != nil || len(rep.Scores) != 1 || rep.Scores[0] != 0.5 {
		t.Fatalf("reply %+v, failure %+v", rep, f)
	}
	req := <-got
	want, _ := http.NewRequest(http.MethodPost, addr+"?v=1", strings.NewReader(`[{"x":1}]`))
	want.Header = m.header.Clone()
	var buf bytes.Buffer
	want.Write(&buf)
	std, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(req.Body)
	if req.Method != std.Method || req.RequestURI != std.RequestURI || req.Host != std.Host || string(b) != `[{"x":1}]` ||
		req.ContentLength != std.ContentLength || fmt.Sprint(req.Header) != fmt.Sprint(std.Header) {
		t.Errorf("sent %s %s host %s length %d %v %q;\nnet/http sends %s %s host %s length %d %v",
			req.Method, req.RequestURI, req.Host, req.ContentLength, req.Header, b, std.Method, std.RequestURI, std.Host, std.ContentLength, std.Header)
	}
}

// A redirect answered to the model's own request is followed by the
// general path.
func TestAttemptFollowsRedirect(t *testing.T) {
	other, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"score":0.25}`) })
	first, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/moved", http.StatusTemporaryRedirect)
	})
	m, err := New(Options{URL: first.URL + "/score", Protocol: JSON, ScorePath: "score", Features: []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	rep, f := m.attempt(context.Background(), []byte(`[{"x":1}]`), 1)
	if f != nil || len(rep.Scores) != 1 || rep.Scores[0] != 0.25 {
		t.Fatalf("reply %+v, failure %+v", rep, f)
	}
	if s := m.Stats(); s.Requests != 1 {
		t.Errorf("%d requests counted for one call, want 1", s.Requests)
	}
}
