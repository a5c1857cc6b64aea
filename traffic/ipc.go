package traffic

import (
	"bufio"
	"encoding/binary"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/replaygate/replaygate/errs"
)

// arrowFile is an open Arrow IPC file in the file format (starts with
// "ARROW1") or the stream format. Both are read as a stream of messages:
// the file format holds a complete stream between its leading magic and
// its footer, and reading it that way lets every message be verified
// before it is decoded (see checkedStream).
type arrowFile struct {
	f      *os.File
	format string
	stream *ipc.Reader
}

const arrowMagic = "ARROW1"

func openArrow(path string) (af *arrowFile, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errs.Input("", "%s: %v", path, unwrapPathError(err))
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	defer protect(path, "Arrow", &err)
	st, err := f.Stat()
	if err != nil {
		return nil, errs.Input("", "%s: %v", path, err)
	}
	size := st.Size()
	var head [8]byte
	n, _ := f.ReadAt(head[:], 0)
	af = &arrowFile{f: f, format: FormatArrowStream}
	var r io.Reader = f
	switch {
	case n >= 6 && string(head[:6]) == arrowMagic:
		af.format = FormatArrow
		// magic(6) padding(2) stream footer footer-length(4) magic(6)
		var tail [10]byte
		if size < 8+10 {
			return nil, errs.Input(corruptHint, "%s: truncated Arrow file", path)
		}
		if _, err := f.ReadAt(tail[:], size-10); err != nil || string(tail[4:]) != arrowMagic {
			return nil, errs.Input(corruptHint, "%s: truncated Arrow file (no footer)", path)
		}
		footer := int64(binary.LittleEndian.Uint32(tail[:4]))
		end := size - 10 - footer
		if end < 8 {
			return nil, errs.Input(corruptHint, "%s: corrupt Arrow file footer", path)
		}
		r = io.NewSectionReader(f, 8, end-8)
	case n >= 4 && string(head[:4]) == "FEA1":
		return nil, errs.Input("rewrite it as Feather v2 (pyarrow.feather.write_feather(..., version=2)) or Parquet",
			"%s: Feather v1 files are not supported", path)
	}
	checked := &checkedStream{r: bufio.NewReaderSize(r, 1<<16), limit: size}
	af.stream, err = ipc.NewReader(checked,
		ipc.WithAllocator(allocatorFor(size)),
		ipc.WithMetadataSizeLimit(size+1),
		ipc.WithBodySizeLimit(size+1),
	)
	if err != nil {
		return nil, errs.Input(corruptHint, "%s: unreadable Arrow IPC file: %v", path, err)
	}
	return af, nil
}

func (a *arrowFile) close() error {
	a.stream.Release()
	return a.f.Close()
}

func arrowProbe(path string) (pr *probe, err error) {
	af, err := openArrow(path)
	if err != nil {
		return nil, err
	}
	defer af.close()
	defer protect(path, "Arrow", &err)
	pr = &probe{path: path, format: af.format, rows: -1}
	seen := map[string]bool{}
	for _, f := range af.stream.Schema().Fields() {
		if seen[f.Name] {
			return nil, errs.Input("give every column a distinct name", "%s: column %q appears twice", path, f.Name)
		}
		seen[f.Name] = true
		pr.cols = append(pr.cols, column{name: f.Name, typ: normalizeType(f.Type), nullable: f.Nullable})
	}
	if len(pr.cols) == 0 {
		return nil, errs.Input(corruptHint, "%s: the Arrow file has no columns", path)
	}
	return pr, nil
}

// arrowSource reads an Arrow IPC file batch by batch and projects each.
type arrowSource struct {
	path string
	af   *arrowFile
	pos  []int
	i    int
	rows int64
}

func openArrowSource(p *probe, schema *arrow.Schema) (src source, err error) {
	af, err := openArrow(p.path)
	if err != nil {
		return nil, err
	}
	want := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		want[i] = f.Name
	}
	pos, err := positions(af.stream.Schema(), want)
	if err != nil {
		af.close()
		return nil, errs.Input("", "%s: %v", p.path, err)
	}
	return &arrowSource{path: p.path, af: af, pos: pos}, nil
}

func (s *arrowSource) next() (b arrow.RecordBatch, err error) {
	defer protect(s.path, "Arrow", &err)
	if !s.af.stream.Next() {
		if err := s.af.stream.Err(); err != nil && err != io.EOF {
			return nil, errs.Input(corruptHint, "%s: record batch %d: %v", s.path, s.i, err)
		}
		return nil, io.EOF
	}
	rec := s.af.stream.RecordBatch()
	out := pick(rec, s.pos)
	for j := 0; j < int(out.NumCols()); j++ {
		if err := validateArray(out.Column(j).Data(), 0); err != nil {
			out.Release()
			return nil, errs.Input(corruptHint, "%s: record batch %d: column %q: %v", s.path, s.i, out.ColumnName(j), err)
		}
	}
	s.i++
	s.rows += rec.NumRows()
	return out, nil
}

func (s *arrowSource) finish() (int64, string, error) {
	sum, err := fileSHA256(s.path)
	return s.rows, sum, err
}

func (s *arrowSource) close() (err error) {
	defer protect(s.path, "Arrow", &err)
	return s.af.close()
}
