package segments

import (
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/stats"
)

// Name is the check's name in outcomes.
const Name = "segments"

// Defaults of Config.
const (
	DefaultScoreColumn = "candidate_score"
	DefaultReplicates  = 200
	DefaultConfidence  = 0.95
	DefaultMinRows     = 500
	DefaultThreshold   = 0.5
	DefaultMaxValues   = 100
	DefaultExactRows   = 1_000_000
)

// Segment values that are not a column's own value.
const (
	// OtherValue names the segment that collects a column's values past
	// Config.MaxValues.
	OtherValue = "(other)"
	// NullValue stands for a null segment value.
	NullValue = "(null)"
)

// Gate holds the limits on one metric; nil means no limit. Min and Max
// bound the candidate's value, MaxDrop the fall of a higher-is-better metric
// below the baseline, MaxRise the rise of a lower-is-better one above it.
type Gate struct {
	Min, Max, MaxDrop, MaxRise *float64
}

// Config configures the segments check.
type Config struct {
	// By lists the columns whose values make segments, one per value.
	By []string
	// Crosses lists column combinations whose value combinations make
	// segments, e.g. {{"country", "platform"}}.
	Crosses [][]string
	// Metrics are computed for every segment, in this order: binary ones
	// (auc, pr_auc, logloss, brier, ece, accuracy, precision, recall, f1,
	// positive_rate) or regression ones (rmse, mae, r2), not both.
	Metrics []string
	// Gates maps a metric to its limits.
	Gates map[string]Gate
	// Label is the 0/1 label column (numeric or boolean), or with
	// regression metrics the target column (numeric); null = no feedback
	// yet.
	Label string
	// BaselineScore is the column with the score production served.
	BaselineScore string
	// ScoreColumn is the candidate's score column; "" = candidate_score.
	ScoreColumn string
	// IDColumn is the row id the bootstrap weights are keyed by.
	IDColumn string
	// MinRows is the fewest labelled, scored rows a segment is gated on;
	// 0 = 500.
	MinRows int
	// Confidence is the family-wise confidence of the intervals; 0 = 0.95.
	Confidence float64
	// Replicates is the number of bootstrap replicates; 0 = 200.
	Replicates int
	// Seed selects the bootstrap resamples.
	Seed uint64
	// Threshold: a score ≥ Threshold predicts positive; nil = 0.5.
	Threshold *float64
	// MaxValues bounds the segments of one By column or cross; later
	// values go to the "(other)" segment. 0 = 100.
	MaxValues int
	// ExactRows bounds the labelled rows kept for exact point estimates;
	// 0 = 1,000,000, negative = none kept.
	ExactRows int
}

// Check is the segments check: an accumulator over scored record batches.
type Check struct {
	cfg        Config
	metrics    []stats.Metric
	regression bool // the metrics are rmse, mae, r2: the label is a real-valued target
	gates      []metricGates
	threshold  float64
	bcfg       stats.BootstrapConfig
	gen        stats.PoissonWeights
	w          []uint8

	dims  []*dim // dims[0] is overall
	exact exactStore

	nullIDs         int64
	badLabel        int64
	badLabelExample float64

	// last is what Result returned, until the next Observe or Merge: the
	// plots reuse it rather than run the bootstrap intervals again.
	last []checks.Outcome
}

// metricGates are the limits of one metric, in the order min, max,
// max_drop, max_rise.
type metricGates struct {
	metric string
	known  bool // the metric is among Config.Metrics
	gates  []stats.MetricGate
}

// dim is one way of cutting the rows: overall, one By column, or a cross.
type dim struct {
	cols     []string
	segs     []*segment
	index    map[string]int // value key → segs index
	other    int            // index of the (other) segment, -1 = none yet
	overflow int64          // rows sent to (other)
}

// segment is one segment's counts and bootstrap state.
type segment struct {
	values   []string // one per column of its dim; nil for overall
	other    bool
	rows     int64 // every row of the segment
	labelled int64 // rows with a 0/1 label
	unscored int64 // labelled rows without both finite scores
	used     int64 // labelled rows with both scores: the rows gated on
	pos      int64 // positives among used
	pb       *stats.PairedBootstrap
}

