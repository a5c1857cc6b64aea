package reports

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

// Markdown writes a compact summary of r for a pull-request comment or
// GitHub's job summary (see AppendStepSummary):
//
//   - a first line with the verdict and the counts of outcomes;
//   - a table of the failed and errored rules, then the warned ones;
//   - the replay's accounting (rows read, scored, errors, timeouts, rows/s)
//     and the warnings;
//   - a collapsed <details> section with the passed and skipped rules,
//     grouped by check;
//   - the inputs' and models' fingerprints (12 hex digits) in a <details>;
//   - the command that reproduces the run, quoted for a POSIX shell;
//   - with opts.ChartDir set, an image link to the PNG of every plot of a
//     known kind (ChartDir/ChartFile(plot)); none without it.
//
// Every string from the Result is escaped: it cannot break a table, start
// a link, an image, a code span or HTML, or add a line. The summary stays
// under 1,000,000 bytes (GitHub caps a step's summary at 1 MiB): when it
// would not, the lists of passed and skipped rules are cut first, then the
// warnings, then the warned, errored and failed rules, and the summary says
// how many were left out. (Inputs and charts are left out only when they
// alone would not fit.)
func Markdown(w io.Writer, r *checks.Result, opts Options) error {
	if r == nil {
		return errs.Run("", "markdown report: no result to render")
	}
	return writeAll(w, "markdown report", renderMarkdown(r, opts, MarkdownMaxBytes))
}

// MarkdownMaxBytes is the most bytes Markdown writes: GitHub refuses a
// step summary over 1 MiB.
const MarkdownMaxBytes = 1_000_000

// mdMinBytes is the budget of a step summary appended to a file already
// near GitHub's cap: the verdict and the worst failures still fit.
const mdMinBytes = 16 << 10

// AppendStepSummary appends the Markdown summary of r to the file at path,
// the value of $GITHUB_STEP_SUMMARY, creating the file if it is missing.
// The summary is sized to what the file leaves of GitHub's 1 MiB cap. A
// file that cannot be opened or written is a run error naming path.
func AppendStepSummary(path string, r *checks.Result, opts Options) error {
	const hint = "check that GITHUB_STEP_SUMMARY names a writable file"
	if r == nil {
		return errs.Run("", "step summary: no result to render")
	}
	if path == "" {
		return errs.Run(hint, "step summary: no file name given")
	}
	budget := MarkdownMaxBytes
	var sep []byte
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
		budget = max(MarkdownMaxBytes-int(min(fi.Size(), MarkdownMaxBytes)), mdMinBytes)
		sep = []byte("\n") // a blank line after what earlier steps wrote
	}
	doc := append(sep, renderMarkdown(r, opts, budget)...)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return errs.Run(hint, "%s: cannot open the step summary: %v", path, pathCause(err))
	}
	if _, err := f.Write(doc); err != nil {
		f.Close()
		return errs.Run(hint, "%s: cannot write the step summary: %v", path, pathCause(err))
	}
	if err := f.Close(); err != nil {
		return errs.Run(hint, "%s: cannot write the step summary: %v", path, pathCause(err))
	}
	return nil
}

// pathCause drops the path an os error repeats.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// mdChartKinds are the plot kinds that have a chart, hence a PNG file.
var mdChartKinds = []string{
	checks.PlotLatency, checks.PlotScores, checks.PlotReliability,
	checks.PlotSegmentDeltas, checks.PlotDrift, checks.PlotFeatureHist,
}

const (
	// mdMaxCell bounds a table cell, in columns: result.json has it all.
	mdMaxCell = 300
	// mdMaxLine bounds a warning, in columns.
	mdMaxLine = 2000
	// mdMaxCommand bounds the command line, in columns.
	mdMaxCommand = 8000
	// mdMaxInputs bounds the rows of the inputs table.
	mdMaxInputs = 100
	// mdMaxExamples bounds the replay's error examples.
	mdMaxExamples = 5
)

// mdOutcomeHeader is the header of the tables of outcomes.
const mdOutcomeHeader = "| Status | Check | Rule | Value | Limit | Rows | Detail |\n| --- | --- | --- | ---: | --- | ---: | --- |\n"

