package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/models"
)

// Source yields record batches; io.EOF ends the stream. traffic.Reader is one.
type Source interface {
	Next() (arrow.RecordBatch, error)
}

// Scorer is one model to replay and the column prefix of its outputs
// ("candidate", "production").
type Scorer struct {
	Role  string
	Model models.Model
}

// Options control the engine.
type Options struct {
	Workers  int     // batches scored at once; 0 = all cores
	Sample   float64 // share of rows replayed, in (0, 1]; 0 = 1
	Seed     int64   // sample seed
	IDColumn string  // sampling hashes the row id when set, else the row number

	Mode            string  // ModeMax (default), ModeRate or ModeRecorded
	Rate            float64 // ModeRate: rows per second
	Speedup         float64 // ModeRecorded: how many times faster than logged; 0 = 1
	TimestampColumn string  // ModeRecorded: the logged arrival times
	RequestRows     int     // open-loop modes: rows per request; 0 = 1
	// Realtime asks for real-time priority for the thread that writes
	// open-loop requests. Only a model that sends on its own
	// (models.PacedSender) has such a thread; Summary.Realtime says what
	// came of it.
	Realtime bool
}

// Engine replays a source through its scorers.
type Engine struct {
	Scorers []Scorer
	Options Options
}

// Summary is what the engine measured about a replay.
type Summary struct {
	Rows     int64 // rows read after sampling
	Read     int64 // rows read before sampling
	Duration time.Duration

	// Open-loop modes: requests sent, how many left later than LateAfter
	// behind their intended time, and the scheduling lag's distribution.
	Requests               int64
	Late                   int64
	LagP50, LagP99, LagMax time.Duration
	// Realtime, when Options.Realtime asked for it: RealtimeOn, or why
	// the sends ran at ordinary priority.
	Realtime string
}

// RealtimeOn is Summary.Realtime when the sending thread ran at real-time
// priority.
const RealtimeOn = "on"

type job struct {
	in, out arrow.RecordBatch
	err     error
	done    chan struct{}
}

// Run reads src to the end, scores every batch and calls sink with the
// scored batches in input order. sink must not keep a batch past its call
// without retaining it. A model's own failure (as opposed to a row's) stops
// the run with an errs.Run error.
func (e *Engine) Run(ctx context.Context, src Source, sink func(arrow.RecordBatch) error) (Summary, error) {
	start := time.Now()
	workers := e.Options.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	open := e.Options.Mode == ModeRate || e.Options.Mode == ModeRecorded
	jobs := make(chan *job)
	order := make(chan *job, 2*workers)
	var sched *schedule
	var pc *pacer
	if open {
		if e.Options.Mode == ModeRate && !(e.Options.Rate > 0) {
			return Summary{}, errs.Input("set replay.rate to the rows per second to send", "rate replay needs a positive rate")
		}
		speed := e.Options.Speedup
		if speed <= 0 {
			speed = 1
		}
		sched = &schedule{mode: e.Options.Mode, rate: e.Options.Rate, speedup: speed, tsCol: e.Options.TimestampColumn, first: math.MinInt64}
		order = make(chan *job, 64)
		pf := newPrefetch(src, 2)
		defer pf.close()
		src = pf
		defer relaxGC()()
		pc = e.newPacer(ctx, workers)
		workers = 0 // the pacer's senders, not batch workers, call the models
	}
	var readErr error
	var read int64
	var scheduled int64
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.out, j.err = e.score(ctx, j.in)
				close(j.done)
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(jobs)
		if pc != nil {
			defer pc.finish()
		}
		var rowBase int64
		for {
			if ctx.Err() != nil {
				readErr = ctx.Err()
				return
			}
			b, err := src.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				readErr = err
				return
			}
			read += b.NumRows()
			if s := e.Options.Sample; s > 0 && s < 1 {
				nb, err := e.sample(b, rowBase)
				rowBase += b.NumRows()
				b.Release()
				if err != nil {
					readErr = err
					return
				}
				b = nb
			}
			j := &job{in: b, done: make(chan struct{})}
			select {
			case order <- j:
			case <-ctx.Done():
				b.Release()
				readErr = ctx.Err()
				return
			}
			if open {
				offs, err := sched.offsets(b, scheduled)
				if err != nil {
					j.err = err
					close(j.done)
					readErr = err
					return
				}
				scheduled += b.NumRows()
				if err := pc.send(j, offs); err != nil {
					readErr = err
					return
				}
				continue
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				j.err = ctx.Err()
				close(j.done)
				readErr = ctx.Err()
				return
			}
		}
	}()

	var sum Summary
	var runErr error
	for j := range order {
		<-j.done
		inRows := j.in.NumRows()
		j.in.Release()
		if runErr == nil && j.err != nil {
			runErr = j.err
			cancel()
		}
		if j.out != nil {
			if runErr == nil {
				sum.Rows += j.out.NumRows()
				if err := sink(j.out); err != nil {
					runErr = err
					cancel()
				}
				if runErr == nil && j.out.NumRows() < inRows {
					// An interrupted open-loop batch keeps its answered
					// prefix; the rows after it, in this batch or the
					// next, were not all replayed, and the stream must
					// stay a prefix of the traffic.
					runErr = ctx.Err()
				}
			}
			j.out.Release()
		}
	}
	wg.Wait()
	sum.Read = read
	sum.Duration = time.Since(start)
	if e.Options.Realtime && !open {
		sum.Realtime = "not applied: mode max has no send times to keep"
	}
	if open {
		sum.Realtime = pc.realtime
		lags := &pc.lags
		sum.Requests, sum.Late = lags.n, lags.late
		sum.LagP50, sum.LagP99, sum.LagMax = lags.quantile(0.5), lags.quantile(0.99), lags.max
	}
	if runErr != nil {
		return sum, runErr
	}
	if readErr != nil {
		return sum, readErr
	}
	return sum, nil
}

