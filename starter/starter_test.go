package starter

import (
	"bytes"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/checks/contract"
	"github.com/replaygate/replaygate/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// col is a test column: values of one Go type, nil for null.
type col struct {
	name string
	vals []any
}

// source yields one batch made of cols.
type source struct{ b []arrow.RecordBatch }

func (s *source) Next() (arrow.RecordBatch, error) {
	if len(s.b) == 0 {
		return nil, io.EOF
	}
	b := s.b[0]
	s.b = s.b[1:]
	return b, nil
}

func build(cols ...col) arrow.RecordBatch {
	mem := memory.DefaultAllocator
	var fields []arrow.Field
	var arrs []arrow.Array
	for _, c := range cols {
		var b array.Builder
		for _, v := range c.vals {
			if v != nil {
				switch v.(type) {
				case int:
					b = array.NewInt64Builder(mem)
				case float64:
					b = array.NewFloat64Builder(mem)
				case string:
					b = array.NewStringBuilder(mem)
				case bool:
					b = array.NewBooleanBuilder(mem)
				case time.Time:
					b = array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"})
				}
				break
			}
		}
		for _, v := range c.vals {
			switch v := v.(type) {
			case nil:
				b.AppendNull()
			case int:
				b.(*array.Int64Builder).Append(int64(v))
			case float64:
				b.(*array.Float64Builder).Append(v)
			case string:
				b.(*array.StringBuilder).Append(v)
			case bool:
				b.(*array.BooleanBuilder).Append(v)
			case time.Time:
				b.(*array.TimestampBuilder).Append(arrow.Timestamp(v.UnixMilli()))
			}
		}
		a := b.NewArray()
		fields = append(fields, arrow.Field{Name: c.name, Type: a.DataType(), Nullable: true})
		arrs = append(arrs, a)
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(arrs[0].Len()))
}

func profile(t *testing.T, cols ...col) *contract.Profile {
	t.Helper()
	p, err := contract.ProfileOf(&source{b: []arrow.RecordBatch{build(cols...)}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	t1 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	t2 = time.Date(2024, 5, 1, 11, 30, 0, 0, time.UTC)
)

func trafficProfile(t *testing.T) *contract.Profile {
	return profile(t,
		col{"request_id", []any{"a", "b", "c", "d", "e"}},
		col{"ts", []any{t1, t2, t1, t2, nil}},
		col{"age", []any{18, nil, 120, 30, 0}},
		col{"income", []any{1000.5, math.NaN(), 2500.0, 1800.0, 2000.25}},
		col{"country", []any{"US", "DE", "US", "FR", "US"}},
		col{"platform", []any{"ios", "web", "ios", "web", "web"}},
		col{"clicked", []any{0, 1, 0, 1, 0}},
		col{"prod_score", []any{0.1, 0.9, 0.5, 0.2, 0.3}},
		col{"prod_latency_ms", []any{3.5, 4.0, 12.25, 5.0, 6.0}},
	)
}

func inferred(p *contract.Profile) (contract.Roles, *spec.Contract) {
	roles := contract.GuessRoles(p)
	return roles, contract.Infer(p, contract.InferOptions{Exclude: roles.Columns()})
}

func fp(v float64) *float64 { return &v }

func inputs(t *testing.T) map[string]Input {
	full := trafficProfile(t)
	fullRoles, fullContract := inferred(full)

	bare := profile(t,
		col{"a b", []any{"yes", "1", "", "x: y", "yes"}},
		col{"1st", []any{"#tag", "naïve", "tab\there", "$HOME", "#tag"}},
		col{"score", []any{1.5, 2.5, 3.5, 4.5, 5.5}},
		col{"flag", []any{true, false, nil, true, true}},
		col{"when", []any{"2024-05-01T10:00:00Z", "2024-05-01T10:00:00+02:00", nil, nil, nil}},
	)
	bareRoles, bareContract := inferred(bare)

	return map[string]Input{
		"full": {
			TrafficPath: "data/traffic.parquet", ReferencePath: "data/training.parquet",
			ModelPath: "models/candidate.json", ModelFeatures: []string{"age", "income", "country", "tenure"},
			Profile: full, Roles: fullRoles, Contract: fullContract,
		},
		"no_model": {
			TrafficPath: "traffic.csv", Profile: full, Roles: fullRoles, Contract: fullContract,
		},
		"bare": {
			TrafficPath: "logs/*.jsonl.gz", Profile: bare, Roles: bareRoles, Contract: bareContract,
		},
		"explicit": {
			TrafficPath: "traffic.parquet", ModelPath: "model.json", Profile: full, Roles: fullRoles,
			Contract: &spec.Contract{
				Features: map[string]spec.FeatureRule{
					"age": {Type: "int", Min: fp(0), Max: fp(120), MaxOutOfRange: fp(0.001), Severity: "warn"},
				},
				Output: &spec.OutputRule{Min: fp(-1), Severity: "warn"},
				Freshness: &spec.Freshness{Column: "ts", MaxAge: spec.Duration{Duration: 7 * 24 * time.Hour},
					MaxSpan: spec.Duration{Duration: 90 * time.Minute}, Now: "2024-05-02T00:00:00Z", Severity: "warn"},
			},
		},
	}
}

func TestRenderGolden(t *testing.T) {
	for name, in := range inputs(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, in); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name+".golden.yaml")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("output differs from %s (go test -update rewrites it):\n%s", golden, buf.String())
			}
			var again bytes.Buffer
			if err := Render(&again, in); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
				t.Error("a second render differs")
			}
		})
	}
}

