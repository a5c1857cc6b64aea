package xgboost

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/replaygate/replaygate/errs"
)

// tinyModel is a hand-written binary:logistic model over two features:
//
//	tree 0: x0 < 0.5 (missing -> left) ? 0.25 : -0.5
//	tree 1: x1 < 1.0 (missing -> right) ? (x0 < -1 (missing -> right) ? 1.0 : 0.125) : -0.75
//
// Node 1 of tree 1 is written after its children, and tree 1 has a deleted
// (unreachable) node 5, to check that node order does not matter.
func tinyModel() map[string]any {
	tree0 := map[string]any{
		"id":               0,
		"left_children":    []any{1, -1, -1},
		"right_children":   []any{2, -1, -1},
		"split_indices":    []any{0, 0, 0},
		"split_conditions": []any{0.5, 0.25, -0.5},
		"default_left":     []any{1, 0, 0},
		"split_type":       []any{0, 0, 0},
		"categories":       []any{}, "categories_nodes": []any{},
		"categories_segments": []any{}, "categories_sizes": []any{},
		"tree_param": map[string]any{"num_nodes": "3", "num_feature": "2", "size_leaf_vector": "0", "num_deleted": "0"},
	}
	tree1 := map[string]any{
		"id":               1,
		"left_children":    []any{4, -1, -1, -1, 1, -1},
		"right_children":   []any{3, -1, -1, -1, 2, -1},
		"split_indices":    []any{1, 0, 0, 0, 0, 0},
		"split_conditions": []any{1.0, 1.0, 0.125, -0.75, -1.0, 9.0},
		"default_left":     []any{false, false, false, false, false, false},
		"tree_param":       map[string]any{"num_nodes": "6", "num_feature": "2", "size_leaf_vector": "0", "num_deleted": "1"},
	}
	return map[string]any{
		"version": []any{1, 7, 4},
		"learner": map[string]any{
			"attributes":    map[string]any{},
			"feature_names": []any{"a", "b"},
			"feature_types": []any{"float", "float"},
			"gradient_booster": map[string]any{
				"name": "gbtree",
				"model": map[string]any{
					"gbtree_model_param": map[string]any{"num_trees": "2", "num_parallel_tree": "1", "size_leaf_vector": "0"},
					"tree_info":          []any{0, 0},
					"trees":              []any{tree0, tree1},
				},
			},
			"learner_model_param": map[string]any{"base_score": "5E-1", "num_class": "0", "num_feature": "2", "num_target": "1", "boost_from_average": "1"},
			"objective":           map[string]any{"name": "binary:logistic", "reg_loss_param": map[string]any{"scale_pos_weight": "1"}},
		},
	}
}

func marshal(t testing.TB, m map[string]any) []byte {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func learner(m map[string]any) map[string]any { return m["learner"].(map[string]any) }
func treeModel(m map[string]any) map[string]any {
	return learner(m)["gradient_booster"].(map[string]any)["model"].(map[string]any)
}
func tree(m map[string]any, i int) map[string]any {
	return treeModel(m)["trees"].([]any)[i].(map[string]any)
}

// tinyMargin is the tiny model's margin, computed by hand from the trees.
func tinyMargin(x0, x1 float64) float64 {
	var t0, t1 float64
	switch {
	case math.IsNaN(x0) || x0 < 0.5:
		t0 = 0.25
	default:
		t0 = -0.5
	}
	switch {
	case math.IsNaN(x1) || x1 >= 1.0:
		t1 = -0.75
	case math.IsNaN(x0) || x0 >= -1:
		t1 = 0.125
	default:
		t1 = 1.0
	}
	return t0 + t1
}

var tinyRows = [][2]float64{
	{0, 0}, {0.5, 0}, {0.49999997, 0}, {-2, 0}, {-1, 0.5}, {-1.0000001, 0.5},
	{1, 1}, {1, 0.99999994}, {math.NaN(), 0}, {0, math.NaN()}, {-5, math.NaN()},
	{math.NaN(), math.NaN()}, {math.Inf(-1), math.Inf(-1)}, {math.Inf(1), math.Inf(1)},
}

func TestHandWrittenModel(t *testing.T) {
	b, err := Parse(marshal(t, tinyModel()), "tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.Describe(), "gbtree binary:logistic, 2 trees, max depth 2, 2 features"; got != want {
		t.Errorf("Describe() = %q, want %q", got, want)
	}
	if got := b.FeatureNames(); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("FeatureNames() = %v", got)
	}
	if b.NumClass() != 1 || b.NumFeatures() != 2 || b.Objective() != "binary:logistic" {
		t.Errorf("NumClass %d NumFeatures %d Objective %q", b.NumClass(), b.NumFeatures(), b.Objective())
	}
	x := make([]float64, 0, 2*len(tinyRows))
	for _, r := range tinyRows {
		x = append(x, r[0], r[1])
	}
	n := len(tinyRows)
	prob, margin := make([]float64, n), make([]float64, n)
	b.PredictDense(x, n, prob)
	b.PredictMargin(x, n, margin)
	for i, r := range tinyRows {
		// The inputs are compared in float32: 0.49999997 and -1.0000001
		// round to 0.5 and -1, which XGBoost sends right (not less).
		m := tinyMargin(float64(float32(r[0])), float64(float32(r[1])))
		p := 1 / (1 + math.Exp(-m))
		if margin[i] != m {
			t.Errorf("row %v: margin %v, want %v", r, margin[i], m)
		}
		if math.Abs(prob[i]-p) > 1e-7 {
			t.Errorf("row %v: probability %v, want %v", r, prob[i], p)
		}
	}
}

