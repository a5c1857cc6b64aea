package replay

import (
	"context"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// timerClock waits on a timerfd read through Go's network poller: the
// kernel's high-resolution timer wakes the scheduler within microseconds
// of a send's time, while the goroutine is parked like any other (no
// spinning, no thread held in a sleep), so the cores stay free for the
// senders and, on a small machine, the model server itself.
type timerClock struct {
	fd     int
	f      *os.File // fd, registered with the poller; its Fd method must not be called
	buf    [8]byte
	broken bool // the timerfd failed once: wait like spinClock from then on
}

// newClock returns a timerfd clock, or the portable one when the kernel
// refuses a timerfd.
func newClock() clock {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return spinClock{}
	}
	return &timerClock{fd: fd, f: os.NewFile(uintptr(fd), "timerfd")}
}

func (c *timerClock) wait(ctx context.Context, t time.Time) {
	if c.broken {
		spinClock{}.wait(ctx, t)
		return
	}
	coarseWait(ctx, t, fineWindow)
	for ctx.Err() == nil {
		d := time.Until(t)
		if d <= 0 {
			return
		}
		spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
		err := unix.TimerfdSettime(c.fd, 0, &spec, nil)
		if err == nil {
			// Not registered with the poller, the read would fail with
			// EAGAIN at once rather than block.
			_, err = c.f.Read(c.buf[:])
		}
		if err != nil {
			c.broken = true
			spinClock{}.wait(ctx, t)
			return
		}
	}
}

func (c *timerClock) close() { c.f.Close() }
