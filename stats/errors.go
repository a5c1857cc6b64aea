package stats

import "errors"

// Errors returned by this package. Callers test for them with errors.Is; a
// check typically turns ErrEmpty into a skipped outcome with a reason.
var (
	// ErrEmpty: a sample, histogram or count vector holds no usable value
	// (after NaN, ±Inf and nulls were set aside).
	ErrEmpty = errors.New("stats: no values to compare")
	// ErrMismatch: two histograms or count vectors that must share their
	// bins do not (different edges, vocabularies or lengths).
	ErrMismatch = errors.New("stats: bins do not match")
	// ErrArgument: a parameter is out of its domain (bins < 1, alpha
	// outside (0, 1), a negative count, edges not strictly increasing).
	ErrArgument = errors.New("stats: invalid argument")
)
