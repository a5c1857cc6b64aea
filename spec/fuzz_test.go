package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replaygate/replaygate/errs"
)

// FuzzParse feeds arbitrary bytes to the spec parser: it must never panic,
// every error must be an input error that names the file, and every spec it
// accepts must have its defaults applied.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	lookup := env(map[string]string{"SET": "value", "NUM": "0.5", "EMPTY": ""})
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parse(data, "fuzz.yaml", lookup)
		if err != nil {
			if s != nil {
				t.Fatalf("spec and error both returned")
			}
			if errs.Code(err) != errs.CodeInput {
				t.Fatalf("error is not an input error: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			var se *Error
			if errors.As(err, &se) && (se.Line < 0 || se.Col < 0) {
				t.Fatalf("bad position in %v", err)
			}
			return
		}
		if s.Version != 1 || s.Traffic.Path == "" || s.Traffic.ID == "" || s.Candidate.Model.Type == "" {
			t.Fatalf("required fields missing: %+v", s)
		}
		if s.Replay.Sample == nil || !(*s.Replay.Sample > 0 && *s.Replay.Sample <= 1) || s.Replay.BatchSize <= 0 || s.Replay.Mode == "" {
			t.Fatalf("replay defaults not applied: %+v", s.Replay)
		}
		if s.Reports.Dir == "" || len(s.Reports.Formats) == 0 {
			t.Fatalf("report defaults not applied: %+v", s.Reports)
		}
		if c := s.Checks.Contract; c != nil {
			for name, r := range c.Features {
				if r.Severity == "" || r.Min != nil && r.Max != nil && *r.Min > *r.Max {
					t.Fatalf("feature %q: %+v", name, r)
				}
			}
			if c.Freshness != nil && c.Freshness.Column == "" {
				t.Fatalf("freshness without a column")
			}
		}
		_ = s.Columns()
		_ = s.Pos("checks.contract.features.x")
	})
}

func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		b.Fatal(err)
	}
	lookup := env(nil)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parse(data, "full.yaml", lookup); err != nil {
			b.Fatal(err)
		}
	}
}
