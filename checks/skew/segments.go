package skew

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

// Segment limits.
const (
	// MaxSegmentValues is the number of values of a segment column kept
	// apart; later values are counted together under "(other)".
	MaxSegmentValues = 50
	// MinSegmentRows is the number of rows below which a segment value is
	// skip: too few rows for a distance to mean anything.
	MinSegmentRows = 100
)

// Labels of the segment values that are not values of the column.
const (
	otherSegment = "(other)"
	nullSegment  = "(null)"
)

// segState is the traffic state of every feature per value of one segment
// column.
type segState struct {
	col     string
	index   map[string]int
	values  []string
	named   int             // values with a slot of their own (not "(other)")
	rows    []int64         // rows per value
	cur     [][]*curFeature // per value, per feature
	present int64           // rows of batches that had the column
	// Decision flips per value when prediction thresholds are set: rows
	// with both scores finite, and flips per threshold.
	nth   int
	pairs []int64
	flips [][]int64
}

func newSegState(col string, thresholds int) *segState {
	return &segState{col: col, index: map[string]int{}, nth: thresholds}
}

// slot returns the index of value v, adding it (or "(other)" once
// MaxSegmentValues values have a slot) when new.
func (s *segState) slot(v string, r *reference) int {
	if i, ok := s.index[v]; ok {
		return i
	}
	if v != otherSegment {
		if s.named >= MaxSegmentValues {
			return s.slot(otherSegment, r)
		}
		s.named++
	}
	i := len(s.values)
	s.index[v] = i
	s.values = append(s.values, v)
	s.rows = append(s.rows, 0)
	s.cur = append(s.cur, newCurFeatures(r))
	s.pairs = append(s.pairs, 0)
	s.flips = append(s.flips, make([]int64, s.nth))
	return i
}

// observe adds the batch's rows to the state of their segment value and
// returns each row's value slot. A batch without the column is not
// counted (nil slots).
func (s *segState) observe(b arrow.RecordBatch, r *reference) []int {
	a := column(b, s.col)
	if a == nil {
		return nil
	}
	n := a.Len()
	s.present += int64(n)
	at := stringAt(a)
	slots := make([]int, n)
	for i := range slots {
		v := nullSegment
		if !a.IsNull(i) {
			v = at(i)
		}
		slots[i] = s.slot(v, r)
	}
	cnt := make([]int64, len(s.values))
	for _, k := range slots {
		cnt[k]++
	}
	for k, m := range cnt {
		s.rows[k] += m
	}
	for fi, f := range r.features {
		if f.skip != "" {
			continue
		}
		fa := column(b, f.name)
		if fa == nil {
			continue
		}
		bad := kindOf(fa.DataType()) != f.kind
		for k, m := range cnt {
			if m == 0 {
				continue
			}
			cf := s.cur[k][fi]
			cf.present += m
			if bad {
				if cf.badType == "" {
					cf.badType = fa.DataType().String()
				}
				cf.badRows += m
			}
		}
		if bad {
			continue
		}
		switch f.kind {
		case kindNumeric:
			floats(fa, func(i int, v float64, null bool) { addFloat(s.cur[slots[i]][fi], v, null) })
		case kindString:
			strs(fa, func(i int, v string, null bool) { addString(f, s.cur[slots[i]][fi], v, null) })
		}
	}
	return slots
}

// observeFlips counts, per value slot, the rows with both scores finite
// and their decision flips at each threshold.
func (s *segState) observeFlips(b arrow.RecordBatch, cfg Config, slots []int) {
	ths := cfg.Prediction.Thresholds
	scorePairs(b, cfg.CandidateScore, cfg.BaselineScore, func(i int, x float64, okx bool, y float64, oky bool) {
		if !okx || !oky {
			return
		}
		k := slots[i]
		s.pairs[k]++
		for j, t := range ths {
			if (x >= t) != (y >= t) {
				s.flips[k][j]++
			}
		}
	})
}

