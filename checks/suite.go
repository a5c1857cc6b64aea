package checks

import (
	"fmt"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
)

// Suite feeds scored batches to every configured check.
type Suite struct {
	checks []Check
}

// NewSuite returns a suite over cs, run in the given order.
func NewSuite(cs ...Check) *Suite { return &Suite{checks: cs} }

// Len is the number of checks in the suite.
func (s *Suite) Len() int { return len(s.checks) }

// Observe hands b to every check.
func (s *Suite) Observe(b arrow.RecordBatch) error {
	for _, c := range s.checks {
		if err := c.Observe(b); err != nil {
			return fmt.Errorf("%s check: %w", c.Name(), err)
		}
	}
	return nil
}

// Merge folds another suite built from the same configuration into s.
func (s *Suite) Merge(other *Suite) error {
	if len(other.checks) != len(s.checks) {
		return fmt.Errorf("cannot merge suites of %d and %d checks", len(s.checks), len(other.checks))
	}
	for i, c := range s.checks {
		if err := c.Merge(other.checks[i]); err != nil {
			return fmt.Errorf("%s check: %w", c.Name(), err)
		}
	}
	return nil
}

// Outcomes collects every check's outcomes, in suite order.
func (s *Suite) Outcomes() []Outcome {
	var out []Outcome
	for _, c := range s.checks {
		out = append(out, c.Result()...)
	}
	return out
}

// Verdict is the run's overall status: fail when any outcome failed or
// errored, or when the run is incomplete; warn when any outcome warned;
// pass otherwise. Skipped outcomes neither pass nor fail a run, but a run
// whose every outcome was skipped has proven nothing and fails.
func Verdict(outcomes []Outcome, incomplete bool) Status {
	if incomplete {
		return Fail
	}
	v, evaluated := Pass, false
	for _, o := range outcomes {
		switch o.Status {
		case Fail, Error:
			return Fail
		case Warn:
			v, evaluated = Warn, true
		case Pass:
			evaluated = true
		}
	}
	if !evaluated {
		return Fail
	}
	return v
}

// Counts tallies outcomes by status.
func Counts(outcomes []Outcome) map[Status]int {
	m := map[Status]int{}
	for _, o := range outcomes {
		m[o.Status]++
	}
	return m
}

// StatusOrder ranks statuses for display: fail, error, warn, skip, pass.
func StatusOrder(s Status) int {
	switch s {
	case Fail:
		return 0
	case Error:
		return 1
	case Warn:
		return 2
	case Skip:
		return 3
	default:
		return 4
	}
}

// SortByStatus orders outcomes fail, error, warn, skip, pass, keeping the
// original order within a status.
func SortByStatus(o []Outcome) {
	sort.SliceStable(o, func(i, j int) bool { return StatusOrder(o[i].Status) < StatusOrder(o[j].Status) })
}
