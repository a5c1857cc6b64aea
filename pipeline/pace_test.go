package pipeline

import (
	"strings"
	"testing"

	"github.com/replaygate/replaygate/checks"
)

func TestPaceOutcome(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stats    checks.ReplayStats
		status   checks.Status // "" for no outcome
		has, not []string      // parts the message has, and has not
	}{
		{"max mode", checks.ReplayStats{Rows: 10}, "", nil, nil},
		{"1% late", checks.ReplayStats{Requests: 1000, LateSends: 10, LagP99MS: 0.5}, checks.Pass,
			[]string{"10 of 1000 requests", "p99 0.5 ms"}, []string{"could not keep", "realtime"}},
		{"late", checks.ReplayStats{Requests: 1000, LateSends: 11}, checks.Warn,
			[]string{"could not keep the requested pace", "replay.realtime: true may help"}, nil},
		{"late at real-time priority", checks.ReplayStats{Requests: 1000, LateSends: 11, Realtime: "on"}, checks.Warn,
			[]string{"sent from a thread at real-time priority", "could not keep"}, []string{"may help"}},
		{"late, refused", checks.ReplayStats{Requests: 1000, LateSends: 11, Realtime: "refused: operation not permitted"}, checks.Warn,
			[]string{"could not keep"}, []string{"may help", "real-time priority"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := paceOutcome(&tc.stats)
			if o == nil {
				if tc.status != "" {
					t.Fatalf("no outcome, want %s", tc.status)
				}
				return
			}
			if o.Status != tc.status || o.Name != "replay.pace" {
				t.Errorf("%s %s, want replay.pace %s", o.Name, o.Status, tc.status)
			}
			for _, p := range tc.has {
				if !strings.Contains(o.Message, p) {
					t.Errorf("message %q lacks %q", o.Message, p)
				}
			}
			for _, p := range tc.not {
				if strings.Contains(o.Message, p) {
					t.Errorf("message %q has %q", o.Message, p)
				}
			}
		})
	}
}
