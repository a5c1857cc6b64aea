package spec

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
)

// Defaults applied by Load and Parse.
const (
	DefaultReplayMode = "max"
	DefaultBatchSize  = 8192
	// OpenLoopBatchSize is the default batch of the open-loop modes:
	// decoding a batch holds a core, and a shorter hold delays fewer sends
	// (see replay.openLoopProcsPerCore). 1,024 rows are still many
	// requests ahead of the schedule.
	OpenLoopBatchSize = 1024
	DefaultReportsDir = "out"
	DefaultSeverity   = SeverityFail
)

// DefaultFormats are the reports written when reports.formats is not given.
var DefaultFormats = []string{"terminal", "json"}

// Severities of a broken contract rule.
const (
	SeverityFail = "fail"
	SeverityWarn = "warn"
)

// Values accepted by this version. The planned ones are part of the design
// but rejected with a "not supported yet" error until they are built.
var (
	ModelTypes        = []string{"xgboost", "column", "http", "exec"}
	plannedModelTypes = []string{}
	HTTPProtocols     = []string{"kserve-v2", "tfserving", "mlflow", "json"}
	ReplayModes       = []string{"max", "rate", "recorded"}
	ReportFormats     = []string{"terminal", "json", "junit", "markdown", "html"}
	FeatureTypes      = []string{"int", "float", "string", "bool", "timestamp"}
	Severities        = []string{SeverityFail, SeverityWarn}
	modelKeys         = map[string][]string{"xgboost": {"type", "path"}, "column": {"type", "column", "path", "id"},
		"http": {"type", "protocol", "url", "timeout", "concurrency", "batch", "headers", "retries",
			"input_name", "datatype", "inputs", "output_name", "instances", "score_path"},
		"exec": {"type", "command", "batch", "timeout", "concurrency"}}
	modelRequirementFor = map[string]string{"xgboost": "path", "column": "column", "http": "url", "exec": ""}
)

