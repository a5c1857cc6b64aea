package reports

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

// HTML writes r as one self-contained HTML page: the style sheet is inline
// and every chart (see Charts) is embedded as a PNG data: URI, so the file
// can be attached to a review, mailed or opened offline. The page needs no
// script and loads nothing from anywhere else.
//
// The page reads from the top down in order of urgency: the verdict, the
// failed and errored rules, the warnings, the charts, then every other rule
// grouped by check, the replay's accounting, the run's warnings, the inputs
// and models, and how to reproduce the run. Every status is written out in
// words, so colour is never the only signal, and the page prints with
// nothing important hidden.
//
// Every string taken from r is escaped for HTML and cleaned the way the
// terminal report cleans it (invalid UTF-8, control characters and
// bidirectional overrides are shown escaped). The same Result renders to
// the same bytes. A plot that cannot be drawn does not stop the report: the
// charts section says why it is missing.
func HTML(w io.Writer, r *checks.Result, opts Options) error {
	if r == nil {
		return errs.Run("", "html report: no result to render")
	}
	if opts.Charts != nil {
		return renderHTML(w, r, opts.Charts.List, opts.Charts.Err)
	}
	charts, err := Charts(r)
	return renderHTML(w, r, charts, err)
}

// renderHTML writes the page of r with the given charts; chartErr, when not
// nil, is listed in the charts section next to the charts that were drawn
// (Charts returns the plots it could draw and an error naming the others).
// It is the part of HTML the tests compare with golden files, so that those
// files do not depend on the chart renderer's bytes.
func renderHTML(w io.Writer, r *checks.Result, charts []Chart, chartErr error) error {
	page := htmlBuildPage(r, charts, chartErr)
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, page); err != nil {
		return errs.Run("", "html report: %v", err)
	}
	return writeAll(w, "html report", b.Bytes())
}

// The page's data: every string in it is already cleaned and formatted;
// the template only escapes and lays it out.
type htmlPage struct {
	Title    string
	Tool     string
	Spec     string
	Verdict  htmlVerdict
	Failures []htmlOutcome
	Warnings []htmlOutcome
	// Notes are the warnings attached to rules shown further down (passes
	// and skips), listed again next to the warned rules.
	Notes       []htmlNote
	Charts      []htmlChart
	ChartErrors []string // why some plots are not drawn, one line each
	Others      []htmlGroup
	Replay      *htmlReplay
	RunWarns    []string
	Inputs      []htmlInput
	Models      []htmlModel
	Command     string
}

type htmlVerdict struct {
	Class      string // v-pass, v-warn, v-fail, v-other
	Word       string // PASS, WARN, FAIL
	Incomplete bool
	Counts     string
	Failures   string // "3 failed: contract age.max, ...; 1 error: latency p99"
	NoChecks   bool
}

type htmlOutcome struct {
	ID       string // anchor of the row
	Status   string // the status word
	Class    string // s-pass, s-warn, s-fail, s-error, s-skip, s-other
	Check    string
	Name     string
	Value    string
	Baseline string
	Delta    string
	CI       string
	Limit    string
	Rows     string
	Message  string
	Examples []string
	Warnings []string
}

type htmlNote struct {
	ID      string // anchor of the rule's row
	Rule    string // "segments auc[country=FR]"
	Warning string
}

type htmlGroup struct {
	Check    string
	Summary  string // "2 passed, 1 skipped"
	Outcomes []htmlOutcome
}

type htmlChart struct {
	Title  string
	Src    template.URL
	Width  int
	Height int
}

type htmlReplay struct {
	Summary  string
	Facts    []htmlFact
	Pacing   []htmlFact
	Classes  []htmlClass
	Examples []htmlErrorExample
}

type htmlFact struct{ Label, Value string }

type htmlClass struct{ Name, Rows, Share string }

type htmlErrorExample struct{ Row, Class, Error string }

type htmlInput struct {
	Role, Path, Rows, SHA256 string
	Schema                   []htmlField
}

type htmlField struct{ Name, Type string }

type htmlModel struct {
	Role, Type, Path, Fingerprint, Details string
}

