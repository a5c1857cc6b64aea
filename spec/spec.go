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
}

// Checks configures every check; a nil check is not run.
type Checks struct {
	Contract   *Contract      `yaml:"contract"`
	Skew       map[string]any `yaml:"skew"`     // built by the skew issue
	Segments   map[string]any `yaml:"segments"` // built by the segments issue
	Latency    *Latency       `yaml:"latency"`
	Fallback   map[string]any `yaml:"fallback"`   // built by the fallback issue
	Robustness map[string]any `yaml:"robustness"` // built by the robustness issue
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
