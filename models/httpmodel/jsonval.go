package httpmodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Spellings of non-finite numbers that servers write: Python's json module
// and TensorFlow Serving write bare NaN and Infinity tokens, which are not
// JSON; others quote them.
var nonFinite = map[string]float64{
	"NaN": math.NaN(), "nan": math.NaN(),
	"Infinity": math.Inf(1), "+Infinity": math.Inf(1), "inf": math.Inf(1),
	"-Infinity": math.Inf(-1), "-inf": math.Inf(-1),
}

// quoteBareTokens returns data with every bare NaN, Infinity and -Infinity
// token outside strings quoted, so that encoding/json accepts it; the
// quoted forms read back as those values (see scalar). data itself is
// returned when it holds no such token.
func quoteBareTokens(data []byte) []byte {
	var out []byte
	last := 0
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		var tok string
		switch c {
		case '"':
			inString = true
			continue
		case 'N':
			tok = "NaN"
		case 'I':
			tok = "Infinity"
		case '-', '+':
			tok = string(c) + "Infinity"
		default:
			continue
		}
		if !bytes.HasPrefix(data[i:], []byte(tok)) {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(data)+16)
		}
		out = append(out, data[last:i]...)
		out = append(out, '"')
		out = append(out, tok...)
		out = append(out, '"')
		i += len(tok) - 1
		last = i + 1
	}
	if out == nil {
		return data
	}
	return append(out, data[last:]...)
}

// parseJSON reads one JSON value with numbers kept as json.Number (full
// precision) and bare NaN/Infinity tokens tolerated.
func parseJSON(data []byte) (any, error) {
	if v, ok := parseFast(data); ok {
		return v, nil
	}
	return parseStd(data)
}

// parseStd is parseJSON by encoding/json alone.
func parseStd(data []byte) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("unreadable JSON: %v", r)
		}
	}()
	dec := json.NewDecoder(bytes.NewReader(quoteBareTokens(data)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty response")
		}
		return nil, fmt.Errorf("response is not JSON: %v (%s)", err, snippet(data))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("response holds more than one JSON value (%s)", snippet(data))
	}
	return v, nil
}

// snippet is the start of a response for an error message.
func snippet(data []byte) string {
	s := strings.TrimSpace(string(data))
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	if s == "" {
		return "empty body"
	}
	return strconv.Quote(s)
}

// rowErr is why one prediction entry gave no score.
type rowErr struct{ class, msg string }

// scalar reads a number: a JSON number, null or a non-finite spelling.
// A non-finite value is returned with class non_finite.
func scalar(v any) (float64, *rowErr) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return math.NaN(), &rowErr{"decode", fmt.Sprintf("prediction %q is not a number", string(x))}
		}
		if math.IsInf(f, 0) {
			return f, &rowErr{"non_finite", fmt.Sprintf("model output %s is beyond float64", string(x))}
		}
		return f, nil
	case string:
		if f, ok := nonFinite[x]; ok {
			return f, &rowErr{"non_finite", "model output is " + x}
		}
		return math.NaN(), &rowErr{"decode", fmt.Sprintf("prediction is the string %s, not a number", strconv.Quote(clip(x)))}
	case nil:
		return math.NaN(), &rowErr{"non_finite", "model output is null"}
	case bool:
		return math.NaN(), &rowErr{"decode", fmt.Sprintf("prediction is %v, not a number", x)}
	case []any:
		return math.NaN(), &rowErr{"decode", fmt.Sprintf("prediction is a list of %d, not a number", len(x))}
	case map[string]any:
		return math.NaN(), &rowErr{"decode", "prediction is an object, not a number"}
	}
	return math.NaN(), &rowErr{"decode", fmt.Sprintf("prediction is %T", v)}
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// entry reads one row's score from a prediction entry: a number; a list
// [p] (p), [p0, p1] (p1) or longer (its largest value); or an object, whose
// field named field is read, else its only numeric field.
func entry(v any, field string) (float64, *rowErr) {
	switch x := v.(type) {
	case []any:
		switch len(x) {
		case 0:
			return math.NaN(), &rowErr{"decode", "prediction is an empty list"}
		case 1:
			return entry(x[0], field)
		case 2:
			return scalar(x[1])
		}
		best := math.Inf(-1)
		for _, e := range x {
			f, err := scalar(e)
			if err != nil {
				return f, err
			}
			best = math.Max(best, f)
		}
		return best, nil
	case map[string]any:
		if field != "" {
			f, ok := x[field]
			if !ok {
				return math.NaN(), &rowErr{"decode", fmt.Sprintf("prediction has no field %q (fields: %s)", field, keys(x))}
			}
			return entry(f, "")
		}
		var found []string
		for k, f := range x {
			if isNumber(f) {
				found = append(found, k)
			}
		}
		if len(found) != 1 {
			sort.Strings(found)
			what := "no numeric field"
			if len(found) > 1 {
				what = "several numeric fields (" + strings.Join(found, ", ") + ")"
			}
			return math.NaN(), &rowErr{"decode", fmt.Sprintf("prediction object has %s; name the score field with output_name", what)}
		}
		return scalar(x[found[0]])
	}
	return scalar(v)
}

