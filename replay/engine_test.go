package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/models"
)

// sliceSource yields batches of ids "r<n>" and x = n.
type sliceSource struct {
	rows, batch, next int
}

func (s *sliceSource) Next() (arrow.RecordBatch, error) {
	if s.next >= s.rows {
		return nil, io.EOF
	}
	n := min(s.batch, s.rows-s.next)
	ids := array.NewStringBuilder(memory.DefaultAllocator)
	xs := array.NewFloat64Builder(memory.DefaultAllocator)
	defer ids.Release()
	defer xs.Release()
	for i := 0; i < n; i++ {
		ids.Append(fmt.Sprintf("r%d", s.next+i))
		xs.Append(float64(s.next + i))
	}
	s.next += n
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String}, {Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil)
	a, b := ids.NewArray(), xs.NewArray()
	defer a.Release()
	defer b.Release()
	return array.NewRecordBatch(schema, []arrow.Array{a, b}, int64(n)), nil
}

// fakeModel scores x/1000; x divisible by errEvery is a per-row error, and
// x == failAt makes the whole call fail.
type fakeModel struct {
	errEvery int
	failAt   float64
	calls    atomic.Int64
}

func (m *fakeModel) Predict(_ context.Context, b arrow.RecordBatch) (models.Scores, error) {
	m.calls.Add(1)
	xs := b.Column(1).(*array.Float64)
	sc := models.Scores{Score: make([]float64, xs.Len())}
	for i := range sc.Score {
		x := xs.Value(i)
		if x == m.failAt {
			return models.Scores{}, errors.New("model crashed")
		}
		sc.Score[i] = x / 1000
		if m.errEvery > 0 && int(x)%m.errEvery == 0 {
			if sc.Errors == nil {
				sc.Errors, sc.ErrorClass = make([]string, len(sc.Score)), make([]string, len(sc.Score))
			}
			sc.Errors[i], sc.ErrorClass[i] = "bad row", "decode"
		}
	}
	return sc, nil
}

