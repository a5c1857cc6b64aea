package reports

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

// The golden files under testdata/html/ are rendered with placeholder
// charts (htmlPlaceholderCharts: one per plot of a known kind, each the same
// 1x1 PNG) through renderHTML, the part of HTML that lays out a given list
// of charts. They pin the page's markup, including how a chart is embedded,
// without pinning the chart renderer's bytes, which change whenever a chart
// is drawn differently. TestHTMLEmbedsCharts checks the real charts: every
// chart Charts draws is embedded, byte for byte, as a data: URI.

// htmlPixelPNG is a valid 1x1 PNG.
var htmlPixelPNG = htmlMustBase64("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")

func htmlMustBase64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// htmlPlotKinds are the plot kinds Charts draws.
var htmlPlotKinds = []string{checks.PlotLatency, checks.PlotScores, checks.PlotReliability,
	checks.PlotSegmentDeltas, checks.PlotDrift, checks.PlotFeatureHist}

// htmlPlaceholderCharts stands in for Charts(r): one chart per plot of a known
// kind, in the order of r.Plots, each with the same tiny PNG.
func htmlPlaceholderCharts(r *checks.Result, pngData []byte, width, height int) []Chart {
	var out []Chart
	for _, p := range r.Plots {
		if !slices.Contains(htmlPlotKinds, p.Kind) {
			continue
		}
		out = append(out, Chart{Name: p.Name, Title: p.Title, Kind: p.Kind, File: ChartFile(p),
			PNG: pngData, Width: width, Height: height})
	}
	return out
}

func renderHTMLPage(t testing.TB, r *checks.Result, charts []Chart, chartErr error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := renderHTML(&b, r, charts, chartErr); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// renderWithPlaceholders renders r with placeholder charts: the tests of
// the page's content need no real chart, and drawing them takes time.
func renderWithPlaceholders(t testing.TB, r *checks.Result) []byte {
	t.Helper()
	return renderHTMLPage(t, r, htmlPlaceholderCharts(r, htmlPixelPNG, 640, 400), nil)
}

func renderHTMLReport(t testing.TB, r *checks.Result) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func htmlParse(t testing.TB, page []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatalf("the page does not parse: %v", err)
	}
	return doc
}

// htmlWalk calls fn for every node under n, in document order.
func htmlWalk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		htmlWalk(c, fn)
	}
}

func htmlElements(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	htmlWalk(n, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
	})
	return out
}

func htmlAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val, true
		}
	}
	return "", false
}

func htmlByID(doc *html.Node, id string) *html.Node {
	var found *html.Node
	htmlWalk(doc, func(n *html.Node) {
		if v, ok := htmlAttr(n, "id"); ok && v == id && found == nil {
			found = n
		}
	})
	return found
}

// htmlText is the text content of n with runs of white space collapsed,
// block elements separated by a space as a browser shows them on lines of
// their own.
func htmlText(n *html.Node) string {
	var b strings.Builder
	htmlWalk(n, func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
		case html.ElementNode:
			switch n.Data {
			case "p", "div", "ul", "li", "details", "summary", "td", "th", "tr", "dt", "dd", "h1", "h2", "h3", "pre":
				b.WriteByte(' ')
			}
		}
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// htmlCells is the text of each cell of a table row.
func htmlCells(tr *html.Node) []string {
	var out []string
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
			out = append(out, htmlText(c))
		}
	}
	return out
}

func TestHTMLGolden(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			r := v.make()
			got := renderHTMLPage(t, r, htmlPlaceholderCharts(r, htmlPixelPNG, 640, 400), nil)
			golden(t, "html/"+v.name+".html.golden", got)
			if again := renderHTMLPage(t, v.make(), htmlPlaceholderCharts(r, htmlPixelPNG, 640, 400), nil); !bytes.Equal(got, again) {
				t.Errorf("two renderings of the same result differ")
			}
		})
	}
}