// TestRenderLoads parses every rendered spec strictly and checks that what
// it says is what was rendered.
func TestRenderLoads(t *testing.T) {
	for name, in := range inputs(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, in); err != nil {
				t.Fatal(err)
			}
			s, err := spec.Parse(buf.Bytes(), filepath.Join(t.TempDir(), "replaygate.yaml"))
			if err != nil {
				t.Fatalf("rendered spec does not load: %v\n%s", err, buf.String())
			}
			ro := in.Roles
			if ro.ID != "" && s.Traffic.ID != ro.ID {
				t.Errorf("id %q, want %q", s.Traffic.ID, ro.ID)
			}
			if s.Traffic.Timestamp != ro.Timestamp || s.Traffic.Label != ro.Label {
				t.Errorf("timestamp %q label %q, want %q %q", s.Traffic.Timestamp, s.Traffic.Label, ro.Timestamp, ro.Label)
			}
			if len(ro.Segments) > 0 && !reflect.DeepEqual(s.Traffic.Segments, ro.Segments) {
				t.Errorf("segments %v, want %v", s.Traffic.Segments, ro.Segments)
			}
			if ro.Score != "" && (s.Traffic.Baseline == nil || s.Traffic.Baseline.Score != ro.Score) {
				t.Errorf("baseline %+v, want score %q", s.Traffic.Baseline, ro.Score)
			}
			switch {
			case in.ModelPath != "":
				if m := s.Candidate.Model; m.Type != "xgboost" || filepath.Base(m.Path) != filepath.Base(in.ModelPath) {
					t.Errorf("model %+v", m)
				}
			case ro.Score != "":
				if m := s.Candidate.Model; m.Type != "column" || m.Column != ro.Score {
					t.Errorf("model %+v", m)
				}
			}
			if !reflect.DeepEqual(s.Candidate.Features, in.ModelFeatures) && len(in.ModelFeatures) > 0 {
				t.Errorf("features %v", s.Candidate.Features)
			}
			c := s.Checks.Contract
			if c == nil {
				t.Fatal("no contract")
			}
			if len(c.Features) != len(in.Contract.Features) {
				t.Errorf("%d features, want %d", len(c.Features), len(in.Contract.Features))
			}
			for fname, want := range in.Contract.Features {
				got, ok := c.Features[fname]
				if !ok {
					t.Errorf("feature %q missing", fname)
					continue
				}
				if got.Type != want.Type || !same(got.Min, want.Min) || !same(got.Max, want.Max) ||
					!same(got.MaxNullRate, want.MaxNullRate) || !reflect.DeepEqual(got.Values, want.Values) ||
					(want.MaxUnseenRate != nil && !same(got.MaxUnseenRate, want.MaxUnseenRate)) ||
					(want.MaxOutOfRange != nil && !same(got.MaxOutOfRange, want.MaxOutOfRange)) ||
					(want.Severity != "" && got.Severity != want.Severity) {
					t.Errorf("feature %q: got %+v, want %+v", fname, got, want)
				}
			}
			if c.Output == nil {
				t.Error("no output rule")
			}
			if want := in.Contract.Output; want != nil && (!same(c.Output.Min, want.Min) || !same(c.Output.Max, want.Max)) {
				t.Errorf("output %+v, want %+v", c.Output, want)
			}
			if want := in.Contract.Freshness; want != nil {
				if got := c.Freshness; got == nil || got.Column != want.Column || got.MaxAge != want.MaxAge ||
					got.MaxSpan != want.MaxSpan || got.Now != want.Now || got.Severity != want.Severity {
					t.Errorf("freshness %+v, want %+v", got, want)
				}
			} else if ro.Timestamp != "" {
				if got := c.Freshness; got == nil || got.Column != ro.Timestamp || got.MaxAge.Duration != DefaultMaxAge {
					t.Errorf("freshness %+v", got)
				}
			}
			if s.Reports.Dir != "out" || !reflect.DeepEqual(s.Reports.Formats, []string{"terminal", "json"}) {
				t.Errorf("reports %+v", s.Reports)
			}
			// The contract check accepts what the spec loaded.
			if _, err := contract.New(c, contract.Options{}); err != nil {
				t.Errorf("contract.New: %v", err)
			}
		})
	}
}

func same(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func TestRenderNeedsTraffic(t *testing.T) {
	if err := Render(io.Discard, Input{}); err == nil {
		t.Error("no error without a traffic path")
	}
}

func TestScalar(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"request_id", "request_id"},
		{"data/traffic.parquet", "data/traffic.parquet"},
		{"yes", `"yes"`}, {"Null", `"Null"`}, {"1", `"1"`}, {"", `""`}, {"a b", `"a b"`},
		{"x: y", `"x: y"`}, {"#tag", `"#tag"`}, {"-x", `"-x"`}, {"$HOME", `"$$HOME"`}, {"tab\there", `"tab\there"`},
	} {
		if got := scalar(tc.in); got != tc.want {
			t.Errorf("scalar(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if got := key("$x"); got != `"$x"` {
		t.Errorf("key($x) = %s", got)
	}
}
