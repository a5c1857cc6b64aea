package httpmodel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/replaygate/replaygate/models"
)

// OpenPaced returns a sender that sends requests at their times from one
// thread of its own (see pacedSender), with at most o.InFlight requests (and
// connections) at once; ok is false when the model cannot pace itself: a
// server that is not plain http:// (https, a proxy, a host name that does
// not resolve to one address), retries asked for (their waits belong to
// Call), or a kernel that refuses epoll.
func (m *Model) OpenPaced(ctx context.Context, o models.PacedOptions) (s models.PacedSender, ok bool) {
	if m.h1 == nil || m.h1head == nil || m.o.Retries > 0 || o.InFlight < 1 {
		return nil, false
	}
	ta, err := net.ResolveTCPAddr("tcp", m.h1.addr)
	if err != nil || ta.Zone != "" {
		return nil, false
	}
	var sa unix.Sockaddr
	family := unix.AF_INET
	if ip4 := ta.IP.To4(); ip4 != nil {
		sa = &unix.SockaddrInet4{Port: ta.Port, Addr: [4]byte(ip4)}
	} else {
		family = unix.AF_INET6
		sa = &unix.SockaddrInet6{Port: ta.Port, Addr: [16]byte(ta.IP.To16())}
	}
	ps := &pacedSender{m: m, ctx: ctx, max: o.InFlight, family: family, sa: sa, byFd: map[int]*pconn{},
		realtime: o.Realtime, started: make(chan struct{}), exited: make(chan struct{})}
	if err := ps.open(); err != nil {
		ps.closeFds()
		return nil, false
	}
	ps.stop = context.AfterFunc(ctx, ps.wake)
	go ps.loop()
	<-ps.started
	return ps, true
}

// setRealtime puts the calling thread in the lowest real-time class
// (SCHED_FIFO 1): it then runs the moment it wakes, ahead of every
// ordinary thread of the machine, and the kernel's real-time throttling
// still leaves the others a share of the core should it ever stay busy.
// Threads cloned from it start as ordinary ones. It needs root,
// CAP_SYS_NICE or a real-time limit (ulimit -r) of at least 1. A variable
// so that tests can make the OS refuse.
var setRealtime = func() error {
	return unix.SchedSetAttr(0, &unix.SchedAttr{Policy: unix.SCHED_FIFO, Priority: 1, Flags: unix.SCHED_FLAG_RESET_ON_FORK}, 0)
}

// Realtime is nil when the sending thread runs at real-time priority as
// asked, and why not otherwise.
func (s *pacedSender) Realtime() error {
	if !s.realtime {
		return errors.New("not asked for")
	}
	return s.rtErr
}

// pacedSender is an event loop on one locked thread: its own epoll over a
// timerfd (the next send or deadline), an eventfd (new requests, the end)
// and non-blocking sockets to the server. A request is written the moment
// its timer fires, by the thread the kernel wakes, with no goroutine
// hand-over in between; answers are read and decoded on the same thread.
// Go's network poller and scheduler are not on that path, and on a small
// machine they are what makes a send late (bench/floor, the same loop
// without HTTP, measures the machine's floor).
//
// Answers are read when their head is plain (parseHead) and their length
// known. Anything else (chunked or compressed answers, interim ones, a
// redirect) hands the request to Call, which sends it again and reads the
// answer with the standard parser, and from then on every request goes
// through Call in a goroutine of its own at its time: the server's
// answers need the general path. A connection that was reused and fails
// before any byte of its answer (the server closed it while it was idle)
// also hands its request to Call, as the transport retries it.
type pacedSender struct {
	m      *Model
	ctx    context.Context
	max    int
	family int
	sa     unix.Sockaddr
	ep     int
	tfd    int
	efd    int
	stop   func() bool

	realtime bool          // run the loop's thread at real-time priority
	rtErr    error         // why it does not, set before started closes
	tid      int           // the loop's thread
	started  chan struct{} // the loop runs on its thread

	mu      sync.Mutex
	queue   []pacedReq // from Send, not yet taken by the loop
	closing bool
	dead    error // the loop ended early (the context's error): Send fails requests itself

	// The loop's own.
	pending []pacedReq // taken from queue, in time order
	byFd    map[int]*pconn
	idle    []*pconn
	general bool // answers need the general path: every request goes to Call
	slots   chan struct{}
	handed  sync.WaitGroup // requests given to Call
	exited  chan struct{}
}

type pacedReq struct {
	models.PacedRequest
	wire []byte // the whole request: head and body
	sent time.Time
}

// pconn is one connection of the loop.
type pconn struct {
	fd         int
	connecting bool
	answered   int // answers read on it
	req        *pacedReq
	out        []byte // request bytes not yet written
	buf        []byte
	n          int
	deadline   time.Time
}

