package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

func renderJUnit(t *testing.T, r *checks.Result) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := JUnit(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// junitSchemas are the published JUnit schemas under testdata/junit/ that
// every JUnit report must validate against.
func junitSchemas(t *testing.T) []string {
	t.Helper()
	xsds, err := filepath.Glob(filepath.Join("testdata", "junit", "*.xsd"))
	if err != nil || len(xsds) == 0 {
		t.Fatalf("no schema under testdata/junit/ (%v)", err)
	}
	return xsds
}

// validateJUnit runs xmllint on doc against every schema. Without xmllint
// the test is skipped, unless CI is set: CI must check the schema.
func validateJUnit(t *testing.T, doc []byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("xmllint is not installed, and CI must validate the JUnit report against its schema (apt-get install libxml2-utils)")
		}
		t.Skip("xmllint is not installed: the JUnit report is not validated against its schema (apt-get install libxml2-utils)")
	}
	file := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, xsd := range junitSchemas(t) {
		out, err := exec.Command(xmllint, "--noout", "--schema", xsd, file).CombinedOutput()
		if err != nil {
			t.Errorf("the report does not validate against %s: %v\n%s", xsd, err, out)
		}
	}
}

func TestJUnitGolden(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			got := renderJUnit(t, v.make())
			golden(t, v.name+".junit.golden", got)
			if again := renderJUnit(t, v.make()); !bytes.Equal(got, again) {
				t.Errorf("two renderings of the same result differ")
			}
			validateJUnit(t, got)
		})
	}
}

// The JUnit document, read back.
type junitReadSuites struct {
	XMLName  xml.Name         `xml:"testsuites"`
	Name     string           `xml:"name,attr"`
	Tests    int              `xml:"tests,attr"`
	Failures int              `xml:"failures,attr"`
	Errors   int              `xml:"errors,attr"`
	Time     string           `xml:"time,attr"`
	Suites   []junitReadSuite `xml:"testsuite"`
}

type junitReadSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitReadCase `xml:"testcase"`
	SystemOut  string          `xml:"system-out"`
}

