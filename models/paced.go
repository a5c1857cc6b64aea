package models

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// PacedRequest is one request of an open-loop replay, handed to a
// PacedSender ahead of its time.
type PacedRequest struct {
	At     time.Time         // when to send it
	In     arrow.RecordBatch // the request's rows are [Lo, Hi) of In
	Lo, Hi int
	// Done is called once for the request, from the sender's goroutines:
	// sent is when the request was written (zero when it never was), done
	// when its answer was read or it failed; sc holds its rows' scores with
	// per-row errors as Predict reports them, and err is set when the
	// model failed as a whole or the sender's context ended.
	Done func(sent, done time.Time, sc Scores, err error)
}

// PacedOptions configures a PacedSender.
type PacedOptions struct {
	InFlight int // requests (and connections) at once, at most
	// Realtime asks the OS to run the sending thread at real-time
	// priority (Linux SCHED_FIFO, the lowest level), so that no other
	// thread of the machine delays a send it is due to write.
	Realtime bool
}

// PacedSender sends requests at their times itself, so that no goroutine
// hand-over sits between a request's time and its write. Send queues
// requests in time order; Close, after the last Send, returns once every
// request's Done has been called. Realtime, when PacedOptions.Realtime
// asked for it, is nil if the sending thread got real-time priority and
// the OS's refusal otherwise.
type PacedSender interface {
	Send(reqs []PacedRequest)
	Close()
	Realtime() error
}
