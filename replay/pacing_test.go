package replay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/models"
	"github.com/replaygate/replaygate/models/httpmodel"
)

// sleepModel sleeps a known time per call, chosen by the first row's x:
// the injected ground truth of the latency tests.
type sleepModel struct{ sleep func(x float64) time.Duration }

func (m sleepModel) Predict(ctx context.Context, b arrow.RecordBatch) (models.Scores, error) {
	xs := b.Column(1).(*array.Float64)
	select {
	case <-time.After(m.sleep(xs.Value(0))):
	case <-ctx.Done():
		return models.Scores{}, ctx.Err()
	}
	return models.Scores{Score: make([]float64, xs.Len())}, nil
}

// latencies runs an open-loop replay and returns each row's latency and
// service time in input order.
func latencies(t *testing.T, m models.Model, rows int, rate float64, conc int) (lat, svc []float64, sum Summary) {
	t.Helper()
	eng := &Engine{Scorers: []Scorer{{Role: "candidate", Model: m}},
		Options: Options{Mode: ModeRate, Rate: rate, Workers: conc, RequestRows: 1}}
	var xs []float64
	sum, err := eng.Run(context.Background(), &sliceSource{rows: rows, batch: 64}, func(b arrow.RecordBatch) error {
		l := b.Column(b.Schema().FieldIndices(LatencyColumn("candidate"))[0]).(*array.Float64)
		s := b.Column(b.Schema().FieldIndices(ServiceColumn("candidate"))[0]).(*array.Float64)
		x := b.Column(1).(*array.Float64)
		for i := 0; i < l.Len(); i++ {
			lat, svc, xs = append(lat, l.Value(i)), append(svc, s.Value(i)), append(xs, x.Value(i))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range xs {
		if x != float64(i) {
			t.Fatalf("row %d is x=%v: out of order", i, x)
		}
	}
	return lat, svc, sum
}

func pct(v []float64, q float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[int(q*float64(len(s)-1))]
}

// At a rate the model keeps up with, latency is the injected service time:
// 90% of requests take 2 ms, 10% take 20 ms. The measurement can only add
// to the truth (timer wake-ups, CPU contention: `go test ./...` runs other
// packages' CPU-heavy tests beside this one on 2 cores), so the tolerance
// is one-sided and wide enough for a busy machine, yet tight enough to
// catch latency measured from the wrong instant: no row below its injected
// time, p50 within +10 ms of 2 ms, p95 within +40 ms of 20 ms, and 9% to
// 35% of rows at 20 ms or more.
//
// It runs twice: against an in-process model, paced by the engine's
// scheduler and senders, and against a model server on 127.0.0.1 through
// httpmodel, which sends on time itself (pacedOpener).
func TestRateModeMeasuresInjectedLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 4 s")
	}
	sleep := func(x float64) time.Duration {
		if int(x)%10 == 9 {
			return 20 * time.Millisecond
		}
		return 2 * time.Millisecond
	}
	for name, m := range injected(t, sleep) {
		t.Run(name, func(t *testing.T) { checkInjectedLatency(t, m) })
	}
}

// The HTTP model paces itself: a change to OpenPaced's signature that
// pacedOpener does not follow would silently bring back the senders.
var _ pacedOpener = (*httpmodel.Model)(nil)

// injected returns the models whose answers take sleep(x): in process and
// over HTTP.
func injected(t *testing.T, sleep func(x float64) time.Duration) map[string]models.Model {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var row struct{ X float64 }
		if err := json.NewDecoder(r.Body).Decode(&row); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		time.Sleep(sleep(row.X))
		io.WriteString(w, `{"score": 0}`)
	}))
	t.Cleanup(srv.Close)
	hm, err := httpmodel.New(httpmodel.Options{Protocol: httpmodel.JSON, URL: srv.URL, Features: []string{"x"}, Batch: 1, ScorePath: "score", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" {
		ps, ok := hm.OpenPaced(context.Background(), models.PacedOptions{InFlight: 1})
		if !ok {
			t.Fatal("the HTTP model does not pace itself: the test would not cover its sender")
		}
		ps.Close()
	}
	return map[string]models.Model{"in-process": sleepModel{sleep}, "http": hm}
}

func checkInjectedLatency(t *testing.T, m models.Model) {
	lat, _, sum := latencies(t, m, 400, 200, 8)
	p50, p95 := pct(lat, 0.5), pct(lat, 0.95)
	if p50 < 2 || p50 > 12 {
		t.Errorf("p50 = %.2f ms, want 2 ms (+10)", p50)
	}
	if p95 < 20 || p95 > 60 {
		t.Errorf("p95 = %.2f ms, want 20 ms (+40)", p95)
	}
	slow := 0
	for _, l := range lat {
		if l >= 20 {
			slow++
		}
	}
	if share := float64(slow) / float64(len(lat)); share < 0.09 || share > 0.35 {
		t.Errorf("%.1f%% of rows at >= 20 ms, want 10%%", 100*share)
	}
	for i, l := range lat {
		if l < 2 {
			t.Fatalf("row %d latency %.3f ms is below the injected 2 ms", i, l)
		}
	}
	if sum.Requests != 400 {
		t.Errorf("requests = %d, want 400", sum.Requests)
	}
}

