package pipeline

import (
	"context"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/models"
	"github.com/replaygate/replaygate/models/column"
	"github.com/replaygate/replaygate/models/execmodel"
	"github.com/replaygate/replaygate/models/httpmodel"
	"github.com/replaygate/replaygate/models/xgboost"
	"github.com/replaygate/replaygate/replay"
	"github.com/replaygate/replaygate/spec"
)

// binder is a model that can check a traffic schema before scoring.
type binder interface {
	models.Model
	Bind(schema *arrow.Schema) error
	Info() models.Info
}

// loadModels loads the candidate (and the production replica, when the spec
// names one), binds them to the traffic schema, and returns the scorers,
// the feature columns they read and their fingerprints.
//
// With probe, models that can say whether they are ready (model servers)
// are asked first; validate does not probe, since it calls no model.
func loadModels(ctx context.Context, sp *spec.Spec, schema *arrow.Schema, input string, probe bool) ([]replay.Scorer, []string, []checks.Model, error) {
	type role struct {
		name     string
		model    spec.Model
		features []string
		key      string
	}
	roles := []role{{"candidate", sp.Candidate.Model, sp.Candidate.Features, "candidate.model"}}
	if sp.Production != nil {
		roles = append(roles, role{"production", sp.Production.Model, sp.Production.Features, "production.model"})
	}
	var scorers []replay.Scorer
	var cols []string
	var infos []checks.Model
	for _, r := range roles {
		m, err := LoadModel(ctx, sp, r.model, r.features, r.key)
		if err != nil {
			return nil, nil, nil, err
		}
		if probe {
			if rd, ok := m.(interface{ Ready(context.Context) error }); ok {
				if err := rd.Ready(ctx); err != nil {
					return nil, nil, nil, err
				}
			}
			if st, ok := m.(interface{ Start(context.Context) error }); ok {
				if err := st.Start(ctx); err != nil {
					return nil, nil, nil, err
				}
			}
		}
		if err := m.Bind(schema); err != nil {
			return nil, nil, nil, errs.WrapInput(fmt.Errorf("%s model on %s: %w", r.name, input, err), "")
		}
		info := m.Info()
		cols = append(cols, info.Features...)
		switch {
		case r.model.Type == "column" && r.model.Path == "":
			cols = append(cols, r.model.Column)
		case r.model.Type == "column":
			cols = append(cols, sp.Traffic.ID)
		}
		scorers = append(scorers, replay.Scorer{Role: r.name, Model: m})
		infos = append(infos, checks.Model{Role: r.name, Type: info.Type, Path: DisplayPath(info.Path), Fingerprint: info.Fingerprint, Details: info.Details})
	}
	return scorers, cols, infos, nil
}

// LoadModel builds the model a spec's model block describes, without
// calling it.
func LoadModel(ctx context.Context, sp *spec.Spec, m spec.Model, features []string, key string) (binder, error) {
	switch m.Type {
	case "xgboost":
		path := sp.Resolve(m.Path)
		if _, err := os.Stat(path); err != nil {
			return nil, errs.Input("check "+key+".path; relative paths resolve against the spec's folder",
				"%s: model file %s: %v", sp.Pos(key+".path"), path, unwrapPathError(err))
		}
		b, err := xgboost.LoadFile(path)
		if err != nil {
			return nil, errs.WrapInput(err, "")
		}
		return xgboost.New(b, path, features)
	case "column":
		if m.Path == "" {
			return column.New(m.Column), nil
		}
		id := m.ID
		if id == "" {
			id = sp.Traffic.ID
		}
		j, err := column.NewJoined(ctx, sp.Resolve(m.Path), id, m.Column)
		if err != nil {
			return nil, err
		}
		if m.ID != "" && m.ID != sp.Traffic.ID {
			j.IDColumn = sp.Traffic.ID // the score file's id column was m.ID; the traffic's is traffic.id
		}
		return j, nil
	case "exec":
		if len(features) == 0 {
			return nil, errs.Input("list the traffic columns the process takes under features: next to model:",
				"%s: an exec model needs features: the columns to send", sp.Pos(key))
		}
		return execmodel.New(execmodel.Options{
			Command: m.Command, Features: features, IDColumn: sp.Traffic.ID, Batch: m.Batch,
			Timeout: m.Timeout.Duration, Processes: m.Concurrency, Dir: sp.Dir,
		})
	case "http":
		if len(features) == 0 {
			return nil, errs.Input("list the traffic columns the server takes, in its order, under features: next to model:",
				"%s: an http model needs features: the columns to send", sp.Pos(key))
		}
		return httpmodel.New(httpmodel.Options{
			Protocol: m.Protocol, URL: m.URL, Features: features, Timeout: m.Timeout.Duration,
			Batch: m.Batch, Concurrency: m.Concurrency, Headers: m.Headers, Retries: m.Retries,
			InputName: m.InputName, Datatype: m.Datatype, PerFeature: m.Inputs == "per-feature",
			OutputName: m.OutputName, Lists: m.Instances == "lists", ScorePath: m.ScorePath,
		})
	default:
		return nil, errs.Input("use type xgboost or column", "%s: model type %q is not supported by this version", sp.Pos(key+".type"), m.Type)
	}
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
