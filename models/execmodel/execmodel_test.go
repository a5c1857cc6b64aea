package execmodel

import (
	"context"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/models"
)

var features = []string{"a", "b", "c"}

// traffic builds n rows: a float64 (null every 5th row), b int64, c bool
// and id strings; a[i] is set by aOf when it is not nil.
func traffic(t *testing.T, n int, aOf func(i int) float64) arrow.RecordBatch {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "request_id", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "a", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "b", Type: arrow.PrimitiveTypes.Int64},
		{Name: "c", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "country", Type: arrow.BinaryTypes.String},
	}, nil)
	bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer bld.Release()
	for i := range n {
		bld.Field(0).(*array.StringBuilder).Append("req-" + strconv.Itoa(i))
		a := float64(i)*0.1 + 1.0/3
		if aOf != nil {
			a = aOf(i)
		}
		if i%5 == 4 && aOf == nil {
			bld.Field(1).(*array.Float64Builder).AppendNull()
		} else {
			bld.Field(1).(*array.Float64Builder).Append(a)
		}
		bld.Field(2).(*array.Int64Builder).Append(int64(i*7 - 3))
		bld.Field(3).(*array.BooleanBuilder).Append(i%2 == 0)
		bld.Field(4).(*array.StringBuilder).Append("fr")
	}
	rec := bld.NewRecordBatch()
	t.Cleanup(rec.Release)
	return rec
}

// want is the echo model's score of row i of rec: the sum of a, b and c
// in that order, nulls skipped.
func want(rec arrow.RecordBatch, i int) float64 {
	sum := 0.0
	if a := rec.Column(1).(*array.Float64); a.IsValid(i) {
		sum += a.Value(i)
	}
	sum += float64(rec.Column(2).(*array.Int64).Value(i))
	if rec.Column(3).(*array.Boolean).Value(i) {
		sum++
	}
	return sum
}

