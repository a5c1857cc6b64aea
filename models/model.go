package models

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
)

// Model scores record batches: the same rows, in the same order.
// A per-row failure is reported in Scores.Errors; a returned error means the
// model as a whole failed (unreachable, crashed) and the run cannot go on.
type Model interface {
	Predict(ctx context.Context, in arrow.RecordBatch) (Scores, error)
}

// Scores are a model's outputs for one batch of n rows.
type Scores struct {
	// Score is the primary score per row: the positive-class probability for
	// binary objectives, the prediction for regression, and for multi-class
	// models the probability of the most likely class.
	Score []float64
	// Classes holds per-class probabilities for multi-class models,
	// Classes[c][row]; nil otherwise.
	Classes [][]float64
	// Errors holds a per-row error message, "" for a scored row; nil when every
	// row was scored.
	Errors []string
	// ErrorClass holds a per-row error class (timeout, http_status, decode,
	// shape, non_finite, ...); nil when every row was scored.
	ErrorClass []string
	// LatencyMS is per-row latency in milliseconds; for in-process models the
	// row's share of the batch's compute time.
	LatencyMS []float64
}

// Info describes a loaded model for the result's fingerprints.
type Info struct {
	Type        string
	Path        string
	Fingerprint string
	Details     string // e.g. "gbtree binary:logistic, 200 trees, depth 6, 30 features"
	Features    []string
}
