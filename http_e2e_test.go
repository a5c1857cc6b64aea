package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/models/xgboost"
	"github.com/replaygate/replaygate/traffic"
)

// mlflowServer serves the fixture candidate model over MLflow's scoring
// protocol (POST /invocations with dataframe_split), after sleeping delay.
func mlflowServer(t *testing.T, delay time.Duration) (*httptest.Server, []string) {
	t.Helper()
	b, err := xgboost.LoadFile("fixtures/models/candidate.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ping" {
			return
		}
		var req struct {
			Split struct {
				Columns []string     `json:"columns"`
				Data    [][]*float64 `json:"data"`
			} `json:"dataframe_split"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error": "bad request"}`, http.StatusBadRequest)
			return
		}
		time.Sleep(delay)
		nf := b.NumFeatures()
		x := make([]float64, 0, len(req.Split.Data)*nf)
		for _, row := range req.Split.Data {
			for _, v := range row {
				if v == nil {
					x = append(x, math.NaN())
				} else {
					x = append(x, *v)
				}
			}
		}
		out := make([]float64, len(req.Split.Data))
		b.PredictDense(x, len(req.Split.Data), out)
		json.NewEncoder(w).Encode(map[string]any{"predictions": out})
	}))
	t.Cleanup(srv.Close)
	return srv, b.FeatureNames()
}