// mdGroupHeader is the header of a check's table in the passed and
// skipped section.
const mdGroupHeader = "| Status | Rule | Value | Limit | Rows | Detail |\n| --- | --- | ---: | --- | ---: | --- |\n"

// mdParts are the pieces of a summary: fixed text and the three lists that
// may be cut to fit.
type mdParts struct {
	r       *checks.Result
	title   string
	table   []string // failed and errored rules, then warned ones
	warns   []string // warnings: the run's, then the rules'
	rest    []mdGroup
	nRest   int
	replay  string
	inputs  string
	command string
	charts  string
}

// mdGroup is one check's passed and skipped rules.
type mdGroup struct {
	head string
	rows []string
}

// mdKeep is how many rows of each list a rendering keeps.
type mdKeep struct{ table, warns, rest int }

// renderMarkdown renders r in at most budget bytes, cutting lists as
// Markdown describes.
func renderMarkdown(r *checks.Result, opts Options, budget int) []byte {
	p := mdBuild(r, opts)
	all := mdKeep{len(p.table), len(p.warns), p.nRest}
	out := p.render(all)
	if len(out) <= budget {
		return []byte(out)
	}
	// What is left once every list is cut away, notes included, is fixed;
	// share the rest out in order of importance: failures and errors,
	// warned rules, warnings, and last the passed and skipped rules.
	room := budget - len(p.render(mdKeep{}))
	if room < 0 && (p.charts != "" || p.inputs != "") {
		// Only a result with outsized inputs, models or plots gets here.
		p.charts = ""
		p.inputs = "_The inputs, models and charts are left out to stay under GitHub's 1 MiB limit for a summary; result.json lists them._\n"
		room = budget - len(p.render(mdKeep{}))
	}
	var keep mdKeep
	take := func(rows []string, extra func(i int) int) int {
		n := 0
		for i, row := range rows {
			cost := len(row) + 1 + extra(i)
			if cost > room {
				break
			}
			room -= cost
			n++
		}
		return n
	}
	none := func(int) int { return 0 }
	keep.table = take(p.table, none)
	if keep.table == len(p.table) {
		keep.warns = take(p.warns, none)
	}
	if keep.table == len(p.table) && keep.warns == len(p.warns) {
		var flat []string
		for _, g := range p.rest {
			flat = append(flat, g.rows...)
		}
		head := map[int]int{}
		i := 0
		for _, g := range p.rest {
			head[i] = len(g.head) + len(mdGroupHeader) + 3
			i += len(g.rows)
		}
		keep.rest = take(flat, func(i int) int { return head[i] })
	}
	out = p.render(keep)
	// The estimate above is close; should it ever be short, cut more.
	for len(out) > budget && keep != (mdKeep{}) {
		switch {
		case keep.rest > 0:
			keep.rest = keep.rest * 9 / 10
		case keep.warns > 0:
			keep.warns = keep.warns * 9 / 10
		default:
			keep.table = keep.table * 9 / 10
		}
		out = p.render(keep)
	}
	return []byte(out)
}

// mdBuild lays out every piece of the summary.
func mdBuild(r *checks.Result, opts Options) *mdParts {
	p := &mdParts{r: r}
	p.title = mdTitle(r)

	// Failures and errors first, then warnings, each in result order.
	for _, rank := range []func(checks.Status) bool{
		func(s checks.Status) bool { return s == checks.Fail },
		func(s checks.Status) bool {
			return s != checks.Fail && s != checks.Warn && s != checks.Pass && s != checks.Skip
		},
		func(s checks.Status) bool { return s == checks.Warn },
	} {
		for _, o := range r.Checks {
			if rank(o.Status) {
				p.table = append(p.table, "| "+mdStatus(o.Status)+" | "+mdCell(o.Check)+" | "+mdOutcomeCells(o)+" |")
			}
		}
	}

	for _, w := range r.Warnings {
		p.warns = append(p.warns, "- "+mdLine(w))
	}
	for _, o := range r.Checks {
		for _, w := range o.Warnings {
			p.warns = append(p.warns, "- "+mdLine(clean(o.Check)+" "+clean(o.Name)+": "+clean(w)))
		}
	}

	// Passed and skipped rules, grouped by check in order of appearance.
	index := map[string]int{}
	for _, o := range r.Checks {
		if o.Status != checks.Pass && o.Status != checks.Skip {
			continue
		}
		i, ok := index[o.Check]
		if !ok {
			i = len(p.rest)
			index[o.Check] = i
			name := mdCell(o.Check)
			if strings.TrimSpace(o.Check) == "" {
				name = "(unnamed check)"
			}
			p.rest = append(p.rest, mdGroup{head: "**" + name + "**"})
		}
		p.rest[i].rows = append(p.rest[i].rows, "| "+mdStatus(o.Status)+" | "+mdOutcomeCells(o)+" |")
		p.nRest++
	}

	p.replay = mdReplay(r.Replay)
	p.inputs = mdInputs(r)
	if len(r.Command) > 0 {
		p.command = mdCodeBlock("sh", truncate(shellJoin(r.Command), mdMaxCommand))
	}
	p.charts = mdCharts(r.Plots, opts.ChartDir)
	return p
}

