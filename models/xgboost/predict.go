package xgboost

import (
	"fmt"
	"math"
)

// blockRows is how many rows go through the trees together: the trees of a
// large model do not fit in L1, so each tree is used for a block of rows
// before moving on (XGBoost's CPU predictor does the same with 64 rows).
const blockRows = 64

// scratch holds one goroutine's working buffers.
type scratch struct {
	x   []float32 // blockRows * numFeature features
	acc []float32 // blockRows * numGroup margins
}

func (b *Booster) getScratch() *scratch {
	if s, ok := b.pool.Get().(*scratch); ok {
		return s
	}
	return &scratch{
		x:   make([]float32, blockRows*b.numFeature), // blockRows is a multiple of lanes
		acc: make([]float32, blockRows*b.numGroup),
	}
}

// PredictDense scores nrows rows of x (row-major, nrows*NumFeatures()
// values, NaN = missing) into out (nrows*NumClass() values, row-major),
// transformed like XGBoost's predict: probabilities for logistic objectives
// and multi:softprob, the raw sum for regression. It does not allocate once
// warm and is safe for concurrent use. It panics if x or out is too short.
func (b *Booster) PredictDense(x []float64, nrows int, out []float64) {
	b.predictDense(x, nrows, out, true)
}

// PredictMargin is PredictDense without the objective's transform: the
// margins XGBoost's predict(output_margin=True) returns.
func (b *Booster) PredictMargin(x []float64, nrows int, out []float64) {
	b.predictDense(x, nrows, out, false)
}

func (b *Booster) checkSizes(nx, nrows, nout int) {
	if nrows < 0 || nx < nrows*b.numFeature || nout < nrows*b.numGroup {
		panic(fmt.Sprintf("xgboost: %d rows need %d features and %d outputs, got %d and %d",
			nrows, nrows*b.numFeature, nrows*b.numGroup, nx, nout))
	}
}

func (b *Booster) predictDense(x []float64, nrows int, out []float64, transformed bool) {
	b.checkSizes(len(x), nrows, len(out))
	nf, ng := b.numFeature, b.numGroup
	s := b.getScratch()
	for start := 0; start < nrows; start += blockRows {
		n := min(blockRows, nrows-start)
		xs := s.x[:n*nf]
		for i, v := range x[start*nf : start*nf+n*nf] {
			xs[i] = float32(v)
		}
		b.margins(s, n)
		b.finish(s.acc[:n*ng], n, out[start*ng:start*ng+n*ng], transformed)
	}
	b.pool.Put(s)
}

// lanes is how many rows walk a tree together: their walks are
// independent, so the processor overlaps them.
const lanes = 8

// margins sums, for the n rows in s.x, base margin plus every tree's leaf
// value into s.acc (n*numGroup), in float32 and in tree order, as XGBoost
// does. Rows n up to the next multiple of lanes are padding: they are set
// to NaN and scored, and their results ignored.
func (b *Booster) margins(s *scratch, n int) {
	nf, ng := b.numFeature, b.numGroup
	acc := s.acc
	for r := 0; r < n; r++ {
		copy(acc[r*ng:r*ng+ng], b.baseMargin)
	}
	padded := (n + lanes - 1) / lanes * lanes
	nan := float32(math.NaN())
	x := s.x[:padded*nf]
	for i := n * nf; i < len(x); i++ {
		x[i] = nan
	}
	nodes, leaf := b.nodes, b.leaf
	for t, root := range b.roots {
		g := int(b.groups[t])
		depth := int(b.depths[t])
		for r0 := 0; r0 < padded; r0 += lanes {
			var idx [lanes]int32
			for k := range idx {
				idx[k] = root
			}
			rows := x[r0*nf : (r0+lanes)*nf]
			for d := 0; d < depth; d++ {
				for k := range idx {
					nd := &nodes[idx[k]]
					v := rows[k*nf+int(nd.feat&featMask)]
					// Left when v < cond, or when v is missing and
					// missing values go left: !(v >= cond) is true for NaN.
					left := b2i(v < nd.cond) | (int32(nd.feat>>31) & b2i(!(v >= nd.cond)))
					idx[k] = nd.left + 1 - left
				}
			}
			for k := range idx {
				if r := r0 + k; r < n {
					acc[r*ng+g] += leaf[idx[k]]
				}
			}
		}
	}
}

func b2i(b bool) int32 {
	var i int32
	if b {
		i = 1
	}
	return i
}

// finish applies the objective's transform to n rows of margins.
func (b *Booster) finish(acc []float32, n int, out []float64, transformed bool) {
	if !transformed || b.obj.transform == identity {
		for i, v := range acc {
			out[i] = float64(v)
		}
		return
	}
	switch b.obj.transform {
	case sigmoid:
		for i, v := range acc {
			out[i] = float64(sigmoid32(v))
		}
	case softmax:
		ng := b.numGroup
		for r := 0; r < n; r++ {
			softmax32(acc[r*ng:r*ng+ng], out[r*ng:r*ng+ng])
		}
	}
}

// expf is exp in float32 (correctly rounded from the float64 result).
func expf(x float32) float32 { return float32(math.Exp(float64(x))) }

// sigmoid32 is XGBoost's common::Sigmoid: 1 / (1 + exp(-x)) in float32.
func sigmoid32(x float32) float32 {
	return float32(1) / (float32(1) + expf(-x))
}

// softmax32 is XGBoost's common::Softmax: float32 exponentials of the
// max-shifted margins, summed in float64, divided in float32.
func softmax32(m []float32, out []float64) {
	wmax := m[0]
	for _, v := range m[1:] {
		wmax = fmaxf(v, wmax)
	}
	var wsum float64
	for _, v := range m {
		wsum += float64(expf(v - wmax))
	}
	s := float32(wsum)
	for i, v := range m {
		out[i] = float64(expf(v-wmax) / s)
	}
}

// fmaxf is C's fmaxf: the larger value, ignoring a NaN operand.
func fmaxf(a, b float32) float32 {
	switch {
	case a != a:
		return b
	case b != b:
		return a
	case a > b:
		return a
	}
	return b
}