func htmlBuildPage(r *checks.Result, charts []Chart, chartErr error) htmlPage {
	p := htmlPage{
		Tool:    strings.TrimSpace(clean(r.Tool.Name) + " " + clean(r.Tool.Version)),
		Spec:    clean(r.Spec),
		Verdict: htmlVerdictOf(r),
		Command: shellJoin(r.Command),
	}
	title := p.Verdict.Word
	if r.Incomplete {
		title += " (incomplete run)"
	}
	if p.Spec != "" {
		title += " · " + p.Spec
	}
	p.Title = title + " · replaygate report"

	// Outcomes: the failed and errored rules, then the warned ones, then
	// every other rule grouped by check. Within a section the order is the
	// terminal table's: by status, then as the checks reported them.
	order := make([]int, len(r.Checks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(statusRank(r.Checks[a].Status), statusRank(r.Checks[b].Status))
	})
	groups := map[string]int{}
	for _, i := range order {
		o := r.Checks[i]
		row := htmlOutcomeOf(i, o)
		switch o.Status {
		case checks.Fail, checks.Error:
			p.Failures = append(p.Failures, row)
		case checks.Warn:
			p.Warnings = append(p.Warnings, row)
		default:
			for _, w := range row.Warnings {
				p.Notes = append(p.Notes, htmlNote{ID: row.ID, Rule: row.Check + " " + row.Name, Warning: w})
			}
			g, ok := groups[row.Check]
			if !ok {
				g = len(p.Others)
				groups[row.Check] = g
				p.Others = append(p.Others, htmlGroup{Check: row.Check})
			}
			p.Others[g].Outcomes = append(p.Others[g].Outcomes, row)
		}
	}
	// Groups in the order their checks first appear in the result.
	first := map[string]int{}
	for i, o := range r.Checks {
		if _, ok := first[clean(o.Check)]; !ok {
			first[clean(o.Check)] = i
		}
	}
	slices.SortStableFunc(p.Others, func(a, b htmlGroup) int { return cmp.Compare(first[a.Check], first[b.Check]) })
	slices.SortStableFunc(p.Notes, func(a, b htmlNote) int { return cmp.Compare(htmlAnchorIndex(a.ID), htmlAnchorIndex(b.ID)) })
	for i := range p.Others {
		p.Others[i].Summary = htmlGroupSummary(p.Others[i].Outcomes)
	}

	for _, c := range charts {
		title := clean(c.Title)
		if title == "" {
			title = clean(c.Name)
		}
		p.Charts = append(p.Charts, htmlChart{
			Title: title,
			// The data is base64: nothing in it can end the attribute.
			Src:    template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(c.PNG)),
			Width:  max(c.Width, 0),
			Height: max(c.Height, 0),
		})
	}
	if chartErr != nil {
		// errors.Join puts one error on each line.
		for line := range strings.Lines(chartErr.Error()) {
			if line = clean(strings.TrimSpace(line)); line != "" {
				p.ChartErrors = append(p.ChartErrors, line)
			}
		}
	}

	p.Replay = htmlReplayOf(r.Replay)
	for _, w := range r.Warnings {
		p.RunWarns = append(p.RunWarns, clean(w))
	}
	for _, in := range r.Inputs {
		hi := htmlInput{Role: clean(in.Role), Path: clean(in.Path), Rows: checks.Thousands(in.Rows), SHA256: clean(in.SHA256)}
		for _, f := range in.Schema {
			hi.Schema = append(hi.Schema, htmlField{clean(f.Name), clean(f.Type)})
		}
		p.Inputs = append(p.Inputs, hi)
	}
	for _, m := range r.Models {
		p.Models = append(p.Models, htmlModel{Role: clean(m.Role), Type: clean(m.Type), Path: clean(m.Path),
			Fingerprint: clean(m.Fingerprint), Details: clean(m.Details)})
	}
	return p
}

