package xgboost

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/replaygate/replaygate/errs"
)

const (
	hintSave      = "save the model with XGBoost's Booster.save_model(\"model.json\") (or .ubj), XGBoost 1.0 or later"
	hintObjective = "supported objectives: binary:logistic, reg:logistic, binary:logitraw, reg:squarederror (reg:linear), multi:softprob"
	hintSoftmax   = "multi:softmax predicts class indices; load the model in XGBoost, set_param({\"objective\": \"multi:softprob\"}) and save it again: the trees are the same and predict then returns per-class probabilities"
	hintCategory  = "categorical splits are not supported: train with the categorical features as numeric codes or one-hot columns (enable_categorical=False)"

	maxFeatures = 1 << 20
)

// transform is an objective's link from margin to prediction.
type transform int

const (
	identity transform = iota // regression, logitraw
	sigmoid                   // logistic objectives
	softmax                   // multi:softprob
)

type objectiveInfo struct {
	transform transform
	logitBase bool // base_score is a probability: ProbToMargin is the logit
	multi     bool
}

var objectives = map[string]objectiveInfo{
	"binary:logistic":  {transform: sigmoid, logitBase: true},
	"reg:logistic":     {transform: sigmoid, logitBase: true},
	"binary:logitraw":  {transform: identity}, // ProbToMargin is the identity here (XGBoost 1.7 and later)
	"reg:squarederror": {transform: identity},
	"reg:linear":       {transform: identity},
	"multi:softprob":   {transform: softmax, multi: true},
}

// node is one node of the flattened forest. Children of a node are stored
// next to each other, after it: the right child is at left+1. A leaf is
// made to lead back to itself (left is its own index - 1, cond is -Inf, so
// every value and NaN goes "right"), which lets prediction walk every tree
// a fixed number of steps, its depth, without testing for leaves; the
// leaf's value is in Booster.leaf.
type node struct {
	cond float32 // split threshold; -Inf at leaves
	left int32   // index of the left child in Booster.nodes; own index - 1 at leaves
	feat uint32  // feature index, | defaultLeft when missing values go left
}

const (
	defaultLeft = 1 << 31
	featMask    = defaultLeft - 1
)

// Booster is a loaded XGBoost tree ensemble. It is immutable and safe for
// concurrent use.
type Booster struct {
	name         string
	objective    string
	boosterName  string
	version      string
	numFeature   int
	numGroup     int
	featureNames []string // nil: the default names f0..fN-1
	obj          objectiveInfo
	baseScore    []float32 // per output group, as stored (probability space for logistic)
	baseMargin   []float32 // per output group, margin space
	nodes        []node
	leaf         []float32 // per node: the leaf value, 0 at splits
	roots        []int32   // per tree: index of its root in nodes
	groups       []int32   // per tree: output group
	depths       []int32   // per tree: depth of its deepest leaf
	maxDepth     int
	parallel     int // trees per group per boosting round
	bestIter     int // -1 when the model has none
	sum          string

	pool sync.Pool // *scratch
}

// LoadFile reads an XGBoost model saved as JSON or UBJSON. The format is
// detected from the content, not from the file's extension.
func LoadFile(path string) (*Booster, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errs.Input("check the model path in the spec (relative paths resolve against the spec file's folder)",
			"xgboost model: %v", err)
	}
	return Parse(data, path)
}

// Parse reads an XGBoost model from JSON or UBJSON bytes; name (usually the
// file path) is used in error messages.
func Parse(data []byte, name string) (b *Booster, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, errs.Input(hintSave, "%s: cannot read xgboost model: %v", name, r)
		}
	}()
	return parse(data, name)
}

// parse is Parse without the recover, so that fuzzing sees panics.
func parse(data []byte, name string) (b *Booster, err error) {
	sum := sha256.Sum256(data)
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(trimmed) == 0 {
		return nil, errs.Input(hintSave, "%s: %v", name, errEmpty)
	}
	var raw *rawModel
	if looksLikeUBJSON(trimmed) {
		js, err := ubjsonToJSON(trimmed)
		if err != nil {
			return nil, errs.Input(hintSave, "%s: invalid UBJSON xgboost model: %v", name, err)
		}
		raw, err = decodeJSON(js)
		if err != nil {
			return nil, errs.Input(hintSave, "%s: invalid xgboost model: %v", name, err)
		}
	} else {
		if trimmed[0] != '{' {
			return nil, errs.Input(hintSave, "%s: not an XGBoost JSON or UBJSON model (old binary models are not supported)", name)
		}
		raw, err = decodeJSON(data)
		if err != nil {
			return nil, errs.Input(hintSave, "%s: %v", name, err)
		}
	}
	b, err = build(raw, name)
	if err != nil {
		return nil, err
	}
	b.sum = hex.EncodeToString(sum[:])
	return b, nil
}

