package latency

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/replaygate/replaygate/checks"
)

// gate is one distribution rule: a percentile (q in (0, 100]) or the maximum
// (q < 0), with its limit (0 = no gate).
type gate struct {
	key   string
	q     float64
	limit time.Duration
}

func (c *Check) gates() []gate {
	return []gate{
		{"p50", 50, c.cfg.P50},
		{"p90", 90, c.cfg.P90},
		{"p95", 95, c.cfg.P95},
		{"p99", 99, c.cfg.P99},
		{"p999", 99.9, c.cfg.P999},
		{"max", -1, c.cfg.Max},
	}
}

// Result returns, in this order: <prefix>.p50, .p90, .p95, .p99, .p999,
// .max, .error_rate, .timeout_rate, .throughput; then, with a baseline
// column, <prefix>.p99_ratio_to_baseline and baseline_latency.p50, .p99,
// .max; then, when the service-time column appeared, service_time.p50,
// .p99, .max. The prefix is "latency" for the candidate.
func (c *Check) Result() []checks.Outcome {
	var out []checks.Outcome
	for _, g := range c.gates() {
		out = append(out, c.distOutcome(g))
	}
	out = append(out, c.errorRate(), c.timeoutRate(), c.throughput())
	if c.baseCol != "" {
		out = append(out, c.ratio())
		out = append(out, c.infoOutcomes("baseline_latency", "logged production latency", &c.base, c.baseType, c.baseSeen, c.baseCol)...)
	}
	if c.svcSeen {
		p := "service_time"
		if c.prefix != Name {
			p = strings.TrimSuffix(c.prefix, Name) + p
		}
		out = append(out, c.infoOutcomes(p, "service time", &c.service, c.svcType, true, c.svcCol)...)
	}
	return out
}

func (c *Check) outcome(name string) checks.Outcome {
	return checks.Outcome{Check: Name, Name: name}
}

func skip(o *checks.Outcome, msg string) checks.Outcome {
	o.Status, o.Message, o.Rows = checks.Skip, msg, 0
	return *o
}

// noLatency explains why a distribution holds no value, or returns "" when
// it holds some.
func noLatency(d *dist, col, typ string, seen bool) (checks.Status, string) {
	switch {
	case d.n > 0:
		return "", ""
	case typ != "":
		return checks.Error, fmt.Sprintf("column %q is %s, not a number of milliseconds", col, typ)
	case !seen:
		return checks.Skip, fmt.Sprintf("no rows with a latency: column %q is not in the scored rows", col)
	case d.invalid > 0:
		return checks.Skip, fmt.Sprintf("no rows with a latency: every value of %q is null, NaN, infinite or negative", col)
	}
	return checks.Skip, fmt.Sprintf("no rows with a latency: every value of %q is null", col)
}

func (c *Check) distOutcome(g gate) checks.Outcome {
	o := c.outcome(c.prefix + "." + g.key)
	o.Limit = limitDur(g.limit)
	if c.rows == 0 {
		return skip(&o, "no rows")
	}
	if st, msg := noLatency(&c.all, c.latCol, c.latType, c.latSeen); st != "" {
		if st == checks.Skip {
			return skip(&o, msg)
		}
		o.Status, o.Message = st, msg
		return o
	}
	v := c.value(&c.all, g.q)
	o.Value, o.Rows = checks.F(v), c.all.n
	if c.base.n > 0 {
		b := c.value(&c.base, g.q)
		o.Baseline, o.Delta = checks.F(b), checks.F(v-b)
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "%s %s over %s", g.key, human(v), plural(c.all.n, "row", "rows"))
	o.Status = checks.Pass
	if g.limit > 0 {
		lim := float64(g.limit) / float64(time.Millisecond)
		// A percentile the histogram cannot tell apart from the limit passes:
		// the comparison is at the histogram's resolution. The maximum is exact.
		if v <= lim || (g.q >= 0 && c.all.equivalent(v, lim)) {
			fmt.Fprintf(&msg, ", within the %s limit", humanDur(g.limit))
		} else {
			o.Status = c.sev
			fmt.Fprintf(&msg, ", above the %s limit", humanDur(g.limit))
		}
	}
	for _, n := range c.notes() {
		msg.WriteString("; ")
		msg.WriteString(n)
	}
	o.Message = msg.String()
	return o
}

// value is a percentile (q >= 0) or the exact maximum (q < 0).
func (c *Check) value(d *dist, q float64) float64 {
	if q < 0 {
		return d.max
	}
	return d.quantile(q)
}

// notes say what the candidate distribution includes and leaves out.
func (c *Check) notes() []string {
	var out []string
	if c.erroredLat > 0 {
		s := "includes " + plural(c.erroredLat, "errored row", "errored rows")
		if c.timeoutLat > 0 {
			s += " (" + checks.Thousands(c.timeoutLat) + " timed out)"
		}
		out = append(out, s)
	}
	out = append(out, dataNotes(&c.all, c.latCol, c.latType)...)
	return out
}

func dataNotes(d *dist, col, typ string) []string {
	var out []string
	if d.missing > 0 {
		out = append(out, plural(d.missing, "row", "rows")+" without a latency left out")
	}
	if d.invalid > 0 {
		out = append(out, plural(d.invalid, "row", "rows")+" with a NaN, infinite or negative latency left out")
	}
	if d.under > 0 {
		out = append(out, plural(d.under, "row", "rows")+" under 1 µs counted as 1 µs")
	}
	if d.over > 0 {
		out = append(out, plural(d.over, "row", "rows")+" over 1 h counted as 1 h")
	}
	if typ != "" {
		out = append(out, fmt.Sprintf("column %q is %s in some batches, not a number", col, typ))
	}
	return out
}

