package traffic

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/replaygate/replaygate/errs"
)

type jsonKind int

const (
	jsonNull jsonKind = iota
	jsonString
	jsonNumber
	jsonBool
	jsonNested // object or array
)

// jsonValue is one top-level value of a JSON Lines object: the string's
// content for strings, the literal text otherwise.
type jsonValue struct {
	kind jsonKind
	text string
}

const jsonlHint = "JSON Lines needs one JSON object per line"

// lineReader yields the lines of a text stream with their numbers, skipping
// blank ones.
type lineReader struct {
	br   *bufio.Reader
	line int
	buf  []byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 1<<16)}
}

// next returns the next non-blank line (without its line ending) and its
// 1-based number; the slice is valid until the next call.
func (lr *lineReader) next() ([]byte, int, error) {
	for {
		lr.buf = lr.buf[:0]
		var err error
		for {
			var chunk []byte
			chunk, err = lr.br.ReadSlice('\n')
			lr.buf = append(lr.buf, chunk...)
			if err != bufio.ErrBufferFull {
				break
			}
		}
		if err != nil && err != io.EOF {
			return nil, 0, err
		}
		if len(lr.buf) == 0 && err == io.EOF {
			return nil, 0, io.EOF
		}
		lr.line++
		b := bytes.TrimRight(lr.buf, "\r\n")
		if lr.line == 1 {
			b = bytes.TrimPrefix(b, []byte("\ufeff"))
		}
		if len(bytes.TrimSpace(b)) == 0 {
			if err == io.EOF {
				return nil, 0, io.EOF
			}
			continue
		}
		return b, lr.line, nil
	}
}

// parseObject splits one line holding a JSON object into its top-level
// keys and values, calling fn for each. It validates the whole line first,
// so the scanner below can rely on well-formed input.
func parseObject(line []byte, fn func(key []byte, v jsonValue) error) error {
	if !json.Valid(line) {
		var v any
		err := json.Unmarshal(line, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, se)
		}
		if err == nil {
			err = errors.New("invalid JSON")
		}
		return fmt.Errorf("invalid JSON: %v", err)
	}
	s := jsonScanner{b: line}
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return fmt.Errorf("expected a JSON object, found %s", describeJSON(s.b[s.i:]))
	}
	s.i++
	s.space()
	if s.b[s.i] == '}' {
		return nil
	}
	for {
		s.space()
		key := s.str()
		if bytes.IndexByte(key, '\\') < 0 {
			key = key[1 : len(key)-1]
		} else {
			k, err := unquote(key)
			if err != nil {
				return err
			}
			key = []byte(k)
		}
		s.space()
		s.i++ // ':'
		s.space()
		v, err := s.value()
		if err != nil {
			return err
		}
		if err := fn(key, v); err != nil {
			return err
		}
		s.space()
		if s.b[s.i] == '}' {
			return nil
		}
		s.i++ // ','
	}
}

func describeJSON(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// jsonScanner walks a line that json.Valid accepted.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// str returns the raw string token at s.i, quotes included.
func (s *jsonScanner) str() []byte {
	start := s.i
	s.i++
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
			continue
		case '"':
			s.i++
			return s.b[start:s.i]
		}
		s.i++
	}
	return s.b[start:]
}

func (s *jsonScanner) value() (jsonValue, error) {
	switch c := s.b[s.i]; {
	case c == '"':
		raw := s.str()
		text, err := unquote(raw)
		return jsonValue{kind: jsonString, text: text}, err
	case c == '{' || c == '[':
		start := s.i
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				s.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				break
			}
		}
		return jsonValue{kind: jsonNested, text: string(s.b[start:s.i])}, nil
	default:
		start := s.i
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				goto done
			}
			s.i++
		}
	done:
		lit := string(s.b[start:s.i])
		switch lit {
		case "null":
			return jsonValue{kind: jsonNull}, nil
		case "true", "false":
			return jsonValue{kind: jsonBool, text: lit}, nil
		}
		return jsonValue{kind: jsonNumber, text: lit}, nil
	}
}

// unquote decodes a raw JSON string token.
func unquote(raw []byte) (string, error) {
	if len(raw) >= 2 && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("invalid JSON string: %v", err)
	}
	return s, nil
}

// classifyJSON returns the inference mask of a non-null JSON value.
func classifyJSON(v jsonValue) int {
	switch v.kind {
	case jsonNumber:
		if bytes.ContainsAny([]byte(v.text), ".eE") {
			return canFloat
		}
		if _, err := strconv.ParseInt(v.text, 10, 64); err == nil {
			return canInt | canFloat
		}
		return canFloat
	case jsonBool:
		return canBool
	case jsonString:
		if _, zoned, ok := parseTime(v.text); ok {
			if zoned {
				return canTimeZoned | canTime
			}
			return canTimeNaive | canTime
		}
	}
	return 0
}