// notYet are sections of the design that this version does not run. They are
// rejected rather than ignored: a gate that is configured but never checked
// would report a pass it did not earn.
var notYet = map[string]string{
	"fallback":          "fallback serving is not simulated yet, and a configured fallback must not pass unchecked",
	"checks.fallback":   "the fallback check is not built yet, and a configured gate must not pass unchecked",
	"checks.robustness": "the robustness check is not built yet, and a configured gate must not pass unchecked",
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// modelType checks the type of the model at path before its other keys are
// read, so that a planned type is reported as such.
func (d *decoder) modelType(path string, es []entry) (string, error) {
	var te *entry
	for i := range es {
		if es[i].name == "type" {
			te = &es[i]
		}
	}
	if te == nil {
		return "", d.missing(path+".type", "add type: xgboost (with path: the model file) or type: column (with column: the logged score)")
	}
	var kind string
	if err := d.decode(path+".type", te.val, reflect.ValueOf(&kind).Elem()); err != nil {
		return "", err
	}
	at := d.pos.vals[path+".type"]
	if at.line == 0 {
		at = te.at
	}
	shown := d.pos.shown[path+".type"].show()
	switch {
	case kind == "":
		return "", d.errAt(at, path+".type", "write type: xgboost or type: column", "model type is empty")
	case contains(ModelTypes, kind):
		return kind, nil
	case contains(plannedModelTypes, kind):
		return "", d.errAt(at, path+".type",
			"score with an XGBoost model file (type: xgboost, path: model.json), or log the scores in shadow mode and read them with type: column",
			"model type %s is not supported by this version yet; use xgboost, column or http", shown)
	}
	hint := "valid model types: xgboost, column, http, exec"
	if s := suggest(kind, ModelTypes); s != "" {
		hint = "did you mean " + s + "? " + hint
	}
	return "", d.errAt(at, path+".type", hint, "unknown model type %s", shown)
}

// --- defaults and semantic checks ---------------------------------------------

// locate finds the best position for path: its value, its key, or the
// nearest enclosing key that is in the file.
func (p *positions) locate(path string) loc {
	for {
		if l, ok := p.vals[path]; ok && l.line > 0 {
			return l
		}
		if l, ok := p.keys[path]; ok && l.line > 0 {
			return l
		}
		if path == "" {
			return p.first
		}
		path = parent(path)
	}
}

// keyLoc is like locate but prefers keys over values.
func (p *positions) keyLoc(path string) loc {
	for {
		if l, ok := p.keys[path]; ok && l.line > 0 {
			return l
		}
		if l, ok := p.vals[path]; ok && l.line > 0 {
			return l
		}
		if path == "" {
			return p.first
		}
		path = parent(path)
	}
}

func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

func (p *positions) has(path string) bool {
	_, ok := p.keys[path]
	return ok
}

// fail reports a bad value at path.
func (d *decoder) fail(path, hint, format string, args ...any) error {
	return d.errAt(d.pos.locate(path), path, hint, format, args...)
}

// failKey reports a key at path that does not belong there.
func (d *decoder) failKey(path, hint, format string, args ...any) error {
	return d.errAt(d.pos.keyLoc(path), path, hint, format, args...)
}

// missing reports a required key that is absent, at the key of its parent.
func (d *decoder) missing(path, hint string) error {
	at := d.pos.first
	if p := parent(path); p != "" {
		at = d.pos.keyLoc(p)
	}
	return d.errAt(at, path, hint, "required key is missing")
}

// shown is the value at path as it may appear in a message: unquoted when
// it is written in the file, quoted and unexpanded when it came from the
// environment.
func (d *decoder) shown(path string) string {
	if s, ok := d.pos.shown[path]; ok {
		return s.bare()
	}
	return "value"
}

// quoted is the string value at path as it may appear in a message.
func (d *decoder) quoted(path string) string {
	if s, ok := d.pos.shown[path]; ok {
		return s.show()
	}
	return "value"
}

func (d *decoder) finish(s *Spec) error {
	checks := []func(*Spec) error{
		d.checkTraffic, d.checkLabels, d.checkReference,
		d.checkCandidate, d.checkProduction, d.checkReplay,
		d.checkContract, d.checkLatency, d.checkSkew, d.checkSegments, d.checkReports,
	}
	for _, c := range checks {
		if err := c(s); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) checkTraffic(s *Spec) error {
	t := &s.Traffic
	if !d.pos.has("traffic") {
		return d.missing("traffic", "add a traffic section with path (the logged requests) and id (the request-id column)")
	}
	if t.Path == "" {
		if d.pos.has("traffic.path") {
			return d.fail("traffic.path", "name the logged traffic: a .parquet, .arrow, .csv or .jsonl file, a glob or a directory", "is empty")
		}
		return d.missing("traffic.path", "add path: the logged traffic (a .parquet, .arrow, .csv or .jsonl file, a glob or a directory)")
	}
	if t.ID == "" {
		if d.pos.has("traffic.id") {
			return d.fail("traffic.id", "name the request-id column", "is empty")
		}
		return d.missing("traffic.id", "add id: the request-id column of the traffic; broken rows are reported by it")
	}
	if err := d.names("traffic.segments", t.Segments, false); err != nil {
		return err
	}
	if t.Baseline != nil && t.Baseline.Score == "" && t.Baseline.LatencyMS == "" {
		return d.fail("traffic.baseline", "name the logged production score (score:) and/or latency (latency_ms:) columns, or remove baseline", "baseline names no column")
	}
	return nil
}

// names checks a list of names: no empty entries, no duplicates, and not an
// empty list when given.
func (d *decoder) names(path string, list []string, allowEmptyList bool) error {
	if list == nil {
		return nil
	}
	if len(list) == 0 && !allowEmptyList {
		return d.fail(path, "list at least one name, or remove "+lastKey(path), "empty list")
	}
	seen := map[string]int{}
	for i, x := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		if strings.TrimSpace(x) == "" {
			return d.fail(p, "remove the empty entry", "empty name")
		}
		if j, dup := seen[x]; dup {
			return d.fail(p, "remove the second one", "%s is listed twice (also at index %d)", d.quoted(p), j)
		}
		seen[x] = i
	}
	return nil
}

func (d *decoder) checkLabels(s *Spec) error {
	l := s.Labels
	if l == nil {
		return nil
	}
	if l.Path == "" {
		return d.missing("labels.path", "add path: the file of late labels, or remove the labels section")
	}
	if l.ID == "" {
		l.ID = s.Traffic.ID
	}
	if l.Column == "" {
		if s.Traffic.Label == "" {
			return d.missing("labels.column", "add column: the label column of the labels file (there is no traffic.label to default to)")
		}
		l.Column = s.Traffic.Label
	}
	return nil
}

func (d *decoder) checkReference(s *Spec) error {
	if s.Reference != nil && s.Reference.Path == "" {
		return d.missing("reference.path", "add path: the training data, or remove the reference section")
	}
	return nil
}

func (d *decoder) checkModel(path string, m *Model) error {
	if !d.pos.has(path) {
		return d.missing(path, "add model: {type: xgboost, path: model.json} or model: {type: column, column: shadow_score}")
	}
	if m.Type == "" {
		return d.missing(path+".type", "add type: xgboost (with path: the model file) or type: column (with column: the logged score)")
	}
	req := modelRequirementFor[m.Type]
	var v string
	switch req {
	case "path":
		v = m.Path
	case "column":
		v = m.Column
	case "url":
		v = m.URL
	}
	if v == "" && req != "" {
		hint := "add path: the XGBoost model file (JSON)"
		if req == "column" {
			hint = "add column: the traffic column that holds the logged scores"
		}
		if req == "url" {
			hint = "add url: the model's scoring endpoint, e.g. http://127.0.0.1:8080/v2/models/ctr/infer"
		}
		if d.pos.has(path + "." + req) {
			return d.fail(path+"."+req, hint, "is empty")
		}
		return d.missing(path+"."+req, hint)
	}
	if m.Type == "http" {
		return d.checkHTTP(path, m)
	}
	if m.Type == "exec" {
		if len(m.Command) == 0 || strings.TrimSpace(m.Command[0]) == "" {
			return d.missing(path+".command", "add command: the program and its arguments, e.g. [python3, serve.py]")
		}
		for _, k := range []struct {
			key string
			v   int
		}{{"concurrency", m.Concurrency}, {"batch", m.Batch}} {
			if k.v < 0 || d.pos.has(path+"."+k.key) && k.v == 0 {
				return d.fail(path+"."+k.key, "write a positive number", "%s must be positive", k.key)
			}
		}
		if m.Timeout.Duration < 0 || d.pos.has(path+".timeout") && m.Timeout.Duration == 0 {
			return d.fail(path+".timeout", "write a positive duration such as 2s", "timeout must be positive")
		}
	}
	return nil
}

// checkHTTP validates an http model's protocol and options.
func (d *decoder) checkHTTP(path string, m *Model) error {
	if m.Protocol == "" {
		return d.missing(path+".protocol", "add protocol: one of "+strings.Join(HTTPProtocols, ", "))
	}
	if !contains(HTTPProtocols, m.Protocol) {
		return d.badValue(path+".protocol", "protocol", m.Protocol, HTTPProtocols)
	}
	if !strings.HasPrefix(m.URL, "http://") && !strings.HasPrefix(m.URL, "https://") {
		return d.fail(path+".url", "write the full endpoint, e.g. http://127.0.0.1:8080/invocations", "url must start with http:// or https://")
	}
	if m.Timeout.Duration < 0 || d.pos.has(path+".timeout") && m.Timeout.Duration == 0 {
		return d.fail(path+".timeout", "write a positive duration such as 50ms", "timeout must be positive")
	}
	for _, k := range []struct {
		key string
		v   int
	}{{"concurrency", m.Concurrency}, {"batch", m.Batch}} {
		if k.v < 0 || d.pos.has(path+"."+k.key) && k.v == 0 {
			return d.fail(path+"."+k.key, "write a positive number", "%s must be positive", k.key)
		}
	}
	if m.Retries < 0 || m.Retries > 10 {
		return d.fail(path+".retries", "write 0 to 10", "retries must be between 0 and 10")
	}
	for _, c := range []struct {
		key, v string
		valid  []string
	}{
		{"datatype", m.Datatype, []string{"FP32", "FP64"}},
		{"inputs", m.Inputs, []string{"matrix", "per-feature"}},
		{"instances", m.Instances, []string{"objects", "lists"}},
	} {
		if c.v != "" && !contains(c.valid, c.v) {
			return d.badValue(path+"."+c.key, c.key, c.v, c.valid)
		}
	}
	return nil
}

func (d *decoder) checkCandidate(s *Spec) error {
	if !d.pos.has("candidate") {
		return d.missing("candidate", "add candidate: {model: {type: xgboost, path: model.json}}")
	}
	if err := d.checkModel("candidate.model", &s.Candidate.Model); err != nil {
		return err
	}
	return d.names("candidate.features", s.Candidate.Features, false)
}

func (d *decoder) checkProduction(s *Spec) error {
	if s.Production == nil {
		return nil
	}
	if err := d.checkModel("production.model", &s.Production.Model); err != nil {
		return err
	}
	return d.names("production.features", s.Production.Features, false)
}

func (d *decoder) checkReplay(s *Spec) error {
	r := &s.Replay
	if r.Mode == "" {
		r.Mode = DefaultReplayMode
	}
	if !contains(ReplayModes, r.Mode) {
		return d.badValue("replay.mode", "replay mode", r.Mode, ReplayModes)
	}
	if err := d.finite("replay.rate", r.Rate); err != nil {
		return err
	}
	if err := d.finite("replay.speedup", r.Speedup); err != nil {
		return err
	}
	if r.Rate < 0 || r.Mode == "rate" && r.Rate == 0 {
		if r.Mode == "rate" && !d.pos.has("replay.rate") {
			return d.missing("replay.rate", "add rate: the rows per second to send")
		}
		return d.fail("replay.rate", "write the rows per second, e.g. rate: 500", "rate must be positive, got %s", d.shown("replay.rate"))
	}
	if r.Speedup < 0 || d.pos.has("replay.speedup") && r.Speedup == 0 {
		return d.fail("replay.speedup", "write how many times faster than recorded to replay, e.g. speedup: 10", "speedup must be positive, got %s", d.shown("replay.speedup"))
	}
	if r.Mode == "recorded" {
		if s.Traffic.Timestamp == "" {
			return d.fail("replay.mode", "name the timestamp column with traffic.timestamp", "mode recorded replays the logged arrival times, but traffic.timestamp is not set")
		}
		if r.Speedup == 0 {
			r.Speedup = 1
		}
	}
	if r.Concurrency < 0 {
		return d.fail("replay.concurrency", "write a positive number, or 0 for all cores", "concurrency must not be negative")
	}
	if r.Sample == nil {
		one := 1.0
		r.Sample = &one
	} else if x := *r.Sample; !(x > 0 && x <= 1) {
		return d.fail("replay.sample", "sample is the share of rows to replay: more than 0, at most 1 (e.g. 0.1 for 10%)", "sample must be in (0, 1], got %s", d.shown("replay.sample"))
	}
	if r.BatchSize < 0 || d.pos.has("replay.batch_size") && r.BatchSize == 0 {
		return d.fail("replay.batch_size", "write the rows per record batch, e.g. 8192", "batch_size must be positive")
	}
	if r.BatchSize == 0 {
		r.BatchSize = DefaultBatchSize
		if r.Mode == "rate" || r.Mode == "recorded" {
			r.BatchSize = OpenLoopBatchSize
		}
	}
	return nil
}

func (d *decoder) finite(path string, x float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return d.fail(path, "write a finite number", "expected a finite number, got %s", d.shown(path))
	}
	return nil
}