// TestHTMLDeterministic renders through HTML itself, real charts included.
func TestHTMLDeterministic(t *testing.T) {
	for _, v := range variants {
		first := renderHTMLReport(t, v.make())
		if again := renderHTMLReport(t, v.make()); !bytes.Equal(first, again) {
			t.Errorf("%s: two renderings of the same result differ", v.name)
		}
	}
}

// htmlCheckSelfContained fails when the page could load anything from
// anywhere: every src is a PNG data: URI, every href a link inside the
// page, and there is no script, external style, frame, object or base.
func htmlCheckSelfContained(t *testing.T, page []byte) {
	t.Helper()
	doc := htmlParse(t, page)
	urlAttrs := []string{"src", "href", "srcset", "action", "formaction", "poster", "data", "cite",
		"background", "ping", "manifest", "longdesc", "xlink:href", "style"}
	htmlWalk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "script", "link", "iframe", "frame", "object", "embed", "base", "video", "audio", "source", "form":
			t.Errorf("<%s> element in a self-contained page", n.Data)
		case "meta":
			if _, ok := htmlAttr(n, "http-equiv"); ok {
				t.Errorf("<meta http-equiv> in the page")
			}
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s %s=...>: event handler attribute", n.Data, a.Key)
			}
			if !slices.Contains(urlAttrs, a.Key) {
				continue
			}
			v := strings.TrimSpace(a.Val)
			lower := strings.ToLower(v)
			if strings.HasPrefix(lower, "http:") || strings.HasPrefix(lower, "https:") || strings.HasPrefix(lower, "//") ||
				strings.Contains(lower, "://") {
				t.Errorf("<%s %s=%q>: an external URL", n.Data, a.Key, v)
			}
			switch {
			case n.Data == "img" && a.Key == "src":
				if !strings.HasPrefix(v, "data:image/png;base64,") {
					t.Errorf("<img src=%.40q>: not a PNG data: URI", v)
				}
			case a.Key == "href":
				if !strings.HasPrefix(v, "#") {
					t.Errorf("<%s href=%q>: not a link inside the page", n.Data, v)
				}
			default:
				t.Errorf("<%s %s=%.40q>: unexpected URL attribute", n.Data, a.Key, v)
			}
		}
	})
	styles := htmlElements(doc, "style")
	if len(styles) != 1 {
		t.Fatalf("%d <style> elements, want 1", len(styles))
	}
	css := strings.ToLower(htmlText(styles[0]))
	for _, bad := range []string{"url(", "@import", "http:", "https:", "@font-face"} {
		if strings.Contains(css, bad) {
			t.Errorf("the style sheet holds %q", bad)
		}
	}
}

func TestHTMLSelfContained(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			r := v.make()
			htmlCheckSelfContained(t, renderHTMLReport(t, r))
			htmlCheckSelfContained(t, renderHTMLPage(t, r, htmlPlaceholderCharts(r, htmlPixelPNG, 640, 400), nil))
		})
	}
	r := hostileHTMLResult()
	htmlCheckSelfContained(t, renderHTMLPage(t, r, htmlHostileCharts(), nil))
}