func inputErr(hint, name, format string, args ...any) error {
	return errs.Input(hint, "%s: %s", name, fmt.Sprintf(format, args...))
}

func paramInt(p paramMap, key string, def int) (int, error) {
	s, ok := p[key]
	if !ok || s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<31 {
			return 0, fmt.Errorf("%s: expected an integer, found %q", key, s)
		}
		n = int(f)
	}
	return n, nil
}

// parseBaseScore reads base_score as XGBoost 1.x ("5E-1") and 2.x and later
// ("[5E-1]", or one value per output "[1E0,2E0]") write it.
func parseBaseScore(s string) ([]float32, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
	}
	var out []float32
	for _, part := range strings.Split(s, ",") {
		f, err := strconv.ParseFloat(strings.TrimSpace(part), 32)
		if err != nil && !isRange(err) {
			return nil, fmt.Errorf("base_score: expected a number or a list of numbers, found %q", s)
		}
		out = append(out, float32(f))
	}
	return out, nil
}

// probToMargin is the objective's ProbToMargin in float32, as XGBoost
// computes it: -log(1/p - 1) for logistic objectives, p otherwise.
func probToMargin(p float32, logit bool) float32 {
	if !logit {
		return p
	}
	v := float32(1)/p - float32(1)
	return -float32(math.Log(float64(v)))
}

