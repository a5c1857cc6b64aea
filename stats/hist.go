package stats

import (
	"fmt"
	"math"
	"slices"
	"unsafe"
)

// Edges are the cut points of a histogram: a strictly increasing list of
// finite values c[0] < c[1] < … < c[k−1] that splits the real line into k+1
// right-closed bins
//
//	bin 0 = (−Inf, c[0]], bin i = (c[i−1], c[i]], bin k = (c[k−1], +Inf).
//
// The bin of x is the number of cuts strictly below x, which is
// np.searchsorted(cuts, x, side='left'); pandas.cut(..., right=True) uses
// the same closure. The outer bins are open so that values outside the range
// the edges were made from are still counted. Edges are immutable and are
// meant to be shared: every histogram of one feature (reference, current, one
// per worker or shard) points to the same Edges.
type Edges struct {
	cuts []float64
}

// NewEdges returns edges with the given cut points, which must be finite and
// strictly increasing (ErrArgument otherwise). An empty list is one bin that
// holds every value. The slice is copied.
func NewEdges(cuts []float64) (*Edges, error) {
	for i, c := range cuts {
		if !isFinite(c) {
			return nil, fmt.Errorf("%w: cut %d is %v, cuts must be finite", ErrArgument, i, c)
		}
		if i > 0 && !(cuts[i-1] < c) {
			return nil, fmt.Errorf("%w: cuts must be strictly increasing, cut %d (%v) follows %v", ErrArgument, i, c, cuts[i-1])
		}
	}
	return &Edges{cuts: slices.Clone(cuts)}, nil
}

// QuantileEdges returns the edges for `bins` quantile bins of the finite
// values of sample: the cuts are np.quantile(x, [i/bins for i in
// 1..bins−1]) (method='linear', see Quantile), with repeated values dropped
// (np.unique), so a sample with ties gets fewer, wider bins.
//
// One cut is added: when the lowest cut equals the sample minimum (a point
// mass of at least 1/bins at the minimum, e.g. a constant or zero-inflated
// column), the next float below the minimum becomes the first cut, so that
// values below the minimum get their own bin instead of being mixed with the
// point mass. The right-closed bins already do this at the top: the last bin
// (c[k−1], +Inf) never holds the sample maximum when c[k−1] is the maximum.
// A constant sample c thus gets the bins (−Inf, c⁻], (c⁻, c], (c, +Inf).
//
// The deciles of DESIGN §3 are QuantileEdges(reference, 10). For fine
// histograms (KS and Wasserstein from bounded state) use 1000 bins; then
// QuantileEdges(s, 10) is a subset of QuantileEdges(s, 1000), since i/10 and
// 100i/1000 are the same float64, and Histogram.Rebin turns the fine
// histogram into the decile one exactly.
//
// It returns ErrEmpty when sample has no finite value and ErrArgument when
// bins < 1.
func QuantileEdges(sample []float64, bins int) (*Edges, error) {
	if bins < 1 {
		return nil, fmt.Errorf("%w: bins = %d, want at least 1", ErrArgument, bins)
	}
	sorted := sortedFinite(sample)
	if len(sorted) == 0 {
		return nil, ErrEmpty
	}
	return quantileEdgesSorted(sorted, bins), nil
}

// QuantileEdgesOf is QuantileEdges of one sample for each number of bins,
// sorting the sample once.
func QuantileEdgesOf(sample []float64, bins ...int) ([]*Edges, error) {
	for _, b := range bins {
		if b < 1 {
			return nil, fmt.Errorf("%w: bins = %d, want at least 1", ErrArgument, b)
		}
	}
	sorted := sortedFinite(sample)
	if len(sorted) == 0 {
		return nil, ErrEmpty
	}
	out := make([]*Edges, len(bins))
	for i, b := range bins {
		out[i] = quantileEdgesSorted(sorted, b)
	}
	return out, nil
}

func quantileEdgesSorted(sorted []float64, bins int) *Edges {
	cuts := make([]float64, 0, bins)
	for i := 1; i < bins; i++ {
		cuts = append(cuts, quantileSorted(sorted, float64(i)/float64(bins)))
	}
	// np.unique: interpolation can in principle step back by an ulp.
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	if len(cuts) > 0 && cuts[0] == sorted[0] && sorted[0] > -math.MaxFloat64 {
		cuts = slices.Insert(cuts, 0, math.Nextafter(sorted[0], math.Inf(-1)))
	}
	return &Edges{cuts: cuts}
}