// exactStore keeps the used rows for exact point estimates while they fit.
type exactStore struct {
	on      bool
	limit   int
	dropped bool
	cand    []float64
	base    []float64
	label   []uint8   // binary metrics: the 0/1 label
	target  []float64 // regression metrics: the target
	codes   [][]int32 // per dim after overall: the row's segment index
}

var _ checks.Check = (*Check)(nil)

const where = "checks.segments"

// New builds a segments check. It returns an input error for a
// configuration it cannot use.
func New(cfg Config) (*Check, error) {
	cfg = withDefaults(cfg)
	c := &Check{cfg: cfg}
	if cfg.Label == "" {
		return nil, errs.Input("set traffic.label to the label column", "%s: no label column", where)
	}
	if cfg.BaselineScore == "" {
		return nil, errs.Input("set traffic.baseline.score to the column with the logged production score", "%s: no baseline score column", where)
	}
	if cfg.IDColumn == "" {
		return nil, errs.Input("set traffic.id to the request id column", "%s: no id column: the paired bootstrap is keyed by row id", where)
	}
	if !(cfg.Confidence > 0 && cfg.Confidence < 1) {
		return nil, errs.Input("write a confidence between 0 and 1, e.g. 0.95", "%s.confidence: %v is not between 0 and 1", where, cfg.Confidence)
	}
	if cfg.MinRows < 1 {
		return nil, errs.Input("write a positive row count, e.g. 500", "%s.min_rows: %d is not positive", where, cfg.MinRows)
	}
	if cfg.Replicates < 2 {
		return nil, errs.Input("use at least 200 replicates", "%s.replicates: %d is too few", where, cfg.Replicates)
	}
	if math.IsNaN(*cfg.Threshold) || math.IsInf(*cfg.Threshold, 0) {
		return nil, errs.Input("write a threshold between 0 and 1, e.g. 0.5", "%s.threshold: %v is not a finite number", where, *cfg.Threshold)
	}
	c.threshold = *cfg.Threshold
	if len(cfg.Metrics) == 0 {
		return nil, errs.Input("list metrics, e.g. [auc, logloss]", "%s.metrics: no metric", where)
	}
	for _, name := range cfg.Metrics {
		m, err := stats.ParseMetric(name)
		if err != nil {
			return nil, errs.Input("", "%s.metrics: %v", where, err)
		}
		if len(c.metrics) > 0 && m.Regression() != c.metrics[0].Regression() {
			return nil, errs.Input("list either regression metrics (rmse, mae, r2) or binary-classification metrics, not both",
				"%s.metrics: %s and %s mix regression and binary-classification metrics: the label column is either a real-valued target or a 0/1 label", where, c.metrics[0], m)
		}
		if slices.Contains(c.metrics, m) {
			return nil, errs.Input("list each metric once", "%s.metrics: %s is listed twice", where, m)
		}
		c.metrics = append(c.metrics, m)
	}
	c.regression = c.metrics[0].Regression()
	names := make([]string, 0, len(cfg.Gates))
	for k := range cfg.Gates {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		g := cfg.Gates[name]
		m, err := stats.ParseMetric(name)
		if err != nil {
			return nil, errs.Input("", "%s.gates: %v", where, err)
		}
		mg := metricGates{metric: name, known: slices.Contains(c.metrics, m)}
		for _, l := range []struct {
			kind stats.LimitKind
			v    *float64
		}{{stats.LimitMin, g.Min}, {stats.LimitMax, g.Max}, {stats.LimitMaxDrop, g.MaxDrop}, {stats.LimitMaxRise, g.MaxRise}} {
			if l.v == nil {
				continue
			}
			gate := stats.MetricGate{Kind: l.kind, Limit: *l.v}
			if err := gate.Validate(); err != nil {
				return nil, errs.Input("", "%s.gates.%s: %v", where, name, err)
			}
			if l.kind == stats.LimitMaxDrop && m.Direction() == stats.LowerIsBetter {
				return nil, errs.Input("use max_rise for a lower-is-better metric", "%s.gates.%s.max_drop: %s is lower-is-better, a drop is an improvement", where, name, m)
			}
			if l.kind == stats.LimitMaxRise && m.Direction() == stats.HigherIsBetter {
				return nil, errs.Input("use max_drop for a higher-is-better metric", "%s.gates.%s.max_rise: %s is higher-is-better, a rise is an improvement", where, name, m)
			}
			mg.gates = append(mg.gates, gate)
		}
		c.gates = append(c.gates, mg)
	}
	c.bcfg = stats.BootstrapConfig{Replicates: cfg.Replicates, Seed: cfg.Seed, Metrics: c.metrics, Threshold: c.threshold}
	gen, err := stats.NewPoissonWeights(cfg.Seed, cfg.Replicates)
	if err != nil {
		return nil, errs.Input("", "%s.replicates: %v", where, err)
	}
	c.gen = gen
	c.w = make([]uint8, cfg.Replicates)
	if _, err := stats.NewPairedBootstrap(c.bcfg); err != nil {
		return nil, errs.Input("", "%s: %v", where, err)
	}

	c.dims = []*dim{newDim(nil)}
	seen := map[string]bool{}
	addDim := func(cols []string, key string) error {
		if len(cols) == 0 {
			return errs.Input("list at least one column", "%s.%s: empty column list", where, key)
		}
		for _, col := range cols {
			if strings.TrimSpace(col) == "" {
				return errs.Input("", "%s.%s: empty column name", where, key)
			}
		}
		k := strings.Join(cols, "\x00")
		if seen[k] {
			return errs.Input("list each segment column (or cross) once", "%s.%s: %s is listed twice", where, key, strings.Join(cols, ","))
		}
		seen[k] = true
		c.dims = append(c.dims, newDim(cols))
		return nil
	}
	for _, col := range cfg.By {
		if err := addDim([]string{col}, "by"); err != nil {
			return nil, err
		}
	}
	for _, cross := range cfg.Crosses {
		if err := addDim(slices.Clone(cross), "crosses"); err != nil {
			return nil, err
		}
	}
	if _, err := c.dims[0].segment(c, nil); err != nil {
		return nil, err
	}
	c.exact = exactStore{on: cfg.ExactRows > 0, limit: cfg.ExactRows, codes: make([][]int32, len(c.dims)-1)}
	return c, nil
}

