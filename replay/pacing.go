package replay

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/models"
)

// Pacing modes. In ModeMax the engine scores whole batches as fast as the
// workers allow. In the open-loop modes it cuts batches into requests of
// RequestRows rows and sends each at its intended time, whether or not
// earlier requests have answered: a stalled model then shows its queueing in
// every request it delayed, because latency runs from the intended send
// time (no coordinated omission). Service time, from the actual send, is
// recorded beside it.
const (
	ModeMax      = "max"
	ModeRate     = "rate"     // Rate rows per second
	ModeRecorded = "recorded" // the logged inter-arrival gaps divided by Speedup
)

// LateAfter is how far behind its intended time a send may leave before it
// counts as late.
const LateAfter = time.Millisecond

// ServiceColumn names the service-time column of open-loop replays.
func ServiceColumn(role string) string { return role + "_service_ms" }

// schedule turns row positions into intended send offsets from the start.
type schedule struct {
	mode    string
	rate    float64
	speedup float64
	tsCol   string
	first   int64 // first timestamp, ns; math.MinInt64 until seen
}

// offsets returns the intended send offset of each row of b, given the
// number of rows scheduled before it.
func (s *schedule) offsets(b arrow.RecordBatch, before int64) ([]time.Duration, error) {
	n := int(b.NumRows())
	out := make([]time.Duration, n)
	switch s.mode {
	case ModeRate:
		for i := range out {
			out[i] = time.Duration(float64(before+int64(i)) / s.rate * float64(time.Second))
		}
	case ModeRecorded:
		ts, err := timestamps(b, s.tsCol)
		if err != nil {
			return nil, err
		}
		for i, t := range ts {
			if t == math.MinInt64 { // no timestamp: send with the previous row
				if i > 0 {
					out[i] = out[i-1]
				}
				continue
			}
			if s.first == math.MinInt64 {
				s.first = t
			}
			out[i] = time.Duration(float64(t-s.first) / s.speedup)
		}
	}
	return out, nil
}

// timestamps reads a timestamp column (any unit) or RFC 3339 strings as
// Unix nanoseconds; math.MinInt64 marks a null or unreadable value.
func timestamps(b arrow.RecordBatch, name string) ([]int64, error) {
	idx := b.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return nil, errs.Input("name the timestamp column with traffic.timestamp", "recorded replay: timestamp column %q is not in the traffic", name)
	}
	col := b.Column(idx[0])
	out := make([]int64, col.Len())
	switch c := col.(type) {
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		mul := int64(unit.Multiplier())
		for i := range out {
			if c.IsNull(i) {
				out[i] = math.MinInt64
				continue
			}
			out[i] = int64(c.Value(i)) * mul
		}
	case *array.String:
		for i := range out {
			out[i] = math.MinInt64
			if c.IsValid(i) {
				if t, err := time.Parse(time.RFC3339Nano, c.Value(i)); err == nil {
					out[i] = t.UnixNano()
				}
			}
		}
	default:
		return nil, errs.Input("recorded replay needs a timestamp or RFC 3339 text column", "recorded replay: column %q is %s, not a timestamp", name, col.DataType())
	}
	return out, nil
}

// lagHist is a log-bucketed histogram of scheduling lag (1% buckets from
// 1 µs), small and exact enough to report p50/p99/max.
type lagHist struct {
	mu     sync.Mutex
	counts map[int]int64
	n      int64
	late   int64
	max    time.Duration
}

func (h *lagHist) add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.counts == nil {
		h.counts = map[int]int64{}
	}
	k := 0
	if us := float64(d) / float64(time.Microsecond); us > 1 {
		k = int(math.Ceil(math.Log(us) / math.Log(1.01)))
	}
	h.counts[k]++
	h.n++
	if d > LateAfter {
		h.late++
	}
	if d > h.max {
		h.max = d
	}
}

// quantile is the upper edge of the bucket holding the q-th value.
func (h *lagHist) quantile(q float64) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n == 0 {
		return 0
	}
	keys := make([]int, 0, len(h.counts))
	for k := range h.counts {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	rank := int64(math.Ceil(q * float64(h.n)))
	var seen int64
	for _, k := range keys {
		seen += h.counts[k]
		if seen >= rank {
			d := time.Duration(math.Pow(1.01, float64(k)) * float64(time.Microsecond))
			return min(d, h.max)
		}
	}
	return h.max
}

