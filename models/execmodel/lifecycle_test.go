package execmodel

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/replaygate/replaygate/errs"
)

// pids are the running processes' ids.
func (m *Model) pids() []int {
	var out []int
	var held []*slot
	for range m.o.Processes {
		s := <-m.pool
		held = append(held, s)
		if s.p != nil {
			out = append(out, s.p.cmd.Process.Pid)
		}
	}
	for _, s := range held {
		m.pool <- s
	}
	return out
}

// checkReaped fails unless every pid is gone: exited and waited for (a
// zombie still answers signal 0).
func checkReaped(t *testing.T, pids []int) {
	t.Helper()
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Fatalf("process %d still exists after Close (kill 0: %v)", pid, err)
		}
	}
}

func TestCloseReapsProcesses(t *testing.T) {
	killGrace = 200 * time.Millisecond
	defer func() { killGrace = 2 * time.Second }()
	for _, c := range []struct{ name, linger, ignoreTerm string }{
		{"exits on EOF", "0", "0"},
		{"exits on SIGTERM", "1", "0"},
		{"needs SIGKILL", "1", "1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := helperModel(t, "echo", map[string]string{"EXECMODEL_LINGER": c.linger, "EXECMODEL_IGNORE_TERM": c.ignoreTerm}, Options{Processes: 3})
			if err := m.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			waitLoaded(t, m)
			pids := m.pids()
			if len(pids) != 3 {
				t.Fatalf("%d processes running, want 3", len(pids))
			}
			for _, pid := range pids {
				if err := syscall.Kill(pid, 0); err != nil {
					t.Fatalf("process %d not running: %v", pid, err)
				}
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			checkReaped(t, pids)
			if err := m.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			_, err := m.Predict(context.Background(), traffic(t, 2, nil))
			if errs.Code(err) != errs.CodeRun {
				t.Fatalf("Predict after Close: %v", err)
			}
		})
	}
}

// waitLoaded waits until every process wrote "model loaded" to stderr,
// which the helper does once its signal handling is set up.
func waitLoaded(t *testing.T, m *Model) {
	t.Helper()
	for range 500 {
		loaded := 0
		var held []*slot
		for range m.o.Processes {
			s := <-m.pool
			held = append(held, s)
			if s.p != nil && len(s.p.stderr.tail(1)) > 0 {
				loaded++
			}
		}
		for _, s := range held {
			m.pool <- s
		}
		if loaded == m.o.Processes {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the model processes did not start")
}

func TestStartErrors(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "serve.py")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		argv []string
		want string
	}{
		{[]string{"replaygate-no-such-model", "--port", "0"}, `command "replaygate-no-such-model" not found`},
		{[]string{filepath.Join(dir, "missing")}, "does not exist"},
		{[]string{script}, "is not executable"},
	}
	for _, c := range cases {
		m, err := New(Options{Command: c.argv, Features: features})
		if err != nil {
			t.Fatal(err)
		}
		err = m.Start(context.Background())
		if errs.Code(err) != errs.CodeRun || errs.HintOf(err) == "" || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%v: Start: %v (code %d, hint %q), want %q", c.argv, err, errs.Code(err), errs.HintOf(err), c.want)
		}
		// Predict starts lazily and fails the same way.
		_, err = m.Predict(context.Background(), traffic(t, 1, nil))
		if errs.Code(err) != errs.CodeRun || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%v: Predict: %v", c.argv, err)
		}
		m.Close()
	}
}

// TestEnvironmentAndDir: the process inherits the environment and runs in
// Options.Dir.
func TestEnvironmentAndDir(t *testing.T) {
	dir := t.TempDir()
	m := helperModel(t, "env", map[string]string{"EXECMODEL_TOKEN": "s3cret"}, Options{Dir: dir})
	sc, err := m.Predict(context.Background(), traffic(t, 1, nil))
	if err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.EvalSymlinks(dir)
	if got := sc.Errors[0]; got != "s3cret "+dir && got != "s3cret "+real {
		t.Fatalf("the model saw %q, want token and %s", got, dir)
	}
}