func withDefaults(cfg Config) Config {
	if cfg.ScoreColumn == "" {
		cfg.ScoreColumn = DefaultScoreColumn
	}
	if cfg.MinRows == 0 {
		cfg.MinRows = DefaultMinRows
	}
	if cfg.Confidence == 0 {
		cfg.Confidence = DefaultConfidence
	}
	if cfg.Replicates == 0 {
		cfg.Replicates = DefaultReplicates
	}
	if cfg.Threshold == nil {
		t := DefaultThreshold
		cfg.Threshold = &t
	}
	if cfg.MaxValues <= 0 {
		cfg.MaxValues = DefaultMaxValues
	}
	if cfg.ExactRows == 0 {
		cfg.ExactRows = DefaultExactRows
	}
	return cfg
}

func newDim(cols []string) *dim {
	return &dim{cols: cols, index: map[string]int{}, other: -1}
}

// segment returns the index of the segment for values (cloned on first
// use), creating it, or the (other) segment once MaxValues are taken.
func (d *dim) segment(c *Check, values []string) (int, error) {
	key := strings.Join(values, "\x00")
	if i, ok := d.index[key]; ok {
		return i, nil
	}
	if len(d.cols) > 0 && len(d.index) >= c.cfg.MaxValues {
		return d.otherIndex(c)
	}
	vals := make([]string, len(values))
	for i, v := range values {
		vals[i] = strings.Clone(v) // values may point into a batch's buffers
	}
	s, err := c.newSegment(vals, false)
	if err != nil {
		return 0, err
	}
	d.segs = append(d.segs, s)
	d.index[strings.Join(vals, "\x00")] = len(d.segs) - 1
	return len(d.segs) - 1, nil
}