type junitReadCase struct {
	Classname string `xml:"classname,attr"`
	Name      string `xml:"name,attr"`
	Time      string `xml:"time,attr"`
	Skipped   *struct {
		Text string `xml:",chardata"`
	} `xml:"skipped"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	SystemOut string        `xml:"system-out"`
}

func readJUnit(t *testing.T, doc []byte) junitReadSuites {
	t.Helper()
	var s junitReadSuites
	if err := xml.Unmarshal(doc, &s); err != nil {
		t.Fatalf("the report is not well-formed XML: %v\n%s", err, doc)
	}
	return s
}

// suiteCounts is tests/failures/errors/skipped of a suite.
type suiteCounts struct {
	name                             string
	tests, failures, errors, skipped int
}

func TestJUnitCounts(t *testing.T) {
	// Counted by hand from the sample results in helpers_test.go.
	tests := []struct {
		variant string
		suites  []suiteCounts
	}{
		{"full", []suiteCounts{
			{"replay", 2, 0, 0, 0},
			{"contract", 5, 2, 0, 0},
			{"skew", 3, 0, 0, 0},
			{"segments", 5, 1, 0, 2},
			{"latency", 3, 0, 1, 0},
		}},
		{"passing", []suiteCounts{
			{"replay", 2, 0, 0, 0},
			{"contract", 2, 0, 0, 0},
			{"skew", 1, 0, 0, 0},
			{"segments", 1, 0, 0, 1},
			{"latency", 1, 0, 0, 0},
		}},
		// Incomplete: the run is an error; contract keeps 3 rules, one failing.
		{"incomplete", []suiteCounts{
			{"replay", 2, 0, 1, 0},
			{"contract", 3, 1, 0, 0},
		}},
		// No rows at all: the replay fails.
		{"empty", []suiteCounts{
			{"replay", 2, 1, 0, 0},
		}},
	}
	makers := map[string]func() *checks.Result{}
	for _, v := range variants {
		makers[v.name] = v.make
	}
	for _, tt := range tests {
		t.Run(tt.variant, func(t *testing.T) {
			doc := readJUnit(t, renderJUnit(t, makers[tt.variant]()))
			if doc.Name != "replaygate" {
				t.Errorf("testsuites name %q", doc.Name)
			}
			var got []suiteCounts
			var total suiteCounts
			for _, s := range doc.Suites {
				got = append(got, suiteCounts{s.Name, s.Tests, s.Failures, s.Errors, s.Skipped})
				// The counts must agree with the test cases.
				var c suiteCounts
				for _, tc := range s.Cases {
					c.tests++
					switch {
					case tc.Failure != nil:
						c.failures++
					case tc.Error != nil:
						c.errors++
					case tc.Skipped != nil:
						c.skipped++
					}
					if want := "replaygate." + s.Name; tc.Classname != want {
						t.Errorf("%s/%s: classname %q, want %q", s.Name, tc.Name, tc.Classname, want)
					}
				}
				if c.tests != s.Tests || c.failures != s.Failures || c.errors != s.Errors || c.skipped != s.Skipped {
					t.Errorf("suite %s: attributes %d/%d/%d/%d, test cases %d/%d/%d/%d", s.Name,
						s.Tests, s.Failures, s.Errors, s.Skipped, c.tests, c.failures, c.errors, c.skipped)
				}
				total.tests += s.Tests
				total.failures += s.Failures
				total.errors += s.Errors
			}
			if len(got) != len(tt.suites) {
				t.Fatalf("suites %v, want %v", got, tt.suites)
			}
			for i := range got {
				if got[i] != tt.suites[i] {
					t.Errorf("suite %d: %+v, want %+v", i, got[i], tt.suites[i])
				}
			}
			if doc.Tests != total.tests || doc.Failures != total.failures || doc.Errors != total.errors {
				t.Errorf("testsuites counts %d/%d/%d, suites add up to %d/%d/%d",
					doc.Tests, doc.Failures, doc.Errors, total.tests, total.failures, total.errors)
			}
		})
	}
}

// junitCase finds a test case by suite and name.
func findJUnitCase(t *testing.T, doc junitReadSuites, suite, name string) junitReadCase {
	t.Helper()
	for _, s := range doc.Suites {
		if s.Name != suite {
			continue
		}
		for _, c := range s.Cases {
			if c.Name == name {
				return c
			}
		}
	}
	t.Fatalf("no test case %s/%s", suite, name)
	return junitReadCase{}
}

func TestJUnitContent(t *testing.T) {
	doc := readJUnit(t, renderJUnit(t, sampleResult()))

	if doc.Time != "2.414" {
		t.Errorf("testsuites time %q, want the replay's duration 2.414", doc.Time)
	}

	fail := findJUnitCase(t, doc, "contract", "age.max")
	if fail.Failure == nil || fail.Failure.Type != "fail" {
		t.Fatalf("age.max: no failure of type fail: %+v", fail)
	}
	if want := "value 134 (limit <= 120): 3 rows above the maximum"; fail.Failure.Message != want {
		t.Errorf("age.max message %q, want %q", fail.Failure.Message, want)
	}
	for _, want := range []string{"value: 134", "limit: <= 120", "rows: 12,000", "examples: r00017, r00342, r09121"} {
		if !strings.Contains(fail.Failure.Detail, want) {
			t.Errorf("age.max detail lacks %q:\n%s", want, fail.Failure.Detail)
		}
	}

	de := findJUnitCase(t, doc, "segments", "auc[country=DE]")
	for _, want := range []string{"baseline: 0.7431", "delta: -0.0308", "ci: [-0.0512, -0.0104]"} {
		if de.Failure == nil || !strings.Contains(de.Failure.Detail, want) {
			t.Errorf("auc[country=DE] detail lacks %q: %+v", want, de.Failure)
		}
	}

	errCase := findJUnitCase(t, doc, "latency", "p99")
	if errCase.Error == nil || errCase.Error.Type != "error" || !strings.Contains(errCase.Error.Message, "no latency was recorded") {
		t.Errorf("latency p99: %+v, want an error", errCase)
	}

	skip := findJUnitCase(t, doc, "segments", "auc[country=BR]")
	if skip.Skipped == nil || skip.Skipped.Text != "212 rows, fewer than min_rows 500" {
		t.Errorf("auc[country=BR]: %+v, want skipped with its reason", skip)
	}

	warn := findJUnitCase(t, doc, "skew", "psi[income]")
	if warn.Failure != nil || warn.Error != nil || warn.Skipped != nil {
		t.Errorf("a warning must pass: %+v", warn)
	}
	if !strings.HasPrefix(warn.SystemOut, "WARN: value 0.1375 (limit warn 0.1, fail 0.25): income shifted") {
		t.Errorf("psi[income] system-out %q", warn.SystemOut)
	}

	fr := findJUnitCase(t, doc, "segments", "auc[country=FR]")
	if fr.SystemOut != "WARN: only 41 positive labels; the interval is wide" {
		t.Errorf("auc[country=FR] system-out %q, want its warning", fr.SystemOut)
	}
	if pass := findJUnitCase(t, doc, "contract", "age.type"); pass.SystemOut != "" || pass.Time != "0" {
		t.Errorf("a plain pass: %+v", pass)
	}

	run := doc.Suites[0]
	if run.Name != "replay" || run.Time != "2.414" {
		t.Errorf("first suite %q time %q, want replay 2.414", run.Name, run.Time)
	}
	for _, want := range []string{"WARN: traffic: 3 duplicate request ids (first: r01234)", "WARN: labels: 1,124 of 12,000 rows have no label yet"} {
		if !strings.Contains(run.SystemOut, want) {
			t.Errorf("replay suite system-out lacks %q:\n%s", want, run.SystemOut)
		}
	}
	rows := findJUnitCase(t, doc, "replay", "rows accounted")
	for _, want := range []string{"rows replayed: 12,000 = 11,955 scored + 45 errors", "error classes: timeout 40, http_503 5", "timeouts: 40", "rows/s: 4,972"} {
		if !strings.Contains(rows.SystemOut, want) {
			t.Errorf("rows accounted lacks %q:\n%s", want, rows.SystemOut)
		}
	}
	props := map[string]string{}
	for _, p := range run.Properties {
		props[p.Name] = p.Value
	}
	if want := "fixtures/models/candidate.json"; !strings.Contains(props["model.candidate"], want) || !strings.Contains(props["model.candidate"], candidateSHA) {
		t.Errorf("model.candidate property %q", props["model.candidate"])
	}
	if props["command"] != "replaygate run --spec fixtures/specs/regression.yaml --out-dir 'out dir'" {
		t.Errorf("command property %q", props["command"])
	}
}

func TestJUnitRunSuite(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(r *checks.Result)
		rows     string // fail, skip or pass
		complete bool
	}{
		{"accounted", func(r *checks.Result) {}, "pass", true},
		{"unaccounted rows", func(r *checks.Result) { r.Replay.Scored -= 10 }, "fail", true},
		{"no rows", func(r *checks.Result) { r.Replay = &checks.ReplayStats{} }, "fail", true},
		{"no replay", func(r *checks.Result) { r.Replay = nil }, "skip", true},
		{"incomplete", func(r *checks.Result) { r.Incomplete = true }, "pass", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := passingResult()
			tt.edit(r)
			out := renderJUnit(t, r)
			doc := readJUnit(t, out)
			rows := findJUnitCase(t, doc, "replay", "rows accounted")
			got := "pass"
			switch {
			case rows.Failure != nil:
				got = "fail"
			case rows.Skipped != nil:
				got = "skip"
			case rows.Error != nil:
				got = "error"
			}
			if got != tt.rows {
				t.Errorf("rows accounted: %s, want %s: %+v", got, tt.rows, rows)
			}
			done := findJUnitCase(t, doc, "replay", "run completed")
			if (done.Error == nil) != tt.complete {
				t.Errorf("run completed: %+v, want complete=%v", done, tt.complete)
			}
			validateJUnit(t, out)
		})
	}
}

func TestJUnitSuiteNames(t *testing.T) {
	r := passingResult()
	r.Checks = append(r.Checks,
		checks.Outcome{Check: "replay", Name: "x", Status: checks.Pass},
		checks.Outcome{Check: "", Name: "y", Status: checks.Status("maybe")},
		checks.Outcome{Check: "contract", Name: "late", Status: checks.Fail})
	doc := readJUnit(t, renderJUnit(t, r))
	var names []string
	for _, s := range doc.Suites {
		names = append(names, s.Name)
	}
	// The run's suite steps aside for a check named replay; outcomes of a
	// check join its suite wherever they appear.
	if got, want := strings.Join(names, ","), "replay run,contract,skew,segments,latency,replay,unnamed"; got != want {
		t.Errorf("suites %s, want %s", got, want)
	}
	if c := findJUnitCase(t, doc, "contract", "late"); c.Failure == nil {
		t.Errorf("contract late: %+v", c)
	}
	if c := findJUnitCase(t, doc, "unnamed", "y"); c.Error == nil || c.Error.Message != `unknown status "maybe"` {
		t.Errorf("unknown status: %+v", c)
	}
}

func TestJUnitErrors(t *testing.T) {
	if err := JUnit(io.Discard, nil, Options{}); errs.Code(err) != errs.CodeRun {
		t.Errorf("nil result: %v", err)
	}
	err := JUnit(failingWriter{}, sampleResult(), Options{})
	if errs.Code(err) != errs.CodeRun || !strings.Contains(err.Error(), "junit report") {
		t.Errorf("failing writer: %v", err)
	}
}

// Hostile strings: XML's special characters, a CDATA end, NUL and other
// control characters, invalid UTF-8, a very long line, Markdown's table and
// code characters, line breaks, and a bidirectional override.
var hostileStrings = []string{
	`<a href="x">&amp;</a> ' "`,
	"]]><![CDATA[x]]>",
	"nul\x00bell\a esc\x1b[31m del\x7f c1\u0085\u009b",
	"bad utf8 \xff\xfe\xc3",
	strings.Repeat("long-line ", 20000),
	"a | b || c \\| d \\",
	"`code` ``` ~~~ *bold* _em_ [link](http://x) ![img](y) <br> # h",
	"line\nbreak\r\nand\rcr\ttab",
	"\u202eevil\u2066 \ufffe\uffff",
	"-- - 1. > quote",
}

