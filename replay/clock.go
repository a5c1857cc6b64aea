package replay

import (
	"context"
	"runtime"
	"time"
)

// clock waits until a send's intended time (or until ctx ends).
type clock interface {
	wait(ctx context.Context, t time.Time)
	close()
}

// fineWindow is how long before a send the scheduler stops waiting on a
// Go timer and hands the rest of the wait to a precise clock (see
// newClock): Go's timers on Linux can wake up to a millisecond late when
// the process is idle (the network poller sleeps in whole milliseconds),
// which would show as scheduling lag on every request.
const fineWindow = 2 * time.Millisecond

// coarseWait waits on a Go timer until window before t, or until ctx
// ends.
func coarseWait(ctx context.Context, t time.Time, window time.Duration) {
	d := time.Until(t) - window
	if d <= 0 {
		return
	}
	tm := time.NewTimer(d)
	select {
	case <-tm.C:
	case <-ctx.Done():
		tm.Stop()
	}
}

// spinWindow is how long before a send spinClock stops sleeping.
const spinWindow = time.Millisecond

// spinClock is the portable clock: a Go timer for the bulk of the wait,
// then a yielding spin for the last spinWindow. The spin keeps a core busy
// while a send is near, which is why Linux uses a timerfd instead.
type spinClock struct{}

func (spinClock) wait(ctx context.Context, t time.Time) {
	coarseWait(ctx, t, spinWindow)
	for time.Now().Before(t) {
		if ctx.Err() != nil {
			return
		}
		runtime.Gosched()
	}
}

func (spinClock) close() {}