// otherIndex returns the index of the (other) segment, creating it.
func (d *dim) otherIndex(c *Check) (int, error) {
	if d.other < 0 {
		s, err := c.newSegment(nil, true)
		if err != nil {
			return 0, err
		}
		d.segs = append(d.segs, s)
		d.other = len(d.segs) - 1
	}
	return d.other, nil
}

func (c *Check) newSegment(values []string, other bool) (*segment, error) {
	pb, err := stats.NewPairedBootstrap(c.bcfg)
	if err != nil {
		return nil, errs.Run("", "%s: %v", where, err)
	}
	return &segment{values: values, other: other, pb: pb}, nil
}

// Name returns "segments".
func (c *Check) Name() string { return Name }

// Config returns the configuration, defaults filled in.
func (c *Check) Config() Config { return c.cfg }

// Merge folds in the state of another segments check of the same
// configuration.
func (c *Check) Merge(other checks.Check) error {
	c.last = nil
	o, ok := other.(*Check)
	if !ok {
		return errs.Run("", "%s: cannot merge a %T", where, other)
	}
	if !reflect.DeepEqual(c.cfg, o.cfg) {
		return errs.Run("merge states of runs with the same spec", "%s: cannot merge states of different configurations", where)
	}
	maps := make([][]int32, len(c.dims))
	for di, d := range c.dims {
		od := o.dims[di]
		m := make([]int32, len(od.segs))
		for si, os := range od.segs {
			var ti int
			var err error
			if os.other {
				ti, err = d.otherIndex(c)
			} else {
				ti, err = d.segment(c, os.values)
			}
			if err != nil {
				return err
			}
			if d.segs[ti].other && !os.other {
				d.overflow += os.rows
			}
			if err := d.segs[ti].merge(os); err != nil {
				return err
			}
			m[si] = int32(ti)
		}
		d.overflow += od.overflow
		maps[di] = m
	}
	c.nullIDs += o.nullIDs
	if c.badLabel == 0 {
		c.badLabelExample = o.badLabelExample
	}
	c.badLabel += o.badLabel
	c.exact.merge(&o.exact, maps[1:])
	return nil
}

func (s *segment) merge(o *segment) error {
	s.rows += o.rows
	s.labelled += o.labelled
	s.unscored += o.unscored
	s.used += o.used
	s.pos += o.pos
	if err := s.pb.Merge(o.pb); err != nil {
		return errs.Run("", "%s: %v", where, err)
	}
	return nil
}

func (e *exactStore) merge(o *exactStore, maps [][]int32) {
	if !e.on {
		return
	}
	if !o.on || len(e.cand)+len(o.cand) > e.limit {
		e.drop()
		return
	}
	e.cand = append(e.cand, o.cand...)
	e.base = append(e.base, o.base...)
	e.label = append(e.label, o.label...)
	e.target = append(e.target, o.target...)
	for j, codes := range o.codes {
		for _, v := range codes {
			e.codes[j] = append(e.codes[j], maps[j][v])
		}
	}
}

func (e *exactStore) drop() {
	e.on, e.dropped = false, true
	e.cand, e.base, e.label, e.target = nil, nil, nil, nil
	for j := range e.codes {
		e.codes[j] = nil
	}
}

