package traffic

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/errs"
)

// InferRows is how many data rows (CSV) or lines (JSON Lines) of each text
// file Open reads to infer column types.
const InferRows = 1000

// inferRows is InferRows, lowered by the fuzz tests to reach the
// after-the-prefix paths with small inputs.
var inferRows = InferRows

// inferredTimeUnit is the unit of timestamp columns inferred from text.
const inferredTimeUnit = arrow.Microsecond

// isNullToken reports the CSV cells that are nulls in a non-string column
// (surrounding spaces ignored). In string columns only the empty cell is
// null (so that the country code "NA" stays a country).
func isNullToken(s string) bool {
	if s != "" && (s[0] == ' ' || s[len(s)-1] == ' ' || s[0] == '\t' || s[len(s)-1] == '\t') {
		s = strings.TrimSpace(s)
	}
	switch s {
	case "", "NA", "N/A", "null", "NULL", "None", "<NA>":
		return true
	}
	return false
}

// Inference: every non-null value narrows the set of types its column can
// still have.
const (
	canInt = 1 << iota
	canFloat
	canBool
	canTimeZoned
	canTimeNaive
	canTime
	canAll = canInt | canFloat | canBool | canTimeZoned | canTimeNaive | canTime
)

// inference tracks one text column's possible types.
type inference struct {
	seen     bool
	possible int
}

func (in *inference) observe(mask int) {
	if !in.seen {
		in.seen, in.possible = true, canAll
	}
	in.possible &= mask
}

// result is the inferred type, nil when no value was seen.
func (in *inference) result() arrow.DataType {
	switch p := in.possible; {
	case !in.seen:
		return nil
	case p&canInt != 0:
		return arrow.PrimitiveTypes.Int64
	case p&canFloat != 0:
		return arrow.PrimitiveTypes.Float64
	case p&canBool != 0:
		return arrow.FixedWidthTypes.Boolean
	case p&canTimeNaive != 0:
		return &arrow.TimestampType{Unit: inferredTimeUnit}
	case p&canTime != 0:
		return &arrow.TimestampType{Unit: inferredTimeUnit, TimeZone: "UTC"}
	}
	return arrow.BinaryTypes.String
}

// classifyText returns the inference mask of a non-null text value.
func classifyText(s string) int {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0
	}
	if _, err := strconv.ParseInt(t, 10, 64); err == nil {
		return canInt | canFloat
	}
	if _, err := strconv.ParseFloat(t, 64); err == nil {
		return canFloat
	}
	if strings.EqualFold(t, "true") || strings.EqualFold(t, "false") {
		return canBool
	}
	if _, zoned, ok := parseTime(t); ok {
		if zoned {
			return canTimeZoned | canTime
		}
		return canTimeNaive | canTime
	}
	return 0
}

