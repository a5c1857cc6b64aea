package contract

import (
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/spec"
)

// sliceSource yields batches, then io.EOF (or err).
type sliceSource struct {
	batches []arrow.RecordBatch
	err     error
}

func (s *sliceSource) Next() (arrow.RecordBatch, error) {
	if len(s.batches) == 0 {
		if s.err != nil {
			return nil, s.err
		}
		return nil, io.EOF
	}
	b := s.batches[0]
	s.batches = s.batches[1:]
	return b, nil
}

func profileOf(t *testing.T, batches ...arrow.RecordBatch) *Profile {
	t.Helper()
	p, err := ProfileOf(&sliceSource{batches: batches})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	t1 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	t2 = time.Date(2024, 5, 1, 11, 30, 0, 0, time.UTC)
)

// trafficBatches is a small hand-made traffic log.
func trafficBatches() []arrow.RecordBatch {
	return []arrow.RecordBatch{
		batch(
			col("request_id", str("a", "b", "c")),
			col("user_id", i64(7, 7, 8)),
			col("ts", stamps(arrow.Millisecond, "UTC", t1, t2, t1)),
			col("age", i64(18, nil, 120)),
			col("income", f64(1000.5, math.NaN(), 2500.0)),
			col("country", str("US", "DE", "US")),
			col("clicked", i64(0, 1, 0)),
			col("ok", bools(true, false, true)),
			col("prod_score", f64(0.1, 0.9, 0.5)),
			col("prod_latency_ms", f64(3.5, 4.0, 12.25)),
		),
		batch(
			col("request_id", str("d", "e")),
			col("user_id", i64(9, 7)),
			col("ts", stamps(arrow.Millisecond, "UTC", t2, nil)),
			col("age", i64(30, 0)),
			col("income", f64(1800.0, 2000.25)),
			col("country", str("FR", "US")),
			col("clicked", i64(1, 0)),
			col("ok", bools(true, true)),
			col("prod_score", f64(0.2, 0.3)),
			col("prod_latency_ms", f64(5.0, 6.0)),
		),
	}
}

func TestProfileOf(t *testing.T) {
	p := profileOf(t, trafficBatches()...)
	if p.Rows != 5 {
		t.Fatalf("rows %d", p.Rows)
	}
	var names []string
	for _, c := range p.Columns {
		names = append(names, c.Name)
	}
	wantNames := []string{"request_id", "user_id", "ts", "age", "income", "country", "clicked", "ok", "prod_score", "prod_latency_ms"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Fatalf("columns %v", names)
	}
	tests := []ColumnProfile{
		{Name: "request_id", ArrowType: "utf8", Kind: KindString, Rows: 5, Distinct: 5, Unique: true,
			Values: []ValueCount{{"a", 1}, {"b", 1}, {"c", 1}, {"d", 1}, {"e", 1}}},
		{Name: "user_id", ArrowType: "int64", Kind: KindInt, Rows: 5, HasRange: true, Min: 7, Max: 9, Integral: true,
			Distinct: 3, Values: []ValueCount{{"7", 3}, {"8", 1}, {"9", 1}}},
		{Name: "ts", ArrowType: "timestamp[ms, tz=UTC]", Kind: KindTimestamp, Rows: 5, Nulls: 1, MinTime: t1, MaxTime: t2},
		{Name: "age", ArrowType: "int64", Kind: KindInt, Rows: 5, Nulls: 1, HasRange: true, Min: 0, Max: 120, Integral: true,
			Distinct: 4, Unique: true, Values: []ValueCount{{"0", 1}, {"120", 1}, {"18", 1}, {"30", 1}}},
		{Name: "income", ArrowType: "float64", Kind: KindFloat, Rows: 5, Nulls: 1, NaNs: 1, HasRange: true, Min: 1000.5, Max: 2500,
			Distinct: 4, Unique: true, Values: []ValueCount{{"1000.5", 1}, {"1800", 1}, {"2000.25", 1}, {"2500", 1}}},
		{Name: "country", ArrowType: "utf8", Kind: KindString, Rows: 5, Distinct: 3,
			Values: []ValueCount{{"US", 3}, {"DE", 1}, {"FR", 1}}},
		{Name: "clicked", ArrowType: "int64", Kind: KindInt, Rows: 5, HasRange: true, Min: 0, Max: 1, Integral: true,
			Distinct: 2, Values: []ValueCount{{"0", 3}, {"1", 2}}},
		{Name: "ok", ArrowType: "bool", Kind: KindBool, Rows: 5, Distinct: 2,
			Values: []ValueCount{{"true", 4}, {"false", 1}}},
		{Name: "prod_score", ArrowType: "float64", Kind: KindFloat, Rows: 5, HasRange: true, Min: 0.1, Max: 0.9,
			Distinct: 5, Unique: true, Values: []ValueCount{{"0.1", 1}, {"0.2", 1}, {"0.3", 1}, {"0.5", 1}, {"0.9", 1}}},
		{Name: "prod_latency_ms", ArrowType: "float64", Kind: KindFloat, Rows: 5, HasRange: true, Min: 3.5, Max: 12.25,
			Distinct: 5, Unique: true, Values: []ValueCount{{"12.25", 1}, {"3.5", 1}, {"4", 1}, {"5", 1}, {"6", 1}}},
	}
	for _, want := range tests {
		got := p.Column(want.Name)
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", want.Name, *got, want)
		}
	}
	if r := p.Column("age").NullRate(); r != 0.2 {
		t.Errorf("age null rate %v", r)
	}
}