func TestHTMLDocument(t *testing.T) {
	for _, tt := range []struct {
		variant string
		title   string
		banner  []string
	}{
		{"full", "FAIL · fixtures/specs/regression.yaml · replaygate report",
			[]string{"FAIL", "3 failed: contract age.max, output.range; segments auc[country=DE]; 1 error: latency p99",
				"8 passed, 2 warnings, 3 failed, 2 skipped, 1 error"}},
		{"passing", "PASS · fixtures/specs/demo.yaml · replaygate report",
			[]string{"PASS", "3 passed, 1 warning, 0 failed, 1 skipped"}},
		{"incomplete", "FAIL (incomplete run) · fixtures/specs/regression.yaml · replaygate report",
			[]string{"FAIL INCOMPLETE RUN", "The run did not finish: these are partial results.", "1 failed: contract age.max"}},
		{"empty", "FAIL · replaygate report", []string{"FAIL", "No checks ran."}},
	} {
		t.Run(tt.variant, func(t *testing.T) {
			var r *checks.Result
			for _, v := range variants {
				if v.name == tt.variant {
					r = v.make()
				}
			}
			doc := htmlParse(t, renderWithPlaceholders(t, r))
			htmls := htmlElements(doc, "html")
			if lang, _ := htmlAttr(htmls[0], "lang"); lang != "en" {
				t.Errorf(`<html lang=%q>, want "en"`, lang)
			}
			charset := false
			for _, m := range htmlElements(doc, "meta") {
				if v, ok := htmlAttr(m, "charset"); ok && strings.EqualFold(v, "utf-8") {
					charset = true
				}
			}
			if !charset {
				t.Errorf(`no <meta charset="utf-8">`)
			}
			if titles := htmlElements(doc, "title"); len(titles) != 1 || htmlText(titles[0]) != tt.title {
				t.Errorf("title %q, want %q", htmlText(titles[0]), tt.title)
			}
			banner := htmlByID(doc, "verdict")
			if banner == nil {
				t.Fatal("no verdict banner")
			}
			var lines []string
			for c := banner.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode {
					lines = append(lines, htmlText(c))
				}
			}
			for _, want := range tt.banner {
				if !slices.Contains(lines, want) {
					t.Errorf("banner lacks the line %q:\n%s", want, strings.Join(lines, "\n"))
				}
			}
			if len(htmlElements(doc, "script")) > 0 {
				t.Errorf("the page has a script")
			}
		})
	}
}

// TestHTMLOrder checks the reading order: the verdict, the failures, the
// warnings, the charts, the other rules, then the run's details.
func TestHTMLOrder(t *testing.T) {
	r := sampleResult()
	doc := htmlParse(t, renderHTMLPage(t, r, htmlPlaceholderCharts(r, htmlPixelPNG, 640, 400), nil))
	mains := htmlElements(doc, "main")
	if len(mains) != 1 {
		t.Fatalf("%d <main> elements", len(mains))
	}
	var ids []string
	for c := mains[0].FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			id, _ := htmlAttr(c, "id")
			ids = append(ids, id)
		}
	}
	want := []string{"verdict", "failures", "warnings", "charts", "rules", "replay", "run-warnings", "inputs", "reproduce"}
	if !slices.Equal(ids, want) {
		t.Errorf("sections %v, want %v", ids, want)
	}

	// Each section's rows: status, check, rule.
	rows := func(section string) [][]string {
		var out [][]string
		for _, tr := range htmlElements(htmlByID(doc, section), "tr") {
			if _, ok := htmlAttr(tr, "id"); ok {
				c := htmlCells(tr)
				if section == "rules" {
					// No check column: the group's heading names it.
					c = append([]string{c[0], ""}, c[1:]...)
				}
				out = append(out, c[:3])
			}
		}
		return out
	}
	wantFailures := [][]string{
		{"FAIL", "contract", "age.max"},
		{"FAIL", "contract", "output.range"},
		{"FAIL", "segments", "auc[country=DE]"},
		{"ERROR", "latency", "p99"},
	}
	if got := rows("failures"); !slices.EqualFunc(got, wantFailures, slices.Equal) {
		t.Errorf("failures %v, want %v", got, wantFailures)
	}
	wantWarnings := [][]string{
		{"WARN", "contract", "country.max_unseen_rate"},
		{"WARN", "skew", "psi[income]"},
	}
	if got := rows("warnings"); !slices.EqualFunc(got, wantWarnings, slices.Equal) {
		t.Errorf("warnings %v, want %v", got, wantWarnings)
	}
	// The other rules, grouped by check in the order the checks first
	// appear, skipped rules before passed ones.
	var groups []string
	for _, h := range htmlElements(htmlByID(doc, "rules"), "h3") {
		groups = append(groups, htmlText(h))
	}
	wantGroups := []string{"contract (2 passed)", "skew (2 passed)", "segments (2 passed, 2 skipped)", "latency (2 passed)"}
	if !slices.Equal(groups, wantGroups) {
		t.Errorf("groups %q, want %q", groups, wantGroups)
	}
	wantOthers := [][]string{
		{"PASS", "", "age.type"}, {"PASS", "", "age.max_null_rate"},
		{"PASS", "", "psi[age]"}, {"PASS", "", "linf[country]"},
		{"SKIP", "", "auc[country=BR]"}, {"SKIP", "", "auc[city=東京]"}, {"PASS", "", "auc[country=US]"}, {"PASS", "", "auc[country=FR]"},
		{"PASS", "", "p50"}, {"PASS", "", "error_rate"},
	}
	if got := rows("rules"); !slices.EqualFunc(got, wantOthers, slices.Equal) {
		t.Errorf("other rules %v, want %v", got, wantOthers)
	}
	// Every rule appears exactly once.
	if n := len(htmlElements(htmlByID(doc, "failures"), "tr")) + len(htmlElements(htmlByID(doc, "warnings"), "tr")) + len(htmlElements(htmlByID(doc, "rules"), "tr")); n != len(r.Checks)+2+4 {
		t.Errorf("%d table rows, want %d rules and 6 header rows", n, len(r.Checks))
	}
}

