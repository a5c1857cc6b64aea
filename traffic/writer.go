package traffic

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/replaygate/replaygate/errs"
)

// WriterRowGroup is the number of rows per row group in Parquet output.
const WriterRowGroup = 128 * 1024

// writerExtensions lists what Create writes, by file name ending.
var writerExtensions = []string{".parquet", ".pq", ".arrow", ".feather", ".ipc", ".arrows",
	".csv", ".csv.gz", ".jsonl", ".jsonl.gz", ".ndjson"}

// Writer writes record batches to one file in the format its name says.
// It is not safe for concurrent use.
type Writer struct {
	path   string
	f      *os.File
	buf    *bufio.Writer
	gz     *gzip.Writer
	schema *arrow.Schema
	enc    encoder
	closed bool
}

type encoder interface {
	write(b arrow.RecordBatch) error
	close() error
}

// CheckOutputName says whether Create can tell an output format from the
// name of path, so that a command can refuse a bad --out before it works.
func CheckOutputName(path string) error {
	name := strings.ToLower(filepath.Base(path))
	if k, _ := kindOf(path); k == kindUnknown || strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".json.gz") {
		return errs.Input("supported: "+strings.Join(writerExtensions, " "),
			"%s: cannot tell the output format from the file name", path)
	}
	return nil
}

// Create creates (or truncates) path and returns a writer for batches of
// schema, in the format of its extension: Parquet (.parquet, .pq; zstd,
// WriterRowGroup rows per row group, the Arrow schema stored so types
// round-trip), Arrow IPC file (.arrow, .feather, .ipc) or stream (.arrows),
// CSV (.csv, .csv.gz) or JSON Lines (.jsonl, .ndjson, .jsonl.gz).
func Create(path string, schema *arrow.Schema) (*Writer, error) {
	name := strings.ToLower(filepath.Base(path))
	gz := strings.HasSuffix(name, ".gz")
	k, _ := kindOf(path)
	if err := CheckOutputName(path); err != nil {
		return nil, err
	}
	if k == kindCSV || k == kindJSONL {
		for _, f := range schema.Fields() {
			if !textWritable(f.Type) {
				return nil, errs.Input("write .parquet or .arrow instead, which hold any Arrow type",
					"%s: column %q has type %s, which %s cannot hold", path, f.Name, f.Type, map[kind]string{kindCSV: "CSV", kindJSONL: "JSON Lines"}[k])
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, errs.Input("check that the output folder exists and is writable", "%s: %v", path, unwrapPathError(err))
	}
	w := &Writer{path: path, f: f, buf: bufio.NewWriterSize(f, 1<<20), schema: schema}
	var out io.Writer = w.buf
	if gz {
		w.gz = gzip.NewWriter(w.buf)
		out = w.gz
	}
	switch k {
	case kindParquet:
		// Dictionary-encode string columns only: for high-cardinality
		// numbers (scores, latencies) the dictionary costs most of the
		// write time and is dropped for plain encoding anyway.
		opts := []parquet.WriterProperty{
			parquet.WithCompression(compress.Codecs.Zstd),
			parquet.WithMaxRowGroupLength(WriterRowGroup),
			parquet.WithDictionaryDefault(false),
		}
		for _, f := range schema.Fields() {
			switch f.Type.ID() {
			case arrow.STRING, arrow.LARGE_STRING, arrow.DICTIONARY:
				opts = append(opts, parquet.WithDictionaryFor(f.Name, true))
			}
		}
		props := parquet.NewWriterProperties(opts...)
		fw, err := pqarrow.NewFileWriter(schema, out, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		if err != nil {
			f.Close()
			return nil, errs.Input("", "%s: cannot write this schema as Parquet: %v", path, err)
		}
		w.enc = &parquetEncoder{fw: fw}
	case kindArrow:
		fw, err := ipc.NewFileWriter(out, ipc.WithSchema(schema))
		if err != nil {
			f.Close()
			return nil, errs.Input("", "%s: cannot write this schema as Arrow: %v", path, err)
		}
		w.enc = &ipcEncoder{w: fw}
	case kindArrowStream:
		w.enc = &ipcEncoder{w: ipc.NewWriter(out, ipc.WithSchema(schema))}
	case kindCSV:
		w.enc = newCSVEncoder(out, schema)
	case kindJSONL:
		w.enc = newJSONLEncoder(out, schema)
	}
	return w, nil
}

// Write appends a batch whose columns match the writer's schema by name
// and type.
func (w *Writer) Write(b arrow.RecordBatch) error {
	if w.closed {
		return errs.Run("", "%s: write after close", w.path)
	}
	sc := b.Schema()
	if sc.NumFields() != w.schema.NumFields() {
		return errs.Run("", "%s: batch has %d columns, the file %d", w.path, sc.NumFields(), w.schema.NumFields())
	}
	for i, f := range w.schema.Fields() {
		g := sc.Field(i)
		if g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) {
			return errs.Run("", "%s: batch column %d is %s %s, the file's is %s %s", w.path, i, g.Name, g.Type, f.Name, f.Type)
		}
	}
	if !sc.Equal(w.schema) {
		b = array.NewRecordBatch(w.schema, b.Columns(), b.NumRows())
		defer b.Release()
	}
	if err := w.enc.write(b); err != nil {
		return errs.Run("check the output folder is writable and has space", "writing %s: %v", w.path, err)
	}
	return nil
}

// Close finishes the file (footers, buffers) and closes it.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.enc.close()
	if w.gz != nil {
		if e := w.gz.Close(); err == nil {
			err = e
		}
	}
	if e := w.buf.Flush(); err == nil {
		err = e
	}
	if e := w.f.Close(); err == nil {
		err = e
	}
	if err != nil {
		return errs.Run("check the output folder is writable and has space", "writing %s: %v", w.path, err)
	}
	return nil
}

type parquetEncoder struct{ fw *pqarrow.FileWriter }

func (e *parquetEncoder) write(b arrow.RecordBatch) error { return e.fw.WriteBuffered(b) }
func (e *parquetEncoder) close() error                    { return e.fw.Close() }

type ipcWriter interface {
	Write(arrow.RecordBatch) error
	Close() error
}

type ipcEncoder struct{ w ipcWriter }

func (e *ipcEncoder) write(b arrow.RecordBatch) error { return e.w.Write(b) }
func (e *ipcEncoder) close() error                    { return e.w.Close() }

// textWritable reports the types the CSV and JSON Lines writers can spell.
func textWritable(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64,
		arrow.STRING, arrow.LARGE_STRING, arrow.TIMESTAMP, arrow.DATE32, arrow.DATE64, arrow.NULL:
		return true
	case arrow.DICTIONARY:
		return textWritable(t.(*arrow.DictionaryType).ValueType)
	}
	return false
}