// score runs every scorer over b and returns b with their columns appended
// (closed loop: each row's latency is the model's own).
func (e *Engine) score(ctx context.Context, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	n := int(b.NumRows())
	fields := append([]arrow.Field(nil), b.Schema().Fields()...)
	cols := append([]arrow.Array(nil), b.Columns()...)
	var owned []arrow.Array
	defer func() {
		for _, a := range owned {
			a.Release()
		}
	}()
	for _, s := range e.Scorers {
		t0 := time.Now()
		sc, err := s.Model.Predict(ctx, b)
		elapsed := time.Since(t0)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, errs.WrapRun(fmt.Errorf("%s model: %w", s.Role, err), "")
		}
		if len(sc.Score) != n {
			return nil, errs.Run("", "%s model returned %d scores for %d rows", s.Role, len(sc.Score), n)
		}
		arrs, fs := columns(s.Role, sc, n, elapsed)
		fields = append(fields, fs...)
		cols = append(cols, arrs...)
		owned = append(owned, arrs...)
	}
	md := b.Schema().Metadata()
	schema := arrow.NewSchema(fields, &md)
	return array.NewRecordBatch(schema, cols, int64(n)), nil
}

// ErrorColumn etc. name the columns a scorer adds.
func ScoreColumn(role string) string   { return role + "_score" }
func LatencyColumn(role string) string { return role + "_latency_ms" }
func ErrorColumn(role string) string   { return role + "_error" }
func ClassColumn(role string, k int) string {
	return role + "_class_" + strconv.Itoa(k)
}

// IsOutputColumn says whether name is a column replay adds for role.
func IsOutputColumn(role, name string) bool {
	switch name {
	case ScoreColumn(role), LatencyColumn(role), ErrorColumn(role), ServiceColumn(role):
		return true
	}
	rest, ok := strings.CutPrefix(name, role+"_class_")
	if !ok || rest == "" {
		return false
	}
	_, err := strconv.Atoi(rest)
	return err == nil
}

