package spec

// Spec is a replaygate spec file (DESIGN.md §1). Relative input paths
// (traffic, labels, reference, model files) are resolved against Dir by Load
// and Parse; report paths resolve against the working directory.
type Spec struct {
	Version    int         `yaml:"version"`
	Traffic    Traffic     `yaml:"traffic"`
	Labels     *Labels     `yaml:"labels"`
	Reference  *Reference  `yaml:"reference"`
	Candidate  Candidate   `yaml:"candidate"`
	Production *Production `yaml:"production"`
	Fallback   *Fallback   `yaml:"fallback"`
	Replay     Replay      `yaml:"replay"`
	Checks     Checks      `yaml:"checks"`
	Reports    Reports     `yaml:"reports"`

	// Path is the spec file as given; Dir is its folder (absolute).
	Path string `yaml:"-"`
	Dir  string `yaml:"-"`

	// pos remembers where each key and value sits in the file (see Pos).
	pos *positions
}

// Traffic is the logged production traffic.
type Traffic struct {
	Path      string    `yaml:"path"` // file, glob or directory; resolved against Spec.Dir
	ID        string    `yaml:"id"`
	Timestamp string    `yaml:"timestamp"`
	Label     string    `yaml:"label"`
	Segments  []string  `yaml:"segments"`
	Baseline  *Baseline `yaml:"baseline"`
}

// Baseline names what production served for each logged request.
type Baseline struct {
	Score     string `yaml:"score"`
	LatencyMS string `yaml:"latency_ms"`
}

// Labels are late labels joined on the request id.
type Labels struct {
	Path   string `yaml:"path"`
	ID     string `yaml:"id"`     // default: traffic.id
	Column string `yaml:"column"` // default: traffic.label
}

// Reference is the training data used for skew checks.
type Reference struct {
	Path string `yaml:"path"`
}

// Candidate is the model under test.
type Candidate struct {
	Model    Model    `yaml:"model"`
	Features []string `yaml:"features"`
}

// Production is an offline replica of the serving model.
type Production struct {
	Model    Model    `yaml:"model"`
	Features []string `yaml:"features"`
}

// Model says how to reach a model. Type is one of xgboost, http, exec, column.
type Model struct {
	Type string `yaml:"type"`
	// xgboost
	Path string `yaml:"path"`
	// http
	Protocol    string            `yaml:"protocol"`
	URL         string            `yaml:"url"`
	Timeout     Duration          `yaml:"timeout"`
	Concurrency int               `yaml:"concurrency"`
	Batch       int               `yaml:"batch"`
	Headers     map[string]string `yaml:"headers"`
	Retries     int               `yaml:"retries"`
	InputName   string            `yaml:"input_name"`  // kserve-v2 input tensor (default input-0)
	Datatype    string            `yaml:"datatype"`    // kserve-v2: FP32 | FP64 (default)
	Inputs      string            `yaml:"inputs"`      // kserve-v2: matrix (default) | per-feature
	OutputName  string            `yaml:"output_name"` // kserve-v2 output tensor; field of an object prediction
	Instances   string            `yaml:"instances"`   // tfserving: objects (default) | lists
	ScorePath   string            `yaml:"score_path"`  // json: where the scores are in the response
	// exec
	Command []string `yaml:"command"`
	// column: a traffic column, or with path a separate score file joined
	// on the request id (ID, default traffic.id)
	Column string `yaml:"column"`
	ID     string `yaml:"id"`
}

// Fallback says what the product serves when the candidate cannot be trusted.
type Fallback struct {
	On         []string    `yaml:"on"`
	Confidence *Confidence `yaml:"confidence"`
	Serve      any         `yaml:"serve"`
}

// Confidence is the low-confidence rule of a fallback.
type Confidence struct {
	Below *float64 `yaml:"below"`
}

// Replay controls pacing and sampling.
type Replay struct {
	Mode        string   `yaml:"mode"` // max | rate | recorded; default max
	Rate        float64  `yaml:"rate"`
	Speedup     float64  `yaml:"speedup"`     // mode recorded; default 1
	Concurrency int      `yaml:"concurrency"` // 0: all cores
	Sample      *float64 `yaml:"sample"`      // default 1.0
	Seed        int64    `yaml:"seed"`
	BatchSize   int      `yaml:"batch_size"` // rows per record batch; default 8192
	// Realtime runs the thread that writes open-loop requests at
	// real-time priority, where the OS allows it (see replay.Options).
	Realtime bool `yaml:"realtime"`
}

// Checks configures every check; a nil check is not run.
type Checks struct {
	Contract   *Contract      `yaml:"contract"`
	Skew       *Skew          `yaml:"skew"`
	Segments   *Segments      `yaml:"segments"`
	Latency    *Latency       `yaml:"latency"`
	Fallback   map[string]any `yaml:"fallback"`   // built by the fallback issue
	Robustness map[string]any `yaml:"robustness"` // built by the robustness issue
}

// FeatureSelection is a list of feature names, or the word all (nil): every
// feature.
type FeatureSelection []string

