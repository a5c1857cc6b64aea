package latency

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/models"
)

// Name is the check's name in outcomes.
const Name = "latency"

// DefaultRole is the scorer whose columns the check reads by default.
const DefaultRole = "candidate"

// TimeoutClass is the error class of a request that ran out of time.
const TimeoutClass = "timeout"

// maxClasses bounds the error classes kept by name; the rest count as "other".
const maxClasses = 16

// Config holds the latency gates. A zero duration or a nil share is no gate.
type Config struct {
	// Percentile and maximum gates: observed <= limit.
	P50, P90, P95, P99, P999, Max time.Duration
	// Shares of rows, in [0, 1]: errored rows, and rows whose error class is
	// "timeout".
	MaxErrorRate, MaxTimeoutRate *float64
	// Candidate p99 / logged production p99 <= limit; needs BaselineColumn.
	MaxP99RatioToBaseline *float64
	// BaselineColumn is the traffic column with the logged production
	// latency in milliseconds; "" = none.
	BaselineColumn string
	// Severity of a broken gate: fail (default, also "") or warn.
	Severity string
}

// Options are the run-level settings of a latency check.
type Options struct {
	// Role is the scorer whose <role>_latency_ms, <role>_error and
	// <role>_service_ms columns are read; "" = "candidate". Outcomes of a
	// role other than the candidate are named "<role>_latency.*".
	Role string
}

// Check is the latency check: an accumulator over scored record batches.
type Check struct {
	cfg     Config
	sev     checks.Status
	prefix  string // outcome name prefix: "latency" or "<role>_latency"
	latCol  string
	errCol  string
	svcCol  string
	baseCol string

	rows     int64
	errored  int64
	timeouts int64
	classes  map[string]int64
	// errored and timed-out rows whose latency was recorded
	erroredLat, timeoutLat int64

	all     dist // every row with a latency: scored and errored (gated)
	scored  dist // scored rows only
	service dist
	base    dist

	latType, baseType, svcType string // a non-numeric column's type, once seen
	latSeen, svcSeen, baseSeen bool

	duration time.Duration

	kind []uint8 // scratch: per-row error kind of the current batch
}

// Per-row error kinds.
const (
	kindScored uint8 = iota
	kindErrored
	kindTimeout
)

var _ checks.Check = (*Check)(nil)

// New builds a latency check. It returns an input error for a configuration
// it cannot use (negative durations, shares outside [0, 1], a ratio that is
// not positive, a ratio gate without a baseline column, an unknown severity).
func New(cfg Config, opts Options) (*Check, error) {
	const where = "checks.latency"
	c := &Check{cfg: cfg, classes: map[string]int64{}}
	switch cfg.Severity {
	case "", "fail":
		c.sev = checks.Fail
	case "warn":
		c.sev = checks.Warn
	default:
		return nil, errs.Input("use fail or warn", "%s.severity: unknown severity %q", where, cfg.Severity)
	}
	for _, g := range c.gates() {
		if g.limit < 0 {
			return nil, errs.Input("write a positive duration, e.g. 25ms", "%s.%s: %s is negative", where, g.key, g.limit)
		}
	}
	for _, r := range []struct {
		key string
		v   *float64
	}{{"max_error_rate", cfg.MaxErrorRate}, {"max_timeout_rate", cfg.MaxTimeoutRate}} {
		if r.v != nil && !(*r.v >= 0 && *r.v <= 1) {
			return nil, errs.Input("write a share between 0 and 1, e.g. 0.001 for 0.1%",
				"%s.%s: %v is not between 0 and 1", where, r.key, *r.v)
		}
	}
	if r := cfg.MaxP99RatioToBaseline; r != nil {
		if !(*r > 0) || math.IsInf(*r, 0) {
			return nil, errs.Input("write a positive ratio, e.g. 1.2 for at most 20% slower",
				"%s.max_p99_ratio_to_baseline: %v is not a positive number", where, *r)
		}
		if cfg.BaselineColumn == "" {
			return nil, errs.Input("set traffic.baseline.latency_ms to the column with the logged production latency",
				"%s.max_p99_ratio_to_baseline: no baseline latency column to compare with", where)
		}
	}
	role := opts.Role
	if role == "" {
		role = DefaultRole
	}
	c.prefix = Name
	if role != DefaultRole {
		c.prefix = role + "_" + Name
	}
	c.latCol = role + "_latency_ms"
	c.errCol = role + "_error"
	c.svcCol = role + "_service_ms"
	c.baseCol = cfg.BaselineColumn
	return c, nil
}

