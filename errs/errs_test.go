package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodeAndHint(t *testing.T) {
	in := Input("fix the spec", "bad key %q", "x")
	tests := []struct {
		name string
		err  error
		code int
		hint string
	}{
		{"nil passes", nil, CodePass, ""},
		{"input", in, CodeInput, "fix the spec"},
		{"wrapped input keeps its code and hint", fmt.Errorf("loading: %w", in), CodeInput, "fix the spec"},
		{"run", Run("retry", "model died"), CodeRun, "retry"},
		{"unclassified is a run failure", errors.New("boom"), CodeRun, ""},
		{"WrapInput classifies", WrapInput(errors.New("bad"), "h"), CodeInput, "h"},
		{"WrapRun keeps an existing class", WrapRun(in, "other"), CodeInput, "fix the spec"},
		{"gate", fmt.Errorf("x: %w", GateFailed), CodeGate, ""},
		{"outer hint-less error falls through to the inner hint", &Error{Code: CodeRun, Err: in}, CodeRun, "fix the spec"},
	}
	for _, tc := range tests {
		if got := Code(tc.err); got != tc.code {
			t.Errorf("%s: code %d, want %d", tc.name, got, tc.code)
		}
		if got := HintOf(tc.err); got != tc.hint {
			t.Errorf("%s: hint %q, want %q", tc.name, got, tc.hint)
		}
	}
}
