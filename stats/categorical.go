package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// DefaultTopValues is the number of categorical values that get a bin of
// their own (DESIGN §3: top 50 + other).
const DefaultTopValues = 50

// Vocabulary is the fixed list of categorical values that get a bin of
// their own, usually the most frequent values of the reference; every
// other value shares one "other" bin, the last. It is immutable and shared
// by all counts of one feature.
type Vocabulary struct {
	values []string
	index  map[string]int
}

// NewVocabulary returns a vocabulary of the given distinct values, in that
// order (ErrArgument on a repeated value). The empty string is a value like
// any other; nulls are counted apart (CategoryCounts.AddNull).
func NewVocabulary(values []string) (*Vocabulary, error) {
	idx := make(map[string]int, len(values))
	for i, v := range values {
		if _, dup := idx[v]; dup {
			return nil, fmt.Errorf("%w: value %q appears twice in the vocabulary", ErrArgument, v)
		}
		idx[v] = i
	}
	return &Vocabulary{values: slices.Clone(values), index: idx}, nil
}

// Values returns a copy of the values, in bin order.
func (v *Vocabulary) Values() []string { return slices.Clone(v.values) }

// Bins returns the number of bins: one per value plus the other bin.
func (v *Vocabulary) Bins() int { return len(v.values) + 1 }

// Index returns the bin of value: its position in the vocabulary, or
// Bins()−1 (the other bin) when it is not in it.
func (v *Vocabulary) Index(value string) int {
	if i, ok := v.index[value]; ok {
		return i
	}
	return len(v.values)
}

// Equal reports whether two vocabularies hold the same values in the same
// order.
func (v *Vocabulary) Equal(o *Vocabulary) bool {
	return v == o || (v != nil && o != nil && slices.Equal(v.values, o.values))
}

// TopValues returns the k values with the largest counts, by decreasing
// count and, among equal counts, increasing value (so the choice is
// deterministic). Values with a count ≤ 0 are left out.
func TopValues(counts map[string]int64, k int) []string {
	type vc struct {
		v string
		c int64
	}
	all := make([]vc, 0, len(counts))
	for v, c := range counts {
		if c > 0 {
			all = append(all, vc{v, c})
		}
	}
	slices.SortFunc(all, func(a, b vc) int {
		if c := cmp.Compare(b.c, a.c); c != 0 {
			return c
		}
		return cmp.Compare(a.v, b.v)
	})
	out := make([]string, 0, min(k, len(all)))
	for _, x := range all[:min(k, len(all))] {
		out = append(out, x.v)
	}
	return out
}

// CategoryCounts counts categorical values into the bins of a Vocabulary,
// and nulls apart. It is bounded (Bins() int64 counters) and exactly
// mergeable.
type CategoryCounts struct {
	vocab  *Vocabulary
	counts []int64
	null   int64
}

// NewCategoryCounts returns empty counts over v.
func NewCategoryCounts(v *Vocabulary) *CategoryCounts {
	return &CategoryCounts{vocab: v, counts: make([]int64, v.Bins())}
}

// Vocabulary returns the vocabulary.
func (c *CategoryCounts) Vocabulary() *Vocabulary { return c.vocab }

// Add counts one value.
func (c *CategoryCounts) Add(value string) { c.counts[c.vocab.Index(value)]++ }

// AddIndex counts k values of bin i (see Vocabulary.Index), for callers
// that map a dictionary of values to bins once and then count by index.
// An i out of range counts as other.
func (c *CategoryCounts) AddIndex(i int, k int64) {
	if i < 0 || i >= len(c.counts) {
		i = len(c.counts) - 1
	}
	c.counts[i] += k
}

// AddNull counts k nulls.
func (c *CategoryCounts) AddNull(k int64) { c.null += k }

// Merge adds o's counts to c; the vocabularies must be equal (ErrMismatch
// otherwise).
func (c *CategoryCounts) Merge(o *CategoryCounts) error {
	if !c.vocab.Equal(o.vocab) {
		return fmt.Errorf("%w: category counts have different vocabularies", ErrMismatch)
	}
	for i, k := range o.counts {
		c.counts[i] += k
	}
	c.null += o.null
	return nil
}

// Counts returns a copy of the counts: one per vocabulary value, in order,
// then the other bin.
func (c *CategoryCounts) Counts() []int64 { return slices.Clone(c.counts) }

// Total returns the number of non-null values counted.
func (c *CategoryCounts) Total() int64 {
	var s int64
	for _, k := range c.counts {
		s += k
	}
	return s
}

// Other returns the count of values outside the vocabulary.
func (c *CategoryCounts) Other() int64 { return c.counts[len(c.counts)-1] }

// Nulls returns the number of nulls counted.
func (c *CategoryCounts) Nulls() int64 { return c.null }

