package traffic

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/replaygate/replaygate/errs"
)

const corruptHint = "the file is truncated or corrupt: rewrite it, or leave it out of the traffic path"

// protect turns a panic inside a third-party decoder into an input error
// naming the file. Use it deferred in a function with a named error result.
func protect(path, format string, err *error) {
	if r := recover(); r != nil {
		*err = errs.Input(corruptHint, "%s: corrupt %s file: %v", path, format, r)
	}
}

// fileSHA256 hashes a file by reading it sequentially.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", errs.Input("", "%s: %v", path, unwrapPathError(err))
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", errs.Input("", "%s: %v", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// parquetFile is an open Parquet file.
type parquetFile struct {
	f  *os.File
	pf *file.Reader
	fr *pqarrow.FileReader
}

func openParquet(path string, batch int) (pq *parquetFile, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errs.Input("", "%s: %v", path, unwrapPathError(err))
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	defer protect(path, "Parquet", &err)
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil || string(magic[:]) != "PAR1" {
		return nil, errs.Input(corruptHint, "%s: not a Parquet file (no PAR1 magic at the start)", path)
	}
	st, err := f.Stat()
	if err != nil {
		return nil, errs.Input("", "%s: %v", path, err)
	}
	mem := allocatorFor(st.Size())
	props := parquet.NewReaderProperties(mem)
	// Read pages as they are decoded rather than whole column chunks, so a
	// large row group does not sit in memory at once.
	props.BufferedStreamEnabled = true
	pf, err := file.NewParquetReader(f, file.WithReadProps(props))
	if err != nil {
		return nil, errs.Input(corruptHint, "%s: unreadable Parquet file: %v", path, err)
	}
	if err := checkArrowSchema(pf); err != nil {
		pf.Close()
		return nil, errs.Input(corruptHint, "%s: corrupt Arrow schema in the Parquet metadata: %v", path, err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(batch), Parallel: false}, mem)
	if err != nil {
		pf.Close()
		return nil, errs.Input(corruptHint, "%s: unreadable Parquet schema: %v", path, err)
	}
	return &parquetFile{f: f, pf: pf, fr: fr}, nil
}

// checkArrowSchema verifies the Arrow schema that Arrow writers store in
// the Parquet key-value metadata before pqarrow decodes it.
func checkArrowSchema(pf *file.Reader) error {
	kv := pf.MetaData().KeyValueMetadata()
	if kv == nil {
		return nil
	}
	enc := kv.FindValue("ARROW:schema")
	if enc == nil {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(*enc)
	if len(raw) == 0 || err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(*enc)
	}
	if err != nil {
		return nil // pqarrow ignores what it cannot decode as base64 too
	}
	cs := &checkedStream{r: bytes.NewReader(raw), limit: int64(len(raw))}
	return cs.nextMessage() // pqarrow reads the schema message only
}

func (p *parquetFile) close() error {
	p.pf.Close() // closes f too
	return nil
}

func parquetProbe(path string) (pr *probe, err error) {
	pq, err := openParquet(path, defaultBatchSize)
	if err != nil {
		return nil, err
	}
	defer pq.close()
	defer protect(path, "Parquet", &err)
	sc, err := pq.fr.Schema()
	if err != nil {
		return nil, errs.Input(corruptHint, "%s: unreadable Parquet schema: %v", path, err)
	}
	pr = &probe{path: path, format: FormatParquet, rows: pq.pf.NumRows()}
	seen := map[string]bool{}
	for _, f := range sc.Fields() {
		if seen[f.Name] {
			return nil, errs.Input("give every column a distinct name", "%s: column %q appears twice", path, f.Name)
		}
		seen[f.Name] = true
		pr.cols = append(pr.cols, column{name: f.Name, typ: normalizeType(f.Type), nullable: f.Nullable})
	}
	if len(pr.cols) == 0 {
		return nil, errs.Input(corruptHint, "%s: the Parquet file has no columns", path)
	}
	return pr, nil
}

// parquetSource reads a Parquet file one row group at a time.
type parquetSource struct {
	ctx    context.Context
	path   string
	pq     *parquetFile
	leaves []int
	want   []string
	rg     int
	rr     pqarrow.RecordReader
	pos    []int
	rows   int64
}

func openParquetSource(ctx context.Context, p *probe, schema *arrow.Schema, batch int) (src source, err error) {
	pq, err := openParquet(p.path, batch)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			pq.close()
		}
	}()
	defer protect(p.path, "Parquet", &err)
	s := &parquetSource{ctx: ctx, path: p.path, pq: pq}
	top := map[string]int{}
	for i, f := range pq.fr.Manifest.Fields {
		top[f.Field.Name] = i
	}
	for _, f := range schema.Fields() {
		i, ok := top[f.Name]
		if !ok {
			return nil, errs.Input("", "column %q not found in %s", f.Name, p.path)
		}
		s.leaves = appendLeaves(s.leaves, &pq.fr.Manifest.Fields[i])
		s.want = append(s.want, f.Name)
	}
	return s, nil
}

func appendLeaves(dst []int, f *pqarrow.SchemaField) []int {
	if f.IsLeaf() {
		return append(dst, f.ColIndex)
	}
	for i := range f.Children {
		dst = appendLeaves(dst, &f.Children[i])
	}
	return dst
}

func (s *parquetSource) next() (b arrow.RecordBatch, err error) {
	defer protect(s.path, "Parquet", &err)
	for {
		if s.rr == nil {
			if s.rg >= s.pq.pf.NumRowGroups() {
				return nil, io.EOF
			}
			rr, err := s.pq.fr.GetRecordReader(s.ctx, s.leaves, []int{s.rg})
			if err != nil {
				return nil, errs.Input(corruptHint, "%s: row group %d: %v", s.path, s.rg, err)
			}
			s.rg++
			s.rr = rr
			if s.pos == nil {
				pos, err := positions(rr.Schema(), s.want)
				if err != nil {
					return nil, errs.Input("", "%s: %v", s.path, err)
				}
				s.pos = pos
			}
		}
		if s.rr.Next() {
			rec := s.rr.RecordBatch()
			s.rows += rec.NumRows()
			return pick(rec, s.pos), nil
		}
		err := s.rr.Err()
		s.rr.Release()
		s.rr = nil
		if err != nil {
			return nil, errs.Input(corruptHint, "%s: row group %d: %v", s.path, s.rg-1, err)
		}
	}
}

// positions returns the index in sc of each wanted column.
func positions(sc *arrow.Schema, want []string) ([]int, error) {
	pos := make([]int, len(want))
	for i, w := range want {
		idx := sc.FieldIndices(w)
		if len(idx) == 0 {
			return nil, fmt.Errorf("column %q missing from the decoded batch", w)
		}
		pos[i] = idx[0]
	}
	return pos, nil
}

// pick returns a new batch of rec's columns at pos, in that order.
func pick(rec arrow.RecordBatch, pos []int) arrow.RecordBatch {
	fields := make([]arrow.Field, len(pos))
	cols := make([]arrow.Array, len(pos))
	for i, p := range pos {
		fields[i] = rec.Schema().Field(p)
		cols[i] = rec.Column(p)
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, rec.NumRows())
}

func (s *parquetSource) finish() (int64, string, error) {
	sum, err := fileSHA256(s.path)
	return s.rows, sum, err
}

func (s *parquetSource) close() (err error) {
	defer protect(s.path, "Parquet", &err)
	if s.rr != nil {
		s.rr.Release()
		s.rr = nil
	}
	return s.pq.close()
}
