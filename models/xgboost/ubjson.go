package xgboost

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// Universal Binary JSON (https://ubjson.org), the binary model format of
// XGBoost (model.ubj). ubjsonToJSON transcodes a document to JSON text so
// that one decoder (decodeJSON) serves both formats. Non-finite floats
// become the strings "NaN", "Infinity" and "-Infinity", as quoteNonFinite
// does for JSON models.

const maxUBJDepth = 256

type ubjReader struct {
	data []byte
	pos  int
	out  []byte
}

type ubjError struct {
	off int
	msg string
}

func (e *ubjError) Error() string { return fmt.Sprintf("byte offset %d: %s", e.off, e.msg) }

func ubjsonToJSON(data []byte) (out []byte, err error) {
	r := &ubjReader{data: data, out: make([]byte, 0, len(data)*2)}
	if err := r.value(0); err != nil {
		return nil, err
	}
	if r.pos != len(r.data) {
		return nil, r.errf("unexpected data after the end of the document")
	}
	return r.out, nil
}

func (r *ubjReader) errf(format string, args ...any) error {
	return &ubjError{off: r.pos, msg: fmt.Sprintf(format, args...)}
}

func (r *ubjReader) next() (byte, error) {
	if r.pos >= len(r.data) {
		return 0, r.errf("unexpected end of data (file truncated?)")
	}
	c := r.data[r.pos]
	r.pos++
	return c, nil
}

func (r *ubjReader) take(n int) ([]byte, error) {
	if n < 0 || n > len(r.data)-r.pos {
		return nil, r.errf("unexpected end of data: %d more bytes needed (file truncated?)", n)
	}
	b := r.data[r.pos : r.pos+n]
	r.pos += n
	return b, nil
}

// scalarSize is the payload size of a fixed-size scalar type marker, or -1.
func scalarSize(t byte) int {
	switch t {
	case 'i', 'U', 'C':
		return 1
	case 'I':
		return 2
	case 'l', 'd':
		return 4
	case 'L', 'D':
		return 8
	case 'Z', 'T', 'F', 'N':
		return 0
	}
	return -1
}

// integer reads an integer of type t (used for lengths and counts).
func (r *ubjReader) integer(t byte) (int64, error) {
	n := scalarSize(t)
	if n <= 0 || t == 'd' || t == 'D' || t == 'C' {
		return 0, r.errf("expected an integer type marker, found %q", t)
	}
	b, err := r.take(n)
	if err != nil {
		return 0, err
	}
	switch t {
	case 'i':
		return int64(int8(b[0])), nil
	case 'U':
		return int64(b[0]), nil
	case 'I':
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case 'l':
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	default:
		return int64(binary.BigEndian.Uint64(b)), nil
	}
}

func (r *ubjReader) length() (int, error) {
	t, err := r.next()
	if err != nil {
		return 0, err
	}
	n, err := r.integer(t)
	if err != nil {
		return 0, err
	}
	if n < 0 || n > int64(len(r.data)) {
		return 0, r.errf("invalid length %d", n)
	}
	return int(n), nil
}

func (r *ubjReader) str() error {
	n, err := r.length()
	if err != nil {
		return err
	}
	b, err := r.take(n)
	if err != nil {
		return err
	}
	if !utf8.Valid(b) {
		return r.errf("string is not valid UTF-8")
	}
	r.out = strconv.AppendQuote(r.out, string(b))
	return nil
}

func (r *ubjReader) float(f float64, bits int) {
	switch {
	case math.IsNaN(f):
		r.out = append(r.out, `"NaN"`...)
	case math.IsInf(f, 1):
		r.out = append(r.out, `"Infinity"`...)
	case math.IsInf(f, -1):
		r.out = append(r.out, `"-Infinity"`...)
	default:
		r.out = strconv.AppendFloat(r.out, f, 'g', -1, bits)
	}
}

