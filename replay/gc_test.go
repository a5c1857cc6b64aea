package replay

import (
	"runtime/debug"
	"testing"
)

func TestRelaxGC(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	restore := relaxGC()
	if got := debug.SetGCPercent(openLoopGCPercent); got != openLoopGCPercent {
		t.Errorf("during an open-loop replay the GC percent is %d, want %d", got, openLoopGCPercent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after the replay the GC percent is %d, want 100 again", got)
	}

	t.Setenv("GOGC", "50")
	debug.SetGCPercent(50)
	relaxGC()()
	if got := debug.SetGCPercent(100); got != 50 {
		t.Errorf("with GOGC=50 set by the user the GC percent became %d", got)
	}
}
