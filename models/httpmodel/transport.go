package httpmodel

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
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
// the network. Against the bench's no-op server (bench/replay.sh), max
// mode sent 1.6 times the requests/s it sent through net/http's Transport
// (27,400 against 16,900 at 2 in flight, 63,500 against 39,400 at 8),
// with the model's own requests on post.
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
	deadline, _ := ctx.Deadline() // zero: none
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	var resp *http.Response
	err := t.roundTrip(ctx, deadline, replayable, func(c *h1Conn, again bool) (answered bool, err error) {
		r := req
		if again && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				c.Close()
				return false, err
			}
			r2 := *req
			r2.Body = body
			r = &r2
		}
		stop, err := start(ctx, c, deadline, func(w *bufio.Writer) error { return r.Write(w) })
		if err != nil {
			return false, err
		}
		resp, err = t.readResponse(c, r, stop)
		return true, err
	})
	return resp, err
}

// roundTrip runs send on a pooled connection or on a new one dialled by
// deadline (zero: none). When a pooled connection fails before any byte of
// the answer (the server closed it while it was idle) and the request can
// be sent again, it runs send once more on a new connection, with again
// set. send owns its connection: it pools or closes it.
func (t *h1Transport) roundTrip(ctx context.Context, deadline time.Time, replayable bool, send func(c *h1Conn, again bool) (answered bool, err error)) error {
	for again := false; ; again = true {
		c := t.get()
		reused := c != nil
		if c == nil {
			d := t.dialer
			d.Deadline = deadline // the attempt's timeout bounds the dial too
			nc, err := d.DialContext(ctx, "tcp", t.addr)
			if err != nil {
				return ended(ctx, deadline, err)
			}
			c = &h1Conn{Conn: nc, br: bufio.NewReaderSize(nc, 4<<10), bw: bufio.NewWriterSize(nc, 4<<10)}
		}
		answered, err := send(c, again)
		if err == nil {
			return nil
		}
		err = ended(ctx, deadline, err)
		if !reused || answered || again || !replayable || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
	}
}

// ended is err, or the context's error when ctx has ended or the deadline
// (which is the context's, or the attempt's) has passed: the connection's
// deadline comes first by a hair.
func ended(ctx context.Context, deadline time.Time, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if !deadline.IsZero() && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(deadline) {
		return context.DeadlineExceeded
	}
	return err
}

// start sets c's deadline, has ctx's end stop c at once, writes the
// request with write and waits for the first byte of the answer. stop
// undoes the hook on ctx; on error c is closed.
func start(ctx context.Context, c *h1Conn, deadline time.Time, write func(*bufio.Writer) error) (stop func() bool, err error) {
	if err := c.SetDeadline(deadline); err != nil {
		c.Close()
		return nil, err
	}
	stop = context.AfterFunc(ctx, func() { c.SetDeadline(longAgo) })
	err = write(c.bw)
	if err == nil {
		err = c.bw.Flush()
	}
	if err == nil {
		_, err = c.br.Peek(1)
	}
	if err != nil {
		stop()
		c.Close()
		return nil, err
	}
	return stop, nil
}

// readResponse reads the final answer to req on c with the standard
// parser; its body then owns c. On error c is closed.
func (t *h1Transport) readResponse(c *h1Conn, req *http.Request, stop func() bool) (*http.Response, error) {
	for {
		resp, err := http.ReadResponse(c.br, req)
		if err != nil {
			stop()
			c.Close()
			return nil, err
		}
		// An interim answer (100 Continue, 103 Early Hints) has no body;
		// the final one follows.
		if resp.StatusCode >= 100 && resp.StatusCode <= 199 && resp.StatusCode != http.StatusSwitchingProtocols {
			continue
		}
		b, err := t.body(c, resp, req, stop)
		if err != nil {
			return nil, err
		}
		resp.Body = b
		return resp, nil
	}
}

