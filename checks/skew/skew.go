package skew

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/stats"
)

// Name is the check's name in outcomes.
const Name = "skew"

// unseenNames bounds the unseen categorical values kept by name.
const unseenNames = 8

// ExactValues is the most finite values of a numeric feature, on each side,
// for which KS and Wasserstein are computed exactly from the values (scipy's
// ks_2samp and wasserstein_distance to 1e-9) instead of from the histograms
// within their bound. The values are kept only while both sides are this
// small: the traffic's are dropped at the next value, so a feature's state
// stays bounded (at most 8 KB more while it is kept).
const ExactValues = 1000

// Check is the skew check: an accumulator over scored record batches that
// compares them with a reference read once at construction.
type Check struct {
	cfg  Config
	sev  checks.Status
	ref  *reference
	cur  []*curFeature
	rows int64

	pred *predState
	cons *consState
	segs []*segState
}

// curFeature is one feature's traffic state.
type curFeature struct {
	hist      *stats.Histogram
	counts    *stats.CategoryCounts
	unseen    int64              // non-null values never seen in the reference
	unseenTop *stats.ValueSketch // which ones
	present   int64              // rows of batches that had the column
	// values are the finite traffic values while the reference's are kept
	// and there are at most ExactValues of them (see ExactValues);
	// dropped once there are more.
	values  []float64
	dropped bool
	badType string // the traffic type when it is not the reference's kind
	badRows int64
}

var _ checks.Check = (*Check)(nil)

// NewFromReference reads ref to its end once and returns a check that
// compares the traffic it observes with it. The reference is neither closed
// nor kept. Input errors name the configuration key at fault.
func NewFromReference(ref Source, cfg Config) (*Check, error) {
	cfg, sev, err := normalize(cfg)
	if err != nil {
		return nil, err
	}
	if ref == nil {
		return nil, errs.Input("set reference.path", "%s: no reference to compare with", where)
	}
	r, err := readReference(ref, cfg)
	if err != nil {
		return nil, err
	}
	return newCheck(cfg, sev, r), nil
}

func newCheck(cfg Config, sev checks.Status, r *reference) *Check {
	c := &Check{cfg: cfg, sev: sev, ref: r}
	c.cur = newCurFeatures(r)
	for _, col := range cfg.Segments {
		nth := 0
		if cfg.Prediction != nil {
			nth = len(cfg.Prediction.Thresholds)
		}
		c.segs = append(c.segs, newSegState(col, nth))
	}
	if cfg.Prediction != nil {
		c.pred = newPredState(cfg)
	}
	if cfg.Consistency != nil {
		c.cons = &consState{}
	}
	return c
}

// newCurFeatures returns empty traffic state for every feature of r.
func newCurFeatures(r *reference) []*curFeature {
	cur := make([]*curFeature, 0, len(r.features))
	for _, f := range r.features {
		cf := &curFeature{}
		switch {
		case f.skip != "":
		case f.kind == kindNumeric:
			cf.hist = stats.NewHistogram(f.fine)
			cf.dropped = f.values == nil
		case f.kind == kindString:
			cf.counts = stats.NewCategoryCounts(f.vocab)
			cf.unseenTop = stats.NewValueSketch(unseenNames)
		}
		cur = append(cur, cf)
	}
	return cur
}

// merge adds of's counts to cf.
func (cf *curFeature) merge(of *curFeature, name string) error {
	if cf.hist != nil {
		if err := cf.hist.Merge(of.hist); err != nil {
			return errs.Run("", "%s: %s: %v", where, name, err)
		}
		if of.dropped || len(cf.values)+len(of.values) > ExactValues {
			cf.dropValues()
		} else if !cf.dropped {
			cf.values = append(cf.values, of.values...)
		}
	}
	if cf.counts != nil {
		if err := cf.counts.Merge(of.counts); err != nil {
			return errs.Run("", "%s: %s: %v", where, name, err)
		}
		cf.unseenTop.Merge(of.unseenTop)
	}
	cf.unseen += of.unseen
	cf.present += of.present
	cf.badRows += of.badRows
	if cf.badType == "" {
		cf.badType = of.badType
	}
	return nil
}

// Fork returns an empty check sharing c's configuration and reference, for
// another worker or shard; Merge folds it back.
func (c *Check) Fork() *Check { return newCheck(c.cfg, c.sev, c.ref) }