// Name returns "latency".
func (c *Check) Name() string { return Name }

// SetDuration sets the run's wall-clock duration, from which Result derives
// the achieved throughput. The pipeline calls it before Result; without it
// throughput is skipped.
func (c *Check) SetDuration(d time.Duration) { c.duration = d }

// Observe folds one scored batch into the check. It keeps nothing that
// points into the batch.
func (c *Check) Observe(b arrow.RecordBatch) error {
	if b == nil || b.NumRows() == 0 {
		return nil
	}
	n := int(b.NumRows())
	c.rows += int64(n)
	kinds := c.errorKinds(b, n)

	lat := column(b, c.latCol)
	if lat != nil {
		c.latSeen = true
	}
	switch {
	case lat == nil:
		c.missingRows(kinds, n)
	case !numeric(lat.DataType()):
		c.missingRows(kinds, n)
		if c.latType == "" {
			c.latType = lat.DataType().String()
		}
	default:
		c.observeLatency(lat, kinds)
	}

	if svc := column(b, c.svcCol); svc != nil {
		c.svcSeen = true
		if numeric(svc.DataType()) {
			observeAll(&c.service, svc)
		} else if c.svcType == "" {
			c.svcType = svc.DataType().String()
		}
	}
	if c.baseCol != "" {
		base := column(b, c.baseCol)
		switch {
		case base == nil:
			c.base.missing += int64(n)
		case !numeric(base.DataType()):
			c.baseSeen = true
			c.base.missing += int64(n)
			if c.baseType == "" {
				c.baseType = base.DataType().String()
			}
		default:
			c.baseSeen = true
			observeAll(&c.base, base)
		}
	}
	return nil
}

// errorKinds classifies each row by its error column; nil means every row
// was scored.
func (c *Check) errorKinds(b arrow.RecordBatch, n int) []uint8 {
	col := column(b, c.errCol)
	if col == nil || col.NullN() == n {
		return nil
	}
	if cap(c.kind) < n {
		c.kind = make([]uint8, n)
	}
	kinds := c.kind[:n]
	clear(kinds)
	s, isString := col.(array.StringLike)
	for i := 0; i < n; i++ {
		if col.IsNull(i) {
			continue
		}
		class := "error"
		if isString {
			msg := s.Value(i)
			if msg == "" {
				continue
			}
			if k, _, ok := strings.Cut(msg, ": "); ok && k != "" {
				class = k
			}
		}
		c.errored++
		kinds[i] = kindErrored
		if class == TimeoutClass {
			c.timeouts++
			kinds[i] = kindTimeout
		}
		c.countClass(class, 1)
	}
	return kinds
}

// missingRows counts a batch without a usable latency column.
func (c *Check) missingRows(kinds []uint8, n int) {
	c.all.missing += int64(n)
	if kinds == nil {
		c.scored.missing += int64(n)
		return
	}
	for _, k := range kinds {
		if k == kindScored {
			c.scored.missing++
		}
	}
}

func (c *Check) countClass(class string, n int64) {
	if _, ok := c.classes[class]; !ok && len(c.classes) >= maxClasses {
		class = "other"
	}
	c.classes[class] += n
}

func (c *Check) observeLatency(lat arrow.Array, kinds []uint8) {
	if a, ok := lat.(*array.Float64); ok && a.NullN() == 0 {
		vals := a.Values()
		if kinds == nil {
			for _, v := range vals {
				c.all.add(v)
				c.scored.add(v)
			}
			return
		}
		for i, v := range vals {
			c.addRow(v, kinds[i])
		}
		return
	}
	for i := 0; i < lat.Len(); i++ {
		k := kindScored
		if kinds != nil {
			k = kinds[i]
		}
		if lat.IsNull(i) {
			c.all.missing++
			if k == kindScored {
				c.scored.missing++
			}
			continue
		}
		c.addRow(models.FeatureValue(lat, i), k)
	}
}

func (c *Check) addRow(v float64, k uint8) {
	before := c.all.n
	c.all.add(v)
	if k == kindScored {
		c.scored.add(v)
		return
	}
	if c.all.n > before {
		c.erroredLat++
		if k == kindTimeout {
			c.timeoutLat++
		}
	}
}

