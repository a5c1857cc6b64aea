// Package replay runs logged traffic through models: it reads record
// batches from a source, scores them with every configured model in
// parallel, appends the model's columns (<role>_score, <role>_latency_ms,
// <role>_error, and <role>_class_<k> for multi-class models) and hands the
// scored batches, in input order, to a sink. Accounting turns scored batches
// into the run's row accounting: rows in = rows scored + rows errored.
package replay