func TestBaseScoreForms(t *testing.T) {
	// XGBoost 2.x writes base_score as a list; for squared error it is added
	// as is, for logistic objectives it is a probability turned into a logit.
	m := tinyModel()
	learner(m)["learner_model_param"].(map[string]any)["base_score"] = "[2.5E0]"
	learner(m)["objective"] = map[string]any{"name": "reg:squarederror"}
	m["version"] = []any{2, 1, 0}
	b, err := Parse(marshal(t, m), "v2.json")
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 1)
	b.PredictDense([]float64{0, 0}, 1, out)
	if want := 2.5 + tinyMargin(0, 0); out[0] != want {
		t.Errorf("regression with base_score [2.5E0]: %v, want %v", out[0], want)
	}

	m = tinyModel()
	learner(m)["learner_model_param"].(map[string]any)["base_score"] = "[8E-1]"
	b, err = Parse(marshal(t, m), "logit.json")
	if err != nil {
		t.Fatal(err)
	}
	b.PredictMargin([]float64{0, 0}, 1, out)
	if want := math.Log(0.8/0.2) + tinyMargin(0, 0); math.Abs(out[0]-want) > 1e-6 {
		t.Errorf("logistic with base_score 0.8: margin %v, want %v", out[0], want)
	}

	// Per-class base scores (XGBoost 3.x multi-class intercepts, margins).
	m = tinyModel()
	learner(m)["objective"] = map[string]any{"name": "multi:softprob"}
	learner(m)["learner_model_param"].(map[string]any)["num_class"] = "2"
	learner(m)["learner_model_param"].(map[string]any)["base_score"] = "[1E-1,-3E-1]"
	treeModel(m)["tree_info"] = []any{0, 1}
	b, err = Parse(marshal(t, m), "multi.json")
	if err != nil {
		t.Fatal(err)
	}
	two := make([]float64, 2)
	b.PredictMargin([]float64{0, 0}, 1, two)
	if w0, w1 := float64(float32(0.1)+0.25), float64(float32(-0.3)+0.125); two[0] != w0 || two[1] != w1 {
		t.Errorf("per-class base scores: margins %v, want [%v %v]", two, w0, w1)
	}
	b.PredictDense([]float64{0, 0}, 1, two)
	e0, e1 := math.Exp(float64(float32(0.1)+0.25)), math.Exp(float64(float32(-0.3)+0.125))
	if math.Abs(two[0]-e0/(e0+e1)) > 1e-7 || math.Abs(two[0]+two[1]-1) > 1e-7 {
		t.Errorf("softprob %v, want [%v %v]", two, e0/(e0+e1), e1/(e0+e1))
	}
}

func TestFeatureNamesDefault(t *testing.T) {
	m := tinyModel()
	delete(learner(m), "feature_names")
	b, err := Parse(marshal(t, m), "nonames.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(b.FeatureNames(), ","); got != "f0,f1" {
		t.Errorf("FeatureNames() = %s, want f0,f1", got)
	}
}

