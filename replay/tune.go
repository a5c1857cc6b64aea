package replay

import (
	"os"
	"runtime"
	"runtime/debug"
	"time"
)

// openLoopGCPercent is the garbage collector's target while an open-loop
// replay runs. Each request leaves a few kilobytes of garbage; at the
// default of 100 the collector runs several times a second, and its
// stop-the-world phases and mark work delay the sends due at that moment.
// At 400 it runs a quarter as often: on the 2-core bench (bench/replay.sh,
// rate at 50%, C=2) late sends fell from about 2,600 to 1,600 and the
// scheduling-lag p99 from 6.2 to 4.1 ms (medians of three). The live heap
// of a replay is a few record batches, so the heap stays small.
const openLoopGCPercent = 400

// relaxGC raises the collector's target for an open-loop replay and
// returns the function that restores it. A GOGC or GOMEMLIMIT set in the
// environment is the user's choice and is left alone.
func relaxGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(openLoopGCPercent)
	return func() { debug.SetGCPercent(old) }
}

// openLoopProcsPerCore is how many Go processors an open-loop replay runs
// per core while it keeps its pace. Go does not preempt a running goroutine
// for a ready one until it has run 10 ms, and a goroutine whose timer or
// socket is ready waits for a free processor: with one processor per core,
// decoding the next record batch (a millisecond or two of CPU) or a
// garbage-collector worker holds the scheduler's wake-up back by that
// long. With twice as many processors as cores one is almost always free,
// and the kernel, which preempts within a fraction of a millisecond,
// shares the cores instead. On the 2-core bench (rate at 50%, 64 in
// flight, 1,024-row batches) the scheduling-lag p99 fell from 1.50 to
// 0.81 ms and late sends from 549 to 273 (medians of five runs; with 3
// processors 1.06 ms).
//
// When the replay cannot keep its pace anyway (a rate at the model's or
// the machine's limit, every send queued behind the last), the spare
// processors only add thread switching and idle spinning on cores that are
// all busy: at 100% of the bench's closed-loop rate, 4 processors reached
// 0.94-0.99 of the rate asked with a lag p99 of 90-314 ms, 2 processors
// 1.00 with 8-22 ms. So procGovernor narrows back to the default while most
// sends are late, and widens again once they are on time.
const openLoopProcsPerCore = 2

// Late shares of a window of sends that narrow or widen the processors.
const (
	narrowAbove = 0.20
	widenBelow  = 0.05
	// A window is at least this many sends and this long: short enough
	// that a saturated run narrows within its first tenth of a second
	// (1-second runs at 100% of the bench's rate reached 0.98 of it, 0.95
	// with 250 ms windows), long enough that one stall of the server
	// rarely makes a fifth of a window late.
	govWindowSends = 200
	govWindowTime  = 50 * time.Millisecond
)

// procGovernor sets GOMAXPROCS during an open-loop replay from the share
// of late sends: wide (openLoopProcsPerCore per core) while the replay
// keeps its pace, the default while it is saturated. It is used by the
// scheduler goroutine alone.
type procGovernor struct {
	narrow, wide int
	isWide       bool
	set          func(int) // runtime.GOMAXPROCS in a replay
	start        time.Time // of the current window
	n, late      int
}

// newGovernor widens GOMAXPROCS and returns the governor; nil, with
// GOMAXPROCS untouched, when the environment sets GOMAXPROCS: the user's
// choice is left alone.
func newGovernor(now time.Time) *procGovernor {
	if os.Getenv("GOMAXPROCS") != "" {
		return nil
	}
	n := runtime.GOMAXPROCS(0)
	g := &procGovernor{narrow: n, wide: openLoopProcsPerCore * n, set: func(n int) { runtime.GOMAXPROCS(n) }}
	g.widen(true, now)
	return g
}

func (g *procGovernor) widen(wide bool, now time.Time) {
	g.isWide = wide
	if wide {
		g.set(g.wide)
	} else {
		g.set(g.narrow)
	}
	g.start, g.n, g.late = now, 0, 0
}

// observe counts one send, late or not, and at the end of a window narrows
// or widens the processors.
func (g *procGovernor) observe(now time.Time, late bool) {
	if g == nil {
		return
	}
	g.n++
	if late {
		g.late++
	}
	if g.n < govWindowSends || now.Sub(g.start) < govWindowTime {
		return
	}
	share := float64(g.late) / float64(g.n)
	switch {
	case g.isWide && share > narrowAbove:
		g.widen(false, now)
	case !g.isWide && share < widenBelow:
		g.widen(true, now)
	default:
		g.start, g.n, g.late = now, 0, 0
	}
}

// close restores the default GOMAXPROCS.
func (g *procGovernor) close() {
	if g != nil {
		runtime.SetDefaultGOMAXPROCS()
	}
}
