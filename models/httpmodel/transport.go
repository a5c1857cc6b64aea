package httpmodel

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// h1Transport sends requests to a plain http:// model server over HTTP/1.1
// in the calling goroutine: it writes the request with the standard
// library's writer and reads the answer with its parser, on a kept-alive
// connection from a pool. net/http's Transport runs a reading and a writing
// goroutine per connection and hands every request and response between
// them and the caller; for small requests those hand-overs cost more than
// the network. Against the bench's no-op server, 8 callers in a loop sent
// 64,000 requests/s this way against 44,000 through net/http's Transport,
// at 12 instead of 21 µs of CPU a request.
//
// A connection that was idle in the pool may have been closed by the
// server (many servers close idle connections after a few seconds). When
// such a connection fails before any byte of the answer arrives, the
// request is sent once more on a new connection: scoring has no side
// effects, so a server that did read the request and then closed loses
// nothing by seeing it twice.
type h1Transport struct {
	host     string // the URL's host, as in requests to it
	addr     string // host:port to dial
	dialer   net.Dialer
	fallback http.RoundTripper // for any other URL (a redirect elsewhere)
	mu       sync.Mutex
	idle     []*h1Conn
}

type h1Conn struct {
	net.Conn
	br *bufio.Reader
	bw *bufio.Writer
}

// longAgo is a deadline in the past: it stops a connection's reads and
// writes at once.
var longAgo = time.Unix(1, 0)

// newH1Transport returns the transport for u, or nil when u needs
// net/http's: https, or a proxy set in the environment for u's host.
func newH1Transport(u *url.URL) *h1Transport {
	if u.Scheme != "http" {
		return nil
	}
	if p, err := http.ProxyFromEnvironment(&http.Request{URL: u}); err != nil || p != nil {
		return nil
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	return &h1Transport{
		host:     u.Host,
		addr:     net.JoinHostPort(u.Hostname(), port),
		dialer:   net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second},
		fallback: http.DefaultTransport.(*http.Transport).Clone(),
	}
}

func (t *h1Transport) get() *h1Conn {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(t.idle)
	if n == 0 {
		return nil
	}
	c := t.idle[n-1]
	t.idle[n-1] = nil
	t.idle = t.idle[:n-1]
	return c
}

func (t *h1Transport) put(c *h1Conn) {
	t.mu.Lock()
	t.idle = append(t.idle, c)
	t.mu.Unlock()
}

// CloseIdleConnections closes the pooled connections, as http.Client
// expects of a transport.
func (t *h1Transport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, c := range idle {
		c.Close()
	}
	if f, ok := t.fallback.(interface{ CloseIdleConnections() }); ok {
		f.CloseIdleConnections()
	}
}

// RoundTrip sends req and reads the head of its answer; the body is read
// through the response, and closing it returns the connection to the pool
// when the body was read to its end and neither side asked to close.
func (t *h1Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "http" || req.URL.Host != t.host {
		return t.fallback.RoundTrip(req)
	}
	ctx := req.Context()
	for retried := false; ; retried = true {
		c := t.get()
		reused := c != nil
		if c == nil {
			nc, err := t.dialer.DialContext(ctx, "tcp", t.addr)
			if err != nil {
				return nil, err
			}
			c = &h1Conn{Conn: nc, br: bufio.NewReaderSize(nc, 4<<10), bw: bufio.NewWriterSize(nc, 4<<10)}
		}
		resp, answered, err := t.exchange(ctx, c, req)
		if err == nil {
			return resp, nil
		}
		c.Close()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if d, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(d) {
			// The connection's deadline, which is the context's, came
			// first by a hair.
			return nil, context.DeadlineExceeded
		}
		if !reused || answered || retried || req.GetBody == nil {
			return nil, err
		}
		body, gerr := req.GetBody()
		if gerr != nil {
			return nil, err
		}
		r2 := *req
		r2.Body = body
		req = &r2
	}
}

// exchange writes req on c and reads the answer's head; answered is true
// once a byte of the answer has arrived.
func (t *h1Transport) exchange(ctx context.Context, c *h1Conn, req *http.Request) (resp *http.Response, answered bool, err error) {
	d, _ := ctx.Deadline() // zero: none
	if err := c.SetDeadline(d); err != nil {
		return nil, false, err
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(longAgo) })
	fail := func(a bool, err error) (*http.Response, bool, error) {
		stop()
		return nil, a, err
	}
	if err := req.Write(c.bw); err != nil {
		return fail(false, err)
	}
	if err := c.bw.Flush(); err != nil {
		return fail(false, err)
	}
	if _, err := c.br.Peek(1); err != nil {
		return fail(false, err)
	}
	for {
		resp, err = http.ReadResponse(c.br, req)
		if err != nil {
			return fail(true, err)
		}
		// An interim answer (100 Continue, 103 Early Hints) has no body;
		// the final one follows.
		if resp.StatusCode < 100 || resp.StatusCode > 199 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
	}
	b := &h1Body{t: t, c: c, stop: stop, raw: &eofReader{r: resp.Body}, keep: !resp.Close && !req.Close}
	b.rc = b.raw
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") && resp.StatusCode != http.StatusNoContent && req.Method != http.MethodHead {
		zr, err := gzip.NewReader(b.raw)
		if err != nil && !errors.Is(err, io.EOF) {
			b.keep = false
			b.Close()
			return nil, true, err
		}
		if zr != nil {
			b.rc = zr
		}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	resp.Body = b
	return resp, true, nil
}

// eofReader remembers that its reader came to its end.
type eofReader struct {
	r   io.ReadCloser
	eof bool
}

func (e *eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		e.eof = true
	}
	return n, err
}

// h1Body is an answer's body; closing it pools or closes its connection.
type h1Body struct {
	t    *h1Transport
	c    *h1Conn
	stop func() bool
	raw  *eofReader // the body as sent
	rc   io.Reader  // what Read reads: raw, or raw decompressed
	keep bool       // neither side asked to close the connection
}

func (b *h1Body) Read(p []byte) (int, error) {
	if b.c == nil {
		return 0, errors.New("httpmodel: read on a closed response body")
	}
	return b.rc.Read(p)
}

func (b *h1Body) Close() error {
	c := b.c
	if c == nil {
		return nil
	}
	b.c = nil
	live := b.stop() // false: the request's context ended and stopped the connection
	if live && b.keep && !b.raw.eof {
		// A decompressed body ends before the bytes after the gzip
		// stream, if any; a few are read to find the end.
		io.Copy(io.Discard, io.LimitReader(b.raw, 512))
	}
	if live && b.keep && b.raw.eof {
		b.t.put(c)
		return nil
	}
	return c.Close()
}
