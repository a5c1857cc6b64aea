package replay

import (
	"runtime"
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

func TestWidenProcs(t *testing.T) {
	t.Setenv("GOMAXPROCS", "")
	defer runtime.SetDefaultGOMAXPROCS()
	runtime.SetDefaultGOMAXPROCS()
	def := runtime.GOMAXPROCS(0)
	restore := widenProcs()
	if got := runtime.GOMAXPROCS(0); got != openLoopProcsPerCore*def {
		t.Errorf("during an open-loop replay GOMAXPROCS is %d, want %d", got, openLoopProcsPerCore*def)
	}
	restore()
	if got := runtime.GOMAXPROCS(0); got != def {
		t.Errorf("after the replay GOMAXPROCS is %d, want the default %d again", got, def)
	}

	t.Setenv("GOMAXPROCS", "3")
	runtime.GOMAXPROCS(3)
	widenProcs()()
	if got := runtime.GOMAXPROCS(0); got != 3 {
		t.Errorf("with GOMAXPROCS=3 set by the user it became %d", got)
	}
}
