package commands

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/replaygate/replaygate/checks/contract"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/models/xgboost"
	"github.com/replaygate/replaygate/starter"
	"github.com/replaygate/replaygate/traffic"
)

func initCommand() *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "write a starter spec whose contract is inferred from the data",
		UsageText: "replaygate init --traffic FILE [--reference FILE] [--model model.json] [--out gate.yaml]",
		Description: `Profiles the traffic (and the reference, when given) and writes a commented
starter spec: the id, timestamp, label, segment and baseline columns it guessed,
the candidate model, and a data contract in the spirit of TFDV's infer_schema:
each column's type, its observed range widened by 10%, its null rate with
slack, and the category set of low-cardinality text columns. With
--reference, the contract of every column the reference has is inferred from
the reference (what training saw is what is valid); the other columns from
the traffic. Review it: it describes the data as it is, not as it should be.

Paths in the spec are written relative to the spec's folder (absolute when
the spec goes to stdout, which is the default without --out).`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "traffic", Aliases: []string{"t"}, Usage: "logged traffic: `FILE`, glob or folder"},
			&cli.StringFlag{Name: "reference", Usage: "training data (`FILE`, glob or folder) to infer the contract from"},
			&cli.StringFlag{Name: "model", Usage: "the candidate XGBoost model (`FILE`, .json or .ubj)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the spec to `FILE` instead of stdout"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite --out if it exists"},
		},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			if err := required(c, "traffic"); err != nil {
				return err
			}
			out := c.String("out")
			if out != "" && !c.Bool("force") {
				if _, err := os.Stat(out); err == nil {
					return errs.Input("pass --force to overwrite it, or choose another --out", "%s already exists", out)
				}
			}
			in := starter.Input{}
			tp, err := profile(c.Context, c.String("traffic"))
			if err != nil {
				return err
			}
			in.Profile, in.Roles = tp, contract.GuessRoles(tp)
			cp := tp
			if ref := c.String("reference"); ref != "" {
				rp, err := profile(c.Context, ref)
				if err != nil {
					return err
				}
				cp = preferReference(tp, rp)
				in.RuleProfile = cp
			}
			in.Contract = contract.Infer(cp, contract.InferOptions{Exclude: in.Roles.Columns()})
			if m := c.String("model"); m != "" {
				b, err := xgboost.LoadFile(m)
				if err != nil {
					return errs.WrapInput(err, "")
				}
				in.ModelFeatures = b.FeatureNames()
			}
			// Paths are relative to the spec's folder when it is known;
			// a spec on stdout may be saved anywhere, so it gets absolute ones.
			place := func(p string) string {
				if out == "" {
					if a, err := filepath.Abs(p); err == nil {
						return filepath.ToSlash(a)
					}
					return p
				}
				return relTo(filepath.Dir(out), p)
			}
			in.TrafficPath = place(c.String("traffic"))
			if r := c.String("reference"); r != "" {
				in.ReferencePath = place(r)
			}
			if m := c.String("model"); m != "" {
				in.ModelPath = place(m)
			}
			var buf bytes.Buffer
			if err := starter.Render(&buf, in); err != nil {
				return errs.WrapRun(err, "")
			}
			if out == "" {
				_, err := c.App.Writer.Write(buf.Bytes())
				return err
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return errs.Run("check that the folder exists and is writable", "writing %s: %v", out, err)
			}
			fmt.Fprintf(c.App.ErrWriter, "wrote %s: review it, then `replaygate validate --spec %s`\n", out, out)
			return nil
		},
	}
}

func profile(ctx context.Context, pattern string) (*contract.Profile, error) {
	rd, err := traffic.Open(ctx, pattern, traffic.Options{})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return contract.ProfileOf(rd)
}

// preferReference takes each column's profile from the reference when the
// reference has the column, and from the traffic otherwise.
func preferReference(traffic, ref *contract.Profile) *contract.Profile {
	out := *traffic
	out.Columns = nil
	for _, c := range traffic.Columns {
		if rc := ref.Column(c.Name); rc != nil {
			out.Columns = append(out.Columns, *rc)
		} else {
			out.Columns = append(out.Columns, c)
		}
	}
	return &out
}

// relTo expresses p relative to the folder base when both are local paths.
func relTo(base, p string) string {
	ab, err1 := filepath.Abs(base)
	ap, err2 := filepath.Abs(p)
	if err1 != nil || err2 != nil {
		return p
	}
	if r, err := filepath.Rel(ab, ap); err == nil {
		return filepath.ToSlash(r)
	}
	return p
}