func build(raw *rawModel, name string) (*Booster, error) {
	l := raw.Learner
	if l == nil {
		return nil, inputErr(hintSave, name, "not an XGBoost model: no \"learner\" object")
	}
	b := &Booster{name: name, bestIter: -1}
	if len(raw.Version) > 0 {
		parts := make([]string, len(raw.Version))
		for i, v := range raw.Version {
			parts[i] = strconv.Itoa(v)
		}
		b.version = strings.Join(parts, ".")
		if raw.Version[0] < 1 {
			return nil, inputErr(hintSave, name, "model written by XGBoost %s; JSON models from before 1.0 store base_score differently and are not supported", b.version)
		}
	}

	// Objective.
	if l.Objective == nil || l.Objective.Name == "" {
		return nil, inputErr(hintSave, name, "no objective (learner.objective.name)")
	}
	b.objective = l.Objective.Name
	obj, ok := objectives[b.objective]
	if !ok {
		if b.objective == "multi:softmax" {
			return nil, inputErr(hintSoftmax, name, "objective multi:softmax is not supported")
		}
		return nil, inputErr(hintObjective, name, "objective %q is not supported", b.objective)
	}
	b.obj = obj

	// Booster.
	gb := l.GradientBooster
	if gb == nil {
		return nil, inputErr(hintSave, name, "no gradient booster (learner.gradient_booster)")
	}
	b.boosterName = gb.Name
	var weights f32s
	switch gb.Name {
	case "gbtree":
	case "dart":
		if err := decodeField("weight_drop", gb.WeightDrop, &weights); err != nil {
			return nil, inputErr(hintSave, name, "learner.gradient_booster.%v", err)
		}
		if weights == nil {
			return nil, inputErr(hintSave, name, "dart booster without weight_drop")
		}
		if gb.GBTree == nil || gb.GBTree.Name != "gbtree" {
			return nil, inputErr(hintSave, name, "dart booster without its gbtree model (learner.gradient_booster.gbtree)")
		}
		gb = gb.GBTree
	case "gblinear":
		return nil, inputErr("only tree boosters (gbtree, dart) are supported; retrain with booster=\"gbtree\"", name,
			"booster gblinear is not supported")
	default:
		return nil, inputErr("only tree boosters (gbtree, dart) are supported", name, "booster %q is not supported", gb.Name)
	}
	tm := gb.Model
	if tm == nil {
		return nil, inputErr(hintSave, name, "no tree model (learner.gradient_booster.model)")
	}

	// Model parameters.
	p := l.LearnerModelParam
	nf, err := paramInt(p, "num_feature", -1)
	if err != nil {
		return nil, inputErr(hintSave, name, "learner_model_param.%v", err)
	}
	if nf < 1 || nf > maxFeatures {
		return nil, inputErr(hintSave, name, "learner_model_param.num_feature is %d, expected 1 to %d", nf, maxFeatures)
	}
	b.numFeature = nf
	nc, err := paramInt(p, "num_class", 0)
	if err != nil {
		return nil, inputErr(hintSave, name, "learner_model_param.%v", err)
	}
	nt, err := paramInt(p, "num_target", 1)
	if err != nil {
		return nil, inputErr(hintSave, name, "learner_model_param.%v", err)
	}
	if nt > 1 {
		return nil, inputErr("train one model per target", name, "multi-target models (num_target %d) are not supported", nt)
	}
	switch {
	case nc < 0 || nc > 1<<16:
		return nil, inputErr(hintSave, name, "learner_model_param.num_class is %d", nc)
	case obj.multi && nc < 1:
		return nil, inputErr(hintSave, name, "objective %s needs num_class >= 1, found %d", b.objective, nc)
	case !obj.multi && nc > 1:
		return nil, inputErr(hintSave, name, "objective %s with num_class %d", b.objective, nc)
	}
	b.numGroup = max(nc, 1)

	bs := []float32{0.5}
	if s, ok := p["base_score"]; ok {
		if bs, err = parseBaseScore(s); err != nil {
			return nil, inputErr(hintSave, name, "learner_model_param.%v", err)
		}
	}
	switch len(bs) {
	case 1:
		for len(bs) < b.numGroup {
			bs = append(bs, bs[0])
		}
	case b.numGroup:
	default:
		return nil, inputErr(hintSave, name, "base_score has %d values for %d outputs", len(bs), b.numGroup)
	}
	b.baseScore = bs
	b.baseMargin = make([]float32, len(bs))
	for i, v := range bs {
		// XGBoost 3 accepts 0 and 1 (all labels equal): margins of -Inf and +Inf.
		if obj.logitBase && !(v >= 0 && v <= 1) {
			return nil, inputErr(hintSave, name, "base_score %v is not a probability in [0, 1] as objective %s needs", v, b.objective)
		}
		b.baseMargin[i] = probToMargin(v, obj.logitBase)
	}

	// Feature names.
	switch {
	case len(l.FeatureNames) == 0:
		// f0..fN-1, made when asked for
	case len(l.FeatureNames) != nf:
		return nil, inputErr(hintSave, name, "%d feature names for %d features", len(l.FeatureNames), nf)
	default:
		b.featureNames = append([]string(nil), l.FeatureNames...)
	}

	// Trees.
	ntrees := len(tm.Trees)
	if n, err := paramInt(tm.Param, "num_trees", ntrees); err != nil || n != ntrees {
		return nil, inputErr(hintSave, name, "gbtree_model_param.num_trees is %q but the model has %d trees", tm.Param["num_trees"], ntrees)
	}
	var treeInfo i32s
	if err := decodeField("tree_info", tm.TreeInfo, &treeInfo); err != nil {
		return nil, inputErr(hintSave, name, "learner.gradient_booster.model.%v", err)
	}
	if len(treeInfo) != ntrees {
		return nil, inputErr(hintSave, name, "tree_info has %d entries for %d trees", len(treeInfo), ntrees)
	}
	if weights != nil && len(weights) != ntrees {
		return nil, inputErr(hintSave, name, "dart weight_drop has %d entries for %d trees", len(weights), ntrees)
	}
	if v, err := paramInt(tm.Param, "size_leaf_vector", 0); err != nil || v > 1 {
		return nil, inputErr("vector-leaf models (multi_strategy=\"multi_output_tree\") are not supported", name,
			"gbtree_model_param.size_leaf_vector is %q", tm.Param["size_leaf_vector"])
	}
	b.parallel, err = paramInt(tm.Param, "num_parallel_tree", 1)
	if err != nil || b.parallel < 1 || b.parallel > 1<<20 {
		return nil, inputErr(hintSave, name, "gbtree_model_param.num_parallel_tree is %q", tm.Param["num_parallel_tree"])
	}
	b.roots = make([]int32, ntrees)
	b.groups = make([]int32, ntrees)
	b.depths = make([]int32, ntrees)
	trees := make([]*rawTree, ntrees)
	total := 0
	for i, raw := range tm.Trees {
		t, err := decodeTree(raw)
		if err != nil {
			return nil, inputErr(hintSave, name, "learner.gradient_booster.model.trees[%d].%v", i, err)
		}
		trees[i] = t
		total += len(t.LeftChildren)
		tm.Trees[i] = nil // let the text go
	}
	if total > math.MaxInt32/2 {
		return nil, inputErr(hintSave, name, "too many nodes (%d)", total)
	}
	b.nodes = make([]node, 0, total)
	b.leaf = make([]float32, 0, total)
	for i, t := range trees {
		g := treeInfo[i]
		if g < 0 || int(g) >= b.numGroup {
			return nil, inputErr(hintSave, name, "tree %d: tree_info %d is out of range for %d outputs", i, g, b.numGroup)
		}
		w := float32(1)
		if weights != nil {
			w = weights[i]
		}
		root := int32(len(b.nodes))
		depth, err := b.addTree(t, w, weights != nil)
		if err != nil {
			return nil, inputErr(hintFor(err), name, "tree %d: %v", i, err)
		}
		b.roots[i], b.groups[i], b.depths[i] = root, g, int32(depth)
		b.maxDepth = max(b.maxDepth, depth)
	}

	if s, ok := l.Attributes["best_iteration"]; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 {
			b.bestIter = n
		}
	}
	return b, nil
}

