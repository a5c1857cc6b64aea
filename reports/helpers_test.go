package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/replaygate/replaygate/checks"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

const (
	trafficSHA   = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809"
	labelsSHA    = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
	candidateSHA = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"
	prodSHA      = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
)

// sampleResult is a failing run with every kind of outcome: pass, warn,
// fail, skip and error, examples, baselines with confidence intervals,
// per-rule warnings, replay statistics with error classes, and plots.
func sampleResult() *checks.Result {
	f := checks.F
	return &checks.Result{
		SchemaVersion: checks.SchemaVersion,
		Tool:          checks.Tool{Name: "replaygate", Version: "0.3.0"},
		Verdict:       checks.Fail,
		Spec:          "fixtures/specs/regression.yaml",
		Command:       []string{"replaygate", "run", "--spec", "fixtures/specs/regression.yaml", "--out-dir", "out dir"},
		Inputs: []checks.Input{
			{Role: "traffic", Path: "fixtures/traffic/part-0.parquet", Rows: 12000, SHA256: trafficSHA,
				Schema: []checks.Field{{Name: "request_id", Type: "utf8"}, {Name: "age", Type: "int64"}, {Name: "country", Type: "utf8"}}},
			{Role: "labels", Path: "fixtures/labels.parquet", Rows: 9876, SHA256: labelsSHA},
		},
		Models: []checks.Model{
			{Role: "candidate", Type: "xgboost", Path: "fixtures/models/candidate.json", Fingerprint: candidateSHA, Details: "gbtree, 120 trees, binary:logistic"},
			{Role: "production", Type: "xgboost", Path: "fixtures/models/production.json", Fingerprint: "sha256:" + prodSHA, Details: "gbtree, 80 trees, binary:logistic"},
		},
		Replay: &checks.ReplayStats{
			Rows: 12000, Scored: 11955, Errors: 45, Timeouts: 40,
			DurationS: 2.4137, RowsPerS: 4971.6,
			ErrorClasses: map[string]int64{"timeout": 40, "http_503": 5},
			ErrorExamples: []checks.ErrorExample{
				{Row: "r00031", Class: "timeout", Error: "no answer within 50ms"},
				{Row: "r04410", Class: "http_503", Error: "503 Service Unavailable: model is loading"},
			},
		},
		Checks: []checks.Outcome{
			{Check: "contract", Name: "age.type", Status: checks.Pass, Limit: "int", Rows: 12000},
			{Check: "contract", Name: "age.max", Status: checks.Fail, Value: f(134), Limit: "<= 120", Rows: 12000,
				Message: "3 rows above the maximum", Examples: []string{"r00017", "r00342", "r09121"}},
			{Check: "contract", Name: "age.max_null_rate", Status: checks.Pass, Value: f(0.0021), Limit: "<= 0.01", Rows: 12000},
			{Check: "contract", Name: "country.max_unseen_rate", Status: checks.Warn, Value: f(0.00087), Limit: "<= 0.001", Rows: 12000,
				Message: "unseen values close to the limit: XX, ZZ"},
			{Check: "contract", Name: "output.range", Status: checks.Fail, Value: f(1.7), Limit: "[0, 1]", Rows: 11955,
				Message: "2 candidate scores outside [0, 1]", Examples: []string{"r00500", "r07777"}},
			{Check: "skew", Name: "psi[age]", Status: checks.Pass, Value: f(0.0123), Limit: "warn 0.1, fail 0.25", Rows: 12000},
			{Check: "skew", Name: "psi[income]", Status: checks.Warn, Value: f(0.1375), Limit: "warn 0.1, fail 0.25", Rows: 12000,
				Message: "income shifted towards higher values than in training"},
			{Check: "skew", Name: "linf[country]", Status: checks.Pass, Value: f(0.031), Limit: "warn 0.1, fail 0.2", Rows: 12000},
			{Check: "segments", Name: "auc[country=DE]", Status: checks.Fail, Value: f(0.7123), Baseline: f(0.7431), Delta: f(-0.0308),
				CI: []float64{-0.0512, -0.0104}, Limit: "max_drop 0.01", Rows: 1840,
				Message: "AUC dropped by more than max_drop and the interval excludes zero"},
			{Check: "segments", Name: "auc[country=BR]", Status: checks.Skip, Limit: "min_rows 500", Rows: 212,
				Message: "212 rows, fewer than min_rows 500"},
			{Check: "segments", Name: "auc[city=東京]", Status: checks.Skip, Limit: "min_rows 500", Rows: 87,
				Message: "87 rows, fewer than min_rows 500"},
			{Check: "segments", Name: "auc[country=US]", Status: checks.Pass, Value: f(0.7612), Baseline: f(0.7598), Delta: f(0.0014),
				CI: []float64{-0.0031, 0.006}, Limit: "max_drop 0.01", Rows: 6120},
			{Check: "segments", Name: "auc[country=FR]", Status: checks.Pass, Value: f(0.7344), Baseline: f(0.7301), Delta: f(0.0043),
				CI: []float64{-0.0207, 0.0291}, Limit: "max_drop 0.01", Rows: 733,
				Warnings: []string{"only 41 positive labels; the interval is wide"}},
			{Check: "latency", Name: "p99", Status: checks.Error, Limit: "<= 25ms", Rows: 0,
				Message: "no latency was recorded for any row"},
			{Check: "latency", Name: "p50", Status: checks.Pass, Value: f(3.2), Limit: "<= 5ms", Rows: 11955},
			{Check: "latency", Name: "error_rate", Status: checks.Pass, Value: f(0.00375), Limit: "<= 0.005", Rows: 12000},
		},
		Plots: []checks.Plot{
			{Name: "skew_psi", Title: "PSI per feature", Kind: "bar",
				Data: map[string]any{"x": []any{"age", "income"}, "y": []any{0.0123, 0.1375}}},
		},
		Warnings: []string{
			"traffic: 3 duplicate request ids (first: r01234)",
			"labels: 1,124 of 12,000 rows have no label yet",
		},
	}
}