// render writes the summary keeping the given number of rows of each list.
func (p *mdParts) render(keep mdKeep) string {
	var b strings.Builder
	b.WriteString(p.title + "\n")

	if len(p.table) > 0 {
		b.WriteString("\n" + mdOutcomeHeader)
		for _, row := range p.table[:keep.table] {
			b.WriteString(row + "\n")
		}
		if left := len(p.table) - keep.table; left > 0 {
			fmt.Fprintf(&b, "\n_%s left out to stay under GitHub's 1 MiB limit for a summary; result.json and the JUnit report list them all._\n",
				mdCount(left, "more failed, errored or warned rule", "more failed, errored or warned rules"))
		}
	}

	if p.replay != "" {
		b.WriteString("\n" + p.replay)
	}

	if len(p.warns) > 0 {
		b.WriteString("\n**" + mdCount(len(p.warns), "warning", "warnings") + "**\n\n")
		for _, w := range p.warns[:keep.warns] {
			b.WriteString(w + "\n")
		}
		if left := len(p.warns) - keep.warns; left > 0 {
			fmt.Fprintf(&b, "- _%s left out to stay under GitHub's 1 MiB limit for a summary_\n", mdCount(left, "more warning", "more warnings"))
		}
	}

	if p.nRest > 0 {
		n := map[checks.Status]int{}
		for _, o := range p.r.Checks {
			n[o.Status]++
		}
		var what []string
		if n[checks.Pass] > 0 {
			what = append(what, checks.Thousands(int64(n[checks.Pass]))+" passed")
		}
		if n[checks.Skip] > 0 {
			what = append(what, checks.Thousands(int64(n[checks.Skip]))+" skipped")
		}
		b.WriteString("\n<details>\n<summary>" + strings.Join(what, ", ") + "</summary>\n")
		left := keep.rest
		for _, g := range p.rest {
			if left == 0 {
				break
			}
			rows := g.rows[:min(left, len(g.rows))]
			left -= len(rows)
			b.WriteString("\n" + g.head + "\n\n" + mdGroupHeader)
			for _, row := range rows {
				b.WriteString(row + "\n")
			}
		}
		if cut := p.nRest - keep.rest; cut > 0 {
			fmt.Fprintf(&b, "\n_%s left out to stay under GitHub's 1 MiB limit for a summary; result.json and the JUnit report list them all._\n",
				mdCount(cut, "passed or skipped rule", "passed or skipped rules"))
		}
		b.WriteString("\n</details>\n")
	}

	if p.inputs != "" {
		b.WriteString("\n" + p.inputs)
	}
	if p.command != "" {
		b.WriteString("\n**Reproduce**\n\n" + p.command)
	}
	if p.charts != "" {
		b.WriteString("\n" + p.charts)
	}
	return b.String()
}