type categoricalError struct{ msg string }

func (e *categoricalError) Error() string { return e.msg }

func hintFor(err error) string {
	if _, ok := err.(*categoricalError); ok {
		return hintCategory
	}
	return hintSave
}

// addTree validates one tree and appends it to b.nodes in breadth-first
// order, children side by side. Nodes that cannot be reached from the root
// (deleted by pruning) are dropped. It returns the depth of the deepest leaf.
func (b *Booster) addTree(t *rawTree, weight float32, dart bool) (int, error) {
	n := len(t.LeftChildren)
	if n == 0 {
		return 0, fmt.Errorf("no nodes")
	}
	for _, f := range []struct {
		name string
		n    int
	}{
		{"right_children", len(t.RightChildren)},
		{"split_indices", len(t.SplitIndices)},
		{"split_conditions", len(t.SplitConditions)},
		{"default_left", len(t.DefaultLeft)},
	} {
		if f.n != n {
			return 0, fmt.Errorf("%s has %d entries, left_children %d", f.name, f.n, n)
		}
	}
	if len(t.SplitType) != 0 && len(t.SplitType) != n {
		return 0, fmt.Errorf("split_type has %d entries, left_children %d", len(t.SplitType), n)
	}
	if v, ok := t.TreeParam["num_nodes"]; ok && v != strconv.Itoa(n) {
		return 0, fmt.Errorf("tree_param.num_nodes is %q but the tree has %d nodes", v, n)
	}
	if v, ok := t.TreeParam["size_leaf_vector"]; ok && v != "0" && v != "1" {
		return 0, fmt.Errorf("vector leaves (size_leaf_vector %s) are not supported", v)
	}
	if len(t.CategoriesNodes) > 0 || len(t.Categories) > 0 {
		return 0, &categoricalError{fmt.Sprintf("categorical split (categories_nodes %v)", clipInts(t.CategoriesNodes))}
	}

	type item struct {
		orig  int32
		at    int32
		depth int
	}
	base := int32(len(b.nodes))
	b.nodes = append(b.nodes, node{})
	b.leaf = append(b.leaf, 0)
	visited := make([]bool, n)
	visited[0] = true
	queue := []item{{0, base, 0}}
	maxDepth := 0
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		o := it.orig
		left, right := t.LeftChildren[o], t.RightChildren[o]
		if left == -1 {
			if right != -1 {
				return 0, fmt.Errorf("node %d: left child -1 but right child %d", o, right)
			}
			v := t.SplitConditions[o]
			if dart {
				v *= weight // as Dart::PredictBatch: leaf * weight_drop in float32
			}
			b.nodes[it.at] = node{cond: float32(math.Inf(-1)), left: it.at - 1}
			b.leaf[it.at] = v
			maxDepth = max(maxDepth, it.depth)
			continue
		}
		if len(t.SplitType) != 0 && t.SplitType[o] != 0 {
			return 0, &categoricalError{fmt.Sprintf("node %d: categorical split (split_type %d)", o, t.SplitType[o])}
		}
		for _, c := range []int32{left, right} {
			if c <= 0 || int(c) >= n {
				return 0, fmt.Errorf("node %d: child index %d out of range [1, %d)", o, c, n)
			}
			if visited[c] {
				return 0, fmt.Errorf("node %d: child %d is reached twice (the nodes do not form a tree)", o, c)
			}
			visited[c] = true
		}
		if left == right {
			return 0, fmt.Errorf("node %d: left and right child are both %d", o, left)
		}
		f := t.SplitIndices[o]
		if f < 0 || int(f) >= b.numFeature {
			return 0, fmt.Errorf("node %d: split feature index %d out of range [0, %d)", o, f, b.numFeature)
		}
		at := int32(len(b.nodes))
		b.nodes = append(b.nodes, node{}, node{})
		b.leaf = append(b.leaf, 0, 0)
		feat := uint32(f)
		if t.DefaultLeft[o] {
			feat |= defaultLeft
		}
		b.nodes[it.at] = node{cond: t.SplitConditions[o], left: at, feat: feat}
		queue = append(queue, item{left, at, it.depth + 1}, item{right, at + 1, it.depth + 1})
	}
	return maxDepth, nil
}