// columns builds a scorer's output arrays. An errored row has a null score
// and its error as "class: message" in the error column.
func columns(role string, sc models.Scores, n int, elapsed time.Duration) ([]arrow.Array, []arrow.Field) {
	mem := memory.DefaultAllocator
	score := array.NewFloat64Builder(mem)
	lat := array.NewFloat64Builder(mem)
	errb := array.NewStringBuilder(mem)
	defer score.Release()
	defer lat.Release()
	defer errb.Release()
	score.Reserve(n)
	lat.Reserve(n)
	errb.Reserve(n)
	share := 0.0
	if n > 0 {
		share = float64(elapsed) / float64(time.Millisecond) / float64(n)
	}
	for i := 0; i < n; i++ {
		msg := ""
		if sc.Errors != nil {
			msg = sc.Errors[i]
		}
		if v := sc.Score[i]; msg == "" && (math.IsNaN(v) || math.IsInf(v, 0)) {
			msg = "non-finite score " + strconv.FormatFloat(v, 'g', -1, 64)
			if sc.ErrorClass == nil {
				sc.ErrorClass = make([]string, n)
			}
			sc.ErrorClass[i] = "non_finite"
		}
		if msg != "" {
			class := "error"
			if sc.ErrorClass != nil && sc.ErrorClass[i] != "" {
				class = sc.ErrorClass[i]
			}
			score.AppendNull()
			errb.Append(class + ": " + msg)
		} else {
			score.UnsafeAppend(sc.Score[i])
			errb.AppendNull()
		}
		if sc.LatencyMS != nil {
			lat.UnsafeAppend(sc.LatencyMS[i])
		} else {
			lat.UnsafeAppend(share)
		}
	}
	arrs := []arrow.Array{score.NewArray(), lat.NewArray(), errb.NewArray()}
	fields := []arrow.Field{
		{Name: ScoreColumn(role), Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: LatencyColumn(role), Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: ErrorColumn(role), Type: arrow.BinaryTypes.String, Nullable: true},
	}
	for k, cl := range sc.Classes {
		cb := array.NewFloat64Builder(mem)
		cb.AppendValues(cl, nil)
		arrs = append(arrs, cb.NewArray())
		cb.Release()
		fields = append(fields, arrow.Field{Name: ClassColumn(role, k), Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	return arrs, fields
}

// sample keeps the rows whose hash falls under the sample share: the row
// id's hash when an id column is set, else the row's number in the stream.
// It allocates nothing per row: in an open-loop replay it runs between two
// sends.
func (e *Engine) sample(b arrow.RecordBatch, rowBase int64) (arrow.RecordBatch, error) {
	limit := uint64(e.Options.Sample * math.MaxUint64)
	var ids arrow.Array
	if e.Options.IDColumn != "" {
		idx := b.Schema().FieldIndices(e.Options.IDColumn)
		if len(idx) == 0 {
			return nil, errs.Input("", "sample: id column %q is not in the traffic", e.Options.IDColumn)
		}
		ids = b.Column(idx[0])
	}
	// The id's text as ValueStr writes it, without the copy for strings.
	text := func(i int) string { return ids.ValueStr(i) }
	switch c := ids.(type) {
	case *array.String:
		text = c.Value
	case *array.LargeString:
		text = c.Value
	case *array.StringView:
		text = c.Value
	}
	mask := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer mask.Release()
	mask.Reserve(int(b.NumRows()))
	seed := uint64(e.Options.Seed)
	for i := 0; i < int(b.NumRows()); i++ {
		var h uint64
		if ids != nil && ids.IsValid(i) {
			h = mix(fnv64a(text(i)) ^ seed)
		} else {
			h = mix(uint64(rowBase+int64(i)) ^ mix(seed))
		}
		mask.UnsafeAppend(h < limit)
	}
	m := mask.NewArray()
	defer m.Release()
	return compute.FilterRecordBatch(context.Background(), b, m, compute.DefaultFilterOptions())
}

// fnv64a is FNV-1a, 64 bits, of s: hash/fnv's New64a without its
// allocations.
func fnv64a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix is splitmix64's finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
