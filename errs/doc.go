// Package errs carries replaygate's error classes: every error that leaves a
// library says which exit code it deserves (3 for usage, spec and input
// errors, 4 when the run could not complete, 1 for a failed gate) and, when
// the fix is known, a hint. main.go maps errors to exit codes in one place
// with errors.As.
package errs