// LInf returns the L-infinity distance between two count vectors over the
// same bins, max_i |p_i − q_i| of the shares: TFDV's categorical drift
// measure. TFDV takes the maximum over every value; over top-k bins the
// other bin is one more bin, so values outside the vocabulary show up
// together (a single new value is measured exactly when it is the only
// one). ErrMismatch, ErrEmpty and ErrArgument as for PSI.
func LInf(ref, cur []int64) (float64, error) {
	nr, nc, err := checkCounts(ref, cur)
	if err != nil {
		return 0, err
	}
	d := 0.0
	for i := range ref {
		d = math.Max(d, math.Abs(float64(ref[i])/nr-float64(cur[i])/nc))
	}
	return d, nil
}

// LInfCritical returns a conservative critical value of LInf at level
// alpha for the two count vectors:
//
//	z_{1−α/(2k)} · sqrt(v·(1/n + 1/m)),  v = max_i π_i(1−π_i),
//
// where n and m are the totals, π_i the pooled share of bin i and k the
// number of bins that hold a value of either sample. Under the null
// hypothesis each bin's difference of shares is asymptotically normal with
// variance π_i(1−π_i)(1/n+1/m) ≤ v(1/n+1/m), and a Bonferroni union over
// the k bins bounds the chance that any exceeds the value by alpha. It is 0
// when fewer than two bins hold a value (no difference is possible).
// ErrMismatch, ErrEmpty and ErrArgument as for PSI, and ErrArgument unless
// 0 < alpha < 1.
func LInfCritical(ref, cur []int64, alpha float64) (float64, error) {
	nr, nc, err := checkCounts(ref, cur)
	if err != nil {
		return 0, err
	}
	if !(alpha > 0 && alpha < 1) {
		return 0, fmt.Errorf("%w: L-infinity critical value needs 0 < alpha < 1, got %v", ErrArgument, alpha)
	}
	k, v := 0, 0.0
	for i := range ref {
		if c := ref[i] + cur[i]; c > 0 {
			k++
			pi := float64(c) / (nr + nc)
			v = math.Max(v, pi*(1-pi))
		}
	}
	if k < 2 {
		return 0, nil
	}
	z := normalQuantile(1 - alpha/(2*float64(k)))
	return z * math.Sqrt(v*(1/nr+1/nc)), nil
}

// ChiSquareResult is a chi-square test of homogeneity of two count
// vectors.
type ChiSquareResult struct {
	// Statistic, DoF and PValue are those of
	// scipy.stats.chi2_contingency([ref, cur], correction=False) on the
	// bins that are not empty in both samples.
	Statistic float64
	DoF       int
	PValue    float64
	// Bins is the number of bins used (non-empty in at least one sample).
	Bins int
	// Critical is the statistic's critical value at DefaultAlpha,
	// χ²_{0.95}(DoF) (0 when DoF is 0).
	Critical float64
	// EffectSize is Cohen's w = sqrt(Statistic/(n+m)), the size of the
	// difference independent of the sample sizes; MinEffect is
	// sqrt(Critical/(n+m)), the smallest w these samples can detect at
	// DefaultAlpha.
	EffectSize float64
	MinEffect  float64
}

// ChiSquare runs Pearson's chi-square test of homogeneity on the 2×k table
// whose rows are ref and cur: scipy.stats.chi2_contingency([ref, cur],
// correction=False). The expected count of a cell is row total × column
// total / grand total and the statistic Σ (observed − expected)²/expected
// over every cell; DoF = k−1; the p-value is ChiSquareSF(statistic, DoF).
//
// Bins that are empty in both samples are dropped first, since scipy
// rejects a table with a zero expected count and such a bin carries no
// evidence either way. With one bin left (DoF = 0) the statistic is 0 and
// the p-value 1, as in scipy. ErrMismatch, ErrEmpty and ErrArgument as for
// PSI.
func ChiSquare(ref, cur []int64) (ChiSquareResult, error) {
	nr, nc, err := checkCounts(ref, cur)
	if err != nil {
		return ChiSquareResult{}, err
	}
	tot := nr + nc
	stat := 0.0
	bins := 0
	for i := range ref {
		col := float64(ref[i] + cur[i])
		if col == 0 {
			continue
		}
		bins++
		er := nr * col / tot
		ec := nc * col / tot
		dr := float64(ref[i]) - er
		dc := float64(cur[i]) - ec
		stat += dr*dr/er + dc*dc/ec
	}
	res := ChiSquareResult{Bins: bins, DoF: bins - 1, PValue: 1}
	if res.DoF == 0 {
		return res, nil
	}
	res.Statistic = stat
	res.PValue = ChiSquareSF(stat, res.DoF)
	res.Critical, err = ChiSquareQuantile(1-DefaultAlpha, res.DoF)
	if err != nil {
		return ChiSquareResult{}, err
	}
	res.EffectSize = math.Sqrt(stat / tot)
	res.MinEffect = math.Sqrt(res.Critical / tot)
	return res, nil
}
