package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replaygate/replaygate/checks"
)

// The end-to-end tests run the real binary, as CI and users do, and check
// stdout, stderr and the exit code.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "replaygate-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "replaygate")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	return runEnv(t, nil, args...)
}

// runEnv is run with extra environment variables. The test process's own
// $GITHUB_STEP_SUMMARY is never passed on: the binary would append to the
// summary of the CI job running these tests.
func runEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GITHUB_STEP_SUMMARY=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, "NO_COLOR="), env...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %v: %v", args, err)
	}
	r := result{so.String(), se.String(), code}
	if code == 2 || strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") {
		t.Fatalf("replaygate %v panicked (exit %d):\n%s", args, code, r.stderr)
	}
	return r
}

func readResult(t *testing.T, dir string) *checks.Result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatalf("result.json: %v", err)
	}
	var res checks.Result
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("result.json: %v", err)
	}
	return &res
}

func outcome(res *checks.Result, name string) *checks.Outcome {
	for i := range res.Checks {
		if res.Checks[i].Name == name {
			return &res.Checks[i]
		}
	}
	return nil
}

func TestCLI(t *testing.T) {
	e2e := filepath.Join("testdata", "e2e")
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string // substrings stdout must contain
		stderr   []string // substrings stderr must contain
		emptyErr bool     // stderr must be empty
		emptyOut bool     // stdout must be empty
	}{
		{name: "demo passes with a warning", args: []string{"run", "--spec", "fixtures/specs/demo.yaml", "--no-color"},
			code: 0, stdout: []string{"WARN  ", " warnings, 0 failed", "skew.session_length_s", "skew.discount_pct[country=BR]"}, emptyErr: true},
		{name: "demo fails on warnings with --fail-on warn", args: []string{"run", "--spec", "fixtures/specs/demo.yaml", "--fail-on", "warn", "--quiet"},
			code: 1, stderr: []string{"--fail-on warn"}, emptyOut: true},
		{name: "regression fails", args: []string{"run", "--spec", "fixtures/specs/regression.yaml", "--no-color"},
			code: 1, stdout: []string{"FAIL  1 failed: segments auc[country=BR]"}, stderr: []string{"gate failed"}},
		{name: "tiny passes", args: []string{"run", "--spec", e2e + "/tiny.yaml", "--verbose"},
			code: 0, stdout: []string{"x1.max", "output.range", "PASS"}, emptyErr: true},
		{name: "unknown key is a spec error with its line", args: []string{"run", "--spec", e2e + "/unknown_key.yaml"},
			code: 3, stderr: []string{"unknown_key.yaml:13:", "max_nul_rate", "hint:", "max_null_rate"}, emptyOut: true},
		{name: "missing traffic file is named", args: []string{"run", "--spec", e2e + "/missing_traffic.yaml"},
			code: 3, stderr: []string{"does-not-exist.csv"}, emptyOut: true},
		{name: "a model feature logged as text names file and column", args: []string{"run", "--spec", e2e + "/string_feature.yaml"},
			code: 3, stderr: []string{"tiny_string_feature.csv", `"x1"`, "hint:"}, emptyOut: true},
		{name: "a contract column that does not exist points at the spec", args: []string{"validate", "--spec", e2e + "/missing_column.yaml"},
			code: 3, stderr: []string{"missing_column.yaml:13:", `"x3"`, "did you mean"}},
		{name: "zero rows never pass", args: []string{"run", "--spec", e2e + "/empty.yaml", "--no-color"},
			code: 1, stdout: []string{"zero rows"}},
		{name: "validate demo", args: []string{"validate", "--spec", "fixtures/specs/demo.yaml"},
			code: 0, stdout: []string{"ok", "candidate: xgboost"}, emptyErr: true},
		{name: "missing --spec", args: []string{"run"}, code: 3, stderr: []string{"--spec", "hint:"}},
		{name: "unknown flag", args: []string{"run", "--spec", e2e + "/tiny.yaml", "--frobnicate"}, code: 3, stderr: []string{"frobnicate"}},
		{name: "bad --fail-on", args: []string{"run", "--spec", e2e + "/tiny.yaml", "--fail-on", "sometimes"}, code: 3, stderr: []string{"sometimes"}},
		{name: "unknown command", args: []string{"frobnicate"}, code: 3, stderr: []string{"frobnicate"}},
		{name: "stray argument", args: []string{"run", e2e + "/tiny.yaml"}, code: 3, stderr: []string{"--spec"}},
		{name: "help lists exit codes", args: []string{"--help"}, code: 0, stdout: []string{"EXIT CODES", "3  usage"}},
		{name: "run help lists exit codes", args: []string{"run", "--help"}, code: 0, stdout: []string{"EXIT CODES", "--fail-on"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args[0] == "run" || args[0] == "check" {
				args = append(args, "--out-dir", t.TempDir())
			}
			r := run(t, args...)
			if r.code != tc.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, r.stdout, r.stderr)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if tc.emptyErr && r.stderr != "" {
				t.Errorf("stderr should be empty:\n%s", r.stderr)
			}
			if tc.emptyOut && r.stdout != "" {
				t.Errorf("stdout should be empty:\n%s", r.stdout)
			}
			if tc.code != 0 && tc.code != 1 && !strings.HasPrefix(r.stderr, "replaygate: ") {
				t.Errorf("errors must start with \"replaygate: \":\n%s", r.stderr)
			}
		})
	}
}

