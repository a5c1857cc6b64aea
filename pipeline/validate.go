package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/replaygate/replaygate/checks/contract"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/spec"
	"github.com/replaygate/replaygate/traffic"
)

// Report is what Validate found out about a spec's inputs.
type Report struct {
	Files   []traffic.FileInfo
	Columns int
	Models  []string // one line per model: role, type, details
}

// Validate checks a spec's input files without calling any model: the
// traffic (and reference and labels) can be opened and agree on a schema,
// every column the spec names exists, the models load and their features
// are numeric columns of the traffic, and the checks accept their
// configuration. Every problem found is returned, joined.
func Validate(ctx context.Context, sp *spec.Spec) (*Report, error) {
	var problems []error
	rep := &Report{}
	input := sp.Resolve(sp.Traffic.Path)
	files, schema, err := traffic.Inspect(ctx, input)
	if err != nil {
		return nil, err
	}
	rep.Files, rep.Columns = files, schema.NumFields()
	if err := checkColumns(sp, schema, input, false); err != nil {
		problems = append(problems, err)
	}
	if _, _, infos, err := loadModels(ctx, sp, schema, input, false); err != nil {
		problems = append(problems, err)
	} else {
		for _, m := range infos {
			rep.Models = append(rep.Models, fmt.Sprintf("%s: %s %s", m.Role, m.Type, m.Details))
		}
	}
	if sp.Reference != nil {
		if _, _, err := traffic.Inspect(ctx, sp.Resolve(sp.Reference.Path)); err != nil {
			problems = append(problems, err)
		}
	}
	if sp.Labels != nil {
		if _, _, err := traffic.Inspect(ctx, sp.Resolve(sp.Labels.Path)); err != nil {
			problems = append(problems, err)
		}
	}
	if sp.Checks.Contract != nil {
		if _, err := contract.New(sp.Checks.Contract, contract.Options{IDColumn: sp.Traffic.ID}); err != nil {
			problems = append(problems, err)
		}
	}
	if len(problems) > 0 {
		return rep, errs.WrapInput(errors.Join(problems...), "")
	}
	return rep, nil
}
