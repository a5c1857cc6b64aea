package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/checks/contract"
	"github.com/replaygate/replaygate/checks/latency"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/labels"
	"github.com/replaygate/replaygate/models/httpmodel"
	"github.com/replaygate/replaygate/replay"
	"github.com/replaygate/replaygate/spec"
	"github.com/replaygate/replaygate/traffic"
)

// Mode says which parts of the pipeline run.
type Mode int

const (
	// ModeRun replays the traffic and runs every check.
	ModeRun Mode = iota
	// ModeReplay replays the traffic and writes the scored rows; only the
	// row accounting is checked.
	ModeReplay
	// ModeCheck runs the checks on rows that were already replayed.
	ModeCheck
)

// Options configure one pipeline run.
type Options struct {
	Spec      *spec.Spec
	Mode      Mode
	Workers   int       // 0 = replay.concurrency, else all cores
	ScoredOut string    // ModeReplay (or ModeRun, optional): write scored rows here
	Scored    string    // ModeCheck: the scored rows to check
	Now       time.Time // reference time for freshness; zero = time.Now()
	Command   []string  // the command line, recorded in the result
	Progress  io.Writer // where to draw a progress line (a terminal), nil for none
	Version   string    // replaygate's version, recorded in the result
}

// Run executes the pipeline and returns the result. A returned error means
// the run did not produce a verdict (errs carries the exit code); a result
// whose verdict is fail is not an error. When the context is cancelled
// (Ctrl-C) Run stops sending and returns both the result of the rows
// replayed so far, marked incomplete, and an exit-4 error.
func Run(ctx context.Context, o Options) (*checks.Result, error) {
	sp := o.Spec
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	res := &checks.Result{
		SchemaVersion: checks.SchemaVersion,
		Tool:          checks.Tool{Name: "replaygate", Version: o.Version},
		Spec:          sp.Path,
		Command:       o.Command,
	}

	input, role := sp.Resolve(sp.Traffic.Path), "traffic"
	if o.Mode == ModeCheck {
		input, role = o.Scored, "scored"
	}
	files, fullSchema, err := traffic.Inspect(ctx, input)
	if err != nil {
		return nil, err
	}
	if o.ScoredOut != "" {
		if err := checkScoredOut(o.ScoredOut, files); err != nil {
			return nil, err
		}
	}

	// Models (not in check mode: the scores are already in the file).
	var scorers []replay.Scorer
	var modelCols []string
	if o.Mode != ModeCheck {
		scorers, modelCols, res.Models, err = loadModels(ctx, sp, fullSchema, input, true)
		if err != nil {
			return nil, err
		}
		defer closeModels(scorers)
		if err := rejectOutputColumns(fullSchema, scorers, input); err != nil {
			return nil, err
		}
	} else if err := requireScored(fullSchema, input); err != nil {
		return nil, err
	}

	// Checks: the row accounting of every replayed model, then the
	// configured checks.
	// checks.latency.max_error_rate is the replay's error budget too.
	budget := 0.0
	if l := sp.Checks.Latency; l != nil && l.MaxErrorRate != nil {
		budget = *l.MaxErrorRate
	}
	acct := replay.NewAccounting("candidate", sp.Traffic.ID, budget)
	suiteChecks := []checks.Check{acct}
	var accts []*replay.Accounting
	for _, sc := range scorers {
		if sc.Role != "candidate" {
			a := replay.NewAccounting(sc.Role, sp.Traffic.ID, budget)
			accts = append(accts, a)
			suiteChecks = append(suiteChecks, a)
		}
	}
	if o.Mode != ModeReplay && sp.Checks.Contract != nil {
		c, err := contract.New(sp.Checks.Contract, contract.Options{IDColumn: sp.Traffic.ID, Now: o.Now})
		if err != nil {
			return nil, err
		}
		suiteChecks = append(suiteChecks, c)
	}
	if o.Mode != ModeReplay && sp.Checks.Skew != nil {
		k, err := newSkew(ctx, sp)
		if err != nil {
			return nil, err
		}
		suiteChecks = append(suiteChecks, k)
	}
	if o.Mode != ModeReplay && sp.Checks.Segments != nil {
		g, err := newSegments(sp)
		if err != nil {
			return nil, err
		}
		suiteChecks = append(suiteChecks, g)
	}
	var lat *latency.Check
	if o.Mode != ModeReplay && sp.Checks.Latency != nil {
		if lat, err = newLatency(sp); err != nil {
			return nil, err
		}
		suiteChecks = append(suiteChecks, lat)
	}
	suite := checks.NewSuite(suiteChecks...)

	// Projection: what the spec and the models read. Replay writes every
	// column so that a scored file can be checked later with any spec.
	var cols []string
	// Skew compares every reference column and segments may cut by any
	// column: both read the whole traffic.
	if o.ScoredOut == "" && sp.Checks.Skew == nil && sp.Checks.Segments == nil {
		cols = projection(sp, modelCols, o.Mode == ModeCheck, fullSchema)
	}
	if err := checkColumns(sp, fullSchema, input, o.Mode == ModeCheck); err != nil {
		return nil, err
	}
	rd, err := traffic.Open(ctx, input, traffic.Options{Columns: cols, BatchSize: sp.Replay.BatchSize})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var src replay.Source = rd
	var lt *labels.Table
	if sp.Labels != nil && o.Mode != ModeReplay {
		if lt, err = labels.Load(ctx, sp.Resolve(sp.Labels.Path), sp.Labels.ID, sp.Labels.Column); err != nil {
			return nil, err
		}
		src = lt.Source(rd, sp.Traffic.ID, labelColumn(sp))
	}

	var out *scoredFile
	if o.ScoredOut != "" {
		out = &scoredFile{path: o.ScoredOut}
		defer out.abort()
	}
	prog := newProgress(o.Progress, totalRows(files, sampleOf(sp)))
	defer prog.stop()
	sink := func(b arrow.RecordBatch) error {
		if out != nil {
			if err := out.write(b); err != nil {
				return err
			}
		}
		prog.add(b)
		return suite.Observe(b)
	}

	var sum replay.Summary
	interrupted := false
	if o.Mode == ModeCheck {
		start := time.Now()
		for {
			b, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil && ctx.Err() != nil {
				interrupted = true
				break
			}
			if err != nil {
				return nil, err
			}
			sum.Rows += b.NumRows()
			err = sink(b)
			b.Release()
			if err != nil {
				return nil, err
			}
		}
		sum.Duration = time.Since(start)
	} else {
		workers := o.Workers
		if workers <= 0 {
			workers = sp.Replay.Concurrency
		}
		if m := sp.Candidate.Model; workers <= 0 && m.Type == "http" {
			// A server, not this machine's cores, bounds what is in flight:
			// the model's concurrency. In max mode each batch's Predict
			// already keeps that many requests in flight, so one batch at
			// a time; open loop sends single requests, that many at once.
			workers = 1
			if sp.Replay.Mode == replay.ModeRate || sp.Replay.Mode == replay.ModeRecorded {
				workers = m.Concurrency
				if workers <= 0 {
					workers = httpmodel.DefaultConcurrency
				}
			}
		}
		eng := &replay.Engine{Scorers: scorers, Options: replay.Options{
			Workers: workers, Sample: sampleOf(sp), Seed: sp.Replay.Seed, IDColumn: sp.Traffic.ID,
			Mode: sp.Replay.Mode, Rate: sp.Replay.Rate, Speedup: sp.Replay.Speedup,
			TimestampColumn: sp.Traffic.Timestamp, RequestRows: sp.Candidate.Model.Batch,
			Realtime: sp.Replay.Realtime,
		}}
		sum, err = eng.Run(ctx, src, sink)
		if err != nil {
			if ctx.Err() == nil {
				return nil, err
			}
			interrupted = true
		}
	}
	prog.stop()
	if out != nil && !interrupted {
		if err := out.commit(scoredSchema(rd.Schema(), scorers)); err != nil {
			return nil, err
		}
	}
	if lat != nil && o.Mode != ModeCheck {
		lat.SetDuration(sum.Duration) // a scored file does not say how long its replay took
	}
	acct.Expect(sum.Rows)
	for _, a := range accts {
		a.Expect(sum.Rows)
	}

	stats := acct.Stats()
	stats.DurationS = sum.Duration.Seconds()
	if stats.DurationS > 0 {
		stats.RowsPerS = float64(stats.Rows) / stats.DurationS
	}
	stats.RowsRead = sum.Read
	if o.Mode != ModeCheck {
		stats.Mode = sp.Replay.Mode
		stats.Requests, stats.LateSends = sum.Requests, sum.Late
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		stats.LagP50MS, stats.LagP99MS, stats.LagMaxMS = ms(sum.LagP50), ms(sum.LagP99), ms(sum.LagMax)
		stats.Realtime = sum.Realtime
		if sum.Realtime != "" && sum.Realtime != replay.RealtimeOn {
			res.Warnings = append(res.Warnings, "replay.realtime: "+sum.Realtime+realtimeHint(sum.Realtime))
		}
	}
	if o.Mode == ModeCheck {
		stats.RowsRead = sum.Rows
	}
	res.Replay = &stats
	for _, f := range rd.Files() {
		res.Inputs = append(res.Inputs, checks.Input{Role: role, Path: DisplayPath(f.Path), Rows: f.Rows, SHA256: f.SHA256, Schema: fieldsOf(fullSchema)})
	}
	// The reference and late labels are read by the skew and segment
	// checks; until then they are validated and fingerprinted.
	for _, x := range []struct {
		role string
		path *string
	}{{"reference", refPath(sp)}, {"labels", labelsPath(sp)}} {
		if x.path == nil {
			continue
		}
		in, err := fingerprintFiles(ctx, x.role, sp.Resolve(*x.path))
		if err != nil {
			return nil, err
		}
		res.Inputs = append(res.Inputs, in...)
	}
	res.Checks = suite.Outcomes()
	for _, c := range suiteChecks {
		if p, ok := c.(interface{ Plots() []checks.Plot }); ok {
			res.Plots = append(res.Plots, p.Plots()...)
		}
	}
	if o := paceOutcome(&stats); o != nil {
		res.Checks = append(res.Checks, *o)
	}
	consistencyFirst(res)
	if lt != nil {
		st := lt.Stats()
		res.Warnings = append(res.Warnings, fmt.Sprintf("labels: %d of %d rows found a label in %s (%d without one yet)",
			st.Matched, st.Rows, DisplayPath(sp.Resolve(sp.Labels.Path)), st.Unmatched))
	}
	res.Incomplete = interrupted
	res.Verdict = checks.Verdict(res.Checks, res.Incomplete)
	if interrupted {
		// The result covers the rows replayed so far; the caller writes
		// its reports, marked incomplete, and exits 4.
		return res, errs.Run("run it again to completion before trusting a verdict",
			"interrupted after %d rows: the reports cover those rows only and are marked incomplete", sum.Rows)
	}
	return res, nil
}

