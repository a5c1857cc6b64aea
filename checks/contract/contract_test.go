package contract

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/spec"
)

func TestNewRejectsUnusableConfig(t *testing.T) {
	day := spec.Duration{Duration: 24 * time.Hour}
	tests := []struct {
		name string
		cfg  spec.Contract
		want string
	}{
		{"unknown type", spec.Contract{Features: map[string]spec.FeatureRule{"a": {Type: "integer"}}},
			`checks.contract.features.a: unknown type "integer"`},
		{"unknown severity", spec.Contract{Features: map[string]spec.FeatureRule{"a": {Severity: "error"}}},
			`checks.contract.features.a.severity: unknown severity "error"`},
		{"min above max", spec.Contract{Features: map[string]spec.FeatureRule{"a": {Min: fp(5), Max: fp(1)}}},
			"checks.contract.features.a: min 5 is above max 1"},
		{"NaN bound", spec.Contract{Features: map[string]spec.FeatureRule{"a": {Max: fp(math.NaN())}}},
			"checks.contract.features.a.max: NaN is not a finite number"},
		{"rate above 1", spec.Contract{Features: map[string]spec.FeatureRule{"a": {MaxNullRate: fp(1.5)}}},
			"checks.contract.features.a.max_null_rate: 1.5 is not between 0 and 1"},
		{"negative rate", spec.Contract{Features: map[string]spec.FeatureRule{"a": {Max: fp(1), MaxOutOfRange: fp(-0.1)}}},
			"checks.contract.features.a.max_out_of_range_rate: -0.1 is not between 0 and 1"},
		{"out-of-range rate without bounds", spec.Contract{Features: map[string]spec.FeatureRule{"a": {MaxOutOfRange: fp(0.1)}}},
			"checks.contract.features.a: max_out_of_range_rate without min or max"},
		{"min on strings", spec.Contract{Features: map[string]spec.FeatureRule{"a": {Type: "string", Min: fp(0)}}},
			"checks.contract.features.a: min/max apply to int and float columns, not string"},
		{"values on timestamps", spec.Contract{Features: map[string]spec.FeatureRule{"a": {Type: "timestamp", Values: []string{"x"}}}},
			"checks.contract.features.a: values do not apply to timestamp columns"},
		{"unseen rate without values", spec.Contract{Features: map[string]spec.FeatureRule{"a": {MaxUnseenRate: fp(0.1)}}},
			"checks.contract.features.a: max_unseen_rate without values"},
		{"output min above max", spec.Contract{Output: &spec.OutputRule{Min: fp(1), Max: fp(0)}},
			"checks.contract.output: min 1 is above max 0"},
		{"output severity", spec.Contract{Output: &spec.OutputRule{Severity: "WARN"}},
			`checks.contract.output.severity: unknown severity "WARN"`},
		{"freshness without column", spec.Contract{Freshness: &spec.Freshness{MaxAge: day}},
			"checks.contract.freshness: no timestamp column"},
		{"freshness without limits", spec.Contract{Freshness: &spec.Freshness{Column: "ts"}},
			"checks.contract.freshness: nothing to check"},
		{"bad freshness.now", spec.Contract{Freshness: &spec.Freshness{Column: "ts", MaxAge: day, Now: "yesterday"}},
			`checks.contract.freshness.now: "yesterday" is not an RFC 3339 time`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			_, err := New(&cfg, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tc.want {
				t.Errorf("error %q, want %q", err, tc.want)
			}
			if errs.Code(err) != errs.CodeInput {
				t.Errorf("exit code %d, want %d", errs.Code(err), errs.CodeInput)
			}
			if errs.HintOf(err) == "" {
				t.Error("no hint")
			}
		})
	}
}