// Coordinated omission: one request stalls for 500 ms with one request in
// flight at a time, at 200 rows/s. The ~100 requests due during the stall
// queue behind it; measured from their intended send times they show the
// stall, while their service times do not.
func TestRateModeShowsAStallInQueuedRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 4 s")
	}
	sleep := func(x float64) time.Duration {
		if x == 50 {
			return 500 * time.Millisecond
		}
		return 100 * time.Microsecond
	}
	for name, m := range injected(t, sleep) {
		t.Run(name, func(t *testing.T) { checkStall(t, m) })
	}
}

func checkStall(t *testing.T, m models.Model) {
	lat, svc, sum := latencies(t, m, 300, 200, 1)
	if p := pct(lat, 0.99); p < 400 {
		t.Errorf("open-loop p99 = %.1f ms: the 500 ms stall is hidden", p)
	}
	// The requests due during the stall waited for it.
	if lat[60] < 400 || lat[100] < 200 {
		t.Errorf("latency of rows queued behind the stall: row 60 %.1f ms, row 100 %.1f ms", lat[60], lat[100])
	}
	if svc[60] > 50 {
		t.Errorf("service time of row 60 = %.1f ms: it should exclude the queueing", svc[60])
	}
	if sum.Late < 90 || sum.LagMax < 400*time.Millisecond {
		t.Errorf("late sends %d, max lag %v: the queueing must be reported", sum.Late, sum.LagMax)
	}
}