// Rows in = rows scored + rows errored, in result.json, and errored rows
// fail the run when no error budget allows them.
func TestRowAccounting(t *testing.T) {
	dir := t.TempDir()
	r := run(t, "run", "--spec", "testdata/e2e/shadow.yaml", "--out-dir", dir, "--no-color")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (2 rows without a score)\n%s%s", r.code, r.stdout, r.stderr)
	}
	res := readResult(t, dir)
	rp := res.Replay
	if rp == nil || rp.Rows != 10 || rp.Scored != 8 || rp.Errors != 2 || rp.Rows != rp.Scored+rp.Errors {
		t.Fatalf("replay accounting = %+v, want 10 = 8 + 2", rp)
	}
	if rp.ErrorClasses["missing"] != 2 {
		t.Errorf("error classes = %v, want missing: 2", rp.ErrorClasses)
	}
	o := outcome(res, "replay.errors")
	if o == nil || o.Status != checks.Fail || strings.Join(o.Examples, ",") != "s3,s7" {
		t.Errorf("replay.errors = %+v, want fail with examples s3,s7", o)
	}
	if !strings.Contains(r.stdout, "10 rows in = 8 scored + 2 errored") {
		t.Errorf("terminal report lacks the row accounting:\n%s", r.stdout)
	}
}

