package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

// WriteJSON writes r as result.json: indented by two spaces, keys in a fixed
// order (struct fields in declaration order, map keys sorted), "<" and ">"
// left as they are, and a trailing newline. A zero SchemaVersion is written
// as checks.SchemaVersion; nil lists of inputs, models and checks are written
// as [].
//
// JSON has no NaN or infinity: a Result holding one anywhere is refused with
// an error naming the field, and nothing is written.
func WriteJSON(w io.Writer, r *checks.Result) error {
	if r == nil {
		return errs.Run("", "result.json: no result to write")
	}
	out := *r
	if out.SchemaVersion == 0 {
		out.SchemaVersion = checks.SchemaVersion
	}
	if out.SchemaVersion != checks.SchemaVersion {
		return errs.Run("", "result.json: cannot write schema_version %d (this build writes %d)", out.SchemaVersion, checks.SchemaVersion)
	}
	if out.Inputs == nil {
		out.Inputs = []checks.Input{}
	}
	if out.Models == nil {
		out.Models = []checks.Model{}
	}
	if out.Checks == nil {
		out.Checks = []checks.Outcome{}
	}
	// Plot data is free-form: write it as generic JSON values (objects with
	// sorted keys), as ReadJSON reads it back, so that a result written,
	// read and written again gives the same bytes.
	if len(out.Plots) > 0 {
		out.Plots = append([]checks.Plot(nil), out.Plots...)
		for i := range out.Plots {
			if out.Plots[i].Data == nil {
				continue
			}
			raw, err := json.Marshal(out.Plots[i].Data)
			if err != nil {
				return encodeError(r, err)
			}
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				return encodeError(r, err)
			}
			out.Plots[i].Data = v
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return encodeError(r, err)
	}
	return writeAll(w, "result.json", buf.Bytes())
}

// encodeError explains why r could not be encoded, naming the field that
// holds a non-finite number when there is one.
func encodeError(r *checks.Result, err error) error {
	const hint = "a check produced a value that is not a finite number; this is a bug in replaygate, please report it"
	if path, v, ok := findNonFinite(reflect.ValueOf(r).Elem(), "", 0); ok {
		where := path
		var i int
		if n, _ := fmt.Sscanf(path, "checks[%d]", &i); n == 1 && i < len(r.Checks) {
			where = fmt.Sprintf("%s (%s %s)", path, clean(r.Checks[i].Check), clean(r.Checks[i].Name))
		}
		return errs.Run(hint, "result.json: %s is %s, which JSON cannot represent", where, formatNumber(v))
	}
	return errs.Run("", "result.json: %v", err)
}

// findNonFinite walks v and returns the JSON path of the first NaN or
// infinite float in it. depth bounds the walk on cyclic data.
func findNonFinite(v reflect.Value, path string, depth int) (string, float64, bool) {
	if depth > 100 || !v.IsValid() {
		return "", 0, false
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return path, f, true
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return findNonFinite(v.Elem(), path, depth+1)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if p, f, ok := findNonFinite(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1); ok {
				return p, f, true
			}
		}
	case reflect.Map:
		// Visit entries in key order, as the encoder writes them.
		type entry struct {
			name string
			val  reflect.Value
		}
		entries := make([]entry, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			entries = append(entries, entry{fmt.Sprint(it.Key().Interface()), it.Value()})
		}
		slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
		for _, e := range entries {
			if p, f, ok := findNonFinite(e.val, path+"."+e.name, depth+1); ok {
				return p, f, true
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			p := name
			if path != "" {
				p = path + "." + name
			}
			if p, f, ok := findNonFinite(v.Field(i), p, depth+1); ok {
				return p, f, true
			}
		}
	}
	return "", 0, false
}

// ReadJSON reads a result.json written by WriteJSON. An unreadable file,
// invalid JSON (reported with line:column), a value of the wrong type, an
// unknown status or a schema_version this build does not know are input
// errors. Empty lists of inputs, models and checks read back as nil.
func ReadJSON(path string) (*checks.Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, errs.Input("check the path of the saved result (result.json in the output folder)", "%s: cannot read result: %v", path, err)
	}
	return decodeJSON(path, data)
}