func TestTruncate(t *testing.T) {
	b, err := Parse(marshal(t, tinyModel()), "tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	one, err := b.Truncate(1)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 1)
	one.PredictMargin([]float64{0, 0}, 1, out)
	if out[0] != 0.25 {
		t.Errorf("first round only: margin %v, want 0.25", out[0])
	}
	for _, n := range []int{0, 3} {
		if _, err := b.Truncate(n); errs.Code(err) != errs.CodeInput {
			t.Errorf("Truncate(%d): %v, want an input error", n, err)
		}
	}
}

func TestPredictDenseShortBuffersPanic(t *testing.T) {
	b, err := Parse(marshal(t, tinyModel()), "tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("PredictDense with too few features did not panic")
		}
	}()
	b.PredictDense([]float64{1, 2, 3}, 2, make([]float64, 2))
}

func TestMalformedModels(t *testing.T) {
	type mut func(m map[string]any)
	tr := func(i int, key string, v any) mut { return func(m map[string]any) { tree(m, i)[key] = v } }
	cases := []struct {
		name string
		mut  mut
		raw  []byte // used instead of the mutated model when set
		want string
	}{
		{name: "empty", raw: []byte(" \n"), want: "empty"},
		{name: "truncated", raw: marshal(t, tinyModel())[:300], want: "invalid JSON"},
		{name: "not json", raw: []byte("binf\x00\x00\x00?"), want: "not an XGBoost JSON or UBJSON model"},
		{name: "array", raw: []byte("[1,2]"), want: "not an XGBoost JSON or UBJSON model"},
		{name: "no learner", raw: []byte(`{"version":[1,7,4]}`), want: `no "learner"`},
		{name: "learner wrong type", raw: []byte(`{"learner":[1]}`), want: "learner"},
		{name: "split_indices string", mut: tr(0, "split_indices", "0,0,0"), want: "expected an array"},
		{name: "split_indices float", mut: tr(0, "split_indices", []any{0.5, 0, 0}), want: "expected an integer"},
		{name: "split_conditions string", mut: tr(0, "split_conditions", []any{"x", 1, 2}), want: "expected a number"},
		{name: "default_left 2", mut: tr(0, "default_left", []any{2, 0, 0}), want: "expected 0, 1, true or false"},
		{name: "feature_names number", mut: func(m map[string]any) { learner(m)["feature_names"] = 3 }, want: "feature_names"},
		{name: "gblinear", mut: func(m map[string]any) {
			learner(m)["gradient_booster"] = map[string]any{"name": "gblinear", "model": map[string]any{"weights": []any{0.1, 0.2, 0.3}}}
		}, want: "booster gblinear is not supported"},
		{name: "unknown booster", mut: func(m map[string]any) {
			learner(m)["gradient_booster"].(map[string]any)["name"] = "gbforest"
		}, want: `booster "gbforest" is not supported`},
		{name: "unknown objective", mut: func(m map[string]any) {
			learner(m)["objective"] = map[string]any{"name": "count:poisson"}
		}, want: `objective "count:poisson" is not supported`},
		{name: "softmax", mut: func(m map[string]any) {
			learner(m)["objective"] = map[string]any{"name": "multi:softmax"}
		}, want: "multi:softmax is not supported"},
		{name: "no objective", mut: func(m map[string]any) { delete(learner(m), "objective") }, want: "no objective"},
		{name: "categorical split_type", mut: tr(0, "split_type", []any{1, 0, 0}), want: "categorical split"},
		{name: "categories_nodes", mut: func(m map[string]any) {
			tree(m, 0)["categories_nodes"] = []any{0}
			tree(m, 0)["categories"] = []any{2}
		}, want: "categorical split"},
		{name: "child out of range", mut: tr(0, "right_children", []any{7, -1, -1}), want: "child index 7 out of range"},
		{name: "negative child", mut: tr(0, "right_children", []any{-3, -1, -1}), want: "child index -3 out of range"},
		{name: "child is root", mut: tr(1, "left_children", []any{4, -1, -1, -1, 0, -1}), want: "child index 0 out of range"},
		{name: "cycle", mut: func(m map[string]any) {
			tree(m, 1)["left_children"] = []any{4, -1, -1, -1, 1, -1}
			tree(m, 1)["right_children"] = []any{3, -1, -1, -1, 4, -1}
		}, want: "reached twice"},
		{name: "shared child", mut: tr(0, "right_children", []any{1, -1, -1}), want: "reached twice"},
		{name: "leaf with right child", mut: tr(0, "right_children", []any{2, 2, -1}), want: "left child -1 but right child 2"},
		{name: "split index out of range", mut: tr(0, "split_indices", []any{2, 0, 0}), want: "split feature index 2 out of range"},
		{name: "negative split index", mut: tr(0, "split_indices", []any{-1, 0, 0}), want: "split feature index -1 out of range"},
		{name: "short array", mut: tr(0, "split_conditions", []any{0.5, 0.25}), want: "split_conditions has 2 entries"},
		{name: "num_nodes mismatch", mut: func(m map[string]any) {
			tree(m, 0)["tree_param"].(map[string]any)["num_nodes"] = "5"
		}, want: "num_nodes"},
		{name: "no nodes", mut: func(m map[string]any) {
			for _, k := range []string{"left_children", "right_children", "split_indices", "split_conditions", "default_left", "split_type"} {
				tree(m, 0)[k] = []any{}
			}
		}, want: "no nodes"},
		{name: "tree_info out of range", mut: func(m map[string]any) { treeModel(m)["tree_info"] = []any{0, 1} }, want: "tree_info 1 is out of range"},
		{name: "tree_info short", mut: func(m map[string]any) { treeModel(m)["tree_info"] = []any{0} }, want: "tree_info has 1 entries"},
		{name: "num_trees mismatch", mut: func(m map[string]any) {
			treeModel(m)["gbtree_model_param"].(map[string]any)["num_trees"] = "3"
		}, want: "num_trees"},
		{name: "num_parallel_tree", mut: func(m map[string]any) {
			treeModel(m)["gbtree_model_param"].(map[string]any)["num_parallel_tree"] = "281474976710656"
		}, want: "num_parallel_tree"},
		{name: "vector leaf", mut: func(m map[string]any) {
			treeModel(m)["gbtree_model_param"].(map[string]any)["size_leaf_vector"] = "2"
		}, want: "size_leaf_vector"},
		{name: "no num_feature", mut: func(m map[string]any) {
			delete(learner(m)["learner_model_param"].(map[string]any), "num_feature")
		}, want: "num_feature"},
		{name: "num_feature text", mut: func(m map[string]any) {
			learner(m)["learner_model_param"].(map[string]any)["num_feature"] = "two"
		}, want: "num_feature: expected an integer"},
		{name: "multi-target", mut: func(m map[string]any) {
			learner(m)["learner_model_param"].(map[string]any)["num_target"] = "2"
		}, want: "multi-target"},
		{name: "base_score text", mut: func(m map[string]any) {
			learner(m)["learner_model_param"].(map[string]any)["base_score"] = "half"
		}, want: "base_score"},
		{name: "base_score not a probability", mut: func(m map[string]any) {
			learner(m)["learner_model_param"].(map[string]any)["base_score"] = "1.5"
		}, want: "not a probability"},
		{name: "base_score per class mismatch", mut: func(m map[string]any) {
			learner(m)["learner_model_param"].(map[string]any)["base_score"] = "[1E-1,2E-1,3E-1]"
		}, want: "base_score has 3 values"},
		{name: "feature names count", mut: func(m map[string]any) { learner(m)["feature_names"] = []any{"a"} }, want: "1 feature names for 2 features"},
		{name: "binary objective with classes", mut: func(m map[string]any) {
			learner(m)["learner_model_param"].(map[string]any)["num_class"] = "3"
		}, want: "num_class 3"},
		{name: "pre-1.0", mut: func(m map[string]any) { m["version"] = []any{0, 90, 0} }, want: "before 1.0"},
		{name: "dart without gbtree", mut: func(m map[string]any) {
			learner(m)["gradient_booster"] = map[string]any{"name": "dart", "weight_drop": []any{1, 1}}
		}, want: "dart booster without its gbtree model"},
		{name: "dart weights count", mut: func(m map[string]any) {
			gb := learner(m)["gradient_booster"]
			learner(m)["gradient_booster"] = map[string]any{"name": "dart", "gbtree": gb, "weight_drop": []any{1}}
		}, want: "weight_drop has 1 entries"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := c.raw
			if data == nil {
				m := tinyModel()
				c.mut(m)
				data = marshal(t, m)
			}
			b, err := Parse(data, "bad-model.json")
			assertInputErr(t, b, err, "bad-model.json", c.want)
		})
	}
}