// hostile fills every string of r with one of hostileStrings, in turn.
func hostile(r *checks.Result) *checks.Result {
	n := 0
	next := func() string {
		s := hostileStrings[n%len(hostileStrings)]
		n++
		return s
	}
	r.Tool = checks.Tool{Name: next(), Version: next()}
	r.Spec = next()
	r.Command = []string{next(), next(), next()}
	for i := range r.Inputs {
		in := &r.Inputs[i]
		in.Role, in.Path, in.SHA256 = next(), next(), next()
	}
	for i := range r.Models {
		m := &r.Models[i]
		m.Role, m.Type, m.Path, m.Details, m.Fingerprint = next(), next(), next(), next(), next()
	}
	if rs := r.Replay; rs != nil {
		rs.Mode = next()
		rs.ErrorClasses = map[string]int64{next(): 3, next(): 2}
		rs.ErrorExamples = []checks.ErrorExample{{Row: next(), Class: next(), Error: next()}}
	}
	for i := range r.Checks {
		o := &r.Checks[i]
		o.Check, o.Name, o.Limit, o.Message = next(), next(), next(), next()
		o.Examples = []string{next(), next()}
		o.Warnings = []string{next()}
	}
	for i := range r.Plots {
		r.Plots[i].Title = next()
	}
	r.Warnings = append(r.Warnings, next(), next())
	return r
}