func isNumber(v any) bool {
	switch x := v.(type) {
	case json.Number:
		return true
	case string:
		_, ok := nonFinite[x]
		return ok
	}
	return false
}

func keys(m map[string]any) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	if len(ks) > 8 {
		ks = append(ks[:8], "...")
	}
	return strings.Join(ks, ", ")
}

// segment is one step of a score path: a field name, an index or "*".
type segment struct {
	name  string
	index int // -1 unless the segment is all digits
	all   bool
}

// parsePath reads a dotted score path: "score", "outputs.0.prob",
// "results.*.score"; "" is the whole response.
func parsePath(p string) ([]segment, error) {
	if p == "" {
		return nil, nil
	}
	var segs []segment
	for i, s := range strings.Split(p, ".") {
		switch {
		case s == "":
			return nil, fmt.Errorf("segment %d is empty", i+1)
		case s == "*":
			segs = append(segs, segment{name: s, index: -1, all: true})
		default:
			idx := -1
			if n, err := strconv.Atoi(s); err == nil && n >= 0 && strings.Trim(s, "0123456789") == "" {
				idx = n
			}
			segs = append(segs, segment{name: s, index: idx})
		}
	}
	return segs, nil
}

// walk follows path from v. It returns the values reached and whether a
// wildcard was crossed.
func walk(v any, path []segment) ([]any, bool, error) {
	vals := []any{v}
	wild := false
	for i, s := range path {
		at := pathString(path[:i+1])
		next := make([]any, 0, len(vals))
		for _, x := range vals {
			switch y := x.(type) {
			case []any:
				switch {
				case s.all:
					next = append(next, y...)
				case s.index >= 0 && s.index < len(y):
					next = append(next, y[s.index])
				case s.index >= 0:
					return nil, wild, fmt.Errorf("response has no %s: the list holds %d", at, len(y))
				default:
					return nil, wild, fmt.Errorf("response has a list at %s, not an object", pathString(path[:i]))
				}
			case map[string]any:
				if s.all {
					return nil, wild, fmt.Errorf("response has an object at %s, not a list", pathString(path[:i]))
				}
				f, ok := y[s.name]
				if !ok {
					return nil, wild, fmt.Errorf("response has no field %s (fields: %s)", at, keys(y))
				}
				next = append(next, f)
			default:
				return nil, wild, fmt.Errorf("response has no %s: %s is not an object or list", at, pathOrRoot(path[:i]))
			}
		}
		wild = wild || s.all
		vals = next
	}
	return vals, wild, nil
}

func pathString(p []segment) string {
	names := make([]string, len(p))
	for i, s := range p {
		names[i] = s.name
	}
	return strconv.Quote(strings.Join(names, "."))
}

func pathOrRoot(p []segment) string {
	if len(p) == 0 {
		return "the response"
	}
	return pathString(p)
}
