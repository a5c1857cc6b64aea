package execmodel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/models"
)

// Lines of the stderr tail quoted in a per-row error and in the error
// that stops the run.
const (
	rowTail   = 5
	fatalTail = 20
)

// Model scores rows with a long-lived model process. It is safe for
// concurrent use.
type Model struct {
	o     Options
	name  string
	names [][]byte // JSON-quoted feature names

	pool   chan *slot
	bound  atomic.Pointer[binding]
	rows   atomic.Int64 // rows numbered so far
	closed atomic.Bool

	mu       sync.Mutex
	fatal    error
	failures int // crashes and hangs that ended a process
	stats    struct {
		requests, restarts, crashes, timeouts atomic.Int64
	}
}

// slot is one process of the pool, used by one batch at a time.
type slot struct {
	p       *proc
	started bool // a process has run in this slot: the next start is a restart
	// lastTail is the stderr tail of the slot's last failed process.
	lastTail []string
}

type binding struct {
	schema *arrow.Schema
	cols   []int
	id     int // -1 = row numbers
}

// Stats count a Model's work since New.
type Stats struct {
	Requests int64 // batches written to a process
	Restarts int64 // processes started again after a crash or a hang
	Crashes  int64 // processes that exited with a batch in flight
	Timeouts int64 // batches not answered within Options.Timeout
}

// New validates o. It does not start the process: Start or the first
// Predict does.
func New(o Options) (*Model, error) {
	o.Command = append([]string(nil), o.Command...)
	o.Features = append([]string(nil), o.Features...)
	o.fill()
	if err := o.validate(); err != nil {
		return nil, err
	}
	m := &Model{o: o, name: strings.Join(o.Command, " "), pool: make(chan *slot, o.Processes)}
	for _, f := range o.Features {
		q, _ := json.Marshal(f)
		m.names = append(m.names, q)
	}
	for range o.Processes {
		m.pool <- &slot{}
	}
	return m, nil
}

// Options returns the options in effect, defaults filled in.
func (m *Model) Options() Options {
	o := m.o
	o.Command = append([]string(nil), o.Command...)
	o.Features = append([]string(nil), o.Features...)
	return o
}

// Stats returns the work counted so far.
func (m *Model) Stats() Stats {
	return Stats{
		Requests: m.stats.requests.Load(),
		Restarts: m.stats.restarts.Load(),
		Crashes:  m.stats.crashes.Load(),
		Timeouts: m.stats.timeouts.Load(),
	}
}

// Info describes the model for the result's fingerprints.
func (m *Model) Info() models.Info {
	return models.Info{
		Type:        "exec",
		Path:        m.name,
		Fingerprint: fingerprint(m.o.Command, m.o.Features),
		Details: fmt.Sprintf("JSON lines over stdin/stdout, batch %d, processes %d, timeout %v, max restarts %d",
			m.o.Batch, m.o.Processes, m.o.Timeout, m.o.MaxRestarts),
		Features: append([]string(nil), m.o.Features...),
	}
}

// Bind checks a schema before any row is scored: every feature column
// exists and holds numbers or booleans, and the id column exists.
func (m *Model) Bind(schema *arrow.Schema) error {
	_, err := m.bind(schema)
	return err
}

func (m *Model) bind(schema *arrow.Schema) (*binding, error) {
	if bd := m.bound.Load(); bd != nil && bd.schema == schema {
		return bd, nil
	}
	who := "exec model " + m.name
	cols, err := models.FeatureColumns(schema, m.o.Features, nil, who, "candidate.features lists the traffic columns sent to the model, in model order")
	if err != nil {
		return nil, err
	}
	bd := &binding{schema: schema, cols: cols, id: -1}
	if m.o.IDColumn != "" {
		if bd.id, err = models.Column(schema, m.o.IDColumn, who, "traffic.id names the column of row ids; leave it out to number the rows"); err != nil {
			return nil, err
		}
	}
	m.bound.Store(bd)
	return bd, nil
}