// Name returns "skew".
func (c *Check) Name() string { return Name }

// Observe folds one batch into the check. It keeps nothing that points
// into the batch.
func (c *Check) Observe(b arrow.RecordBatch) error {
	if b == nil || b.NumRows() == 0 {
		return nil
	}
	n := b.NumRows()
	c.rows += n
	for i, f := range c.ref.features {
		if f.skip != "" {
			continue
		}
		cf := c.cur[i]
		a := column(b, f.name)
		if a == nil {
			continue
		}
		cf.present += n
		if kindOf(a.DataType()) != f.kind {
			if cf.badType == "" {
				cf.badType = a.DataType().String()
			}
			cf.badRows += n
			continue
		}
		switch f.kind {
		case kindNumeric:
			floats(a, func(_ int, v float64, null bool) { addFloat(cf, v, null) })
		case kindString:
			strs(a, func(_ int, v string, null bool) { addString(f, cf, v, null) })
		}
	}
	for _, s := range c.segs {
		if slots := s.observe(b, c.ref); slots != nil && c.pred != nil {
			s.observeFlips(b, c.cfg, slots)
		}
	}
	if c.pred != nil {
		c.pred.observe(b, c.cfg)
	}
	if c.cons != nil {
		c.cons.observe(b, c.cfg, c.ref)
	}
	return nil
}

// addFloat counts one value of a numeric feature.
func addFloat(cf *curFeature, v float64, null bool) {
	if null {
		cf.hist.AddNull(1)
		return
	}
	cf.hist.Add(v)
	if !cf.dropped && !math.IsNaN(v) && !math.IsInf(v, 0) {
		if len(cf.values) == ExactValues {
			cf.dropValues()
			return
		}
		cf.values = append(cf.values, v)
	}
}

// dropValues gives up the exact values for good.
func (cf *curFeature) dropValues() { cf.values, cf.dropped = nil, true }

// addString counts one value of a string feature.
func addString(f *refFeature, cf *curFeature, v string, null bool) {
	if null {
		cf.counts.AddNull(1)
		return
	}
	cf.counts.Add(v)
	if f.known != nil {
		if _, ok := f.known[v]; !ok {
			cf.unseen++
			cf.unseenTop.Add(v)
		}
	}
}

// Merge folds in another skew check built from the same reference (by
// Fork) with the same configuration. Every count merges exactly.
func (c *Check) Merge(other checks.Check) error {
	o, ok := other.(*Check)
	if !ok {
		return errs.Run("", "%s: cannot merge a %T into a skew check", where, other)
	}
	if o.ref != c.ref {
		return errs.Run("fork checks with Check.Fork", "%s: cannot merge skew checks built from different references", where)
	}
	c.rows += o.rows
	for i, cf := range c.cur {
		if err := cf.merge(o.cur[i], c.ref.features[i].name); err != nil {
			return err
		}
	}
	if len(c.segs) != len(o.segs) {
		return errs.Run("", "%s: cannot merge skew checks with different segments", where)
	}
	for i, s := range c.segs {
		if err := s.merge(o.segs[i], c.ref); err != nil {
			return err
		}
	}
	if (c.pred == nil) != (o.pred == nil) || (c.cons == nil) != (o.cons == nil) {
		return errs.Run("", "%s: cannot merge skew checks with different configurations", where)
	}
	if c.pred != nil {
		if err := c.pred.merge(o.pred); err != nil {
			return err
		}
	}
	if c.cons != nil {
		c.cons.merge(o.cons)
	}
	return nil
}

func (c *Check) outcome(name string) checks.Outcome {
	return checks.Outcome{Check: Name, Name: name}
}

func skip(o checks.Outcome, msg string) checks.Outcome {
	o.Status, o.Message, o.Rows = checks.Skip, msg, 0
	return o
}

// grade returns the status of a distance under m.
func (c *Check) grade(v float64, m Method) checks.Status {
	switch {
	case v > m.Fail:
		return c.sev
	case v > m.Warn:
		return checks.Warn
	}
	return checks.Pass
}

func limitOf(m Method) string {
	return fmt.Sprintf("%s: warn > %s, fail > %s", m.Name, num(m.Warn), num(m.Fail))
}