// Observe folds one scored batch into the check. It keeps nothing that
// points into the batch.
func (c *Check) Observe(b arrow.RecordBatch) error {
	c.last = nil
	if b == nil || b.NumRows() == 0 {
		return nil
	}
	n := int(b.NumRows())
	get := func(name, hint string) (arrow.Array, error) {
		idx := b.Schema().FieldIndices(name)
		if len(idx) == 0 {
			return nil, errs.Input(hint, "%s: column %q is not in the scored traffic", where, name)
		}
		return b.Column(idx[0]), nil
	}
	scoreArr, err := get(c.cfg.ScoreColumn, "score the traffic with a candidate model first")
	if err != nil {
		return err
	}
	baseArr, err := get(c.cfg.BaselineScore, "check traffic.baseline.score")
	if err != nil {
		return err
	}
	labelArr, err := get(c.cfg.Label, "check traffic.label")
	if err != nil {
		return err
	}
	idArr, err := get(c.cfg.IDColumn, "check traffic.id")
	if err != nil {
		return err
	}
	score, err := numbers(scoreArr, c.cfg.ScoreColumn)
	if err != nil {
		return err
	}
	base, err := numbers(baseArr, c.cfg.BaselineScore)
	if err != nil {
		return err
	}
	label, err := numbers(labelArr, c.cfg.Label)
	if err != nil {
		return err
	}
	// the columns of each dim
	dimCols := make([][]arrow.Array, len(c.dims))
	for di, d := range c.dims {
		for _, col := range d.cols {
			a, err := get(col, "check segments.by and segments.crosses")
			if err != nil {
				return err
			}
			dimCols[di] = append(dimCols[di], a)
		}
	}
	vals := make([][]string, len(c.dims))
	for di, d := range c.dims {
		vals[di] = make([]string, len(d.cols))
	}
	segIdx := make([]int, len(c.dims))
	for i := 0; i < n; i++ {
		for di, d := range c.dims {
			for k, a := range dimCols[di] {
				if a.IsNull(i) {
					vals[di][k] = NullValue
				} else {
					vals[di][k] = a.ValueStr(i)
				}
			}
			si, err := d.segment(c, vals[di])
			if err != nil {
				return err
			}
			segIdx[di] = si
			s := d.segs[si]
			s.rows++
			if s.other {
				d.overflow++
			}
		}
		y, ok := label(i)
		if !ok {
			continue
		}
		if c.regression && (math.IsNaN(y) || math.IsInf(y, 0)) || !c.regression && y != 0 && y != 1 {
			if c.badLabel == 0 {
				c.badLabelExample = y
			}
			c.badLabel++
			continue
		}
		p, okp := score(i)
		q, okq := base(i)
		scored := okp && okq && !math.IsNaN(p) && !math.IsInf(p, 0) && !math.IsNaN(q) && !math.IsInf(q, 0)
		for di, d := range c.dims {
			s := d.segs[segIdx[di]]
			s.labelled++
			if !scored {
				s.unscored++
			}
		}
		if !scored {
			continue
		}
		var key uint64
		if idArr.IsNull(i) {
			c.nullIDs++
			key = stats.RowKey("")
		} else {
			key = stats.RowKey(idArr.ValueStr(i))
		}
		c.gen.Fill(c.w, key)
		for di, d := range c.dims {
			s := d.segs[segIdx[di]]
			if err := s.pb.AddWeighted(c.w, y, p, q); err != nil {
				return errs.Run("", "%s: %v", where, err)
			}
			s.used++
			if y == 1 {
				s.pos++
			}
		}
		if c.exact.on {
			if len(c.exact.cand) >= c.exact.limit {
				c.exact.drop()
				continue
			}
			c.exact.cand = append(c.exact.cand, p)
			c.exact.base = append(c.exact.base, q)
			if c.regression {
				c.exact.target = append(c.exact.target, y)
			} else {
				c.exact.label = append(c.exact.label, uint8(y))
			}
			for j := range c.exact.codes {
				c.exact.codes[j] = append(c.exact.codes[j], int32(segIdx[j+1]))
			}
		}
	}
	return nil
}

// SizeBytes is the approximate memory the check holds.
func (c *Check) SizeBytes() int {
	n := 17*len(c.exact.label) + 24*len(c.exact.target)
	for _, codes := range c.exact.codes {
		n += 4 * len(codes)
	}
	for _, d := range c.dims {
		for _, s := range d.segs {
			n += s.pb.SizeBytes()
		}
	}
	return n
}

// String names the segment for outcome names: "overall", "country=BR",
// "country=BR,platform=ios".
func (d *dim) name(s *segment) string {
	if len(d.cols) == 0 {
		return "overall"
	}
	parts := make([]string, len(d.cols))
	for k, col := range d.cols {
		v := OtherValue
		if !s.other {
			v = s.values[k]
		}
		parts[k] = col + "=" + v
	}
	return strings.Join(parts, ",")
}