// appendValue appends row i of a bound column as JSON: integers exactly,
// floats with every digit of their float64 value, booleans as 0 and 1,
// and null for a missing value, NaN or ±Inf.
func appendValue(b []byte, a arrow.Array, i int) []byte {
	if a.IsNull(i) {
		return append(b, "null"...)
	}
	var v float64
	switch c := a.(type) {
	case *array.Float64:
		v = c.Value(i)
	case *array.Float32:
		v = float64(c.Value(i))
	case *array.Float16:
		v = float64(c.Value(i).Float32())
	case *array.Int64:
		return strconv.AppendInt(b, c.Value(i), 10)
	case *array.Int32:
		return strconv.AppendInt(b, int64(c.Value(i)), 10)
	case *array.Int16:
		return strconv.AppendInt(b, int64(c.Value(i)), 10)
	case *array.Int8:
		return strconv.AppendInt(b, int64(c.Value(i)), 10)
	case *array.Uint64:
		return strconv.AppendUint(b, c.Value(i), 10)
	case *array.Uint32:
		return strconv.AppendUint(b, uint64(c.Value(i)), 10)
	case *array.Uint16:
		return strconv.AppendUint(b, uint64(c.Value(i)), 10)
	case *array.Uint8:
		return strconv.AppendUint(b, uint64(c.Value(i)), 10)
	case *array.Boolean:
		if c.Value(i) {
			return append(b, '1')
		}
		return append(b, '0')
	default:
		return append(b, "null"...)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// Start starts the model processes that are not running yet. A command
// that cannot be started is an errs.Run error naming it.
func (m *Model) Start(ctx context.Context) error {
	if m.closed.Load() {
		return m.closedError()
	}
	var held []*slot
	defer func() {
		for _, s := range held {
			m.pool <- s
		}
	}()
	for range m.o.Processes {
		select {
		case s := <-m.pool:
			held = append(held, s)
			if s.p == nil && !s.started {
				if err := m.launch(s); err != nil {
					return err
				}
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (m *Model) closedError() error {
	return errs.Run("", "exec model %s: the model is closed", m.name)
}

// launch starts s's process: a restart when one ran before.
func (m *Model) launch(s *slot) error {
	if s.started {
		m.mu.Lock()
		if m.fatal == nil && m.failures > m.o.MaxRestarts {
			m.fatal = m.fatalError(s)
		}
		err := m.fatal
		m.mu.Unlock()
		if err != nil {
			return err
		}
	}
	p, err := startProc(m.o.Command, m.o.Dir)
	if err != nil {
		return err
	}
	if s.started {
		m.stats.restarts.Add(1)
	}
	s.p, s.started = p, true
	return nil
}

func (m *Model) fatalError(s *slot) error {
	c, t := m.stats.crashes.Load(), m.stats.timeouts.Load()
	var what string
	switch {
	case t == 0:
		what = fmt.Sprintf("crashed %d times", c)
	case c == 0:
		what = fmt.Sprintf("hung %d times (no response within %v)", t, m.o.Timeout)
	default:
		what = fmt.Sprintf("failed %d times (%d crashes, %d hangs past the %v timeout)", c+t, c, t, m.o.Timeout)
	}
	tail := "(empty)"
	if lines := s.lastTail; len(lines) > 0 {
		tail = "\n  " + strings.Join(lines, "\n  ")
	}
	return errs.Run(fmt.Sprintf("run the command by hand and write a request line to its stdin to see why it fails; candidate.model.max_restarts (now %d) allows more restarts", m.o.MaxRestarts),
		"exec model %s: the model process %s; last stderr: %s", m.name, what, tail)
}

// fatalErr is the error that stopped the model, if any.
func (m *Model) fatalErr() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fatal
}

// Predict implements models.Model: it writes the batch to the model
// processes in requests of Options.Batch rows. A row's failure is a
// per-row error (see the package comment); the returned error is ctx's
// when it is cancelled, a binding error, or an errs.Run error once the
// processes failed more often than Options.MaxRestarts allows.
func (m *Model) Predict(ctx context.Context, in arrow.RecordBatch) (models.Scores, error) {
	if err := ctx.Err(); err != nil {
		return models.Scores{}, err
	}
	if m.closed.Load() {
		return models.Scores{}, m.closedError()
	}
	if err := m.fatalErr(); err != nil {
		return models.Scores{}, err
	}
	bd, err := m.bind(in.Schema())
	if err != nil {
		return models.Scores{}, err
	}
	n := int(in.NumRows())
	base := m.rows.Add(int64(n)) - int64(n)
	sc := models.Scores{
		Score: make([]float64, n), LatencyMS: make([]float64, n),
		Errors: make([]string, n), ErrorClass: make([]string, n),
	}
	cols := make([]arrow.Array, len(bd.cols))
	for j, ci := range bd.cols {
		cols[j] = in.Column(ci)
	}
	var idcol arrow.Array
	if bd.id >= 0 {
		idcol = in.Column(bd.id)
	}
	batch := m.o.Batch
	nreq := (n + batch - 1) / batch
	var next atomic.Int64
	var wg sync.WaitGroup
	var stopOnce sync.Once
	var stopErr error
	stop := make(chan struct{})
	for range min(m.o.Processes, nreq) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			ids := make([]string, batch)
			used := make(map[string]bool, batch)
			for {
				r := int(next.Add(1) - 1)
				if r >= nreq || ctx.Err() != nil {
					return
				}
				select {
				case <-stop:
					return
				default:
				}
				lo, hi := r*batch, min((r+1)*batch, n)
				buf = m.encode(buf[:0], cols, idcol, lo, hi, base, ids, used)
				err := m.exchange(ctx, buf, ids[:hi-lo], lo, &sc)
				if err != nil {
					stopOnce.Do(func() { stopErr = err; close(stop) })
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return models.Scores{}, err
	}
	if stopErr != nil {
		return models.Scores{}, stopErr
	}
	ok := true
	for _, c := range sc.ErrorClass {
		ok = ok && c == ""
	}
	if ok {
		sc.Errors, sc.ErrorClass = nil, nil
	}
	return sc, nil
}

// encode appends the request lines of rows [lo, hi) to b and sets their
// ids, unique within the request.
func (m *Model) encode(b []byte, cols []arrow.Array, idcol arrow.Array, lo, hi int, base int64, ids []string, used map[string]bool) []byte {
	clear(used)
	for i := lo; i < hi; i++ {
		num := strconv.FormatInt(base+int64(i), 10)
		id := num
		if idcol != nil && idcol.IsValid(i) {
			id = idcol.ValueStr(i)
		}
		if used[id] {
			id = "row " + num
			for used[id] {
				id += "'"
			}
		}
		used[id] = true
		ids[i-lo] = id
		q, _ := json.Marshal(id)
		b = append(b, `{"id":`...)
		b = append(b, q...)
		b = append(b, `,"features":{`...)
		for j, c := range cols {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, m.names[j]...)
			b = append(b, ':')
			b = appendValue(b, c, i)
		}
		b = append(b, "}}\n"...)
	}
	return b
}

// exchange writes one request of len(ids) rows, the first being row lo of
// sc, and fills in their outcome. It returns an error only when the run
// cannot go on (ctx cancelled, the model closed or failed too often).
func (m *Model) exchange(ctx context.Context, req []byte, ids []string, lo int, sc *models.Scores) error {
	var s *slot
	select {
	case s = <-m.pool:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { m.pool <- s }()
	if m.closed.Load() {
		return m.closedError()
	}
	if s.p == nil {
		if err := m.launch(s); err != nil {
			return err
		}
	}
	p := s.p
	k := len(ids)
	idx := make(map[string]int, k)
	for i, id := range ids {
		idx[id] = i
	}
	res := make([]response, k)
	seen := make([]int, k) // answers per row
	answered := 0
	var unknown []string
	garbage := "" // the first line not tied to a row
	lines := 0
	var failure, failClass string

	start := time.Now()
	deadline := start.Add(m.o.Timeout)
	m.stats.requests.Add(1)
	p.stdin.SetWriteDeadline(deadline)
	_, werr := p.stdin.Write(req)
	if werr != nil && errors.Is(werr, os.ErrDeadlineExceeded) {
		failure, failClass = m.hang(s), "timeout"
	}
	var timer *time.Timer
	if failure == "" {
		timer = time.NewTimer(time.Until(deadline))
		defer timer.Stop()
	}
read:
	for failure == "" {
		if garbage == "" && lines >= k || garbage != "" && answered == k {
			break
		}
		select {
		case line, ok := <-p.lines:
			if !ok {
				failure, failClass = m.crash(s, deadline), "crashed"
				break read
			}
			if len(strings.TrimSpace(string(line))) == 0 {
				continue
			}
			r, err := decodeLine(line)
			if err != nil {
				if garbage == "" {
					garbage = "the model answered " + err.Error()
				}
				continue
			}
			lines++
			i, ok := idx[r.id]
			if !ok {
				unknown = append(unknown, r.id)
				continue
			}
			if seen[i] == 0 {
				answered++
				res[i] = r
			}
			seen[i]++
		case <-timer.C:
			failure, failClass = m.hang(s), "timeout"
		case <-ctx.Done():
			// The process may still answer this request: drop it.
			p.stop(0)
			s.p = nil
			return ctx.Err()
		}
	}
	lat := float64(time.Since(start).Nanoseconds()) / 1e6
	for i := range k {
		row := lo + i
		sc.LatencyMS[row] = lat
		sc.Score[row] = math.NaN()
		var msg, class string
		switch {
		case garbage != "":
			msg, class = garbage+"; every row of its batch fails", "decode"
		case seen[i] == 0 && failure != "":
			msg, class = failure, failClass
		case seen[i] == 0 && len(unknown) > 0:
			msg, class = fmt.Sprintf("no response for id %q; the model answered unknown id %q", ids[i], unknown[0]), "decode"
		case seen[i] == 0:
			msg, class = fmt.Sprintf("no response for id %q among the %d lines answering its batch", ids[i], k), "shape"
		case seen[i] > 1:
			msg, class = fmt.Sprintf("the model answered id %q %d times", ids[i], seen[i]), "decode"
		default:
			sc.Score[row] = res[i].score
			msg, class = res[i].msg, res[i].class
		}
		sc.Errors[row], sc.ErrorClass[row] = msg, class
	}
	return nil
}

// hang kills s's wedged process and returns the rows' message.
func (m *Model) hang(s *slot) string {
	s.p.stop(0)
	s.lastTail = s.p.stderr.tail(fatalTail)
	s.p = nil
	m.stats.timeouts.Add(1)
	m.mu.Lock()
	m.failures++
	m.mu.Unlock()
	return fmt.Sprintf("no response within %v; the model process was killed and will be restarted", m.o.Timeout)
}

// crash reaps s's process, whose stdout ended, and returns the rows'
// message with its exit status and last stderr lines.
func (m *Model) crash(s *slot, deadline time.Time) string {
	p := s.p
	t := time.NewTimer(max(time.Until(deadline), 100*time.Millisecond))
	select {
	case <-p.done:
	case <-t.C:
	}
	t.Stop()
	how := "closed its stdout"
	if p.exited() {
		how = "exited (" + p.status() + ")"
	}
	p.stop(0)
	s.lastTail = p.stderr.tail(fatalTail)
	s.p = nil
	m.stats.crashes.Add(1)
	m.mu.Lock()
	m.failures++
	m.mu.Unlock()
	msg := "the model process " + how + " with this row in flight"
	if tail := s.lastTail; len(tail) > 0 {
		msg += "; last stderr: " + strings.Join(tail[max(0, len(tail)-rowTail):], " | ")
	} else {
		msg += "; it wrote nothing to stderr"
	}
	return msg
}

// Close stops the model processes (stdin closed, SIGTERM, SIGKILL after
// 2s) and waits for them. Predict fails after Close.
func (m *Model) Close() error {
	if m.closed.Swap(true) {
		return nil
	}
	held := make([]*slot, 0, m.o.Processes)
	for range m.o.Processes {
		held = append(held, <-m.pool)
	}
	var wg sync.WaitGroup
	for _, s := range held {
		if s.p != nil {
			wg.Add(1)
			go func(p *proc) {
				defer wg.Done()
				p.stop(killGrace)
			}(s.p)
			s.p = nil
		}
	}
	wg.Wait()
	for _, s := range held {
		m.pool <- s
	}
	return nil
}

var _ models.Model = (*Model)(nil)