// A truncated Parquet file is an input error, not a panic.
func TestTruncatedParquet(t *testing.T) {
	src, err := filepath.Glob("fixtures/traffic/*.parquet")
	if err != nil || len(src) == 0 {
		t.Fatalf("no fixture traffic: %v", err)
	}
	data, err := os.ReadFile(src[0])
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i, cut := range []int{len(data) / 2, len(data) - 10, 100} {
		sub := filepath.Join(dir, strings.Repeat("x", i+1))
		os.MkdirAll(sub, 0o755)
		if err := os.WriteFile(filepath.Join(sub, "traffic.parquet"), data[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		model, _ := filepath.Abs("fixtures/models/candidate.json")
		spec := "version: 1\ntraffic: {path: traffic.parquet, id: request_id}\ncandidate:\n  model: {type: xgboost, path: " + model + "}\n"
		if err := os.WriteFile(filepath.Join(sub, "spec.yaml"), []byte(spec), 0o644); err != nil {
			t.Fatal(err)
		}
		r := run(t, "run", "--spec", filepath.Join(sub, "spec.yaml"), "--out-dir", sub)
		if r.code != 3 || !strings.Contains(r.stderr, "traffic.parquet") {
			t.Errorf("cut at %d: exit %d, want 3 naming the file\n%s", cut, r.code, r.stderr)
		}
	}
}

// replay --out followed by check --scored gives the same outcomes as run,
// whatever format the scored rows were written in.
func TestReplayThenCheck(t *testing.T) {
	dir := t.TempDir()
	runDir := filepath.Join(dir, "run")
	if r := run(t, "run", "--spec", "fixtures/specs/demo.yaml", "--out-dir", runDir, "--quiet"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	a := readResult(t, runDir)
	for _, ext := range []string{".parquet", ".arrow", ".csv", ".jsonl.gz"} {
		t.Run(ext, func(t *testing.T) {
			scored := filepath.Join(dir, "scored"+ext)
			checkDir := filepath.Join(dir, "check"+ext)
			if r := run(t, "replay", "--spec", "fixtures/specs/demo.yaml", "--out", scored, "--quiet"); r.code != 0 {
				t.Fatalf("replay: exit %d\n%s", r.code, r.stderr)
			}
			if r := run(t, "check", "--spec", "fixtures/specs/demo.yaml", "--scored", scored, "--out-dir", checkDir, "--quiet"); r.code != 0 {
				t.Fatalf("check: exit %d\n%s", r.code, r.stderr)
			}
			b := readResult(t, checkDir)
			if b.Replay.Rows != a.Replay.Rows || b.Replay.Errors != a.Replay.Errors {
				t.Errorf("check accounts %+v, run %+v", b.Replay, a.Replay)
			}
			// run also accounts for the production replica; check reads the
			// candidate's columns only.
			var want []checks.Outcome
			for _, o := range a.Checks {
				if o.Name != "replay.production.errors" {
					want = append(want, o)
				}
			}
			if len(want) != len(b.Checks) {
				t.Fatalf("run has %d outcomes, check has %d", len(want), len(b.Checks))
			}
			for i := range want {
				x, y := want[i], b.Checks[i]
				if x.Check == "latency" && x.Name == y.Name {
					continue // timings differ from run to run, and check cannot know the replay's duration
				}
				if x.Name != y.Name || x.Status != y.Status || x.Rows != y.Rows || x.Message != y.Message {
					t.Errorf("outcome %d differs:\nrun:   %+v\ncheck: %+v", i, x, y)
				}
			}
		})
	}
}

// replay refuses what would lose data: traffic that already has the columns
// replay adds, and an --out that is one of its own inputs.
func TestReplayRefusesToClobber(t *testing.T) {
	dir := t.TempDir()
	scored := filepath.Join(dir, "scored.csv")
	if r := run(t, "replay", "--spec", "testdata/e2e/tiny.yaml", "--out", scored, "--quiet"); r.code != 0 {
		t.Fatalf("replay: exit %d\n%s", r.code, r.stderr)
	}
	model, _ := filepath.Abs("testdata/e2e/tiny_model.json")
	spec := filepath.Join(dir, "again.yaml")
	os.WriteFile(spec, []byte("version: 1\ntraffic: {path: scored.csv, id: request_id}\ncandidate:\n  model: {type: xgboost, path: "+model+"}\n"), 0o644)
	r := run(t, "run", "--spec", spec, "--out-dir", dir)
	if r.code != 3 || !strings.Contains(r.stderr, `"candidate_score"`) || !strings.Contains(r.stderr, "check --scored") {
		t.Errorf("traffic with candidate_* columns: exit %d, want 3 naming the column\n%s", r.code, r.stderr)
	}
	own := filepath.Join(dir, "own.yaml")
	os.WriteFile(own, []byte("version: 1\ntraffic: {path: own.csv, id: request_id}\ncandidate:\n  model: {type: xgboost, path: "+model+"}\n"), 0o644)
	tiny, _ := os.ReadFile("testdata/e2e/tiny.csv")
	os.WriteFile(filepath.Join(dir, "own.csv"), tiny, 0o644)
	r = run(t, "replay", "--spec", own, "--out", filepath.Join(dir, "own.csv"))
	if r.code != 3 || !strings.Contains(r.stderr, "overwrite its own input") {
		t.Errorf("--out = input: exit %d, want 3\n%s", r.code, r.stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "own.csv")); !bytes.Equal(after, tiny) {
		t.Errorf("the input was modified")
	}
	if r := run(t, "replay", "--spec", own, "--out", filepath.Join(dir, "x.txt")); r.code != 3 || !strings.Contains(r.stderr, "x.txt") {
		t.Errorf("--out x.txt: exit %d, want 3\n%s", r.code, r.stderr)
	}
}

// An empty log replays to an empty scored file and fails on zero rows.
func TestReplayZeroRows(t *testing.T) {
	out := filepath.Join(t.TempDir(), "scored.parquet")
	r := run(t, "replay", "--spec", "testdata/e2e/empty.yaml", "--out", out, "--no-color")
	if r.code != 1 || !strings.Contains(r.stdout, "zero rows") {
		t.Fatalf("exit %d, want 1 with zero rows\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("no scored file: %v", err)
	}
}

// A bad value past the type-inference prefix of a CSV names file, line and
// column.
func TestCSVBadValueAfterInference(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("request_id,x1,x2\n")
	for i := 0; i < 1500; i++ {
		x1 := fmt.Sprintf("%d.5", i%7)
		if i == 1200 {
			x1 = "n/a-ish"
		}
		fmt.Fprintf(&b, "r%d,%s,0.25\n", i, x1)
	}
	os.WriteFile(filepath.Join(dir, "big.csv"), []byte(b.String()), 0o644)
	model, _ := filepath.Abs("testdata/e2e/tiny_model.json")
	spec := filepath.Join(dir, "spec.yaml")
	os.WriteFile(spec, []byte("version: 1\ntraffic: {path: big.csv, id: request_id}\ncandidate:\n  model: {type: xgboost, path: "+model+"}\n"), 0o644)
	r := run(t, "run", "--spec", spec, "--out-dir", dir)
	if r.code != 3 || !strings.Contains(r.stderr, "big.csv:1202:") || !strings.Contains(r.stderr, `"x1"`) {
		t.Errorf("exit %d, want 3 naming big.csv:1202 and x1\n%s", r.code, r.stderr)
	}
}

// report re-renders a saved result, byte for byte the same each time.
func TestReportIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	summary := filepath.Join(dir, "step-summary.md")
	if r := runEnv(t, []string{"GITHUB_STEP_SUMMARY=" + summary}, "run", "--spec", "fixtures/specs/demo.yaml", "--out-dir", dir, "--quiet"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	res := filepath.Join(dir, "result.json")

	// run wrote every format of the spec, and the charts the Markdown
	// summary links to.
	for _, f := range []string{"junit.xml", "summary.md", "report.html"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("run did not write %s: %v", f, err)
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "summary.md"))
	pngs, _ := filepath.Glob(filepath.Join(dir, "charts", "*.png"))
	if len(pngs) == 0 {
		t.Errorf("no chart written to %s/charts", dir)
	}
	for _, p := range pngs {
		if !bytes.Contains(md, []byte("(charts/"+filepath.Base(p)+")")) {
			t.Errorf("summary.md does not link %s", filepath.Base(p))
		}
	}
	// GitHub's job summary got the same summary, without image links (files
	// of the workspace do not resolve there).
	step, err := os.ReadFile(summary)
	if err != nil || len(step) == 0 || bytes.Contains(step, []byte("](charts/")) {
		t.Errorf("step summary: %v, %d bytes, image links: %v", err, len(step), bytes.Contains(step, []byte("](charts/")))
	}

	// report re-renders each format byte for byte from result.json.
	again := filepath.Join(dir, "again")
	if r := run(t, "report", "--result", res, "--quiet", "--junit", filepath.Join(again, "junit.xml"),
		"--markdown", filepath.Join(again, "summary.md"), "--html", filepath.Join(again, "report.html"),
		"--png-dir", filepath.Join(again, "charts")); r.code != 0 {
		t.Fatalf("report: exit %d\n%s", r.code, r.stderr)
	}
	for _, f := range []string{"junit.xml", "summary.md", "report.html"} {
		x, _ := os.ReadFile(filepath.Join(dir, f))
		y, _ := os.ReadFile(filepath.Join(again, f))
		if !bytes.Equal(x, y) {
			t.Errorf("report re-rendered %s with different bytes", f)
		}
	}
	for _, p := range pngs {
		x, _ := os.ReadFile(p)
		y, _ := os.ReadFile(filepath.Join(again, "charts", filepath.Base(p)))
		if !bytes.Equal(x, y) {
			t.Errorf("chart %s differs when re-rendered", filepath.Base(p))
		}
	}
	if r := run(t, "report", "--result", res, "--step-summary"); r.code != 3 || !strings.Contains(r.stderr, "GITHUB_STEP_SUMMARY") {
		t.Errorf("--step-summary without the variable: exit %d\n%s", r.code, r.stderr)
	}
	a := run(t, "report", "--result", res, "--json", filepath.Join(dir, "a.json"), "--no-color")
	b := run(t, "report", "--result", res, "--json", filepath.Join(dir, "b.json"), "--no-color")
	if a.code != 0 || a.stdout != b.stdout || a.stdout == "" {
		t.Fatalf("report: exit %d, outputs differ or are empty\n%s\n%s", a.code, a.stdout, a.stderr)
	}
	x, _ := os.ReadFile(filepath.Join(dir, "a.json"))
	y, _ := os.ReadFile(filepath.Join(dir, "b.json"))
	z, _ := os.ReadFile(res)
	if !bytes.Equal(x, y) || !bytes.Equal(x, z) {
		t.Errorf("re-rendered JSON differs from result.json")
	}
	if r := run(t, "report", "--result", filepath.Join(dir, "nope.json")); r.code != 3 {
		t.Errorf("missing result: exit %d, want 3", r.code)
	}
}

// init writes a starter spec that validate accepts.
func TestInitThenValidate(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "gate.yaml")
	traffic, _ := filepath.Abs("fixtures/traffic")
	model, _ := filepath.Abs("fixtures/models/candidate.json")
	ref, _ := filepath.Abs("fixtures/training.parquet")
	r := run(t, "init", "--traffic", traffic, "--reference", ref, "--model", model, "--out", out)
	if r.code != 0 {
		t.Fatalf("init: exit %d\n%s", r.code, r.stderr)
	}
	if r := run(t, "validate", "--spec", out); r.code != 0 {
		spec, _ := os.ReadFile(out)
		t.Fatalf("validate of the starter spec: exit %d\n%s\n%s", r.code, r.stderr, spec)
	}
	if r := run(t, "init", "--traffic", traffic, "--out", out); r.code != 3 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("init over an existing file: exit %d, want 3 with a --force hint\n%s", r.code, r.stderr)
	}
}

// Scores logged in a separate file are joined on the request id; a request
// without a score is an errored row, never a silent drop.
func TestJoinedShadowScores(t *testing.T) {
	dir := t.TempDir()
	r := run(t, "run", "--spec", "testdata/e2e/joined.yaml", "--out-dir", dir, "--no-color")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (3 rows without a score)\n%s%s", r.code, r.stdout, r.stderr)
	}
	res := readResult(t, dir)
	if rp := res.Replay; rp.Rows != 40 || rp.Errors != 3 || rp.ErrorClasses["missing"] != 3 {
		t.Fatalf("replay %+v, want 40 rows with 3 missing", rp)
	}
	if o := outcome(res, "replay.errors"); o == nil || strings.Join(o.Examples, ",") != "r005,r017,r030" {
		t.Errorf("replay.errors = %+v", o)
	}
	if len(res.Models) != 1 || !strings.HasPrefix(res.Models[0].Fingerprint, "sha256:") || !strings.Contains(res.Models[0].Details, "joined on") {
		t.Errorf("model fingerprint %+v", res.Models)
	}
}