// htmlVerdictOf is the banner: the verdict word, the counts the terminal
// report's verdict line gives, and every failed and errored rule.
func htmlVerdictOf(r *checks.Result) htmlVerdict {
	v := htmlVerdict{Word: statusWord(r.Verdict), Incomplete: r.Incomplete, NoChecks: len(r.Checks) == 0}
	switch r.Verdict {
	case checks.Pass, checks.Warn, checks.Fail:
		v.Class = "v-" + string(r.Verdict)
	default:
		v.Class = "v-other"
	}
	n := map[checks.Status]int{}
	var failed, errored []checks.Outcome
	for _, o := range r.Checks {
		n[o.Status]++
		switch o.Status {
		case checks.Fail:
			failed = append(failed, o)
		case checks.Error:
			errored = append(errored, o)
		}
	}
	v.Counts = checks.Thousands(int64(n[checks.Pass])) + " passed, " + plural(n[checks.Warn], "warning", "warnings") + ", " +
		checks.Thousands(int64(n[checks.Fail])) + " failed, " + checks.Thousands(int64(n[checks.Skip])) + " skipped"
	if n[checks.Error] > 0 {
		v.Counts += ", " + plural(n[checks.Error], "error", "errors")
	}
	var sections []section
	if len(failed) > 0 {
		sections = append(sections, section{checks.Thousands(int64(len(failed))) + " failed: ", failed})
	}
	if len(errored) > 0 {
		sections = append(sections, section{plural(len(errored), "error", "errors") + ": ", errored})
	}
	if len(sections) > 0 {
		v.Failures = failureList(sections, -1)
	}
	return v
}

func htmlOutcomeOf(i int, o checks.Outcome) htmlOutcome {
	h := htmlOutcome{
		ID:      "rule-" + strconv.Itoa(i+1),
		Status:  statusWord(o.Status),
		Class:   htmlStatusClass(o.Status),
		Check:   clean(o.Check),
		Name:    clean(o.Name),
		Value:   optNumber(o.Value),
		Limit:   clean(o.Limit),
		Rows:    checks.Thousands(o.Rows),
		Message: clean(o.Message),
	}
	if o.Baseline != nil {
		h.Baseline = formatNumber(*o.Baseline)
	}
	if o.Delta != nil {
		h.Delta = formatSigned(*o.Delta)
	}
	if len(o.CI) > 0 {
		h.CI = formatInterval(o.CI)
	}
	for _, e := range o.Examples {
		h.Examples = append(h.Examples, clean(e))
	}
	for _, w := range o.Warnings {
		h.Warnings = append(h.Warnings, clean(w))
	}
	return h
}

// htmlAnchorIndex is the position of a rule in the result, from its anchor.
func htmlAnchorIndex(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "rule-"))
	return n
}

func htmlStatusClass(s checks.Status) string {
	switch s {
	case checks.Pass, checks.Warn, checks.Fail, checks.Error, checks.Skip:
		return "s-" + string(s)
	}
	return "s-other"
}

// htmlGroupSummary counts a group's rules by status: "2 passed, 1 skipped".
func htmlGroupSummary(outs []htmlOutcome) string {
	var passed, skipped, other int
	for _, o := range outs {
		switch o.Class {
		case "s-pass":
			passed++
		case "s-skip":
			skipped++
		default:
			other++
		}
	}
	var parts []string
	if passed > 0 {
		parts = append(parts, strconv.Itoa(passed)+" passed")
	}
	if skipped > 0 {
		parts = append(parts, strconv.Itoa(skipped)+" skipped")
	}
	if other > 0 {
		parts = append(parts, strconv.Itoa(other)+" other")
	}
	return strings.Join(parts, ", ")
}