// badValue reports a value outside a fixed set, suggesting the closest one.
func (d *decoder) badValue(path, what, got string, valid []string, planned ...string) error {
	if contains(planned, got) {
		return d.fail(path, "use one of: "+strings.Join(valid, ", "), "%s %s is not supported by this version yet", what, d.quoted(path))
	}
	hint := "valid values: " + strings.Join(valid, ", ")
	if s := suggest(got, valid); s != "" {
		hint = "did you mean " + s + "? " + hint
	}
	return d.fail(path, hint, "unknown %s %s", what, d.quoted(path))
}

func (d *decoder) severity(path string, sev *string) error {
	if *sev == "" {
		*sev = DefaultSeverity
		return nil
	}
	if !contains(Severities, *sev) {
		return d.badValue(path, "severity", *sev, Severities)
	}
	return nil
}

// rate checks an optional share in [0, 1].
func (d *decoder) rate(path string, x *float64) error {
	if x != nil && !(*x >= 0 && *x <= 1) {
		return d.fail(path, "a rate is a share of rows between 0 and 1 (0.01 is 1%)", "%s must be in [0, 1], got %s", lastKey(path), d.shown(path))
	}
	return nil
}

func (d *decoder) minMax(path string, lo, hi *float64) error {
	if lo != nil && math.IsNaN(*lo) {
		return d.fail(path+".min", "write a number", "min must be a number, got %s", d.shown(path+".min"))
	}
	if hi != nil && math.IsNaN(*hi) {
		return d.fail(path+".max", "write a number", "max must be a number, got %s", d.shown(path+".max"))
	}
	if lo != nil && hi != nil && *lo > *hi {
		return d.fail(path+".max", "swap min and max", "max %s is less than min %s", d.shown(path+".max"), d.shown(path+".min"))
	}
	return nil
}