// TestHTMLOutcomeRow checks one row cell by cell against the values written
// by hand, formatted as the terminal report formats them.
func TestHTMLOutcomeRow(t *testing.T) {
	doc := htmlParse(t, renderWithPlaceholders(t, sampleResult()))
	var header []string
	for _, th := range htmlElements(htmlElements(htmlByID(doc, "failures"), "thead")[0], "th") {
		header = append(header, htmlText(th))
	}
	wantHeader := []string{"Status", "Check", "Rule", "Value", "Baseline", "Delta", "CI", "Limit", "Rows", "Details"}
	if !slices.Equal(header, wantHeader) {
		t.Errorf("header %q, want %q", header, wantHeader)
	}
	for _, tt := range []struct {
		id   string
		want []string
	}{
		{"rule-9", []string{"FAIL", "segments", "auc[country=DE]", "0.7123", "0.7431", "-0.0308", "[-0.0512, -0.0104]", "max_drop 0.01", "1,840",
			"AUC dropped by more than max_drop and the interval excludes zero"}},
		{"rule-2", []string{"FAIL", "contract", "age.max", "134", "", "", "", "<= 120", "12,000",
			"3 rows above the maximum examples: r00017, r00342, r09121"}},
		// A table in which no rule has a baseline has no baseline, delta
		// or CI column.
		{"rule-4", []string{"WARN", "contract", "country.max_unseen_rate", "0.00087", "<= 0.001", "12,000",
			"unseen values close to the limit: XX, ZZ"}},
		{"rule-14", []string{"ERROR", "latency", "p99", "", "", "", "", "<= 25ms", "0", "no latency was recorded for any row"}},
		// In the other rules' tables, no check column.
		{"rule-13", []string{"PASS", "auc[country=FR]", "0.7344", "0.7301", "+0.0043", "[-0.0207, 0.0291]", "max_drop 0.01", "733",
			"warning: only 41 positive labels; the interval is wide"}},
		{"rule-16", []string{"PASS", "error_rate", "0.00375", "<= 0.005", "12,000", ""}},
	} {
		tr := htmlByID(doc, tt.id)
		if tr == nil {
			t.Errorf("no row %s", tt.id)
			continue
		}
		if got := htmlCells(tr); !slices.Equal(got, tt.want) {
			t.Errorf("row %s:\n got %q\nwant %q", tt.id, got, tt.want)
		}
	}
	// A warning on a passing rule is also listed with the warnings, linked
	// to its row.
	notes := htmlElements(htmlByID(doc, "warnings"), "li")
	if len(notes) != 1 || htmlText(notes[0]) != "segments auc[country=FR]: only 41 positive labels; the interval is wide" {
		t.Errorf("warnings on other rules: %d items", len(notes))
	} else if href, _ := htmlAttr(htmlElements(notes[0], "a")[0], "href"); href != "#rule-13" {
		t.Errorf("the warning links to %q, want #rule-13", href)
	}
}