// decodeJSON parses data, the contents of the file name, as a Result.
func decodeJSON(name string, data []byte) (*checks.Result, error) {
	const hint = "is this a result.json written by replaygate?"
	// Read the schema version first: a newer layout may not decode into
	// this build's Result at all, and the reader should hear why.
	var probe struct {
		SchemaVersion json.RawMessage `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, jsonError(name, data, err, hint)
	}
	if len(probe.SchemaVersion) == 0 || string(probe.SchemaVersion) == "null" {
		return nil, errs.Input(hint, "%s: no schema_version: not a replaygate result", name)
	}
	v, err := strconv.ParseInt(string(probe.SchemaVersion), 10, 64)
	switch {
	case err != nil:
		return nil, errs.Input(hint, "%s: schema_version %s is not a version number", name, truncate(clean(string(probe.SchemaVersion)), 40))
	case v > checks.SchemaVersion:
		return nil, errs.Input("upgrade replaygate to read this result",
			"%s: schema_version %d is newer than this replaygate understands (%d)", name, v, checks.SchemaVersion)
	case v != checks.SchemaVersion:
		return nil, errs.Input(hint, "%s: unknown schema_version %d (this replaygate reads %d)", name, v, checks.SchemaVersion)
	}

	var r checks.Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, jsonError(name, data, err, hint)
	}
	if err := validate(name, &r); err != nil {
		return nil, err
	}
	if len(r.Inputs) == 0 {
		r.Inputs = nil
	}
	if len(r.Models) == 0 {
		r.Models = nil
	}
	if len(r.Checks) == 0 {
		r.Checks = nil
	}
	return &r, nil
}

// validate checks what the JSON types alone do not: statuses and verdict
// are ones the renderers know.
func validate(name string, r *checks.Result) error {
	const hint = "status is one of pass, warn, fail, skip, error"
	if !knownStatus(r.Verdict) {
		return errs.Input(hint, "%s: verdict: unknown status %q", name, truncate(clean(string(r.Verdict)), 40))
	}
	for i, o := range r.Checks {
		if !knownStatus(o.Status) {
			return errs.Input(hint, "%s: checks[%d] (%s %s): unknown status %q", name, i,
				truncate(clean(o.Check), 40), truncate(clean(o.Name), 80), truncate(clean(string(o.Status)), 40))
		}
	}
	return nil
}

func knownStatus(s checks.Status) bool {
	switch s {
	case checks.Pass, checks.Warn, checks.Fail, checks.Skip, checks.Error:
		return true
	}
	return false
}

// jsonError turns an encoding/json error into an input error that names
// the file, the line and column, and what is wrong.
func jsonError(name string, data []byte, err error, hint string) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// The offending byte is the last one read; when the input ended
		// too early, point just past its last byte.
		off := max(int(syn.Offset)-1, 0)
		if syn.Error() == "unexpected end of JSON input" {
			off = len(data)
		}
		line, col := position(data, off)
		return errs.Input(hint, "%s:%d:%d: invalid JSON: %s", name, line, col, syntaxMessage(syn))
	case errors.As(err, &typ):
		line, col := position(data, valueStart(data, int(typ.Offset)))
		if typ.Field == "" {
			return errs.Input(hint, "%s:%d:%d: expected a JSON object, found %s", name, line, col, typ.Value)
		}
		k := typ.Type.Kind()
		if strings.HasPrefix(typ.Value, "number") && (k == reflect.Float64 || k == reflect.Float32 || k == reflect.Interface) {
			return errs.Input(hint, "%s:%d:%d: %s: %s is out of range", name, line, col, typ.Field, truncate(clean(typ.Value), 60))
		}
		return errs.Input(hint, "%s:%d:%d: %s: expected %s, found %s", name, line, col, typ.Field, jsonKind(typ.Type), truncate(clean(typ.Value), 60))
	}
	return errs.Input(hint, "%s: invalid JSON: %v", name, err)
}

// syntaxMessage is encoding/json's description of a syntax error, made safe
// to print (it quotes the offending byte as is).
func syntaxMessage(e *json.SyntaxError) string {
	return clean(e.Error())
}

// jsonKind names the JSON type a Go type is read from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "a " + t.String()
}

// valueStart finds where the JSON value that ends at byte offset end begins.
// encoding/json reports type errors at the end of a scalar value, or just
// after the opening bracket of an array or object.
func valueStart(data []byte, end int) int {
	if end > len(data) {
		end = len(data)
	}
	if end <= 0 {
		return 0
	}
	last := data[end-1]
	switch last {
	case '[', '{':
		return end - 1
	case '"':
		// Walk back to the opening quote, skipping escaped quotes.
		for i := end - 2; i >= 0; i-- {
			if data[i] != '"' {
				continue
			}
			slashes := 0
			for j := i - 1; j >= 0 && data[j] == '\\'; j-- {
				slashes++
			}
			if slashes%2 == 0 {
				return i
			}
		}
		return 0
	}
	i := end
	for i > 0 && !strings.ContainsRune(" \t\r\n,:[{", rune(data[i-1])) {
		i--
	}
	return i
}

// position converts a byte offset into a 1-based line and column; the
// column counts characters, not bytes.
func position(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, 1 + len([]rune(string(before)))
}
