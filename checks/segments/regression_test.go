package segments

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/stats"
)

// regRows are regression rows: a real-valued target, the candidate's and
// the baseline's predictions. NaN in target is a null target.
type regRows struct {
	id, seg            []string
	target, cand, base []float64
}

// regSynth makes segment A, where the candidate is closer to the target
// than the baseline, and segment B, where it is farther.
func regSynth(n int) *regRows {
	rng := rand.New(rand.NewPCG(3, 5))
	r := &regRows{}
	for _, s := range []struct {
		seg          string
		candSD, base float64
	}{{"A", 0.5, 1}, {"B", 2, 1}} {
		for i := 0; i < n; i++ {
			y := 10 + 3*rng.NormFloat64()
			r.id = append(r.id, fmt.Sprintf("%s%05d", s.seg, i))
			r.seg = append(r.seg, s.seg)
			r.target = append(r.target, y)
			r.cand = append(r.cand, y+s.candSD*rng.NormFloat64())
			r.base = append(r.base, y+s.base*rng.NormFloat64())
		}
	}
	return r
}

func (r *regRows) batch() arrow.RecordBatch {
	ib := array.NewStringBuilder(mem)
	sb := array.NewStringBuilder(mem)
	cb := array.NewFloat64Builder(mem)
	bb := array.NewFloat64Builder(mem)
	yb := array.NewFloat64Builder(mem)
	for i := range r.id {
		ib.Append(r.id[i])
		sb.Append(r.seg[i])
		cb.Append(r.cand[i])
		bb.Append(r.base[i])
		if math.IsNaN(r.target[i]) {
			yb.AppendNull()
		} else {
			yb.Append(r.target[i])
		}
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "seg", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "candidate_score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "prod", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "y", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	return array.NewRecordBatch(schema, []arrow.Array{ib.NewArray(), sb.NewArray(), cb.NewArray(), bb.NewArray(), yb.NewArray()}, int64(len(r.id)))
}

// subset returns the rows of segment seg ("" = all) with a target.
func (r *regRows) subset(seg string) (cand, base, y []float64) {
	for i := range r.id {
		if (seg == "" || r.seg[i] == seg) && !math.IsNaN(r.target[i]) {
			cand = append(cand, r.cand[i])
			base = append(base, r.base[i])
			y = append(y, r.target[i])
		}
	}
	return cand, base, y
}

func regConfig(exactRows int) Config {
	return Config{
		By:            []string{"seg"},
		Metrics:       []string{"rmse", "mae", "r2"},
		Label:         "y",
		BaselineScore: "prod",
		IDColumn:      "id",
		MinRows:       100,
		Seed:          1,
		ExactRows:     exactRows,
		Gates: map[string]Gate{
			"rmse": {MaxRise: fp(0.1)},
			"r2":   {MaxDrop: fp(0.02)},
		},
	}
}

// naive computes the metrics with the textbook formulas, independently
// of package stats.
func naive(m string, pred, y []float64) float64 {
	var se, ae, sy float64
	for i := range y {
		d := y[i] - pred[i]
		se += d * d
		ae += math.Abs(d)
		sy += y[i]
	}
	n := float64(len(y))
	switch m {
	case "rmse":
		return math.Sqrt(se / n)
	case "mae":
		return ae / n
	}
	mean := sy / n
	var sst float64
	for _, v := range y {
		sst += (v - mean) * (v - mean)
	}
	return 1 - se/sst
}

func statsMetric(t *testing.T, m string, pred, y []float64) float64 {
	t.Helper()
	var v float64
	var err error
	switch m {
	case "rmse":
		v, err = stats.RMSE(pred, y, nil)
	case "mae":
		v, err = stats.MAE(pred, y, nil)
	case "r2":
		v, err = stats.R2(pred, y, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRegressionMetrics(t *testing.T) {
	rows := regSynth(400)
	for i := 7; i < len(rows.target); i += 50 { // rows without feedback
		rows.target[i] = math.NaN()
	}
	for _, exact := range []int{0, -1} { // exact rows kept; none kept
		t.Run(fmt.Sprintf("exact_rows=%d", exact), func(t *testing.T) {
			c := mustNew(t, regConfig(exact))
			b := rows.batch()
			defer b.Release()
			if err := c.Observe(b); err != nil {
				t.Fatal(err)
			}
			out := byName(c.Result())
			if len(out) != 9 {
				t.Fatalf("%d outcomes, want 9: %v", len(out), out)
			}
			wantStatus := map[string]checks.Status{
				"rmse[overall]": checks.Fail, "rmse[seg=A]": checks.Pass, "rmse[seg=B]": checks.Fail,
				"mae[overall]": checks.Pass, "mae[seg=A]": checks.Pass, "mae[seg=B]": checks.Pass,
				"r2[overall]": checks.Fail, "r2[seg=A]": checks.Pass, "r2[seg=B]": checks.Fail,
			}
			tol := 1e-9
			if exact < 0 {
				tol = 1e-7 // bootstrap sums: r2 from Σy, Σy²
			}
			for _, m := range []string{"rmse", "mae", "r2"} {
				for _, seg := range []string{"overall", "A", "B"} {
					name := m + "[overall]"
					s := ""
					if seg != "overall" {
						name, s = m+"[seg="+seg+"]", seg
					}
					o, ok := out[name]
					if !ok {
						t.Fatalf("no outcome %s", name)
					}
					if o.Status != wantStatus[name] {
						t.Errorf("%s: status %s, want %s: %s", name, o.Status, wantStatus[name], o.Message)
					}
					cand, base, y := rows.subset(s)
					if o.Rows != int64(len(y)) {
						t.Errorf("%s: %d rows, want %d", name, o.Rows, len(y))
					}
					wv, wb := naive(m, cand, y), naive(m, base, y)
					if sv, sb := statsMetric(t, m, cand, y), statsMetric(t, m, base, y); math.Abs(sv-wv) > 1e-9 || math.Abs(sb-wb) > 1e-9 {
						t.Fatalf("%s: stats %v, %v; formula %v, %v", name, sv, sb, wv, wb)
					}
					if o.Value == nil || o.Baseline == nil || o.Delta == nil {
						t.Fatalf("%s: no value: %s", name, o.Message)
					}
					if math.Abs(*o.Value-wv) > tol || math.Abs(*o.Baseline-wb) > tol || math.Abs(*o.Delta-(wv-wb)) > tol {
						t.Errorf("%s: value %v baseline %v delta %v, want %v %v %v", name, *o.Value, *o.Baseline, *o.Delta, wv, wb, wv-wb)
					}
					if len(o.CI) != 2 || !(o.CI[0] <= o.CI[1]) {
						t.Fatalf("%s: CI %v", name, o.CI)
					}
					// the candidate is clearly better in A and worse in B (and
					// overall, where B's larger errors dominate)
					better := m == "r2"
					if seg == "A" && (better && o.CI[0] <= 0 || !better && o.CI[1] >= 0) {
						t.Errorf("%s: CI %v does not show the improvement", name, o.CI)
					}
					if seg != "A" && (better && o.CI[1] >= 0 || !better && o.CI[0] <= 0) {
						t.Errorf("%s: CI %v does not show the regression", name, o.CI)
					}
				}
			}
		})
	}
}

func TestRegressionShardsMerge(t *testing.T) {
	rows := regSynth(300)
	whole := mustNew(t, regConfig(0))
	b := rows.batch()
	defer b.Release()
	if err := whole.Observe(b); err != nil {
		t.Fatal(err)
	}
	a, z := mustNew(t, regConfig(0)), mustNew(t, regConfig(0))
	b1, b2 := b.NewSlice(0, 250), b.NewSlice(250, b.NumRows())
	defer b1.Release()
	defer b2.Release()
	if err := a.Observe(b1); err != nil {
		t.Fatal(err)
	}
	if err := z.Observe(b2); err != nil {
		t.Fatal(err)
	}
	if err := a.Merge(z); err != nil {
		t.Fatal(err)
	}
	want, got := byName(whole.Result()), byName(a.Result())
	for name, w := range want {
		g := got[name]
		if g.Status != w.Status || math.Abs(*g.Value-*w.Value) > 1e-9 || math.Abs(*g.Delta-*w.Delta) > 1e-9 ||
			math.Abs(g.CI[0]-w.CI[0]) > 1e-9 || math.Abs(g.CI[1]-w.CI[1]) > 1e-9 {
			t.Errorf("%s: merged %v, one pass %v", name, g, w)
		}
	}
}

func TestRegressionConfig(t *testing.T) {
	cases := []struct {
		name    string
		metrics []string
		gates   map[string]Gate
		want    string
	}{
		{"mixed", []string{"rmse", "auc"}, nil, "mix regression and binary-classification"},
		{"mixed the other way", []string{"logloss", "r2"}, nil, "mix regression and binary-classification"},
		{"max_drop on rmse", []string{"rmse"}, map[string]Gate{"rmse": {MaxDrop: fp(0.1)}}, "rmse is lower-is-better"},
		{"max_rise on r2", []string{"r2"}, map[string]Gate{"r2": {MaxRise: fp(0.1)}}, "r2 is higher-is-better"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := regConfig(0)
			cfg.Metrics, cfg.Gates = tc.metrics, tc.gates
			_, err := New(cfg)
			var e *errs.Error
			if err == nil || !errors.As(err, &e) || errs.Code(err) != 3 || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want an input error mentioning %q", err, tc.want)
			}
		})
	}
}

// TestRegressionTargetAnyNumber checks that targets outside {0, 1} count and
// a non-finite target is left out with a warning.
func TestRegressionTargetAnyNumber(t *testing.T) {
	rows := regSynth(200)
	rows.target[0] = math.Inf(1)
	rows.target[1] = -1234.5
	c := mustNew(t, regConfig(0))
	b := rows.batch()
	defer b.Release()
	if err := c.Observe(b); err != nil {
		t.Fatal(err)
	}
	o := byName(c.Result())["mae[overall]"]
	if o.Rows != 399 {
		t.Errorf("%d rows, want 399", o.Rows)
	}
	if !strings.Contains(strings.Join(o.Warnings, "\n"), "1 rows have a target that is not a finite number") {
		t.Errorf("warnings %q", o.Warnings)
	}
	cand, _, y := rows.subset("")
	want := naive("mae", cand[1:], y[1:])
	if math.Abs(*o.Value-want) > 1e-9 {
		t.Errorf("mae %v, want %v", *o.Value, want)
	}
}
