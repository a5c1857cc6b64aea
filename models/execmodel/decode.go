package execmodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// response is one decoded response line.
type response struct {
	id    string
	score float64
	msg   string // per-row error message; "" for a score
	class string // per-row error class (model_error, non_finite, decode); "" for a score
}

// maxQuoted bounds the text of a line quoted in an error message.
const maxQuoted = 120

// decodeLine reads one response line: {"id": ..., "score": number} or
// {"id": ..., "error": "message"}. An error means the line cannot be tied
// to a row (not JSON, not an object, no id); a line tied to a row but
// without a usable score decodes to a row error.
func decodeLine(line []byte) (response, error) {
	if bytes.Equal(line, tooLong) {
		return response{}, fmt.Errorf("a response line longer than %d MiB", maxLine>>20)
	}
	var raw struct {
		ID    json.RawMessage `json:"id"`
		Score json.RawMessage `json:"score"`
		Error json.RawMessage `json:"error"`
	}
	data := quoteBareTokens(line)
	if err := json.Unmarshal(data, &raw); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "" {
			return response{}, fmt.Errorf("a response line that is not a JSON object: %s", quoted(line))
		}
		return response{}, fmt.Errorf("a response line that is not JSON: %s", quoted(line))
	}
	id, ok := idOf(raw.ID)
	if !ok {
		return response{}, fmt.Errorf("a response line without a string or number id: %s", quoted(line))
	}
	r := response{id: id, score: math.NaN()}
	if len(raw.Error) > 0 && string(raw.Error) != "null" {
		var s string
		if json.Unmarshal(raw.Error, &s) != nil {
			s = string(raw.Error)
		}
		if strings.TrimSpace(s) == "" {
			s = "the model answered an empty error"
		}
		r.msg, r.class = s, "model_error"
		return r, nil
	}
	if len(raw.Score) == 0 {
		r.msg, r.class = "the response has no score: "+quoted(line), "decode"
		return r, nil
	}
	v, class := number(raw.Score)
	switch class {
	case "":
		r.score = v
	case "non_finite":
		r.score = v
		r.msg, r.class = "the model answered a non-finite score "+string(raw.Score), class
	default:
		r.msg, r.class = "the score is not a number: "+quoted(raw.Score), class
	}
	return r, nil
}

// idOf is the id a response names: a JSON string, or a number's literal.
func idOf(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw), true
	}
	return "", false
}

// number reads a score: a JSON number, null or a quoted non-finite
// spelling. The class is "" for a finite number, non_finite or decode.
func number(raw json.RawMessage) (float64, string) {
	s := string(raw)
	if s == "null" {
		return math.NaN(), "non_finite"
	}
	if len(s) > 1 && s[0] == '"' {
		var q string
		if json.Unmarshal(raw, &q) == nil {
			if v, ok := nonFinite[q]; ok {
				return v, "non_finite"
			}
		}
		return math.NaN(), "decode"
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange && !math.IsNaN(v) {
			if math.IsInf(v, 0) {
				return v, "non_finite"
			}
			return v, "" // underflow: ParseFloat returns the nearest value, 0
		}
		return math.NaN(), "decode"
	}
	return v, ""
}

// Spellings of non-finite numbers: Python's json module writes bare NaN,
// Infinity and -Infinity tokens, which are not JSON; others quote them.
var nonFinite = map[string]float64{
	"NaN": math.NaN(), "nan": math.NaN(),
	"Infinity": math.Inf(1), "+Infinity": math.Inf(1), "inf": math.Inf(1),
	"-Infinity": math.Inf(-1), "-inf": math.Inf(-1),
}

// quoteBareTokens returns line with every bare NaN, Infinity and -Infinity
// outside strings quoted, so that encoding/json accepts it; line itself
// when it holds none.
func quoteBareTokens(line []byte) []byte {
	if !bytes.Contains(line, []byte("NaN")) && !bytes.Contains(line, []byte("Infinity")) {
		return line
	}
	var out []byte
	last, in := 0, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		if in {
			switch c {
			case '\\':
				i++
			case '"':
				in = false
			}
			continue
		}
		if c == '"' {
			in = true
			continue
		}
		for _, tok := range [...]string{"-Infinity", "Infinity", "NaN"} {
			if bytes.HasPrefix(line[i:], []byte(tok)) {
				out = append(out, line[last:i]...)
				out = append(out, '"')
				out = append(out, tok...)
				out = append(out, '"')
				i += len(tok) - 1
				last = i + 1
				break
			}
		}
	}
	if out == nil {
		return line
	}
	return append(out, line[last:]...)
}

// quoted is b as a Go-quoted string, cut to maxQuoted bytes.
func quoted(b []byte) string {
	if len(b) > maxQuoted {
		return strconv.Quote(string(b[:maxQuoted])) + "..."
	}
	return strconv.Quote(string(b))
}
