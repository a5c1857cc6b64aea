package contract

import (
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/spec"
)

func TestFeatureRules(t *testing.T) {
	inf := math.Inf(1)
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		rules   map[string]spec.FeatureRule
		id      string
		batches []arrow.RecordBatch
		want    []want
	}{
		{
			name:  "min and max broken, ids from the id column",
			rules: map[string]spec.FeatureRule{"age": {Type: "int", Min: fp(0), Max: fp(120)}},
			id:    "id",
			batches: []arrow.RecordBatch{batch(
				col("id", str("a", "b", "c", "d", "e")),
				col("age", i64(5, -1, 999, nil, 120)))},
			want: []want{
				{Name: "age.type", Status: checks.Pass, Limit: "int", Rows: 5, Message: "age is int64"},
				{Name: "age.min", Status: checks.Fail, Value: fp(-1), Limit: ">= 0", Rows: 4,
					Message: "1 of 4 rows (25%) below 0; worst -1", Examples: []string{"b"}},
				{Name: "age.max", Status: checks.Fail, Value: fp(999), Limit: "<= 120", Rows: 4,
					Message: "1 of 4 rows (25%) above 120; worst 999", Examples: []string{"c"}},
			},
		},
		{
			name:    "out-of-range share within the allowed rate",
			rules:   map[string]spec.FeatureRule{"age": {Min: fp(0), Max: fp(120), MaxOutOfRange: fp(0.3)}},
			batches: []arrow.RecordBatch{batch(col("age", i64(5, -1, 999, nil, 120)))},
			want: []want{
				{Name: "age.min", Status: checks.Pass, Value: fp(-1), Limit: ">= 0 (out-of-range share <= 0.3)", Rows: 4,
					Message: "1 of 4 rows (25%) below 0; worst -1; within the allowed 30%"},
				{Name: "age.max", Status: checks.Pass, Value: fp(999), Limit: "<= 120 (out-of-range share <= 0.3)", Rows: 4,
					Message: "1 of 4 rows (25%) above 120; worst 999; within the allowed 30%"},
			},
		},
		{
			name:    "in range",
			rules:   map[string]spec.FeatureRule{"x": {Type: "float", Min: fp(0), Max: fp(10)}},
			batches: []arrow.RecordBatch{batch(col("x", i8(1, 2, nil)))},
			want: []want{
				{Name: "x.type", Status: checks.Pass, Limit: "float", Rows: 3, Message: "x is int8"},
				{Name: "x.min", Status: checks.Pass, Value: fp(1), Limit: ">= 0", Rows: 2, Message: "all 2 non-null rows >= 0; lowest 1"},
				{Name: "x.max", Status: checks.Pass, Value: fp(2), Limit: "<= 10", Rows: 2, Message: "all 2 non-null rows <= 10; highest 2"},
			},
		},
		{
			name:    "NaN counts as null",
			rules:   map[string]spec.FeatureRule{"x": {Type: "float", MaxNullRate: fp(0.25), Max: fp(1.5)}},
			batches: []arrow.RecordBatch{batch(col("x", f64(1.5, math.NaN(), nil, 0.25)))},
			want: []want{
				{Name: "x.type", Status: checks.Pass, Limit: "float", Rows: 4, Message: "x is float64"},
				{Name: "x.max", Status: checks.Pass, Value: fp(1.5), Limit: "<= 1.5", Rows: 2, Message: "all 2 non-null rows <= 1.5; highest 1.5"},
				{Name: "x.null_rate", Status: checks.Fail, Value: fp(0.5), Limit: "<= 0.25", Rows: 4,
					Message: "2 of 4 rows (50%) null (1 NaN)", Examples: []string{"row 1", "row 2"}},
			},
		},
		{
			name:    "no nulls",
			rules:   map[string]spec.FeatureRule{"x": {MaxNullRate: fp(0)}},
			batches: []arrow.RecordBatch{batch(col("x", str("a", "b", "c")))},
			want: []want{
				{Name: "x.null_rate", Status: checks.Pass, Value: fp(0), Limit: "<= 0", Rows: 3, Message: "no nulls in 3 rows"},
			},
		},
		{
			name:    "all-null column",
			rules:   map[string]spec.FeatureRule{"age": {Type: "int", Min: fp(0), MaxNullRate: fp(0.5)}},
			batches: []arrow.RecordBatch{batch(col("age", i64(nil, nil, nil)))},
			want: []want{
				{Name: "age.type", Status: checks.Pass, Limit: "int", Rows: 3, Message: "age is int64"},
				{Name: "age.min", Status: checks.Skip, Limit: ">= 0", Rows: 0, Message: "no rows: every value of age is null"},
				{Name: "age.null_rate", Status: checks.Fail, Value: fp(1), Limit: "<= 0.5", Rows: 3,
					Message: "3 of 3 rows (100%) null", Examples: []string{"row 0", "row 1", "row 2"}},
			},
		},
		{
			name:    "arrow null type fits any type",
			rules:   map[string]spec.FeatureRule{"age": {Type: "int", Max: fp(3), MaxNullRate: fp(1)}},
			batches: []arrow.RecordBatch{batch(col("age", nulls(2)))},
			want: []want{
				{Name: "age.type", Status: checks.Pass, Limit: "int", Rows: 2, Message: "every value of age is null (Arrow type null)"},
				{Name: "age.max", Status: checks.Skip, Limit: "<= 3", Rows: 0, Message: "no rows: every value of age is null"},
				{Name: "age.null_rate", Status: checks.Pass, Value: fp(1), Limit: "<= 1", Rows: 2, Message: "2 of 2 rows (100%) null"},
			},
		},
		{
			name:    "missing column",
			rules:   map[string]spec.FeatureRule{"age": {Type: "int", Min: fp(0), MaxNullRate: fp(0.1)}},
			batches: []arrow.RecordBatch{batch(col("z", i64(1, 2, 3)))},
			want: []want{
				{Name: "age.type", Status: checks.Fail, Limit: "int", Rows: 3, Message: `column "age" is missing from the traffic`},
				{Name: "age.min", Status: checks.Skip, Limit: ">= 0", Rows: 0, Message: `not evaluated: column "age" is missing from the traffic`},
				{Name: "age.null_rate", Status: checks.Skip, Limit: "<= 0.1", Rows: 0, Message: `not evaluated: column "age" is missing from the traffic`},
			},
		},
		{
			name:  "missing from one of two batches",
			rules: map[string]spec.FeatureRule{"age": {Type: "int", MaxNullRate: fp(0)}},
			batches: []arrow.RecordBatch{
				batch(col("age", i64(1, 2))),
				batch(col("z", i64(1, 2, 3)))},
			want: []want{
				{Name: "age.type", Status: checks.Fail, Limit: "int", Rows: 5, Message: `column "age" is missing from 3 of 5 rows (60%)`},
				{Name: "age.null_rate", Status: checks.Skip, Limit: "<= 0", Rows: 2, Message: `not evaluated: column "age" is missing from 3 of 5 rows (60%)`},
			},
		},
		{
			name:    "wrong type",
			rules:   map[string]spec.FeatureRule{"age": {Type: "int", Max: fp(10)}},
			batches: []arrow.RecordBatch{batch(col("age", str("1", "2")))},
			want: []want{
				{Name: "age.type", Status: checks.Fail, Limit: "int", Rows: 2, Message: "age is utf8, want int"},
				{Name: "age.max", Status: checks.Skip, Limit: "<= 10", Rows: 0, Message: "not evaluated: age is utf8, want int"},
			},
		},
		{
			name:  "wrong type in one of two batches",
			rules: map[string]spec.FeatureRule{"age": {Type: "int"}},
			batches: []arrow.RecordBatch{
				batch(col("age", i64(1, 2, 3))),
				batch(col("age", f64(1.5, 2)))},
			want: []want{
				{Name: "age.type", Status: checks.Fail, Limit: "int", Rows: 5, Message: "age is float64 in 2 of 5 rows (40%), want int"},
			},
		},
		{
			name:    "no declared type, min on a string column",
			rules:   map[string]spec.FeatureRule{"age": {Min: fp(0), Severity: "warn"}},
			batches: []arrow.RecordBatch{batch(col("age", str("1", "2")))},
			want: []want{
				{Name: "age.type", Status: checks.Warn, Limit: "int or float", Rows: 2, Message: "age is utf8, min/max need an int or float column"},
				{Name: "age.min", Status: checks.Skip, Limit: ">= 0", Rows: 0, Message: "not evaluated: age is utf8, min/max need an int or float column"},
			},
		},
		{
			name:    "severity warn",
			rules:   map[string]spec.FeatureRule{"n": {Type: "int", Max: fp(10), Severity: "warn"}},
			batches: []arrow.RecordBatch{batch(col("n", i64(11)))},
			want: []want{
				{Name: "n.type", Status: checks.Pass, Limit: "int", Rows: 1, Message: "n is int64"},
				{Name: "n.max", Status: checks.Warn, Value: fp(11), Limit: "<= 10", Rows: 1,
					Message: "1 of 1 rows (100%) above 10; worst 11", Examples: []string{"row 0"}},
			},
		},
		{
			name:    "infinite extremes leave the value unset",
			rules:   map[string]spec.FeatureRule{"x": {Min: fp(-1), Max: fp(10)}},
			batches: []arrow.RecordBatch{batch(col("x", f64(1.0, inf, -inf)))},
			want: []want{
				{Name: "x.min", Status: checks.Fail, Limit: ">= -1", Rows: 3,
					Message: "1 of 3 rows (33.3%) below -1; worst -Inf", Examples: []string{"row 2"}},
				{Name: "x.max", Status: checks.Fail, Limit: "<= 10", Rows: 3,
					Message: "1 of 3 rows (33.3%) above 10; worst +Inf", Examples: []string{"row 1"}},
			},
		},
		{
			name:    "unseen strings",
			rules:   map[string]spec.FeatureRule{"c": {Values: []string{"US", "DE"}, MaxUnseenRate: fp(0.2)}},
			batches: []arrow.RecordBatch{batch(col("c", str("US", "XX", "DE", nil, "YY", "XX")))},
			want: []want{
				{Name: "c.unseen_rate", Status: checks.Fail, Value: fp(0.6), Limit: "<= 0.2", Rows: 5,
					Message:  `3 of 5 non-null rows (60%) not among the 2 allowed values; unseen: "XX", "YY"`,
					Examples: []string{"row 1", "row 4", "row 5"}},
			},
		},
		{
			name:    "unseen large strings",
			rules:   map[string]spec.FeatureRule{"c": {Type: "string", Values: []string{"US", "DE"}, MaxUnseenRate: fp(0.2)}},
			batches: []arrow.RecordBatch{batch(col("c", largeStr("US", "XX", "DE", nil, "YY", "XX")))},
			want: []want{
				{Name: "c.type", Status: checks.Pass, Limit: "string", Rows: 6, Message: "c is large_utf8"},
				{Name: "c.unseen_rate", Status: checks.Fail, Value: fp(0.6), Limit: "<= 0.2", Rows: 5,
					Message:  `3 of 5 non-null rows (60%) not among the 2 allowed values; unseen: "XX", "YY"`,
					Examples: []string{"row 1", "row 4", "row 5"}},
			},
		},
		{
			name:    "unseen dictionary strings",
			rules:   map[string]spec.FeatureRule{"c": {Type: "string", Values: []string{"US", "DE"}, MaxUnseenRate: fp(0.2)}},
			batches: []arrow.RecordBatch{batch(col("c", dict("US", "XX", "DE", nil, "YY", "XX")))},
			want: []want{
				{Name: "c.type", Status: checks.Pass, Limit: "string", Rows: 6, Message: "c is dictionary<values=utf8, indices=int16, ordered=false>"},
				{Name: "c.unseen_rate", Status: checks.Fail, Value: fp(0.6), Limit: "<= 0.2", Rows: 5,
					Message:  `3 of 5 non-null rows (60%) not among the 2 allowed values; unseen: "XX", "YY"`,
					Examples: []string{"row 1", "row 4", "row 5"}},
			},
		},
		{
			name:    "all values seen",
			rules:   map[string]spec.FeatureRule{"c": {Values: []string{"US"}}},
			batches: []arrow.RecordBatch{batch(col("c", dict("US", nil, "US")))},
			want: []want{
				{Name: "c.unseen_rate", Status: checks.Pass, Value: fp(0), Limit: "<= 0", Rows: 2,
					Message: "all 2 non-null rows among the 1 allowed value"},
			},
		},
		{
			name:    "more than five unseen values",
			rules:   map[string]spec.FeatureRule{"c": {Values: []string{"a"}}},
			batches: []arrow.RecordBatch{batch(col("c", str("b", "c", "d", "b", "e", "f", "g")))},
			want: []want{
				{Name: "c.unseen_rate", Status: checks.Fail, Value: fp(1), Limit: "<= 0", Rows: 7,
					Message:  `7 of 7 non-null rows (100%) not among the 1 allowed value; unseen: "b", "c", "d", "e", "f", …`,
					Examples: []string{"row 0", "row 1", "row 2", "row 3", "row 4"}},
			},
		},
		{
			name:    "integers compare in base 10",
			rules:   map[string]spec.FeatureRule{"n": {Type: "int", Values: []string{"1", "2", "07"}}},
			batches: []arrow.RecordBatch{batch(col("n", i64(1, 2, 7, 3)))},
			want: []want{
				{Name: "n.type", Status: checks.Pass, Limit: "int", Rows: 4, Message: "n is int64"},
				{Name: "n.unseen_rate", Status: checks.Fail, Value: fp(0.5), Limit: "<= 0", Rows: 4,
					Message:  `2 of 4 non-null rows (50%) not among the 3 allowed values; unseen: "7", "3"`,
					Examples: []string{"row 2", "row 3"}},
			},
		},
		{
			name:    "uint64 above int64",
			rules:   map[string]spec.FeatureRule{"n": {Values: []string{"18446744073709551615"}}},
			batches: []arrow.RecordBatch{batch(col("n", u64(uint64(math.MaxUint64), uint64(1))))},
			want: []want{
				{Name: "n.unseen_rate", Status: checks.Fail, Value: fp(0.5), Limit: "<= 0", Rows: 2,
					Message:  `1 of 2 non-null rows (50%) not among the 1 allowed value; unseen: "1"`,
					Examples: []string{"row 1"}},
			},
		},
		{
			name:    "bools compare as true/false",
			rules:   map[string]spec.FeatureRule{"b": {Type: "bool", Values: []string{"true"}}},
			batches: []arrow.RecordBatch{batch(col("b", bools(true, false, nil)))},
			want: []want{
				{Name: "b.type", Status: checks.Pass, Limit: "bool", Rows: 3, Message: "b is bool"},
				{Name: "b.unseen_rate", Status: checks.Fail, Value: fp(0.5), Limit: "<= 0", Rows: 2,
					Message:  `1 of 2 non-null rows (50%) not among the 1 allowed value; unseen: "false"`,
					Examples: []string{"row 1"}},
			},
		},
		{
			name: "floats compare in shortest form",
			rules: map[string]spec.FeatureRule{
				"a": {Values: []string{"0.5", "1"}},
				"b": {Values: []string{"0.1"}},
				"c": {Values: []string{"0.5", "1000000"}},
			},
			batches: []arrow.RecordBatch{batch(
				col("a", f64(0.5, 1.0, 2.5)),
				col("b", f32(0.1, 0.1, 0.2)),
				col("c", f16(0.5, 0.5, 0.5)),
			), batch(
				col("a", f64(0.5, 1.0, 0.5)),
				col("b", f32(0.1, 0.1, 0.1)),
				col("c", f64(1e6, 0.5, 1e6)),
			)},
			want: []want{
				{Name: "a.unseen_rate", Status: checks.Fail, Value: fp(1.0 / 6), Limit: "<= 0", Rows: 6,
					Message:  `1 of 6 non-null rows (16.7%) not among the 2 allowed values; unseen: "2.5"`,
					Examples: []string{"row 2"}},
				{Name: "b.unseen_rate", Status: checks.Fail, Value: fp(1.0 / 6), Limit: "<= 0", Rows: 6,
					Message:  `1 of 6 non-null rows (16.7%) not among the 1 allowed value; unseen: "0.2"`,
					Examples: []string{"row 2"}},
				{Name: "c.unseen_rate", Status: checks.Pass, Value: fp(0), Limit: "<= 0", Rows: 6,
					Message: "all 6 non-null rows among the 2 allowed values"},
			},
		},
		{
			name:  "timestamp strings",
			rules: map[string]spec.FeatureRule{"ts": {Type: "timestamp"}, "ok": {Type: "timestamp", MaxNullRate: fp(0.5)}},
			id:    "id",
			batches: []arrow.RecordBatch{batch(
				col("id", i64(10, 11, 12)),
				col("ts", str("2024-05-01T10:00:00Z", "yesterday", nil)),
				col("ok", str("2024-05-01T10:00:00.5+02:00", nil, "2024-05-01T10:00:00Z")),
			)},
			want: []want{
				{Name: "ok.type", Status: checks.Pass, Limit: "timestamp", Rows: 3, Message: "ok is utf8 holding RFC 3339 timestamps"},
				{Name: "ok.null_rate", Status: checks.Pass, Value: fp(1.0 / 3), Limit: "<= 0.5", Rows: 3, Message: "1 of 3 rows (33.3%) null"},
				{Name: "ts.type", Status: checks.Fail, Limit: "timestamp", Rows: 3,
					Message: `1 of 2 values (50%) are not RFC 3339 timestamps; first "yesterday"`, Examples: []string{"11"}},
			},
		},
		{
			name:    "timestamp strings in a dictionary",
			rules:   map[string]spec.FeatureRule{"ts": {Type: "timestamp"}},
			batches: []arrow.RecordBatch{batch(col("ts", dict("2024-05-01T10:00:00Z", "later", "later", nil)))},
			want: []want{
				{Name: "ts.type", Status: checks.Fail, Limit: "timestamp", Rows: 4,
					Message: `2 of 3 values (66.7%) are not RFC 3339 timestamps; first "later"`, Examples: []string{"row 1", "row 2"}},
			},
		},
		{
			name: "arrow timestamps and dates",
			rules: map[string]spec.FeatureRule{
				"a": {Type: "timestamp", MaxNullRate: fp(0)},
				"b": {Type: "timestamp"},
				"c": {Type: "timestamp"},
				"d": {Type: "float"},
			},
			batches: []arrow.RecordBatch{batch(
				col("a", stamps(arrow.Millisecond, "UTC", t0, nil)),
				col("b", dates32(t0, t0)),
				col("c", dates64(t0, t0)),
				col("d", stamps(arrow.Second, "", t0, t0)),
			)},
			want: []want{
				{Name: "a.type", Status: checks.Pass, Limit: "timestamp", Rows: 2, Message: "a is timestamp[ms, tz=UTC]"},
				{Name: "a.null_rate", Status: checks.Fail, Value: fp(0.5), Limit: "<= 0", Rows: 2,
					Message: "1 of 2 rows (50%) null", Examples: []string{"row 1"}},
				{Name: "b.type", Status: checks.Pass, Limit: "timestamp", Rows: 2, Message: "b is date32"},
				{Name: "c.type", Status: checks.Pass, Limit: "timestamp", Rows: 2, Message: "c is date64"},
				{Name: "d.type", Status: checks.Fail, Limit: "float", Rows: 2, Message: "d is timestamp[s], want float"},
			},
		},
		{
			name:  "examples capped at five, in stream order",
			rules: map[string]spec.FeatureRule{"n": {Max: fp(0)}},
			id:    "id",
			batches: []arrow.RecordBatch{
				batch(col("id", str("a", "b", "c")), col("n", i64(1, 0, 2))),
				batch(col("id", str("d", "e", "f", "g")), col("n", i64(3, 4, 5, 6))),
			},
			want: []want{
				{Name: "n.max", Status: checks.Fail, Value: fp(6), Limit: "<= 0", Rows: 7,
					Message: "6 of 7 rows (85.7%) above 0; worst 6", Examples: []string{"a", "c", "d", "e", "f"}},
			},
		},
		{
			name:  "null ids and a missing id column fall back to the row position",
			rules: map[string]spec.FeatureRule{"n": {Max: fp(0)}},
			id:    "id",
			batches: []arrow.RecordBatch{
				batch(col("id", str("a", nil)), col("n", i64(1, 2))),
				batch(col("n", i64(3))),
			},
			want: []want{
				{Name: "n.max", Status: checks.Fail, Value: fp(3), Limit: "<= 0", Rows: 3,
					Message: "3 of 3 rows (100%) above 0; worst 3", Examples: []string{"a", "row 1", "row 2"}},
			},
		},
		{
			name: "zero rows skip",
			rules: map[string]spec.FeatureRule{
				"n": {Type: "int", Min: fp(0), Max: fp(1), MaxNullRate: fp(0)},
				"s": {Values: []string{"a"}},
			},
			batches: []arrow.RecordBatch{batch(col("n", i64()))},
			want: []want{
				{Name: "n.type", Status: checks.Skip, Limit: "int", Message: "no rows"},
				{Name: "n.min", Status: checks.Skip, Limit: ">= 0", Message: "no rows"},
				{Name: "n.max", Status: checks.Skip, Limit: "<= 1", Message: "no rows"},
				{Name: "n.null_rate", Status: checks.Skip, Limit: "<= 0", Message: "no rows"},
				{Name: "s.unseen_rate", Status: checks.Skip, Limit: "<= 0", Message: "no rows"},
			},
		},
		{
			name:    "a rule without checks on a present column yields nothing",
			rules:   map[string]spec.FeatureRule{"n": {}},
			batches: []arrow.RecordBatch{batch(col("n", i64(1)))},
			want:    []want{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(&spec.Contract{Features: tc.rules}, Options{IDColumn: tc.id})
			if err != nil {
				t.Fatal(err)
			}
			compare(t, run(t, c, tc.batches...), tc.want)
		})
	}
}