func TestHTMLRunDetails(t *testing.T) {
	doc := htmlParse(t, renderWithPlaceholders(t, sampleResult()))
	replay := htmlByID(doc, "replay")
	if got, want := htmlText(htmlElements(replay, "p")[0]),
		"12,000 rows = 11,955 scored + 45 errored (timeout 40, http_503 5; 40 timeouts), 2.41s, 4,972 rows/s"; got != want {
		t.Errorf("replay summary %q, want %q", got, want)
	}
	var facts []string
	for _, dl := range htmlElements(replay, "dl") {
		for c := dl.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				facts = append(facts, htmlText(c))
			}
		}
	}
	wantFacts := []string{"rows replayed", "12,000", "scored", "11,955", "errored", "45", "timeouts", "40",
		"duration", "2.41s", "throughput", "4,972 rows/s"}
	if !slices.Equal(facts, wantFacts) {
		t.Errorf("replay facts %q, want %q", facts, wantFacts)
	}
	var tables [][]string
	for _, tr := range htmlElements(replay, "tr") {
		tables = append(tables, []string{strings.Join(htmlCells(tr), " | ")})
	}
	wantTables := [][]string{
		{"Class | Rows | Share of rows"}, {"timeout | 40 | 0.3333%"}, {"http_503 | 5 | 0.04167%"},
		{"Row | Class | Error"}, {"r00031 | timeout | no answer within 50ms"}, {"r04410 | http_503 | 503 Service Unavailable: model is loading"},
	}
	if !slices.EqualFunc(tables, wantTables, slices.Equal) {
		t.Errorf("replay tables %q, want %q", tables, wantTables)
	}

	var warnings []string
	for _, li := range htmlElements(htmlByID(doc, "run-warnings"), "li") {
		warnings = append(warnings, htmlText(li))
	}
	if want := sampleResult().Warnings; !slices.Equal(warnings, want) {
		t.Errorf("run warnings %q, want %q", warnings, want)
	}

	var inputs []string
	for _, tr := range htmlElements(htmlByID(doc, "inputs"), "tr") {
		inputs = append(inputs, strings.Join(htmlCells(tr), " | "))
	}
	wantInputs := []string{
		"Role | Path | Rows | SHA-256",
		"traffic | fixtures/traffic/part-0.parquet schema: 3 columns request_id utf8 age int64 country utf8 | 12,000 | " + trafficSHA,
		"labels | fixtures/labels.parquet | 9,876 | " + labelsSHA,
		"Role | Type | Path | Fingerprint | Details",
		"candidate | xgboost | fixtures/models/candidate.json | " + candidateSHA + " | gbtree, 120 trees, binary:logistic",
		"production | xgboost | fixtures/models/production.json | sha256:" + prodSHA + " | gbtree, 80 trees, binary:logistic",
	}
	if !slices.Equal(inputs, wantInputs) {
		t.Errorf("inputs and models:\n got %q\nwant %q", inputs, wantInputs)
	}

	repro := htmlByID(doc, "reproduce")
	if pre := htmlElements(repro, "pre"); len(pre) != 1 || htmlText(pre[0]) != "replaygate run --spec fixtures/specs/regression.yaml --out-dir 'out dir'" {
		t.Errorf("reproduce: %q", htmlText(repro))
	}
	if !strings.Contains(htmlText(repro), "spec fixtures/specs/regression.yaml") {
		t.Errorf("reproduce does not name the spec: %q", htmlText(repro))
	}

	// Key content is never inside a collapsed <details>: the only one is
	// an input's schema.
	for _, d := range htmlElements(doc, "details") {
		if !strings.HasPrefix(htmlText(d), "schema:") {
			t.Errorf("collapsed details outside the input schemas: %q", htmlText(d))
		}
	}
}

