package httpmodel

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/replaygate/replaygate/models"
)

// The sending thread runs at real-time priority when asked and allowed,
// with its children reset to ordinary ones; refused, it reports why and
// sends as well as ever; not asked, it keeps ordinary priority.
func TestPacedRealtime(t *testing.T) {
	fx := loadFixture(t)
	const n = 12
	in := fx.batch.NewSlice(0, n)
	defer in.Release()
	srv := serve(t, tfServer(fx, false))
	m, err := New(Options{Protocol: TFServing, URL: srv.URL + "/v1/models/ctr:predict", Features: fx.features, Batch: 2, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	refuse := func() error { return unix.EPERM }
	for _, tc := range []struct {
		name     string
		realtime bool
		set      func() error // nil: the OS's answer
	}{
		{"asked", true, nil},
		{"refused", true, refuse},
		{"not asked", false, refuse}, // a sender that asks would fail the test
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.set != nil {
				defer func(f func() error) { setRealtime = f }(setRealtime)
				setRealtime = tc.set
			}
			ps := pacedOpen(t, context.Background(), m, models.PacedOptions{InFlight: 2, Realtime: tc.realtime})
			attr, err := unix.SchedGetAttr(ps.(*pacedSender).tid, 0)
			if err != nil {
				t.Fatal(err)
			}
			rtErr := ps.Realtime()
			switch {
			case !tc.realtime:
				if rtErr == nil || attr.Policy != unix.SCHED_NORMAL {
					t.Errorf("not asked: Realtime() = %v, policy %d", rtErr, attr.Policy)
				}
			case tc.set != nil:
				if !errors.Is(rtErr, unix.EPERM) || attr.Policy != unix.SCHED_NORMAL {
					t.Errorf("refused: Realtime() = %v, policy %d", rtErr, attr.Policy)
				}
			case rtErr == nil:
				if attr.Policy != unix.SCHED_FIFO || attr.Priority != 1 || attr.Flags&unix.SCHED_FLAG_RESET_ON_FORK == 0 {
					t.Errorf("granted, but the thread has policy %d, priority %d, flags %#x", attr.Policy, attr.Priority, attr.Flags)
				}
			default:
				// Without root, CAP_SYS_NICE or ulimit -r the OS refuses.
				if !errors.Is(rtErr, unix.EPERM) || attr.Policy != unix.SCHED_NORMAL {
					t.Errorf("Realtime() = %v, policy %d", rtErr, attr.Policy)
				}
				t.Logf("real-time priority refused here: %v", rtErr)
			}
			sc, errs := pacedSend(t, ps, m, in)
			for r, err := range errs {
				if err != nil {
					t.Fatalf("request %d: %v", r, err)
				}
			}
			for i := range n {
				if sc.Errors != nil && sc.Errors[i] != "" || math.Float64bits(sc.Score[i]) != math.Float64bits(fx.want[i]) {
					t.Errorf("row %d: score %v (%v), want %v", i, sc.Score[i], sc.Errors, fx.want[i])
				}
			}
		})
	}
}
