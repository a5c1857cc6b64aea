package xgboost

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/models"
)

const hintFeatures = "map model features to traffic columns with candidate.features in the spec (features[i] feeds model feature i)"

// Model adapts a Booster to models.Model over Arrow record batches.
// It is safe for concurrent use by several goroutines.
type Model struct {
	b       *Booster
	path    string
	columns []string // columns[i] feeds model feature i

	bound atomic.Pointer[binding]
}

// binding is the column index of every model feature in one schema.
type binding struct {
	schema *arrow.Schema
	cols   []int
}

// New binds the booster to traffic columns. features, when non-nil,
// overrides the model's own feature names: features[i] is the traffic
// column that feeds model feature i. path is reported by Info.
func New(b *Booster, path string, features []string) (*Model, error) {
	if b == nil {
		return nil, errs.Input("", "xgboost model %s: no model", path)
	}
	cols := b.FeatureNames()
	if features != nil {
		if len(features) != b.NumFeatures() {
			return nil, errs.Input(hintFeatures+"; list one column per model feature, in model order ("+preview(cols)+")",
				"xgboost model %s has %d features but %d feature columns are given", path, b.NumFeatures(), len(features))
		}
		for i, f := range features {
			if strings.TrimSpace(f) == "" {
				return nil, errs.Input(hintFeatures, "xgboost model %s: feature column %d (model feature %q) is empty", path, i, cols[i])
			}
		}
		cols = append([]string(nil), features...)
	} else {
		seen := make(map[string]int, len(cols))
		for i, c := range cols {
			if c == "" {
				return nil, errs.Input(hintFeatures, "xgboost model %s: model feature %d has an empty name", path, i)
			}
			if j, dup := seen[c]; dup {
				return nil, errs.Input(hintFeatures, "xgboost model %s: model features %d and %d are both named %q", path, j, i, c)
			}
			seen[c] = i
		}
	}
	return &Model{b: b, path: path, columns: cols}, nil
}

func preview(names []string) string {
	if len(names) > 6 {
		return strings.Join(names[:6], ", ") + ", ..."
	}
	return strings.Join(names, ", ")
}

// Booster returns the model's booster.
func (m *Model) Booster() *Booster { return m.b }

// Columns returns the traffic column feeding each model feature, in model order.
func (m *Model) Columns() []string { return append([]string(nil), m.columns...) }

// Bind checks a schema before any row is scored: every needed column exists
// and holds numbers or booleans.
func (m *Model) Bind(schema *arrow.Schema) error {
	_, err := m.bind(schema)
	return err
}

func (m *Model) bind(schema *arrow.Schema) (*binding, error) {
	if bd := m.bound.Load(); bd != nil && bd.schema == schema {
		return bd, nil
	}
	model := m.b.FeatureNames()
	labels := make([]string, len(m.columns))
	for i, c := range m.columns {
		if model[i] != c {
			labels[i] = fmt.Sprintf(" (model feature %q)", model[i])
		}
	}
	cols, err := models.FeatureColumns(schema, m.columns, labels, "xgboost model "+m.path, hintFeatures)
	if err != nil {
		return nil, err
	}
	bd := &binding{schema: schema, cols: cols}
	m.bound.Store(bd)
	return bd, nil
}

