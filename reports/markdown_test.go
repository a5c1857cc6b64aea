package reports

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

func renderMarkdownT(t *testing.T, r *checks.Result, opts Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := Markdown(&b, r, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMarkdownGolden(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			var opts Options
			if v.name == "full" {
				opts.ChartDir = "charts"
			}
			got := renderMarkdownT(t, v.make(), opts)
			golden(t, v.name+".markdown.golden", []byte(got))
			if again := renderMarkdownT(t, v.make(), opts); got != again {
				t.Errorf("two renderings of the same result differ")
			}
			checkMarkdownTables(t, got)
		})
	}
}

func TestMarkdownFirstLine(t *testing.T) {
	tests := []struct {
		variant, want string
	}{
		{"full", "### ❌ replaygate FAIL: 3 failed, 1 error, 2 warnings, 8 passed, 2 skipped"},
		{"passing", "### ✅ replaygate PASS: 0 failed, 1 warning, 3 passed, 1 skipped"},
		{"incomplete", "### ❌ replaygate INCOMPLETE: the run did not finish; partial results: 1 failed, 0 warnings, 2 passed, 0 skipped"},
		{"empty", "### ❌ replaygate FAIL: no checks ran"},
	}
	for _, tt := range tests {
		for _, v := range variants {
			if v.name != tt.variant {
				continue
			}
			got := renderMarkdownT(t, v.make(), Options{})
			if first, _, _ := strings.Cut(got, "\n"); first != tt.want {
				t.Errorf("%s: first line\n%s\nwant\n%s", tt.variant, first, tt.want)
			}
		}
	}
}

// mdStatuses returns the Status cell of every table row of md that holds
// an outcome.
func mdStatuses(md string) []string {
	var out []string
	for line := range strings.Lines(md) {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| Status") || strings.HasPrefix(line, "| ---") {
			continue
		}
		cells := splitMarkdownRow(strings.TrimSpace(line))
		out = append(out, cells[0])
	}
	return out
}

func TestMarkdownOrder(t *testing.T) {
	md := renderMarkdownT(t, sampleResult(), Options{})
	before, after, ok := strings.Cut(md, "<details>")
	if !ok {
		t.Fatalf("no <details> section:\n%s", md)
	}
	// Failures, then errors, then warnings, before the collapsed section;
	// passes and skips only inside it.
	want := []string{"❌ fail", "❌ fail", "❌ fail", "💥 error", "⚠️ warn", "⚠️ warn"}
	if got := mdStatuses(before); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("main table statuses %q, want %q", got, want)
	}
	collapsed, _, _ := strings.Cut(after, "</details>")
	for _, s := range mdStatuses(collapsed) {
		if s != "✅ pass" && s != "⏭️ skip" {
			t.Errorf("%q in the collapsed section", s)
		}
	}
	// Grouped by check, in order of first appearance.
	var groups []string
	for line := range strings.Lines(collapsed) {
		if strings.HasPrefix(line, "**") {
			groups = append(groups, strings.Trim(strings.TrimSpace(line), "*"))
		}
	}
	if got := strings.Join(groups, ","); got != "contract,skew,segments,latency" {
		t.Errorf("groups %s", got)
	}
	for _, want := range []string{
		"**Replay:** 12,000 rows replayed = 11,955 scored + 45 errors (timeout 40, http_503 5), 40 timeouts, 2.41s, 4,972 rows/s",
		"- traffic: 3 duplicate request ids (first: r01234)",
		"- segments auc\\[country=FR\\]: only 41 positive labels; the interval is wide",
		"| traffic | fixtures/traffic/part-0.parquet | 12,000 | sha256:1a2b3c4d5e6f |",
		"| candidate | xgboost | fixtures/models/candidate.json | gbtree, 120 trees, binary:logistic | sha256:9f8e7d6c5b4a |",
		"```sh\nreplaygate run --spec fixtures/specs/regression.yaml --out-dir 'out dir'\n```\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("no %q in:\n%s", want, md)
		}
	}
}