func assertInputErr(t *testing.T, b *Booster, err error, name, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error (model %s)", b.Describe())
	}
	if errs.Code(err) != errs.CodeInput {
		t.Errorf("error %q has exit code %d, want %d", err, errs.Code(err), errs.CodeInput)
	}
	msg := err.Error()
	if !strings.Contains(msg, name) {
		t.Errorf("error %q does not name the model file %s", msg, name)
	}
	if !strings.Contains(msg, want) {
		t.Errorf("error %q does not say %q", msg, want)
	}
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Errorf("error %q is not an *errs.Error", msg)
	}
}

// TestRejectedXGBoostModels loads models real XGBoost wrote that must be
// refused (testdata/gen_oracle.py writes them).
func TestRejectedXGBoostModels(t *testing.T) {
	cases := map[string]string{
		"gblinear.json":      "booster gblinear is not supported",
		"softmax.json":       "multi:softmax is not supported",
		"rank_pairwise.json": `objective "rank:pairwise" is not supported`,
		"categorical.json":   "categorical split",
	}
	for file, want := range cases {
		t.Run(file, func(t *testing.T) {
			path := "testdata/reject/" + file
			b, err := LoadFile(path)
			assertInputErr(t, b, err, path, want)
			if file == "categorical.json" && !strings.Contains(errs.HintOf(err), "one-hot") {
				t.Errorf("hint %q does not mention one-hot columns", errs.HintOf(err))
			}
		})
	}
}