// scalar writes the payload of a value whose type marker t was read.
func (r *ubjReader) scalar(t byte, depth int) error {
	switch t {
	case 'Z':
		r.out = append(r.out, "null"...)
	case 'T':
		r.out = append(r.out, "true"...)
	case 'F':
		r.out = append(r.out, "false"...)
	case 'i', 'U', 'I', 'l', 'L':
		n, err := r.integer(t)
		if err != nil {
			return err
		}
		r.out = strconv.AppendInt(r.out, n, 10)
	case 'd':
		b, err := r.take(4)
		if err != nil {
			return err
		}
		r.float(float64(math.Float32frombits(binary.BigEndian.Uint32(b))), 32)
	case 'D':
		b, err := r.take(8)
		if err != nil {
			return err
		}
		r.float(math.Float64frombits(binary.BigEndian.Uint64(b)), 64)
	case 'C':
		b, err := r.take(1)
		if err != nil {
			return err
		}
		r.out = strconv.AppendQuote(r.out, string(rune(b[0])))
	case 'S':
		return r.str()
	case 'H':
		n, err := r.length()
		if err != nil {
			return err
		}
		b, err := r.take(n)
		if err != nil {
			return err
		}
		if _, err := strconv.ParseFloat(string(b), 64); err != nil {
			return r.errf("invalid high-precision number %q", clip(b))
		}
		r.out = append(r.out, b...)
	case '[':
		return r.container(false, depth)
	case '{':
		return r.container(true, depth)
	default:
		return r.errf("unknown type marker %q", t)
	}
	return nil
}

func (r *ubjReader) value(depth int) error {
	for {
		t, err := r.next()
		if err != nil {
			return err
		}
		if t == 'N' { // no-op
			continue
		}
		return r.scalar(t, depth)
	}
}

// container reads an array or object after its opening marker, including
// the optimized forms with a shared element type ($) and a count (#).
func (r *ubjReader) container(object bool, depth int) error {
	if depth >= maxUBJDepth {
		return r.errf("containers nested deeper than %d levels", maxUBJDepth)
	}
	open, closing := byte('['), byte(']')
	if object {
		open, closing = '{', '}'
	}
	var elemType byte
	count := -1
	if r.pos < len(r.data) && r.data[r.pos] == '$' {
		r.pos++
		t, err := r.next()
		if err != nil {
			return err
		}
		if scalarSize(t) == 0 {
			return r.errf("unsupported container element type %q", t)
		}
		if scalarSize(t) < 0 && t != 'S' && t != 'H' && t != '[' && t != '{' {
			return r.errf("unknown type marker %q", t)
		}
		elemType = t
		if r.pos >= len(r.data) || r.data[r.pos] != '#' {
			return r.errf("a typed container must have a count")
		}
	}
	if r.pos < len(r.data) && r.data[r.pos] == '#' {
		r.pos++
		n, err := r.length()
		if err != nil {
			return err
		}
		if sz := scalarSize(elemType); sz > 0 && n > (len(r.data)-r.pos)/sz {
			return r.errf("container of %d elements runs past the end of data (file truncated?)", n)
		}
		count = n
	}
	r.out = append(r.out, open)
	for i := 0; count < 0 || i < count; i++ {
		if count < 0 {
			// skip no-ops, stop at the closing marker
			for r.pos < len(r.data) && r.data[r.pos] == 'N' {
				r.pos++
			}
			if r.pos >= len(r.data) {
				return r.errf("unexpected end of data inside a container (file truncated?)")
			}
			if r.data[r.pos] == closing {
				r.pos++
				break
			}
		}
		if i > 0 {
			r.out = append(r.out, ',')
		}
		if object {
			if err := r.str(); err != nil {
				return err
			}
			r.out = append(r.out, ':')
		}
		var err error
		if elemType != 0 {
			err = r.scalar(elemType, depth+1)
		} else {
			err = r.value(depth + 1)
		}
		if err != nil {
			return err
		}
	}
	r.out = append(r.out, closing)
	return nil
}

// looksLikeUBJSON tells a UBJSON document from a JSON one by its first bytes:
// both open with '{', but a UBJSON object continues with a length type
// marker (or '$', '#', '}'), a JSON object with whitespace, '"' or '}'.
func looksLikeUBJSON(data []byte) bool {
	if len(data) < 2 || data[0] != '{' {
		return false
	}
	switch data[1] {
	case 'i', 'U', 'I', 'l', 'L', '$', '#':
		return true
	}
	return false
}

var errEmpty = errors.New("the file is empty")