func TestHTMLPacing(t *testing.T) {
	r := passingResult()
	r.Replay.RowsRead = 3_000_000
	r.Replay.Mode = "rate"
	r.Replay.Requests, r.Replay.LateSends = 1500000, 1234
	r.Replay.LagP50MS, r.Replay.LagP99MS, r.Replay.LagMaxMS = 0.12, 3.456, 41
	doc := htmlParse(t, renderWithPlaceholders(t, r))
	var facts []string
	for _, dd := range htmlElements(htmlByID(doc, "replay"), "dd") {
		facts = append(facts, htmlText(dd))
	}
	want := []string{"3,000,000", "1,500,000", "1,500,000", "0", "0", "1m16s", "19,868 rows/s",
		"rate", "1,500,000", "1,234", "0.12 ms", "3.456 ms", "41 ms"}
	if !slices.Equal(facts, want) {
		t.Errorf("replay facts %q, want %q", facts, want)
	}
}

// TestHTMLEmbedsCharts checks that every chart is embedded as it was drawn:
// with the real charts of Charts and with placeholders.
func TestHTMLEmbedsCharts(t *testing.T) {
	r := sampleResult()
	real, err := Charts(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		charts []Chart
		page   []byte
	}{
		{"Charts", real, renderHTMLReport(t, r)},
		{"placeholders", htmlPlaceholderCharts(r, htmlPixelPNG, 640, 400), renderHTMLPage(t, r, htmlPlaceholderCharts(r, htmlPixelPNG, 640, 400), nil)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := htmlParse(t, tt.page)
			imgs := htmlElements(doc, "img")
			if len(imgs) != len(tt.charts) {
				t.Fatalf("%d <img> elements for %d charts", len(imgs), len(tt.charts))
			}
			for i, img := range imgs {
				c := tt.charts[i]
				src, _ := htmlAttr(img, "src")
				data, ok := strings.CutPrefix(src, "data:image/png;base64,")
				if !ok {
					t.Errorf("chart %s: src %.40q is not a PNG data: URI", c.Name, src)
					continue
				}
				b, err := base64.StdEncoding.DecodeString(data)
				if err != nil {
					t.Errorf("chart %s: %v", c.Name, err)
					continue
				}
				if !bytes.Equal(b, c.PNG) {
					t.Errorf("chart %s: the embedded PNG differs from the drawn one", c.Name)
				}
				if _, err := png.DecodeConfig(bytes.NewReader(b)); err != nil {
					t.Errorf("chart %s: not a PNG: %v", c.Name, err)
				}
				if alt, _ := htmlAttr(img, "alt"); alt != c.Title {
					t.Errorf("chart %s: alt %q, want %q", c.Name, alt, c.Title)
				}
				w, _ := htmlAttr(img, "width")
				h, _ := htmlAttr(img, "height")
				if w != fmt.Sprint(c.Width) || h != fmt.Sprint(c.Height) {
					t.Errorf("chart %s: %sx%s, want %dx%d", c.Name, w, h, c.Width, c.Height)
				}
			}
		})
	}
	// The placeholders stand for every plot of a known kind: all but one
	// of the sample's plots.
	if n := len(htmlPlaceholderCharts(r, htmlPixelPNG, 1, 1)); n != len(r.Plots)-1 {
		t.Errorf("%d placeholder charts for %d plots", n, len(r.Plots))
	}
}

