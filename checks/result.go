package checks

// SchemaVersion is the version of result.json's layout.
const SchemaVersion = 1

// Result is everything a run found: the single source every report reads.
type Result struct {
	SchemaVersion int          `json:"schema_version"`
	Tool          Tool         `json:"tool"`
	Verdict       Status       `json:"verdict"` // pass | warn | fail
	Incomplete    bool         `json:"incomplete,omitempty"`
	Spec          string       `json:"spec,omitempty"`
	Command       []string     `json:"command,omitempty"` // how to reproduce the run
	Inputs        []Input      `json:"inputs"`
	Models        []Model      `json:"models"`
	Replay        *ReplayStats `json:"replay,omitempty"`
	Checks        []Outcome    `json:"checks"`
	Plots         []Plot       `json:"plots,omitempty"`
	Warnings      []string     `json:"warnings,omitempty"`
}

// Tool identifies the replaygate build that wrote the result.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Input fingerprints one input file.
type Input struct {
	Role   string  `json:"role"` // traffic | labels | reference | scored
	Path   string  `json:"path"`
	Rows   int64   `json:"rows"`
	SHA256 string  `json:"sha256"`
	Schema []Field `json:"schema,omitempty"`
}

// Field is one column of an input's schema.
type Field struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Model fingerprints one model.
type Model struct {
	Role        string `json:"role"` // candidate | production
	Type        string `json:"type"`
	Path        string `json:"path,omitempty"`
	Fingerprint string `json:"fingerprint"` // sha256 of the model file, or of its configuration
	Details     string `json:"details,omitempty"`
}

// ReplayStats accounts for every replayed row: Rows = Scored + Errors.
type ReplayStats struct {
	// RowsRead is the rows read from the input before sampling.
	RowsRead     int64            `json:"rows_read"`
	Rows         int64            `json:"rows"`
	Scored       int64            `json:"scored"`
	Errors       int64            `json:"errors"`
	Timeouts     int64            `json:"timeouts"`
	DurationS    float64          `json:"duration_s"`
	RowsPerS     float64          `json:"rows_per_s"`
	ErrorClasses map[string]int64 `json:"error_classes,omitempty"`
	// Pacing: the replay mode, and in the open-loop modes (rate,
	// recorded) the requests sent, those sent more than 1 ms behind their
	// intended time, and the scheduling lag.
	Mode      string  `json:"mode,omitempty"`
	Requests  int64   `json:"requests,omitempty"`
	LateSends int64   `json:"late_sends,omitempty"`
	LagP50MS  float64 `json:"lag_p50_ms,omitempty"`
	LagP99MS  float64 `json:"lag_p99_ms,omitempty"`
	LagMaxMS  float64 `json:"lag_max_ms,omitempty"`
	// Realtime, when replay.realtime asked for it: "on" when the sending
	// thread ran at real-time priority, else why not.
	Realtime      string         `json:"realtime,omitempty"`
	ErrorExamples []ErrorExample `json:"error_examples,omitempty"`
}

// ErrorExample is one row that failed to score.
type ErrorExample struct {
	Row   string `json:"row"`
	Class string `json:"class"`
	Error string `json:"error"`
}

// Plot is a chart a renderer may draw; Kind is one of the Plot* constants
// and Data its data type (see plots.go).
type Plot struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Kind  string `json:"kind"`
	Data  any    `json:"data,omitempty"`
}