func TestCancel(t *testing.T) {
	m := helperModel(t, "hang", map[string]string{"EXECMODEL_AFTER": "0"}, Options{Timeout: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	_, err := m.Predict(ctx, traffic(t, 3, nil))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Predict: %v, want context.Canceled", err)
	}
	if st := m.Stats(); st.Timeouts != 0 || st.Crashes != 0 {
		t.Fatalf("stats %+v: a cancelled batch is no failure", st)
	}
	if len(m.pids()) != 0 {
		t.Fatal("the process of the cancelled batch is still running")
	}
}

func TestBind(t *testing.T) {
	schema := traffic(t, 1, nil).Schema()
	cases := []struct {
		o    Options
		want string // "" = binds
	}{
		{Options{}, ""},
		{Options{IDColumn: "request_id"}, ""},
		{Options{Features: []string{"a", "bb"}}, `no column "bb"; closest column: "b"`},
		{Options{Features: []string{"a", "country"}}, `column "country" is utf8, not numeric`},
		{Options{IDColumn: "requestid"}, `no column "requestid"; closest column: "request_id"`},
		{Options{Features: []string{"zzzzzzzz"}}, `traffic has no column "zzzzzzzz"`},
	}
	for _, c := range cases {
		o := c.o
		o.Command = []string{"serve"}
		if o.Features == nil {
			o.Features = features
		}
		m, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		err = m.Bind(schema)
		switch {
		case c.want == "" && err != nil:
			t.Fatalf("%+v: %v", c.o, err)
		case c.want != "" && (errs.Code(err) != errs.CodeInput || !strings.Contains(err.Error(), c.want)):
			t.Fatalf("%+v: %v, want input error %q", c.o, err, c.want)
		}
	}
}

func TestNewValidates(t *testing.T) {
	cases := []struct {
		o    Options
		want string
	}{
		{Options{Features: features}, "no command"},
		{Options{Command: []string{" "}, Features: features}, "no command"},
		{Options{Command: []string{"serve"}}, "no features"},
		{Options{Command: []string{"serve"}, Features: []string{"a", "a"}}, "both"},
		{Options{Command: []string{"serve"}, Features: []string{"a", ""}}, "feature 1 is empty"},
		{Options{Command: []string{"serve"}, Features: features, Batch: -1}, "batch -1"},
		{Options{Command: []string{"serve"}, Features: features, Timeout: -time.Second}, "negative timeout"},
		{Options{Command: []string{"serve"}, Features: features, MaxRestarts: -2}, "max_restarts"},
		{Options{Command: []string{"serve"}, Features: features, Processes: 1000}, "processes 1000"},
	}
	for _, c := range cases {
		_, err := New(c.o)
		if errs.Code(err) != errs.CodeInput || errs.HintOf(err) == "" || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%+v: %v, want input error %q with a hint", c.o, err, c.want)
		}
	}
	m, err := New(Options{Command: []string{"serve"}, Features: features, MaxRestarts: -1})
	if err != nil {
		t.Fatal(err)
	}
	if o := m.Options(); o.MaxRestarts != 0 || o.Timeout != DefaultTimeout || o.Batch != 1 || o.Processes != 1 {
		t.Fatalf("defaults %+v", o)
	}
}

func TestInfo(t *testing.T) {
	mk := func(argv, feats []string) *Model {
		m, err := New(Options{Command: argv, Features: feats})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	a := mk([]string{"python3", "serve.py"}, features).Info()
	if a.Type != "exec" || a.Path != "python3 serve.py" || !strings.HasPrefix(a.Fingerprint, "sha256:") || len(a.Features) != 3 {
		t.Fatalf("info %+v", a)
	}
	same := mk([]string{"python3", "serve.py"}, features).Info()
	for _, other := range []string{
		mk([]string{"python3 serve.py"}, features).Info().Fingerprint,
		mk([]string{"python3", "serve.py"}, []string{"a", "c", "b"}).Info().Fingerprint,
	} {
		if other == a.Fingerprint {
			t.Fatal("different argv or features share a fingerprint")
		}
	}
	if same.Fingerprint != a.Fingerprint {
		t.Fatal("fingerprint is not stable")
	}
}
