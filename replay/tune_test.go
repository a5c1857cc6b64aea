package replay

import (
	"reflect"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
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

func TestProcGovernor(t *testing.T) {
	var sets []int
	g := &procGovernor{narrow: 2, wide: 4, set: func(n int) { sets = append(sets, n) }}
	t0 := time.Unix(0, 0)
	g.widen(true, t0)
	// window feeds one window of n sends, late of them late, ending at end.
	window := func(n, late int, end time.Time) {
		for i := 0; i < n; i++ {
			now := end
			if i < n-1 {
				now = end.Add(-time.Millisecond)
			}
			g.observe(now, i < late)
		}
	}
	w := govWindowTime
	for i, tc := range []struct {
		n, late int
		at      time.Duration
		want    []int // GOMAXPROCS set so far
	}{
		{govWindowSends, govWindowSends / 10, w, []int{4}},                    // 10% late: stays wide
		{govWindowSends, govWindowSends / 2, 2 * w, []int{4, 2}},              // 50% late: narrows
		{govWindowSends, govWindowSends / 10, 3 * w, []int{4, 2}},             // 10%: stays narrow
		{govWindowSends, govWindowSends / 100, 4 * w, []int{4, 2, 4}},         // 1%: widens again
		{10 * govWindowSends, 10 * govWindowSends, 4*w + w/2, []int{4, 2, 4}}, // all late, but the window is not over
	} {
		window(tc.n, tc.late, t0.Add(tc.at))
		if !reflect.DeepEqual(sets, tc.want) {
			t.Fatalf("window %d (%d of %d late): GOMAXPROCS set to %v, want %v", i, tc.late, tc.n, sets, tc.want)
		}
	}
	window(1, 1, t0.Add(5*w))
	if want := []int{4, 2, 4, 2}; !reflect.DeepEqual(sets, want) {
		t.Errorf("after a long saturated window GOMAXPROCS set to %v, want %v", sets, want)
	}
	var none *procGovernor
	none.observe(t0, true) // the user's GOMAXPROCS: nothing to do
	none.close()
}

func TestNewGovernor(t *testing.T) {
	defer runtime.SetDefaultGOMAXPROCS()
	t.Setenv("GOMAXPROCS", "")
	runtime.SetDefaultGOMAXPROCS()
	def := runtime.GOMAXPROCS(0)
	g := newGovernor(time.Now())
	if got := runtime.GOMAXPROCS(0); got != openLoopProcsPerCore*def {
		t.Errorf("during an open-loop replay GOMAXPROCS is %d, want %d", got, openLoopProcsPerCore*def)
	}
	g.close()
	if got := runtime.GOMAXPROCS(0); got != def {
		t.Errorf("after the replay GOMAXPROCS is %d, want the default %d again", got, def)
	}

	t.Setenv("GOMAXPROCS", "3")
	runtime.GOMAXPROCS(3)
	if g := newGovernor(time.Now()); g != nil {
		t.Errorf("with GOMAXPROCS=3 set by the user a governor was made")
	}
	if got := runtime.GOMAXPROCS(0); got != 3 {
		t.Errorf("with GOMAXPROCS=3 set by the user it became %d", got)
	}
}