// Cuts returns a copy of the cut points.
func (e *Edges) Cuts() []float64 { return slices.Clone(e.cuts) }

// Bins returns the number of bins, len(Cuts())+1.
func (e *Edges) Bins() int { return len(e.cuts) + 1 }

// Equal reports whether e and o have the same cut points.
func (e *Edges) Equal(o *Edges) bool {
	return e == o || (e != nil && o != nil && slices.Equal(e.cuts, o.cuts))
}

// Bin returns the bin of a finite x: the number of cuts strictly below x
// (np.searchsorted(cuts, x, side='left')). It is a branch-free binary
// search: about log2(bins) dependent loads, with no mispredicted branch.
// NaN lands in the last bin; histograms never call Bin with a non-finite
// value.
func (e *Edges) Bin(x float64) int {
	c := e.cuts
	n := len(c)
	if n == 0 {
		return 0
	}
	base := 0
	for n > 1 {
		half := n >> 1
		// base += half when c[base+half] < x, without a branch: the
		// comparison becomes a 0/1 flag and the step a mask, so the search
		// never mispredicts.
		base += half & -b2i(c[base+half] < x)
		n -= half
	}
	return base + b2i(c[base] < x)
}

// bin4 is Bin of four values at once, in lock step: the four searches are
// independent chains of loads that the CPU overlaps.
func (e *Edges) bin4(x0, x1, x2, x3 float64) (int, int, int, int) {
	c := e.cuts
	n := len(c)
	if n == 0 {
		return 0, 0, 0, 0
	}
	var b0, b1, b2, b3 int
	for n > 1 {
		half := n >> 1
		b0 += half & -b2i(c[b0+half] < x0)
		b1 += half & -b2i(c[b1+half] < x1)
		b2 += half & -b2i(c[b2+half] < x2)
		b3 += half & -b2i(c[b3+half] < x3)
		n -= half
	}
	return b0 + b2i(c[b0] < x0), b1 + b2i(c[b1] < x1), b2 + b2i(c[b2] < x2), b3 + b2i(c[b3] < x3)
}

// b2i is 1 for true and 0 for false; the compiler turns it into a SETcc.
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}

// countLimit is the number of finite values up to which 32-bit bin counts
// cannot overflow; past it a histogram switches to 64-bit counts.
const countLimit = math.MaxUint32

// Moments of values beyond ±2^hugeExp are kept scaled by 2^−scaleExp, so
// that squared deviations of values up to ±MaxFloat64 (a common sentinel)
// do not overflow; below it they are kept unscaled, so that tiny values do
// not lose precision. Scaling by a power of two is exact.
const (
	hugeExp  = 480
	scaleExp = 600
)

// scaleFor returns the scale exponent that values within [lo, hi] need.
func scaleFor(lo, hi float64) int {
	if math.Max(math.Abs(lo), math.Abs(hi)) >= 0x1p480 {
		return scaleExp
	}
	return 0
}

// Histogram counts values into the bins of shared Edges, and counts exactly
// what it leaves out: NaN, +Inf, −Inf and nulls. It also keeps the minimum
// and maximum of the finite values, their mean and sum of squared
// deviations (merged with the pairwise formulas of Chan, Golub & LeVeque),
// and the sums of the values in the two outer bins.
//
// The state is bounded and exactly mergeable: bin counts, set-aside counts,
// minimum and maximum are integers or order statistics, so merging the
// histograms of any split of the data gives the same counts as one histogram
// of all of it (the mean, variance and sums agree up to floating-point
// rounding).
//
// Size: bin counts are uint32 (4 bytes a bin) until the histogram holds
// 2³²−1 finite values, then uint64. A 1000-bin histogram is 4 000 bytes of
// counts plus 160 bytes of fields (SizeBytes: 4 160); its 999 float64 cuts
// (7 992 bytes) are shared by every histogram on the same Edges. One
// numeric feature's skew state (shared edges, reference histogram, current
// histogram) is thus 16 312 bytes, under 16 KiB (16 384); each extra worker
// or shard adds 4 160 bytes.
//
// A Histogram is not safe for concurrent use: give each goroutine its own
// and Merge them.
type Histogram struct {
	edges  *Edges
	c32    []uint32
	c64    []uint64 // non-nil once the counts were widened
	n      int64    // finite values
	nan    int64
	posInf int64
	negInf int64
	null   int64
	min    float64
	max    float64
	// mean, m2 (sum of squared deviations), lowSum and highSum (sums of the
	// finite values in the first and last bin) are in units of 2^sexp.
	// The outer sums tell the Wasserstein estimate where in the open-ended
	// outer bins the mass lies (see WassersteinHistograms); outerUnknown is
	// set on rebinned histograms whose outer bins are not the original ones.
	sexp            int
	mean            float64
	m2              float64
	lowSum, highSum float64
	outerUnknown    bool
}

