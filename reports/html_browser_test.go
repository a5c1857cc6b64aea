package reports

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/replaygate/replaygate/checks"
)

// findChromium returns the Chromium or Chrome to test with: $CHROME_PATH,
// else the first of chromium, chromium-browser and google-chrome on PATH.
// Without one the test is skipped, except under CI, where it fails: CI must
// always run it.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("CHROME_PATH: %v", err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium found (CI is set, so this test may not be skipped); install Debian's chromium or set CHROME_PATH")
	}
	t.Skip("no Chromium found; install Debian's chromium to run this test")
	return ""
}

// browserPage is what a page looked like in the browser.
type browserPage struct {
	Title   string `json:"title"`
	Lang    string `json:"lang"`
	Charset string `json:"charset"`
	Scripts int    `json:"scripts"`
	Images  []struct {
		Src      string `json:"src"`
		Alt      string `json:"alt"`
		Complete bool   `json:"complete"`
		Width    int    `json:"naturalWidth"`
		Height   int    `json:"naturalHeight"`
	} `json:"images"`
	// The verdict banner is the first thing on the page.
	VerdictTop  float64 `json:"verdictTop"`
	VerdictText string  `json:"verdictText"`
	ScrollWidth int     `json:"scrollWidth"`
	ClientWidth int     `json:"clientWidth"`
}

const inspectPage = `(() => {
	const v = document.getElementById("verdict");
	return {
		title: document.title,
		lang: document.documentElement.lang,
		charset: document.characterSet,
		scripts: document.scripts.length,
		images: Array.from(document.images).map(i => ({
			src: i.currentSrc.slice(0, 40), alt: i.alt,
			complete: i.complete, naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight,
		})),
		verdictTop: v ? v.getBoundingClientRect().top + window.scrollY : -1,
		verdictText: v ? v.innerText : "",
		scrollWidth: document.documentElement.scrollWidth,
		clientWidth: document.documentElement.clientWidth,
	};
})()`

// TestHTMLInChromium opens reports in a real headless Chromium and checks
// that they load nothing but themselves, log nothing, show every chart, fit
// a laptop's and a phone's width, and it takes a full-page screenshot of
// each ($REPLAYGATE_SCREENSHOT_DIR, else a temporary folder).
func TestHTMLInChromium(t *testing.T) {
	exe := findChromium(t)
	start := time.Now()

	// A hung browser fails the test instead of hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // CI containers run as root
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.WindowSize(1366, 900),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}

	shots := os.Getenv("REPLAYGATE_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	// Charts drawn here, so that embedding is checked in the browser
	// whatever the chart renderer draws.
	drawn := testChartPNG(t, 640, 400)

	cases := []struct {
		name   string
		shot   string
		result *checks.Result
		render func(*checks.Result) ([]byte, error)
	}{
		{"full", "report.png", sampleResult(), renderWithCharts},
		{"passing", "report-passing.png", passingResult(), renderWithCharts},
		{"incomplete", "report-incomplete.png", incompleteResult(), renderWithCharts},
		{"empty", "report-empty.png", emptyResult(), renderWithCharts},
		{"drawn-charts", "report-drawn-charts.png", sampleResult(), func(r *checks.Result) ([]byte, error) {
			var b bytes.Buffer
			err := renderHTML(&b, r, htmlPlaceholderCharts(r, drawn, 640, 400), nil)
			return b.Bytes(), err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := tc.render(tc.result)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tc.name+".html")
			if err := os.WriteFile(path, page, 0o644); err != nil {
				t.Fatal(err)
			}
			wantImages := len(htmlElements(htmlParse(t, page), "img"))
			if wantImages == 0 && hasKnownPlots(tc.result) {
				t.Errorf("the result has %d plots but the report has no <img>: no chart was drawn", len(tc.result.Plots))
			}
			pageURL := (&url.URL{Scheme: "file", Path: path}).String()
			shot := filepath.Join(shots, tc.shot)
			got, events := openInChromium(t, bctx, pageURL, shot)
			t.Logf("screenshot: %s", shot)

			for _, e := range events.problems {
				t.Errorf("browser: %s", e)
			}
			for _, u := range events.requests {
				if u != pageURL && !strings.HasPrefix(u, "data:") {
					t.Errorf("the page requested %s; only the page itself and data: URIs are allowed", u)
				}
			}
			if got.Lang != "en" || got.Charset != "UTF-8" || got.Scripts != 0 {
				t.Errorf("lang %q, charset %q, %d scripts", got.Lang, got.Charset, got.Scripts)
			}
			if !strings.Contains(got.Title, statusWord(tc.result.Verdict)) {
				t.Errorf("title %q does not give the verdict", got.Title)
			}
			if got.VerdictTop < 0 || got.VerdictTop > 100 || !strings.HasPrefix(got.VerdictText, statusWord(tc.result.Verdict)) {
				t.Errorf("the verdict banner is not first: top %v, text %q", got.VerdictTop, got.VerdictText)
			}
			if len(got.Images) != wantImages {
				t.Errorf("%d images in the browser, %d in the page", len(got.Images), wantImages)
			}
			for i, img := range got.Images {
				if !strings.HasPrefix(img.Src, "data:image/png;base64,") || !img.Complete || img.Width <= 0 || img.Height <= 0 {
					t.Errorf("image %d (%s) did not load: %+v", i, img.Alt, img)
				}
			}
			if got.ScrollWidth > got.ClientWidth {
				t.Errorf("at 1366 px wide the page scrolls sideways: %d > %d px", got.ScrollWidth, got.ClientWidth)
			}
			if bg := events.print.VerdictBackground; bg != "rgba(0, 0, 0, 0)" && bg != "transparent" {
				t.Errorf("in print the verdict banner has the background %s", bg)
			}
			if len(events.print.HiddenRules) > 0 {
				t.Errorf("in print these rules are hidden: %v", events.print.HiddenRules)
			}
			if events.narrowScroll > events.narrowClient {
				t.Errorf("at 390 px wide the page scrolls sideways: %d > %d px", events.narrowScroll, events.narrowClient)
			}
		})
	}
	t.Logf("Chromium: %v for %d reports", time.Since(start).Round(time.Millisecond), len(cases))
}

