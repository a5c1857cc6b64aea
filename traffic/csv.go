package traffic

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/errs"
)

const csvTypeHint = "column types are inferred from the first %d rows of each CSV file; " +
	"fix or blank the value, or convert the file to Parquet with explicit column types"

func newCSVReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0 // the header fixes the count
	cr.ReuseRecord = true
	return cr
}

// csvError turns an encoding/csv error into an input error with file:line.
func csvError(tf *textFile, err error, header int, rec []string) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return tf.readErr(err)
	}
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		return errs.Input("every row needs as many fields as the header; quote fields that contain commas",
			"%s:%d: row has %d fields, header has %d", tf.path, pe.Line, len(rec), header)
	case errors.Is(pe.Err, csv.ErrBareQuote), errors.Is(pe.Err, csv.ErrQuote):
		return errs.Input(`quote fields that contain quotes and double the quotes inside them ("say ""hi""")`,
			"%s:%d:%d: %v", tf.path, pe.Line, pe.Column, pe.Err)
	}
	return errs.Input("", "%s:%d: %v", tf.path, pe.Line, pe.Err)
}

// readHeader reads and checks the header row; nil, nil for an empty file.
func readHeader(tf *textFile, cr *csv.Reader) ([]string, error) {
	rec, err := cr.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, csvError(tf, err, len(rec), rec)
	}
	header := append([]string(nil), rec...)
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	seen := map[string]int{}
	for i, h := range header {
		if h == "" {
			return nil, errs.Input("name every column in the header row (pandas: to_csv(..., index=False) drops the unnamed index)",
				"%s:1: column %d has an empty name", tf.path, i+1)
		}
		if j, ok := seen[h]; ok {
			return nil, errs.Input("give every column a distinct name",
				"%s:1: column %q appears twice (columns %d and %d)", tf.path, h, j+1, i+1)
		}
		seen[h] = i
	}
	return header, nil
}

// csvProbe reads a CSV file's header and infers each column's type from the
// first InferRows rows.
func csvProbe(path string) (*probe, error) {
	tf, err := openText(path)
	if err != nil {
		return nil, err
	}
	defer tf.close()
	p := &probe{path: path, format: FormatCSV, rows: -1}
	if tf.zip {
		p.format = FormatCSVGzip
	}
	cr := newCSVReader(tf.r)
	header, err := readHeader(tf, cr)
	if err != nil {
		return nil, err
	}
	if header == nil { // no bytes at all: no columns, no rows
		p.sparse, p.rows = true, 0
		return p, nil
	}
	infs := make([]inference, len(header))
	n := int64(0)
	for n < int64(inferRows) {
		rec, err := cr.Read()
		if err == io.EOF {
			p.rows = n
			break
		}
		if err != nil {
			return nil, csvError(tf, err, len(header), rec)
		}
		for i, cell := range rec {
			if !isNullToken(cell) {
				infs[i].observe(classifyText(cell))
			}
		}
		n++
	}
	for i, h := range header {
		p.cols = append(p.cols, column{name: h, typ: infs[i].result(), nullable: true, inferred: true})
	}
	return p, nil
}

// csvSource streams a CSV file as batches of the stream's columns.
type csvSource struct {
	tf     *textFile
	cr     *csv.Reader
	header int
	idx    []int // field of each stream column, -1 when the file lacks it
	cols   []*textColumn
	schema *arrow.Schema
	batch  int
	rows   int64
	done   bool
}

func openCSV(p *probe, schema *arrow.Schema, batch int) (source, error) {
	tf, err := openText(p.path)
	if err != nil {
		return nil, err
	}
	s := &csvSource{tf: tf, cr: newCSVReader(tf.r), schema: schema, batch: batch}
	header, err := readHeader(tf, s.cr)
	if err != nil {
		tf.close()
		return nil, err
	}
	s.header = len(header)
	pos := map[string]int{}
	for i, h := range header {
		pos[h] = i
	}
	for _, f := range schema.Fields() {
		i, ok := pos[f.Name]
		if !ok {
			i = -1
		}
		s.idx = append(s.idx, i)
		s.cols = append(s.cols, newTextColumn(f.Name, f.Type, batch))
	}
	if header == nil {
		s.done = true
	}
	return s, nil
}

func (s *csvSource) next() (arrow.RecordBatch, error) {
	if s.done {
		return nil, io.EOF
	}
	n := 0
	for n < s.batch {
		rec, err := s.cr.Read()
		if err == io.EOF {
			s.done = true
			break
		}
		if err != nil {
			return nil, csvError(s.tf, err, s.header, rec)
		}
		for j, c := range s.cols {
			i := s.idx[j]
			if i < 0 {
				c.b.AppendNull()
				continue
			}
			cell := rec[i]
			if c.isNull(cell) {
				c.b.AppendNull()
				continue
			}
			if err := c.add(cell); err != nil {
				line, col := s.cr.FieldPos(i)
				return nil, errs.Input(fmt.Sprintf(csvTypeHint, inferRows),
					"%s:%d:%d: column %q: %v", s.tf.path, line, col, c.name, err)
			}
		}
		n++
	}
	if n == 0 {
		return nil, io.EOF
	}
	s.rows += int64(n)
	return buildBatch(s.schema, s.cols, n), nil
}

func (s *csvSource) finish() (int64, string, error) {
	sum, err := s.tf.finish()
	return s.rows, sum, err
}

func (s *csvSource) close() error {
	for _, c := range s.cols {
		c.release()
	}
	return s.tf.close()
}
