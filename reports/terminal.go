package reports

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

// Terminal writes the human summary of r: a header (tool, spec, inputs,
// models, replay), one table of the rules' outcomes (failures first), the
// warnings, and a one-line verdict.
//
// Without opts.Verbose the passing rules of a check are condensed into one
// line and details are cut to fit opts.Width. Every string taken from the
// Result is printed with control characters escaped, so with opts.Color
// false the output holds no escape byte at all.
func Terminal(w io.Writer, r *checks.Result, opts Options) error {
	if r == nil {
		return errs.Run("", "terminal report: no result to render")
	}
	t := &terminal{r: r, opts: opts, width: opts.width()}
	var b bytes.Buffer
	t.header(&b)
	if err := t.table(&b); err != nil {
		return err
	}
	t.warnings(&b)
	t.verdict(&b)
	return writeAll(w, "terminal report", b.Bytes())
}

type terminal struct {
	r     *checks.Result
	opts  Options
	width int
}

// ANSI SGR parameters.
const (
	sgrBold   = "1"
	sgrDim    = "2"
	sgrRed    = "31"
	sgrGreen  = "32"
	sgrYellow = "33"
)

// paint wraps s in the given SGR parameters when colour is on.
func (t *terminal) paint(s string, sgr ...string) string {
	if !t.opts.Color || s == "" {
		return s
	}
	return "\x1b[" + strings.Join(sgr, ";") + "m" + s + "\x1b[0m"
}

// statusColor is the colour of a status word.
func statusColor(s checks.Status) string {
	switch s {
	case checks.Pass:
		return sgrGreen
	case checks.Warn:
		return sgrYellow
	case checks.Fail, checks.Error:
		return sgrRed
	}
	return sgrDim
}

// statusRank orders the table: the rules that need attention first.
func statusRank(s checks.Status) int {
	switch s {
	case checks.Fail:
		return 0
	case checks.Error:
		return 1
	case checks.Warn:
		return 2
	case checks.Skip:
		return 3
	case checks.Pass:
		return 4
	}
	return 5
}

func statusWord(s checks.Status) string {
	if s == "" {
		return "?"
	}
	return strings.ToUpper(clean(string(s)))
}

// labelWidth is the width of the header's label column ("inputs", "models",
// "replay", "command") including the gap after it.
const labelWidth = 9

// header writes the run's identity: tool, spec, inputs, models, replay.
func (t *terminal) header(b *bytes.Buffer) {
	r := t.r
	var first []string
	if id := strings.TrimSpace(clean(r.Tool.Name) + " " + clean(r.Tool.Version)); id != "" {
		first = append(first, id)
	}
	if r.Spec != "" {
		first = append(first, "spec "+clean(r.Spec))
	}
	wrote := false
	if len(first) > 0 {
		b.WriteString(strings.Join(first, "  ") + "\n")
		wrote = true
	}
	if t.opts.Verbose && len(r.Command) > 0 {
		t.block(b, "command", [][]string{{shellJoin(r.Command)}})
		wrote = true
	}
	if len(r.Inputs) > 0 {
		rows := make([][]string, len(r.Inputs))
		for i, in := range r.Inputs {
			rows[i] = []string{clean(in.Role), clean(in.Path), plural64(in.Rows, "row", "rows"), t.hash(in.SHA256)}
		}
		t.block(b, "inputs", rows, 2)
		wrote = true
	}
	if len(r.Models) > 0 {
		// Model paths only in verbose reports, and only when there are any.
		paths := t.opts.Verbose && slices.ContainsFunc(r.Models, func(m checks.Model) bool { return m.Path != "" })
		rows := make([][]string, len(r.Models))
		for i, m := range r.Models {
			rows[i] = []string{clean(m.Role), clean(m.Type)}
			if paths {
				rows[i] = append(rows[i], clean(m.Path))
			}
			rows[i] = append(rows[i], clean(m.Details), t.hash(m.Fingerprint))
		}
		t.block(b, "models", rows)
		wrote = true
	}
	if rs := r.Replay; rs != nil {
		t.block(b, "replay", [][]string{{t.replayLine(rs)}})
		if t.opts.Verbose && len(rs.ErrorExamples) > 0 {
			rows := make([][]string, len(rs.ErrorExamples))
			for i, e := range rs.ErrorExamples {
				rows[i] = []string{clean(e.Row), clean(e.Class), clean(e.Error)}
			}
			t.block(b, "", rows)
		}
		wrote = true
	}
	if wrote {
		b.WriteByte('\n')
	}
}

// hash shortens a fingerprint unless the report is verbose.
func (t *terminal) hash(fp string) string {
	if t.opts.Verbose {
		return clean(fp)
	}
	return clean(shortHash(fp))
}