func (s *pacedSender) open() (err error) {
	s.ep, s.tfd, s.efd = -1, -1, -1
	if s.ep, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return err
	}
	if s.tfd, err = unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC); err != nil {
		return err
	}
	if s.efd, err = unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC); err != nil {
		return err
	}
	for _, fd := range []int{s.tfd, s.efd} {
		if err := unix.EpollCtl(s.ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}); err != nil {
			return err
		}
	}
	return nil
}

func (s *pacedSender) closeFds() {
	for _, fd := range []int{s.ep, s.tfd, s.efd} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}

// Send encodes reqs (in the caller's goroutine) and queues them.
func (s *pacedSender) Send(reqs []models.PacedRequest) {
	out := make([]pacedReq, len(reqs))
	for i, r := range reqs {
		out[i] = pacedReq{PacedRequest: r}
		out[i].wire = s.m.wire(r)
	}
	s.mu.Lock()
	if err := s.dead; err != nil {
		s.mu.Unlock()
		for _, r := range reqs {
			r.Done(time.Time{}, time.Now(), models.Scores{}, err)
		}
		return
	}
	s.queue = append(s.queue, out...)
	s.mu.Unlock()
	s.wake()
}

// Close waits until every request sent is answered or failed.
func (s *pacedSender) Close() {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.wake()
	<-s.exited
	s.handed.Wait()
	s.stop()
}

func (s *pacedSender) wake() {
	one := [8]byte{1}
	unix.Write(s.efd, one[:])
}

// wire is the whole request for rows [Lo, Hi) of r.In; nil when the rows
// cannot be encoded (Call then reports why).
func (m *Model) wire(r models.PacedRequest) []byte {
	bd, err := m.bind(r.In.Schema())
	if err != nil || r.Hi-r.Lo < 1 || r.Hi-r.Lo > m.o.Batch {
		return nil
	}
	k, nf := r.Hi-r.Lo, len(bd.cols)
	flat := make([]float64, k*nf)
	rows := make([][]float64, k)
	for i := range rows {
		rows[i] = flat[i*nf : (i+1)*nf : (i+1)*nf]
		for j, ci := range bd.cols {
			rows[i][j] = models.FeatureValue(r.In.Column(ci), r.Lo+i)
		}
	}
	body := m.encode(nil, rows, m.ids.Add(1))
	w := make([]byte, 0, len(m.h1head)+24+len(body))
	w = append(w, m.h1head...)
	w = strconv.AppendInt(w, int64(len(body)), 10)
	w = append(w, "\r\n\r\n"...)
	return append(w, body...)
}

func (s *pacedSender) loop() {
	// Locked and never unlocked: the thread ends with the loop, and its
	// priority with it. The runtime creates no thread from a locked one.
	runtime.LockOSThread()
	s.tid = unix.Gettid()
	if s.realtime {
		if err := setRealtime(); err != nil {
			s.rtErr = fmt.Errorf("real-time priority for the sending thread: %w", err)
		}
	}
	close(s.started)
	defer func() {
		for _, c := range s.byFd {
			unix.Close(c.fd)
		}
		s.closeFds()
		close(s.exited)
	}()
	s.slots = make(chan struct{}, s.max)
	events := make([]unix.EpollEvent, 64)
	var scratch [8]byte
	for {
		s.mu.Lock()
		s.pending = append(s.pending, s.queue...)
		clear(s.queue)
		s.queue = s.queue[:0]
		closing := s.closing
		s.mu.Unlock()

		if err := s.ctx.Err(); err != nil {
			s.abandon(err)
			return
		}
		now := time.Now()
		s.expire(now)
		s.sendDue(now)
		if closing && len(s.pending) == 0 && s.busy() == 0 {
			return
		}
		if err := s.arm(); err != nil {
			s.abandon(err)
			return
		}
		n, err := unix.EpollWait(s.ep, events, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			s.abandon(fmt.Errorf("epoll: %w", err))
			return
		}
		// Sends that are due go before the answers are read: after a
		// stall of the server a burst of answers would delay them.
		s.sendDue(time.Now())
		for _, ev := range events[:n] {
			switch fd := int(ev.Fd); fd {
			case s.tfd, s.efd:
				unix.Read(fd, scratch[:])
			default:
				if c := s.byFd[fd]; c != nil {
					s.serve(c, ev.Events)
				}
			}
		}
	}
}

// busy counts the requests in flight on the loop's connections.
func (s *pacedSender) busy() int {
	n := 0
	for _, c := range s.byFd {
		if c.req != nil {
			n++
		}
	}
	return n
}