func htmlReplayOf(rs *checks.ReplayStats) *htmlReplay {
	if rs == nil {
		return nil
	}
	h := &htmlReplay{Summary: (&terminal{opts: Options{Verbose: true}}).replayLine(rs)}
	if rs.RowsRead > 0 {
		h.Facts = append(h.Facts, htmlFact{"rows read", checks.Thousands(rs.RowsRead)})
	}
	h.Facts = append(h.Facts,
		htmlFact{"rows replayed", checks.Thousands(rs.Rows)},
		htmlFact{"scored", checks.Thousands(rs.Scored)},
		htmlFact{"errored", checks.Thousands(rs.Errors)},
		htmlFact{"timeouts", checks.Thousands(rs.Timeouts)},
		htmlFact{"duration", formatSeconds(rs.DurationS)},
		htmlFact{"throughput", formatNumber(rs.RowsPerS) + " rows/s"},
	)
	if rs.Mode != "" || rs.Requests > 0 || rs.LateSends > 0 {
		if rs.Mode != "" {
			h.Pacing = append(h.Pacing, htmlFact{"mode", clean(rs.Mode)})
		}
		h.Pacing = append(h.Pacing,
			htmlFact{"requests sent", checks.Thousands(rs.Requests)},
			htmlFact{"sent more than 1 ms late", checks.Thousands(rs.LateSends)},
			htmlFact{"scheduling lag p50", formatNumber(rs.LagP50MS) + " ms"},
			htmlFact{"scheduling lag p99", formatNumber(rs.LagP99MS) + " ms"},
			htmlFact{"scheduling lag max", formatNumber(rs.LagMaxMS) + " ms"},
		)
		if rs.Realtime != "" {
			h.Pacing = append(h.Pacing, htmlFact{"real-time priority", clean(rs.Realtime)})
		}
	}
	type class struct {
		name string
		n    int64
	}
	classes := make([]class, 0, len(rs.ErrorClasses))
	for name, n := range rs.ErrorClasses {
		classes = append(classes, class{clean(name), n})
	}
	// Most frequent first, as in the terminal report; ties by name.
	slices.SortFunc(classes, func(a, b class) int {
		return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.name, b.name))
	})
	for _, c := range classes {
		share := ""
		if rs.Rows > 0 {
			share = formatNumber(100*float64(c.n)/float64(rs.Rows)) + "%"
		}
		h.Classes = append(h.Classes, htmlClass{Name: c.name, Rows: checks.Thousands(c.n), Share: share})
	}
	for _, e := range rs.ErrorExamples {
		h.Examples = append(h.Examples, htmlErrorExample{clean(e.Row), clean(e.Class), clean(e.Error)})
	}
	return h
}