// realtimeHint says how to get real-time priority when the OS refused it.
func realtimeHint(why string) string {
	if !strings.HasPrefix(why, "refused") {
		return ""
	}
	return "; sends ran at ordinary priority (hint: run as root, grant the binary CAP_SYS_NICE with setcap cap_sys_nice+ep, or allow real-time priority with ulimit -r 1; in Docker, --cap-add SYS_NICE)"
}

// paceOutcome reports whether an open-loop replay kept its pace: when more
// than 1% of requests left late, the model (or this machine) could not keep
// up, and the latency figures include that queueing. It warns rather than
// fails: the latency gates judge what the queueing did to users.
func paceOutcome(s *checks.ReplayStats) *checks.Outcome {
	if s.Requests == 0 {
		return nil
	}
	share := float64(s.LateSends) / float64(s.Requests)
	o := &checks.Outcome{Check: "replay", Name: "replay.pace", Status: checks.Pass, Rows: s.Rows,
		Value: checks.F(share), Limit: "late share <= 0.01",
		Message: fmt.Sprintf("%d of %d requests left more than 1 ms late; scheduling lag p50 %.3g ms, p99 %.3g ms, max %.3g ms",
			s.LateSends, s.Requests, s.LagP50MS, s.LagP99MS, s.LagMaxMS)}
	if s.Realtime == replay.RealtimeOn {
		o.Message += "; sent from a thread at real-time priority"
	}
	if share > 0.01 {
		o.Status = checks.Warn
		o.Message += ": the replay could not keep the requested pace, and latency includes the queueing"
		if s.Realtime == "" {
			o.Message += " (on a busy machine, replay.realtime: true may help: see the README's Pacing section)"
		}
	}
	return o
}

