package column

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/models"
)

// Model reads scores from a column.
type Model struct {
	Column string
}

// New returns a model that reads its scores from column.
func New(column string) *Model { return &Model{Column: column} }

// Bind checks that the column exists and is numeric.
func (m *Model) Bind(schema *arrow.Schema) error {
	idx := schema.FieldIndices(m.Column)
	if len(idx) == 0 {
		return errs.Input("name a column of the traffic in candidate.model.column", "score column %q is not in the traffic", m.Column)
	}
	if !numeric(schema.Field(idx[0]).Type) {
		return errs.Input("a logged score column must hold numbers", "score column %q is %s, not a number", m.Column, schema.Field(idx[0]).Type)
	}
	return nil
}

// Predict implements models.Model: a null score is a per-row error of class
// "missing".
func (m *Model) Predict(_ context.Context, b arrow.RecordBatch) (models.Scores, error) {
	if err := m.Bind(b.Schema()); err != nil {
		return models.Scores{}, err
	}
	col := b.Column(b.Schema().FieldIndices(m.Column)[0])
	n := col.Len()
	sc := models.Scores{Score: make([]float64, n), LatencyMS: make([]float64, n)}
	for i := 0; i < n; i++ {
		if col.IsNull(i) {
			if sc.Errors == nil {
				sc.Errors, sc.ErrorClass = make([]string, n), make([]string, n)
			}
			sc.Score[i] = math.NaN()
			sc.Errors[i] = fmt.Sprintf("no score logged in column %q", m.Column)
			sc.ErrorClass[i] = "missing"
			continue
		}
		sc.Score[i] = models.FeatureValue(col, i)
	}
	return sc, nil
}

// Info implements the model description used for fingerprints.
func (m *Model) Info() models.Info {
	return models.Info{
		Type:        "column",
		Fingerprint: fmt.Sprintf("sha256:%x", sha256.Sum256([]byte("column:"+m.Column))),
		Details:     fmt.Sprintf("scores logged in column %q", m.Column),
	}
}

func numeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64:
		return true
	}
	return false
}