func TestHTMLChartError(t *testing.T) {
	r := sampleResult()
	// As Charts reports them: the plots it could draw, and an error that
	// names every plot it could not.
	charts := htmlPlaceholderCharts(r, htmlPixelPNG, 640, 400)[:2]
	chartErr := errors.Join(errors.New(`plot "drift" (drift_bars): json: cannot unmarshal string`),
		errors.New(`plot "scores" (score_hist): 6 bin edges for 4 counts`))
	doc := htmlParse(t, renderHTMLPage(t, r, charts, chartErr))
	section := htmlByID(doc, "charts")
	if section == nil {
		t.Fatal("no charts section")
	}
	var items []string
	for _, li := range htmlElements(section, "li") {
		items = append(items, htmlText(li))
	}
	want := []string{`plot "drift" (drift_bars): json: cannot unmarshal string`, `plot "scores" (score_hist): 6 bin edges for 4 counts`}
	if !slices.Equal(items, want) {
		t.Errorf("chart errors %q, want %q", items, want)
	}
	if n := len(htmlElements(section, "img")); n != 2 {
		t.Errorf("%d charts shown, want the 2 that were drawn", n)
	}
	// Without any chart, the errors still show.
	doc = htmlParse(t, renderHTMLPage(t, r, nil, chartErr))
	if got := htmlText(htmlByID(doc, "charts")); !strings.HasPrefix(got, "Charts Some charts could not be drawn:") {
		t.Errorf("charts section %q", got)
	}
}

const htmlEvilText = "<script>alert(\"x\")</script> 'q' ]]> </style> <!-- x --> &amp; javascript:alert(1) https://evil.example/a.png \xff\xfe \x1b[31m \u202e"

// hostileHTMLResult puts markup, quotes, CDATA ends, comment openers,
// URLs, control characters and invalid UTF-8 into every string of a result.
func hostileHTMLResult() *checks.Result {
	r := sampleResult()
	r.Tool = checks.Tool{Name: htmlEvilText, Version: htmlEvilText}
	r.Spec = htmlEvilText
	r.Command = []string{"replaygate", htmlEvilText}
	r.Inputs[0].Role, r.Inputs[0].Path, r.Inputs[0].SHA256 = htmlEvilText, htmlEvilText, htmlEvilText
	r.Inputs[0].Schema = []checks.Field{{Name: htmlEvilText, Type: htmlEvilText}}
	r.Models[0].Role, r.Models[0].Type, r.Models[0].Path, r.Models[0].Details, r.Models[0].Fingerprint = htmlEvilText, htmlEvilText, htmlEvilText, htmlEvilText, htmlEvilText
	r.Replay.ErrorClasses = map[string]int64{htmlEvilText: 3}
	r.Replay.ErrorExamples = []checks.ErrorExample{{Row: htmlEvilText, Class: htmlEvilText, Error: htmlEvilText}}
	r.Replay.Mode = htmlEvilText
	for i := range r.Checks {
		o := &r.Checks[i]
		o.Check, o.Name, o.Limit, o.Message = htmlEvilText, htmlEvilText, htmlEvilText, htmlEvilText
		o.Examples = []string{htmlEvilText}
		o.Warnings = []string{htmlEvilText}
	}
	r.Checks = append(r.Checks, checks.Outcome{Check: "x", Name: "y", Status: checks.Status(htmlEvilText)})
	r.Verdict = checks.Status(htmlEvilText)
	r.Warnings = []string{htmlEvilText}
	return r
}

func htmlHostileCharts() []Chart {
	return []Chart{{Name: htmlEvilText, Title: htmlEvilText, Kind: htmlEvilText, File: htmlEvilText, PNG: htmlPixelPNG, Width: 640, Height: 400}}
}

