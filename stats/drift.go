package stats

import (
	"fmt"
)

// PSIBins is the number of quantile bins of numeric PSI: deciles (DESIGN
// §3).
const PSIBins = 10

// FineBins is the number of quantile bins of the histograms that numeric
// features keep for KS and Wasserstein; the decile bins of PSI are a subset
// of them (QuantileEdges).
const FineBins = 960

// ValueCounts says what a sample held: the finite values the statistics
// use and the values set aside.
type ValueCounts struct {
	Finite int64 `json:"finite"`
	NaN    int64 `json:"nan"`
	PosInf int64 `json:"pos_inf"`
	NegInf int64 `json:"neg_inf"`
	Null   int64 `json:"null"`
}

func countValues(xs []float64) ValueCounts {
	var c ValueCounts
	for _, x := range xs {
		switch {
		case isFinite(x):
			c.Finite++
		case x != x:
			c.NaN++
		case x > 0:
			c.PosInf++
		default:
			c.NegInf++
		}
	}
	return c
}

func histValues(h *Histogram) ValueCounts {
	return ValueCounts{Finite: h.n, NaN: h.nan, PosInf: h.posInf, NegInf: h.negInf, Null: h.null}
}

// NumericComparison holds every drift statistic of one numeric feature,
// each with the smallest value the sample sizes can detect at DefaultAlpha
// beside it.
type NumericComparison struct {
	// PSI and JS are on PSIBins bins (the decile bins of the reference),
	// and ChiSquare is the test of homogeneity on the same bins.
	PSI         float64
	PSICritical float64
	JS          float64
	JSCritical  float64
	ChiSquare   ChiSquareResult
	// Bins is the number of PSI bins that hold a value of either sample.
	Bins        int
	KS          KSResult
	Wasserstein WassersteinResult
	Ref, Cur    ValueCounts
}

// CompareSamples computes every numeric drift statistic exactly from raw
// samples: PSI, JS and chi-square on the decile bins of the reference
// (QuantileEdges(ref, PSIBins)), KS by KS and Wasserstein by
// NormalizedWasserstein. NaN and ±Inf are left out and counted. ErrEmpty
// when either sample has no finite value.
func CompareSamples(ref, cur []float64) (NumericComparison, error) {
	rc, cc := countValues(ref), countValues(cur)
	if rc.Finite == 0 || cc.Finite == 0 {
		return NumericComparison{Ref: rc, Cur: cc}, ErrEmpty
	}
	edges, err := QuantileEdges(ref, PSIBins)
	if err != nil {
		return NumericComparison{}, err
	}
	hr, hc := NewHistogram(edges), NewHistogram(edges)
	hr.AddSlice(ref)
	hc.AddSlice(cur)
	out := NumericComparison{Ref: rc, Cur: cc}
	if err := out.binned(hr.Counts(), hc.Counts()); err != nil {
		return out, err
	}
	if out.KS, err = KS(ref, cur); err != nil {
		return out, err
	}
	if out.Wasserstein, err = NormalizedWasserstein(ref, cur); err != nil {
		return out, err
	}
	return out, nil
}

// CompareHistograms computes every numeric drift statistic from bounded
// state: PSI, JS and chi-square on `coarse` (normally the decile edges of
// the reference), whose cuts must all be cuts of the histograms' edges
// (see Histogram.Rebin), and KS and Wasserstein from the fine histograms
// with their error bounds (KSHistograms, WassersteinHistograms). The two
// histograms must share their edges. ErrEmpty when either holds no finite
// value; ErrMismatch on edges that do not fit.
func CompareHistograms(ref, cur *Histogram, coarse *Edges) (NumericComparison, error) {
	out := NumericComparison{Ref: histValues(ref), Cur: histValues(cur)}
	if !ref.edges.Equal(cur.edges) {
		return out, fmt.Errorf("%w: histograms have different edges", ErrMismatch)
	}
	if ref.n == 0 || cur.n == 0 {
		return out, ErrEmpty
	}
	cr, err := ref.Rebin(coarse)
	if err != nil {
		return out, err
	}
	cc, err := cur.Rebin(coarse)
	if err != nil {
		return out, err
	}
	if err := out.binned(cr.Counts(), cc.Counts()); err != nil {
		return out, err
	}
	if out.KS, err = KSHistograms(ref, cur); err != nil {
		return out, err
	}
	if out.Wasserstein, err = WassersteinHistograms(ref, cur); err != nil {
		return out, err
	}
	return out, nil
}

