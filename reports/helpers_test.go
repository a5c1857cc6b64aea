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
		Plots: samplePlots(),
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

// samplePlots has one plot of every kind the checks produce, and one of a
// kind no renderer knows (a newer writer's), which renderers must pass over.
func samplePlots() []checks.Plot {
	f := checks.F
	quantiles := func(scale float64) []checks.Quantile {
		var q []checks.Quantile
		for _, p := range []float64{0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1} {
			q = append(q, checks.Quantile{P: p, MS: scale * (1 + 10*p*p*p)})
		}
		return q
	}
	return []checks.Plot{
		{Name: "latency", Title: "Latency: candidate against logged production", Kind: checks.PlotLatency,
			Data: checks.LatencyPlot{Candidate: quantiles(2.1), Baseline: quantiles(1.6),
				Gates: []checks.LatencyGate{{Name: "p50", P: 0.5, MS: 5}, {Name: "p99", P: 0.99, MS: 25}}}},
		{Name: "scores", Title: "Score distribution: candidate and production", Kind: checks.PlotScores,
			Data: checks.ScoresPlot{
				Candidate: checks.Histogram{Edges: []float64{0, 0.2, 0.4, 0.6, 0.8, 1}, Counts: []float64{5200, 3100, 1900, 1200, 555}},
				Baseline:  checks.Histogram{Edges: []float64{0, 0.2, 0.4, 0.6, 0.8, 1}, Counts: []float64{5600, 2900, 1800, 1100, 555}}}},
		{Name: "reliability[overall]", Title: "Calibration: observed positive rate against mean predicted score", Kind: checks.PlotReliability,
			Data: map[string]any{"segment": "overall",
				"candidate": []any{
					map[string]any{"lo": 0.0, "hi": 0.1, "mean_predicted": 0.05, "observed_rate": 0.04, "count": 4000.0},
					map[string]any{"lo": 0.1, "hi": 0.5, "mean_predicted": 0.3, "observed_rate": 0.33, "count": 5000.0},
					map[string]any{"lo": 0.5, "hi": 1.0, "mean_predicted": 0.7, "observed_rate": 0.62, "count": 2955.0}},
				"baseline": []any{
					map[string]any{"lo": 0.0, "hi": 0.1, "mean_predicted": 0.06, "observed_rate": 0.04, "count": 4100.0},
					map[string]any{"lo": 0.1, "hi": 0.5, "mean_predicted": 0.28, "observed_rate": 0.33, "count": 4900.0},
					map[string]any{"lo": 0.5, "hi": 1.0, "mean_predicted": 0.74, "observed_rate": 0.62, "count": 2955.0}}}},
		{Name: "segment_deltas[auc]", Title: "AUC change per segment, candidate minus production", Kind: checks.PlotSegmentDeltas,
			Data: checks.SegmentDeltasPlot{Metric: "auc", HigherIsBetter: true, MaxDrop: f(0.01), Segments: []checks.SegmentDelta{
				{Segment: "overall", Delta: 0.0009, CI: []float64{-0.002, 0.0037}, Status: checks.Pass},
				{Segment: "country=DE", Delta: -0.0308, CI: []float64{-0.0512, -0.0104}, Status: checks.Fail},
				{Segment: "country=US", Delta: 0.0014, CI: []float64{-0.0031, 0.006}, Status: checks.Pass},
				{Segment: "country=FR", Delta: 0.0043, CI: []float64{-0.0207, 0.0291}, Status: checks.Pass},
				{Segment: "city=東京", Delta: 0, Status: checks.Skip}}}},
		{Name: "drift", Title: "Most drifted features", Kind: checks.PlotDrift,
			Data: checks.DriftPlot{Features: []checks.DriftBar{
				{Feature: "income", Method: "psi", Distance: 0.1375, Warn: 0.1, Fail: 0.25, Status: checks.Warn},
				{Feature: "country", Method: "linf", Distance: 0.031, Warn: 0.1, Fail: 0.2, Status: checks.Pass},
				{Feature: "age", Method: "psi", Distance: 0.0123, Warn: 0.1, Fail: 0.25, Status: checks.Pass}}}},
		{Name: "feature_hist[income]", Title: "income: reference against traffic", Kind: checks.PlotFeatureHist,
			Data: checks.FeatureHistPlot{Feature: "income", Method: "psi", Distance: 0.1375,
				Reference: checks.Histogram{Edges: []float64{0, 20000, 40000, 60000, 80000, 120000}, Counts: []float64{1200, 3400, 2900, 1500, 1000}},
				Traffic:   checks.Histogram{Edges: []float64{0, 20000, 40000, 60000, 80000, 120000}, Counts: []float64{800, 2600, 3500, 2900, 2200}}}},
		{Name: "feature_hist[country]", Title: "country: reference against traffic", Kind: checks.PlotFeatureHist,
			Data: checks.FeatureHistPlot{Feature: "country", Method: "linf", Distance: 0.031,
				Reference: checks.Histogram{Categories: []string{"US", "DE", "FR", "BR", "(unseen)"}, Counts: []float64{6000, 1900, 800, 250, 0}},
				Traffic:   checks.Histogram{Categories: []string{"US", "DE", "FR", "BR", "(unseen)"}, Counts: []float64{6120, 1840, 733, 212, 10}}}},
		{Name: "skew_psi", Title: "PSI per feature", Kind: "bar",
			Data: map[string]any{"x": []any{"age", "income"}, "y": []any{0.0123, 0.1375}}},
	}
}