// NewHistogram returns an empty histogram on e.
func NewHistogram(e *Edges) *Histogram {
	return &Histogram{
		edges: e,
		c32:   make([]uint32, e.Bins()),
		min:   math.Inf(1),
		max:   math.Inf(-1),
	}
}

// Edges returns the histogram's edges.
func (h *Histogram) Edges() *Edges { return h.edges }

// rescale switches the moments to units of 2^to (to ≥ h.sexp).
func (h *Histogram) rescale(to int) {
	if to <= h.sexp {
		return
	}
	d := h.sexp - to
	h.mean = math.Ldexp(h.mean, d)
	h.m2 = math.Ldexp(h.m2, 2*d)
	h.lowSum = math.Ldexp(h.lowSum, d)
	h.highSum = math.Ldexp(h.highSum, d)
	h.sexp = to
}

// Add counts one value: finite values into their bin, NaN and ±Inf into
// their own counters.
func (h *Histogram) Add(x float64) {
	if !isFinite(x) {
		h.addNonFinite(x)
		return
	}
	h.grow(1)
	b := h.edges.Bin(x)
	if h.c64 != nil {
		h.c64[b]++
	} else {
		h.c32[b]++
	}
	h.n++
	if x < h.min {
		h.min = x
	}
	if x > h.max {
		h.max = x
	}
	h.rescale(scaleFor(x, x))
	xs := math.Ldexp(x, -h.sexp)
	if b == 0 {
		h.lowSum += xs
	}
	if b == len(h.edges.cuts) {
		h.highSum += xs
	}
	// Welford's update, the one-value case of the pairwise merge.
	d := xs - h.mean
	h.mean += d / float64(h.n)
	h.m2 += d * (xs - h.mean)
}

func (h *Histogram) addNonFinite(x float64) {
	switch {
	case math.IsNaN(x):
		h.nan++
	case x > 0:
		h.posInf++
	default:
		h.negInf++
	}
}

// grow widens the counts to 64 bits when k more values could overflow a
// 32-bit count.
func (h *Histogram) grow(k int) {
	if h.c64 != nil || uint64(h.n)+uint64(k) < countLimit {
		return
	}
	h.c64 = make([]uint64, len(h.c32))
	for i, c := range h.c32 {
		h.c64[i] = uint64(c)
	}
	h.c32 = nil
}

