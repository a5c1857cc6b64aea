package starter

import (
	"bytes"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/replaygate/replaygate/checks/contract"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/spec"
)

// DefaultMaxAge is the freshness limit of a starter spec.
const DefaultMaxAge = 24 * time.Hour

// Input is everything a starter spec is written from. Paths are written as
// given: pass them relative to the folder the spec is written to (relative
// spec paths resolve against it) or absolute.
type Input struct {
	TrafficPath   string
	ReferencePath string   // "" = no reference section
	ModelPath     string   // "" = no model given: the logged baseline score stands in
	ModelFeatures []string // the model's own feature names, when known
	Profile       *contract.Profile
	// RuleProfile, when set, is the profile the contract was inferred from
	// (the reference, column by column), described in each rule's comment;
	// nil means Profile.
	RuleProfile *contract.Profile
	Roles       contract.Roles
	// Contract holds the inferred features (contract.Infer). Its Output and
	// Freshness, when set, replace the ones Render derives from the roles: an
	// output range of [0, 1] when the baseline score lies in it, and
	// freshness on the timestamp column with a max_age of DefaultMaxAge.
	Contract *spec.Contract
}

// Render writes the starter spec for in to w.
func Render(w io.Writer, in Input) error {
	if in.TrafficPath == "" {
		return errs.Input("pass --traffic", "starter spec: no traffic path")
	}
	r := &renderer{in: in}
	r.header()
	r.traffic()
	r.reference()
	r.candidate()
	r.checks()
	r.reports()
	_, err := w.Write(bytes.TrimRight(r.buf.Bytes(), "\n"))
	if err == nil {
		_, err = io.WriteString(w, "\n")
	}
	return err
}

type renderer struct {
	in  Input
	buf bytes.Buffer
}

// line is one line of a block: text and an optional trailing comment, or
// (text "") a comment line of its own at the given indent.
type line struct {
	indent  int
	text    string
	comment string
}

// maxAlign is the widest line whose trailing comment sets the block's
// comment column; longer lines put theirs two spaces after the text.
const maxAlign = 44

func (r *renderer) block(lines []line) {
	col := 0
	for _, l := range lines {
		if n := l.indent + len(l.text); l.text != "" && l.comment != "" && n <= maxAlign && n > col {
			col = n
		}
	}
	for _, l := range lines {
		pad := strings.Repeat(" ", l.indent)
		switch {
		case l.text == "":
			r.buf.WriteString(pad + "# " + comment(l.comment) + "\n")
		case l.comment == "":
			r.buf.WriteString(pad + l.text + "\n")
		default:
			s := pad + l.text
			if len(s) < col {
				s += strings.Repeat(" ", col-len(s))
			}
			r.buf.WriteString(s + "  # " + comment(l.comment) + "\n")
		}
	}
	r.buf.WriteString("\n")
}

func (r *renderer) header() {
	rows := ""
	if p := r.in.Profile; p != nil {
		rows = " (" + plural(p.Rows, "row", "rows") + ")"
	}
	r.block([]line{
		{comment: "replaygate spec written by `replaygate init` from " + r.in.TrafficPath + rows + "."},
		{comment: "The column roles and the data contract below were inferred from that data:"},
		{comment: "review them before a release gate depends on them."},
		{text: "version: 1"},
	})
}

func guessed(why string) string {
	if why == "" {
		return "guessed"
	}
	return "guessed: " + why
}

func (r *renderer) traffic() {
	ro := r.in.Roles
	ls := []line{{text: "traffic:"}, {indent: 2, text: "path: " + scalar(r.in.TrafficPath)}}
	if ro.ID != "" {
		ls = append(ls, line{2, "id: " + scalar(ro.ID), guessed(ro.Why["id"])})
	} else {
		ls = append(ls, line{2, "id: request_id", "CHANGE ME: no column had a distinct value on every row; name the request-id column"})
	}
	if ro.Timestamp != "" {
		ls = append(ls, line{2, "timestamp: " + scalar(ro.Timestamp), guessed(ro.Why["timestamp"])})
	} else {
		ls = append(ls, line{indent: 2, comment: "timestamp: no timestamp column found (freshness needs one)"})
	}
	if ro.Label != "" {
		ls = append(ls, line{2, "label: " + scalar(ro.Label), guessed(ro.Why["label"])})
	} else {
		ls = append(ls, line{indent: 2, comment: "label: no 0/1 column named like a label found"})
	}
	if len(ro.Segments) > 0 {
		ls = append(ls, line{2, "segments: " + flowList(ro.Segments), guessed(ro.Why["segments"])})
	}
	if ro.Score != "" || ro.LatencyMS != "" {
		ls = append(ls, line{indent: 2, text: "baseline:", comment: "what production served for each request"})
		if ro.Score != "" {
			ls = append(ls, line{4, "score: " + scalar(ro.Score), guessed(ro.Why["score"])})
		}
		if ro.LatencyMS != "" {
			ls = append(ls, line{4, "latency_ms: " + scalar(ro.LatencyMS), guessed(ro.Why["latency_ms"])})
		}
	}
	r.block(ls)
}

