package commands

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/pipeline"
	"github.com/replaygate/replaygate/reports"
	"github.com/replaygate/replaygate/spec"
)

func runCommand(version string) *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "replay the traffic through the candidate, run every check, write every report",
		UsageText: "replaygate run --spec FILE [--out-dir DIR] [--fail-on warn]",
		Description: `Replays the spec's traffic through the candidate model, runs every configured
check and writes the configured reports (reports.formats) to the output folder
(reports.dir, or --out-dir):

   json       result.json (always written: every other report can be re-rendered
              from it with 'replaygate report')
   junit      junit.xml, one test case per outcome, for CI test views
   markdown   summary.md with image links to charts/*.png; also appended to
              $GITHUB_STEP_SUMMARY when that variable is set (GitHub Actions)
   html       report.html, one self-contained file with its charts inlined
   terminal   the summary on stdout

The exit code is the verdict.`,
		Flags: []cli.Flag{specFlag, outDir, pngDir, failOn, workers, progressFlag, quiet, verbose, noColor},
		Action: func(c *cli.Context) error {
			return runPipeline(c, version, pipeline.ModeRun)
		},
	}
}

func checkCommand(version string) *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "run the checks on rows that `replay` already scored (no model calls)",
		UsageText: "replaygate check --spec FILE --scored scored.parquet [--out-dir DIR]",
		Flags: []cli.Flag{specFlag,
			&cli.StringFlag{Name: "scored", Usage: "scored rows written by `replaygate replay --out` (`FILE`, glob or folder)"},
			outDir, pngDir, failOn, workers, progressFlag, quiet, verbose, noColor},
		Action: func(c *cli.Context) error {
			if err := required(c, "scored"); err != nil {
				return err
			}
			return runPipeline(c, version, pipeline.ModeCheck)
		},
	}
}

func replayCommand(version string) *cli.Command {
	return &cli.Command{
		Name:      "replay",
		Usage:     "score the traffic with the candidate and write the scored rows",
		UsageText: "replaygate replay --spec FILE --out scored.parquet",
		Description: `Writes every traffic row with the candidate's columns appended:
candidate_score, candidate_latency_ms and candidate_error ("class: message" on
rows that could not be scored). The format follows the extension of --out:
.parquet, .arrow, .csv or .jsonl. Run checks on it later with
'replaygate check --scored'. Exits 1 when zero rows were replayed or rows errored.`,
		Flags: []cli.Flag{specFlag,
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the scored rows to `FILE` (.parquet, .arrow, .csv, .jsonl)"},
			workers, progressFlag, quiet, noColor},
		Action: func(c *cli.Context) error {
			if err := required(c, "out"); err != nil {
				return err
			}
			return runPipeline(c, version, pipeline.ModeReplay)
		},
	}
}

// runPipeline is the shared body of run, check and replay.
func runPipeline(c *cli.Context, version string, mode pipeline.Mode) error {
	if err := noArgs(c); err != nil {
		return err
	}
	if err := required(c, "spec"); err != nil {
		return err
	}
	level := "fail"
	if c.IsSet("fail-on") || c.String("fail-on") != "" {
		level = c.String("fail-on")
	}
	if level != "fail" && level != "warn" {
		return errs.Input("use --fail-on fail (the default) or --fail-on warn", "--fail-on %q is not a level", level)
	}
	if c.IsSet("workers") && c.Int("workers") < 1 {
		return errs.Input("give a positive number, or leave --workers out to use replay.concurrency or all cores", "--workers %d is not a number of workers", c.Int("workers"))
	}
	sp, err := spec.Load(c.String("spec"))
	if err != nil {
		return err
	}
	dir := sp.Reports.Dir
	if c.String("out-dir") != "" {
		dir = c.String("out-dir")
	}
	if mode != pipeline.ModeReplay {
		// Find an unusable report folder before the replay, not after it.
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return errs.Input("check that --out-dir or reports.dir names a folder you can write", "report folder %s: %v", dir, err)
		}
	}
	opts := pipeline.Options{
		Spec:    sp,
		Mode:    mode,
		Workers: workersOf(c),
		Command: os.Args,
		Version: version,
	}
	switch mode {
	case pipeline.ModeCheck:
		opts.Scored = c.String("scored")
	case pipeline.ModeReplay:
		opts.ScoredOut = c.String("out")
	}
	if progressOn(c) {
		opts.Progress = c.App.ErrWriter
	}
	res, runErr := pipeline.Run(c.Context, opts)
	if res == nil {
		return runErr
	}
	// An interrupted run still writes its reports, marked incomplete, and
	// then exits 4 with runErr.

	formats := sp.Reports.Formats
	if mode == pipeline.ModeReplay {
		formats = []string{"terminal"}
	} else {
		if dir == "" {
			dir = spec.DefaultReportsDir
		}
		if err := folderOutputs(c, dir, formats).write(res); err != nil {
			return err
		}
	}
	if !c.Bool("quiet") {
		for _, f := range formats {
			if f == "terminal" {
				if err := reports.Terminal(c.App.Writer, res, termOptions(c, c.App.Writer)); err != nil {
					return errs.WrapRun(err, "")
				}
			}
		}
		if mode == pipeline.ModeReplay && runErr == nil {
			fmt.Fprintf(c.App.Writer, "scored rows written to %s\n", opts.ScoredOut)
		}
	}
	if runErr != nil {
		return runErr
	}
	return verdictError(res, level)
}

// verdictError turns a verdict into the exit code's error: nil to pass.
func verdictError(res *checks.Result, level string) error {
	switch {
	case res.Verdict == checks.Fail:
		n := checks.Counts(res.Checks)
		return &errs.Error{Code: errs.CodeGate, Err: fmt.Errorf("gate failed: %d failed, %d errored", n[checks.Fail], n[checks.Error])}
	case res.Verdict == checks.Warn && level == "warn":
		n := checks.Counts(res.Checks)
		return &errs.Error{Code: errs.CodeGate, Err: fmt.Errorf("gate failed on warnings (--fail-on warn): %d warned", n[checks.Warn])}
	}
	return nil
}

// workersOf is --workers when given; 0 lets the spec's replay.concurrency
// (or all cores) decide.
func workersOf(c *cli.Context) int {
	if c.IsSet("workers") {
		return c.Int("workers")
	}
	return 0
}