// replayLine accounts for the replayed rows: in = scored + errored, the
// error classes, and the speed.
func (t *terminal) replayLine(rs *checks.ReplayStats) string {
	s := fmt.Sprintf("%s = %s scored + %s errored", plural64(rs.Rows, "row", "rows"), checks.Thousands(rs.Scored), checks.Thousands(rs.Errors))
	var extra []string
	if len(rs.ErrorClasses) > 0 {
		type class struct {
			name string
			n    int64
		}
		classes := make([]class, 0, len(rs.ErrorClasses))
		for name, n := range rs.ErrorClasses {
			classes = append(classes, class{clean(name), n})
		}
		slices.SortFunc(classes, func(a, b class) int {
			return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.name, b.name))
		})
		const shown = 5
		var parts []string
		for i, c := range classes {
			if i == shown && !t.opts.Verbose {
				parts = append(parts, fmt.Sprintf("%d more", len(classes)-shown))
				break
			}
			parts = append(parts, c.name+" "+checks.Thousands(c.n))
		}
		extra = append(extra, strings.Join(parts, ", "))
	}
	if rs.Timeouts > 0 {
		extra = append(extra, plural64(rs.Timeouts, "timeout", "timeouts"))
	}
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, "; ") + ")"
	}
	return s + ", " + formatSeconds(rs.DurationS) + ", " + formatNumber(rs.RowsPerS) + " rows/s"
}

// block writes rows with their columns aligned (the columns listed in right
// aligned to the right), the label in front of the first row.
func (t *terminal) block(b *bytes.Buffer, label string, rows [][]string, right ...int) {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	for n, row := range rows {
		var line strings.Builder
		if n == 0 {
			line.WriteString(label)
			line.WriteString(strings.Repeat(" ", max(labelWidth-displayWidth(label), 1)))
		} else {
			line.WriteString(strings.Repeat(" ", labelWidth))
		}
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-displayWidth(cell))
			if slices.Contains(right, i) {
				line.WriteString(pad + cell)
			} else {
				line.WriteString(cell + pad)
			}
			if i < len(row)-1 {
				line.WriteString("  ")
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// Columns of the outcome table.
var tableHeader = []string{"STATUS", "CHECK", "RULE", "VALUE", "LIMIT", "ROWS", "DETAIL"}

const (
	colStatus = 0
	colDetail = 6
	colGap    = 2  // spaces between columns
	minDetail = 40 // the DETAIL column is never cut shorter than this
)

type tableRow struct {
	status checks.Status
	cells  []string
}

// rows builds the table's rows in display order.
func (t *terminal) rows() []tableRow {
	outs := slices.Clone(t.r.Checks)
	slices.SortStableFunc(outs, func(a, b checks.Outcome) int {
		return cmp.Compare(statusRank(a.Status), statusRank(b.Status))
	})
	// Condense the passing rules of each check into one row, in the order
	// the checks first appear, unless the report is verbose.
	passing := map[string]int{}
	if !t.opts.Verbose {
		for _, o := range outs {
			if o.Status == checks.Pass {
				passing[o.Check]++
			}
		}
	}
	var rows []tableRow
	for _, o := range outs {
		if n := passing[o.Check]; o.Status == checks.Pass && n > 1 {
			rows = append(rows, tableRow{checks.Pass, []string{statusWord(checks.Pass), clean(o.Check), fmt.Sprintf("%d rules", n), "", "", "", "all passed"}})
			passing[o.Check] = -1 // written
			continue
		} else if o.Status == checks.Pass && n < 0 {
			continue
		}
		rows = append(rows, tableRow{o.Status, []string{
			statusWord(o.Status),
			clean(o.Check),
			clean(o.Name),
			optNumber(o.Value),
			clean(o.Limit),
			checks.Thousands(o.Rows),
			detail(o),
		}})
	}
	return rows
}

func optNumber(v *float64) string {
	if v == nil {
		return ""
	}
	return formatNumber(*v)
}

// detail is the DETAIL cell of an outcome: the comparison with the baseline
// (compact, so it survives truncation), the message, and example rows.
func detail(o checks.Outcome) string {
	var parts []string
	var cmp []string
	if o.Baseline != nil {
		cmp = append(cmp, "baseline "+formatNumber(*o.Baseline))
	}
	if o.Delta != nil {
		cmp = append(cmp, "delta "+formatSigned(*o.Delta))
	}
	if len(o.CI) > 0 {
		cmp = append(cmp, "CI "+formatInterval(o.CI))
	}
	if len(cmp) > 0 {
		parts = append(parts, strings.Join(cmp, ", "))
	}
	if o.Message != "" {
		parts = append(parts, clean(o.Message))
	}
	if len(o.Examples) > 0 {
		ex := make([]string, len(o.Examples))
		for i, e := range o.Examples {
			ex[i] = clean(e)
		}
		parts = append(parts, "e.g. "+strings.Join(ex, ", "))
	}
	return strings.Join(parts, "; ")
}

// table writes the outcome table.
func (t *terminal) table(b *bytes.Buffer) error {
	rows := t.rows()
	if len(rows) == 0 {
		return nil
	}
	if !t.opts.Verbose {
		used := 0
		for c := range colDetail {
			w := displayWidth(tableHeader[c])
			for _, row := range rows {
				w = max(w, displayWidth(row.cells[c]))
			}
			used += w + colGap
		}
		room := max(t.width-used, minDetail)
		for _, row := range rows {
			row.cells[colDetail] = truncate(row.cells[colDetail], room)
		}
	}
	align := tw.Alignment{tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignLeft, tw.AlignRight, tw.AlignLeft}
	var tb bytes.Buffer
	table := tablewriter.NewTable(&tb,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders:  tw.BorderNone,
			Symbols:  tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{Lines: tw.LinesNone, Separators: tw.SeparatorsNone},
		})),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: strings.Repeat(" ", colGap), Overwrite: true}),
		tablewriter.WithAlignment(align),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
	)
	table.Header(tableHeader)
	for _, row := range rows {
		if err := table.Append(row.cells); err != nil {
			return errs.Run("", "terminal report: laying out the table: %v", err)
		}
	}
	if err := table.Render(); err != nil {
		return errs.Run("", "terminal report: laying out the table: %v", err)
	}
	// Colour the status words once the layout is done, so that the
	// layout never has to measure escape sequences. Each row is one line,
	// after the header line, and starts with its status word.
	n := 0
	for line := range strings.Lines(tb.String()) {
		line = strings.TrimRight(line, " \n")
		if n > 0 && n <= len(rows) {
			row := rows[n-1]
			if word := row.cells[colStatus]; strings.HasPrefix(line, word) {
				line = t.paint(word, statusColor(row.status)) + line[len(word):]
			}
		}
		b.WriteString(line + "\n")
		n++
	}
	b.WriteByte('\n')
	return nil
}

