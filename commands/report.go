package commands

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/reports"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "re-render reports from a saved result.json",
		UsageText: "replaygate report --result out/result.json [--json FILE]",
		Description: `Renders a saved result again: the terminal summary on stdout (unless --quiet)
and each format given a file. The same result always renders to the same bytes.
Exits 0 once rendered, whatever the result's verdict.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "result", Aliases: []string{"r"}, Usage: "the result.json `FILE` to render"},
			&cli.StringFlag{Name: "json", Usage: "write the result as JSON to `FILE`"},
			quiet, verbose, noColor,
		},
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
			if p := c.String("json"); p != "" {
				f, err := os.Create(p)
				if err != nil {
					return errs.Run("check that the folder is writable", "writing %s: %v", p, err)
				}
				err = reports.WriteJSON(f, res)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return errs.WrapRun(err, "")
				}
			}
			if !c.Bool("quiet") {
				return reports.Terminal(c.App.Writer, res, termOptions(c, c.App.Writer))
			}
			return nil
		},
	}
}