// consistencyFirst puts a failed or warned offline/online consistency
// outcome at the head of the result, with a warning: when the offline
// replay does not reproduce what production served, every other offline
// number is suspect, and a reader must see that first.
func consistencyFirst(res *checks.Result) {
	for i, o := range res.Checks {
		if o.Name != "skew.consistency" || (o.Status != checks.Fail && o.Status != checks.Warn) {
			continue
		}
		res.Checks = append([]checks.Outcome{o}, append(res.Checks[:i:i], res.Checks[i+1:]...)...)
		res.Warnings = append([]string{"the offline replay of the production model does not reproduce the logged production scores (skew.consistency): " +
			"every other offline figure in this report is suspect until that is explained"}, res.Warnings...)
		return
	}
}

// newLatency maps checks.latency onto the latency check.
func newLatency(sp *spec.Spec) (*latency.Check, error) {
	l := sp.Checks.Latency
	cfg := latency.Config{
		P50: l.P50.Duration, P90: l.P90.Duration, P95: l.P95.Duration, P99: l.P99.Duration,
		P999: l.P999.Duration, Max: l.Max.Duration,
		MaxErrorRate: l.MaxErrorRate, MaxTimeoutRate: l.MaxTimeoutRate,
		MaxP99RatioToBaseline: l.MaxP99RatioToBaseline, Severity: l.Severity,
	}
	if b := sp.Traffic.Baseline; b != nil {
		cfg.BaselineColumn = b.LatencyMS
	}
	return latency.New(cfg, latency.Options{Role: "candidate"})
}