// AddSlice counts every value of xs; it is Add for a batch, and the fast
// path: the bin searches of neighbouring values overlap, and the mean and
// variance of the batch are computed in a second pass and merged once.
func (h *Histogram) AddSlice(xs []float64) {
	if len(xs) == 0 {
		return
	}
	h.grow(len(xs))
	e := h.edges
	last := e.Bins() - 1
	var (
		cnt         int64
		sum         float64
		lowS, highS float64
		mn, mx      = math.Inf(1), math.Inf(-1)
		nonFinite   bool
	)
	outer := func(b int, x float64) {
		if b == 0 {
			lowS += x
		}
		if b == last {
			highS += x
		}
	}
	i := 0
	if h.c64 == nil {
		c := h.c32
		// Four values at a time: their binary searches are independent, so
		// the CPU runs them side by side.
		for ; i+4 <= len(xs); i += 4 {
			x0, x1, x2, x3 := xs[i], xs[i+1], xs[i+2], xs[i+3]
			if !isFinite(x0) || !isFinite(x1) || !isFinite(x2) || !isFinite(x3) {
				break
			}
			b0, b1, b2, b3 := e.bin4(x0, x1, x2, x3)
			c[b0]++
			c[b1]++
			c[b2]++
			c[b3]++
			if min(b0, b1, b2, b3) == 0 || max(b0, b1, b2, b3) == last {
				outer(b0, x0)
				outer(b1, x1)
				outer(b2, x2)
				outer(b3, x3)
			}
			sum += (x0 + x1) + (x2 + x3)
			if x0 < mn || x1 < mn || x2 < mn || x3 < mn {
				mn = min(mn, x0, x1, x2, x3)
			}
			if x0 > mx || x1 > mx || x2 > mx || x3 > mx {
				mx = max(mx, x0, x1, x2, x3)
			}
			cnt += 4
		}
	}
	for ; i < len(xs); i++ {
		x := xs[i]
		if !isFinite(x) {
			nonFinite = true
			h.addNonFinite(x)
			continue
		}
		b := e.Bin(x)
		if h.c64 != nil {
			h.c64[b]++
		} else {
			h.c32[b]++
		}
		outer(b, x)
		cnt++
		sum += x
		if x < mn {
			mn = x
		}
		if x > mx {
			mx = x
		}
	}
	if cnt == 0 {
		return
	}
	h.min = math.Min(h.min, mn)
	h.max = math.Max(h.max, mx)
	h.rescale(scaleFor(mn, mx))
	if h.sexp != 0 {
		// Rare: values near the ends of the float64 range. Redo the sums
		// in scaled units.
		sum, lowS, highS = 0, 0, 0
		for _, x := range xs {
			if isFinite(x) {
				y := math.Ldexp(x, -h.sexp)
				sum += y
				outer(e.Bin(x), y)
			}
		}
	}
	bmean := sum / float64(cnt)
	var bm2 float64
	switch {
	case h.sexp != 0:
		for _, x := range xs {
			if isFinite(x) {
				d := math.Ldexp(x, -h.sexp) - bmean
				bm2 += d * d
			}
		}
	case nonFinite:
		for _, x := range xs {
			if isFinite(x) {
				d := x - bmean
				bm2 += d * d
			}
		}
	default:
		for _, x := range xs {
			d := x - bmean
			bm2 += d * d
		}
	}
	h.mergeMoments(cnt, bmean, bm2)
	h.lowSum += lowS
	h.highSum += highS
}

// mergeMomentsOf folds o's moments and outer sums into h's, in common
// units.
func (h *Histogram) mergeMomentsOf(o *Histogram) {
	h.rescale(o.sexp)
	d := o.sexp - h.sexp // ≤ 0: o's moments in h's units
	h.mergeMoments(o.n, math.Ldexp(o.mean, d), math.Ldexp(o.m2, 2*d))
	h.lowSum += math.Ldexp(o.lowSum, d)
	h.highSum += math.Ldexp(o.highSum, d)
}

// mergeMoments folds a group of n values with the given mean and sum of
// squared deviations, in h's units, into h (Chan, Golub & LeVeque).
func (h *Histogram) mergeMoments(n int64, mean, m2 float64) {
	if n == 0 {
		return
	}
	if h.n == 0 {
		h.n, h.mean, h.m2 = n, mean, m2
		return
	}
	na, nb := float64(h.n), float64(n)
	tot := na + nb
	d := mean - h.mean
	h.mean += d * (nb / tot)
	h.m2 += m2 + d*d*(na*nb/tot)
	h.n += n
}

// AddNull counts k null values (missing, as opposed to NaN).
func (h *Histogram) AddNull(k int64) { h.null += k }

// Merge adds o's counts to h. The two must have equal edges (ErrMismatch
// otherwise). The bin counts, set-aside counts, minimum and maximum of the
// result are exactly those of one histogram fed both inputs.
func (h *Histogram) Merge(o *Histogram) error {
	if !h.edges.Equal(o.edges) {
		return fmt.Errorf("%w: histograms have different edges (%d and %d bins)", ErrMismatch, h.edges.Bins(), o.edges.Bins())
	}
	h.grow(int(min(o.n, countLimit)))
	h.mergeMomentsOf(o)
	if h.c64 != nil {
		for i := range h.c64 {
			h.c64[i] += uint64(o.count(i))
		}
	} else {
		for i := range h.c32 {
			h.c32[i] += uint32(o.count(i))
		}
	}
	h.nan += o.nan
	h.posInf += o.posInf
	h.negInf += o.negInf
	h.null += o.null
	h.min = math.Min(h.min, o.min)
	h.max = math.Max(h.max, o.max)
	h.outerUnknown = h.outerUnknown || o.outerUnknown
	return nil
}

