package reports

import (
	"bytes"
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/replaygate/replaygate/checks"
)

func renderTerminal(t *testing.T, r *checks.Result, opts Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Terminal(&b, r, opts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestTerminalGolden(t *testing.T) {
	styles := []struct {
		name string
		opts Options
	}{
		{"terminal", Options{}},
		{"terminal-color", Options{Color: true}},
		{"terminal-verbose", Options{Verbose: true}},
		{"terminal-narrow", Options{Width: 72}},
	}
	for _, v := range variants {
		for _, s := range styles {
			t.Run(v.name+"/"+s.name, func(t *testing.T) {
				got := renderTerminal(t, v.make(), s.opts)
				golden(t, v.name+"."+s.name+".golden", got)
				if !s.opts.Color && bytes.IndexByte(got, 0x1b) >= 0 {
					t.Errorf("escape byte in output without colour")
				}
				if again := renderTerminal(t, v.make(), s.opts); !bytes.Equal(got, again) {
					t.Errorf("two renderings of the same result differ")
				}
			})
		}
	}
}

// hostileResult puts escape sequences, line breaks and invalid UTF-8 into
// every string a renderer prints.
func hostileResult() *checks.Result {
	const bad = "\x1b[2J\x1b]0;title\a\r\nX\x9b31m\xff\u202e"
	r := sampleResult()
	r.Tool = checks.Tool{Name: bad, Version: bad}
	r.Spec = bad
	r.Command = []string{bad}
	r.Inputs[0].Role, r.Inputs[0].Path, r.Inputs[0].SHA256 = bad, bad, bad
	r.Models[0].Role, r.Models[0].Type, r.Models[0].Path, r.Models[0].Details, r.Models[0].Fingerprint = bad, bad, bad, bad, bad
	r.Replay.ErrorClasses = map[string]int64{bad: 3}
	r.Replay.ErrorExamples = []checks.ErrorExample{{Row: bad, Class: bad, Error: bad}}
	for i := range r.Checks {
		o := &r.Checks[i]
		o.Check, o.Name, o.Limit, o.Message = bad, bad, bad, bad
		o.Examples = []string{bad}
		o.Warnings = []string{bad}
	}
	r.Checks = append(r.Checks, checks.Outcome{Check: "x", Name: "y", Status: checks.Status(bad)})
	r.Verdict = checks.Status(bad)
	r.Warnings = []string{bad}
	return r
}

func TestTerminalNoEscapeWithoutColor(t *testing.T) {
	for _, opts := range []Options{{}, {Verbose: true}, {Width: 10}} {
		got := renderTerminal(t, hostileResult(), opts)
		if i := bytes.IndexByte(got, 0x1b); i >= 0 {
			t.Errorf("%+v: escape byte at %d:\n%q", opts, i, got)
		}
		if bytes.ContainsAny(got, "\r\a\u009b\u202e") || !utf8.Valid(got) {
			t.Errorf("%+v: control characters or invalid UTF-8 in the output:\n%q", opts, got)
		}
		if !bytes.Contains(got, []byte(`\x1b[2J`)) {
			t.Errorf("%+v: escape sequence not shown escaped:\n%s", opts, got)
		}
	}
	// With colour, the only escape sequences are the report's own.
	got := renderTerminal(t, hostileResult(), Options{Color: true})
	if !bytes.Contains(got, []byte("\x1b[31mFAIL\x1b[0m")) {
		t.Errorf("no coloured status in:\n%s", got)
	}
	stripped := regexp.MustCompile(`\x1b\[[0-9;]*m`).ReplaceAll(got, nil)
	if bytes.IndexByte(stripped, 0x1b) >= 0 {
		t.Errorf("escape byte other than a colour:\n%q", got)
	}
}

func TestTerminalFitsWidth(t *testing.T) {
	for _, width := range []int{0, 72, 100, 200} {
		got := renderTerminal(t, sampleResult(), Options{Width: width})
		limit := cmp.Or(width, DefaultWidth)
		lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
		// The DETAIL column is cut to fit, but never below minDetail.
		bound := limit
		inTable := false
		for _, line := range lines {
			if i := strings.Index(line, "DETAIL"); strings.HasPrefix(line, "STATUS") && i > 0 {
				inTable, bound = true, max(limit, i+minDetail)
				continue
			}
			if line == "" {
				inTable = false
			}
			if w := displayWidth(line); inTable && w > bound {
				t.Errorf("width %d: table line is %d columns, more than %d: %q", width, w, bound, line)
			}
		}
		if last := lines[len(lines)-1]; displayWidth(last) > limit {
			t.Errorf("width %d: verdict line is %d columns: %q", width, displayWidth(last), last)
		}
		if width == 200 && strings.Contains(string(got), "...") {
			t.Errorf("width %d: details cut although they fit:\n%s", width, got)
		}
	}
	// Verbose never cuts anything.
	got := string(renderTerminal(t, sampleResult(), Options{Verbose: true, Width: 40}))
	for _, o := range sampleResult().Checks {
		if o.Message != "" && !strings.Contains(got, o.Message) {
			t.Errorf("verbose report lacks the message %q", o.Message)
		}
	}
}

func TestTerminalTableOrder(t *testing.T) {
	r := &checks.Result{Verdict: checks.Fail, Checks: []checks.Outcome{
		{Check: "a", Name: "p1", Status: checks.Pass},
		{Check: "a", Name: "s1", Status: checks.Skip},
		{Check: "b", Name: "w1", Status: checks.Warn},
		{Check: "a", Name: "f1", Status: checks.Fail},
		{Check: "b", Name: "e1", Status: checks.Error},
		{Check: "b", Name: "f2", Status: checks.Fail},
		{Check: "a", Name: "w2", Status: checks.Warn},
	}}
	got := renderTerminal(t, r, Options{Verbose: true})
	var names []string
	for line := range strings.Lines(string(got)) {
		if f := strings.Fields(line); len(f) >= 3 && f[0] != "STATUS" && (f[1] == "a" || f[1] == "b") {
			names = append(names, f[2])
		}
	}
	if want := []string{"f1", "f2", "e1", "w1", "w2", "s1", "p1"}; !slices.Equal(names, want) {
		t.Errorf("table order %v, want %v", names, want)
	}
}

func TestTerminalVerdict(t *testing.T) {
	out := func(check, name string, s checks.Status) checks.Outcome {
		return checks.Outcome{Check: check, Name: name, Status: s}
	}
	many := &checks.Result{Verdict: checks.Fail}
	for i := range 30 {
		many.Checks = append(many.Checks, out("segments", fmt.Sprintf("auc[country=C%02d]", i), checks.Fail))
	}
	tests := []struct {
		name string
		r    *checks.Result
		opts Options
		want string
	}{
		{"pass", &checks.Result{Verdict: checks.Pass, Checks: []checks.Outcome{out("a", "x", checks.Pass), out("a", "y", checks.Skip)}}, Options{},
			"PASS  1 passed, 0 warnings, 0 failed, 1 skipped"},
		{"warn", &checks.Result{Verdict: checks.Warn, Checks: []checks.Outcome{out("a", "x", checks.Warn), out("a", "y", checks.Warn)}}, Options{},
			"WARN  0 passed, 2 warnings, 0 failed, 0 skipped"},
		{"errors only", &checks.Result{Verdict: checks.Fail, Checks: []checks.Outcome{out("latency", "p99", checks.Error), out("latency", "p50", checks.Error)}}, Options{},
			"FAIL  2 errors: latency p99, p50"},
		{"fail without a failed rule", &checks.Result{Verdict: checks.Fail, Checks: []checks.Outcome{out("a", "x", checks.Pass), out("a", "y", checks.Error)}}, Options{},
			"FAIL  1 error: a y"},
		{"fail on counts", &checks.Result{Verdict: checks.Fail, Checks: []checks.Outcome{out("a", "x", checks.Pass)}}, Options{},
			"FAIL  1 passed, 0 warnings, 0 failed, 0 skipped"},
		{"pass with an error counted", &checks.Result{Verdict: checks.Pass, Checks: []checks.Outcome{out("a", "x", checks.Error)}}, Options{},
			"PASS  0 passed, 0 warnings, 0 failed, 0 skipped, 1 error"},
		{"too many failures", many, Options{Width: 80},
			"FAIL  30 failed: segments auc[country=C00], auc[country=C01] and 28 more"},
		{"too many failures verbose", many, Options{Width: 80, Verbose: true},
			"FAIL  30 failed: segments auc[country=C00], auc[country=C01], auc[country=C02], auc[country=C03], "},
		{"incomplete", &checks.Result{Verdict: checks.Fail, Incomplete: true}, Options{},
			"INCOMPLETE  the run did not finish; partial results: 0 passed, 0 warnings, 0 failed, 0 skipped"},
		{"no checks", &checks.Result{Verdict: checks.Pass}, Options{},
			"PASS  no checks ran"},
		{"colour", &checks.Result{Verdict: checks.Fail, Checks: []checks.Outcome{out("contract", "age.max", checks.Fail)}}, Options{Color: true},
			"\x1b[1;31mFAIL\x1b[0m  1 failed: contract age.max"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(renderTerminal(t, tt.r, tt.opts))
			lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, tt.want) {
				t.Errorf("verdict line\n  %q\nwant\n  %q", last, tt.want)
			}
			if w := tt.opts.width(); !tt.opts.Verbose && displayWidth(last) > w {
				t.Errorf("verdict line is %d columns, wider than %d", displayWidth(last), w)
			}
		})
	}
}
