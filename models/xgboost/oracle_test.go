package xgboost

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// oracle is a file of predictions XGBoost itself made (see
// testdata/gen_oracle.py and fixtures/gen).
type oracle struct {
	Model       string            `json:"model"`
	Features    []string          `json:"features"`
	Rows        [][]*float64      `json:"rows"`
	Predictions []json.RawMessage `json:"predictions"`
	Margins     []json.RawMessage `json:"margins"`
	Iterations  int               `json:"iterations"`
}

const tolerance = 1e-6

func readOracle(t *testing.T, path string) *oracle {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var o oracle
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if o.Model == "" || len(o.Rows) == 0 || len(o.Rows) != len(o.Predictions) {
		t.Fatalf("%s: need a model, rows and one prediction per row (%d rows, %d predictions)", path, len(o.Rows), len(o.Predictions))
	}
	return &o
}

// values reads a prediction written as a number or a list of numbers.
func values(t *testing.T, raw json.RawMessage) []float64 {
	t.Helper()
	var v []float64
	if err := json.Unmarshal(raw, &v); err == nil {
		return v
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("prediction %s: want a number or a list of numbers", raw)
	}
	return []float64{f}
}

// rowsFor lays the oracle's rows out in model feature order: by name when
// the oracle's features are the model's (in any order), else by position.
func rowsFor(t *testing.T, b *Booster, o *oracle) []float64 {
	t.Helper()
	nf := b.NumFeatures()
	pos := make([]int, nf)
	byName := b.featureIndex()
	named := len(o.Features) == len(o.Rows[0])
	for _, f := range o.Features {
		if _, ok := byName[f]; !ok {
			named = false
		}
	}
	for i := range pos {
		pos[i] = i
	}
	if named {
		for j, f := range o.Features {
			pos[byName[f]] = j
		}
	} else if len(o.Rows[0]) != nf {
		t.Fatalf("oracle rows have %d values, the model %d features", len(o.Rows[0]), nf)
	}
	x := make([]float64, len(o.Rows)*nf)
	for r, row := range o.Rows {
		for i := 0; i < nf; i++ {
			v := row[pos[i]]
			if v == nil {
				x[r*nf+i] = math.NaN()
			} else {
				x[r*nf+i] = *v
			}
		}
	}
	return x
}

// compare checks got (row-major, k outputs per row) against want. A binary
// model's oracle may list both class probabilities [1-p, p].
func compare(t *testing.T, what string, got []float64, k int, want []json.RawMessage) {
	t.Helper()
	bad := 0
	for r, raw := range want {
		w := values(t, raw)
		g := got[r*k : r*k+k]
		if k == 1 && len(w) == 2 {
			w = w[1:]
		}
		if len(w) != k {
			t.Fatalf("%s row %d: oracle has %d outputs, the model %d", what, r, len(w), k)
		}
		for c := range w {
			if d := math.Abs(g[c] - w[c]); !(d <= tolerance) {
				bad++
				if bad <= 5 {
					t.Errorf("%s row %d output %d: got %.9g, xgboost %.9g (diff %.3g)", what, r, c, g[c], w[c], d)
				}
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d values differ from xgboost by more than %g", what, bad, tolerance)
	}
}

func checkOracle(t *testing.T, path, base string) {
	o := readOracle(t, path)
	b, err := LoadFile(filepath.Join(base, filepath.FromSlash(o.Model)))
	if err != nil {
		t.Fatal(err)
	}
	if o.Iterations > 0 {
		if b, err = b.Truncate(o.Iterations); err != nil {
			t.Fatal(err)
		}
	}
	x := rowsFor(t, b, o)
	n, k := len(o.Rows), b.NumClass()
	got := make([]float64, n*k)
	b.PredictDense(x, n, got)
	compare(t, "prediction", got, k, o.Predictions)
	if len(o.Margins) == n {
		b.PredictMargin(x, n, got)
		compare(t, "margin", got, k, o.Margins)
	}
}

// TestOracles checks every model in testdata against the predictions that
// XGBoost 1.7 made for it (testdata/gen_oracle.py).
func TestOracles(t *testing.T) {
	files, err := filepath.Glob("testdata/oracle/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no oracle files in testdata/oracle (run testdata/gen_oracle.py): %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			checkOracle(t, f, "testdata")
		})
	}
}

// TestFixtureOracles checks the committed fixture models against the
// predictions XGBoost made for them (fixtures/oracle, written by the
// fixture generator).
func TestFixtureOracles(t *testing.T) {
	const dir = "../../fixtures/oracle"
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("fixture oracles: %v (regenerate with go run ./fixtures/gen -regen)", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		// The folder also holds oracles of other packages (statistics):
		// model oracles are the files that name a model.
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var probe struct {
			Model any `json:"model"`
		}
		if json.Unmarshal(data, &probe) != nil || probe.Model == nil {
			continue
		}
		checked++
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			checkOracle(t, f, "../../fixtures")
		})
	}
	if checked == 0 {
		t.Fatalf("%s holds no model oracle files (JSON objects with a \"model\" key)", dir)
	}
}

// TestOracleCoverage makes sure the oracle models exercise what they are
// meant to: both default_left directions, thresholds hit exactly, dart
// weights, several outputs.
func TestOracleCoverage(t *testing.T) {
	b, err := LoadFile("testdata/models/missing.json")
	if err != nil {
		t.Fatal(err)
	}
	dl := map[bool]int{}
	for i, n := range b.nodes {
		if !b.isLeaf(i) {
			dl[n.feat&defaultLeft != 0]++
		}
	}
	if dl[true] == 0 || dl[false] == 0 {
		t.Errorf("missing.json: want splits with default_left both ways, got %v", dl)
	}
	mc, err := LoadFile("testdata/models/multi_softprob.json")
	if err != nil {
		t.Fatal(err)
	}
	if mc.NumClass() != 3 {
		t.Errorf("multi_softprob: NumClass = %d, want 3", mc.NumClass())
	}
	deep, err := LoadFile("testdata/models/deep.json")
	if err != nil {
		t.Fatal(err)
	}
	if deep.MaxDepth() < 10 {
		t.Errorf("deep.json: max depth %d, want >= 10", deep.MaxDepth())
	}
	es, err := LoadFile("testdata/models/early_stopping.json")
	if err != nil {
		t.Fatal(err)
	}
	if es.BestIteration() < 0 || es.BestIteration()+1 >= es.Rounds() {
		t.Errorf("early_stopping.json: best iteration %d of %d rounds", es.BestIteration(), es.Rounds())
	}
}
