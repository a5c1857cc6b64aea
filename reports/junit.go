package reports

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

// JUnit writes r as JUnit XML for CI test views (GitLab, Jenkins, GitHub
// test-report actions):
//
//   - a <testsuite> for the run itself, named "replay", whose test cases say
//     whether every replayed row is accounted for (rows = scored + errors;
//     no rows at all is a failure) and whether the run completed (an
//     incomplete run is an error), with the run's warnings in its
//     <system-out> and, in its <properties>, the tool, verdict, spec,
//     command and the inputs' and models' full fingerprints;
//   - then one <testsuite> per check, in the order the checks first appear,
//     with one <testcase classname="replaygate.CHECK" name="RULE"> per
//     outcome: a fail carries <failure type="fail">, an error <error
//     type="error">, a skip <skipped> with the reason as its text; a warn
//     passes and says "WARN: ..." in its <system-out>, where the rule's own
//     warnings go too.
//
// The document validates against the Jenkins JUnit schemas (the committed
// testdata/junit/jenkins-junit.xsd, and junit-10.xsd), which is why
// <testsuites> carries no skipped count and <skipped> no message attribute.
// The output is deterministic: no timestamp or host name; times come from
// the result (the replay's duration) and are "0" where the result has none.
// Every string is stripped of the characters XML 1.0 cannot hold, and
// attributes are kept to one line.
func JUnit(w io.Writer, r *checks.Result, _ Options) error {
	if r == nil {
		return errs.Run("", "junit report: no result to render")
	}
	doc := junitDocument(r)
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return errs.Run("", "junit report: %v", err)
	}
	b.WriteByte('\n')
	return writeAll(w, "junit report", b.Bytes())
}

// The JUnit elements, in the order the schemas require.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string             `xml:"name,attr"`
	Tests      int                `xml:"tests,attr"`
	Failures   int                `xml:"failures,attr"`
	Errors     int                `xml:"errors,attr"`
	Skipped    int                `xml:"skipped,attr"`
	Time       string             `xml:"time,attr"`
	Properties *junitPropertyList `xml:"properties,omitempty"`
	Cases      []junitCase        `xml:"testcase"`
	SystemOut  *junitBody         `xml:"system-out,omitempty"`
}