func (r *renderer) reference() {
	if r.in.ReferencePath == "" {
		return
	}
	r.block([]line{
		{text: "reference:", comment: "training data"},
		{indent: 2, text: "path: " + scalar(r.in.ReferencePath)},
	})
}

func (r *renderer) candidate() {
	ls := []line{{text: "candidate:"}}
	switch {
	case r.in.ModelPath != "":
		ls = append(ls, line{indent: 2, text: "model: {type: xgboost, path: " + scalar(r.in.ModelPath) + "}"})
	default:
		col, why := r.in.Roles.Score, "the logged baseline score stands in, so this spec runs as it is"
		if col == "" {
			col, why = "score", "CHANGE ME: no baseline score column found; name a column of logged scores"
		}
		ls = append(ls,
			line{indent: 2, comment: "Point model at the model under test, for example:"},
			line{indent: 2, comment: "model: {type: xgboost, path: models/candidate.json}"},
			line{2, "model: {type: column, column: " + scalar(col) + "}", why},
		)
	}
	if len(r.in.ModelFeatures) > 0 {
		ls = append(ls, line{2, "features: " + flowList(r.in.ModelFeatures), "the model's own feature names"})
		if p := r.in.Profile; p != nil {
			var missing []string
			for _, f := range r.in.ModelFeatures {
				if p.Column(f) == nil {
					missing = append(missing, f)
				}
			}
			if len(missing) > 0 {
				ls = append(ls, line{indent: 2, comment: "not in the traffic: " + strings.Join(missing, ", ")})
			}
		}
	}
	r.block(ls)
}

func (r *renderer) checks() {
	ls := []line{{text: "checks:"}, {indent: 2, text: "contract:"}}
	c := r.in.Contract
	if c == nil {
		c = &spec.Contract{}
	}
	if len(c.Features) > 0 {
		ls = append(ls, line{indent: 4, text: "features:", comment: "one rule per traffic column"})
		names := make([]string, 0, len(c.Features))
		for name := range c.Features {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			ls = append(ls, line{6, key(name) + ": " + featureRule(c.Features[name]), r.seen(name)})
		}
	}
	ls = append(ls, r.output(c.Output)...)
	ls = append(ls, r.freshness(c.Freshness)...)
	r.block(ls)
}

// featureRule writes a rule in flow style, keys in a fixed order.
func featureRule(f spec.FeatureRule) string {
	var kv []string
	add := func(k, v string) { kv = append(kv, k+": "+v) }
	if f.Type != "" {
		add("type", f.Type)
	}
	if f.Min != nil {
		add("min", number(*f.Min))
	}
	if f.Max != nil {
		add("max", number(*f.Max))
	}
	if f.MaxOutOfRange != nil {
		add("max_out_of_range_rate", number(*f.MaxOutOfRange))
	}
	if len(f.Values) > 0 {
		add("values", flowList(f.Values))
	}
	if f.MaxUnseenRate != nil {
		add("max_unseen_rate", number(*f.MaxUnseenRate))
	}
	if f.MaxNullRate != nil {
		add("max_null_rate", number(*f.MaxNullRate))
	}
	if f.Severity != "" {
		add("severity", f.Severity)
	}
	return "{" + strings.Join(kv, ", ") + "}"
}