// cellKind says how a text cell is quoted in JSON.
type cellKind int

const (
	cellNull cellKind = iota
	cellBare          // numbers and booleans
	cellString
)

// textFormatter returns the text of row i of arr and how it is typed.
// Floats always show a decimal point or exponent, so an integral float
// reads back as a float; NaN and infinities are "NaN", "+Inf", "-Inf".
func textFormatter(arr arrow.Array) (func(i int) (string, cellKind), func(), error) {
	noop := func() {}
	if arr.DataType().ID() == arrow.DICTIONARY {
		dense, err := convertArray(arr, arr.DataType().(*arrow.DictionaryType).ValueType)
		if err != nil {
			return nil, nil, err
		}
		f, rel, err := textFormatter(dense)
		if err != nil {
			dense.Release()
			return nil, nil, err
		}
		return f, func() { rel(); dense.Release() }, nil
	}
	wrap := func(get func(i int) (string, cellKind)) func(i int) (string, cellKind) {
		return func(i int) (string, cellKind) {
			if arr.IsNull(i) {
				return "", cellNull
			}
			return get(i)
		}
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return wrap(func(i int) (string, cellKind) { return strconv.FormatBool(a.Value(i)), cellBare }), noop, nil
	case *array.Int8:
		return wrap(func(i int) (string, cellKind) { return strconv.FormatInt(int64(a.Value(i)), 10), cellBare }), noop, nil
	case *array.Int16:
		return wrap(func(i int) (string, cellKind) { return strconv.FormatInt(int64(a.Value(i)), 10), cellBare }), noop, nil
	case *array.Int32:
		return wrap(func(i int) (string, cellKind) { return strconv.FormatInt(int64(a.Value(i)), 10), cellBare }), noop, nil
	case *array.Int64:
		return wrap(func(i int) (string, cellKind) { return strconv.FormatInt(a.Value(i), 10), cellBare }), noop, nil
	case *array.Uint8:
		return wrap(func(i int) (string, cellKind) { return strconv.FormatUint(uint64(a.Value(i)), 10), cellBare }), noop, nil
	case *array.Uint16:
		return wrap(func(i int) (string, cellKind) { return strconv.FormatUint(uint64(a.Value(i)), 10), cellBare }), noop, nil
	case *array.Uint32:
		return wrap(func(i int) (string, cellKind) { return strconv.FormatUint(uint64(a.Value(i)), 10), cellBare }), noop, nil
	case *array.Uint64:
		return wrap(func(i int) (string, cellKind) { return strconv.FormatUint(a.Value(i), 10), cellBare }), noop, nil
	case *array.Float32:
		return wrap(func(i int) (string, cellKind) { return formatFloat(float64(a.Value(i)), 32) }), noop, nil
	case *array.Float64:
		return wrap(func(i int) (string, cellKind) { return formatFloat(a.Value(i), 64) }), noop, nil
	case *array.String:
		return wrap(func(i int) (string, cellKind) { return a.Value(i), cellString }), noop, nil
	case *array.LargeString:
		return wrap(func(i int) (string, cellKind) { return a.Value(i), cellString }), noop, nil
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		layout := time.RFC3339Nano
		if tt.TimeZone == "" {
			layout = "2006-01-02T15:04:05.999999999"
		}
		return wrap(func(i int) (string, cellKind) {
			return a.Value(i).ToTime(tt.Unit).UTC().Format(layout), cellString
		}), noop, nil
	case *array.Date32:
		return wrap(func(i int) (string, cellKind) { return a.Value(i).ToTime().Format("2006-01-02"), cellString }), noop, nil
	case *array.Date64:
		return wrap(func(i int) (string, cellKind) { return a.Value(i).ToTime().Format("2006-01-02"), cellString }), noop, nil
	case *array.Null:
		return func(int) (string, cellKind) { return "", cellNull }, noop, nil
	}
	return nil, nil, fmt.Errorf("cannot write type %s as text", arr.DataType())
}

