package commands

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/reports"
)

var pngDir = &cli.StringFlag{Name: "png-dir", Usage: "also write each chart as its own PNG file to `DIR` (default: DIR/charts of the output folder when the markdown report is on, so its image links resolve)", EnvVars: []string{"REPLAYGATE_PNG_DIR"}}

// stepSummaryEnv names the file GitHub Actions shows as the job summary.
const stepSummaryEnv = "GITHUB_STEP_SUMMARY"

// target is one report file to write.
type target struct {
	format string
	path   string
}

// outputs are the report files of one command.
type outputs struct {
	targets []target
	// pngDir receives every chart as a PNG file; "" writes none.
	pngDir string
	// stepSummary is the file the Markdown summary is appended to; "" for
	// none.
	stepSummary string
	// warn receives problems that do not stop the reports: a plot that
	// could not be drawn is left out of every report and named here.
	warn io.Writer
}

// folderOutputs are run's and check's outputs: result.json and each file
// format in dir, the charts in --png-dir (or dir/charts when Markdown links
// to them), and the Markdown summary appended to $GITHUB_STEP_SUMMARY when
// the markdown format is on.
func folderOutputs(c *cli.Context, dir string, formats []string) outputs {
	o := outputs{warn: c.App.ErrWriter}
	markdown := false
	seen := map[string]bool{}
	for _, f := range append([]string{"json"}, formats...) {
		name := reports.FileName(f)
		if name == "" || seen[f] {
			continue
		}
		seen[f] = true
		markdown = markdown || f == "markdown"
		o.targets = append(o.targets, target{format: f, path: filepath.Join(dir, name)})
	}
	o.pngDir = c.String("png-dir")
	if o.pngDir == "" && markdown {
		o.pngDir = filepath.Join(dir, "charts")
	}
	if markdown {
		o.stepSummary = os.Getenv(stepSummaryEnv)
	}
	return o
}

// write renders res into every output.
func (o outputs) write(res *checks.Result) error {
	// Charts returns every chart it could draw beside the error naming
	// those it could not; the HTML report lists those too. They are drawn
	// once for the PNG files and the HTML report.
	var drawn *reports.DrawnCharts
	if o.pngDir != "" || o.has("html") {
		charts, err := reports.Charts(res)
		drawn = &reports.DrawnCharts{List: charts, Err: err}
		if err != nil && o.warn != nil {
			fmt.Fprintf(o.warn, "replaygate: warning: some charts were left out: %v\n", err)
		}
	}
	if o.pngDir != "" {
		if err := reports.WriteCharts(o.pngDir, drawn.List); err != nil {
			return err
		}
	}
	for _, t := range o.targets {
		opts := reports.Options{Charts: drawn}
		if t.format == "markdown" && o.pngDir != "" {
			opts.ChartDir = relativeDir(filepath.Dir(t.path), o.pngDir)
		}
		if err := writeFile(t, res, opts); err != nil {
			return err
		}
	}
	if o.stepSummary != "" {
		// The job summary is a page of its own: links to files in the
		// workspace would not resolve there, so it carries no images.
		if err := reports.AppendStepSummary(o.stepSummary, res, reports.Options{}); err != nil {
			return err
		}
	}
	return nil
}

// has says whether a target writes format.
func (o outputs) has(format string) bool {
	for _, t := range o.targets {
		if t.format == format {
			return true
		}
	}
	return false
}

func writeFile(t target, res *checks.Result, opts reports.Options) error {
	if dir := filepath.Dir(t.path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return errs.Run("check that the report folder is writable", "creating %s: %v", dir, err)
		}
	}
	out, err := os.Create(t.path)
	if err != nil {
		return errs.Run("check that the report folder is writable", "writing %s: %v", t.path, err)
	}
	err = reports.Render(t.format, out, res, opts)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errs.WrapRun(fmt.Errorf("writing %s: %w", t.path, err), "")
	}
	return nil
}

// relativeDir is target as seen from base, with forward slashes as links
// need; target itself when no relative path exists.
func relativeDir(base, target string) string {
	absBase, err1 := filepath.Abs(base)
	absTarget, err2 := filepath.Abs(target)
	if err1 == nil && err2 == nil {
		if rel, err := filepath.Rel(absBase, absTarget); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(target)
}