// Skew compares the traffic with the reference (training/serving skew),
// the candidate's scores with the logged ones (prediction drift), and the
// replayed production replica with the logged scores (consistency).
type Skew struct {
	Features        FeatureSelection      `yaml:"features"` // all (the default): every numeric or text column of the reference
	Exclude         []string              `yaml:"exclude"`
	Numeric         *SkewMethod           `yaml:"numeric"`     // default psi, warn 0.1, fail 0.25
	Categorical     *SkewMethod           `yaml:"categorical"` // default linf, warn 0.1, fail 0.2
	PerFeature      map[string]SkewMethod `yaml:"per_feature"`
	MaxDriftedShare *float64              `yaml:"max_drifted_share"`
	Prediction      *SkewPrediction       `yaml:"prediction"`
	Consistency     *SkewConsistency      `yaml:"consistency"`
	Severity        string                `yaml:"severity"`
}

// SkewMethod is a distance and its limits.
type SkewMethod struct {
	Method string  `yaml:"method"` // psi | js | ks | wasserstein (numeric); psi | js | linf | chi2 (categorical)
	Warn   float64 `yaml:"warn"`
	Fail   float64 `yaml:"fail"`
}

// SkewPrediction compares the candidate's and the logged production scores.
type SkewPrediction struct {
	Method      string    `yaml:"method"`
	Warn        float64   `yaml:"warn"`
	Fail        float64   `yaml:"fail"`
	Thresholds  []float64 `yaml:"thresholds"`
	MaxFlipRate *float64  `yaml:"max_flip_rate"`
}

// SkewConsistency compares the replayed production replica with the
// logged production score of the same row.
type SkewConsistency struct {
	Tolerance       float64 `yaml:"tolerance"`
	MaxMismatchRate float64 `yaml:"max_mismatch_rate"`
}

// Segments compares the candidate with the logged production score per
// segment, with paired-bootstrap confidence intervals.
type Segments struct {
	By         []string               `yaml:"by"`      // default: traffic.segments
	Crosses    [][]string             `yaml:"crosses"` // e.g. [[country, platform]]
	Metrics    []string               `yaml:"metrics"` // default [auc]
	MinRows    int                    `yaml:"min_rows"`
	Confidence float64                `yaml:"confidence"`
	Replicates int                    `yaml:"replicates"`
	Threshold  *float64               `yaml:"threshold"`
	Gates      map[string]SegmentGate `yaml:"gates"`
}

// SegmentGate limits one metric: min/max on the candidate's value,
// max_drop (higher is better) or max_rise (lower is better) on its change
// from the logged production score.
type SegmentGate struct {
	Min     *float64 `yaml:"min"`
	Max     *float64 `yaml:"max"`
	MaxDrop *float64 `yaml:"max_drop"`
	MaxRise *float64 `yaml:"max_rise"`
}

// Latency gates the candidate's latency and error rates. A zero duration is
// no gate; every percentile is reported either way.
type Latency struct {
	P50                   Duration `yaml:"p50"`
	P90                   Duration `yaml:"p90"`
	P95                   Duration `yaml:"p95"`
	P99                   Duration `yaml:"p99"`
	P999                  Duration `yaml:"p999"`
	Max                   Duration `yaml:"max"`
	MaxErrorRate          *float64 `yaml:"max_error_rate"` // also the replay's error budget
	MaxTimeoutRate        *float64 `yaml:"max_timeout_rate"`
	MaxP99RatioToBaseline *float64 `yaml:"max_p99_ratio_to_baseline"` // against traffic.baseline.latency_ms
	Severity              string   `yaml:"severity"`
}

// Contract is the data contract of the traffic and the candidate's outputs.
type Contract struct {
	Features  map[string]FeatureRule `yaml:"features"`
	Output    *OutputRule            `yaml:"output"`
	Freshness *Freshness             `yaml:"freshness"`
}

// FeatureRule is the contract of one traffic column. Every field is optional.
type FeatureRule struct {
	Type          string   `yaml:"type"` // int | float | string | bool | timestamp
	Min           *float64 `yaml:"min"`
	Max           *float64 `yaml:"max"`
	MaxNullRate   *float64 `yaml:"max_null_rate"`
	Values        []string `yaml:"values"`
	MaxUnseenRate *float64 `yaml:"max_unseen_rate"`       // set to 0 by Load when values is set; only with values
	MaxOutOfRange *float64 `yaml:"max_out_of_range_rate"` // share of rows outside [min,max] allowed; set to 0 by Load when min or max is set
	Severity      string   `yaml:"severity"`              // fail (default) | warn: what a broken rule yields
}

// OutputRule is the contract of the candidate's scores.
type OutputRule struct {
	Min      *float64 `yaml:"min"`
	Max      *float64 `yaml:"max"`
	Severity string   `yaml:"severity"`
}

// Freshness bounds the age of the traffic's timestamps.
type Freshness struct {
	Column   string   `yaml:"column"`   // default: traffic.timestamp
	MaxAge   Duration `yaml:"max_age"`  // newest row must be at most this old
	MaxSpan  Duration `yaml:"max_span"` // optional: newest - oldest at most this
	Now      string   `yaml:"now"`      // optional RFC 3339 reference time; default: the run's start
	Severity string   `yaml:"severity"`
}

// Reports says where and which reports are written.
type Reports struct {
	Dir     string   `yaml:"dir"`     // default "out"
	Formats []string `yaml:"formats"` // default [terminal, json]
}