// spinWindow is how long before a send the scheduler stops sleeping and
// yields in a loop instead: Go's timers on Linux can wake up to a
// millisecond late, which would show as scheduling lag on every request.
const spinWindow = time.Millisecond

// waitUntil returns at t (or when ctx ends): a timer for the bulk of the
// wait, then a yielding spin for the last spinWindow.
func waitUntil(ctx context.Context, t time.Time) {
	if d := time.Until(t) - spinWindow; d > 0 {
		tm := time.NewTimer(d)
		select {
		case <-tm.C:
		case <-ctx.Done():
			tm.Stop()
			return
		}
	}
	for time.Now().Before(t) {
		if ctx.Err() != nil {
			return
		}
		runtime.Gosched()
	}
}

// paced is a batch cut into requests sent on schedule. Each request's
// answers are written into batch-wide buffers at its own rows, so the
// traffic columns are never copied: the scored batch is the input batch
// plus the output columns, built once when every request has answered.
type paced struct {
	n, k    int
	outs    []models.Scores // per scorer, n rows
	service []float64       // the first scorer's service time, ms
	done    []bool          // per request: answered
	errs    []error         // per request: the model failed as a whole
	wg      sync.WaitGroup
	mu      sync.Mutex // guards the lazily allocated per-row error slices
}

func newPaced(n, k, scorers int) *paced {
	reqs := (n + k - 1) / k
	p := &paced{n: n, k: k, outs: make([]models.Scores, scorers), service: make([]float64, n),
		done: make([]bool, reqs), errs: make([]error, reqs)}
	for i := range p.outs {
		p.outs[i] = models.Scores{Score: make([]float64, n), LatencyMS: make([]float64, n)}
	}
	return p
}

// sendPaced schedules the requests of one batch. It returns once every
// request has been sent (not answered); j.done closes when all answered and
// j.out holds the scored batch.
func (e *Engine) sendPaced(ctx context.Context, j *job, offsets []time.Duration, start time.Time, slots chan struct{}, lags *lagHist) {
	n := int(j.in.NumRows())
	k := max(1, e.Options.RequestRows)
	p := newPaced(n, k, len(e.Scorers))
	for lo := 0; lo < n; lo += k {
		hi := min(n, lo+k)
		intended := start.Add(offsets[lo])
		waitUntil(ctx, intended)
		if ctx.Err() != nil {
			break
		}
		select { // a free request slot: waiting here is queueing, and counts
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		sent := time.Now()
		lags.add(sent.Sub(intended))
		slice := j.in.NewSlice(int64(lo), int64(hi))
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer func() { <-slots }()
			defer slice.Release()
			p.errs[lo/k] = e.request(ctx, p, slice, lo, intended, sent)
			p.done[lo/k] = p.errs[lo/k] == nil
		}()
	}
	go func() {
		p.wg.Wait()
		j.out, j.err = e.assemble(ctx, j.in, p)
		close(j.done)
	}()
}

// request scores one request's rows [lo, lo+len) with every scorer and
// writes the answers at those rows. The first scorer's latency runs from
// the intended send time; the others' from their own call.
func (e *Engine) request(ctx context.Context, p *paced, b arrow.RecordBatch, lo int, intended, sent time.Time) error {
	m := int(b.NumRows())
	for si, s := range e.Scorers {
		t0 := time.Now()
		sc, err := s.Model.Predict(ctx, b)
		done := time.Now()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return errs.WrapRun(fmt.Errorf("%s model: %w", s.Role, err), "")
		}
		if len(sc.Score) != m {
			return errs.Run("", "%s model returned %d scores for %d rows", s.Role, len(sc.Score), m)
		}
		out := &p.outs[si]
		copy(out.Score[lo:lo+m], sc.Score)
		for i := 0; i < m; i++ {
			switch {
			case si == 0:
				out.LatencyMS[lo+i] = float64(done.Sub(intended)) / float64(time.Millisecond)
				p.service[lo+i] = float64(done.Sub(sent)) / float64(time.Millisecond)
			case sc.LatencyMS != nil:
				out.LatencyMS[lo+i] = sc.LatencyMS[i]
			default:
				out.LatencyMS[lo+i] = float64(done.Sub(t0)) / float64(time.Millisecond) / float64(m)
			}
		}
		if sc.Errors != nil || sc.Classes != nil {
			p.mu.Lock()
			if sc.Errors != nil {
				if out.Errors == nil {
					out.Errors, out.ErrorClass = make([]string, p.n), make([]string, p.n)
				}
				copy(out.Errors[lo:lo+m], sc.Errors)
				if sc.ErrorClass != nil {
					copy(out.ErrorClass[lo:lo+m], sc.ErrorClass)
				}
			}
			if sc.Classes != nil {
				if out.Classes == nil {
					out.Classes = make([][]float64, len(sc.Classes))
					for c := range out.Classes {
						out.Classes[c] = make([]float64, p.n)
					}
				}
				for c := range sc.Classes {
					if c < len(out.Classes) {
						copy(out.Classes[c][lo:lo+m], sc.Classes[c])
					}
				}
			}
			p.mu.Unlock()
		}
	}
	return nil
}

