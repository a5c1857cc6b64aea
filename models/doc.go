// Package models declares the Model interface every way of reaching a model
// implements (in-process XGBoost, a column of logged shadow scores, and in
// later versions HTTP servers and subprocesses), and the Scores they return.
// The adapters live in sub-packages.
package models
