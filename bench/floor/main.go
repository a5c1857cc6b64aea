//go:build linux

// Command floor is the least a client can do to send requests on
// schedule: one thread, its own epoll over a timerfd and pre-dialled
// non-blocking sockets, the request bytes written as they are and the
// answer read only far enough to see that it is complete. No Go scheduler,
// HTTP library, traffic or garbage sits between the timer and the write,
// so its scheduling lag is the floor the machine itself sets at that rate;
// bench/replay.sh runs it beside replaygate and vegeta.
//
//	go run ./bench/floor -url http://127.0.0.1:9000/score -body body.json -rate 10000
//
// It prints one tab-separated line: sends, lag p99 ms, sends more than
// 1 ms late, latency p50 ms, latency p99 ms (from the intended time).
// Lag and latency are taken as replaygate takes them: a send's lag is its
// write time minus its intended time, start + i/rate; a send that finds
// every connection busy waits, and the wait is lag.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	target := flag.String("url", "", "plain http:// URL to POST to")
	bodyFile := flag.String("body", "", "file holding the request body (JSON)")
	rate := flag.Float64("rate", 1000, "requests per second")
	duration := flag.Duration("duration", 5*time.Second, "how long to send")
	conns := flag.Int("conns", 64, "connections, dialled before the first send (the most requests in flight)")
	flag.Parse()
	if err := run(*target, *bodyFile, *rate, *duration, *conns); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

type conn struct {
	fd       int
	buf      []byte
	n        int
	intended int64 // of the request in flight, monotonic ns
}

func run(target, bodyFile string, rate float64, duration time.Duration, nconns int) error {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" || u.Port() == "" {
		return fmt.Errorf("-url %q: want http://host:port/path", target)
	}
	if rate <= 0 || duration <= 0 || nconns < 1 {
		return errors.New("-rate, -duration and -conns must be positive")
	}
	body, err := os.ReadFile(bodyFile)
	if err != nil {
		return err
	}
	req := fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", u.RequestURI(), u.Host, len(body), body)
	ip := net.ParseIP(u.Hostname()).To4()
	port, _ := strconv.Atoi(u.Port())
	if ip == nil {
		return fmt.Errorf("-url %q: want an IPv4 address", target)
	}

	runtime.LockOSThread()
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	tfd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return err
	}
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, tfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(tfd)}); err != nil {
		return err
	}
	byFd := map[int]*conn{}
	idle := make([]*conn, 0, nconns)
	for range nconns {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		if err := unix.Connect(fd, &unix.SockaddrInet4{Port: port, Addr: [4]byte(ip)}); err != nil {
			return fmt.Errorf("connect to %s: %w", u.Host, err)
		}
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		if err := unix.SetNonblock(fd, true); err != nil {
			return err
		}
		if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}); err != nil {
			return err
		}
		c := &conn{fd: fd, buf: make([]byte, 16<<10)}
		byFd[fd] = c
		idle = append(idle, c)
	}

	total := int(rate * duration.Seconds())
	lags := make([]int64, 0, total)
	lats := make([]int64, 0, total)
	start := now() + int64(time.Millisecond)
	at := func(i int) int64 { return start + int64(float64(i)/rate*1e9) }
	events := make([]unix.EpollEvent, 128)
	var tick [8]byte
	for next, answered := 0, 0; answered < total; {
		for next < total && len(idle) > 0 && at(next) <= now() {
			c := idle[len(idle)-1]
			idle = idle[:len(idle)-1]
			c.intended = at(next)
			lags = append(lags, now()-c.intended)
			if err := writeAll(c.fd, req); err != nil {
				return err
			}
			next++
		}
		if next < total && len(idle) > 0 {
			spec := unix.ItimerSpec{Value: unix.NsecToTimespec(at(next))}
			if err := unix.TimerfdSettime(tfd, unix.TFD_TIMER_ABSTIME, &spec, nil); err != nil {
				return err
			}
		}
		n, err := unix.EpollWait(ep, events, -1)
		if errors.Is(err, unix.EINTR) { // the Go runtime's preemption signal
			continue
		}
		if err != nil {
			return err
		}
		for _, ev := range events[:n] {
			if int(ev.Fd) == tfd {
				unix.Read(tfd, tick[:])
				continue
			}
			c := byFd[int(ev.Fd)]
			done, err := c.read()
			if err != nil {
				return err
			}
			if done {
				lats = append(lats, now()-c.intended)
				idle = append(idle, c)
				answered++
			}
		}
	}
	slices.Sort(lags)
	slices.Sort(lats)
	late := 0
	for _, l := range lags {
		if l > int64(time.Millisecond) {
			late++
		}
	}
	ms := func(s []int64, q float64) float64 { return float64(s[min(len(s)-1, int(q*float64(len(s))))]) / 1e6 }
	fmt.Printf("%d\t%.3f\t%d\t%.3f\t%.3f\n", len(lags), ms(lags, 0.99), late, ms(lats, 0.5), ms(lats, 0.99))
	return nil
}

func now() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}

func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// read reads what c's socket holds; done is true once a whole answer (a
// 200 head with a Content-Length, and that many bytes) is in.
func (c *conn) read() (done bool, err error) {
	n, err := unix.Read(c.fd, c.buf[c.n:])
	if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if n == 0 {
		return false, errors.New("the server closed a connection")
	}
	c.n += n
	h := bytes.Index(c.buf[:c.n], []byte("\r\n\r\n"))
	if h < 0 {
		if c.n == len(c.buf) {
			return false, errors.New("answer head longer than 16 KiB")
		}
		return false, nil
	}
	head := c.buf[:h+2]
	if !bytes.HasPrefix(head, []byte("HTTP/1.1 200 ")) {
		return false, fmt.Errorf("answer %q", head[:bytes.IndexByte(head, '\r')])
	}
	i := bytes.Index(bytes.ToLower(head), []byte("\r\ncontent-length:"))
	if i < 0 {
		return false, errors.New("answer without Content-Length")
	}
	v := head[i+len("\r\ncontent-length:"):]
	length, err := strconv.Atoi(string(bytes.TrimSpace(v[:bytes.IndexByte(v, '\r')])))
	if err != nil || h+4+length > len(c.buf) {
		return false, fmt.Errorf("answer Content-Length %q", bytes.TrimSpace(v[:bytes.IndexByte(v, '\r')]))
	}
	if c.n < h+4+length {
		return false, nil
	}
	if c.n > h+4+length {
		return false, errors.New("more bytes than one answer")
	}
	c.n = 0
	return true, nil
}