// passingResult passes with one warning and one skipped rule.
func passingResult() *checks.Result {
	f := checks.F
	return &checks.Result{
		SchemaVersion: checks.SchemaVersion,
		Tool:          checks.Tool{Name: "replaygate", Version: "0.3.0"},
		Verdict:       checks.Pass,
		Spec:          "fixtures/specs/demo.yaml",
		Inputs:        []checks.Input{{Role: "traffic", Path: "fixtures/traffic.csv", Rows: 1, SHA256: trafficSHA}},
		Models:        []checks.Model{{Role: "candidate", Type: "column", Fingerprint: candidateSHA, Details: "column shadow_score"}},
		Replay:        &checks.ReplayStats{Rows: 1500000, Scored: 1500000, DurationS: 75.5, RowsPerS: 19867.5},
		Checks: []checks.Outcome{
			{Check: "contract", Name: "age.max", Status: checks.Pass, Value: f(97), Limit: "<= 120", Rows: 1500000},
			{Check: "contract", Name: "age.min", Status: checks.Pass, Value: f(18), Limit: ">= 0", Rows: 1500000},
			{Check: "skew", Name: "psi[age]", Status: checks.Warn, Value: f(0.1042), Limit: "warn 0.1, fail 0.25", Rows: 1500000},
			{Check: "segments", Name: "auc[country=BR]", Status: checks.Skip, Rows: 0, Message: "no labels"},
			{Check: "latency", Name: "p99", Status: checks.Pass, Value: f(12.75), Limit: "<= 25ms", Rows: 1500000},
		},
	}
}

// incompleteResult is a run that stopped part way.
func incompleteResult() *checks.Result {
	r := sampleResult()
	r.Incomplete = true
	r.Replay = &checks.ReplayStats{Rows: 5000, Scored: 4200, Errors: 800, DurationS: 0.8514, RowsPerS: 5872.7,
		ErrorClasses: map[string]int64{"connection_refused": 800}}
	r.Checks = r.Checks[:3]
	r.Plots = nil
	r.Warnings = []string{"the model server stopped answering after 5,000 rows"}
	return r
}

// emptyResult is a run in which no check ran.
func emptyResult() *checks.Result {
	return &checks.Result{
		SchemaVersion: checks.SchemaVersion,
		Tool:          checks.Tool{Name: "replaygate", Version: "0.3.0"},
		Verdict:       checks.Fail,
		Replay:        &checks.ReplayStats{},
		Warnings:      []string{"no rows were replayed"},
	}
}

var variants = []struct {
	name string
	make func() *checks.Result
}{
	{"full", sampleResult},
	{"passing", passingResult},
	{"incomplete", incompleteResult},
	{"empty", emptyResult},
}