// parseTime parses an RFC 3339 timestamp ("2024-05-01T12:30:00Z", with
// optional fraction and a numeric offset or Z), also with a space instead
// of the T. Without an offset it is a naive timestamp, returned as UTC.
func parseTime(s string) (time.Time, bool, bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || s[13] != ':' {
		return time.Time{}, false, false
	}
	switch s[10] {
	case 'T':
	case ' ', 't':
		s = s[:10] + "T" + s[11:]
	default:
		return time.Time{}, false, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true, true
	}
	if t, err := time.Parse("2006-01-02T15:04:05", s); err == nil {
		return t, false, true
	}
	return time.Time{}, false, false
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// textColumn builds one column of a text file's batch.
type textColumn struct {
	name    string
	typ     arrow.DataType
	b       array.Builder
	isNull  func(string) bool    // CSV cells that mean null for this type
	add     func(s string) error // appends a non-null text value
	addJSON func(v jsonValue) error
}

func (c *textColumn) release() { c.b.Release() }

// parseFailure describes a value that does not fit its column's type.
type parseFailure struct {
	value string
	typ   arrow.DataType
	why   string
}

func (e *parseFailure) Error() string {
	v := e.value
	if len(v) > 60 {
		v = v[:57] + "..."
	}
	if e.why != "" {
		return fmt.Sprintf("cannot read %q as %s: %s", v, typeName(e.typ), e.why)
	}
	return fmt.Sprintf("cannot read %q as %s", v, typeName(e.typ))
}

func newTextColumn(name string, typ arrow.DataType, capacity int) *textColumn {
	mem := memory.DefaultAllocator
	c := &textColumn{name: name, typ: typ, b: array.NewBuilder(mem, typ)}
	c.b.Reserve(capacity)
	fail := func(s, why string) error { return &parseFailure{value: s, typ: typ, why: why} }
	c.isNull = isNullToken
	switch b := c.b.(type) {
	case *array.StringBuilder:
		c.isNull = func(s string) bool { return s == "" }
		c.add = func(s string) error { b.Append(s); return nil }
	case *array.LargeStringBuilder:
		c.isNull = func(s string) bool { return s == "" }
		c.add = func(s string) error { b.Append(s); return nil }
	case *array.Int64Builder:
		c.add = func(s string) error {
			v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return fail(s, numErr(err))
			}
			b.Append(v)
			return nil
		}
	case *array.Float64Builder:
		c.add = func(s string) error {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil && !isRange(err) {
				return fail(s, "")
			}
			b.Append(v)
			return nil
		}
	case *array.BooleanBuilder:
		c.add = func(s string) error {
			v, ok := parseBool(strings.TrimSpace(s))
			if !ok {
				return fail(s, "expected true or false")
			}
			b.Append(v)
			return nil
		}
	case *array.TimestampBuilder:
		unit := typ.(*arrow.TimestampType).Unit
		c.add = func(s string) error {
			t, _, ok := parseTime(strings.TrimSpace(s))
			if !ok {
				return fail(s, "expected an RFC 3339 timestamp such as 2024-05-01T12:30:00Z")
			}
			v, err := arrow.TimestampFromTime(t, unit)
			if err != nil {
				return fail(s, "out of range")
			}
			b.Append(v)
			return nil
		}
	case *array.Int32Builder:
		c.add = intAdder(32, fail, func(v int64) { b.Append(int32(v)) })
	case *array.Int16Builder:
		c.add = intAdder(16, fail, func(v int64) { b.Append(int16(v)) })
	case *array.Int8Builder:
		c.add = intAdder(8, fail, func(v int64) { b.Append(int8(v)) })
	case *array.Uint64Builder:
		c.add = uintAdder(64, fail, func(v uint64) { b.Append(v) })
	case *array.Uint32Builder:
		c.add = uintAdder(32, fail, func(v uint64) { b.Append(uint32(v)) })
	case *array.Uint16Builder:
		c.add = uintAdder(16, fail, func(v uint64) { b.Append(uint16(v)) })
	case *array.Uint8Builder:
		c.add = uintAdder(8, fail, func(v uint64) { b.Append(uint8(v)) })
	case *array.Float32Builder:
		c.add = func(s string) error {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
			if err != nil && !isRange(err) {
				return fail(s, "")
			}
			b.Append(float32(v))
			return nil
		}
	default:
		// Only nulls can go into a column of a type text cannot spell.
		c.add = func(s string) error { return fail(s, "text files can only leave this column empty") }
	}
	c.addJSON = c.jsonAdder()
	return c
}

func intAdder(bits int, fail func(string, string) error, put func(int64)) func(string) error {
	return func(s string) error {
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, bits)
		if err != nil {
			return fail(s, numErr(err))
		}
		put(v)
		return nil
	}
}

func uintAdder(bits int, fail func(string, string) error, put func(uint64)) func(string) error {
	return func(s string) error {
		v, err := strconv.ParseUint(strings.TrimSpace(s), 10, bits)
		if err != nil {
			return fail(s, numErr(err))
		}
		put(v)
		return nil
	}
}

