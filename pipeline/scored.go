package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/traffic"
)

// scoredFile writes scored batches to a temporary file beside the output and
// renames it into place only when the run completes, so an interrupted or
// failed replay never leaves a half-written file where a scored one is
// expected.
type scoredFile struct {
	path, tmp string
	w         *traffic.Writer
}

// checkScoredOut refuses an output that cannot be written, or that is one of
// the run's inputs, before any row is read.
func checkScoredOut(path string, inputs []traffic.FileInfo) error {
	if err := traffic.CheckOutputName(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return errs.Input("create the folder first, or choose another --out", "%s: folder %s does not exist", path, dir)
	}
	out, err := os.Stat(path)
	if err != nil {
		return nil
	}
	for _, in := range inputs {
		if fi, err := os.Stat(in.Path); err == nil && os.SameFile(fi, out) {
			return errs.Input("write the scored rows to another file", "%s is one of the traffic files: replaying would overwrite its own input", path)
		}
	}
	return nil
}

// write appends b, creating the temporary file on the first batch.
func (s *scoredFile) write(b arrow.RecordBatch) error {
	if s.w == nil {
		if err := s.create(b.Schema()); err != nil {
			return err
		}
	}
	if err := s.w.Write(b); err != nil {
		return errs.WrapRun(fmt.Errorf("writing %s: %w", s.path, err), "check the output folder is writable and has space")
	}
	return nil
}

func (s *scoredFile) create(schema *arrow.Schema) error {
	s.tmp = filepath.Join(filepath.Dir(s.path), ".partial-"+filepath.Base(s.path))
	w, err := traffic.Create(s.tmp, schema)
	if err != nil {
		return err
	}
	s.w = w
	return nil
}

// commit closes the file and moves it into place; schema is used when no
// batch was written (an empty replay still writes an empty file).
func (s *scoredFile) commit(schema *arrow.Schema) error {
	if s.w == nil {
		if err := s.create(schema); err != nil {
			return err
		}
	}
	err := s.w.Close()
	s.w = nil
	if err == nil {
		err = os.Rename(s.tmp, s.path)
	}
	if err != nil {
		os.Remove(s.tmp)
		return errs.WrapRun(fmt.Errorf("writing %s: %w", s.path, err), "check the output folder is writable and has space")
	}
	return nil
}

// abort closes and removes the temporary file, if any.
func (s *scoredFile) abort() {
	if s.w != nil {
		s.w.Close()
		s.w = nil
	}
	if s.tmp != "" {
		os.Remove(s.tmp)
	}
}

// fingerprintFiles hashes the files a pattern names, for inputs the run
// does not stream (the reference, until the skew checks read it).
func fingerprintFiles(ctx context.Context, role, pattern string) ([]checks.Input, error) {
	files, schema, err := traffic.Inspect(ctx, pattern)
	if err != nil {
		return nil, err
	}
	out := make([]checks.Input, 0, len(files))
	for _, f := range files {
		fh, err := os.Open(f.Path)
		if err != nil {
			return nil, errs.Input("", "%s: %v", f.Path, err)
		}
		h := sha256.New()
		_, err = io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return nil, errs.Run("", "reading %s: %v", f.Path, err)
		}
		rows := f.Rows
		if rows < 0 {
			rows = 0 // unknown without a full read of a text file
		}
		out = append(out, checks.Input{Role: role, Path: DisplayPath(f.Path), Rows: rows,
			SHA256: hex.EncodeToString(h.Sum(nil)), Schema: fieldsOf(schema)})
	}
	return out, nil
}