// assemble appends the output columns to the input batch. When the run was
// interrupted it keeps the answered prefix of the batch: the requests never
// sent, or cut off in flight, were not replayed.
func (e *Engine) assemble(ctx context.Context, in arrow.RecordBatch, p *paced) (arrow.RecordBatch, error) {
	n := p.n
	if ctx.Err() != nil {
		r := 0
		for r < len(p.done) && p.done[r] {
			r++
		}
		if r == 0 {
			return nil, ctx.Err()
		}
		n = min(p.n, r*p.k)
	} else {
		for _, err := range p.errs {
			if err != nil {
				return nil, err
			}
		}
	}
	fields := append([]arrow.Field(nil), in.Schema().Fields()...)
	var cols []arrow.Array
	var owned []arrow.Array
	defer func() {
		for _, a := range owned {
			a.Release()
		}
	}()
	for i := 0; i < int(in.NumCols()); i++ {
		c := array.NewSlice(in.Column(i), 0, int64(n))
		owned = append(owned, c)
		cols = append(cols, c)
	}
	for si, s := range e.Scorers {
		sc := truncate(p.outs[si], n)
		arrs, fs := columns(s.Role, sc, n, 0)
		owned = append(owned, arrs...)
		if si == 0 {
			svc := array.NewFloat64Builder(memory.DefaultAllocator)
			svc.AppendValues(p.service[:n], nil)
			a := svc.NewArray()
			svc.Release()
			arrs = append(arrs, a)
			owned = append(owned, a)
			fs = append(fs, arrow.Field{Name: ServiceColumn(s.Role), Type: arrow.PrimitiveTypes.Float64, Nullable: true})
		}
		fields = append(fields, fs...)
		cols = append(cols, arrs...)
	}
	md := in.Schema().Metadata()
	return array.NewRecordBatch(arrow.NewSchema(fields, &md), cols, int64(n)), nil
}

// truncate is sc's first n rows.
func truncate(sc models.Scores, n int) models.Scores {
	out := models.Scores{Score: sc.Score[:n], LatencyMS: sc.LatencyMS[:n]}
	if sc.Errors != nil {
		out.Errors, out.ErrorClass = sc.Errors[:n], sc.ErrorClass[:n]
	}
	for _, c := range sc.Classes {
		out.Classes = append(out.Classes, c[:n])
	}
	return out
}

// prefetch reads src ahead in its own goroutine, so that decoding the next
// batch never delays a scheduled send.
type prefetch struct {
	ch   chan fetched
	stop chan struct{}
}

type fetched struct {
	b   arrow.RecordBatch
	err error
}

func newPrefetch(src Source, depth int) *prefetch {
	p := &prefetch{ch: make(chan fetched, depth), stop: make(chan struct{})}
	go func() {
		defer close(p.ch)
		for {
			b, err := src.Next()
			select {
			case p.ch <- fetched{b, err}:
			case <-p.stop:
				if b != nil {
					b.Release()
				}
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return p
}

func (p *prefetch) Next() (arrow.RecordBatch, error) {
	f, ok := <-p.ch
	if !ok {
		return nil, io.EOF
	}
	return f.b, f.err
}

// close stops the read-ahead and releases what it holds.
func (p *prefetch) close() {
	close(p.stop)
	for f := range p.ch {
		if f.b != nil {
			f.b.Release()
		}
	}
}
