package commands

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/reports"
)

// reportFileFormats are the formats `report` writes to a named file, in the
// order it writes them.
var reportFileFormats = []string{"json", "junit", "markdown", "html"}

func reportCommand() *cli.Command {
	flags := []cli.Flag{&cli.StringFlag{Name: "result", Aliases: []string{"r"}, Usage: "the result.json `FILE` to render"}}
	usage := map[string]string{
		"json":     "write the result as JSON to `FILE`",
		"junit":    "write JUnit XML to `FILE` (one test case per outcome)",
		"markdown": "write the Markdown summary to `FILE` (image links point at --png-dir)",
		"html":     "write the self-contained HTML report to `FILE`",
	}
	for _, f := range reportFileFormats {
		flags = append(flags, &cli.StringFlag{Name: f, Usage: usage[f]})
	}
	flags = append(flags,
		&cli.StringFlag{Name: "png-dir", Usage: "write each chart as its own PNG file to `DIR`", EnvVars: []string{"REPLAYGATE_PNG_DIR"}},
		&cli.BoolFlag{Name: "step-summary", Usage: "append the Markdown summary to $" + stepSummaryEnv + " (GitHub Actions' job summary)"},
		quiet, verbose, noColor)
	return &cli.Command{
		Name:      "report",
		Usage:     "re-render reports from a saved result.json",
		UsageText: "replaygate report --result out/result.json [--html FILE] [--junit FILE] [--markdown FILE] [--json FILE] [--png-dir DIR]",
		Description: `Renders a saved result again: the terminal summary on stdout (unless --quiet)
and each format given a file. The same result always renders to the same bytes,
so a report can be rebuilt, or a format added, long after the run.
Exits 0 once rendered, whatever the result's verdict.

Example: replaygate report -r out/result.json --html review.html --png-dir charts/`,
		Flags: flags,
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			if err := required(c, "result"); err != nil {
				return err
			}
			res, err := reports.ReadJSON(c.String("result"))
			if err != nil {
				return err
			}
			o := outputs{pngDir: c.String("png-dir"), warn: c.App.ErrWriter}
			for _, f := range reportFileFormats {
				if p := c.String(f); p != "" {
					o.targets = append(o.targets, target{format: f, path: p})
				}
			}
			if c.Bool("step-summary") {
				o.stepSummary = os.Getenv(stepSummaryEnv)
				if o.stepSummary == "" {
					return errs.Input("GitHub Actions sets it; elsewhere write the summary with --markdown FILE", "--step-summary: $%s is not set", stepSummaryEnv)
				}
			}
			if err := o.write(res); err != nil {
				return err
			}
			if !c.Bool("quiet") {
				return reports.Terminal(c.App.Writer, res, termOptions(c, c.App.Writer))
			}
			return nil
		},
	}
}