// jsonlProbe infers a JSON Lines file's columns from its first InferRows
// non-blank lines. Keys are columns in order of first appearance.
func jsonlProbe(path string) (*probe, error) {
	tf, err := openText(path)
	if err != nil {
		return nil, err
	}
	defer tf.close()
	p := &probe{path: path, format: FormatJSONL, rows: -1, sparse: true}
	if tf.zip {
		p.format = FormatJSONLGzip
	}
	lr := newLineReader(tf.r)
	index := map[string]int{}
	var infs []inference
	n := int64(0)
	for n < int64(inferRows) {
		line, ln, err := lr.next()
		if err == io.EOF {
			p.rows = n
			break
		}
		if err != nil {
			return nil, tf.readErr(err)
		}
		if n == 0 && bytes.TrimSpace(line)[0] == '[' {
			return nil, errs.Input(jsonlHint+": this file is one JSON array; write one object per line",
				"%s:1: a JSON array, not JSON Lines", path)
		}
		err = parseObject(line, func(key []byte, v jsonValue) error {
			i, ok := index[string(key)]
			if !ok {
				i = len(p.cols)
				index[string(key)] = i
				p.cols = append(p.cols, column{name: string(key), nullable: true, inferred: true})
				infs = append(infs, inference{})
			}
			if v.kind != jsonNull {
				infs[i].observe(classifyJSON(v))
			}
			return nil
		})
		if err != nil {
			return nil, errs.Input(jsonlHint, "%s:%d: %v", path, ln, err)
		}
		n++
	}
	for i := range p.cols {
		p.cols[i].typ = infs[i].result()
	}
	return p, nil
}

// jsonlSource streams a JSON Lines file as batches of the stream's columns.
type jsonlSource struct {
	tf     *textFile
	lr     *lineReader
	path   string
	schema *arrow.Schema
	cols   []*textColumn
	index  map[string]int
	set    []bool
	batch  int
	rows   int64
	done   bool
	strict bool // every key must be a column (no projection)
}

func openJSONL(p *probe, schema *arrow.Schema, batch int, projected bool) (source, error) {
	tf, err := openText(p.path)
	if err != nil {
		return nil, err
	}
	s := &jsonlSource{tf: tf, lr: newLineReader(tf.r), path: p.path, schema: schema, batch: batch,
		index: map[string]int{}, strict: !projected}
	for i, f := range schema.Fields() {
		s.cols = append(s.cols, newTextColumn(f.Name, f.Type, batch))
		s.index[f.Name] = i
	}
	s.set = make([]bool, len(s.cols))
	return s, nil
}

func (s *jsonlSource) next() (arrow.RecordBatch, error) {
	if s.done {
		return nil, io.EOF
	}
	n := 0
	for n < s.batch {
		line, ln, err := s.lr.next()
		if err == io.EOF {
			s.done = true
			break
		}
		if err != nil {
			return nil, s.tf.readErr(err)
		}
		clear(s.set)
		err = parseObject(line, func(key []byte, v jsonValue) error {
			i, ok := s.index[string(key)]
			if !ok {
				if s.strict {
					return errs.Input(fmt.Sprintf("the schema comes from the first %d lines of each file; select columns explicitly, or put a line with every key first", inferRows),
						"%s:%d: key %q is not a column (it first appears after the lines used to infer the schema)", s.path, ln, key)
				}
				return nil
			}
			if s.set[i] {
				return errs.Input(jsonlHint, "%s:%d: key %q appears twice", s.path, ln, key)
			}
			s.set[i] = true
			if err := s.cols[i].addJSON(v); err != nil {
				return errs.Input(fmt.Sprintf("the column type was inferred from the first %d lines of the files; fix the value, or convert the file to Parquet with explicit types", inferRows),
					"%s:%d: column %q: %v", s.path, ln, key, err)
			}
			return nil
		})
		if err != nil {
			var e *errs.Error
			if errors.As(err, &e) {
				return nil, err
			}
			return nil, errs.Input(jsonlHint, "%s:%d: %v", s.path, ln, err)
		}
		for i, ok := range s.set {
			if !ok {
				s.cols[i].b.AppendNull()
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

func (s *jsonlSource) finish() (int64, string, error) {
	sum, err := s.tf.finish()
	return s.rows, sum, err
}

func (s *jsonlSource) close() error {
	for _, c := range s.cols {
		c.release()
	}
	return s.tf.close()
}

// buildBatch turns the builders' contents into a batch (and resets them).
func buildBatch(schema *arrow.Schema, cols []*textColumn, n int) arrow.RecordBatch {
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		arrs[i] = c.b.NewArray()
	}
	rec := array.NewRecordBatch(schema, arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return rec
}