// mdTitle is the first line: verdict and counts.
func mdTitle(r *checks.Result) string {
	n := map[checks.Status]int{}
	for _, o := range r.Checks {
		switch o.Status {
		case checks.Pass, checks.Warn, checks.Fail, checks.Skip:
			n[o.Status]++
		default:
			n[checks.Error]++
		}
	}
	var counts []string
	counts = append(counts, checks.Thousands(int64(n[checks.Fail]))+" failed")
	if n[checks.Error] > 0 {
		counts = append(counts, mdCount(n[checks.Error], "error", "errors"))
	}
	counts = append(counts,
		mdCount(n[checks.Warn], "warning", "warnings"),
		checks.Thousands(int64(n[checks.Pass]))+" passed",
		checks.Thousands(int64(n[checks.Skip]))+" skipped")
	text := strings.Join(counts, ", ")

	icon, word := mdVerdictIcon(r.Verdict), mdEscape(statusWord(r.Verdict))
	switch {
	case r.Incomplete:
		icon, word = "❌", "INCOMPLETE"
		text = "the run did not finish; partial results: " + text
	case len(r.Checks) == 0:
		text = "no checks ran"
	}
	title := "### " + icon + " replaygate " + word + ": " + text
	var about []string
	if r.Spec != "" {
		about = append(about, "spec "+mdLine(r.Spec))
	}
	if v := strings.TrimSpace(r.Tool.Name + " " + r.Tool.Version); v != "" {
		about = append(about, mdLine(v))
	}
	if len(about) > 0 {
		title += "\n\n" + strings.Join(about, " · ")
	}
	return title
}

func mdVerdictIcon(s checks.Status) string {
	switch s {
	case checks.Pass:
		return "✅"
	case checks.Warn:
		return "⚠️"
	case checks.Fail, checks.Error:
		return "❌"
	}
	return "❔"
}

// mdStatus is the Status cell: an icon and the status word.
func mdStatus(s checks.Status) string {
	switch s {
	case checks.Pass:
		return "✅ pass"
	case checks.Warn:
		return "⚠️ warn"
	case checks.Fail:
		return "❌ fail"
	case checks.Skip:
		return "⏭️ skip"
	case checks.Error:
		return "💥 error"
	}
	return "❔ " + mdCell(string(s))
}

// mdOutcomeCells are the Rule, Value, Limit, Rows and Detail cells.
func mdOutcomeCells(o checks.Outcome) string {
	return strings.Join([]string{
		mdCell(o.Name),
		optNumber(o.Value),
		mdCell(o.Limit),
		checks.Thousands(o.Rows),
		mdCell(detail(o)),
	}, " | ")
}

// mdReplay accounts for the replayed rows, with up to mdMaxExamples rows
// that failed to score.
func mdReplay(rs *checks.ReplayStats) string {
	if rs == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("**Replay:** ")
	if rs.RowsRead > 0 {
		b.WriteString(mdCount64(rs.RowsRead, "row", "rows") + " read, ")
	}
	fmt.Fprintf(&b, "%s replayed = %s scored + %s", mdCount64(rs.Rows, "row", "rows"),
		checks.Thousands(rs.Scored), mdCount64(rs.Errors, "error", "errors"))
	if classes := rankedErrorClasses(rs.ErrorClasses); len(classes) > 0 {
		parts := make([]string, 0, 6)
		for i, c := range classes {
			if i == 5 {
				parts = append(parts, fmt.Sprintf("%d more", len(classes)-i))
				break
			}
			parts = append(parts, mdEscape(truncate(clean(c.name), 60))+" "+checks.Thousands(c.n))
		}
		b.WriteString(" (" + strings.Join(parts, ", ") + ")")
	}
	fmt.Fprintf(&b, ", %s, %s, %s rows/s", mdCount64(rs.Timeouts, "timeout", "timeouts"),
		formatSeconds(rs.DurationS), formatNumber(rs.RowsPerS))
	if rs.Mode != "" {
		b.WriteString(", mode " + mdLine(truncate(clean(rs.Mode), 60)))
		if rs.LateSends > 0 {
			b.WriteString(", " + mdCount64(rs.LateSends, "late send", "late sends"))
		}
	}
	b.WriteString("\n")
	if len(rs.ErrorExamples) > 0 {
		b.WriteString("\n")
		for i, e := range rs.ErrorExamples {
			if i == mdMaxExamples {
				break
			}
			b.WriteString("- row " + mdLine(e.Row) + " (" + mdEscape(clean(e.Class)) + "): " + mdEscape(truncate(clean(e.Error), mdMaxCell)) + "\n")
		}
	}
	return b.String()
}