// htmlStyle is the page's style sheet. Status colours come with the status
// written out; in print, backgrounds give way to borders.
const htmlStyle = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 80rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { margin: 0; font-size: 2.25rem; line-height: 1.2; letter-spacing: .02em; }
h2 { margin: 2rem 0 .75rem; padding-bottom: .25rem; border-bottom: 1px solid var(--line); font-size: 1.35rem; }
h3 { margin: 1.25rem 0 .5rem; font-size: 1.1rem; }
p { margin: .4rem 0; }
code, pre { font: .9em/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
pre { margin: .5rem 0; padding: .75rem 1rem; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
a { color: #0969da; }
.muted { color: var(--muted); }
.verdict { margin: 0 0 1.5rem; padding: 1.25rem 1.5rem; border-radius: 8px; border: 3px solid; color: #fff; }
.verdict p { font-size: 1.05rem; }
.verdict .failures { font-weight: 600; overflow-wrap: anywhere; }
.v-pass { background: #1a7f37; border-color: #116329; }
.v-warn { background: #9a6700; border-color: #7d4e00; }
.v-fail { background: #cf222e; border-color: #a40e26; }
.v-other { background: #59636e; border-color: #424a53; }
.incomplete { display: inline-block; margin-left: .75rem; padding: .1rem .6rem; border: 2px solid #fff; border-radius: 4px; font-size: 1rem; vertical-align: middle; letter-spacing: .05em; }
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; margin: .5rem 0; font-size: .93rem; }
th, td { padding: .35rem .5rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.rule, td.path { min-width: 8rem; overflow-wrap: break-word; }
table.compact { width: auto; min-width: 24rem; }
td.hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .85em; overflow-wrap: anywhere; word-break: break-all; }
td.detail { min-width: 14rem; }
td.limit { min-width: 6rem; }
td.detail p { margin: 0 0 .25rem; }
ul { margin: .25rem 0; padding-left: 1.25rem; }
.rule-warnings { margin: .25rem 0 0; padding-left: 1.1rem; color: #7d4e00; }
.badge { display: inline-block; min-width: 3.6rem; padding: .05rem .4rem; border: 1px solid; border-radius: 4px; font-size: .8rem; font-weight: 700; text-align: center; letter-spacing: .04em; }
.s-pass { background: #dafbe1; color: #116329; }
.s-warn { background: #fff8c5; color: #7d4e00; }
.s-fail, .s-error { background: #ffebe9; color: #a40e26; }
.s-skip, .s-other { background: #eaeef2; color: #424a53; }
.charts { display: grid; gap: 1rem; }
figure { margin: 0; padding: .75rem; border: 1px solid var(--line); border-radius: 6px; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.5rem; margin: .5rem 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
details summary { cursor: pointer; color: var(--muted); }
@media (max-width: 40rem) {
  body { font-size: 14px; }
  h1 { font-size: 1.75rem; }
  .verdict { padding: 1rem; }
}
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  .verdict, .badge { background: none !important; color: #000 !important; }
  .verdict { border: 4px solid #000; }
  .incomplete { border-color: #000; }
  .rule-warnings, .muted, dl.facts dt { color: #000; }
  th { background: none; }
  pre { background: none; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, figure, .verdict { break-inside: avoid; page-break-inside: avoid; }
}
`

const htmlSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>` + htmlStyle + `</style>
</head>
<body>
<main>
<header id="verdict" class="verdict {{.Verdict.Class}}">
<h1>{{.Verdict.Word}}{{if .Verdict.Incomplete}} <span class="incomplete">INCOMPLETE RUN</span>{{end}}</h1>
{{- if .Verdict.Incomplete}}
<p>The run did not finish: these are partial results.</p>
{{- end}}
{{- if .Verdict.Failures}}
<p class="failures">{{.Verdict.Failures}}</p>
{{- end}}
{{- if .Verdict.NoChecks}}
<p>No checks ran.</p>
{{- else}}
<p>{{.Verdict.Counts}}</p>
{{- end}}
<p>{{if .Spec}}spec <code>{{.Spec}}</code>{{end}}{{if and .Spec .Tool}} · {{end}}{{.Tool}}</p>
</header>
{{- with .Failures}}

<section id="failures">
<h2>Failures ({{len .}})</h2>
{{template "outcomes" (table . true)}}
</section>
{{- end}}
{{- if or .Warnings .Notes}}

<section id="warnings">
<h2>Warnings ({{len .Warnings}})</h2>
{{- with .Warnings}}
{{template "outcomes" (table . true)}}
{{- end}}
{{- with .Notes}}
<h3>Warnings on other rules</h3>
<ul>
{{- range .}}
<li><a href="#{{.ID}}">{{.Rule}}</a>: {{.Warning}}</li>
{{- end}}
</ul>
{{- end}}
</section>
{{- end}}
{{- if or .Charts .ChartErrors}}

<section id="charts">
<h2>Charts</h2>
{{- with .ChartErrors}}
<p>Some charts could not be drawn:</p>
<ul>
{{- range .}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- with .Charts}}
<div class="charts">
{{- range .}}
<figure>
<img src="{{.Src}}" alt="{{.Title}}"{{if .Width}} width="{{.Width}}"{{end}}{{if .Height}} height="{{.Height}}"{{end}}>
</figure>
{{- end}}
</div>
{{- end}}
</section>
{{- end}}
{{- with .Others}}

<section id="rules">
<h2>Other rules</h2>
{{- range .}}
<h3>{{.Check}} <span class="muted">({{.Summary}})</span></h3>
{{template "outcomes" (table .Outcomes false)}}
{{- end}}
</section>
{{- end}}
{{- with .Replay}}

<section id="replay">
<h2>Replay</h2>
<p>{{.Summary}}</p>
{{template "facts" .Facts}}
{{- with .Pacing}}
<h3>Pacing</h3>
{{template "facts" .}}
{{- end}}
{{- with .Classes}}
<h3>Errors by class</h3>
<div class="table-wrap">
<table class="compact">
<thead><tr><th>Class</th><th class="num">Rows</th><th class="num">Share of rows</th></tr></thead>
<tbody>
{{- range .}}
<tr><td>{{.Name}}</td><td class="num">{{.Rows}}</td><td class="num">{{.Share}}</td></tr>
{{- end}}
</tbody>
</table>
</div>
{{- end}}
{{- with .Examples}}
<h3>Error examples</h3>
<div class="table-wrap">
<table>
<thead><tr><th>Row</th><th>Class</th><th>Error</th></tr></thead>
<tbody>
{{- range .}}
<tr><td class="rule">{{.Row}}</td><td>{{.Class}}</td><td class="detail">{{.Error}}</td></tr>
{{- end}}
</tbody>
</table>
</div>
{{- end}}
</section>
{{- end}}
{{- with .RunWarns}}

<section id="run-warnings">
<h2>Run warnings ({{len .}})</h2>
<ul>
{{- range .}}
<li>{{.}}</li>
{{- end}}
</ul>
</section>
{{- end}}
{{- if or .Inputs .Models}}

<section id="inputs">
<h2>Inputs and models</h2>
{{- with .Inputs}}
<h3>Inputs</h3>
<div class="table-wrap">
<table>
<thead><tr><th>Role</th><th>Path</th><th class="num">Rows</th><th>SHA-256</th></tr></thead>
<tbody>
{{- range .}}
<tr><td>{{.Role}}</td><td class="path">{{.Path}}{{with .Schema}}<details><summary>schema: {{len .}} columns</summary><ul>{{range .}}<li><code>{{.Name}}</code> {{.Type}}</li>{{end}}</ul></details>{{end}}</td><td class="num">{{.Rows}}</td><td class="hash">{{.SHA256}}</td></tr>
{{- end}}
</tbody>
</table>
</div>
{{- end}}
{{- with .Models}}
<h3>Models</h3>
<div class="table-wrap">
<table>
<thead><tr><th>Role</th><th>Type</th><th>Path</th><th>Fingerprint</th><th>Details</th></tr></thead>
<tbody>
{{- range .}}
<tr><td>{{.Role}}</td><td>{{.Type}}</td><td class="path">{{.Path}}</td><td class="hash">{{.Fingerprint}}</td><td>{{.Details}}</td></tr>
{{- end}}
</tbody>
</table>
</div>
{{- end}}
</section>
{{- end}}

<section id="reproduce">
<h2>How to reproduce</h2>
{{- if .Command}}
<pre><code>{{.Command}}</code></pre>
{{- else}}
<p>The result does not record the command line.</p>
{{- end}}
{{- if .Spec}}
<p>spec <code>{{.Spec}}</code></p>
{{- end}}
{{- if .Tool}}
<p class="muted">Written by {{.Tool}}.</p>
{{- end}}
</section>
</main>
</body>
</html>
{{define "facts" -}}
<dl class="facts">
{{- range .}}
<dt>{{.Label}}</dt><dd>{{.Value}}</dd>
{{- end}}
</dl>
{{- end}}{{define "outcomes" -}}
<div class="table-wrap">
<table>
<thead><tr><th>Status</th>{{if .ShowCheck}}<th>Check</th>{{end}}<th>Rule</th><th class="num">Value</th>
{{- if .Baseline}}<th class="num">Baseline</th>{{end}}{{if .Delta}}<th class="num">Delta</th>{{end}}{{if .CI}}<th class="num">CI</th>{{end -}}
<th>Limit</th><th class="num">Rows</th><th>Details</th></tr></thead>
<tbody>
{{- range .Rows}}
<tr id="{{.ID}}"><td><span class="badge {{.Class}}">{{.Status}}</span></td>{{if $.ShowCheck}}<td>{{.Check}}</td>{{end}}<td class="rule">{{.Name}}</td><td class="num">{{.Value}}</td>
{{- if $.Baseline}}<td class="num">{{.Baseline}}</td>{{end}}{{if $.Delta}}<td class="num">{{.Delta}}</td>{{end}}{{if $.CI}}<td class="num">{{.CI}}</td>{{end -}}
<td class="limit">{{.Limit}}</td><td class="num">{{.Rows}}</td><td class="detail">
{{- with .Message}}<p>{{.}}</p>{{end}}
{{- with .Examples}}<p>examples: {{range $i, $e := .}}{{if $i}}, {{end}}<code>{{$e}}</code>{{end}}</p>{{end}}
{{- with .Warnings}}<ul class="rule-warnings">{{range .}}<li>warning: {{.}}</li>{{end}}</ul>{{end -}}
</td></tr>
{{- end}}
</tbody>
</table>
</div>
{{- end}}`

// htmlTable is what the "outcomes" template lays out: the rows, and which
// of the optional columns to show. The baseline, delta and CI columns are
// left out of a table in which no rule has one.
type htmlTable struct {
	Rows                []htmlOutcome
	ShowCheck           bool
	Baseline, Delta, CI bool
}

func newHTMLTable(rows []htmlOutcome, showCheck bool) htmlTable {
	t := htmlTable{Rows: rows, ShowCheck: showCheck}
	for _, o := range rows {
		t.Baseline = t.Baseline || o.Baseline != ""
		t.Delta = t.Delta || o.Delta != ""
		t.CI = t.CI || o.CI != ""
	}
	return t
}

var htmlTemplate = template.Must(template.New("html").Funcs(template.FuncMap{"table": newHTMLTable}).Parse(htmlSource))