func TestLoadFileMissing(t *testing.T) {
	b, err := LoadFile("testdata/models/no-such-model.json")
	assertInputErr(t, b, err, "no-such-model.json", "no such file")
}

func TestNonFiniteTokens(t *testing.T) {
	// XGBoost writes NaN as a bare token; a leaf that is NaN must load (and
	// predict NaN) rather than fail as invalid JSON or read as 0.
	m := tinyModel()
	data := strings.Replace(string(marshal(t, m)), "-0.5", "NaN", 1)
	data = strings.Replace(data, `"a"`, `"NaN a"`, 1) // inside a string: unchanged
	b, err := Parse([]byte(data), "nan.json")
	if err != nil {
		t.Fatal(err)
	}
	if b.FeatureNames()[0] != "NaN a" {
		t.Errorf("feature name %q changed", b.FeatureNames()[0])
	}
	out := make([]float64, 1)
	b.PredictMargin([]float64{2, 0}, 1, out)
	if !math.IsNaN(out[0]) {
		t.Errorf("margin through a NaN leaf: %v, want NaN", out[0])
	}
}

func TestUBJSONMatchesJSON(t *testing.T) {
	j, err := LoadFile("testdata/models/binary_logistic.json")
	if err != nil {
		t.Fatal(err)
	}
	u, err := LoadFile("testdata/models/binary_logistic.ubj")
	if err != nil {
		t.Fatal(err)
	}
	if j.Describe() != u.Describe() || strings.Join(j.FeatureNames(), ",") != strings.Join(u.FeatureNames(), ",") {
		t.Errorf("json %q %v, ubj %q %v", j.Describe(), j.FeatureNames(), u.Describe(), u.FeatureNames())
	}
	if len(j.nodes) != len(u.nodes) {
		t.Fatalf("json %d nodes, ubj %d", len(j.nodes), len(u.nodes))
	}
	for i := range j.nodes {
		if a, b := j.nodes[i], u.nodes[i]; a != b {
			t.Fatalf("node %d: json %+v, ubj %+v", i, a, b)
		}
		if a, b := j.leaf[i], u.leaf[i]; a != b {
			t.Fatalf("leaf %d: json %v, ubj %v", i, a, b)
		}
	}
	// Extension does not matter: a UBJSON file named .json loads as UBJSON.
	data, err := os.ReadFile("testdata/models/binary_logistic.ubj")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(data, "renamed.json"); err != nil {
		t.Errorf("UBJSON content named .json: %v", err)
	}
	// Truncated UBJSON is an input error naming the file.
	for _, n := range []int{1, 2, 50, len(data) / 2, len(data) - 1} {
		b, err := Parse(data[:n], "cut.ubj")
		if n == 1 {
			assertInputErr(t, b, err, "cut.ubj", "")
			continue
		}
		assertInputErr(t, b, err, "cut.ubj", "truncated")
	}
}

