package replay

import (
	"context"
	"fmt"
	"io"
	"math"
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

// paced is a batch cut into requests sent on schedule. Each request's
// answers are written into batch-wide buffers at its own rows, so the
// traffic columns are never copied: the scored batch is the input batch
// plus the output columns, built once when every request has answered.
type paced struct {
	j       *job
	at      []time.Duration // per request: intended send offset from the start
	n, k    int
	outs    []models.Scores // per scorer, n rows
	service []float64       // the first scorer's service time, ms
	done    []bool          // per request: answered
	errs    []error         // per request: the model failed as a whole
	wg      sync.WaitGroup
	mu      sync.Mutex // guards the lazily allocated per-row error slices
}

// newPaced cuts j's batch into requests of k rows; offsets are the rows'
// intended send offsets, a request leaves at its first row's.
func newPaced(j *job, offsets []time.Duration, k, scorers int) *paced {
	n := int(j.in.NumRows())
	reqs := (n + k - 1) / k
	p := &paced{j: j, at: make([]time.Duration, reqs), n: n, k: k, outs: make([]models.Scores, scorers),
		service: make([]float64, n), done: make([]bool, reqs), errs: make([]error, reqs)}
	for r := range p.at {
		p.at[r] = offsets[r*k]
	}
	for i := range p.outs {
		p.outs[i] = models.Scores{Score: make([]float64, n), LatencyMS: make([]float64, n)}
	}
	return p
}

// rowsPredictor is a model that scores a row range of a batch in place, as
// httpmodel.Model does: its open-loop requests need no slice of their own.
type rowsPredictor interface {
	PredictRows(ctx context.Context, in arrow.RecordBatch, lo, hi int) (models.Scores, error)
}

// sendReq is one request handed from the scheduler to a sender.
type sendReq struct {
	p        *paced
	r        int               // request number within p
	rows     arrow.RecordBatch // the request's rows cut from p's batch; nil when every model takes row ranges
	intended time.Time
}

// pacer sends the requests of open-loop replays: one scheduler goroutine
// cuts each request's rows, waits for its intended time and queues it for
// a fixed pool of sender goroutines, which call the models. The scheduler
// does nothing else, and cuts the rows before it waits, so neither reading
// and sampling batches (the caller's goroutine) nor answering requests
// (the senders') delays a send, and a sender's path from picking a request
// up to calling the model is short. A request's send time is taken when a
// sender picks it up: one that finds every sender busy waits in the queue
// (it holds one request per sender; a request enters it at its time, never
// before), and that wait is queueing: it counts as scheduling lag and as
// latency.
//
// A lone model that can send on time itself (pacedOpener: httpmodel on
// Linux) gets each batch's requests ahead of their times instead, and no
// senders run: its send time is when it put the request on a connection
// (its write, or the dial of a new connection, which counts as service
// time as it does for a sender), and a request that finds all its
// connections busy waits, which again is lag.
type pacer struct {
	e     *Engine
	ctx   context.Context
	start time.Time // intended send times are offsets from it
	plans chan *paced
	reqs  chan sendReq
	slice bool               // some model takes a batch, not a row range: cut each request's rows
	ps    models.PacedSender // the model sends on time itself; no senders
	// realtime is Summary.Realtime: what came of Options.Realtime.
	realtime string
	lags     lagHist
	wg       sync.WaitGroup
}

// pacedOpener is a model that can send requests at their times itself, as
// httpmodel.Model does on Linux: one thread of its own writes each request
// the moment its timer fires, with no goroutine hand-over in between.
type pacedOpener interface {
	OpenPaced(ctx context.Context, o models.PacedOptions) (models.PacedSender, bool)
}

// pacedLead is how far ahead of its first send a batch's requests go to a
// PacedSender: enough that the sender never waits for them, little enough
// that the read-ahead stays a batch or two.
const pacedLead = 50 * time.Millisecond

// newPacer starts the scheduler and senders; send hands them batches,
// finish waits for them.
func (e *Engine) newPacer(ctx context.Context, senders int) *pacer {
	pc := &pacer{e: e, ctx: ctx, plans: make(chan *paced, 1), reqs: make(chan sendReq, senders)}
	for _, s := range e.Scorers {
		if _, ok := s.Model.(rowsPredictor); !ok {
			pc.slice = true
		}
	}
	rt := e.Options.Realtime
	if po, ok := e.Scorers[0].Model.(pacedOpener); ok && len(e.Scorers) == 1 {
		if ps, ok := po.OpenPaced(ctx, models.PacedOptions{InFlight: senders, Realtime: rt}); ok {
			if rt {
				pc.realtime = RealtimeOn
				if err := ps.Realtime(); err != nil {
					pc.realtime = "refused: " + err.Error()
				}
			}
			pc.ps = ps
			pc.wg.Add(1)
			go pc.schedulePaced()
			return pc
		}
	}
	if rt {
		pc.realtime = "not applied: only a lone http model on a plain http:// server with retries: 0, on Linux, sends from a thread of its own; the engine's senders are goroutines"
	}
	pc.wg.Add(1 + senders)
	go pc.schedule()
	for range senders {
		go pc.sender()
	}
	return pc
}

// schedulePaced hands each batch's requests to the model's PacedSender
// pacedLead before the first is due, and assembles each batch once all its
// requests are done.
func (pc *pacer) schedulePaced() {
	defer pc.wg.Done()
	defer pc.ps.Close()
	clk := newClock()
	defer clk.close()
	first := true
	for p := range pc.plans {
		if first {
			pc.start, first = time.Now(), false
		}
		if len(p.at) > 0 {
			clk.wait(pc.ctx, pc.start.Add(p.at[0]-pacedLead))
		}
		reqs := make([]models.PacedRequest, len(p.at))
		for r, at := range p.at {
			lo := r * p.k
			intended := pc.start.Add(at)
			reqs[r] = models.PacedRequest{At: intended, In: p.j.in, Lo: lo, Hi: min(p.n, lo+p.k),
				Done: func(sent, done time.Time, sc models.Scores, err error) {
					if !sent.IsZero() {
						pc.lags.add(sent.Sub(intended))
					}
					err = pc.e.store(pc.ctx, p, 0, lo, sc, err, intended, sent, sent, done)
					p.errs[r] = err
					p.done[r] = err == nil
					p.wg.Done()
				}}
		}
		p.wg.Add(len(reqs))
		pc.ps.Send(reqs)
		go func() {
			p.wg.Wait()
			p.j.out, p.j.err = pc.e.assemble(pc.ctx, p.j.in, p)
			close(p.j.done)
		}()
	}
}

// send queues j's batch, with its rows' intended send offsets, for the
// scheduler. j.done closes when all its requests have answered (or the run
// was cancelled) and j.out holds the scored batch.
func (pc *pacer) send(j *job, offsets []time.Duration) error {
	p := newPaced(j, offsets, max(1, pc.e.Options.RequestRows), len(pc.e.Scorers))
	select {
	case pc.plans <- p:
		return nil
	case <-pc.ctx.Done():
		j.err = pc.ctx.Err()
		close(j.done)
		return pc.ctx.Err()
	}
}

// finish waits for the scheduler and senders to end, once every batch is
// sent; the caller calls it after the last send.
func (pc *pacer) finish() {
	close(pc.plans)
	pc.wg.Wait()
}

func (pc *pacer) schedule() {
	defer pc.wg.Done()
	defer close(pc.reqs)
	clk := newClock()
	defer clk.close()
	var gov *procGovernor
	defer func() { gov.close() }()
	first := true
	for p := range pc.plans {
		if first {
			// The schedule starts with the first batch ready to send:
			// opening the traffic and reading that batch are not lag.
			pc.start, first = time.Now(), false
			gov = newGovernor(pc.start)
		}
		for r, at := range p.at {
			if pc.ctx.Err() != nil {
				break
			}
			q := sendReq{p: p, r: r, intended: pc.start.Add(at)}
			if pc.slice {
				lo := r * p.k
				q.rows = p.j.in.NewSlice(int64(lo), int64(min(p.n, lo+p.k)))
			}
			clk.wait(pc.ctx, q.intended)
			now := time.Now()
			gov.observe(now, now.Sub(q.intended) > LateAfter)
			p.wg.Add(1)
			select {
			case pc.reqs <- q:
				continue
			case <-pc.ctx.Done():
			}
			q.release()
			p.wg.Done()
			break
		}
		go func() {
			p.wg.Wait()
			p.j.out, p.j.err = pc.e.assemble(pc.ctx, p.j.in, p)
			close(p.j.done)
		}()
	}
}

// sender answers requests until the scheduler stops. A request's send time
// is taken here, when a sender picks it up: the scheduling lag covers the
// scheduler's wake-up, the hand-over and any wait for a free sender.
func (pc *pacer) sender() {
	defer pc.wg.Done()
	for q := range pc.reqs {
		p := q.p
		if err := pc.ctx.Err(); err != nil { // queued, never sent
			p.errs[q.r] = err
		} else {
			sent := time.Now()
			pc.lags.add(sent.Sub(q.intended))
			p.errs[q.r] = pc.e.request(pc.ctx, p, q.rows, q.r*p.k, q.intended, sent)
			p.done[q.r] = p.errs[q.r] == nil
		}
		q.release()
		p.wg.Done()
	}
}

func (q sendReq) release() {
	if q.rows != nil {
		q.rows.Release()
	}
}

// request scores one request's rows [lo, lo+k) of p's batch with every
// scorer (a rowsPredictor reads them in place, another model gets b, the
// same rows cut as a batch of their own) and writes the answers at those
// rows. The first scorer's latency runs from
// the intended send time; the others' from their own call.
func (e *Engine) request(ctx context.Context, p *paced, b arrow.RecordBatch, lo int, intended, sent time.Time) error {
	m := min(p.k, p.n-lo)
	for si, s := range e.Scorers {
		t0 := time.Now()
		var sc models.Scores
		var err error
		if rp, ok := s.Model.(rowsPredictor); ok {
			sc, err = rp.PredictRows(ctx, p.j.in, lo, lo+m)
		} else {
			sc, err = s.Model.Predict(ctx, b)
		}
		if err := e.store(ctx, p, si, lo, sc, err, intended, sent, t0, time.Now()); err != nil {
			return err
		}
	}
	return nil
}

// store writes scorer si's answer to the request at row lo of p (or
// returns its failure). The first scorer's latency runs from the intended
// send time, the others' from their own call (t0).
func (e *Engine) store(ctx context.Context, p *paced, si, lo int, sc models.Scores, err error, intended, sent, t0, done time.Time) error {
	m := min(p.k, p.n-lo)
	s := e.Scorers[si]
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