func (d *decoder) checkSkew(s *Spec) error {
	k := s.Checks.Skew
	if k == nil {
		return nil
	}
	const p = "checks.skew"
	if s.Reference == nil {
		return d.failKey(p, "add reference: {path: training.parquet}, the data the model was trained on", "the skew check needs a reference")
	}
	if (k.Prediction != nil || k.Consistency != nil) && (s.Traffic.Baseline == nil || s.Traffic.Baseline.Score == "") {
		return d.failKey(p, "name the logged production score with traffic.baseline.score", "prediction drift and consistency compare with the logged production score")
	}
	if k.Consistency != nil && s.Production == nil {
		return d.failKey(p+".consistency", "add production: {model: ...}, the offline replica of the serving model", "consistency compares the production replica with the logged score")
	}
	if err := d.rate(p+".max_drifted_share", k.MaxDriftedShare); err != nil {
		return err
	}
	if c := k.Consistency; c != nil {
		if c.Tolerance < 0 {
			return d.fail(p+".consistency.tolerance", "write a small positive number such as 1e-6", "tolerance must not be negative")
		}
		if err := d.rate(p+".consistency.max_mismatch_rate", &c.MaxMismatchRate); err != nil {
			return err
		}
	}
	return d.severity(p+".severity", &k.Severity)
}