type junitPropertyList struct {
	Items []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitBody    `xml:"skipped,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	SystemOut *junitBody    `xml:"system-out,omitempty"`
}

// junitBody is the text of an element, written as CDATA so that its lines
// stay lines in the file (encoding/xml splits a "]]>" in the text).
type junitBody struct {
	Text string `xml:",cdata"`
}

// junitOut is a <system-out> of lines, or nil when there are none.
func junitOut(lines []string) *junitBody {
	if s := junitJoinLines(lines); s != "" {
		return &junitBody{Text: s}
	}
	return nil
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Detail  string `xml:",cdata"`
}

const (
	// junitName is the name of the <testsuites> and the prefix of every
	// test case's classname.
	junitName = "replaygate"
	// junitRunSuite is the name of the suite that reports the run itself.
	junitRunSuite = "replay"
	// junitMaxMessage bounds a message attribute, in characters; the
	// full text is in the element's body.
	junitMaxMessage = 500
	// junitMaxName bounds the name of a suite or a test case.
	junitMaxName = 1000
)

// junitDocument builds the <testsuites> of r.
func junitDocument(r *checks.Result) junitSuites {
	// One suite per check, in the order the checks first appear.
	var suites []junitSuite
	index := map[string]int{}
	for _, o := range r.Checks {
		name := junitCheckName(o.Check)
		i, ok := index[name]
		if !ok {
			i = len(suites)
			index[name] = i
			suites = append(suites, junitSuite{Name: name, Time: "0"})
		}
		suites[i].add(junitOutcome(name, o))
	}

	runName := junitRunSuite
	if _, taken := index[runName]; taken {
		runName = junitRunSuite + " run"
	}
	all := append([]junitSuite{junitRun(runName, r)}, suites...)

	doc := junitSuites{Name: junitName, Time: "0", Suites: all}
	if r.Replay != nil {
		doc.Time = junitTime(r.Replay.DurationS)
	}
	for _, s := range all {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}
	return doc
}

// add appends a test case to the suite and counts it.
func (s *junitSuite) add(c junitCase) {
	s.Tests++
	switch {
	case c.Failure != nil:
		s.Failures++
	case c.Error != nil:
		s.Errors++
	case c.Skipped != nil:
		s.Skipped++
	}
	s.Cases = append(s.Cases, c)
}

// junitCheckName is the suite name of a check.
func junitCheckName(check string) string {
	if s := junitCut(junitLine(check), junitMaxName); s != "" {
		return s
	}
	return "unnamed"
}

// junitOutcome is the test case of one outcome of the check named check.
func junitOutcome(check string, o checks.Outcome) junitCase {
	c := junitCase{Classname: junitName + "." + check, Name: junitCut(junitLine(o.Name), junitMaxName), Time: "0"}
	var out []string
	switch o.Status {
	case checks.Pass:
	case checks.Warn:
		out = append(out, "WARN: "+junitSummary(o), junitDetail(o))
	case checks.Fail:
		c.Failure = &junitProblem{Message: junitMessage(junitSummary(o)), Type: "fail", Detail: junitDetail(o)}
	case checks.Skip:
		reason := junitText(o.Message)
		if reason == "" {
			reason = "not evaluated"
		}
		c.Skipped = &junitBody{Text: reason}
	case checks.Error:
		c.Error = &junitProblem{Message: junitMessage(junitSummary(o)), Type: "error", Detail: junitDetail(o)}
	default:
		msg := fmt.Sprintf("unknown status %q", junitLine(string(o.Status)))
		c.Error = &junitProblem{Message: junitMessage(msg), Type: "error", Detail: msg + "\n" + junitDetail(o)}
	}
	for _, w := range o.Warnings {
		out = append(out, "WARN: "+junitText(w))
	}
	c.SystemOut = junitOut(out)
	return c
}

// junitSummary is one line about an outcome: value and limit, then the
// message: "value 134 (limit <= 120): 3 rows above the maximum".
func junitSummary(o checks.Outcome) string {
	var head string
	switch {
	case o.Value != nil && o.Limit != "":
		head = "value " + formatNumber(*o.Value) + " (limit " + junitLine(o.Limit) + ")"
	case o.Value != nil:
		head = "value " + formatNumber(*o.Value)
	case o.Limit != "":
		head = "limit " + junitLine(o.Limit)
	}
	msg := junitLine(o.Message)
	switch {
	case head == "":
		if msg == "" {
			return string(o.Status)
		}
		return msg
	case msg == "":
		return head
	}
	return head + ": " + msg
}

// junitDetail is the body of a failure or error: one "key: value" line per
// field the outcome has.
func junitDetail(o checks.Outcome) string {
	var lines []string
	add := func(key, value string) {
		if value != "" {
			lines = append(lines, key+": "+value)
		}
	}
	if o.Value != nil {
		add("value", formatNumber(*o.Value))
	}
	if o.Baseline != nil {
		add("baseline", formatNumber(*o.Baseline))
	}
	if o.Delta != nil {
		add("delta", formatSigned(*o.Delta))
	}
	if len(o.CI) > 0 {
		add("ci", formatInterval(o.CI))
	}
	add("limit", junitLine(o.Limit))
	add("rows", checks.Thousands(o.Rows))
	add("message", junitText(o.Message))
	if len(o.Examples) > 0 {
		ex := make([]string, len(o.Examples))
		for i, e := range o.Examples {
			ex[i] = junitLine(e)
		}
		add("examples", strings.Join(ex, ", "))
	}
	return junitJoinLines(lines)
}

// junitRun is the suite that reports the run itself.
func junitRun(name string, r *checks.Result) junitSuite {
	class := junitName + "." + name
	s := junitSuite{Name: name, Time: "0"}
	if props := junitProperties(r); len(props) > 0 {
		s.Properties = &junitPropertyList{Items: props}
	}

	rows := junitCase{Classname: class, Name: "rows accounted", Time: "0"}
	if rs := r.Replay; rs == nil {
		rows.Skipped = &junitBody{Text: "the result has no replay statistics"}
	} else {
		s.Time = junitTime(rs.DurationS)
		rows.Time = s.Time
		detail := junitReplay(rs)
		switch {
		case rs.Rows == 0:
			rows.Failure = &junitProblem{Message: "no rows were replayed", Type: "fail", Detail: detail}
		case rs.Rows != rs.Scored+rs.Errors:
			msg := fmt.Sprintf("%s rows replayed, but %s scored + %s errors = %s: rows are unaccounted for",
				checks.Thousands(rs.Rows), checks.Thousands(rs.Scored), checks.Thousands(rs.Errors), checks.Thousands(rs.Scored+rs.Errors))
			rows.Failure = &junitProblem{Message: msg, Type: "fail", Detail: detail}
		default:
			rows.SystemOut = junitOut([]string{detail})
		}
	}

	done := junitCase{Classname: class, Name: "run completed", Time: "0"}
	if r.Incomplete {
		done.Error = &junitProblem{Message: "the run did not finish; the results are partial", Type: "error",
			Detail: "the run stopped before every row was replayed and checked; see the warnings of this suite"}
	}
	s.add(rows)
	s.add(done)

	var warns []string
	for _, w := range r.Warnings {
		warns = append(warns, "WARN: "+junitText(w))
	}
	s.SystemOut = junitOut(warns)
	return s
}

// junitReplay accounts for the replayed rows, one fact per line.
func junitReplay(rs *checks.ReplayStats) string {
	var lines []string
	if rs.RowsRead > 0 {
		lines = append(lines, "rows read: "+checks.Thousands(rs.RowsRead))
	}
	lines = append(lines,
		fmt.Sprintf("rows replayed: %s = %s scored + %s errors", checks.Thousands(rs.Rows), checks.Thousands(rs.Scored), checks.Thousands(rs.Errors)))
	if classes := rankedErrorClasses(rs.ErrorClasses); len(classes) > 0 {
		parts := make([]string, len(classes))
		for i, c := range classes {
			parts[i] = junitLine(c.name) + " " + checks.Thousands(c.n)
		}
		lines = append(lines, "error classes: "+strings.Join(parts, ", "))
	}
	lines = append(lines, "timeouts: "+checks.Thousands(rs.Timeouts))
	if rs.Mode != "" {
		mode := junitLine(rs.Mode)
		if rs.Requests > 0 {
			mode += fmt.Sprintf(", %s requests, %s sent late", checks.Thousands(rs.Requests), checks.Thousands(rs.LateSends))
		}
		lines = append(lines, "mode: "+mode)
	}
	lines = append(lines,
		"duration: "+formatSeconds(rs.DurationS),
		"rows/s: "+formatNumber(rs.RowsPerS))
	for _, e := range rs.ErrorExamples {
		lines = append(lines, "error example: row "+junitLine(e.Row)+": "+junitLine(e.Class)+": "+junitLine(e.Error))
	}
	return junitJoinLines(lines)
}

// junitProperties identify the run: tool, spec, command, inputs and models
// with their full fingerprints.
func junitProperties(r *checks.Result) []junitProperty {
	var props []junitProperty
	add := func(name, value string) {
		if value = junitLine(value); value != "" {
			props = append(props, junitProperty{Name: name, Value: value})
		}
	}
	add("tool", strings.TrimSpace(r.Tool.Name+" "+r.Tool.Version))
	add("verdict", string(r.Verdict))
	if r.Incomplete {
		add("incomplete", "true")
	}
	add("spec", r.Spec)
	if len(r.Command) > 0 {
		add("command", shellJoin(r.Command))
	}
	for _, in := range r.Inputs {
		add("input."+junitLine(in.Role), strings.TrimSpace(in.Path+" sha256:"+in.SHA256))
	}
	for _, m := range r.Models {
		add("model."+junitLine(m.Role), strings.TrimSpace(m.Type+" "+m.Path+" "+m.Fingerprint))
	}
	return props
}

// junitTime formats seconds as the schemas' time: digits and a decimal
// point, never an exponent or a sign.
func junitTime(s float64) string {
	if math.IsNaN(s) || math.IsInf(s, 0) || s <= 0 {
		return "0"
	}
	return strconv.FormatFloat(s, 'f', 3, 64)
}

// junitMessage makes a one-line message attribute, cut to junitMaxMessage
// characters.
func junitMessage(s string) string {
	return junitCut(junitLine(s), junitMaxMessage)
}

// junitCut cuts s to at most n characters, ending it with "..." when
// something was cut.
func junitCut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-3]), " ") + "..."
}

// junitLine is junitText on one line: line breaks and tabs become spaces.
func junitLine(s string) string {
	return strings.TrimSpace(junitSanitize(s, true))
}

// junitText makes s safe to put in an XML 1.0 document as text: invalid
// UTF-8 becomes U+FFFD, characters XML cannot hold (control characters,
// U+FFFE, U+FFFF) and C1 controls are dropped, carriage returns become line
// breaks, and bidirectional overrides are shown escaped (`\u202e`) so that
// they cannot reorder what a CI page shows.
func junitText(s string) string {
	return strings.TrimSpace(junitSanitize(s, false))
}

func junitSanitize(s string, oneLine bool) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
			if oneLine {
				b.WriteByte(' ')
			} else {
				b.WriteByte('\n')
			}
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0xfffe || r == 0xffff:
			// Not allowed in XML 1.0, or a control character: dropped.
		case isBidiControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// rankedClass is one error class of a replay and its row count.
type rankedClass struct {
	name string
	n    int64
}

// rankedErrorClasses lists error classes by row count, most rows first,
// then by name.
func rankedErrorClasses(m map[string]int64) []rankedClass {
	classes := make([]rankedClass, 0, len(m))
	for name, n := range m {
		classes = append(classes, rankedClass{name, n})
	}
	slices.SortFunc(classes, func(a, b rankedClass) int {
		return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.name, b.name))
	})
	return classes
}

// junitJoinLines joins the non-empty lines with line breaks.
func junitJoinLines(lines []string) string {
	var keep []string
	for _, l := range lines {
		if l != "" {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