func formatFloat(v float64, bits int) (string, cellKind) {
	switch {
	case math.IsNaN(v):
		return "NaN", cellBare
	case math.IsInf(v, 1):
		return "+Inf", cellBare
	case math.IsInf(v, -1):
		return "-Inf", cellBare
	}
	s := strconv.FormatFloat(v, 'g', -1, bits)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s, cellBare
}

// formatters builds one text formatter per column of b.
func formatters(b arrow.RecordBatch) ([]func(int) (string, cellKind), func(), error) {
	fs := make([]func(int) (string, cellKind), b.NumCols())
	var rels []func()
	release := func() {
		for _, r := range rels {
			r()
		}
	}
	for j := range fs {
		f, rel, err := textFormatter(b.Column(j))
		if err != nil {
			release()
			return nil, nil, fmt.Errorf("column %q: %w", b.Schema().Field(j).Name, err)
		}
		fs[j], rels = f, append(rels, rel)
	}
	return fs, release, nil
}

// csvEncoder writes a header row, then one row per record (RFC 4180
// quoting); nulls are empty cells.
type csvEncoder struct {
	w      io.Writer
	schema *arrow.Schema
	header bool
	line   []byte
}

func newCSVEncoder(w io.Writer, schema *arrow.Schema) *csvEncoder {
	return &csvEncoder{w: w, schema: schema}
}

func (e *csvEncoder) writeHeader() error {
	if e.header {
		return nil
	}
	e.header = true
	line := e.line[:0]
	for i, f := range e.schema.Fields() {
		if i > 0 {
			line = append(line, ',')
		}
		line = appendCSVField(line, f.Name, e.schema.NumFields() == 1)
	}
	e.line = append(line, '\n')
	_, err := e.w.Write(e.line)
	return err
}

func (e *csvEncoder) write(b arrow.RecordBatch) error {
	if err := e.writeHeader(); err != nil {
		return err
	}
	fs, release, err := formatters(b)
	if err != nil {
		return err
	}
	defer release()
	single := len(fs) == 1
	for i := 0; i < int(b.NumRows()); i++ {
		line := e.line[:0]
		for j, f := range fs {
			if j > 0 {
				line = append(line, ',')
			}
			s, _ := f(i)
			line = appendCSVField(line, s, single)
		}
		e.line = append(line, '\n')
		if _, err := e.w.Write(e.line); err != nil {
			return err
		}
	}
	return nil
}

// appendCSVField appends one field, quoted when it holds a comma, quote,
// line break or leading space, or when it is the empty only field of a row
// (an empty line would be skipped on reading).
func appendCSVField(dst []byte, s string, only bool) []byte {
	quote := (only && s == "") || strings.ContainsAny(s, ",\"\r\n") || (s != "" && (s[0] == ' ' || s[0] == '\t'))
	if !quote {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

func (e *csvEncoder) close() error { return e.writeHeader() }

// jsonlEncoder writes one object per row, keys in schema order; nulls,
// NaN and infinities are null.
type jsonlEncoder struct {
	w    io.Writer
	keys [][]byte
	line []byte
}

func newJSONLEncoder(w io.Writer, schema *arrow.Schema) *jsonlEncoder {
	e := &jsonlEncoder{w: w}
	for _, f := range schema.Fields() {
		e.keys = append(e.keys, appendJSONString(nil, f.Name))
	}
	return e
}

func (e *jsonlEncoder) write(b arrow.RecordBatch) error {
	fs, release, err := formatters(b)
	if err != nil {
		return err
	}
	defer release()
	for i := 0; i < int(b.NumRows()); i++ {
		line := append(e.line[:0], '{')
		for j, f := range fs {
			if j > 0 {
				line = append(line, ',')
			}
			line = append(line, e.keys[j]...)
			line = append(line, ':')
			s, kind := f(i)
			switch {
			case kind == cellNull:
				line = append(line, "null"...)
			case kind == cellString:
				line = appendJSONString(line, s)
			case s == "NaN" || s == "+Inf" || s == "-Inf":
				line = append(line, "null"...)
			default:
				line = append(line, s...)
			}
		}
		line = append(line, '}', '\n')
		e.line = line
		if _, err := e.w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

func (e *jsonlEncoder) close() error { return nil }

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
