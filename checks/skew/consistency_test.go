package skew

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
)

// TestConsistencyWorstRows: the worst rows are quoted with both scores,
// their diff and the features outside the reference's [min, max].
func TestConsistencyWorstRows(t *testing.T) {
	// Reference: income 0..100, age 18..80, country a string feature.
	ref := batch(
		col("income", f64(0, 25, 50, 75, 100)),
		col("age", f64(18, 30, 45, 60, 80)),
		col("country", strArr("US", "US", "DE", "DE", "FR")),
	)
	cfg := Config{BaselineScore: "prod_score", Consistency: &ConsistencyConfig{Tolerance: 0.01, MaxMismatchRate: 0.5}}
	c, err := NewFromReference(src(ref), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Rows a..g: a is far off with income above the training max, b has
	// age below the training min, c has only the logged score, g matches.
	b1 := batch(
		col("request_id", strArr("a", "b", "c", "d")),
		col("income", f64(8800000, 50, 10, 20)),
		col("age", f64(40, 5, 30, nil)),
		col("country", strArr("US", "DE", "FR", "US")),
		col("prod_score", f64(0.31, 0.5, 0.2, 0.4)),
		col(DefaultProductionScore, f64(0.12, 0.8, nil, 0.45)),
	)
	b2 := batch(
		col("request_id", strArr("e", "f", "g")),
		col("income", f64(101, 30, 40)),
		col("age", f64(81, 30, 30)),
		col("country", strArr("US", "DE", "FR")),
		col("prod_score", f64(0.1, 0.6, 0.7)),
		col(DefaultProductionScore, f64(0.13, 0.62, 0.7)),
	)
	for _, b := range []arrow.RecordBatch{b1, b2} {
		if err := c.Observe(b); err != nil {
			t.Fatal(err)
		}
	}
	o := byName(t, c.Result(), "skew.consistency")
	// Mismatches: c (+Inf), b 0.3, a 0.19, d 0.05, e 0.03, f 0.02; the top
	// five drop f.
	if want := []string{"c", "b", "a", "d", "e"}; !reflect.DeepEqual(o.Examples, want) {
		t.Errorf("examples %v, want %v", o.Examples, want)
	}
	for _, want := range []string{
		"worst rows: row c: served 0.2, replayed missing (|diff| +Inf); ",
		"row b: served 0.5, replayed 0.8 (|diff| 0.3), outside the training range: age=5 (training min 18); ",
		"row a: served 0.31, replayed 0.12 (|diff| 0.19), outside the training range: income=8.8e+06 (training max 100); ",
		"row d: served 0.4, replayed 0.45 (|diff| 0.05); ",
		"row e: served 0.1, replayed 0.13 (|diff| 0.03), outside the training range: income=101 (training max 100), age=81 (training max 80)",
	} {
		if !strings.Contains(o.Message, want) {
			t.Errorf("message %q lacks %q", o.Message, want)
		}
	}
	if strings.Contains(o.Message, "row f") {
		t.Errorf("message %q quotes row f, which is not among the five worst", o.Message)
	}

	// Forks fed one batch each, merged either way, report the same.
	for _, order := range [][2]arrow.RecordBatch{{b1, b2}, {b2, b1}} {
		x, y := c.Fork(), c.Fork()
		if err := x.Observe(order[0]); err != nil {
			t.Fatal(err)
		}
		if err := y.Observe(order[1]); err != nil {
			t.Fatal(err)
		}
		if err := x.Merge(y); err != nil {
			t.Fatal(err)
		}
		if got := byName(t, x.Result(), "skew.consistency"); !reflect.DeepEqual(got, o) {
			t.Errorf("after merge:\n got %+v\nwant %+v", got, o)
		}
	}
}

// TestSegmentFlipRates: per segment value, the share of rows whose
// decision at 0.5 differs, counted by hand: web 20 of 200, ios 50 of 100,
// android (50 rows) skip, nulls 30 of 120.
func TestSegmentFlipRates(t *testing.T) {
	ref := batch(col("x", f64(1, 2, 3, 4)))
	cfg := Config{
		BaselineScore: "base",
		Segments:      []string{"platform"},
		Prediction:    &PredictionConfig{Thresholds: []float64{0.5, 0.9}, MaxFlipRate: fp(0.3)},
	}
	c, err := NewFromReference(src(ref), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var plat []string
	var cand, base []any
	add := func(p string, n, flips int) {
		for i := range n {
			plat = append(plat, p)
			base = append(base, 0.4)
			if i < flips {
				cand = append(cand, 0.6) // flips at 0.5, not at 0.9
			} else {
				cand = append(cand, 0.45)
			}
		}
	}
	add("web", 200, 20)
	add("ios", 100, 50)
	add("android", 50, 10)
	add("", 120, 30)
	n := len(plat)
	xs := make([]any, n)
	for i := range xs {
		xs[i] = i % 4
	}
	// Split in two batches at a point inside the ios rows.
	mk := func(lo, hi int) arrow.RecordBatch {
		return batch(col("x", f64(xs[lo:hi]...)), col("platform", strArr(plat[lo:hi]...)),
			col("base", f64(base[lo:hi]...)), col(DefaultCandidateScore, f64(cand[lo:hi]...)))
	}
	b1, b2 := mk(0, 250), mk(250, n)
	x, y := c.Fork(), c.Fork()
	for _, step := range []struct {
		c *Check
		b arrow.RecordBatch
	}{{c, b1}, {c, b2}, {x, b2}, {y, b1}} {
		if err := step.c.Observe(step.b); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Merge(y); err != nil {
		t.Fatal(err)
	}
	out := c.Result()
	if got := x.Result(); !reflect.DeepEqual(got, out) {
		t.Errorf("merged forks differ from one pass:\n got %+v\nwant %+v", got, out)
	}

	overall := byName(t, out, "skew.flip_rate@0.5")
	if *overall.Value != 110.0/470 || overall.Rows != 470 {
		t.Errorf("overall: %v over %d rows, want 110/470", *overall.Value, overall.Rows)
	}
	var names []string
	for _, o := range out {
		if strings.HasPrefix(o.Name, "skew.flip_rate@") {
			names = append(names, o.Name)
		}
	}
	want := []string{"skew.flip_rate@0.5", "skew.flip_rate@0.9"}
	for _, th := range []string{"0.5", "0.9"} {
		for _, v := range []string{"android", "ios", "web", "(null)"} {
			want = append(want, fmt.Sprintf("skew.flip_rate@%s[platform=%s]", th, v))
		}
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("flip outcomes %v, want %v", names, want)
	}
	for _, tc := range []struct {
		name         string
		status       checks.Status
		flips, pairs int64
	}{
		{"skew.flip_rate@0.5[platform=web]", checks.Pass, 20, 200},
		{"skew.flip_rate@0.5[platform=ios]", checks.Fail, 50, 100},
		{"skew.flip_rate@0.5[platform=(null)]", checks.Pass, 30, 120},
		{"skew.flip_rate@0.9[platform=ios]", checks.Pass, 0, 100},
	} {
		o := byName(t, out, tc.name)
		if o.Status != tc.status || o.Value == nil || *o.Value != float64(tc.flips)/float64(tc.pairs) || o.Rows != tc.pairs || o.Limit != "<= 0.3" {
			t.Errorf("%s: %s %v over %d rows (limit %q), want %s %d/%d", tc.name, o.Status, o.Value, o.Rows, o.Limit, tc.status, tc.flips, tc.pairs)
		}
		if want := fmt.Sprintf("%d of %d rows change decision", tc.flips, tc.pairs); !strings.Contains(o.Message, want) {
			t.Errorf("%s: message %q lacks %q", tc.name, o.Message, want)
		}
	}
	if o := byName(t, out, "skew.flip_rate@0.5[platform=android]"); o.Status != checks.Skip || !strings.Contains(o.Message, "fewer than the 100") {
		t.Errorf("android: %s %q, want skip under 100 rows", o.Status, o.Message)
	}

	// A segment column missing from the traffic gives one skip per threshold.
	cfg.Segments = []string{"region"}
	c2, err := NewFromReference(src(ref), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c2.Observe(b1); err != nil {
		t.Fatal(err)
	}
	if o := byName(t, c2.Result(), "skew.flip_rate@0.5[region]"); o.Status != checks.Skip {
		t.Errorf("absent segment column: %s %q, want skip", o.Status, o.Message)
	}
}