func (c *Check) errorRate() checks.Outcome {
	o := c.outcome(c.prefix + ".error_rate")
	o.Limit = limitNum(c.cfg.MaxErrorRate)
	if c.rows == 0 {
		return skip(&o, "no rows")
	}
	share := float64(c.errored) / float64(c.rows)
	o.Value, o.Rows, o.Status = checks.F(share), c.rows, checks.Pass
	if c.errored == 0 {
		o.Message = "no errors in " + plural(c.rows, "row", "rows")
	} else {
		o.Message = fmt.Sprintf("%s of %s (%s) errored: %s", checks.Thousands(c.errored), plural(c.rows, "row", "rows"), pct(share), c.classList())
	}
	if p := c.cfg.MaxErrorRate; p != nil && share > *p {
		o.Status = c.sev
	}
	return o
}

// classList is "http_status 1, timeout 1", most frequent first.
func (c *Check) classList() string {
	type kv struct {
		k string
		v int64
	}
	var l []kv
	for k, v := range c.classes {
		l = append(l, kv{k, v})
	}
	sort.Slice(l, func(i, j int) bool {
		if l[i].v != l[j].v {
			return l[i].v > l[j].v
		}
		return l[i].k < l[j].k
	})
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.k + " " + checks.Thousands(e.v)
	}
	return strings.Join(parts, ", ")
}

func (c *Check) timeoutRate() checks.Outcome {
	o := c.outcome(c.prefix + ".timeout_rate")
	o.Limit = limitNum(c.cfg.MaxTimeoutRate)
	if c.rows == 0 {
		return skip(&o, "no rows")
	}
	share := float64(c.timeouts) / float64(c.rows)
	o.Value, o.Rows, o.Status = checks.F(share), c.rows, checks.Pass
	if c.timeouts == 0 {
		o.Message = "no timeouts in " + plural(c.rows, "row", "rows")
	} else {
		o.Message = fmt.Sprintf("%s of %s (%s) timed out", checks.Thousands(c.timeouts), plural(c.rows, "row", "rows"), pct(share))
	}
	if p := c.cfg.MaxTimeoutRate; p != nil && share > *p {
		o.Status = c.sev
	}
	return o
}

func (c *Check) throughput() checks.Outcome {
	o := c.outcome(c.prefix + ".throughput")
	if c.rows == 0 {
		return skip(&o, "no rows")
	}
	if c.duration <= 0 {
		return skip(&o, "not evaluated: the run's duration is unknown (the rows were scored by an earlier replay)")
	}
	rps := float64(c.rows) / c.duration.Seconds()
	o.Value, o.Rows, o.Status = checks.F(rps), c.rows, checks.Pass
	o.Message = fmt.Sprintf("%s in %s: %s rows/s", plural(c.rows, "row", "rows"),
		humanDur(c.duration), checks.Thousands(int64(math.Round(rps))))
	return o
}

func (c *Check) ratio() checks.Outcome {
	o := c.outcome(c.prefix + ".p99_ratio_to_baseline")
	o.Limit = limitNum(c.cfg.MaxP99RatioToBaseline)
	if c.rows == 0 {
		return skip(&o, "no rows")
	}
	if st, msg := noLatency(&c.all, c.latCol, c.latType, c.latSeen); st != "" {
		if st == checks.Skip {
			return skip(&o, msg)
		}
		o.Status, o.Message = st, msg
		return o
	}
	if st, msg := noLatency(&c.base, c.baseCol, c.baseType, c.baseSeen); st != "" {
		if st == checks.Skip {
			return skip(&o, "no baseline: "+strings.TrimPrefix(msg, "no rows with a latency: "))
		}
		o.Status, o.Message = st, msg
		return o
	}
	cp, bp := c.all.quantile(99), c.base.quantile(99)
	if bp <= 0 {
		return skip(&o, "not evaluated: the logged production p99 is 0")
	}
	r := cp / bp
	o.Value, o.Rows, o.Status = checks.F(r), c.all.n, checks.Pass
	o.Message = fmt.Sprintf("p99 %s is %s× the logged production p99 %s", human(cp), sig3(r), human(bp))
	if p := c.cfg.MaxP99RatioToBaseline; p != nil && r > *p {
		o.Status = c.sev
	}
	return o
}

// infoOutcomes are the informational p50, p99 and max of a distribution
// other than the gated one.
func (c *Check) infoOutcomes(prefix, what string, d *dist, typ string, seen bool, col string) []checks.Outcome {
	var out []checks.Outcome
	for _, g := range []gate{{key: "p50", q: 50}, {key: "p99", q: 99}, {key: "max", q: -1}} {
		o := c.outcome(prefix + "." + g.key)
		if c.rows == 0 {
			out = append(out, skip(&o, "no rows"))
			continue
		}
		if st, msg := noLatency(d, col, typ, seen); st != "" {
			if st == checks.Skip {
				out = append(out, skip(&o, msg))
			} else {
				o.Status, o.Message = st, msg
				out = append(out, o)
			}
			continue
		}
		v := c.value(d, g.q)
		o.Value, o.Rows, o.Status = checks.F(v), d.n, checks.Pass
		msg := fmt.Sprintf("%s %s %s over %s (column %q)", what, g.key, human(v), plural(d.n, "row", "rows"), col)
		for _, n := range dataNotes(d, col, typ) {
			msg += "; " + n
		}
		o.Message = msg
		out = append(out, o)
	}
	return out
}