// Recorded mode keeps the logged gaps, divided by the speedup.
func TestScheduleRecorded(t *testing.T) {
	s := &schedule{mode: ModeRecorded, speedup: 10, tsCol: "ts", first: -1 << 63}
	tb := array.NewTimestampBuilder(memory.DefaultAllocator, &arrow.TimestampType{Unit: arrow.Millisecond})
	defer tb.Release()
	tb.AppendValues([]arrow.Timestamp{1000, 1000, 3000, 11000}, nil)
	tb.AppendNull()
	col := tb.NewArray()
	defer col.Release()
	b := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "ts", Type: col.DataType(), Nullable: true}}, nil), []arrow.Array{col}, 5)
	defer b.Release()
	got, err := s.offsets(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{0, 0, 200 * time.Millisecond, time.Second, time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("offset %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// rowsModel is fakeModel scoring row ranges in place, as httpmodel does.
type rowsModel struct{ fakeModel }

func (m *rowsModel) PredictRows(ctx context.Context, b arrow.RecordBatch, lo, hi int) (models.Scores, error) {
	s := b.NewSlice(int64(lo), int64(hi))
	defer s.Release()
	return m.fakeModel.Predict(ctx, s)
}

func (m *rowsModel) Predict(context.Context, arrow.RecordBatch) (models.Scores, error) {
	return models.Scores{}, errors.New("called Predict on a model that scores row ranges")
}

// Thousands of requests from one batch, answered while the scheduler is
// still sending: every answer lands at its own row, whether the model
// takes each request as a batch of its own or as a row range.
func TestRateModeLargeBatch(t *testing.T) {
	for _, m := range []models.Model{&fakeModel{failAt: -1}, &rowsModel{fakeModel{failAt: -1}}} {
		t.Run(fmt.Sprintf("%T", m), func(t *testing.T) { testRateModeLargeBatch(t, m) })
	}
}

func testRateModeLargeBatch(t *testing.T, m models.Model) {
	eng := &Engine{Scorers: []Scorer{{Role: "candidate", Model: m}},
		Options: Options{Mode: ModeRate, Rate: 100000, Workers: 4, RequestRows: 3}}
	acct := NewAccounting("candidate", "id", 0)
	var xs []float64
	sum, err := eng.Run(context.Background(), &sliceSource{rows: 20000, batch: 8192}, func(b arrow.RecordBatch) error {
		sc := b.Column(b.Schema().FieldIndices(ScoreColumn("candidate"))[0]).(*array.Float64)
		x := b.Column(1).(*array.Float64)
		for i := 0; i < x.Len(); i++ {
			if sc.Value(i) != x.Value(i)/1000 {
				t.Fatalf("row %v scored %v", x.Value(i), sc.Value(i))
			}
			xs = append(xs, x.Value(i))
		}
		return acct.Observe(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range xs {
		if x != float64(i) {
			t.Fatalf("row %d is x=%v", i, x)
		}
	}
	// Batches of 8192, 8192 and 3616 rows in requests of 3: 2731 + 2731 + 1206.
	if sum.Rows != 20000 || sum.Requests != 6668 || acct.Stats().Rows != 20000 {
		t.Fatalf("summary %+v", sum)
	}
}

// cancelModel scores x/1000 and, from row x == at on, cancels the run (as
// an interrupt would) and fails as a cancelled call does.
type cancelModel struct {
	at     float64
	cancel context.CancelFunc
}

func (m cancelModel) Predict(ctx context.Context, b arrow.RecordBatch) (models.Scores, error) {
	xs := b.Column(1).(*array.Float64)
	sc := models.Scores{Score: make([]float64, xs.Len())}
	for i := range sc.Score {
		if xs.Value(i) >= m.at {
			m.cancel()
			return models.Scores{}, ctx.Err()
		}
		sc.Score[i] = xs.Value(i) / 1000
	}
	return sc, nil
}

// An interrupted open-loop replay stops sending, returns, and hands over
// only answered rows: a prefix of the traffic, in order, every row scored.
func TestRateModeInterruptKeepsAnsweredPrefix(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	eng := &Engine{Scorers: []Scorer{{Role: "candidate", Model: cancelModel{at: 300, cancel: cancel}}},
		Options: Options{Mode: ModeRate, Rate: 100000, Workers: 4, RequestRows: 1}}
	var xs []float64
	sum, err := eng.Run(ctx, &sliceSource{rows: 1000, batch: 64}, func(b arrow.RecordBatch) error {
		sc := b.Column(b.Schema().FieldIndices(ScoreColumn("candidate"))[0]).(*array.Float64)
		x := b.Column(1).(*array.Float64)
		for i := 0; i < x.Len(); i++ {
			if !sc.IsValid(i) || sc.Value(i) != x.Value(i)/1000 {
				t.Errorf("row %v: score %v valid %v, want every handed-over row answered", x.Value(i), sc.Value(i), sc.IsValid(i))
			}
			xs = append(xs, x.Value(i))
		}
		return nil
	})
	if err == nil {
		t.Fatal("an interrupted run returned no error")
	}
	for i, x := range xs {
		if x != float64(i) {
			t.Fatalf("row %d is x=%v: not a prefix in order", i, x)
		}
	}
	// How long the prefix is depends on which requests had started when
	// the cancel came (on a loaded machine even the first may not have).
	if len(xs) > 300 || sum.Rows != int64(len(xs)) {
		t.Errorf("%d rows handed over, summary %d: want the answered prefix, at most 300", len(xs), sum.Rows)
	}
	if sum.Requests > 1000 {
		t.Errorf("%d requests counted for 1000 rows", sum.Requests)
	}
}

// Sampling hashes ids with its own FNV-1a: it must match hash/fnv's, or a
// seed would select other rows than it did before.
func TestFNV64aMatchesHashFNV(t *testing.T) {
	for _, s := range []string{"", "r0", "req-000000000123", "ünïcode id", strings.Repeat("x", 300)} {
		h := fnv.New64a()
		h.Write([]byte(s))
		if got, want := fnv64a(s), h.Sum64(); got != want {
			t.Errorf("fnv64a(%q) = %x, hash/fnv %x", s, got, want)
		}
	}
}

// Summary.Realtime says what came of Options.Realtime: only a model that
// sends from a thread of its own can have it, and only in open loop.
func TestRealtimeSummary(t *testing.T) {
	ms := injected(t, func(float64) time.Duration { return 0 })
	for _, tc := range []struct {
		name, model, mode string
		realtime          bool
		want              string // prefix
	}{
		{"not asked", "http", ModeRate, false, ""},
		{"max mode", "http", ModeMax, true, "not applied: mode max"},
		{"engine senders", "in-process", ModeRate, true, "not applied: only a lone http model"},
		{"own sender", "http", ModeRate, true, "on|refused: real-time priority for the sending thread: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eng := &Engine{Scorers: []Scorer{{Role: "candidate", Model: ms[tc.model]}},
				Options: Options{Mode: tc.mode, Rate: 2000, Workers: 2, RequestRows: 1, Realtime: tc.realtime}}
			sum, err := eng.Run(context.Background(), &sliceSource{rows: 20, batch: 8}, func(arrow.RecordBatch) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			if sum.Rows != 20 {
				t.Fatalf("%d rows replayed, want 20", sum.Rows)
			}
			ok := false
			for _, w := range strings.Split(tc.want, "|") {
				ok = ok || w == "" && sum.Realtime == "" || w != "" && strings.HasPrefix(sum.Realtime, w)
			}
			if runtime.GOOS != "linux" && tc.model == "http" && tc.mode == ModeRate && tc.realtime {
				ok = strings.HasPrefix(sum.Realtime, "not applied: only a lone http model")
			}
			if !ok {
				t.Errorf("Summary.Realtime = %q, want %q", sum.Realtime, tc.want)
			}
		})
	}
}