func TestMarkdownReplayLine(t *testing.T) {
	rs := &checks.ReplayStats{RowsRead: 20000, Rows: 10000, Scored: 9999, Errors: 1, Timeouts: 1,
		DurationS: 2, RowsPerS: 5000, Mode: "rate", LateSends: 3}
	want := "**Replay:** 20,000 rows read, 10,000 rows replayed = 9,999 scored + 1 error, 1 timeout, 2s, 5,000 rows/s, mode rate, 3 late sends\n"
	if got := mdReplay(rs); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestMarkdownCharts(t *testing.T) {
	image := regexp.MustCompile(`(?m)^!\[(?:[^\[\]\\]|\\.)*\]\(([^()\s]*)\)$`)
	plots := samplePlots()
	var want []string
	for _, p := range plots {
		if p.Kind != "bar" { // the one kind no renderer knows
			want = append(want, "charts/"+ChartFile(p))
		}
	}
	for _, tt := range []struct {
		dir  string
		want []string
	}{
		{"charts", want},
		{"charts/", want},
		{"", nil},
		{"out dir/png (1)", []string{"out%20dir/png%20%281%29/latency.png"}},
		{`win\charts`, []string{"win/charts/latency.png"}},
	} {
		r := sampleResult()
		if len(tt.want) == 1 {
			r.Plots = r.Plots[:1]
		}
		md := renderMarkdownT(t, r, Options{ChartDir: tt.dir})
		var got []string
		for _, m := range image.FindAllStringSubmatch(md, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("ChartDir %q: images %q, want %q", tt.dir, got, tt.want)
		}
		if n := strings.Count(md, "!["); n != len(tt.want) {
			t.Errorf("ChartDir %q: %d image links, want %d", tt.dir, n, len(tt.want))
		}
	}
}

func TestMarkdownCellEscaping(t *testing.T) {
	tests := []struct{ in, want string }{
		{"auc[country=DE]", `auc\[country=DE\]`},
		{"[link](http://x)", `\[link\](http://x)`},
		{"a | b", `a \| b`},
		{`a \| b`, `a &#92;\| b`},
		{"trailing \\", "trailing &#92;"},
		{"line\nbreak\r\nx", "line break  x"},
		{"<script>&amp;", "&lt;script>&amp;amp;"},
		{"`code` *b* ~s~ $x$", "\\`code\\` \\*b\\* \\~s\\~ \\$x\\$"},
		{"max_drop _em_ x_", `max_drop \_em\_ x\_`},
		{"esc\x1b[31m nul\x00", `esc&#92;x1b\[31m nul&#92;x00`},
		{"bad \xff", "bad \uFFFD"},
		{strings.Repeat("x", 1000), strings.Repeat("x", mdMaxCell-3) + "..."},
	}
	for _, tt := range tests {
		if got := mdCell(tt.in); got != tt.want {
			t.Errorf("mdCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for in, want := range map[string]string{
		"# heading":  `\# heading`,
		"- item":     `\- item`,
		"> quote":    `\> quote`,
		"12. twelve": `12\. twelve`,
		"3) three":   `3\) three`,
		"2024 ok":    "2024 ok",
		"  # spaced": `\# spaced`,
	} {
		if got := mdLine(in); got != want {
			t.Errorf("mdLine(%q) = %q, want %q", in, got, want)
		}
	}

	// In a rendered table, every row keeps the header's columns.
	r := sampleResult()
	r.Checks[1].Name = "a|b\\|c\nd`e`[f](g)"
	r.Checks[1].Message = "pipes || and \\ backslashes \\\\|"
	md := renderMarkdownT(t, r, Options{})
	checkMarkdownTables(t, md)
	if !strings.Contains(md, `| a\|b&#92;\|c d\`+"`"+`e\`+"`"+`\[f\](g) |`) {
		t.Errorf("escaped name not found:\n%s", md)
	}
}

// splitMarkdownRow splits a table row at its unescaped pipes. The renderer
// never writes a backslash of the text raw, so a pipe after a backslash is
// an escaped one.
func splitMarkdownRow(line string) []string {
	var cells []string
	start := 0
	for i := 0; i < len(line); i++ {
		if line[i] == '|' && (i == 0 || line[i-1] != '\\') {
			cells = append(cells, strings.TrimSpace(line[start:i]))
			start = i + 1
		}
	}
	cells = append(cells, strings.TrimSpace(line[start:]))
	// A row starts and ends with a pipe: drop the empty ends.
	return cells[1 : len(cells)-1]
}

// checkMarkdownTables checks that every row of every table has as many
// cells as its header, and that no line of a table holds "\\|", which
// renderers read differently.
func checkMarkdownTables(t *testing.T, md string) {
	t.Helper()
	cols := 0
	tables := 0
	for n, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		if !strings.HasSuffix(line, " |") {
			t.Errorf("line %d: a table row that does not end in a pipe: %q", n+1, line)
			continue
		}
		if strings.Contains(line, `\\`) {
			t.Errorf("line %d: raw backslashes in a table row: %q", n+1, line)
		}
		cells := splitMarkdownRow(line)
		if cols == 0 {
			cols = len(cells)
			tables++
			continue
		}
		if len(cells) != cols {
			t.Errorf("line %d: %d cells, the header has %d: %q", n+1, len(cells), cols, line)
		}
	}
}

func TestMarkdownHostileStrings(t *testing.T) {
	allowedTags := regexp.MustCompile(`^</?(details|summary)>`)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			r := hostile(v.make())
			r.Command = append([]string{hostileStrings[6]}, r.Command...) // backticks
			md := renderMarkdownT(t, r, Options{ChartDir: "charts"})
			if !utf8.ValidString(md) {
				t.Fatal("invalid UTF-8")
			}
			for i, c := range md {
				if c < 0x20 && c != '\n' || c == 0x7f || (c >= 0x80 && c <= 0x9f) || isBidiControl(c) {
					t.Fatalf("control character %U at %d", c, i)
				}
			}
			checkMarkdownTables(t, md)
			// Outside code blocks: no HTML but the report's own, no link
			// but the chart images, no code, emphasis or math.
			inFence := false
			for n, line := range strings.Split(md, "\n") {
				if strings.HasPrefix(line, "```") {
					inFence = !inFence
					continue
				}
				if inFence {
					continue
				}
				for i := 0; i < len(line); i++ {
					if line[i] == '<' && !allowedTags.MatchString(line[i:]) {
						t.Errorf("line %d: raw '<' at %d: %q", n+1, i, line)
						break
					}
				}
				if strings.HasPrefix(line, "![") {
					continue
				}
				for i := 0; i < len(line); i++ {
					if strings.IndexByte("[]`*~$", line[i]) >= 0 && (i == 0 || line[i-1] != '\\') {
						if line[i] == '*' && (strings.HasPrefix(line[i:], "**") || strings.HasSuffix(line[:i+1], "**")) {
							continue // the report's own bold
						}
						t.Errorf("line %d: unescaped %q at %d: %q", n+1, line[i], i, line)
						break
					}
				}
				if len(line) > mdMaxLine*6+200 {
					t.Errorf("line %d is %d bytes long", n+1, len(line))
				}
			}
			if inFence {
				t.Errorf("a code block is not closed")
			}
			// The command is one line in a fence longer than its backticks.
			if _, block, ok := strings.Cut(md, "**Reproduce**\n\n"); !ok {
				t.Errorf("no reproduce block")
			} else if lines := strings.SplitN(block, "\n", 4); !strings.HasPrefix(lines[0], "````sh") || lines[2] != strings.TrimSuffix(lines[0], "sh") {
				t.Errorf("reproduce block %q", lines[:3])
			}
		})
	}
}

