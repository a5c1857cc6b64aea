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

// PacedSender sends requests at their times itself, so that no goroutine
// hand-over sits between a request's time and its write. Send queues
// requests in time order; Close, after the last Send, returns once every
// request's Done has been called.
type PacedSender interface {
	Send(reqs []PacedRequest)
	Close()
}
