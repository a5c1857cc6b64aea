package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

// Options are the presentation choices a caller makes. They never change
// what a report says, only how it looks.
type Options struct {
	// Color adds ANSI colour to the terminal report. The caller decides:
	// on when writing to a terminal, off under NO_COLOR or --no-color.
	// With Color false no escape byte is written.
	Color bool
	// Verbose lists every passing rule on its own line (by default the
	// passing rules of a check are condensed into one line), and prints
	// details in full instead of cutting them to Width.
	Verbose bool
	// Width is the terminal width the report should fit in; 0 means 100.
	Width int
	// ChartDir is where the charts' PNG files are (see ChartFile), as a
	// path relative to the report being written: the Markdown report links
	// its images there. Empty when no PNG files are written.
	ChartDir string
	// Charts are the result's charts when the caller has drawn them already
	// (Charts, with its error), so that the HTML report does not draw them
	// again; nil to let the report draw them.
	Charts *DrawnCharts
}

// DrawnCharts is what Charts returned for a result.
type DrawnCharts struct {
	List []Chart
	Err  error
}

// DefaultWidth is the terminal width used when Options.Width is 0.
const DefaultWidth = 100

func (o Options) width() int {
	if o.Width <= 0 {
		return DefaultWidth
	}
	return o.Width
}

// A format is one registered renderer.
type format struct {
	name string
	// file is the default file name of the format in the output folder;
	// empty for formats that only go to standard output.
	file   string
	render func(w io.Writer, r *checks.Result, opts Options) error
}

// registry lists the formats in the order Formats reports them.
var registry = []format{
	{name: "terminal", render: Terminal},
	{name: "json", file: "result.json", render: func(w io.Writer, r *checks.Result, _ Options) error { return WriteJSON(w, r) }},
	{name: "junit", file: "junit.xml", render: JUnit},
	{name: "markdown", file: "summary.md", render: Markdown},
	{name: "html", file: "report.html", render: HTML},
}

func lookup(name string) (format, bool) {
	for _, f := range registry {
		if f.name == name {
			return f, true
		}
	}
	return format{}, false
}

// Formats returns the names of the known report formats.
func Formats() []string {
	names := make([]string, len(registry))
	for i, f := range registry {
		names[i] = f.name
	}
	return names
}

// FileName returns the default file name of format in the output folder,
// or "" for a format that is only written to standard output (terminal) and
// for an unknown format.
func FileName(format string) string {
	f, _ := lookup(format)
	return f.file
}

// Render writes r in the named format. An unknown format is an input error
// that lists the known ones.
func Render(format string, w io.Writer, r *checks.Result, opts Options) error {
	f, ok := lookup(format)
	if !ok {
		return errs.Input("", "unknown report format %q; known formats: %s", format, strings.Join(Formats(), ", "))
	}
	if r == nil {
		return errs.Run("", "%s report: no result to render", format)
	}
	return f.render(w, r, opts)
}

// writeAll writes a fully rendered report in one call, so a failing writer
// never leaves half a report behind unnoticed.
func writeAll(w io.Writer, what string, b []byte) error {
	if _, err := w.Write(b); err != nil {
		return errs.WrapRun(fmt.Errorf("writing %s: %w", what, err), "")
	}
	return nil
}
