package replay

import (
	"os"
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
