// Package execmodel scores traffic with a model run as a long-lived
// subprocess that speaks JSON Lines over its stdin and stdout.
//
// The command (Options.Command, an argv run without a shell, inheriting
// the environment, in Options.Dir) reads one request per line:
//
//	{"id": "17", "features": {"age": 42, "income": 5.5e4, "country": null}}
//
// and writes one response per request, on one line:
//
//	{"id": "17", "score": 0.8125}
//	{"id": "17", "error": "unknown country"}
//
// The id is the value of the Options.IDColumn column (as text), else the
// row's number in the replayed stream; ids are unique within a request (a
// repeated or missing id column value is replaced by "row N"). A response
// id may be echoed as a string or a number. Values are sent with every
// digit of their float64 value (integers exactly, booleans as 0 and 1);
// missing values, NaN and ±Inf are sent as null.
//
// Requests are written Options.Batch lines at a time; then as many
// response lines are read, in any order: they are matched to rows by id.
// Blank lines are ignored. Each row's latency is its batch's round trip,
// from the first write to the last response line. A failure is a per-row
// error with one of these classes:
//
//	model_error the model answered {"error": ...} for the row
//	non_finite  the score is null, NaN or ±Inf (Python's bare NaN and
//	            Infinity tokens are read, not rejected)
//	decode      a line of the batch is not a JSON object with an id (every
//	            row of the batch fails, and the lines are read until every
//	            id of the batch was answered, or the timeout); the row was
//	            answered twice; its score is not a number; or the batch held
//	            an answer to an id that was not asked, in place of the row's
//	shape       the batch's lines held no answer for the row
//	timeout     no answer within Options.Timeout: the process is taken as
//	            wedged, killed and started again for the next batch
//	crashed     the process ended (EOF on its stdout) with the row in
//	            flight: the message holds its exit status and its last
//	            stderr lines; it is started again for the next batch
//
// The process's stderr is not shown: its last 50 lines (8 KiB) are kept
// for these messages. After Options.MaxRestarts restarts (crashes and
// hangs together, over the Model's life), the next failure stops the run:
// Predict returns an errs.Run error (exit 4) with the last stderr lines.
//
// A process handles one request at a time; Options.Processes processes
// run in parallel, each used by one batch at a time. Close closes their
// stdin, sends SIGTERM, then SIGKILL after 2 seconds, and reaps them.
package execmodel
