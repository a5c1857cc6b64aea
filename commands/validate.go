package commands

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/replaygate/replaygate/pipeline"
	"github.com/replaygate/replaygate/spec"
)

func validateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check a spec and its input files without calling any model",
		UsageText: "replaygate validate --spec FILE",
		Description: `Loads the spec strictly (an unknown key is an error with its line), opens the
traffic, reference and label files, checks that every column the spec names
exists, loads the models and checks that their features are numeric traffic
columns. Exits 0 when all is well and 3 with every problem found otherwise.`,
		Flags: []cli.Flag{specFlag, quiet},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			if err := required(c, "spec"); err != nil {
				return err
			}
			sp, err := spec.Load(c.String("spec"))
			if err != nil {
				return err
			}
			rep, err := pipeline.Validate(c.Context, sp)
			if err != nil {
				return err
			}
			if !c.Bool("quiet") {
				w := c.App.Writer
				fmt.Fprintf(w, "%s: ok\n", sp.Path)
				fmt.Fprintf(w, "  traffic: %d file(s), %d columns\n", len(rep.Files), rep.Columns)
				for _, f := range rep.Files {
					fmt.Fprintf(w, "    %s (%s)\n", f.Path, f.Format)
				}
				for _, m := range rep.Models {
					fmt.Fprintf(w, "  %s\n", m)
				}
			}
			return nil
		},
	}
}