// renderWithCharts renders r through HTML, with the charts Charts draws.
func renderWithCharts(r *checks.Result) ([]byte, error) {
	var b bytes.Buffer
	err := HTML(&b, r, Options{})
	return b.Bytes(), err
}

func hasKnownPlots(r *checks.Result) bool {
	for _, p := range r.Plots {
		for _, k := range htmlPlotKinds {
			if p.Kind == k {
				return true
			}
		}
	}
	return false
}

// browserEvents is what the browser reported while it showed a page.
type browserEvents struct {
	problems                   []string // console messages, exceptions, log entries
	requests                   []string // URLs the page asked for
	narrowScroll, narrowClient int
	print                      printView
}

// printView is the page under print media.
type printView struct {
	VerdictBackground string   `json:"verdictBackground"`
	HiddenRules       []string `json:"hiddenRules"`
}

// openInChromium opens pageURL in a new tab of the browser, inspects it,
// writes a full-page screenshot to shot, and returns what it saw.
func openInChromium(t *testing.T, browser context.Context, pageURL, shot string) (browserPage, *browserEvents) {
	t.Helper()
	var mu sync.Mutex
	ev := &browserEvents{}
	record := func(e any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := e.(type) {
		case *runtime.EventConsoleAPICalled:
			var args []string
			for _, a := range e.Args {
				args = append(args, strings.TrimSpace(string(a.Value)+" "+a.Description))
			}
			ev.problems = append(ev.problems, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(args, " ")))
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if x := e.ExceptionDetails.Exception; x != nil {
				msg += " " + x.Description
			}
			ev.problems = append(ev.problems, "exception: "+msg)
		case *log.EventEntryAdded:
			ev.problems = append(ev.problems, fmt.Sprintf("log %s %s: %s %s", e.Entry.Source, e.Entry.Level, e.Entry.Text, e.Entry.URL))
		case *network.EventRequestWillBeSent:
			ev.requests = append(ev.requests, e.Request.URL)
		}
	}
	tab, cancel := chromedp.NewContext(browser, chromedp.WithListener(record))
	defer cancel()

	if err := chromedp.Do(tab,
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(pageURL),
	); err != nil {
		t.Fatalf("opening %s: %v", pageURL, err)
	}
	got, err := chromedp.Run(tab, chromedp.Evaluate[browserPage](inspectPage))
	if err != nil {
		t.Fatalf("inspecting the page: %v", err)
	}
	screenshot, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("taking a screenshot: %v", err)
	}
	if err := os.WriteFile(shot, screenshot, 0o644); err != nil {
		t.Fatal(err)
	}

	// A phone's width.
	type widths struct {
		Scroll int `json:"scroll"`
		Client int `json:"client"`
	}
	if err := chromedp.Do(tab, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	narrow, err := chromedp.Run(tab, chromedp.Evaluate[widths](
		`({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})`))
	if err != nil {
		t.Fatal(err)
	}
	// In print: no coloured banner needed, and no rule hidden.
	if err := chromedp.Do(tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	})); err != nil {
		t.Fatalf("emulating print: %v", err)
	}
	printed, err := chromedp.Run(tab, chromedp.Evaluate[printView](`(() => {
		const v = document.getElementById("verdict");
		const rows = Array.from(document.querySelectorAll("tr[id^=rule-]"));
		return {
			verdictBackground: v ? getComputedStyle(v).backgroundColor : "",
			hiddenRules: rows.filter(r => r.getClientRects().length === 0).map(r => r.id),
		};
	})()`))
	if err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	out := &browserEvents{
		problems:     append([]string(nil), ev.problems...),
		requests:     append([]string(nil), ev.requests...),
		narrowScroll: narrow.Scroll, narrowClient: narrow.Client,
		print: printed,
	}
	return got, out
}

// testChartPNG draws a width x height PNG with a gradient and a frame.
func testChartPNG(t *testing.T, width, height int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for y := range height {
		for x := range width {
			c := color.RGBA{uint8(255 * x / width), uint8(255 * y / height), 160, 255}
			if x == 0 || y == 0 || x == width-1 || y == height-1 {
				c = color.RGBA{0, 0, 0, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