// labelColumn is the name the label has in scored batches: traffic.label,
// else the labels file's column.
func labelColumn(sp *spec.Spec) string {
	if sp.Traffic.Label != "" {
		return sp.Traffic.Label
	}
	if sp.Labels != nil {
		return sp.Labels.Column
	}
	return ""
}

func refPath(sp *spec.Spec) *string {
	if sp.Reference == nil {
		return nil
	}
	return &sp.Reference.Path
}

func labelsPath(sp *spec.Spec) *string {
	if sp.Labels == nil {
		return nil
	}
	return &sp.Labels.Path
}

func sampleOf(sp *spec.Spec) float64 {
	if sp.Replay.Sample == nil {
		return 1
	}
	return *sp.Replay.Sample
}

func fieldsOf(s *arrow.Schema) []checks.Field {
	out := make([]checks.Field, 0, s.NumFields())
	for _, f := range s.Fields() {
		out = append(out, checks.Field{Name: f.Name, Type: f.Type.String()})
	}
	return out
}

// projection is every column the run reads, in the traffic's own order.
func projection(sp *spec.Spec, modelCols []string, scored bool, schema *arrow.Schema) []string {
	want := map[string]bool{}
	for _, c := range sp.Columns() {
		want[c] = true
	}
	for _, c := range modelCols {
		want[c] = true
	}
	if sp.Labels != nil && len(schema.FieldIndices(labelColumn(sp))) == 0 {
		delete(want, labelColumn(sp)) // joined from the labels file
	}
	if scored {
		for _, f := range schema.Fields() {
			if len(f.Name) > len("candidate_") && f.Name[:len("candidate_")] == "candidate_" ||
				len(f.Name) > len("production_") && f.Name[:len("production_")] == "production_" {
				want[f.Name] = true
			}
		}
	}
	var cols []string
	for _, f := range schema.Fields() {
		if want[f.Name] {
			cols = append(cols, f.Name)
			delete(want, f.Name)
		}
	}
	// Columns the traffic lacks are reported by checkColumns; keep the
	// rest stable.
	rest := make([]string, 0, len(want))
	for c := range want {
		rest = append(rest, c)
	}
	sort.Strings(rest)
	return append(cols, rest...)
}

// checkColumns makes sure every column the spec names exists, pointing at
// the spec line that names it and suggesting the closest column.
func checkColumns(sp *spec.Spec, schema *arrow.Schema, input string, scored bool) error {
	have := make([]string, 0, schema.NumFields())
	for _, f := range schema.Fields() {
		have = append(have, f.Name)
	}
	var problems []error
	for _, ref := range columnRefs(sp, scored) {
		c := ref.column
		if len(schema.FieldIndices(c)) > 0 {
			continue
		}
		hint := "check the column name in the spec"
		if s := traffic.ClosestName(c, have); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
		}
		problems = append(problems, errs.Input(hint, "%s: %s: column %q is not in %s", sp.Pos(ref.key), ref.key, c, filepath.ToSlash(input)))
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.Join(problems...)
}