// seen describes what the profile saw of a column, for its rule's comment.
func (r *renderer) seen(name string) string {
	p := r.in.RuleProfile
	if p == nil {
		p = r.in.Profile
	}
	if p == nil {
		return ""
	}
	c := p.Column(name)
	if c == nil {
		return ""
	}
	var parts []string
	switch {
	case c.Kind == contract.KindTimestamp || c.RFC3339:
		if !c.MinTime.IsZero() {
			parts = append(parts, "seen "+stamp(c.MinTime)+" to "+stamp(c.MaxTime))
		}
	case c.Kind == contract.KindInt || c.Kind == contract.KindFloat:
		if c.HasRange {
			parts = append(parts, "seen "+number(c.Min)+" to "+number(c.Max))
		}
		if n := c.PosInf + c.NegInf; n > 0 {
			parts = append(parts, plural(n, "infinite value", "infinite values"))
		}
	case c.Kind == contract.KindString && c.DistinctCapped:
		parts = append(parts, "more than "+count(int64(contract.DistinctCap))+" distinct values")
	case c.Kind == contract.KindString || c.Kind == contract.KindBool:
		parts = append(parts, plural(int64(c.Distinct), "distinct value", "distinct values"))
	}
	if r := c.NullRate(); r > 0 {
		parts = append(parts, pct(r)+" null")
	}
	return strings.Join(parts, ", ")
}

func (r *renderer) output(o *spec.OutputRule) []line {
	if o != nil {
		var kv []string
		if o.Min != nil {
			kv = append(kv, "min: "+number(*o.Min))
		}
		if o.Max != nil {
			kv = append(kv, "max: "+number(*o.Max))
		}
		if o.Severity != "" {
			kv = append(kv, "severity: "+o.Severity)
		}
		return []line{{indent: 4, text: "output: {" + strings.Join(kv, ", ") + "}", comment: "candidate scores: finite and in range"}}
	}
	if s := r.in.Roles.Score; s != "" && r.in.Profile != nil {
		if c := r.in.Profile.Column(s); c != nil && c.HasRange && c.Min >= 0 && c.Max <= 1 {
			return []line{{4, "output: {min: 0, max: 1}",
				"candidate scores: finite and within [0, 1], like " + s + " (seen " + number(c.Min) + " to " + number(c.Max) + ")"}}
		}
	}
	return []line{{4, "output: {}", "candidate scores: finite (no NaN or Inf)"}}
}

func (r *renderer) freshness(f *spec.Freshness) []line {
	if f == nil {
		ts := r.in.Roles.Timestamp
		if ts == "" {
			return nil
		}
		f = &spec.Freshness{Column: ts, MaxAge: spec.Duration{Duration: DefaultMaxAge}}
	}
	var kv []string
	if f.Column != "" {
		kv = append(kv, "column: "+scalar(f.Column))
	}
	if f.MaxAge.Duration > 0 {
		kv = append(kv, "max_age: "+f.MaxAge.String())
	}
	if f.MaxSpan.Duration > 0 {
		kv = append(kv, "max_span: "+f.MaxSpan.String())
	}
	if f.Now != "" {
		kv = append(kv, "now: "+scalar(f.Now))
	}
	if f.Severity != "" {
		kv = append(kv, "severity: "+f.Severity)
	}
	ls := []line{{indent: 4, comment: "max_age is measured against the time the run starts (or now:, an RFC 3339 time)."}}
	if r.in.Profile != nil && f.Column != "" {
		if c := r.in.Profile.Column(f.Column); c != nil && !c.MaxTime.IsZero() {
			ls = append(ls,
				line{indent: 4, comment: "The newest " + f.Column + " in this data is " + stamp(c.MaxTime) + ": to gate a replay of"},
				line{indent: 4, comment: "older logs, raise max_age or pin now: to a time shortly after it."})
		}
	}
	return append(ls, line{indent: 4, text: "freshness: {" + strings.Join(kv, ", ") + "}"})
}

func (r *renderer) reports() {
	r.block([]line{
		{text: "reports:"},
		{indent: 2, text: "dir: out", comment: "--out-dir overrides it"},
		{indent: 2, text: "formats: [terminal, json]"},
	})
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return count(n) + " " + one
	}
	return count(n) + " " + many
}

// pct formats a share as a percentage: one decimal from 1% up, two
// significant digits below.
func pct(share float64) string {
	v := 100 * share
	if v >= 1 {
		s := strconv.FormatFloat(v, 'f', 1, 64)
		return strings.TrimSuffix(s, ".0") + "%"
	}
	d := math.Pow(10, 1-math.Floor(math.Log10(v)))
	return strconv.FormatFloat(math.Round(v*d)/d, 'f', -1, 64) + "%"
}