func (c *NumericComparison) binned(ref, cur []int64) error {
	b, err := compareBinned(ref, cur)
	if err != nil {
		return err
	}
	c.PSI, c.PSICritical, c.JS, c.JSCritical, c.ChiSquare, c.Bins = b.PSI, b.PSICritical, b.JS, b.JSCritical, b.ChiSquare, b.Bins
	return nil
}

// CategoricalComparison holds the drift statistics of one categorical
// feature over the bins of a Vocabulary (top values + other), each with the
// smallest value the sample sizes can detect at DefaultAlpha beside it.
type CategoricalComparison struct {
	LInf         float64
	LInfCritical float64
	PSI          float64
	PSICritical  float64
	JS           float64
	JSCritical   float64
	ChiSquare    ChiSquareResult
	// Bins is the number of bins that hold a value of either sample.
	Bins int
	// RefNulls and CurNulls are the nulls set aside.
	RefNulls, CurNulls int64
}

// CompareCounts computes the categorical drift statistics of two count
// vectors over the same bins: LInf, PSI, JSDistance and ChiSquare, with
// their critical values for the number of bins that hold a value of either
// sample (when that is under 2, no difference is measurable and the
// critical values are 0). ErrMismatch, ErrEmpty and ErrArgument as for
// PSI.
func CompareCounts(ref, cur []int64) (CategoricalComparison, error) {
	b, err := compareBinned(ref, cur)
	if err != nil {
		return CategoricalComparison{}, err
	}
	out := CategoricalComparison{PSI: b.PSI, PSICritical: b.PSICritical, JS: b.JS, JSCritical: b.JSCritical, ChiSquare: b.ChiSquare, Bins: b.Bins}
	if out.LInf, err = LInf(ref, cur); err != nil {
		return out, err
	}
	if out.LInfCritical, err = LInfCritical(ref, cur, DefaultAlpha); err != nil {
		return out, err
	}
	return out, nil
}

// CompareCategories is CompareCounts on two CategoryCounts over equal
// vocabularies (ErrMismatch otherwise), with their nulls reported.
func CompareCategories(ref, cur *CategoryCounts) (CategoricalComparison, error) {
	if !ref.vocab.Equal(cur.vocab) {
		return CategoricalComparison{}, fmt.Errorf("%w: category counts have different vocabularies", ErrMismatch)
	}
	out, err := CompareCounts(ref.counts, cur.counts)
	out.RefNulls, out.CurNulls = ref.null, cur.null
	return out, err
}

type binnedStats struct {
	PSI, PSICritical, JS, JSCritical float64
	ChiSquare                        ChiSquareResult
	Bins                             int
}

func compareBinned(ref, cur []int64) (binnedStats, error) {
	var b binnedStats
	var err error
	if b.PSI, err = PSI(ref, cur); err != nil {
		return b, err
	}
	if b.JS, err = JSDistance(ref, cur); err != nil {
		return b, err
	}
	if b.ChiSquare, err = ChiSquare(ref, cur); err != nil {
		return b, err
	}
	b.Bins = b.ChiSquare.Bins
	if b.Bins >= 2 {
		nr, nc := sum64(ref), sum64(cur)
		if b.PSICritical, err = PSICritical(nr, nc, b.Bins, DefaultAlpha); err != nil {
			return b, err
		}
		if b.JSCritical, err = JSCritical(nr, nc, b.Bins, DefaultAlpha); err != nil {
			return b, err
		}
	}
	return b, nil
}

func sum64(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}