// sendDue writes every request whose time has come while a connection is
// free or may be opened.
func (s *pacedSender) sendDue(now time.Time) {
	for len(s.pending) > 0 {
		if s.pending[0].At.After(now) {
			if now = time.Now(); s.pending[0].At.After(now) {
				return
			}
		}
		r := s.pending[0]
		if s.general || r.wire == nil {
			select {
			case s.slots <- struct{}{}:
			default:
				return // every slot in use: the request waits, and the wait is lag
			}
			s.pending = s.pending[1:]
			s.hand(&r, true, func() { <-s.slots; s.wake() })
			continue
		}
		var c *pconn
		if k := len(s.idle); k > 0 {
			c = s.idle[k-1]
			s.idle = s.idle[:k-1]
		} else if len(s.byFd) < s.max {
			var err error
			if c, err = s.dial(); err != nil {
				s.pending = s.pending[1:]
				r.sent = time.Now()
				s.m.stats.requests.Add(1)
				s.fail(&r, r.sent, err)
				continue
			}
		} else {
			return
		}
		s.pending = s.pending[1:]
		rq := r
		c.req, c.out, c.n = &rq, rq.wire, 0
		rq.sent = time.Now()
		c.deadline = rq.sent.Add(s.m.o.Timeout)
		s.m.stats.requests.Add(1)
		s.m.stats.sent.Add(int64(len(rq.wire)))
		if !c.connecting {
			s.write(c)
		}
	}
}

func (s *pacedSender) dial() (*pconn, error) {
	fd, err := unix.Socket(s.family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	err = unix.Connect(fd, s.sa)
	if err != nil && !errors.Is(err, unix.EINPROGRESS) {
		unix.Close(fd)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: err}
	}
	if err := unix.EpollCtl(s.ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET, Fd: int32(fd)}); err != nil {
		unix.Close(fd)
		return nil, err
	}
	c := &pconn{fd: fd, connecting: err != nil, buf: make([]byte, 4<<10)}
	s.byFd[fd] = c
	return c, nil
}

// serve handles readiness of c.
func (s *pacedSender) serve(c *pconn, ev uint32) {
	if c.connecting {
		if ev&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
			return
		}
		if e, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_ERROR); err != nil || e != 0 {
			if err == nil {
				err = unix.Errno(e)
			}
			s.broken(c, &net.OpError{Op: "dial", Net: "tcp", Err: err})
			return
		}
		c.connecting = false
	}
	if c.req != nil && len(c.out) > 0 {
		s.write(c)
	}
	if ev&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		s.read(c)
	}
}

func (s *pacedSender) write(c *pconn) {
	for len(c.out) > 0 {
		n, err := unix.Write(c.fd, c.out)
		if errors.Is(err, unix.EAGAIN) {
			return // the rest when the socket is writable again
		}
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			s.broken(c, &net.OpError{Op: "write", Net: "tcp", Err: err})
			return
		}
		c.out = c.out[n:]
	}
}

// read reads what c holds and, once an answer is whole, completes its
// request.
func (s *pacedSender) read(c *pconn) {
	eof := false
	for !eof {
		if c.n == len(c.buf) {
			if len(c.buf) > maxBody+64<<10 {
				s.broken(c, errors.New("response is too large"))
				return
			}
			c.buf = append(c.buf, make([]byte, len(c.buf))...)
		}
		n, err := unix.Read(c.fd, c.buf[c.n:])
		if errors.Is(err, unix.EAGAIN) {
			break
		}
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			s.broken(c, &net.OpError{Op: "read", Net: "tcp", Err: err})
			return
		}
		if n == 0 {
			eof = true // the answer may be whole: a server that closes after it
		}
		c.n += n
	}
	if c.req == nil {
		if c.n == 0 && eof {
			s.drop(c) // the server closed an idle connection
			return
		}
		s.broken(c, errors.New("bytes from the server with no request in flight"))
		return
	}
	if c.n == 0 {
		if eof {
			s.broken(c, io.EOF)
		}
		return
	}
	h, ok := parseHead(c.buf[:c.n])
	if !ok {
		if eof || bytes.Contains(c.buf[:c.n], []byte("\r\n\r\n")) {
			// An answer the loop does not read (not plain, or cut short
			// before its head ended): the general path reads this one
			// again, and this server's answers from now on.
			s.general = true
			r := c.req
			c.req = nil
			s.drop(c)
			s.handAgain(r)
		}
		return
	}
	if h.length > maxBody {
		s.complete(c, Reply{}, &failure{class: "decode", msg: fmt.Sprintf("response is larger than %d MiB", maxBody>>20)})
		s.drop(c)
		return
	}
	if c.n < h.n+h.length {
		if eof {
			s.broken(c, errUnexpectedEOF(c.n))
		}
		return
	}
	extra := c.n > h.n+h.length // bytes past the answer: c cannot carry another
	m := s.m
	body := c.buf[h.n : h.n+h.length]
	m.stats.received.Add(int64(len(body)))
	rep, f := m.reply(h.code, h.status, body, c.req.Hi-c.req.Lo)
	s.complete(c, rep, f)
	c.answered++
	c.n = 0
	if h.keep && !eof && !extra {
		s.idle = append(s.idle, c)
	} else {
		s.drop(c)
	}
}

