// Package stats holds replaygate's statistics on plain []float64 values,
// with no Arrow and no I/O, each checked against reference values computed
// by scipy and scikit-learn.
package stats