// merge adds o's counts to s, value by value. It is exact while the
// column has no more than MaxSegmentValues values; beyond, which values
// fall under "(other)" depends on the order they were seen in.
func (s *segState) merge(o *segState, r *reference) error {
	if s.col != o.col || s.nth != o.nth {
		return errs.Run("", "%s: cannot merge segments %q and %q", where, s.col, o.col)
	}
	s.present += o.present
	for j, v := range o.values {
		k := s.slot(v, r)
		s.rows[k] += o.rows[j]
		s.pairs[k] += o.pairs[j]
		for t := range s.flips[k] {
			s.flips[k][t] += o.flips[j][t]
		}
		for fi, cf := range s.cur[k] {
			if err := cf.merge(o.cur[j][fi], r.features[fi].name); err != nil {
				return err
			}
		}
	}
	return nil
}

// order returns the value slots sorted by value, "(null)" and "(other)"
// last, so that the outcomes do not depend on the order rows came in.
func (s *segState) order() []int {
	rank := func(v string) int {
		switch v {
		case nullSegment:
			return 1
		case otherSegment:
			return 2
		}
		return 0
	}
	idx := make([]int, len(s.values))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		va, vb := s.values[a], s.values[b]
		return cmp.Or(cmp.Compare(rank(va), rank(vb)), cmp.Compare(va, vb))
	})
	return idx
}

// topFeatures returns the indexes of the k compared features with the
// largest distance (feature order breaks ties), given their outcomes.
func (c *Check) topFeatures(feats []checks.Outcome, k int) []int {
	// Only features that drifted (warn or fail) overall, and never a
	// segment column itself: within a segment it is constant, which says
	// nothing about drift.
	var idx []int
	for i, o := range feats {
		if o.Value != nil && (o.Status == checks.Warn || o.Status == checks.Fail) &&
			c.ref.features[i].skip == "" && !slices.Contains(c.cfg.Segments, c.ref.features[i].name) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(*feats[b].Value, *feats[a].Value) })
	if len(idx) > k {
		idx = idx[:k]
	}
	return idx
}

// segmentOutcomes returns, for the Config.SegmentTopK features with the
// largest distance (out starts with the feature outcomes, in feature
// order) and for every segment column, one outcome
// skew.<feature>[<column>=<value>] per value, in value order with "(null)"
// and "(other)" last. Each has the feature's method and gates over the
// segment's traffic; a value with fewer than MinSegmentRows rows is skip.
// A segment column absent from the traffic gives one skip outcome
// skew.<feature>[<column>].
func (c *Check) segmentOutcomes(out []checks.Outcome) []checks.Outcome {
	if len(c.segs) == 0 || c.rows == 0 {
		return nil
	}
	var res []checks.Outcome
	for _, fi := range c.topFeatures(out[:len(c.ref.features)], c.cfg.SegmentTopK) {
		f := c.ref.features[fi]
		for _, s := range c.segs {
			if s.present == 0 {
				o := c.outcome(fmt.Sprintf("%s.%s[%s]", Name, f.name, s.col))
				o.Limit = limitOf(f.method)
				res = append(res, skip(o, fmt.Sprintf("segment column %q is not in the traffic", s.col)))
				continue
			}
			for _, k := range s.order() {
				res = append(res, c.segmentOutcome(fi, s, k))
			}
		}
	}
	return res
}

func (c *Check) segmentOutcome(fi int, s *segState, k int) checks.Outcome {
	f := c.ref.features[fi]
	o := c.outcome(fmt.Sprintf("%s.%s[%s=%s]", Name, f.name, s.col, s.values[k]))
	o.Limit = limitOf(f.method)
	rows, cf := s.rows[k], s.cur[k][fi]
	seg := fmt.Sprintf("segment %s=%s, %s", s.col, s.values[k], plural(rows, "row", "rows"))
	switch {
	case rows < MinSegmentRows:
		return skip(o, fmt.Sprintf("%s: fewer than the %d needed to compare", seg, MinSegmentRows))
	case cf.present == 0:
		return skip(o, fmt.Sprintf("%s: column %q is not in the segment's traffic", seg, f.name))
	}
	if f.kind == kindNumeric {
		o, _, _ = c.numericOutcome(f, cf, o, rows)
	} else {
		o, _, _ = c.categoricalOutcome(f, cf, o, rows)
	}
	o.Message = seg + ": " + o.Message
	return o
}
