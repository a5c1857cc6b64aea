package replay

import (
	"os"
	"runtime"
	"runtime/debug"
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
// per core. Go does not preempt a running goroutine for a ready one until
// it has run 10 ms, and a goroutine whose timer or socket is ready waits
// for a free processor: with one processor per core, decoding the next
// record batch (a millisecond or two of CPU) or a garbage-collector worker
// holds the scheduler's wake-up back by that long. With twice as many
// processors as cores one is almost always free, and the kernel, which
// preempts within a fraction of a millisecond, shares the cores instead.
// On the 2-core bench (rate at 50%, 64 in flight, with 1,024-row batches)
// the scheduling-lag p99 fell from 1.6 to 0.84 ms, late sends from ~690 to
// ~280 (medians of four or five runs; 3 and 8 processors did worse than 4).
const openLoopProcsPerCore = 2

// widenProcs raises GOMAXPROCS for an open-loop replay and returns the
// function that restores the default. A GOMAXPROCS set in the environment
// is the user's choice and is left alone.
func widenProcs() (restore func()) {
	if os.Getenv("GOMAXPROCS") != "" {
		return func() {}
	}
	runtime.GOMAXPROCS(openLoopProcsPerCore * runtime.GOMAXPROCS(0))
	return runtime.SetDefaultGOMAXPROCS
}