func TestEngineKeepsOrderAndAccountsForEveryRow(t *testing.T) {
	for _, workers := range []int{1, 2, 7} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			m := &fakeModel{errEvery: 10, failAt: -1}
			eng := &Engine{Scorers: []Scorer{{Role: "candidate", Model: m}}, Options: Options{Workers: workers}}
			acct := NewAccounting("candidate", "id", 0)
			var seen []float64
			sum, err := eng.Run(context.Background(), &sliceSource{rows: 1003, batch: 64}, func(b arrow.RecordBatch) error {
				if err := acct.Observe(b); err != nil {
					return err
				}
				sc := b.Column(b.Schema().FieldIndices("candidate_score")[0]).(*array.Float64)
				xs := b.Column(1).(*array.Float64)
				for i := 0; i < sc.Len(); i++ {
					seen = append(seen, xs.Value(i))
					if sc.IsValid(i) && sc.Value(i) != xs.Value(i)/1000 {
						t.Fatalf("row %v scored %v", xs.Value(i), sc.Value(i))
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Rows != 1003 || len(seen) != 1003 {
				t.Fatalf("rows = %d (%d seen), want 1003", sum.Rows, len(seen))
			}
			for i, x := range seen {
				if x != float64(i) {
					t.Fatalf("row %d is x=%v: batches out of order", i, x)
				}
			}
			st := acct.Stats()
			// x = 0, 10, ..., 1000: 101 errored rows.
			if st.Rows != 1003 || st.Errors != 101 || st.Scored != 902 || st.ErrorClasses["decode"] != 101 {
				t.Errorf("stats = %+v", st)
			}
			if len(st.ErrorExamples) != 5 || st.ErrorExamples[0].Row != "r0" || st.ErrorExamples[1].Row != "r10" {
				t.Errorf("examples = %+v", st.ErrorExamples)
			}
		})
	}
}

func TestEngineModelFailureStopsTheRun(t *testing.T) {
	m := &fakeModel{failAt: 500}
	eng := &Engine{Scorers: []Scorer{{Role: "candidate", Model: m}}, Options: Options{Workers: 2}}
	_, err := eng.Run(context.Background(), &sliceSource{rows: 100000, batch: 100}, func(arrow.RecordBatch) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "model crashed") || errs.Code(err) != errs.CodeRun {
		t.Fatalf("err = %v (code %d), want the model's failure with exit 4", err, errs.Code(err))
	}
	if c := m.calls.Load(); c > 100 {
		t.Errorf("the engine kept scoring after the failure: %d calls", c)
	}
}

func TestEngineNonFiniteScoresAreErrors(t *testing.T) {
	m := &nanModel{}
	eng := &Engine{Scorers: []Scorer{{Role: "candidate", Model: m}}}
	acct := NewAccounting("candidate", "id", 0)
	if _, err := eng.Run(context.Background(), &sliceSource{rows: 10, batch: 4}, acct.Observe); err != nil {
		t.Fatal(err)
	}
	st := acct.Stats()
	if st.Errors != 2 || st.ErrorClasses["non_finite"] != 2 {
		t.Fatalf("stats = %+v, want 2 non_finite errors", st)
	}
}

type nanModel struct{}

func (nanModel) Predict(_ context.Context, b arrow.RecordBatch) (models.Scores, error) {
	xs := b.Column(1).(*array.Float64)
	sc := models.Scores{Score: make([]float64, xs.Len())}
	for i := range sc.Score {
		switch xs.Value(i) {
		case 3:
			sc.Score[i] = math.NaN()
		case 7:
			sc.Score[i] = math.Inf(1)
		default:
			sc.Score[i] = 0.5
		}
	}
	return sc, nil
}

func TestSampleIsReproducibleAndProportional(t *testing.T) {
	run := func(seed int64) []string {
		eng := &Engine{Scorers: []Scorer{{Role: "candidate", Model: &fakeModel{failAt: -1}}},
			Options: Options{Sample: 0.25, Seed: seed, IDColumn: "id", Workers: 3}}
		var ids []string
		_, err := eng.Run(context.Background(), &sliceSource{rows: 20000, batch: 1000}, func(b arrow.RecordBatch) error {
			c := b.Column(0).(*array.String)
			for i := 0; i < c.Len(); i++ {
				ids = append(ids, c.Value(i))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	a, b, c := run(42), run(42), run(43)
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatal("the same seed selected different rows")
	}
	if strings.Join(a, ",") == strings.Join(c, ",") {
		t.Fatal("different seeds selected the same rows")
	}
	// Binomial(20000, 0.25): sd ≈ 61; allow 5 sd.
	if n := len(a); n < 5000-305 || n > 5000+305 {
		t.Fatalf("sampled %d of 20000 rows at 0.25", n)
	}
}

func TestAccountingZeroRowsFail(t *testing.T) {
	acct := NewAccounting("candidate", "id", 0)
	out := acct.Result()
	if len(out) != 1 || out[0].Status != checks.Fail || out[0].Name != "replay.rows" {
		t.Fatalf("zero rows: %+v, want replay.rows fail", out)
	}
	if v := checks.Verdict(out, false); v != checks.Fail {
		t.Fatalf("verdict %s, want fail", v)
	}
}

func TestAccountingMergeEqualsOnePass(t *testing.T) {
	m := &fakeModel{errEvery: 7, failAt: -1}
	eng := &Engine{Scorers: []Scorer{{Role: "candidate", Model: m}}, Options: Options{Workers: 1}}
	whole := NewAccounting("candidate", "id", 0.2)
	a, b := NewAccounting("candidate", "id", 0.2), NewAccounting("candidate", "id", 0.2)
	n := 0
	_, err := eng.Run(context.Background(), &sliceSource{rows: 500, batch: 50}, func(bt arrow.RecordBatch) error {
		whole.Observe(bt)
		n++
		if n <= 5 {
			return a.Observe(bt)
		}
		return b.Observe(bt)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Result(), whole.Result()) || !reflect.DeepEqual(a.Stats(), whole.Stats()) {
		t.Fatalf("merged %v\nwhole  %v", a.Result(), whole.Result())
	}
}

// A batch lost between the engine and the checks fails replay.rows.
func TestAccountingCatchesLostRows(t *testing.T) {
	eng := &Engine{Scorers: []Scorer{{Role: "candidate", Model: &fakeModel{failAt: -1}}}, Options: Options{Workers: 2}}
	acct := NewAccounting("candidate", "id", 0)
	n := 0
	sum, err := eng.Run(context.Background(), &sliceSource{rows: 1000, batch: 100}, func(b arrow.RecordBatch) error {
		if n++; n == 4 {
			return nil // dropped on the floor
		}
		return acct.Observe(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	acct.Expect(sum.Rows)
	out := acct.Result()
	if out[0].Name != "replay.rows" || out[0].Status != checks.Fail || !strings.Contains(out[0].Message, "lost") {
		t.Fatalf("replay.rows = %+v, want fail: rows lost", out[0])
	}
	if sum.Read != 1000 || sum.Rows != 1000 {
		t.Errorf("summary %+v", sum)
	}
}

func TestIsOutputColumn(t *testing.T) {
	for name, want := range map[string]bool{
		"candidate_score": true, "candidate_latency_ms": true, "candidate_error": true, "candidate_class_3": true,
		"candidate_class_": false, "candidate_class_x": false, "candidate_scores": false, "production_score": false, "score": false,
	} {
		if got := IsOutputColumn("candidate", name); got != want {
			t.Errorf("IsOutputColumn(candidate, %q) = %v", name, got)
		}
	}
}