// body wraps resp's body over c: it decodes gzip as net/http does, and
// closing it pools c or closes it.
func (t *h1Transport) body(c *h1Conn, resp *http.Response, req *http.Request, stop func() bool) (*h1Body, error) {
	b := &h1Body{t: t, c: c, stop: stop, raw: &eofReader{r: resp.Body}, keep: !resp.Close && !req.Close}
	b.rc = b.raw
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") && resp.StatusCode != http.StatusNoContent && req.Method != http.MethodHead {
		zr, err := gzip.NewReader(b.raw)
		if err != nil && !errors.Is(err, io.EOF) {
			b.keep = false
			b.Close()
			return nil, err
		}
		if zr != nil {
			b.rc = zr
		}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	return b, nil
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

// postRequest stands for the model's requests where the standard parser
// needs one: it reads the answer to a POST.
var postRequest = &http.Request{Method: http.MethodPost}

// answer is a response read whole.
type answer struct {
	code   int
	status string // as http.Response.Status: "503 Service Unavailable"
	body   []byte // in the caller's respBuf
}

// post is RoundTrip for the model's own requests without http.Request,
// http.Client and http.Response: the head of the request is head (built
// once, up to the Content-Length value), and the answer is read whole into
// rb by parseHead when its head is plain (see parseHead) or by the
// standard library otherwise. The connection's deadline is deadline, and
// ctx's end stops it at once.
func (t *h1Transport) post(ctx context.Context, deadline time.Time, head, body []byte, rb *respBuf) (a answer, err error) {
	err = t.roundTrip(ctx, deadline, true, func(c *h1Conn, _ bool) (bool, error) {
		stop, err := start(ctx, c, deadline, func(w *bufio.Writer) error {
			w.Write(head)
			var n [20]byte
			w.Write(strconv.AppendInt(n[:0], int64(len(body)), 10))
			w.WriteString("\r\n\r\n")
			_, err := w.Write(body)
			return err
		})
		if err != nil {
			return false, err
		}
		a, err = t.readAnswer(c, rb, stop)
		return true, err
	})
	return a, err
}

// readAnswer reads the answer on c whole into rb; c is pooled or closed by
// the time it returns.
func (t *h1Transport) readAnswer(c *h1Conn, rb *respBuf, stop func() bool) (answer, error) {
	buffered, _ := c.br.Peek(c.br.Buffered())
	if h, ok := parseHead(buffered); ok && h.length <= maxBody {
		c.br.Discard(h.n)
		if cap(rb.b) < h.length {
			rb.b = make([]byte, h.length)
		}
		a := answer{code: h.code, status: h.status, body: rb.b[:h.length]}
		if _, err := io.ReadFull(c.br, a.body); err != nil {
			stop()
			c.Close()
			return answer{}, err
		}
		if stop() && h.keep {
			t.put(c)
		} else {
			c.Close()
		}
		return a, nil
	}
	// Anything else (chunked, gzip, no length, interim answers) goes to the
	// standard parser.
	resp, err := t.readResponse(c, postRequest, stop)
	if err != nil {
		return answer{}, err
	}
	data, err := rb.read(resp.Body)
	resp.Body.Close()
	if err != nil {
		return answer{}, err
	}
	return answer{code: resp.StatusCode, status: resp.Status, body: data}, nil
}

// head is a response head read by parseHead.
type head struct {
	n      int // bytes of the head, the blank line included
	code   int
	status string
	length int  // Content-Length
	keep   bool // the connection may carry another request
}

// parseHead reads a response head from b when it is plain: HTTP/1.1, a
// final status with a body (200-599 but 204 and 304), one Content-Length,
// no Transfer-Encoding or Content-Encoding, at most a Connection of close
// or keep-alive, token header names and values without control bytes, and
// the whole head in b. ok is false for anything else, which
// http.ReadResponse then reads; where parseHead says ok, it agrees with
// http.ReadResponse (FuzzParseHead compares the two).
func parseHead(b []byte) (h head, ok bool) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return h, false
	}
	h.n, h.length, h.keep = end+4, -1, true
	lines := b[:end+2] // each line ends with CRLF
	i := bytes.Index(lines, []byte("\r\n"))
	first, rest := lines[:i], lines[i+2:]
	st, found := bytes.CutPrefix(first, []byte("HTTP/1.1 "))
	if !found || len(st) < 3 || len(st) > 3 && st[3] != ' ' {
		return h, false
	}
	for _, d := range st[:3] {
		if d < '0' || d > '9' {
			return h, false
		}
		h.code = h.code*10 + int(d-'0')
	}
	if h.code < 200 || h.code > 599 || h.code == http.StatusNoContent || h.code == http.StatusNotModified || !plainValue(st) {
		return h, false
	}
	for len(rest) > 0 {
		i := bytes.Index(rest, []byte("\r\n"))
		line := rest[:i]
		rest = rest[i+2:]
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return h, false
		}
		name, value := line[:colon], bytes.Trim(line[colon+1:], " \t")
		for _, c := range name {
			if !isToken(c) {
				return h, false
			}
		}
		if !plainValue(value) {
			return h, false
		}
		switch {
		case asciiEqualFold(name, "Content-Length"):
			if h.length >= 0 || len(value) == 0 || len(value) > 10 {
				return h, false
			}
			h.length = 0
			for _, d := range value {
				if d < '0' || d > '9' {
					return h, false
				}
				h.length = h.length*10 + int(d-'0')
			}
		case asciiEqualFold(name, "Connection"):
			switch {
			case asciiEqualFold(value, "close"):
				h.keep = false
			case !asciiEqualFold(value, "keep-alive"):
				return h, false
			}
		case asciiEqualFold(name, "Transfer-Encoding"), asciiEqualFold(name, "Content-Encoding"), asciiEqualFold(name, "Trailer"):
			return h, false
		}
	}
	if h.length < 0 {
		return h, false
	}
	h.status = string(st)
	return h, true
}

// plainValue reports whether v has no control bytes (a tab is allowed)
// and no bytes outside ASCII, which textproto would read otherwise.
func plainValue(v []byte) bool {
	for _, c := range v {
		if c < ' ' && c != '\t' || c >= 0x7f {
			return false
		}
	}
	return true
}

// isToken reports whether c may appear in a header name (RFC 9110 tchar).
func isToken(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// asciiEqualFold reports whether b equals s, ignoring ASCII case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