func (d *decoder) checkSegments(s *Spec) error {
	g := s.Checks.Segments
	if g == nil {
		return nil
	}
	const p = "checks.segments"
	if s.Traffic.Label == "" && s.Labels == nil {
		return d.failKey(p, "name the label column with traffic.label, or join late labels with labels: {path, id, column}", "the segments check needs labels")
	}
	if s.Traffic.Baseline == nil || s.Traffic.Baseline.Score == "" {
		return d.failKey(p, "name the logged production score with traffic.baseline.score", "the segments check compares with the logged production score")
	}
	if len(g.By) == 0 {
		g.By = append([]string(nil), s.Traffic.Segments...)
	}
	if g.Confidence != 0 && !(g.Confidence > 0 && g.Confidence < 1) {
		return d.fail(p+".confidence", "write a level such as 0.95", "confidence must be between 0 and 1")
	}
	if g.MinRows < 0 || g.Replicates < 0 {
		return d.failKey(p, "write positive numbers", "min_rows and replicates must not be negative")
	}
	return nil
}

func (d *decoder) checkLatency(s *Spec) error {
	l := s.Checks.Latency
	if l == nil {
		return nil
	}
	const p = "checks.latency"
	for _, k := range []struct {
		key string
		v   time.Duration
	}{{"p50", l.P50.Duration}, {"p90", l.P90.Duration}, {"p95", l.P95.Duration}, {"p99", l.P99.Duration}, {"p999", l.P999.Duration}, {"max", l.Max.Duration}} {
		if d.pos.has(p+"."+k.key) && k.v <= 0 {
			return d.fail(p+"."+k.key, "write a positive duration such as 25ms", "%s must be positive, got %s", k.key, d.shown(p+"."+k.key))
		}
	}
	for _, r := range []struct {
		key string
		x   *float64
	}{{"max_error_rate", l.MaxErrorRate}, {"max_timeout_rate", l.MaxTimeoutRate}} {
		if err := d.rate(p+"."+r.key, r.x); err != nil {
			return err
		}
	}
	if x := l.MaxP99RatioToBaseline; x != nil {
		if !(*x > 0) || math.IsInf(*x, 0) {
			return d.fail(p+".max_p99_ratio_to_baseline", "write a positive ratio such as 1.2 (p99 at most 20% above production's)", "max_p99_ratio_to_baseline must be positive")
		}
		if s.Traffic.Baseline == nil || s.Traffic.Baseline.LatencyMS == "" {
			return d.failKey(p+".max_p99_ratio_to_baseline", "name the logged production latency with traffic.baseline.latency_ms", "max_p99_ratio_to_baseline needs a baseline latency column")
		}
	}
	return d.severity(p+".severity", &l.Severity)
}