// Predict implements models.Model. Integer, float and bool columns become
// float values (nulls are missing values); Score is the positive-class
// probability, the regression value or, for multi-class models, the
// probability of the most likely class, with per-class probabilities in
// Classes. A non-finite output is a per-row error of class "non_finite".
func (m *Model) Predict(ctx context.Context, in arrow.RecordBatch) (models.Scores, error) {
	if err := ctx.Err(); err != nil {
		return models.Scores{}, err
	}
	bd, err := m.bind(in.Schema())
	if err != nil {
		return models.Scores{}, err
	}
	start := time.Now()
	n := int(in.NumRows())
	b := m.b
	nf, ng := b.numFeature, b.numGroup
	sc := models.Scores{Score: make([]float64, n), LatencyMS: make([]float64, n)}
	var out []float64 // row-major outputs
	if ng == 1 {
		out = sc.Score
	} else {
		sc.Classes = make([][]float64, ng)
		flat := make([]float64, ng*n)
		for c := range sc.Classes {
			sc.Classes[c] = flat[c*n : (c+1)*n : (c+1)*n]
		}
		out = make([]float64, ng*n)
	}

	s := b.getScratch()
	defer b.pool.Put(s)
	cols := make([]arrow.Array, 0, 64)
	for _, ci := range bd.cols {
		cols = append(cols, in.Column(ci))
	}
	for lo := 0; lo < n; lo += blockRows {
		if lo%(blockRows*64) == 0 && lo > 0 {
			if err := ctx.Err(); err != nil {
				return models.Scores{}, err
			}
		}
		k := min(blockRows, n-lo)
		x := s.x[:k*nf]
		for j, col := range cols {
			fill(col, lo, k, j, nf, x)
		}
		b.margins(s, k)
		b.finish(s.acc[:k*ng], k, out[lo*ng:(lo+k)*ng], true)
	}

	if ng > 1 {
		for r := 0; r < n; r++ {
			best := math.Inf(-1)
			nan := false
			for c := 0; c < ng; c++ {
				v := out[r*ng+c]
				sc.Classes[c][r] = v
				if v > best {
					best = v
				}
				nan = nan || v != v
			}
			if nan {
				best = math.NaN()
			}
			sc.Score[r] = best
		}
	}
	for r, v := range sc.Score {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if sc.Errors == nil {
				sc.Errors, sc.ErrorClass = make([]string, n), make([]string, n)
			}
			sc.Errors[r] = fmt.Sprintf("model output is %v", v)
			sc.ErrorClass[r] = "non_finite"
		}
	}
	if n > 0 {
		per := float64(time.Since(start).Nanoseconds()) / 1e6 / float64(n)
		for r := range sc.LatencyMS {
			sc.LatencyMS[r] = per
		}
	}
	return sc, nil
}

type number interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

func fillValues[T number](vals []T, j, nf int, x []float32) {
	for r, v := range vals {
		x[r*nf+j] = float32(float64(v))
	}
}

// fill writes rows [lo, lo+k) of col into column j of the row-major block x
// (k rows of nf features); nulls become NaN.
func fill(col arrow.Array, lo, k, j, nf int, x []float32) {
	switch c := col.(type) {
	case *array.Float64:
		fillValues(c.Float64Values()[lo:lo+k], j, nf, x)
	case *array.Float32:
		fillValues(c.Float32Values()[lo:lo+k], j, nf, x)
	case *array.Int64:
		fillValues(c.Int64Values()[lo:lo+k], j, nf, x)
	case *array.Int32:
		fillValues(c.Int32Values()[lo:lo+k], j, nf, x)
	case *array.Int16:
		fillValues(c.Int16Values()[lo:lo+k], j, nf, x)
	case *array.Int8:
		fillValues(c.Int8Values()[lo:lo+k], j, nf, x)
	case *array.Uint64:
		fillValues(c.Uint64Values()[lo:lo+k], j, nf, x)
	case *array.Uint32:
		fillValues(c.Uint32Values()[lo:lo+k], j, nf, x)
	case *array.Uint16:
		fillValues(c.Uint16Values()[lo:lo+k], j, nf, x)
	case *array.Uint8:
		fillValues(c.Uint8Values()[lo:lo+k], j, nf, x)
	case *array.Float16:
		for r, v := range c.Values()[lo : lo+k] {
			x[r*nf+j] = v.Float32()
		}
	case *array.Boolean:
		for r := 0; r < k; r++ {
			if c.Value(lo + r) {
				x[r*nf+j] = 1
			} else {
				x[r*nf+j] = 0
			}
		}
	default: // the null type: every value is missing
		for r := 0; r < k; r++ {
			x[r*nf+j] = float32(math.NaN())
		}
		return
	}
	if col.NullN() > 0 {
		nan := float32(math.NaN())
		for r := 0; r < k; r++ {
			if col.IsNull(lo + r) {
				x[r*nf+j] = nan
			}
		}
	}
}

// Info describes the model for the result's fingerprints.
func (m *Model) Info() models.Info {
	return models.Info{
		Type:        "xgboost",
		Path:        m.path,
		Fingerprint: "sha256:" + m.b.SHA256(),
		Details:     m.b.Describe(),
		Features:    m.Columns(),
	}
}

var _ models.Model = (*Model)(nil)