func TestProfileEdges(t *testing.T) {
	t.Run("missing, null-typed then typed, int widened to float", func(t *testing.T) {
		p := profileOf(t,
			batch(col("a", i64(1, 2)), col("n", nulls(2))),
			batch(col("b", str("x")), col("n", f32(0.5)), col("a", f64(2.5))),
			batch(col("a", str("oops")), col("n", nulls(1))),
		)
		a, b, n := p.Column("a"), p.Column("b"), p.Column("n")
		want := ColumnProfile{Name: "a", ArrowType: "int64", Kind: KindFloat, Mixed: []string{"utf8"}, Rows: 4,
			HasRange: true, Min: 1, Max: 2.5, Distinct: 3, Unique: true,
			Values: []ValueCount{{"1", 1}, {"2", 1}, {"2.5", 1}}}
		if !reflect.DeepEqual(*a, want) {
			t.Errorf("a:\n got %+v\nwant %+v", *a, want)
		}
		if b.Missing != 3 || b.Rows != 1 || b.NullRate() != 0.75 {
			t.Errorf("b: missing %d rows %d null rate %v", b.Missing, b.Rows, b.NullRate())
		}
		if n.Kind != KindFloat || n.ArrowType != "float32" || n.Rows != 4 || n.Nulls != 3 || n.Min != 0.5 {
			t.Errorf("n: %+v", *n)
		}
	})
	t.Run("distinct cap", func(t *testing.T) {
		vals := make([]any, DistinctCap+1)
		for i := range vals {
			vals[i] = fmt.Sprint("v", i)
		}
		c := profileOf(t, batch(col("s", str(vals...))), batch(col("s", str("v0")))).Column("s")
		if !c.DistinctCapped || c.Distinct != DistinctCap || c.Values != nil || c.Unique {
			t.Errorf("%+v", *c)
		}
	})
	t.Run("infinities, RFC 3339 strings, dictionaries", func(t *testing.T) {
		p := profileOf(t, batch(
			col("f", f64(1.0, math.Inf(1), 2.0, math.Inf(-1))),
			col("t", str("2024-05-01T10:00:00Z", nil, "2024-05-01T12:30:00+01:00", "2024-05-01T11:00:00Z")),
			col("u", str("2024-05-01T10:00:00Z", "soon", nil, nil)),
			col("d", dict("x", "y", nil, "x")),
		))
		if f := p.Column("f"); f.PosInf != 1 || f.NegInf != 1 || f.Min != 1 || f.Max != 2 || !f.Integral {
			t.Errorf("f: %+v", *f)
		}
		if c := p.Column("t"); !c.RFC3339 || !c.MinTime.Equal(t1) || !c.MaxTime.Equal(t2) {
			t.Errorf("t: %+v", *c)
		}
		if c := p.Column("u"); c.RFC3339 {
			t.Errorf("u: %+v", *c)
		}
		if c := p.Column("d"); c.Kind != KindString || c.Nulls != 1 || c.Distinct != 2 || c.Unique ||
			!reflect.DeepEqual(c.Values, []ValueCount{{"x", 2}, {"y", 1}}) {
			t.Errorf("d: %+v", *c)
		}
	})
	t.Run("source error", func(t *testing.T) {
		boom := errors.New("boom")
		if _, err := ProfileOf(&sliceSource{err: boom}); !errors.Is(err, boom) {
			t.Errorf("error %v", err)
		}
	})
}