func (d *decoder) checkContract(s *Spec) error {
	c := s.Checks.Contract
	if c == nil {
		return nil
	}
	for _, name := range s.FeatureNames() {
		rule := c.Features[name]
		p := "checks.contract.features." + name
		if strings.TrimSpace(name) == "" {
			return d.fail(p, "name a traffic column", "empty feature name")
		}
		if rule.Type != "" && !contains(FeatureTypes, rule.Type) {
			return d.badValue(p+".type", "feature type", rule.Type, FeatureTypes)
		}
		if err := d.minMax(p, rule.Min, rule.Max); err != nil {
			return err
		}
		if (rule.Min != nil || rule.Max != nil) && (rule.Type == "string" || rule.Type == "bool" || rule.Type == "timestamp") {
			at := p + ".min"
			if rule.Min == nil {
				at = p + ".max"
			}
			hint := "min and max apply to numbers; use values: [...] for a " + rule.Type + " column"
			if rule.Type == "timestamp" {
				hint = "min and max apply to numbers; bound timestamps with checks.contract.freshness"
			}
			return d.failKey(at, hint, "min/max on a %s column", rule.Type)
		}
		for _, r := range []struct {
			key string
			x   *float64
		}{{"max_null_rate", rule.MaxNullRate}, {"max_unseen_rate", rule.MaxUnseenRate}, {"max_out_of_range_rate", rule.MaxOutOfRange}} {
			if err := d.rate(p+"."+r.key, r.x); err != nil {
				return err
			}
		}
		if rule.Values != nil {
			if len(rule.Values) == 0 {
				return d.fail(p+".values", "list the allowed values, or remove values", "empty list")
			}
			// An empty string is a legitimate category; duplicates are not.
			seen := map[string]int{}
			for i, v := range rule.Values {
				if j, dup := seen[v]; dup {
					vp := fmt.Sprintf("%s.values[%d]", p, i)
					return d.fail(vp, "remove the second one", "%s is listed twice (also at index %d)", d.quoted(vp), j)
				}
				seen[v] = i
			}
			if rule.MaxUnseenRate == nil {
				zero := 0.0
				rule.MaxUnseenRate = &zero
			}
		} else if rule.MaxUnseenRate != nil {
			return d.failKey(p+".max_unseen_rate", "add values: [...] (the known categories), or remove max_unseen_rate", "max_unseen_rate needs values")
		}
		if rule.MaxOutOfRange != nil && rule.Min == nil && rule.Max == nil {
			return d.failKey(p+".max_out_of_range_rate", "add min and/or max, or remove max_out_of_range_rate", "max_out_of_range_rate needs min or max")
		}
		if rule.MaxOutOfRange == nil && (rule.Min != nil || rule.Max != nil) {
			zero := 0.0
			rule.MaxOutOfRange = &zero
		}
		if err := d.severity(p+".severity", &rule.Severity); err != nil {
			return err
		}
		c.Features[name] = rule
	}
	if o := c.Output; o != nil {
		if err := d.minMax("checks.contract.output", o.Min, o.Max); err != nil {
			return err
		}
		if err := d.severity("checks.contract.output.severity", &o.Severity); err != nil {
			return err
		}
	}
	if f := c.Freshness; f != nil {
		const p = "checks.contract.freshness"
		if f.Column == "" {
			if s.Traffic.Timestamp == "" {
				return d.missing(p+".column", "add column: the timestamp column, or set traffic.timestamp")
			}
			f.Column = s.Traffic.Timestamp
		}
		if !d.pos.has(p+".max_age") && !d.pos.has(p+".max_span") {
			return d.missing(p+".max_age", "add max_age (how old the newest row may be, e.g. 24h) and/or max_span (newest minus oldest, e.g. 7d)")
		}
		for _, k := range []struct {
			key string
			v   time.Duration
		}{{"max_age", f.MaxAge.Duration}, {"max_span", f.MaxSpan.Duration}} {
			if d.pos.has(p+"."+k.key) && k.v <= 0 {
				return d.fail(p+"."+k.key, "write a positive duration such as 24h or 7d", "%s must be positive, got %s", k.key, d.shown(p+"."+k.key))
			}
		}
		if f.Now != "" {
			if _, err := time.Parse(time.RFC3339Nano, f.Now); err != nil {
				return d.fail(p+".now", "write an RFC 3339 time such as 2024-05-01T00:00:00Z", "now is not an RFC 3339 time: %s", d.quoted(p+".now"))
			}
		}
		if err := d.severity(p+".severity", &f.Severity); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) checkReports(s *Spec) error {
	r := &s.Reports
	if d.pos.has("reports.dir") && strings.TrimSpace(r.Dir) == "" {
		return d.fail("reports.dir", "name a folder, or remove dir to use out", "empty folder name")
	}
	if r.Dir == "" {
		r.Dir = DefaultReportsDir
	}
	if r.Formats == nil {
		r.Formats = append([]string(nil), DefaultFormats...)
		return nil
	}
	if err := d.names("reports.formats", r.Formats, false); err != nil {
		return err
	}
	for i, f := range r.Formats {
		if !contains(ReportFormats, f) {
			return d.badValue(fmt.Sprintf("reports.formats[%d]", i), "report format", f, ReportFormats)
		}
	}
	return nil
}