func errUnexpectedEOF(got int) error {
	if got == 0 {
		return io.EOF
	}
	return io.ErrUnexpectedEOF
}

// complete ends c's request with an answer (rep) or a failure (f).
func (s *pacedSender) complete(c *pconn, rep Reply, f *failure) {
	r := c.req
	c.req = nil
	var err error
	if f != nil {
		s.m.stats.failed.Add(1)
		err = &CallError{Class: f.class, Msg: f.msg}
	}
	s.finish(r, time.Now(), rep, err)
}

func (s *pacedSender) finish(r *pacedReq, done time.Time, rep Reply, err error) {
	n := r.Hi - r.Lo
	sc := newScores(n)
	fill(&sc, 0, n, rep, err, float64(done.Sub(r.sent).Nanoseconds())/1e6)
	r.Done(r.sent, done, tidy(sc), nil)
}

// fail ends r with a transport error.
func (s *pacedSender) fail(r *pacedReq, done time.Time, err error) {
	s.m.stats.failed.Add(1)
	f := s.m.transportFailure(err, s.ctx)
	s.finish(r, done, Reply{}, &CallError{Class: f.class, Msg: f.msg})
}

// broken closes c after an error: its request is sent again through Call
// when c was reused and no byte of the answer came (the server closed c
// while it was idle), and fails otherwise.
func (s *pacedSender) broken(c *pconn, err error) {
	r := c.req
	c.req = nil
	stale := c.answered > 0 && c.n == 0
	s.drop(c)
	if r == nil {
		return
	}
	if stale {
		s.handAgain(r)
		return
	}
	s.fail(r, time.Now(), err)
}

// drop closes c.
func (s *pacedSender) drop(c *pconn) {
	delete(s.byFd, c.fd)
	for i, d := range s.idle {
		if d == c {
			s.idle = append(s.idle[:i], s.idle[i+1:]...)
			break
		}
	}
	unix.Close(c.fd) // closing removes it from the epoll set
}

// handAgain sends r once more through Call, keeping its first send time.
func (s *pacedSender) handAgain(r *pacedReq) {
	s.hand(r, false, func() {})
}

// hand has Call score r in a goroutine, which takes r's send time when
// fresh; release runs when it is done.
func (s *pacedSender) hand(r *pacedReq, fresh bool, release func()) {
	s.handed.Add(1)
	go func() {
		defer s.handed.Done()
		defer release()
		if fresh {
			r.sent = time.Now()
		}
		sc, err := s.m.PredictRows(s.ctx, r.In, r.Lo, r.Hi)
		r.Done(r.sent, time.Now(), sc, err)
	}()
}

// expire fails the requests past their deadline.
func (s *pacedSender) expire(now time.Time) {
	for _, c := range s.byFd {
		if c.req != nil && !now.Before(c.deadline) {
			r := c.req
			c.req = nil
			s.drop(c)
			s.m.stats.failed.Add(1)
			s.finish(r, now, Reply{}, &CallError{Class: "timeout", Msg: fmt.Sprintf("no response from %s within %v", s.m.name, s.m.o.Timeout)})
		}
	}
}

// arm sets the timer to the next send (when it can go out on a free or new
// connection) or the next deadline, whichever is first.
func (s *pacedSender) arm() error {
	var next time.Time
	if len(s.pending) > 0 && (s.general && len(s.slots) < cap(s.slots) || !s.general && (len(s.idle) > 0 || len(s.byFd) < s.max)) {
		next = s.pending[0].At
	}
	for _, c := range s.byFd {
		if c.req != nil && (next.IsZero() || c.deadline.Before(next)) {
			next = c.deadline
		}
	}
	var spec unix.ItimerSpec // zero: disarmed
	if !next.IsZero() {
		d := max(time.Until(next), time.Microsecond) // zero would disarm it
		spec.Value = unix.NsecToTimespec(int64(d))
	}
	return unix.TimerfdSettime(s.tfd, 0, &spec, nil)
}

// abandon ends every request not yet done with err (the context's), and
// has Send fail the ones still to come.
func (s *pacedSender) abandon(err error) {
	now := time.Now()
	for _, c := range s.byFd {
		if r := c.req; r != nil {
			c.req = nil
			r.Done(r.sent, now, models.Scores{}, err)
		}
	}
	s.mu.Lock()
	s.dead = err
	s.pending = append(s.pending, s.queue...)
	s.queue = nil
	s.mu.Unlock()
	for _, r := range s.pending {
		r.Done(time.Time{}, now, models.Scores{}, err)
	}
	s.pending = nil
}
