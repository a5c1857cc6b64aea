package contract

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/spec"
)

func TestOutputRules(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name    string
		rule    spec.OutputRule
		opts    Options
		batches []arrow.RecordBatch
		want    []want
	}{
		{
			name: "non-finite, out of range and errored rows",
			rule: spec.OutputRule{Min: fp(0), Max: fp(1)},
			batches: []arrow.RecordBatch{batch(
				col("candidate_score", f64(0.5, nan, inf, 1.5, -0.2, 0.7, nil, 0.9)),
				col("candidate_error", str("", "", nil, "", "", "timeout", "", nil)),
			)},
			want: []want{
				{Name: "output.finite", Status: checks.Fail, Value: fp(3.0 / 7), Limit: "finite", Rows: 7,
					Message:  "3 of 7 scored rows (42.9%) not finite: 1 NaN, 1 +Inf, 1 null; 1 row with a candidate_error not checked",
					Examples: []string{"row 1", "row 2", "row 6"}},
				{Name: "output.range", Status: checks.Fail, Value: fp(0.5), Limit: "[0, 1]", Rows: 4,
					Message:  "2 of 4 scored rows (50%) outside [0, 1]; scores span [-0.2, 1.5]; 1 row with a candidate_error not checked",
					Examples: []string{"row 3", "row 4"}},
			},
		},
		{
			name:    "all good, no error column",
			rule:    spec.OutputRule{Min: fp(0), Max: fp(1)},
			batches: []arrow.RecordBatch{batch(col("candidate_score", f64(0.1, 0.9)))},
			want: []want{
				{Name: "output.finite", Status: checks.Pass, Value: fp(0), Limit: "finite", Rows: 2, Message: "all 2 scored rows finite"},
				{Name: "output.range", Status: checks.Pass, Value: fp(0), Limit: "[0, 1]", Rows: 2,
					Message: "all 2 finite scores within [0, 1]; scores span [0.1, 0.9]"},
			},
		},
		{
			name:    "no bounds: only finite",
			rule:    spec.OutputRule{Severity: "warn"},
			batches: []arrow.RecordBatch{batch(col("candidate_score", f64(-inf, 2.0)))},
			want: []want{
				{Name: "output.finite", Status: checks.Warn, Value: fp(0.5), Limit: "finite", Rows: 2,
					Message: "1 of 2 scored rows (50%) not finite: 1 -Inf", Examples: []string{"row 0"}},
			},
		},
		{
			name: "min only, warn, float32 scores, custom columns and ids",
			rule: spec.OutputRule{Min: fp(0), Severity: "warn"},
			opts: Options{IDColumn: "rid", ScoreColumn: "s", ErrorColumn: "e"},
			batches: []arrow.RecordBatch{batch(
				col("rid", str("x", "y", "z")),
				col("s", f32(0.5, -0.25, -1.0)),
				col("e", largeStr(nil, "", "boom")),
			)},
			want: []want{
				{Name: "output.finite", Status: checks.Pass, Value: fp(0), Limit: "finite", Rows: 2,
					Message: "all 2 scored rows finite; 1 row with a e not checked"},
				{Name: "output.range", Status: checks.Warn, Value: fp(0.5), Limit: ">= 0", Rows: 2,
					Message:  "1 of 2 scored rows (50%) below 0; scores span [-0.25, 0.5]; 1 row with a e not checked",
					Examples: []string{"y"}},
			},
		},
		{
			name: "every row errored",
			rule: spec.OutputRule{Max: fp(1)},
			batches: []arrow.RecordBatch{batch(
				col("candidate_score", f64(nil, nil)),
				col("candidate_error", str("timeout", "http 500")),
			)},
			want: []want{
				{Name: "output.finite", Status: checks.Skip, Limit: "finite", Message: "no rows: all 2 rows have a candidate_error"},
				{Name: "output.range", Status: checks.Skip, Limit: "<= 1", Message: "no rows: all 2 rows have a candidate_error"},
			},
		},
		{
			name:    "no finite score",
			rule:    spec.OutputRule{Max: fp(1)},
			batches: []arrow.RecordBatch{batch(col("candidate_score", f64(nan)))},
			want: []want{
				{Name: "output.finite", Status: checks.Fail, Value: fp(1), Limit: "finite", Rows: 1,
					Message: "1 of 1 scored rows (100%) not finite: 1 NaN", Examples: []string{"row 0"}},
				{Name: "output.range", Status: checks.Skip, Limit: "<= 1", Message: "no rows: no scored row has a finite score"},
			},
		},
		{
			name:    "no score column",
			rule:    spec.OutputRule{Max: fp(1)},
			batches: []arrow.RecordBatch{batch(col("x", f64(1)))},
			want: []want{
				{Name: "output.finite", Status: checks.Skip, Limit: "finite", Message: "no rows: no candidate_score column in the scored rows"},
				{Name: "output.range", Status: checks.Skip, Limit: "<= 1", Message: "no rows: no candidate_score column in the scored rows"},
			},
		},
		{
			name:    "score column of the wrong type",
			rule:    spec.OutputRule{Max: fp(1)},
			batches: []arrow.RecordBatch{batch(col("candidate_score", str("0.5")))},
			want: []want{
				{Name: "output.finite", Status: checks.Error, Limit: "finite", Message: "candidate_score is utf8, want float64"},
				{Name: "output.range", Status: checks.Error, Limit: "<= 1", Message: "candidate_score is utf8, want float64"},
			},
		},
		{
			name: "zero rows",
			rule: spec.OutputRule{Min: fp(0)},
			want: []want{
				{Name: "output.finite", Status: checks.Skip, Limit: "finite", Message: "no rows"},
				{Name: "output.range", Status: checks.Skip, Limit: ">= 0", Message: "no rows"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rule := tc.rule
			c, err := New(&spec.Contract{Output: &rule}, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, run(t, c, tc.batches...), tc.want)
		})
	}
}
