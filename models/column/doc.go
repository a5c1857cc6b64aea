// Package column is the model adapter for scores that were already logged,
// for instance by a candidate running in shadow mode: the "prediction" of a
// row is the value of a traffic column.
package column
