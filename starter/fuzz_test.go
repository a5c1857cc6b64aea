package starter

import (
	"bytes"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks/contract"
	"github.com/replaygate/replaygate/spec"
)

// FuzzRender feeds arbitrary column names and values through profiling,
// inference and rendering: the spec must always load, and say what was
// rendered.
func FuzzRender(f *testing.F) {
	for _, s := range [][3]string{
		{"country", "US", "DE"},
		{"a b", "yes", "x: y"},
		{"#c", "", "  "},
		{"$x", "${HOME}", "$$"},
		{"k", "\xff", "\u2028"},
		{"null", "~", "- x"},
		{"id2", "'q'", "\"dq\""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, name, v1, v2 string) {
		if name == "id" {
			return
		}
		p, err := contract.ProfileOf(&source{b: []arrow.RecordBatch{build(
			col{"id", []any{"a", "b", "c"}},
			col{name, []any{v1, v2, v1}},
		)}})
		if err != nil {
			t.Fatal(err)
		}
		roles := contract.GuessRoles(p)
		c := contract.Infer(p, contract.InferOptions{Exclude: roles.Columns()})
		var buf bytes.Buffer
		if err := Render(&buf, Input{TrafficPath: "t.parquet", Profile: p, Roles: roles, Contract: c}); err != nil {
			t.Fatal(err)
		}
		s, err := spec.Parse(buf.Bytes(), filepath.Join(t.TempDir(), "s.yaml"))
		if err != nil {
			t.Fatalf("does not load: %v\n%s", err, buf.String())
		}
		for fname, want := range c.Features {
			got, ok := s.Checks.Contract.Features[fname]
			if !ok {
				t.Fatalf("feature %q lost\n%s", fname, buf.String())
			}
			if !reflect.DeepEqual(got.Values, want.Values) {
				t.Fatalf("values %q, want %q\n%s", got.Values, want.Values, buf.String())
			}
		}
		if len(roles.Segments) > 0 && !reflect.DeepEqual(s.Traffic.Segments, roles.Segments) {
			t.Fatalf("segments %q, want %q", s.Traffic.Segments, roles.Segments)
		}
		if s.Traffic.ID != roles.ID && roles.ID != "" {
			t.Fatalf("id %q, want %q", s.Traffic.ID, roles.ID)
		}
	})
}