// mdInputs lists the inputs and models with short fingerprints, collapsed.
func mdInputs(r *checks.Result) string {
	if len(r.Inputs) == 0 && len(r.Models) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("<details>\n<summary>Inputs and models</summary>\n")
	if len(r.Inputs) > 0 {
		b.WriteString("\n| Input | Path | Rows | SHA-256 |\n| --- | --- | ---: | --- |\n")
		for i, in := range r.Inputs {
			if i == mdMaxInputs {
				fmt.Fprintf(&b, "\n_and %s_\n", mdCount(len(r.Inputs)-i, "more input", "more inputs"))
				break
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(in.Role), mdCell(in.Path), checks.Thousands(in.Rows), mdCell(shortHash(in.SHA256)))
		}
	}
	if len(r.Models) > 0 {
		b.WriteString("\n| Model | Type | Path | Details | Fingerprint |\n| --- | --- | --- | --- | --- |\n")
		for _, m := range r.Models {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdCell(m.Role), mdCell(m.Type), mdCell(m.Path), mdCell(m.Details), mdCell(shortHash(m.Fingerprint)))
		}
	}
	b.WriteString("\n</details>\n")
	return b.String()
}

// mdCharts links the PNG of every plot of a known kind under dir.
func mdCharts(plots []checks.Plot, dir string) string {
	if dir == "" {
		return ""
	}
	var b strings.Builder
	for _, p := range plots {
		if !slices.Contains(mdChartKinds, p.Kind) {
			continue
		}
		title := p.Title
		if strings.TrimSpace(title) == "" {
			title = p.Name
		}
		if b.Len() == 0 {
			b.WriteString("**Charts**\n")
		}
		b.WriteString("\n![" + mdLine(title) + "](" + mdURL(dir, ChartFile(p)) + ")\n")
	}
	return b.String()
}

// mdURL is the relative URL of file in dir, each segment escaped; dir is a
// path with '/' (or '\') between its folders.
func mdURL(dir, file string) string {
	dir = strings.TrimRight(strings.ReplaceAll(dir, `\`, "/"), "/")
	if dir == "" {
		return "/" + url.PathEscape(file) // dir was the root folder
	}
	segs := strings.Split(dir, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(append(segs, url.PathEscape(file)), "/")
}

// mdCodeBlock fences text (one line) with more backticks than it holds in
// a row.
func mdCodeBlock(lang, text string) string {
	longest, run := 0, 0
	for _, r := range text {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + lang + "\n" + text + "\n" + fence + "\n"
}

// mdCell makes a string from the Result a table cell: one line, at most
// mdMaxCell columns, escaped.
func mdCell(s string) string {
	return mdEscape(truncate(strings.TrimSpace(clean(s)), mdMaxCell))
}

// mdLine makes a string from the Result a line of text (a list item, a
// paragraph): one line, at most mdMaxLine columns, escaped, and unable to
// start a heading, list or quote.
func mdLine(s string) string {
	s = strings.TrimSpace(clean(s))
	s = mdEscape(truncate(s, mdMaxLine))
	if s != "" && strings.ContainsRune("#-+=>", rune(s[0])) {
		return `\` + s
	}
	// "1." or "1)" would start an ordered list.
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') {
		return s[:i] + `\` + s[i:]
	}
	return s
}

// mdEscape escapes a clean (one-line, printable) string for Markdown: the
// characters that make emphasis, code, links, images, strike-through, math
// and table cells are backslash-escaped, '<' and '&' (HTML) are written as
// entities, and a backslash as an entity, so that no backslash from the
// text can combine with the escapes. An underscore inside a word
// ("max_drop") cannot make emphasis and is left alone.
func mdEscape(s string) string {
	if !strings.ContainsAny(s, "\\`*_[]|<&~$") {
		return s
	}
	var b strings.Builder
	prev := rune(0)
	for i, r := range s {
		switch r {
		case '\\':
			b.WriteString("&#92;")
		case '<':
			b.WriteString("&lt;")
		case '&':
			b.WriteString("&amp;")
		case '_':
			next, _ := utf8.DecodeRuneInString(s[i+1:])
			if !mdWordChar(prev) || !mdWordChar(next) {
				b.WriteByte('\\')
			}
			b.WriteByte('_')
		case '`', '*', '[', ']', '|', '~', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// mdWordChar reports whether r is an ASCII letter or digit.
func mdWordChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

func mdCount(n int, one, many string) string {
	return mdCount64(int64(n), one, many)
}

func mdCount64(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return checks.Thousands(n) + " " + many
}