func clipInts(v []int32) string {
	if len(v) > 5 {
		return fmt.Sprint(v[:5]) + "..."
	}
	return fmt.Sprint(v)
}

// FeatureNames returns the model's feature names in model order
// (f0..fN-1 when the model stores none).
func (b *Booster) FeatureNames() []string {
	if b.featureNames != nil {
		return append([]string(nil), b.featureNames...)
	}
	names := make([]string, b.numFeature)
	for i := range names {
		names[i] = "f" + strconv.Itoa(i)
	}
	return names
}

// NumFeatures is the number of input features (learner_model_param.num_feature).
func (b *Booster) NumFeatures() int { return b.numFeature }

// NumClass is the number of outputs per row: the number of classes for
// multi-class models, 1 otherwise.
func (b *Booster) NumClass() int { return b.numGroup }

// Objective is the model's objective, e.g. "binary:logistic".
func (b *Booster) Objective() string { return b.objective }

// NumTrees is the number of trees used for prediction.
func (b *Booster) NumTrees() int { return len(b.roots) }

// MaxDepth is the depth of the deepest leaf over all trees.
func (b *Booster) MaxDepth() int { return b.maxDepth }

// BestIteration is the best_iteration an early-stopped training stored in
// the model, or -1. Prediction uses every tree regardless, as XGBoost's
// Booster.predict does; Truncate(BestIteration()+1) predicts like
// iteration_range=(0, best_iteration+1).
func (b *Booster) BestIteration() int { return b.bestIter }

// Rounds is the number of boosting rounds in the model.
func (b *Booster) Rounds() int {
	per := b.numGroup * b.parallel
	return (len(b.roots) + per - 1) / per
}

// SHA256 is the hex SHA-256 of the bytes the model was parsed from.
func (b *Booster) SHA256() string { return b.sum }

// BaseScore is the model's base_score per output, as stored (a probability
// for logistic objectives).
func (b *Booster) BaseScore() []float64 {
	out := make([]float64, len(b.baseScore))
	for i, v := range b.baseScore {
		out[i] = float64(v)
	}
	return out
}

// Describe summarises the model, e.g.
// "gbtree binary:logistic, 150 trees, max depth 6, 30 features".
func (b *Booster) Describe() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %s, %d trees, max depth %d, %d features", b.boosterName, b.objective, len(b.roots), b.maxDepth, b.numFeature)
	if b.numGroup > 1 {
		fmt.Fprintf(&sb, ", %d classes", b.numGroup)
	}
	if b.bestIter >= 0 {
		fmt.Fprintf(&sb, ", best iteration %d of %d", b.bestIter, b.Rounds())
	}
	return sb.String()
}

// Truncate returns a Booster that predicts with the first rounds boosting
// rounds only, like XGBoost's predict(iteration_range=(0, rounds)).
func (b *Booster) Truncate(rounds int) (*Booster, error) {
	if rounds < 1 || rounds > b.Rounds() {
		return nil, errs.Input("", "%s: cannot truncate to %d rounds: the model has %d", b.name, rounds, b.Rounds())
	}
	n := min(rounds*b.numGroup*b.parallel, len(b.roots))
	t := &Booster{
		name: b.name, objective: b.objective, boosterName: b.boosterName, version: b.version,
		numFeature: b.numFeature, numGroup: b.numGroup, featureNames: b.featureNames,
		obj: b.obj, baseScore: b.baseScore, baseMargin: b.baseMargin, nodes: b.nodes, leaf: b.leaf,
		roots: b.roots[:n], groups: b.groups[:n], depths: b.depths[:n],
		parallel: b.parallel, bestIter: b.bestIter, sum: b.sum,
	}
	for _, d := range t.depths {
		t.maxDepth = max(t.maxDepth, int(d))
	}
	return t, nil
}

// isLeaf tells whether node i is a leaf.
func (b *Booster) isLeaf(i int) bool { return int(b.nodes[i].left) < i }

// featureIndex maps names to model feature indices.
func (b *Booster) featureIndex() map[string]int {
	names := b.FeatureNames()
	m := make(map[string]int, len(names))
	for i, n := range names {
		m[n] = i
	}
	return m
}