func TestNilContract(t *testing.T) {
	c, err := New(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "contract" {
		t.Errorf("name %q", c.Name())
	}
	if out := run(t, c, batch(col("x", i64(1)))); len(out) != 0 {
		t.Errorf("outcomes %v", out)
	}
}

// mergeConfig exercises every rule.
func mergeConfig() *spec.Contract {
	return &spec.Contract{
		Features: map[string]spec.FeatureRule{
			"age":     {Type: "int", Min: fp(0), Max: fp(90), MaxNullRate: fp(0.05)},
			"country": {Type: "string", Values: []string{"US", "DE"}, MaxUnseenRate: fp(0.01)},
			"income":  {Type: "float", Min: fp(0), MaxOutOfRange: fp(0.02), MaxNullRate: fp(0.5), Severity: "warn"},
			"flag":    {Type: "bool", Values: []string{"true"}},
			"gone":    {Type: "int", Min: fp(0)},
			"ts":      {Type: "timestamp"},
		},
		Output:    &spec.OutputRule{Min: fp(0), Max: fp(1)},
		Freshness: &spec.Freshness{Column: "ts", MaxAge: spec.Duration{Duration: time.Hour}, MaxSpan: spec.Duration{Duration: time.Hour}},
	}
}

// mergeStream is a deterministic stream with violations of every rule
// spread over several batches.
func mergeStream(withID bool) []arrow.RecordBatch {
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	var out []arrow.RecordBatch
	row := 0
	for b := 0; b < 7; b++ {
		n := 3 + b%4
		var ids, countries, errors []any
		var ages, incomes, scores, flags, stampsV []any
		for i := 0; i < n; i++ {
			r := row + i
			ids = append(ids, "r"+strings.Repeat("x", r%3)+string(rune('a'+r%26)))
			switch {
			case r%11 == 3:
				ages = append(ages, nil)
			case r%7 == 2:
				ages = append(ages, 100+r)
			case r%13 == 5:
				ages = append(ages, -r)
			default:
				ages = append(ages, r%80)
			}
			countries = append(countries, []any{"US", "DE", "FR", nil, "US", "BR", "DE"}[r%7])
			switch r % 9 {
			case 4:
				incomes = append(incomes, math.NaN())
			case 6:
				incomes = append(incomes, -1.5*float64(r))
			default:
				incomes = append(incomes, 1000.5*float64(r%5))
			}
			flags = append(flags, r%5 != 1)
			scores = append(scores, []any{0.5, math.NaN(), 1.5, -0.1, 0.25, math.Inf(1), 0.75, nil}[r%8])
			errors = append(errors, []any{"", nil, "", "", "", "", "timeout", ""}[r%8])
			stampsV = append(stampsV, t0.Add(time.Duration((r*37)%50)*time.Minute))
		}
		cols := []column{
			col("age", i64(ages...)),
			col("country", dict(countries...)),
			col("income", f64(incomes...)),
			col("flag", bools(flags...)),
			col("ts", stamps(arrow.Millisecond, "UTC", stampsV...)),
			col("candidate_score", f64(scores...)),
			col("candidate_error", str(errors...)),
		}
		if withID {
			cols = append(cols, col("id", str(ids...)))
		}
		out = append(out, batch(cols...))
		row += n
	}
	return out
}

// TestMergeEqualsOnePass splits the stream at every batch boundary into
// two and three parts, merges the parts' checks and compares the outcomes
// with one pass over the whole stream.
func TestMergeEqualsOnePass(t *testing.T) {
	now := time.Date(2024, 5, 1, 2, 0, 0, 0, time.UTC)
	for _, withID := range []bool{false, true} {
		stream := mergeStream(withID)
		opts := Options{Now: now}
		if withID {
			opts.IDColumn = "id"
		}
		newCheck := func() *Check {
			c, err := New(mergeConfig(), opts)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		whole := run(t, newCheck(), stream...)
		statuses := map[checks.Status]int{}
		for _, o := range whole {
			statuses[o.Status]++
		}
		if statuses[checks.Fail] == 0 || statuses[checks.Warn] == 0 || statuses[checks.Pass] == 0 || statuses[checks.Skip] == 0 {
			t.Fatalf("the stream should exercise pass, warn, fail and skip: %v", statuses)
		}
		for i := 0; i <= len(stream); i++ {
			for j := i; j <= len(stream); j++ {
				a, b, c := newCheck(), newCheck(), newCheck()
				run(t, a, stream[:i]...)
				run(t, b, stream[i:j]...)
				run(t, c, stream[j:]...)
				if err := b.Merge(c); err != nil {
					t.Fatal(err)
				}
				if err := a.Merge(b); err != nil {
					t.Fatal(err)
				}
				if got := a.Result(); !reflect.DeepEqual(got, whole) {
					for k := range whole {
						if k < len(got) && !reflect.DeepEqual(got[k], whole[k]) {
							t.Errorf("id=%v split %d/%d: %s\n got %s\nwant %s", withID, i, j, whole[k].Name,
								fmtWant(asWant(got[k])), fmtWant(asWant(whole[k])))
						}
					}
					t.FailNow()
				}
			}
		}
	}
}

func TestMergeRejectsOtherChecks(t *testing.T) {
	a, _ := New(mergeConfig(), Options{})
	b, _ := New(&spec.Contract{Features: map[string]spec.FeatureRule{"age": {}}}, Options{})
	if err := a.Merge(b); err == nil {
		t.Error("merged checks of different configurations")
	}
	if err := a.Merge(a); err == nil {
		t.Error("merged a check into itself")
	}
	if err := a.Merge(otherCheck{}); err == nil {
		t.Error("merged a different kind of check")
	}
}

type otherCheck struct{}

func (otherCheck) Name() string                    { return "other" }
func (otherCheck) Observe(arrow.RecordBatch) error { return nil }
func (otherCheck) Merge(checks.Check) error        { return nil }
func (otherCheck) Result() []checks.Outcome        { return nil }

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{checks.Thousands(0), "0"}, {checks.Thousands(999), "999"}, {checks.Thousands(20000), "20,000"}, {checks.Thousands(-1234567), "-1,234,567"},
		{pct(0), "0%"}, {pct(0.0006), "0.06%"}, {pct(0.125), "12.5%"}, {pct(1), "100%"}, {pct(0.00001234), "0.0012%"},
		{pct(3.0 / 7), "42.9%"}, {pct(0.01), "1%"},
		{num(120), "120"}, {num(0.25), "0.25"}, {num(-3.5e-9), "-3.5e-09"}, {num(1e20), "1e+20"}, {num(math.Inf(1)), "+Inf"},
		{dur(24 * time.Hour), "24h"}, {dur(90 * time.Minute), "90m"}, {dur(1500 * time.Millisecond), "1.5s"},
		{hours(90 * time.Minute), "1.5h"}, {hours(30 * time.Hour), "30h"}, {hours(49 * time.Minute), "49m"},
		{hours(300 * time.Hour), "12.5d"}, {hours(1500 * time.Millisecond), "1.5s"},
		{quote(strings.Repeat("é", 30)), `"` + strings.Repeat("é", 20) + `"…`},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