func TestMarkdownSizeCap(t *testing.T) {
	r := largeResult(50_000) // 5,000 failing, 45,000 passing
	md := renderMarkdownT(t, r, Options{ChartDir: "charts"})
	if len(md) > MarkdownMaxBytes {
		t.Fatalf("%d bytes, more than %d", len(md), MarkdownMaxBytes)
	}
	if len(md) < MarkdownMaxBytes*9/10 {
		t.Errorf("%d bytes: cut more than needed", len(md))
	}
	checkMarkdownTables(t, md)
	// Every failure is listed, in the main table.
	main, collapsed, _ := strings.Cut(md, "<details>")
	rules := map[string]bool{}
	for line := range strings.Lines(main) {
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| Status") && !strings.HasPrefix(line, "| ---") {
			rules[splitMarkdownRow(strings.TrimSpace(line))[2]] = true
		}
	}
	for i := 0; i < 50_000; i += 10 {
		if name := fmt.Sprintf("f%04d.max", i); !rules[name] {
			t.Fatalf("failing rule %q left out", name)
		}
	}
	if len(rules) != 5000 {
		t.Errorf("%d rules in the main table, want the 5,000 failing ones", len(rules))
	}
	// Passing rules kept plus those said to be left out make 45,000.
	passed, _, _ := strings.Cut(collapsed, "</details>")
	kept := len(mdStatuses(passed))
	m := regexp.MustCompile(`_([0-9,]+) passed or skipped rules left out to stay under GitHub's 1 MiB limit`).FindStringSubmatch(collapsed)
	if m == nil {
		t.Fatalf("no note of the rules left out")
	}
	var left int
	fmt.Sscanf(strings.ReplaceAll(m[1], ",", ""), "%d", &left)
	if kept == 0 || kept+left != 45_000 {
		t.Errorf("%d passing rules kept and %d left out, want 45,000 in all", kept, left)
	}
	// The sections after the list are all there.
	for _, want := range []string{"</details>", "Inputs and models", "**Reproduce**", "![Latency"} {
		if !strings.Contains(collapsed, want) {
			t.Errorf("%q cut away", want)
		}
	}

	// When even the failures do not fit, they are cut too, and said so.
	for i := range r.Checks {
		r.Checks[i].Status = checks.Fail
	}
	md = renderMarkdownT(t, r, Options{})
	if len(md) > MarkdownMaxBytes {
		t.Fatalf("all failing: %d bytes", len(md))
	}
	checkMarkdownTables(t, md)
	if !regexp.MustCompile(`_[0-9,]+ more failed, errored or warned rules left out`).MatchString(md) {
		t.Errorf("no note of the failures left out")
	}
	if strings.Contains(md, "<details>\n<summary>") && strings.Contains(md, "passed</summary>") {
		t.Errorf("a passed section with nothing passing")
	}
}