func (h *Histogram) count(i int) int64 {
	if h.c64 != nil {
		return int64(h.c64[i])
	}
	return int64(h.c32[i])
}

// Counts returns the finite-value count of every bin, in bin order.
func (h *Histogram) Counts() []int64 {
	out := make([]int64, h.edges.Bins())
	for i := range out {
		out[i] = h.count(i)
	}
	return out
}

// Total returns the number of finite values counted.
func (h *Histogram) Total() int64 { return h.n }

// NaN returns the number of NaN values set aside.
func (h *Histogram) NaN() int64 { return h.nan }

// PosInf returns the number of +Inf values set aside.
func (h *Histogram) PosInf() int64 { return h.posInf }

// NegInf returns the number of −Inf values set aside.
func (h *Histogram) NegInf() int64 { return h.negInf }

// Nulls returns the number of nulls counted by AddNull.
func (h *Histogram) Nulls() int64 { return h.null }

// Min returns the smallest finite value counted, and false when there is
// none.
func (h *Histogram) Min() (float64, bool) { return h.min, h.n > 0 }

// Max returns the largest finite value counted, and false when there is
// none.
func (h *Histogram) Max() (float64, bool) { return h.max, h.n > 0 }

// Mean returns the mean of the finite values (0 when there are none).
func (h *Histogram) Mean() float64 { return math.Ldexp(h.mean, h.sexp) }

// Std returns the population standard deviation of the finite values, the
// np.std(x) default (ddof=0); 0 when there are fewer than two values.
func (h *Histogram) Std() float64 {
	return math.Ldexp(h.stdScaled(), h.sexp)
}

// stdScaled is Std in units of 2^sexp.
func (h *Histogram) stdScaled() float64 {
	if h.n < 2 || !(h.m2 > 0) {
		return 0
	}
	return math.Sqrt(h.m2 / float64(h.n))
}

// SizeBytes returns the memory the histogram's own state takes: its counts
// and fields, not the shared edges.
func (h *Histogram) SizeBytes() int {
	return int(unsafe.Sizeof(*h)) + 4*len(h.c32) + 8*len(h.c64)
}

// Rebin returns the histogram on coarser edges whose cuts are all cuts of
// h's edges (ErrMismatch otherwise), by adding up neighbouring bins: the
// counts are exactly those a histogram on the coarse edges would have
// counted. Use it to get the decile histogram of PSI from the 1000-bin
// histogram of KS and Wasserstein (see QuantileEdges).
func (h *Histogram) Rebin(coarse *Edges) (*Histogram, error) {
	for _, c := range coarse.cuts {
		if _, ok := slices.BinarySearch(h.edges.cuts, c); !ok {
			return nil, fmt.Errorf("%w: cut %v of the coarse edges is not a cut of the histogram", ErrMismatch, c)
		}
	}
	out := NewHistogram(coarse)
	out.grow(int(min(h.n, countLimit)))
	fine := h.edges.cuts
	for i := 0; i < h.edges.Bins(); i++ {
		j := len(coarse.cuts)
		if i < len(fine) {
			j = coarse.Bin(fine[i])
		}
		if out.c64 != nil {
			out.c64[j] += uint64(h.count(i))
		} else {
			out.c32[j] += uint32(h.count(i))
		}
	}
	out.n, out.nan, out.posInf, out.negInf, out.null = h.n, h.nan, h.posInf, h.negInf, h.null
	out.min, out.max, out.sexp, out.mean, out.m2 = h.min, h.max, h.sexp, h.mean, h.m2
	// The outer sums carry over when the outer bins are the same.
	fineLast := len(fine)
	out.lowSum, out.highSum = h.lowSum, h.highSum
	sameOuter := len(coarse.cuts) == len(fine) ||
		(len(coarse.cuts) > 0 && coarse.cuts[0] == fine[0] && coarse.cuts[len(coarse.cuts)-1] == fine[fineLast-1])
	out.outerUnknown = h.outerUnknown || !sameOuter
	return out, nil
}
