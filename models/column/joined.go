package column

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/models"
	"github.com/replaygate/replaygate/traffic"
)

// Joined reads logged scores from a separate file, joined to the traffic on
// the request id. The score file is held in memory as an id → score table:
// about 60 bytes per row plus the id's length.
type Joined struct {
	Path, ScoreColumn, IDColumn string

	scores map[string]float64
	sha    string // sha256 over the score files' own sha256s
}

// Source yields record batches; traffic.Reader is one.
type Source interface {
	Next() (arrow.RecordBatch, error)
}

// NewJoined loads the scores of path, keyed by idColumn. A duplicate id is
// an input error naming it: which of its scores was served is unknowable.
func NewJoined(ctx context.Context, path, idColumn, scoreColumn string) (*Joined, error) {
	rd, err := traffic.Open(ctx, path, traffic.Options{Columns: []string{idColumn, scoreColumn}})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	if f := rd.Schema().Field(1); !numeric(f.Type) {
		return nil, errs.Input("a logged score column must hold numbers", "%s: score column %q is %s, not a number", path, scoreColumn, f.Type)
	}
	j := &Joined{Path: path, ScoreColumn: scoreColumn, IDColumn: idColumn, scores: map[string]float64{}}
	for {
		b, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		ids, sc := b.Column(0), b.Column(1)
		for i := 0; i < int(b.NumRows()); i++ {
			if ids.IsNull(i) {
				continue
			}
			id := ids.ValueStr(i)
			if _, dup := j.scores[id]; dup {
				b.Release()
				return nil, errs.Input("keep one score per request id in the score file",
					"%s: request id %q has more than one score", path, id)
			}
			v := math.NaN()
			if sc.IsValid(i) {
				v = models.FeatureValue(sc, i)
			}
			j.scores[id] = v
		}
		b.Release()
	}
	h := sha256.New()
	for _, f := range rd.Files() {
		io.WriteString(h, f.SHA256+"\n")
	}
	j.sha = fmt.Sprintf("%x", h.Sum(nil))
	return j, nil
}

// Bind checks that the traffic has the id column.
func (j *Joined) Bind(schema *arrow.Schema) error {
	if len(schema.FieldIndices(j.IDColumn)) == 0 {
		return errs.Input("the scores are joined on traffic.id", "id column %q is not in the traffic", j.IDColumn)
	}
	return nil
}

// Predict implements models.Model: a row whose id has no score, or a null
// score, is a per-row error of class "missing".
func (j *Joined) Predict(_ context.Context, b arrow.RecordBatch) (models.Scores, error) {
	if err := j.Bind(b.Schema()); err != nil {
		return models.Scores{}, err
	}
	ids := b.Column(b.Schema().FieldIndices(j.IDColumn)[0])
	n := ids.Len()
	sc := models.Scores{Score: make([]float64, n), LatencyMS: make([]float64, n)}
	fail := func(i int, msg string) {
		if sc.Errors == nil {
			sc.Errors, sc.ErrorClass = make([]string, n), make([]string, n)
		}
		sc.Score[i], sc.Errors[i], sc.ErrorClass[i] = math.NaN(), msg, "missing"
	}
	for i := 0; i < n; i++ {
		if ids.IsNull(i) {
			fail(i, "the row has no request id to join its score on")
			continue
		}
		v, ok := j.scores[ids.ValueStr(i)]
		switch {
		case !ok:
			fail(i, fmt.Sprintf("no score logged for this request in %s", j.Path))
		case math.IsNaN(v):
			fail(i, fmt.Sprintf("the score logged in %s is null", j.Path))
		default:
			sc.Score[i] = v
		}
	}
	return sc, nil
}

// Info implements the model description used for fingerprints.
func (j *Joined) Info() models.Info {
	return models.Info{
		Type:        "column",
		Path:        j.Path,
		Fingerprint: "sha256:" + j.sha,
		Details:     fmt.Sprintf("scores logged in column %q of %s, joined on %q (%d ids)", j.ScoreColumn, j.Path, j.IDColumn, len(j.scores)),
	}
}