func TestMarkdownBudget(t *testing.T) {
	r := largeResult(2000)
	full := renderMarkdown(r, Options{}, MarkdownMaxBytes)
	for _, budget := range []int{len(full), len(full) - 1, 100_000, 20_000, mdMinBytes} {
		got := renderMarkdown(r, Options{}, budget)
		if len(got) > budget {
			t.Errorf("budget %d: %d bytes", budget, len(got))
		}
		if budget == len(full) && !bytes.Equal(got, full) {
			t.Errorf("budget %d: cut although it fits", budget)
		}
		if !bytes.HasPrefix(got, []byte("### ❌ replaygate FAIL: 200 failed")) {
			t.Errorf("budget %d: first line %q", budget, got[:min(len(got), 60)])
		}
		checkMarkdownTables(t, string(got))
	}
}

func TestMarkdownOutsizedPlots(t *testing.T) {
	r := sampleResult()
	for i := range 20_000 {
		r.Plots = append(r.Plots, checks.Plot{Name: fmt.Sprintf("feature_hist[f%05d]", i), Title: "a feature against its reference", Kind: checks.PlotFeatureHist})
	}
	md := renderMarkdownT(t, r, Options{ChartDir: "charts"})
	if len(md) > MarkdownMaxBytes {
		t.Fatalf("%d bytes", len(md))
	}
	if !strings.Contains(md, "_The inputs, models and charts are left out") || strings.Contains(md, "![") {
		t.Errorf("charts not left out:\n%s", md[:min(len(md), 2000)])
	}
	if !strings.Contains(md, "| ❌ fail | contract | age.max |") {
		t.Errorf("failures left out")
	}
}

func TestAppendStepSummary(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "step_summary.md")
	r := sampleResult()
	want := renderMarkdownT(t, r, Options{})

	if err := AppendStepSummary(path, r, Options{}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("a new file holds:\n%s\nwant the Markdown report", got)
	}
	// A second summary is appended after a blank line.
	if err := AppendStepSummary(path, passingResult(), Options{}); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(path)
	if wantBoth := want + "\n" + renderMarkdownT(t, passingResult(), Options{}); string(got) != wantBoth {
		t.Errorf("after a second append:\n%s", got)
	}

	// A file near the cap leaves less room.
	near := filepath.Join(dir, "near.md")
	prior := bytes.Repeat([]byte("x"), MarkdownMaxBytes-50_000)
	if err := os.WriteFile(near, prior, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := AppendStepSummary(near, largeResult(5000), Options{}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(near)
	if added := fi.Size() - int64(len(prior)); added > 50_001 || added < 10_000 {
		t.Errorf("appended %d bytes to a file with 50,000 bytes of room", added)
	}

	for _, bad := range []string{filepath.Join(dir, "missing", "summary.md"), dir} {
		err := AppendStepSummary(bad, r, Options{})
		if err == nil || errs.Code(err) != errs.CodeRun || !strings.Contains(err.Error(), bad) {
			t.Errorf("AppendStepSummary(%s) = %v (exit %d), want a run error naming the path", bad, err, errs.Code(err))
		}
		if strings.Count(err.Error(), bad) != 1 {
			t.Errorf("the path is repeated: %v", err)
		}
	}
	if err := AppendStepSummary("", r, Options{}); errs.Code(err) != errs.CodeRun {
		t.Errorf("empty path: %v", err)
	}
	if err := AppendStepSummary(path, nil, Options{}); errs.Code(err) != errs.CodeRun {
		t.Errorf("nil result: %v", err)
	}
}

func TestMarkdownErrors(t *testing.T) {
	if err := Markdown(&bytes.Buffer{}, nil, Options{}); errs.Code(err) != errs.CodeRun {
		t.Errorf("nil result: %v", err)
	}
	err := Markdown(failingWriter{}, sampleResult(), Options{})
	if errs.Code(err) != errs.CodeRun || !strings.Contains(err.Error(), "markdown report") {
		t.Errorf("failing writer: %v", err)
	}
}

func BenchmarkMarkdown(b *testing.B) {
	for _, n := range []int{1000, 50_000} {
		r := largeResult(n)
		b.Run(fmt.Sprintf("outcomes=%d", n), func(b *testing.B) {
			for b.Loop() {
				if err := Markdown(io.Discard, r, Options{ChartDir: "charts"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