func TestUBJSONDecoder(t *testing.T) {
	// Hand-encoded: {"a": [int8 -1, uint8 200, int16 300, int32 -70000,
	// int64 5, float32 1.5, float64 NaN, "x", true, false, null],
	// "b": [$d#i 2 floats], "c": {$U#i 1 "k": 7}}
	doc := []byte{'{',
		'i', 1, 'a', '[',
		'i', 0xff, 'U', 200, 'I', 0x01, 0x2c, 'l', 0xff, 0xfe, 0xee, 0x90,
		'L', 0, 0, 0, 0, 0, 0, 0, 5,
		'd', 0x3f, 0xc0, 0, 0,
		'D', 0x7f, 0xf8, 0, 0, 0, 0, 0, 0,
		'S', 'i', 1, 'x', 'N', 'T', 'F', 'Z', ']',
		'i', 1, 'b', '[', '$', 'd', '#', 'i', 2, 0x3f, 0x80, 0, 0, 0xc0, 0x00, 0, 0,
		'i', 1, 'c', '{', '$', 'U', '#', 'i', 1, 'i', 1, 'k', 7,
		'}'}
	got, err := ubjsonToJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":[-1,200,300,-70000,5,1.5,"NaN","x",true,false,null],"b":[1,-2],"c":{"k":7}}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	bad := map[string][]byte{
		"count past end":  {'[', '$', 'd', '#', 'L', 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"negative length": {'S', 'i', 0xff},
		"unknown marker":  {'[', 'q', ']'},
		"typed null":      {'[', '$', 'Z', '#', 'L', 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"unterminated":    {'[', 'T', 'T'},
		"trailing data":   {'T', 'T'},
		"deep": func() []byte {
			b := make([]byte, 1000)
			for i := range b {
				b[i] = '['
			}
			return b
		}(),
	}
	for name, data := range bad {
		if _, err := ubjsonToJSON(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestObjectives(t *testing.T) {
	x := []float64{0, 0, 2, 2}
	want := func(base float64) []float64 { return []float64{base + tinyMargin(0, 0), base + tinyMargin(2, 2)} }
	for _, c := range []struct {
		objective, baseScore string
		want                 []float64
	}{
		{"reg:linear", "5E-1", want(0.5)}, // the old name of reg:squarederror
		{"reg:squarederror", "-1.5E0", want(-1.5)},
		{"binary:logitraw", "5E-1", want(0.5)},    // base_score is added as is
		{"binary:logistic", "0", []float64{0, 0}}, // logit(0) = -Inf: every probability is 0
		{"reg:logistic", "1", []float64{1, 1}},
	} {
		m := tinyModel()
		learner(m)["objective"] = map[string]any{"name": c.objective}
		learner(m)["learner_model_param"].(map[string]any)["base_score"] = c.baseScore
		b, err := Parse(marshal(t, m), "obj.json")
		if err != nil {
			t.Fatalf("%s: %v", c.objective, err)
		}
		out := make([]float64, 2)
		b.PredictDense(x, 2, out)
		if out[0] != c.want[0] || out[1] != c.want[1] {
			t.Errorf("%s base_score %s: %v, want %v", c.objective, c.baseScore, out, c.want)
		}
	}
}

// TestFixtureUBJSON checks that the fixture candidate model saved as JSON
// and as UBJSON loads to the same forest.
func TestFixtureUBJSON(t *testing.T) {
	j, err := LoadFile("../../fixtures/models/candidate.json")
	if err != nil {
		t.Skipf("no fixture model: %v", err)
	}
	u, err := LoadFile("../../fixtures/models/candidate.ubj")
	if err != nil {
		if errs.Code(err) == errs.CodeInput && strings.Contains(err.Error(), "no such file") {
			t.Skip("no fixture UBJSON model")
		}
		t.Fatal(err)
	}
	if j.Describe() != u.Describe() || len(j.nodes) != len(u.nodes) {
		t.Fatalf("json %s (%d nodes), ubj %s (%d nodes)", j.Describe(), len(j.nodes), u.Describe(), len(u.nodes))
	}
	for i := range j.nodes {
		if j.nodes[i] != u.nodes[i] || j.leaf[i] != u.leaf[i] {
			t.Fatalf("node %d differs: json %+v %v, ubj %+v %v", i, j.nodes[i], j.leaf[i], u.nodes[i], u.leaf[i])
		}
	}
}