func TestHTMLEscapesHostileText(t *testing.T) {
	page := renderHTMLPage(t, hostileHTMLResult(), htmlHostileCharts(), errors.New(htmlEvilText))
	if !utf8.Valid(page) {
		t.Errorf("the page is not valid UTF-8")
	}
	if i := bytes.IndexFunc(page, func(r rune) bool {
		return r < 0x20 && r != '\n' || r == 0x7f || (r >= 0x80 && r <= 0x9f) || isBidiControl(r)
	}); i >= 0 {
		t.Errorf("control character in the page at byte %d: %q", i, page[max(i-20, 0):min(i+20, len(page))])
	}
	lower := strings.ToLower(string(page))
	for _, bad := range []string{"<script", "]]>", "<!--", "'q'"} {
		if strings.Contains(lower, bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
	if n := strings.Count(lower, "</style"); n != 1 {
		t.Errorf("</style appears %d times, want once", n)
	}

	// The text reads as the result says, cleaned as the terminal cleans it.
	want := clean(htmlEvilText)
	doc := htmlParse(t, page)
	if len(htmlElements(doc, "script")) > 0 {
		t.Errorf("a script element made it into the page")
	}
	if got := htmlText(htmlElements(doc, "title")[0]); !strings.Contains(got, strings.Join(strings.Fields(want), " ")) {
		t.Errorf("title %q does not show the spec as text", got)
	}
	found := 0
	htmlWalk(doc, func(n *html.Node) {
		if n.Type == html.TextNode && strings.Contains(n.Data, want) {
			found++
		}
	})
	if found < 20 {
		t.Errorf("the hostile text shows as text only %d times", found)
	}
	img := htmlElements(doc, "img")
	if len(img) != 1 {
		t.Fatalf("%d images, want 1", len(img))
	}
	if alt, _ := htmlAttr(img[0], "alt"); alt != want {
		t.Errorf("alt %q, want %q", alt, want)
	}
	// An unknown verdict is shown as it is, in neutral colours.
	banner := htmlByID(doc, "verdict")
	if class, _ := htmlAttr(banner, "class"); class != "verdict v-other" {
		t.Errorf("banner class %q", class)
	}
	if h1 := htmlText(htmlElements(banner, "h1")[0]); h1 != strings.Join(strings.Fields(strings.ToUpper(want)), " ") {
		t.Errorf("banner %q", h1)
	}
}

func TestHTMLStatusWords(t *testing.T) {
	// Colour is never the only signal: every badge writes its status out.
	doc := htmlParse(t, renderWithPlaceholders(t, sampleResult()))
	re := regexp.MustCompile(`^(PASS|WARN|FAIL|ERROR|SKIP)$`)
	n := 0
	htmlWalk(doc, func(n2 *html.Node) {
		if class, _ := htmlAttr(n2, "class"); strings.HasPrefix(class, "badge ") {
			n++
			if !re.MatchString(htmlText(n2)) {
				t.Errorf("badge %q", htmlText(n2))
			}
		}
	})
	if n != len(sampleResult().Checks) {
		t.Errorf("%d badges for %d rules", n, len(sampleResult().Checks))
	}
}

func TestHTMLErrors(t *testing.T) {
	if err := HTML(io.Discard, nil, Options{}); err == nil || errs.Code(err) != errs.CodeRun {
		t.Errorf("nil result: %v", err)
	}
	err := HTML(failingWriter{}, passingResult(), Options{})
	if err == nil || !strings.Contains(err.Error(), "disk full") || errs.Code(err) != errs.CodeRun {
		t.Errorf("failing writer: %v", err)
	}
}

// BenchmarkHTML measures the page alone (charts drawn beforehand) and the
// whole report, charts included.
func BenchmarkHTML(b *testing.B) {
	r := largeResult(1000)
	charts, err := Charts(r)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			if err := renderHTML(io.Discard, r, charts, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("with-charts", func(b *testing.B) {
		for b.Loop() {
			if err := HTML(io.Discard, r, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Charts drawn by the caller are used as they are: the page is the one HTML
// draws itself.
func TestHTMLWithDrawnCharts(t *testing.T) {
	r := sampleResult()
	charts, err := Charts(r)
	var own, given bytes.Buffer
	if err := HTML(&own, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&given, r, Options{Charts: &DrawnCharts{List: charts, Err: err}}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(own.Bytes(), given.Bytes()) {
		t.Errorf("HTML with the caller's charts differs from HTML drawing them")
	}
	var none bytes.Buffer
	if err := HTML(&none, r, Options{Charts: &DrawnCharts{}}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(none.Bytes(), []byte("data:image/png")) {
		t.Errorf("an empty chart list still embedded images")
	}
}