func writeHTTPSpec(t *testing.T, dir, url string, features []string, extra string) string {
	t.Helper()
	tr, _ := filepath.Abs("fixtures/traffic/part-2026-11-01.parquet")
	spec := "version: 1\n" +
		"traffic: {path: " + tr + ", id: request_id, timestamp: ts, baseline: {latency_ms: prod_latency_ms}}\n" +
		"candidate:\n  model: {type: http, protocol: mlflow, url: " + url + "/invocations, batch: 64, concurrency: 4}\n" +
		"  features: [" + strings.Join(features, ", ") + "]\n" + extra
	path := filepath.Join(dir, "http.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func scores(t *testing.T, path string) []float64 {
	t.Helper()
	rd, err := traffic.Open(context.Background(), path, traffic.Options{Columns: []string{"candidate_score"}})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var out []float64
	for {
		b, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		c := b.Column(0).(*array.Float64)
		for i := 0; i < c.Len(); i++ {
			out = append(out, c.Value(i))
		}
		b.Release()
	}
	return out
}

// A model served over HTTP scores exactly what the in-process evaluator
// scores on the same rows.
func TestHTTPModelMatchesInProcess(t *testing.T) {
	dir := t.TempDir()
	srv, features := mlflowServer(t, 0)
	spec := writeHTTPSpec(t, dir, srv.URL, features, "")
	if r := run(t, "replay", "--spec", spec, "--out", filepath.Join(dir, "http.parquet"), "--quiet"); r.code != 0 {
		t.Fatalf("http replay: exit %d\n%s", r.code, r.stderr)
	}
	tr, _ := filepath.Abs("fixtures/traffic/part-2026-11-01.parquet")
	model, _ := filepath.Abs("fixtures/models/candidate.json")
	local := filepath.Join(dir, "local.yaml")
	os.WriteFile(local, []byte("version: 1\ntraffic: {path: "+tr+", id: request_id}\ncandidate:\n  model: {type: xgboost, path: "+model+"}\n"), 0o644)
	if r := run(t, "replay", "--spec", local, "--out", filepath.Join(dir, "local.parquet"), "--quiet"); r.code != 0 {
		t.Fatalf("local replay: exit %d\n%s", r.code, r.stderr)
	}
	a, b := scores(t, filepath.Join(dir, "http.parquet")), scores(t, filepath.Join(dir, "local.parquet"))
	if len(a) != 5833 || len(a) != len(b) {
		t.Fatalf("%d http scores, %d local", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("row %d: http %v, in-process %v", i, a[i], b[i])
		}
	}
}

// A server slower than the p99 gate fails the run; an unreachable one is
// exit 4 before any row is sent.
func TestHTTPLatencyGateAndUnreachable(t *testing.T) {
	dir := t.TempDir()
	srv, features := mlflowServer(t, 30*time.Millisecond)
	spec := writeHTTPSpec(t, dir, srv.URL, features, "replay: {sample: 0.05, seed: 1}\nchecks:\n  latency: {p99: 25ms}\n")
	r := run(t, "run", "--spec", spec, "--out-dir", dir, "--no-color")
	if r.code != 1 || !strings.Contains(r.stdout, "latency.p99") {
		t.Errorf("slow server: exit %d, want 1 failing latency.p99\n%s%s", r.code, r.stdout, r.stderr)
	}
	dead := writeHTTPSpec(t, t.TempDir(), "http://127.0.0.1:1", features, "")
	r = run(t, "run", "--spec", dead, "--out-dir", dir)
	if r.code != 4 || !strings.Contains(r.stderr, "127.0.0.1:1") {
		t.Errorf("unreachable server: exit %d, want 4 naming it\n%s", r.code, r.stderr)
	}
}

// In rate mode every request is sent on schedule and its latency includes
// the server's injected 3 ms.
func TestHTTPRateMode(t *testing.T) {
	dir := t.TempDir()
	srv, features := mlflowServer(t, 3*time.Millisecond)
	spec := writeHTTPSpec(t, dir, srv.URL, features, "replay: {mode: rate, rate: 300, sample: 0.05, seed: 1, realtime: true}\nchecks:\n  latency: {p99: 500ms}\n")
	spec2 := strings.Replace(mustRead(t, spec), "batch: 64", "batch: 1", 1)
	os.WriteFile(spec, []byte(spec2), 0o644)
	r := run(t, "run", "--spec", spec, "--out-dir", dir, "--no-color")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	res := readResult(t, dir)
	if res.Replay.Mode != "rate" || res.Replay.Requests != res.Replay.Rows || res.Replay.Rows < 200 {
		t.Fatalf("replay %+v: want one request per row in rate mode", res.Replay)
	}
	p50 := outcome(res, "latency.p50")
	if p50 == nil || p50.Value == nil || *p50.Value < 3 || *p50.Value > 20 {
		t.Errorf("latency.p50 = %+v, want the injected 3 ms (+ noise)", p50)
	}
	if res.Replay.DurationS < 0.6 {
		t.Errorf("%d rows at 300 rows/s took %.2f s: not paced", res.Replay.Rows, res.Replay.DurationS)
	}
	// realtime: true is granted to root (and CAP_SYS_NICE, ulimit -r);
	// refused, the run goes on and says how to get it.
	pace := outcome(res, "replay.pace")
	switch rt := res.Replay.Realtime; {
	case runtime.GOOS != "linux":
		if !strings.HasPrefix(rt, "not applied: ") || !strings.Contains(r.stdout, "replay.realtime: not applied") {
			t.Errorf("realtime %q off Linux; stdout:\n%s", rt, r.stdout)
		}
	case rt == "on":
		if pace == nil || !strings.Contains(pace.Message, "real-time priority") || strings.Contains(r.stdout, "replay.realtime") {
			t.Errorf("realtime on, but replay.pace says %+v; stdout:\n%s", pace, r.stdout)
		}
	case strings.HasPrefix(rt, "refused: "):
		if !strings.Contains(r.stdout, "replay.realtime: refused") || !strings.Contains(r.stdout, "setcap cap_sys_nice+ep") {
			t.Errorf("realtime refused without a warning and a hint; stdout:\n%s", r.stdout)
		}
	default:
		t.Errorf("replay.realtime = %q, want on or refused", rt)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Ctrl-C stops sending, writes the reports marked incomplete, and exits 4.
func TestInterruptWritesIncompleteReports(t *testing.T) {
	dir := t.TempDir()
	srv, features := mlflowServer(t, time.Millisecond)
	spec := writeHTTPSpec(t, dir, srv.URL, features, "replay: {mode: rate, rate: 200}\n")
	cmd := exec.Command(binary, "run", "--spec", spec, "--out-dir", dir, "--no-color")
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond) // start-up, readiness probe, then ~1 s of sends
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 4 {
		t.Fatalf("exit %v, want 4\n%s%s", err, so.String(), se.String())
	}
	res := readResult(t, dir)
	if !res.Incomplete || res.Verdict != checks.Fail || res.Replay.Rows == 0 || res.Replay.Rows >= 5833 {
		t.Errorf("result: incomplete %v, verdict %s, rows %d: want an incomplete partial result", res.Incomplete, res.Verdict, res.Replay.Rows)
	}
	if res.Replay.Rows != res.Replay.Scored+res.Replay.Errors {
		t.Errorf("rows %d != scored %d + errors %d", res.Replay.Rows, res.Replay.Scored, res.Replay.Errors)
	}
	if !strings.Contains(so.String(), "INCOMPLETE") || !strings.Contains(se.String(), "interrupted after") {
		t.Errorf("stdout/stderr should say the run is incomplete:\n%s\n%s", so.String(), se.String())
	}
}

// Late labels from a separate file are joined on the request id; rows
// without one are counted, and a duplicate id is an input error.
func TestLateLabelsJoin(t *testing.T) {
	dir := t.TempDir()
	rd, err := traffic.Open(context.Background(), "fixtures/traffic/*.parquet", traffic.Options{Columns: []string{"request_id", "clicked"}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("request_id,clicked\n")
	n, first := 0, ""
	for {
		bt, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ids, lab := bt.Column(0), bt.Column(1)
		for i := 0; i < ids.Len(); i++ {
			if n%2 == 0 && lab.IsValid(i) {
				b.WriteString(ids.ValueStr(i) + "," + lab.ValueStr(i) + "\n")
				if first == "" {
					first = ids.ValueStr(i)
				}
			}
			n++
		}
		bt.Release()
	}
	rd.Close()
	os.WriteFile(filepath.Join(dir, "labels.csv"), []byte(b.String()), 0o644)
	tr, _ := filepath.Abs("fixtures/traffic")
	model, _ := filepath.Abs("fixtures/models/candidate.json")
	spec := "version: 1\ntraffic: {path: " + tr + ", id: request_id, label: clicked, baseline: {score: prod_score}}\n" +
		"labels: {path: labels.csv}\ncandidate:\n  model: {type: xgboost, path: " + model + "}\n" +
		"checks:\n  segments: {by: [platform], metrics: [auc]}\n"
	os.WriteFile(filepath.Join(dir, "spec.yaml"), []byte(spec), 0o644)
	r := run(t, "run", "--spec", filepath.Join(dir, "spec.yaml"), "--out-dir", dir, "--no-color")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	res := readResult(t, dir)
	o := outcome(res, "auc[overall]")
	if o == nil || o.Rows < 8000 || o.Rows > 9000 {
		t.Errorf("auc[overall] rows = %+v, want about half of the 17,155 labelled rows", o)
	}
	if len(res.Warnings) == 0 || !strings.Contains(strings.Join(res.Warnings, "\n"), "of 20000 rows found a label") {
		t.Errorf("warnings %q should count the rows without a label", res.Warnings)
	}
	os.WriteFile(filepath.Join(dir, "labels.csv"), []byte(b.String()+first+",1\n"), 0o644)
	if r := run(t, "run", "--spec", filepath.Join(dir, "spec.yaml"), "--out-dir", dir); r.code != 3 || !strings.Contains(r.stderr, first) {
		t.Errorf("duplicate label id: exit %d, want 3 naming it\n%s", r.code, r.stderr)
	}
}
