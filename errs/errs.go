package errs

import (
	"errors"
	"fmt"
)

// Exit codes are part of replaygate's API (see README).
const (
	CodePass  = 0 // every gate passed
	CodeGate  = 1 // at least one gate failed; reports were written
	CodeInput = 3 // usage, spec or input error
	CodeRun   = 4 // the run could not complete
)

// Error is an error with an exit code and an optional hint.
type Error struct {
	Code int
	Err  error
	Hint string
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Input is a usage, spec or input error (exit 3).
func Input(hint, format string, args ...any) error {
	return &Error{Code: CodeInput, Err: fmt.Errorf(format, args...), Hint: hint}
}

// Run is an error that stopped the run from completing (exit 4).
func Run(hint, format string, args ...any) error {
	return &Error{Code: CodeRun, Err: fmt.Errorf(format, args...), Hint: hint}
}

// WrapInput marks err as an input error (exit 3) unless it already carries a code.
func WrapInput(err error, hint string) error { return wrap(err, CodeInput, hint) }

// WrapRun marks err as a run error (exit 4) unless it already carries a code.
func WrapRun(err error, hint string) error { return wrap(err, CodeRun, hint) }

func wrap(err error, code int, hint string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Code: code, Err: err, Hint: hint}
}

// GateFailed is returned by commands whose reports were written but whose
// verdict fails the run (exit 1).
var GateFailed = &Error{Code: CodeGate, Err: errors.New("gate failed")}

// Code returns the exit code err deserves: the code of the first *Error in
// its chain, or CodeRun for an unclassified error.
func Code(err error) int {
	if err == nil {
		return CodePass
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeRun
}

// HintOf returns the first non-empty hint in err's chain.
func HintOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Hint != "" {
			return e.Hint
		}
		err = e.Err
	}
	return ""
}
