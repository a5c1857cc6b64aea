package checks

import "github.com/apache/arrow-go/v18/arrow"

// Status is the outcome of one rule.
type Status string

const (
	Pass  Status = "pass"
	Warn  Status = "warn"
	Fail  Status = "fail"
	Skip  Status = "skip"  // could not be evaluated (no rows, no labels, ...): never a pass
	Error Status = "error" // the check itself failed to compute
)

// Check is an accumulator over scored record batches. Observe is called once
// per batch, in order; Merge folds in the state of another Check of the same
// kind and configuration (shards, workers); Result is called once at the end.
type Check interface {
	Name() string
	Observe(b arrow.RecordBatch) error
	Merge(other Check) error
	Result() []Outcome
}

// Outcome is one rule's result, as it appears in result.json.
type Outcome struct {
	Check    string    `json:"check"` // contract, skew, segments, latency, ...
	Name     string    `json:"name"`  // e.g. "age.max", "auc[country=DE]"
	Status   Status    `json:"status"`
	Value    *float64  `json:"value,omitempty"` // the observed value; always finite
	Baseline *float64  `json:"baseline,omitempty"`
	Delta    *float64  `json:"delta,omitempty"`
	CI       []float64 `json:"ci,omitempty"`
	Limit    string    `json:"limit,omitempty"` // human-readable limit, e.g. "<= 120", "max_drop 0.01"
	Rows     int64     `json:"rows"`            // rows the rule was evaluated on
	Message  string    `json:"message,omitempty"`
	Examples []string  `json:"examples,omitempty"` // up to 5 row ids that broke the rule
	Warnings []string  `json:"warnings,omitempty"`
}

// F returns a pointer to v, for Outcome's optional numbers. Non-finite values
// must not reach an Outcome: callers check first.
func F(v float64) *float64 { return &v }