// closeModels stops what the models started (exec processes).
func closeModels(scorers []replay.Scorer) {
	for _, sc := range scorers {
		if c, ok := sc.Model.(interface{ Close() error }); ok {
			c.Close()
		}
	}
}

// rejectOutputColumns refuses traffic that already holds a column replay
// would add: the scored file would carry two columns of one name, and the
// checks would read the logged one.
func rejectOutputColumns(schema *arrow.Schema, scorers []replay.Scorer, input string) error {
	for _, sc := range scorers {
		for _, f := range schema.Fields() {
			if replay.IsOutputColumn(sc.Role, f.Name) {
				return errs.Input(fmt.Sprintf("drop or rename the %s_* columns of the traffic (is it a scored file? use `replaygate check --scored` for those)", sc.Role),
					"%s: column %q clashes with a column replay adds for the %s model", input, f.Name, sc.Role)
			}
		}
	}
	return nil
}

// scoredSchema is the schema of scored batches when none was produced: the
// traffic's columns plus each scorer's score, latency and error.
func scoredSchema(in *arrow.Schema, scorers []replay.Scorer) *arrow.Schema {
	fields := append([]arrow.Field(nil), in.Fields()...)
	for _, sc := range scorers {
		fields = append(fields,
			arrow.Field{Name: replay.ScoreColumn(sc.Role), Type: arrow.PrimitiveTypes.Float64, Nullable: true},
			arrow.Field{Name: replay.LatencyColumn(sc.Role), Type: arrow.PrimitiveTypes.Float64, Nullable: true},
			arrow.Field{Name: replay.ErrorColumn(sc.Role), Type: arrow.BinaryTypes.String, Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}

// requireScored checks that a file passed to `check --scored` was written
// by `replay`.
func requireScored(schema *arrow.Schema, path string) error {
	hint := "write scored rows with `replaygate replay --spec F --out scored.parquet` first"
	for _, c := range []string{replay.ScoreColumn("candidate"), replay.ErrorColumn("candidate")} {
		idx := schema.FieldIndices(c)
		if len(idx) == 0 {
			return errs.Input(hint, "%s has no %q column: it is not a scored file", path, c)
		}
		t := schema.Field(idx[0]).Type
		ok, want := arrow.IsInteger(t.ID()) || arrow.IsFloating(t.ID()), "a number"
		if c == replay.ErrorColumn("candidate") {
			ok, want = t.ID() == arrow.STRING, "text"
		}
		if !ok && t.ID() != arrow.NULL {
			return errs.Input(hint, "%s: column %q is %s, not %s as replay writes it", path, c, t, want)
		}
	}
	return nil
}

type columnRef struct{ column, key string }

// columnRefs lists every column the spec names with the key that names it.
func columnRefs(sp *spec.Spec, scored bool) []columnRef {
	var refs []columnRef
	add := func(col, key string) {
		if col != "" {
			refs = append(refs, columnRef{col, key})
		}
	}
	t := sp.Traffic
	add(t.ID, "traffic.id")
	add(t.Timestamp, "traffic.timestamp")
	if sp.Labels == nil {
		add(t.Label, "traffic.label") // else joined from the labels file
	}
	for i, s := range t.Segments {
		add(s, fmt.Sprintf("traffic.segments[%d]", i))
	}
	if t.Baseline != nil {
		add(t.Baseline.Score, "traffic.baseline.score")
		add(t.Baseline.LatencyMS, "traffic.baseline.latency_ms")
	}
	if !scored && sp.Candidate.Model.Type == "column" && sp.Candidate.Model.Path == "" {
		add(sp.Candidate.Model.Column, "candidate.model.column")
	}
	if c := sp.Checks.Contract; c != nil {
		names := make([]string, 0, len(c.Features))
		for n := range c.Features {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			add(n, "checks.contract.features."+n)
		}
		if c.Freshness != nil {
			add(c.Freshness.Column, "checks.contract.freshness.column")
		}
	}
	return refs
}

// DisplayPath shows p relative to the working directory when it lies below
// it, so results and reports read the same on every machine.
func DisplayPath(p string) string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(p) {
		return filepath.ToSlash(p)
	}
	if r, err := filepath.Rel(wd, p); err == nil && r != ".." && !strings.HasPrefix(r, "../") {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(p)
}
