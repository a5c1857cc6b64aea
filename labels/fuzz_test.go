package labels

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/replaygate/replaygate/errs"
)

// FuzzLoad feeds arbitrary CSV to Load: it must return a table or a
// classified error, never panic, and a table must hold no more ids than
// the file has lines.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("id,y\na,1\nb,0\n"))
	f.Add([]byte("id,y\n1,true\n1,false\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "labels.csv")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		tab, err := Load(context.Background(), p, "id", "y")
		if err != nil {
			if c := errs.Code(err); c != errs.CodeInput && c != errs.CodeRun {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		lines := 1
		for _, c := range data {
			if c == '\n' || c == '\r' {
				lines++
			}
		}
		if tab.Len() > lines {
			t.Fatalf("%d ids from %d lines", tab.Len(), lines)
		}
	})
}