// A subprocess model answers in JSON Lines; its per-row error is counted
// within the error budget.
func TestExecModel(t *testing.T) {
	dir := t.TempDir()
	r := run(t, "run", "--spec", "testdata/e2e/exec.yaml", "--out-dir", dir, "--no-color")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
	}
	res := readResult(t, dir)
	if rp := res.Replay; rp.Rows != 40 || rp.Errors != 1 || rp.ErrorClasses["model_error"] != 1 {
		t.Fatalf("replay %+v, want 40 rows with one model_error", rp)
	}
	if len(res.Models) != 1 || res.Models[0].Type != "exec" {
		t.Errorf("models %+v", res.Models)
	}
}

// A failed offline/online consistency check leads the report: every other
// offline figure depends on it.
func TestConsistencyFailureComesFirst(t *testing.T) {
	dir := t.TempDir()
	demo, err := os.ReadFile("fixtures/specs/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fx, _ := filepath.Abs("fixtures")
	spec := strings.ReplaceAll(string(demo), "../", fx+"/")
	spec = strings.Replace(spec, "max_mismatch_rate: 0.01}", "max_mismatch_rate: 0.001}", 1)
	os.WriteFile(filepath.Join(dir, "spec.yaml"), []byte(spec), 0o644)
	r := run(t, "run", "--spec", filepath.Join(dir, "spec.yaml"), "--out-dir", dir, "--no-color")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	res := readResult(t, dir)
	if res.Checks[0].Name != "skew.consistency" || res.Checks[0].Status != checks.Fail || !strings.Contains(res.Checks[0].Message, "50 of 20000") {
		t.Errorf("first outcome %+v, want the failed consistency (50 planted rows)", res.Checks[0])
	}
	if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "suspect") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

// A plot that cannot be drawn (here: a result.json edited by hand) is left
// out with a warning; the other charts and reports are still written.
func TestReportSkipsABrokenPlot(t *testing.T) {
	dir := t.TempDir()
	if r := run(t, "run", "--spec", "fixtures/specs/regression.yaml", "--out-dir", dir, "--quiet"); r.code != 1 {
		t.Fatalf("run: exit %d, want 1\n%s", r.code, r.stderr)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	plots, _ := doc["plots"].([]any)
	if len(plots) < 2 {
		t.Fatalf("regression run has %d plots", len(plots))
	}
	broken := plots[0].(map[string]any)
	broken["data"] = map[string]any{"segments": "not a list"}
	raw, _ = json.Marshal(doc)
	edited := filepath.Join(dir, "edited.json")
	if err := os.WriteFile(edited, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	charts := filepath.Join(dir, "again")
	r := run(t, "report", "--result", edited, "--quiet", "--png-dir", charts, "--html", filepath.Join(dir, "again.html"))
	if r.code != 0 || !strings.Contains(r.stderr, "warning: some charts were left out") || !strings.Contains(r.stderr, broken["name"].(string)) {
		t.Fatalf("report: exit %d, want 0 with a warning naming %v\n%s", r.code, broken["name"], r.stderr)
	}
	pngs, _ := filepath.Glob(filepath.Join(charts, "*.png"))
	if len(pngs) != len(plots)-1 {
		t.Errorf("%d charts written, want %d", len(pngs), len(plots)-1)
	}
}
