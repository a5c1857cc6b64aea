package stats

import (
	"cmp"
	"slices"
)

// DefaultSketchSize is the default number of counters of a ValueSketch:
// exact for columns with up to 20 000 distinct values, and holding at most
// that many map entries (about 1 MB with short strings).
const DefaultSketchSize = 10_000

// ValueSketch finds the most frequent values of a categorical column in
// bounded memory, for choosing the Vocabulary of a reference that is read
// once: the Misra–Gries frequent-items summary, in its mergeable form
// (Agarwal et al., "Mergeable summaries", 2012).
//
// It keeps at most 2·Cap() counters. While the column has no more distinct
// values than that, every count is exact. Past it, the counters are reduced
// to Cap(): the (Cap()+1)-th largest count is subtracted from every counter
// and the ones left at zero or below are dropped. Each count
// is then an underestimate by at most ErrorBound() ≤ N/(Cap()+1), where N
// is the number of values seen, so every value more frequent than
// N/(Cap()+1) is kept.
type ValueSketch struct {
	cap     int
	n       int64
	dropped int64 // total subtracted from every counter: the error bound
	counts  map[string]int64
}

// NewValueSketch returns an empty sketch with the given number of counters
// (DefaultSketchSize when capacity ≤ 0).
func NewValueSketch(capacity int) *ValueSketch {
	if capacity <= 0 {
		capacity = DefaultSketchSize
	}
	return &ValueSketch{cap: capacity, counts: make(map[string]int64)}
}

// Cap returns the number of counters kept after a reduction (at most twice
// as many are kept between reductions).
func (s *ValueSketch) Cap() int { return s.cap }

// Total returns the number of values seen.
func (s *ValueSketch) Total() int64 { return s.n }

// ErrorBound returns the largest amount by which any count underestimates
// the true count (0 when the sketch is exact).
func (s *ValueSketch) ErrorBound() int64 { return s.dropped }

// Exact reports whether every count is exact.
func (s *ValueSketch) Exact() bool { return s.dropped == 0 }

// Add counts one value.
func (s *ValueSketch) Add(value string) { s.AddN(value, 1) }

// AddN counts k (> 0) occurrences of value.
func (s *ValueSketch) AddN(value string, k int64) {
	if k <= 0 {
		return
	}
	s.n += k
	s.counts[value] += k
	// Reduce lazily, at twice the capacity: each reduction costs O(Cap())
	// and happens at most once every Cap() new values.
	if len(s.counts) > 2*s.cap {
		s.reduce()
	}
}

// reduce subtracts the (cap+1)-th largest count from every counter and
// drops those at or below zero, leaving at most cap counters. Every
// reduction removes at least (cap+1)·c from the total, so the sum of the
// subtracted c is at most N/(cap+1).
func (s *ValueSketch) reduce() {
	if len(s.counts) <= s.cap {
		return
	}
	cs := make([]int64, 0, len(s.counts))
	for _, c := range s.counts {
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b int64) int { return cmp.Compare(b, a) })
	c := cs[s.cap]
	for v, k := range s.counts {
		if k <= c {
			delete(s.counts, v)
		} else {
			s.counts[v] = k - c
		}
	}
	s.dropped += c
}

// Merge adds o's counts to s and reduces to s's capacity; the result
// keeps the guarantees for the combined stream (error at most
// (N_s+N_o)/(Cap()+1)). o is left unchanged.
func (s *ValueSketch) Merge(o *ValueSketch) {
	for v, k := range o.counts {
		s.counts[v] += k
	}
	s.n += o.n
	s.dropped += o.dropped
	s.reduce()
}

// Counts returns a copy of the counts (lower bounds, see ErrorBound).
func (s *ValueSketch) Counts() map[string]int64 {
	out := make(map[string]int64, len(s.counts))
	for v, k := range s.counts {
		out[v] = k
	}
	return out
}

// Top returns the k most frequent values by their counts (TopValues: ties
// by value).
func (s *ValueSketch) Top(k int) []string { return TopValues(s.counts, k) }

// CategoryCounts returns the counts of the stream over v's bins: each
// vocabulary value's count from the sketch and the remaining values in the
// other bin, so the total is Total(). The vocabulary counts are exact when
// the sketch is, and otherwise low by at most ErrorBound() each (the other
// bin high by the sum).
func (s *ValueSketch) CategoryCounts(v *Vocabulary) *CategoryCounts {
	c := NewCategoryCounts(v)
	var inVocab int64
	for i, value := range v.values {
		k := s.counts[value]
		c.counts[i] = k
		inVocab += k
	}
	c.counts[len(v.values)] = s.n - inVocab
	return c
}