// xmlChar reports whether XML 1.0 allows r in a document.
func xmlChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

func TestJUnitHostileStrings(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			out := renderJUnit(t, hostile(v.make()))
			if !utf8.Valid(out) {
				t.Fatalf("invalid UTF-8 in the report")
			}
			for i, r := range string(out) {
				if !xmlChar(r) || (r >= 0x80 && r <= 0x9f) {
					t.Fatalf("character %U at %d", r, i)
				}
			}
			// Well-formed, strictly: every token decodes.
			dec := xml.NewDecoder(bytes.NewReader(out))
			for {
				tok, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed: %v", err)
				}
				if se, ok := tok.(xml.StartElement); ok {
					for _, a := range se.Attr {
						if strings.ContainsAny(a.Value, "\n\r\t") {
							t.Errorf("<%s %s> spans lines: %q", se.Name.Local, a.Name.Local, a.Value)
						}
						if a.Name.Local == "message" && utf8.RuneCountInString(a.Value) > junitMaxMessage {
							t.Errorf("<%s message> is %d characters", se.Name.Local, utf8.RuneCountInString(a.Value))
						}
						if a.Name.Local == "name" && utf8.RuneCountInString(a.Value) > junitMaxName {
							t.Errorf("<%s name> is %d characters", se.Name.Local, utf8.RuneCountInString(a.Value))
						}
					}
				}
			}
			doc := readJUnit(t, out)
			if len(doc.Suites) == 0 {
				t.Fatal("no suites")
			}
			if bytes.Contains(out, []byte("\u202e")) {
				t.Errorf("bidirectional override left in the report")
			}
			validateJUnit(t, out)
		})
	}
}

func TestJUnitText(t *testing.T) {
	tests := []struct{ in, text, line string }{
		{"plain", "plain", "plain"},
		{"a\x00b\x1bc\x7fd\u0085e", "abcde", "abcde"},
		{"x\r\ny\rz\n", "x\ny\nz", "x y z"},
		{"tab\there", "tab here", "tab here"},
		{"\xffok", "\ufffdok", "\ufffdok"},
		{"\ufffe\uffff", "", ""},
		{"\u202eevil", `\u202eevil`, `\u202eevil`},
	}
	for _, tt := range tests {
		if got := junitText(tt.in); got != tt.text {
			t.Errorf("junitText(%q) = %q, want %q", tt.in, got, tt.text)
		}
		if got := junitLine(tt.in); got != tt.line {
			t.Errorf("junitLine(%q) = %q, want %q", tt.in, got, tt.line)
		}
	}
	for in, want := range map[float64]string{2.4137: "2.414", 0: "0", -1: "0", 75.5: "75.500", 1e7: "10000000.000"} {
		if got := junitTime(in); got != want {
			t.Errorf("junitTime(%v) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkJUnit(b *testing.B) {
	for _, n := range []int{1000, 50_000} {
		r := largeResult(n)
		b.Run(fmt.Sprintf("outcomes=%d", n), func(b *testing.B) {
			for b.Loop() {
				if err := JUnit(io.Discard, r, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