func numErr(err error) string {
	if isRange(err) {
		return "out of range"
	}
	return ""
}

// isRange: ParseFloat's ±Inf for huge values is a fine float.
func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// jsonAdder appends decoded JSON Lines values: numbers and booleans keep
// their literal text for string columns, nested values are stored as their
// JSON text in string columns.
func (c *textColumn) jsonAdder() func(v jsonValue) error {
	isString := c.typ.ID() == arrow.STRING || c.typ.ID() == arrow.LARGE_STRING
	_, isFloat := c.b.(*array.Float64Builder)
	fb, _ := c.b.(*array.Float64Builder)
	return func(v jsonValue) error {
		switch v.kind {
		case jsonNull:
			c.b.AppendNull()
			return nil
		case jsonString:
			if isString {
				return c.add(v.text)
			}
			if c.typ.ID() == arrow.TIMESTAMP {
				return c.add(v.text)
			}
			return &parseFailure{value: v.text, typ: c.typ, why: "a JSON string"}
		case jsonNumber:
			if isString {
				return c.add(v.text)
			}
			if isFloat {
				f, err := strconv.ParseFloat(v.text, 64)
				if err != nil && !isRange(err) {
					return &parseFailure{value: v.text, typ: c.typ}
				}
				fb.Append(f)
				return nil
			}
			switch c.typ.ID() {
			case arrow.BOOL, arrow.TIMESTAMP:
				return &parseFailure{value: v.text, typ: c.typ, why: "a JSON number"}
			}
			return c.add(v.text)
		case jsonBool:
			switch {
			case isString:
				return c.add(v.text)
			case c.typ.ID() == arrow.BOOL:
				return c.add(v.text)
			}
			return &parseFailure{value: v.text, typ: c.typ, why: "a JSON boolean"}
		default: // object or array
			if isString {
				return c.add(v.text)
			}
			return &parseFailure{value: v.text, typ: c.typ, why: "a nested JSON value"}
		}
	}
}

// textFile is a text file opened for reading: decompressed when it is
// gzip (by name or by magic bytes) and hashed on the way in.
type textFile struct {
	f    *os.File
	tee  io.Reader
	h    hash.Hash
	r    io.Reader
	gz   *gzip.Reader
	zip  bool
	path string
}

func openText(path string) (*textFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errs.Input("", "%s: %v", path, unwrapPathError(err))
	}
	t := &textFile{f: f, h: sha256.New(), path: path}
	t.tee = io.TeeReader(f, t.h)
	br := bufio.NewReaderSize(t.tee, 1<<20)
	t.r = br
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, errs.Input("the file is not valid gzip: recompress it or remove the .gz suffix",
				"%s: %v", path, err)
		}
		t.gz, t.zip = zr, true
		t.r = zr
	} else if _, gz := kindOf(path); gz {
		f.Close()
		return nil, errs.Input("the name ends in .gz but the content is not gzip: rename or recompress the file",
			"%s: not gzip-compressed", path)
	}
	return t, nil
}

// finish reads what the parser left of the file and returns its sha256.
func (t *textFile) finish() (string, error) {
	if _, err := io.Copy(io.Discard, t.tee); err != nil {
		return "", errs.Input("", "%s: %v", t.path, err)
	}
	return hex.EncodeToString(t.h.Sum(nil)), nil
}

func (t *textFile) close() error {
	if t.gz != nil {
		t.gz.Close()
	}
	return t.f.Close()
}

// readErr turns a read error below the parser (I/O, gzip) into an input
// error naming the file.
func (t *textFile) readErr(err error) error {
	if t.zip {
		return errs.Input("the gzip file is truncated or corrupt", "%s: %v", t.path, err)
	}
	return errs.Input("", "%s: %v", t.path, err)
}