func TestInfer(t *testing.T) {
	p := profileOf(t, trafficBatches()...)
	roles := GuessRoles(p)
	got := Infer(p, InferOptions{Exclude: roles.Columns()})
	want := &spec.Contract{Features: map[string]spec.FeatureRule{
		// user_id is not unique, so it is not the id: it stays a feature.
		// 7..9: range 2, margin 0.2 → [6.8, 9.2] → [6, 10].
		"user_id": {Type: "int", Min: fp(6), Max: fp(10), MaxNullRate: fp(0)},
		// 0..120: margin 12 → [-12 → 0 (non-negative data), 132]; 1 null in 5 → 0.2 × 1.5 = 0.3.
		"age": {Type: "int", Min: fp(0), Max: fp(132), MaxNullRate: fp(0.3)},
		// 1000.5..2500: range 1499.5, margin 149.95 → [850.55, 2649.95], steps of 10 → [850, 2650].
		"income":  {Type: "float", Min: fp(850), Max: fp(2650), MaxNullRate: fp(0.3)},
		"country": {Type: "string", Values: []string{"DE", "FR", "US"}, MaxUnseenRate: fp(0.001), MaxNullRate: fp(0)},
		"ok":      {Type: "bool", MaxNullRate: fp(0)},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %s\nwant %s", dumpContract(got), dumpContract(want))
	}
}

func TestInferRules(t *testing.T) {
	p := profileOf(t, batch(
		col("prob", f64(0.013, 0.987, 0.5)),
		col("neg", i64(-5, 5, 0)),
		col("const", i64(7, 7, 7)),
		col("zero", i64(0, 0, 0)),
		col("half", f64(2.5, 2.5, 2.5)),
		col("whole", f64(1.0, 3.0, 2.0)),
		col("inf", f64(1.5, math.Inf(1), 2.5)),
		col("many", str("a", "b", "c")),
		col("when", str("2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z", nil)),
		col("void", nulls(3)),
		col("tiny", f64(1e-7, 3e-7, nil)),
		col("candidate_score", f64(0.1, 0.2, 0.3)),
		col(" ", i64(1, 2, 3)),
	))
	got := Infer(p, InferOptions{MaxCategories: 2})
	want := &spec.Contract{Features: map[string]spec.FeatureRule{
		// range 0.974, margin 0.0974 → [-0.0844 → 0, 1.0844], steps of 0.001 → 1.085.
		"prob": {Type: "float", Min: fp(0), Max: fp(1.085), MaxNullRate: fp(0)},
		// range 10, margin 1 → [-6, 6]: negative data keeps its negative bound.
		"neg": {Type: "int", Min: fp(-6), Max: fp(6), MaxNullRate: fp(0)},
		// constant: margin 0.1 × 7 → [6.3, 7.7] → [6, 8].
		"const": {Type: "int", Min: fp(6), Max: fp(8), MaxNullRate: fp(0)},
		"zero":  {Type: "int", Min: fp(0), Max: fp(0), MaxNullRate: fp(0)},
		// constant 2.5: margin 0.25, steps of 0.01 → [2.25, 2.75].
		"half": {Type: "float", Min: fp(2.25), Max: fp(2.75), MaxNullRate: fp(0)},
		// whole numbers round to integers: [0.8, 3.2] → [0, 4].
		"whole": {Type: "float", Min: fp(0), Max: fp(4), MaxNullRate: fp(0)},
		// +Inf seen: no max. Finite range 1.5..2.5 → min 1.4.
		"inf": {Type: "float", Min: fp(1.4), MaxNullRate: fp(0)},
		// 3 values > MaxCategories 2: type only.
		"many": {Type: "string", MaxNullRate: fp(0)},
		// 1 null in 3: 0.333 × 1.5 = 0.5 → 0.5.
		"when": {Type: "timestamp", MaxNullRate: fp(0.5)},
		// range 2e-7, margin 2e-8 → [8e-8, 3.2e-7] in steps of 1e-9.
		"tiny": {Type: "float", Min: fp(8e-8), Max: fp(3.2e-7), MaxNullRate: fp(0.5)},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %s\nwant %s", dumpContract(got), dumpContract(want))
	}

	exact := Infer(p, InferOptions{Margin: -1, MaxCategories: -1})
	if r := exact.Features["prob"]; *r.Min != 0.013 || *r.Max != 0.987 {
		t.Errorf("no margin: prob [%v, %v]", *r.Min, *r.Max)
	}
	if r := exact.Features["many"]; r.Values != nil {
		t.Errorf("MaxCategories -1: values %v", r.Values)
	}
}

func TestInferNullRate(t *testing.T) {
	for _, tc := range []struct{ r, want float64 }{
		{0, 0}, {0.0042, 0.01}, {0.2, 0.3}, {0.123, 0.19}, {0.01, 0.015}, {0.7, 1}, {1, 1}, {1.0 / 3, 0.5},
	} {
		if got := inferNullRate(tc.r); got != tc.want {
			t.Errorf("inferNullRate(%v) = %v, want %v", tc.r, got, tc.want)
		}
	}
}

func dumpContract(c *spec.Contract) string {
	s := ""
	for _, name := range sortedKeys(c.Features) {
		r := c.Features[name]
		s += fmt.Sprintf("\n  %s: type=%s min=%s max=%s null=%s values=%v unseen=%s", name, r.Type,
			pstr(r.Min), pstr(r.Max), pstr(r.MaxNullRate), r.Values, pstr(r.MaxUnseenRate))
	}
	return s
}

func pstr(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

func sortedKeys(m map[string]spec.FeatureRule) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestGuessRoles(t *testing.T) {
	t.Run("typical traffic", func(t *testing.T) {
		p := profileOf(t, trafficBatches()...)
		got := GuessRoles(p)
		want := Roles{
			ID: "request_id", Timestamp: "ts", Label: "clicked", Segments: []string{"country"},
			Score: "prod_score", LatencyMS: "prod_latency_ms",
			Why: map[string]string{
				"id":         "every one of its 5 values is distinct",
				"timestamp":  "the first timestamp column (timestamp[ms, tz=UTC])",
				"label":      "only 0/1 values, named like a label",
				"segments":   "string columns with 2 to 20 distinct values",
				"score":      "a float column within [0.1, 0.9] named like a score",
				"latency_ms": "named like a latency in milliseconds",
			},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
		if cols := got.Columns(); !reflect.DeepEqual(cols, []string{"request_id", "ts", "clicked", "prod_score", "prod_latency_ms"}) {
			t.Errorf("columns %v", cols)
		}
	})
	t.Run("strings, named ints, bools", func(t *testing.T) {
		p := profileOf(t, batch(
			col("name", str("ann", "bob", "cy", "dee")),
			col("userId", i64(1, 2, 3, 4)),
			col("amount", i64(10, 20, 30, 40)),
			col("event_time", str("2024-05-01T10:00:00Z", "2024-05-01T10:00:01Z", "2024-05-01T10:00:02Z", "2024-05-01T10:00:03Z")),
			col("converted", bools(true, false, false, true)),
			col("platform", str("ios", "web", "ios", "web")),
			col("candidate_score", f64(0.1, 0.2, 0.3, 0.4)),
			col("model_pred", f64(0.1, 0.2, 0.3, 1.5)),
			col("latency", f64(1, 2, 3, 4)),
		))
		got := GuessRoles(p)
		if got.ID != "userId" || got.Timestamp != "event_time" || got.Label != "converted" ||
			!reflect.DeepEqual(got.Segments, []string{"platform"}) || got.Score != "" || got.LatencyMS != "" {
			t.Errorf("%+v", got)
		}
		if got.Why["timestamp"] != "its values are RFC 3339 timestamps" || got.Why["label"] != "a bool column, named like a label" {
			t.Errorf("why %v", got.Why)
		}
	})
	t.Run("nothing to guess", func(t *testing.T) {
		got := GuessRoles(profileOf(t, batch(col("x", f64(1.5, 1.5)))))
		if !reflect.DeepEqual(got, Roles{Why: map[string]string{}}) {
			t.Errorf("%+v", got)
		}
	})
}

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"request_id", []string{"request", "id"}},
		{"requestId", []string{"request", "id"}},
		{"event-time.utc", []string{"event", "time", "utc"}},
		{"paid", []string{"paid"}},
		{"HTTPStatus", []string{"httpstatus"}},
		{"user2Id", []string{"user2", "id"}},
	} {
		if got := tokens(tc.name); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("tokens(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestInferEmptyCategory(t *testing.T) {
	p := profileOf(t, batch(
		col("c", str("a", "", "b", "a", nil, "a", "b", "a", "a", "a")),
		col("e", str("", "", nil, "", "", "", "", "", "", "")),
	))
	got := Infer(p, InferOptions{})
	// "" is 1 of 9 non-null values: 0.111 × 1.5 = 0.1667 → 0.17.
	want := map[string]spec.FeatureRule{
		"c": {Type: "string", Values: []string{"a", "b"}, MaxUnseenRate: fp(0.17), MaxNullRate: fp(0.15)},
		"e": {Type: "string", MaxNullRate: fp(0.15)},
	}
	if !reflect.DeepEqual(got.Features, want) {
		t.Errorf("got %s\nwant %s", dumpContract(got), dumpContract(&spec.Contract{Features: want}))
	}
}
