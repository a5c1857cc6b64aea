package commands

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/reports"
)

const exitCodesHelp = `EXIT CODES:
   0  every gate passed (warnings allowed unless --fail-on warn)
   1  at least one gate failed; the reports were written
   3  usage, spec or input error: bad flag, invalid spec (with file:line),
      unreadable or schema-incompatible traffic
   4  the run could not complete: model unreachable or crashed, I/O failure
   (2 is never used by replaygate: it is what a Go panic exits with)`

// App returns the replaygate command-line application. version is printed by
// --version and recorded in every result.
func App(version string) *cli.App {
	app := &cli.App{
		Name:    "replaygate",
		Usage:   "replay logged production traffic against candidate models and gate on what happens",
		Version: version,
		Description: `replaygate reads logged production requests (Parquet, Arrow, CSV, JSON Lines),
scores them with a candidate model (in-process XGBoost, a model server over
HTTP, a subprocess, or logged shadow scores), runs the checks a spec configures
(data contract, row accounting, latency, training/serving skew, per-segment
performance) and writes pass/fail reports that CI can gate on.

   replaygate init --traffic logs.parquet --model model.json > gate.yaml
   replaygate validate --spec gate.yaml
   replaygate run --spec gate.yaml

` + exitCodesHelp,
		HideHelpCommand:      true,
		EnableBashCompletion: false,
		Commands: []*cli.Command{
			runCommand(version),
			replayCommand(version),
			checkCommand(version),
			reportCommand(),
			validateCommand(),
			initCommand(),
		},
		// urfave/cli's default handler only understands unwrapped cli.ExitCoder
		// values; main.go maps every error to its exit code instead.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   usageError,
		Suggest:        true,
	}
	for _, c := range app.Commands {
		c.OnUsageError = usageError
		c.CustomHelpTemplate = cli.CommandHelpTemplate + "\n" + exitCodesHelp + "\n"
	}
	return app
}

func usageError(c *cli.Context, err error, _ bool) error {
	hint := "run `replaygate --help` for usage"
	if c != nil && c.Command != nil && c.Command.Name != "" {
		hint = fmt.Sprintf("run `replaygate %s --help` for usage", c.Command.Name)
	}
	return &errs.Error{Code: errs.CodeInput, Err: err, Hint: hint}
}

// Flags shared by several commands.
var (
	specFlag     = &cli.StringFlag{Name: "spec", Aliases: []string{"s"}, Usage: "the spec `FILE` (YAML)", EnvVars: []string{"REPLAYGATE_SPEC"}}
	outDir       = &cli.StringFlag{Name: "out-dir", Usage: "write reports to `DIR` (overrides reports.dir); result.json is always written there"}
	failOn       = &cli.StringFlag{Name: "fail-on", Value: "fail", Usage: "exit 1 on `LEVEL`: fail, or warn to fail on warnings too", EnvVars: []string{"REPLAYGATE_FAIL_ON"}}
	quiet        = &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing but errors"}
	noColor      = &cli.BoolFlag{Name: "no-color", Usage: "no ANSI colour (also NO_COLOR=1); colour is used only on a terminal", EnvVars: []string{"REPLAYGATE_NO_COLOR"}}
	progressFlag = &cli.BoolFlag{Name: "progress", DefaultText: "auto", Usage: "draw a progress line on stderr (default: on a terminal, off in CI and with --quiet); --progress=false turns it off"}
	verbose      = &cli.BoolFlag{Name: "verbose", Usage: "list every outcome, passing ones too, untruncated"}
	workers      = &cli.IntFlag{Name: "workers", DefaultText: "replay.concurrency, else all cores", Usage: "score `N` batches at once"}
)

// required returns a usage error naming the missing flag.
func required(c *cli.Context, names ...string) error {
	var missing []string
	for _, n := range names {
		if c.String(n) == "" {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return errs.Input(fmt.Sprintf("run `replaygate %s --help` for usage", c.Command.Name),
		"%s: missing %s", c.Command.Name, strings.Join(missing, ", "))
}

// noArgs rejects stray positional arguments, a common typo (`run gate.yaml`).
func noArgs(c *cli.Context) error {
	if c.NArg() == 0 {
		return nil
	}
	return errs.Input(fmt.Sprintf("%s takes flags only: did you mean `replaygate %s --spec %s`?", c.Command.Name, c.Command.Name, c.Args().First()),
		"%s: unexpected argument %q", c.Command.Name, c.Args().First())
}

// colorOn says whether w is a terminal that wants colour.
func colorOn(c *cli.Context, w io.Writer) bool {
	if c.Bool("no-color") || os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}

// termOptions are the terminal report's options for w: colour on a terminal
// that wants it, the width from $COLUMNS when set, every outcome with
// --verbose.
func termOptions(c *cli.Context, w io.Writer) reports.Options {
	o := reports.Options{Color: colorOn(c, w), Verbose: c.Bool("verbose")}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		o.Width = n
	}
	return o
}

// progressOn says whether to draw a progress line: as asked with
// --progress, else on when stderr is a terminal outside CI and not --quiet.
func progressOn(c *cli.Context) bool {
	if c.IsSet("progress") {
		return c.Bool("progress")
	}
	if c.Bool("quiet") || os.Getenv("CI") != "" {
		return false
	}
	f, ok := c.App.ErrWriter.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}