// warnings writes the Result's warnings, then the warnings of each rule.
func (t *terminal) warnings(b *bytes.Buffer) {
	var lines []string
	for _, w := range t.r.Warnings {
		lines = append(lines, clean(w))
	}
	for _, o := range t.r.Checks {
		for _, w := range o.Warnings {
			lines = append(lines, clean(o.Check)+" "+clean(o.Name)+": "+clean(w))
		}
	}
	if len(lines) == 0 {
		return
	}
	b.WriteString(t.paint(plural(len(lines), "warning", "warnings"), sgrYellow) + "\n")
	for _, l := range lines {
		b.WriteString("  - " + l + "\n")
	}
	b.WriteByte('\n')
}

// verdict writes the last line: the verdict and what it rests on.
func (t *terminal) verdict(b *bytes.Buffer) {
	r := t.r
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
	counts := fmt.Sprintf("%s passed, %s, %s failed, %s skipped",
		checks.Thousands(int64(n[checks.Pass])), plural(n[checks.Warn], "warning", "warnings"),
		checks.Thousands(int64(n[checks.Fail])), checks.Thousands(int64(n[checks.Skip])))
	if n[checks.Error] > 0 {
		counts += ", " + plural(n[checks.Error], "error", "errors")
	}

	word := statusWord(r.Verdict)
	color := statusColor(r.Verdict)
	var text string
	switch {
	case r.Incomplete:
		word, color = "INCOMPLETE", sgrRed
		text = "the run did not finish; partial results: " + counts
	case len(r.Checks) == 0:
		text = "no checks ran"
	case r.Verdict == checks.Fail && len(failed)+len(errored) > 0:
		var sections []section
		if len(failed) > 0 {
			sections = append(sections, section{checks.Thousands(int64(len(failed))) + " failed: ", failed})
		}
		if len(errored) > 0 {
			sections = append(sections, section{plural(len(errored), "error", "errors") + ": ", errored})
		}
		budget := t.width - displayWidth(word) - 2
		if t.opts.Verbose {
			budget = -1
		}
		text = failureList(sections, budget)
	default:
		text = counts
	}
	b.WriteString(t.paint(word, sgrBold, color) + "  " + text + "\n")
}

// A section of the verdict line: a title and the rules it names.
type section struct {
	title string
	outs  []checks.Outcome
}

// failureList writes "2 failed: contract age.max, output.range; segments
// auc[country=DE]" for each section, ending with "and N more" where the
// names would not fit in budget columns (no limit when budget < 0).
func failureList(sections []section, budget int) string {
	type item struct{ sep, text string }
	var items []item
	for s, sec := range sections {
		for i, o := range sec.outs {
			sep, text := ", ", clean(o.Name)
			if i == 0 || o.Check != sec.outs[i-1].Check {
				sep, text = "; ", clean(o.Check)+" "+text
			}
			if i == 0 {
				text = sec.title + text
			}
			if s == 0 && i == 0 {
				sep = ""
			}
			items = append(items, item{sep, text})
		}
	}
	var line string
	for i, it := range items {
		next := line + it.sep + it.text
		if budget >= 0 && i > 0 {
			need := displayWidth(next)
			if rest := len(items) - i - 1; rest > 0 {
				need += displayWidth(fmt.Sprintf(" and %d more", rest))
			}
			if need > budget {
				return line + fmt.Sprintf(" and %d more", len(items)-i)
			}
		}
		line = next
	}
	return line
}

func plural64(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return checks.Thousands(n) + " " + many
}

// shellJoin quotes args for a POSIX shell where needed.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		a = clean(a)
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,@%+", r))
		}) < 0 {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}
