package contract

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/spec"
)

// Name is the check's name in outcomes.
const Name = "contract"

// Default column names of the replay's outputs.
const (
	DefaultScoreColumn = "candidate_score"
	DefaultErrorColumn = "candidate_error"
)

// Options are the run-level settings of a contract check.
type Options struct {
	IDColumn    string    // row ids for examples; "" = use the row position
	ScoreColumn string    // default "candidate_score"
	ErrorColumn string    // default "candidate_error"
	Now         time.Time // reference time for freshness when cfg.Freshness.Now is empty; zero = when New runs
}

// Check is the contract check: an accumulator over scored record batches.
type Check struct {
	opts     Options
	features []*feature // sorted by name
	output   *output
	fresh    *freshness
	rows     int64
	sc       scratch
}

var _ checks.Check = (*Check)(nil)

// New builds a contract check. It returns an input error for a
// configuration it cannot use (unknown type or severity, min above max,
// rates outside [0, 1], a bad freshness.now, ...).
func New(cfg *spec.Contract, opts Options) (*Check, error) {
	if opts.ScoreColumn == "" {
		opts.ScoreColumn = DefaultScoreColumn
	}
	if opts.ErrorColumn == "" {
		opts.ErrorColumn = DefaultErrorColumn
	}
	c := &Check{opts: opts}
	if cfg == nil {
		return c, nil
	}
	names := make([]string, 0, len(cfg.Features))
	for name := range cfg.Features {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		f, err := newFeature(name, cfg.Features[name])
		if err != nil {
			return nil, err
		}
		c.features = append(c.features, f)
	}
	if cfg.Output != nil {
		o, err := newOutput(cfg.Output, opts)
		if err != nil {
			return nil, err
		}
		c.output = o
	}
	if cfg.Freshness != nil {
		f, err := newFreshness(cfg.Freshness, opts)
		if err != nil {
			return nil, err
		}
		c.fresh = f
	}
	return c, nil
}

// Name returns "contract".
func (c *Check) Name() string { return Name }

// Observe folds one scored batch into the check. It keeps nothing that
// points into the batch: the caller may release it right after.
func (c *Check) Observe(b arrow.RecordBatch) error {
	if b == nil || b.NumRows() == 0 {
		return nil
	}
	ids := rowIDs{base: c.rows}
	if c.opts.IDColumn != "" {
		if idx := b.Schema().FieldIndices(c.opts.IDColumn); len(idx) > 0 {
			ids.id = b.Column(idx[0])
		}
	}
	for _, f := range c.features {
		f.observe(b, &ids, &c.sc)
	}
	if c.output != nil {
		c.output.observe(b, &ids)
	}
	if c.fresh != nil {
		c.fresh.observe(b, &ids)
	}
	c.rows += b.NumRows()
	return nil
}

// Merge folds other, a contract check built from the same configuration,
// into c. other's rows are taken to follow c's in the stream.
func (c *Check) Merge(other checks.Check) error {
	o, ok := other.(*Check)
	if !ok {
		return fmt.Errorf("contract: cannot merge a %T", other)
	}
	if o == c {
		return fmt.Errorf("contract: cannot merge a check into itself")
	}
	if len(o.features) != len(c.features) || (o.output == nil) != (c.output == nil) ||
		(o.fresh == nil) != (c.fresh == nil) {
		return fmt.Errorf("contract: cannot merge checks of different configurations")
	}
	for i, f := range c.features {
		if o.features[i].name != f.name {
			return fmt.Errorf("contract: cannot merge checks of different configurations (feature %q vs %q)",
				f.name, o.features[i].name)
		}
	}
	for i, f := range c.features {
		f.merge(o.features[i], c.rows)
	}
	if c.output != nil {
		c.output.merge(o.output, c.rows)
	}
	if c.fresh != nil {
		c.fresh.merge(o.fresh, c.rows)
	}
	c.rows += o.rows
	return nil
}

// Result returns one outcome per rule: features sorted by name (type,
// min, max, null_rate, unseen_rate), then output (finite, range), then
// freshness (max_age, max_span).
func (c *Check) Result() []checks.Outcome {
	var out []checks.Outcome
	for _, f := range c.features {
		out = append(out, f.outcomes(c.rows)...)
	}
	if c.output != nil {
		out = append(out, c.output.outcomes()...)
	}
	if c.fresh != nil {
		out = append(out, c.fresh.outcomes()...)
	}
	return out
}

func severity(s, where string) (checks.Status, error) {
	switch s {
	case "", "fail":
		return checks.Fail, nil
	case "warn":
		return checks.Warn, nil
	}
	return "", inputErr("use fail or warn", "%s.severity: unknown severity %q", where, s)
}

func inputErr(hint, format string, args ...any) error { return errs.Input(hint, format, args...) }

func finite(v float64, where string) (float64, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, inputErr("use a finite number", "%s: %v is not a finite number", where, v)
	}
	return v, nil
}

// rate reads an optional share in [0, 1]; nil is 0.
func rate(p *float64, where string) (float64, error) {
	if p == nil {
		return 0, nil
	}
	if v := *p; math.IsNaN(v) || v < 0 || v > 1 {
		return 0, inputErr("write a share between 0 and 1, e.g. 0.01 for 1%", "%s: %v is not between 0 and 1", where, v)
	}
	return *p, nil
}
