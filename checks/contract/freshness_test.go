package contract

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/spec"
)

func TestFreshness(t *testing.T) {
	now := time.Date(2024, 5, 2, 12, 0, 0, 0, time.UTC)
	d1 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	d2 := time.Date(2024, 5, 2, 6, 0, 0, 0, time.UTC)
	fresh := []want{
		{Name: "freshness.max_age", Status: checks.Pass, Value: fp(6), Limit: "<= 24h", Rows: 2,
			Message: "newest ts 2024-05-02T06:00:00Z is 6h old at 2024-05-02T12:00:00Z"},
		{Name: "freshness.max_span", Status: checks.Pass, Value: fp(30), Limit: "<= 48h", Rows: 2,
			Message: "ts spans 30h, from 2024-05-01T00:00:00Z to 2024-05-02T06:00:00Z"},
	}
	both := spec.Freshness{Column: "ts", MaxAge: spec.Duration{Duration: 24 * time.Hour}, MaxSpan: spec.Duration{Duration: 48 * time.Hour}}
	ageOnly := spec.Freshness{Column: "ts", MaxAge: spec.Duration{Duration: 24 * time.Hour}}
	type tcase struct {
		name    string
		rule    spec.Freshness
		batches []arrow.RecordBatch
		want    []want
	}
	var tests []tcase
	for _, unit := range []arrow.TimeUnit{arrow.Second, arrow.Millisecond, arrow.Microsecond, arrow.Nanosecond} {
		for _, tz := range []string{"", "UTC", "America/New_York"} {
			tests = append(tests, tcase{
				name:    "timestamp " + unit.String() + " " + tz,
				rule:    both,
				batches: []arrow.RecordBatch{batch(col("ts", stamps(unit, tz, d1, nil, d2)))},
				want:    fresh,
			})
		}
	}
	tests = append(tests, []tcase{
		{
			name: "extremes across batches, ids",
			rule: both,
			batches: []arrow.RecordBatch{
				batch(col("id", str("a", "b")), col("ts", stamps(arrow.Second, "", d2.Add(-time.Hour), d2))),
				batch(col("id", str("c", "d")), col("ts", stamps(arrow.Second, "", d1, d2))),
			},
			want: []want{
				{Name: "freshness.max_age", Status: checks.Pass, Value: fp(6), Limit: "<= 24h", Rows: 4,
					Message: "newest ts 2024-05-02T06:00:00Z is 6h old at 2024-05-02T12:00:00Z"},
				{Name: "freshness.max_span", Status: checks.Pass, Value: fp(30), Limit: "<= 48h", Rows: 4,
					Message: "ts spans 30h, from 2024-05-01T00:00:00Z to 2024-05-02T06:00:00Z"},
			},
		},
		{
			name: "stale and too wide, with ids",
			rule: spec.Freshness{Column: "ts", MaxAge: spec.Duration{Duration: 24 * time.Hour}, MaxSpan: spec.Duration{Duration: 90 * time.Minute}},
			batches: []arrow.RecordBatch{
				batch(col("id", str("a", "b")), col("ts", stamps(arrow.Second, "", d1.Add(-time.Hour), d1))),
				batch(col("id", str("c", "d")), col("ts", stamps(arrow.Second, "", d1, d1.Add(-2*time.Hour)))),
			},
			want: []want{
				{Name: "freshness.max_age", Status: checks.Fail, Value: fp(36), Limit: "<= 24h", Rows: 4,
					Message: "newest ts 2024-05-01T00:00:00Z is 36h old at 2024-05-02T12:00:00Z", Examples: []string{"b"}},
				{Name: "freshness.max_span", Status: checks.Fail, Value: fp(2), Limit: "<= 90m", Rows: 4,
					Message: "ts spans 2h, from 2024-04-30T22:00:00Z to 2024-05-01T00:00:00Z", Examples: []string{"d", "b"}},
			},
		},
		{
			name:    "RFC 3339 strings, one bad",
			rule:    both,
			batches: []arrow.RecordBatch{batch(col("ts", str("2024-05-01T00:00:00Z", "bad", "2024-05-02T06:00:00+02:00", nil)))},
			want: []want{
				{Name: "freshness.max_age", Status: checks.Pass, Value: fp(8), Limit: "<= 24h", Rows: 2,
					Message:  "newest ts 2024-05-02T04:00:00Z is 8h old at 2024-05-02T12:00:00Z",
					Warnings: []string{`1 value of ts is not an RFC 3339 timestamp and was ignored; first "bad"`}},
				{Name: "freshness.max_span", Status: checks.Pass, Value: fp(28), Limit: "<= 48h", Rows: 2,
					Message:  "ts spans 28h, from 2024-05-01T00:00:00Z to 2024-05-02T04:00:00Z",
					Warnings: []string{`1 value of ts is not an RFC 3339 timestamp and was ignored; first "bad"`}},
			},
		},
		{
			name:    "RFC 3339 strings in a dictionary",
			rule:    ageOnly,
			batches: []arrow.RecordBatch{batch(col("ts", dict("2024-05-01T00:00:00Z", "2024-05-02T06:00:00Z", nil, "2024-05-01T00:00:00Z")))},
			want: []want{
				{Name: "freshness.max_age", Status: checks.Pass, Value: fp(6), Limit: "<= 24h", Rows: 3,
					Message: "newest ts 2024-05-02T06:00:00Z is 6h old at 2024-05-02T12:00:00Z"},
			},
		},
		{
			name:    "no string parses",
			rule:    ageOnly,
			batches: []arrow.RecordBatch{batch(col("ts", largeStr("monday", "tuesday")))},
			want: []want{
				{Name: "freshness.max_age", Status: checks.Fail, Limit: "<= 24h",
					Message: `none of the 2 non-null values of ts is an RFC 3339 timestamp; first "monday"`},
			},
		},
		{
			name:    "date32 and date64",
			rule:    ageOnly,
			batches: []arrow.RecordBatch{batch(col("ts", dates32(d1))), batch(col("ts", dates64(d1.Add(-24*time.Hour))))},
			want: []want{
				{Name: "freshness.max_age", Status: checks.Fail, Value: fp(36), Limit: "<= 24h", Rows: 2,
					Message: "newest ts 2024-05-01T00:00:00Z is 36h old at 2024-05-02T12:00:00Z", Examples: []string{"row 0"}},
			},
		},
		{
			name:    "future timestamps pass",
			rule:    ageOnly,
			batches: []arrow.RecordBatch{batch(col("ts", stamps(arrow.Millisecond, "UTC", now.Add(150*time.Minute))))},
			want: []want{
				{Name: "freshness.max_age", Status: checks.Pass, Value: fp(-2.5), Limit: "<= 24h", Rows: 1,
					Message: "newest ts 2024-05-02T14:30:00Z is 2.5h after 2024-05-02T12:00:00Z"},
			},
		},
		{
			name:    "now from the spec, severity warn",
			rule:    spec.Freshness{Column: "ts", MaxAge: spec.Duration{Duration: time.Hour}, Now: "2024-05-02T08:00:00+02:00", Severity: "warn"},
			batches: []arrow.RecordBatch{batch(col("ts", stamps(arrow.Second, "", d2.Add(-3*time.Hour))))},
			want: []want{
				{Name: "freshness.max_age", Status: checks.Warn, Value: fp(3), Limit: "<= 1h", Rows: 1,
					Message: "newest ts 2024-05-02T03:00:00Z is 3h old at 2024-05-02T06:00:00Z", Examples: []string{"row 0"}},
			},
		},
		{
			name:    "missing column breaks the rules",
			rule:    both,
			batches: []arrow.RecordBatch{batch(col("x", i64(1)))},
			want: []want{
				{Name: "freshness.max_age", Status: checks.Fail, Limit: "<= 24h", Message: `column "ts" is missing from the traffic`},
				{Name: "freshness.max_span", Status: checks.Fail, Limit: "<= 48h", Message: `column "ts" is missing from the traffic`},
			},
		},
		{
			name:    "wrong type breaks the rules",
			rule:    ageOnly,
			batches: []arrow.RecordBatch{batch(col("ts", i64(1)))},
			want: []want{
				{Name: "freshness.max_age", Status: checks.Fail, Limit: "<= 24h", Message: "ts is int64, want a timestamp, date or RFC 3339 string column"},
			},
		},
		{
			name: "missing from part of the rows: a warning",
			rule: ageOnly,
			batches: []arrow.RecordBatch{
				batch(col("ts", stamps(arrow.Second, "", d2))),
				batch(col("x", i64(1, 2, 3))),
			},
			want: []want{
				{Name: "freshness.max_age", Status: checks.Pass, Value: fp(6), Limit: "<= 24h", Rows: 1,
					Message:  "newest ts 2024-05-02T06:00:00Z is 6h old at 2024-05-02T12:00:00Z",
					Warnings: []string{`column "ts" is missing from 3 of 4 rows (75%)`}},
			},
		},
		{
			name:    "all null",
			rule:    ageOnly,
			batches: []arrow.RecordBatch{batch(col("ts", stamps(arrow.Second, "", nil, nil)))},
			want: []want{
				{Name: "freshness.max_age", Status: checks.Skip, Limit: "<= 24h", Message: "no rows: every value of ts is null"},
			},
		},
		{
			name:    "arrow null type",
			rule:    ageOnly,
			batches: []arrow.RecordBatch{batch(col("ts", nulls(3)))},
			want: []want{
				{Name: "freshness.max_age", Status: checks.Skip, Limit: "<= 24h", Message: "no rows: every value of ts is null"},
			},
		},
		{
			name: "zero rows",
			rule: both,
			want: []want{
				{Name: "freshness.max_age", Status: checks.Skip, Limit: "<= 24h", Message: "no rows"},
				{Name: "freshness.max_span", Status: checks.Skip, Limit: "<= 48h", Message: "no rows"},
			},
		},
	}...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rule := tc.rule
			c, err := New(&spec.Contract{Freshness: &rule}, Options{IDColumn: "id", Now: now})
			if err != nil {
				t.Fatal(err)
			}
			compare(t, run(t, c, tc.batches...), tc.want)
		})
	}
}