// helperModel returns a Model running this test binary in mode, closed at
// the end of the test.
func helperModel(t *testing.T, mode string, env map[string]string, o Options) *Model {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("EXECMODEL_HELPER", mode)
	for k, v := range env {
		t.Setenv(k, v)
	}
	o.Command = []string{exe, "-test.run=^$"}
	if o.Features == nil {
		o.Features = features
	}
	m, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// checkAccounted fails unless every row is either scored or carries an
// error with a class: nothing is lost.
func checkAccounted(t *testing.T, sc models.Scores, n int) (scored, failed int) {
	t.Helper()
	if len(sc.Score) != n || len(sc.LatencyMS) != n {
		t.Fatalf("%d scores, %d latencies for %d rows", len(sc.Score), len(sc.LatencyMS), n)
	}
	for i := range n {
		if sc.Errors != nil && sc.ErrorClass[i] != "" {
			if sc.Errors[i] == "" {
				t.Fatalf("row %d: class %s without a message", i, sc.ErrorClass[i])
			}
			failed++
			continue
		}
		if sc.Errors != nil && sc.Errors[i] != "" {
			t.Fatalf("row %d: message %q without a class", i, sc.Errors[i])
		}
		scored++
	}
	if scored+failed != n {
		t.Fatalf("%d scored + %d failed != %d rows", scored, failed, n)
	}
	return scored, failed
}

func classOf(sc models.Scores, i int) string {
	if sc.ErrorClass == nil {
		return ""
	}
	return sc.ErrorClass[i]
}

func TestScores(t *testing.T) {
	cases := []struct {
		name string
		mode string
		o    Options
	}{
		{"batch 1", "echo", Options{}},
		{"batch 8", "echo", Options{Batch: 8}},
		{"batch 7 partial last", "echo", Options{Batch: 7}},
		{"reordered within a batch", "reverse", Options{Batch: 8}},
		{"three processes", "echo", Options{Batch: 3, Processes: 3}},
		{"id column", "reverse", Options{Batch: 4, IDColumn: "request_id"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := helperModel(t, c.mode, map[string]string{"EXECMODEL_BATCH": strconv.Itoa(c.o.Batch)}, c.o)
			rec := traffic(t, 40, nil)
			if err := m.Bind(rec.Schema()); err != nil {
				t.Fatal(err)
			}
			for round := range 2 {
				sc, err := m.Predict(context.Background(), rec)
				if err != nil {
					t.Fatal(err)
				}
				if sc.Errors != nil {
					for i, e := range sc.Errors {
						if e != "" {
							t.Fatalf("round %d row %d: %s: %s", round, i, sc.ErrorClass[i], e)
						}
					}
				}
				checkAccounted(t, sc, 40)
				for i := range 40 {
					if w := want(rec, i); math.Float64bits(sc.Score[i]) != math.Float64bits(w) {
						t.Fatalf("round %d row %d: score %v, want %v", round, i, sc.Score[i], w)
					}
					if !(sc.LatencyMS[i] > 0) {
						t.Fatalf("row %d: latency %v", i, sc.LatencyMS[i])
					}
				}
			}
			b := m.Options().Batch
			st := m.Stats()
			if wantReq := int64(2 * ((40 + b - 1) / b)); st.Requests != wantReq || st.Restarts != 0 || st.Crashes != 0 {
				t.Fatalf("stats %+v, want %d requests and no restart", st, wantReq)
			}
		})
	}
}

// TestExactValues sends values whose shortest decimal form needs 17
// digits, extremes and integers past 2^53: the model reads back a's
// float64 bits exactly, and b as the integer sent.
func TestExactValues(t *testing.T) {
	vals := []float64{0.1 + 0.2, 1.0 / 3, math.SmallestNonzeroFloat64, math.MaxFloat64, -0.0, 5e-324, 123456789.123456789}
	rec := traffic(t, len(vals), func(i int) float64 { return vals[i] })
	m := helperModel(t, "echo", nil, Options{Features: []string{"a"}, Batch: 4})
	sc, err := m.Predict(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vals {
		if math.Float64bits(sc.Score[i]) != math.Float64bits(0+v) {
			t.Fatalf("row %d: score %v, sent %v", i, sc.Score[i], v)
		}
	}
	if got := string(appendValue(nil, int64Array(t, 1<<53+1), 0)); got != "9007199254740993" {
		t.Fatalf("int64 2^53+1 sent as %s", got)
	}
}

func int64Array(t *testing.T, v int64) arrow.Array {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.Append(v)
	a := b.NewArray()
	t.Cleanup(a.Release)
	return a
}

// TestRowErrors: error lines and null scores fail their row only.
func TestRowErrors(t *testing.T) {
	as := []float64{1, -1, 2, 999, 3, math.NaN(), math.Inf(1)}
	rec := traffic(t, len(as), func(i int) float64 { return as[i] })
	m := helperModel(t, "reverse", map[string]string{"EXECMODEL_BATCH": "7"}, Options{Batch: 7})
	sc, err := m.Predict(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, sc, len(as))
	wantClass := []string{"", "model_error", "", "non_finite", "", "", ""}
	for i, c := range wantClass {
		if classOf(sc, i) != c {
			t.Fatalf("row %d: class %q (%s), want %q", i, classOf(sc, i), sc.Errors[i], c)
		}
	}
	if sc.Errors[1] != "negative a" {
		t.Fatalf("row 1: message %q", sc.Errors[1])
	}
	// NaN and +Inf are sent as null: the model skips them.
	for _, i := range []int{5, 6} {
		if w := float64(i*7-3) + float64(1-i%2); sc.Score[i] != w {
			t.Fatalf("row %d: score %v, want %v (a sent as null)", i, sc.Score[i], w)
		}
	}
}

func TestCrashAndRestarts(t *testing.T) {
	m := helperModel(t, "crash", map[string]string{"EXECMODEL_AFTER": "2"}, Options{MaxRestarts: 2})
	rec := traffic(t, 6, nil)
	sc, err := m.Predict(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, sc, 6)
	for i, c := range []string{"", "", "crashed", "", "", "crashed"} {
		if classOf(sc, i) != c {
			t.Fatalf("row %d: class %q, want %q", i, classOf(sc, i), c)
		}
		if c == "" && sc.Score[i] != want(rec, i) {
			t.Fatalf("row %d: score %v, want %v", i, sc.Score[i], want(rec, i))
		}
	}
	msg := sc.Errors[2]
	for _, s := range []string{"exit status 3", "RuntimeError: boom on request 3", "model loaded"} {
		if !strings.Contains(msg, s) {
			t.Fatalf("crash message %q lacks %q", msg, s)
		}
	}
	if st := m.Stats(); st.Crashes != 2 || st.Restarts != 1 {
		t.Fatalf("stats %+v, want 2 crashes, 1 restart", st)
	}
	// The third process crashes on its third row; a fourth is not started.
	_, err = m.Predict(context.Background(), traffic(t, 5, nil))
	if err == nil {
		t.Fatal("Predict after the restarts ran out succeeded")
	}
	if errs.Code(err) != errs.CodeRun || errs.HintOf(err) == "" {
		t.Fatalf("error %v: code %d, hint %q", err, errs.Code(err), errs.HintOf(err))
	}
	for _, s := range []string{"crashed 3 times", "last stderr", "boom on request 3"} {
		if !strings.Contains(err.Error(), s) {
			t.Fatalf("error %q lacks %q", err, s)
		}
	}
	if st := m.Stats(); st.Crashes != 3 || st.Restarts != 2 {
		t.Fatalf("stats %+v, want 3 crashes, 2 restarts", st)
	}
	if _, err2 := m.Predict(context.Background(), rec); err2 == nil || errs.Code(err2) != errs.CodeRun {
		t.Fatalf("Predict after the fatal error: %v", err2)
	}
}

func TestHangKillsAndRestarts(t *testing.T) {
	killGrace = 200 * time.Millisecond
	defer func() { killGrace = 2 * time.Second }()
	m := helperModel(t, "hang", map[string]string{"EXECMODEL_AFTER": "1", "EXECMODEL_IGNORE_TERM": "1"},
		Options{Batch: 2, Timeout: 300 * time.Millisecond})
	rec := traffic(t, 4, nil)
	sc, err := m.Predict(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, sc, 4)
	for i, c := range []string{"", "timeout", "", "timeout"} {
		if classOf(sc, i) != c {
			t.Fatalf("row %d: class %q, want %q", i, classOf(sc, i), c)
		}
	}
	if sc.Score[2] != want(rec, 2) {
		t.Fatalf("row 2 after the restart: score %v, want %v", sc.Score[2], want(rec, 2))
	}
	if sc.LatencyMS[1] < 300 {
		t.Fatalf("timed-out row latency %vms, under the timeout", sc.LatencyMS[1])
	}
	if st := m.Stats(); st.Timeouts != 2 || st.Restarts != 1 || st.Crashes != 0 {
		t.Fatalf("stats %+v, want 2 timeouts, 1 restart", st)
	}
	// The wedged processes were killed and reaped despite ignoring SIGTERM.
	pids := m.pids()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	checkReaped(t, pids)
}

func TestGarbageLine(t *testing.T) {
	m := helperModel(t, "garbage", map[string]string{"EXECMODEL_AFTER": "2"}, Options{Batch: 2})
	rec := traffic(t, 6, nil)
	sc, err := m.Predict(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, sc, 6)
	for i, c := range []string{"", "", "decode", "decode", "", ""} {
		if classOf(sc, i) != c {
			t.Fatalf("row %d: class %q, want %q", i, classOf(sc, i), c)
		}
	}
	if !strings.Contains(sc.Errors[2], "not JSON") || !strings.Contains(sc.Errors[2], "debug: this is not json") {
		t.Fatalf("decode message %q", sc.Errors[2])
	}
	if sc.Score[4] != want(rec, 4) {
		t.Fatalf("row 4 after the resync: %v", sc.Score[4])
	}
	if st := m.Stats(); st.Restarts != 0 || st.Timeouts != 0 {
		t.Fatalf("stats %+v: the stream resynced without a restart", st)
	}
}

func TestIDMismatch(t *testing.T) {
	cases := []struct {
		mode  string
		class []string
		row   int // whose message holds msg
		msg   string
	}{
		{"dup", []string{"decode", "shape", "", "decode", "shape", ""}, 0, "2 times"},
		{"unknown", []string{"", "decode", "", "", "decode", ""}, 1, `unknown id "bogus"`},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			m := helperModel(t, c.mode, map[string]string{"EXECMODEL_BATCH": "3"}, Options{Batch: 3})
			rec := traffic(t, 6, nil)
			sc, err := m.Predict(context.Background(), rec)
			if err != nil {
				t.Fatal(err)
			}
			checkAccounted(t, sc, 6)
			for i, w := range c.class {
				if classOf(sc, i) != w {
					t.Fatalf("row %d: class %q (%s), want %q", i, classOf(sc, i), sc.Errors[i], w)
				}
				if w == "" && sc.Score[i] != want(rec, i) {
					t.Fatalf("row %d: score %v, want %v", i, sc.Score[i], want(rec, i))
				}
			}
			if !strings.Contains(sc.Errors[c.row], c.msg) {
				t.Fatalf("message %q lacks %q", sc.Errors[c.row], c.msg)
			}
		})
	}
}