// observeAll records every row of a numeric column.
func observeAll(d *dist, a arrow.Array) {
	if f, ok := a.(*array.Float64); ok && f.NullN() == 0 {
		for _, v := range f.Values() {
			d.add(v)
		}
		return
	}
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			d.missing++
			continue
		}
		d.add(models.FeatureValue(a, i))
	}
}

// Merge folds other, a latency check built from the same configuration,
// into c. The result equals one pass over both checks' batches. The run
// duration becomes the longer of the two (shards that ran side by side);
// the pipeline may set it afterwards with SetDuration.
func (c *Check) Merge(other checks.Check) error {
	o, ok := other.(*Check)
	if !ok {
		return fmt.Errorf("latency: cannot merge a %T", other)
	}
	if o == c {
		return fmt.Errorf("latency: cannot merge a check into itself")
	}
	if !sameConfig(c, o) {
		return fmt.Errorf("latency: cannot merge checks of different configurations")
	}
	c.rows += o.rows
	c.errored += o.errored
	c.timeouts += o.timeouts
	c.erroredLat += o.erroredLat
	c.timeoutLat += o.timeoutLat
	names := make([]string, 0, len(o.classes))
	for k := range o.classes {
		names = append(names, k)
	}
	sort.Strings(names) // which classes fold into "other" must not depend on map order
	for _, k := range names {
		c.countClass(k, o.classes[k])
	}
	c.all.merge(&o.all)
	c.scored.merge(&o.scored)
	c.service.merge(&o.service)
	c.base.merge(&o.base)
	c.latType = firstNonEmpty(c.latType, o.latType)
	c.baseType = firstNonEmpty(c.baseType, o.baseType)
	c.svcType = firstNonEmpty(c.svcType, o.svcType)
	c.latSeen = c.latSeen || o.latSeen
	c.svcSeen = c.svcSeen || o.svcSeen
	c.baseSeen = c.baseSeen || o.baseSeen
	c.duration = max(c.duration, o.duration)
	return nil
}

func sameConfig(a, b *Check) bool {
	eq := func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	ca, cb := a.cfg, b.cfg
	return a.prefix == b.prefix && a.sev == b.sev &&
		ca.P50 == cb.P50 && ca.P90 == cb.P90 && ca.P95 == cb.P95 && ca.P99 == cb.P99 &&
		ca.P999 == cb.P999 && ca.Max == cb.Max && ca.BaselineColumn == cb.BaselineColumn &&
		eq(ca.MaxErrorRate, cb.MaxErrorRate) && eq(ca.MaxTimeoutRate, cb.MaxTimeoutRate) &&
		eq(ca.MaxP99RatioToBaseline, cb.MaxP99RatioToBaseline)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Summary is the check's distributions, for reports and plots. Latencies
// are in milliseconds.
type Summary struct {
	Rows     int64            // rows observed
	Errors   int64            // rows with an error
	Timeouts int64            // rows whose error class is "timeout"
	Classes  map[string]int64 // errored rows by class

	// Candidate is every row with a latency, errored ones included: the
	// distribution the gates read.
	Candidate Dist
	// Scored is the rows that were scored, without the errored ones.
	Scored Dist
	// Service is the service time (<role>_service_ms); nil when the column
	// never appeared.
	Service *Dist
	// Baseline is the logged production latency; nil without a baseline
	// column.
	Baseline *Dist

	Duration   time.Duration // the run's duration; 0 when unknown
	Throughput float64       // rows per second; 0 when the duration is unknown
}

// Summary returns the distributions behind the outcomes.
func (c *Check) Summary() Summary {
	s := Summary{Rows: c.rows, Errors: c.errored, Timeouts: c.timeouts,
		Candidate: c.all.summary(), Scored: c.scored.summary(), Duration: c.duration}
	if len(c.classes) > 0 {
		s.Classes = make(map[string]int64, len(c.classes))
		for k, v := range c.classes {
			s.Classes[k] = v
		}
	}
	if c.svcSeen {
		d := c.service.summary()
		s.Service = &d
	}
	if c.baseCol != "" {
		d := c.base.summary()
		s.Baseline = &d
	}
	if c.duration > 0 {
		s.Throughput = float64(c.rows) / c.duration.Seconds()
	}
	return s
}

// column returns b's column called name, or nil.
func column(b arrow.RecordBatch, name string) arrow.Array {
	if idx := b.Schema().FieldIndices(name); len(idx) > 0 {
		return b.Column(idx[0])
	}
	return nil
}

func numeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
		arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64, arrow.NULL:
		return true
	}
	return false
}
