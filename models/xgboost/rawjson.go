package xgboost

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// The raw* types mirror XGBoost's JSON model schema
// (doc/model.schema in the XGBoost sources) as far as prediction needs it.
// Fields that XGBoost writes but prediction ignores (loss_changes,
// sum_hessian, base_weights, parents, ...) are not decoded.

type rawModel struct {
	Version []int       `json:"version"`
	Learner *rawLearner `json:"learner"`
}

type rawLearner struct {
	Attributes        paramMap    `json:"attributes"`
	FeatureNames      []string    `json:"feature_names"`
	FeatureTypes      []string    `json:"feature_types"`
	GradientBooster   *rawBooster `json:"gradient_booster"`
	LearnerModelParam paramMap    `json:"learner_model_param"`
	Objective         *struct {
		Name string `json:"name"`
	} `json:"objective"`
}

// rawBooster is learner.gradient_booster. A dart booster nests a plain
// gbtree booster under "gbtree" and adds "weight_drop".
type rawBooster struct {
	Name       string          `json:"name"`
	Model      *rawTreeModel   `json:"model"`
	GBTree     *rawBooster     `json:"gbtree"`
	WeightDrop json.RawMessage `json:"weight_drop"`
}

type rawTreeModel struct {
	Param    paramMap          `json:"gbtree_model_param"`
	TreeInfo json.RawMessage   `json:"tree_info"`
	Trees    []json.RawMessage `json:"trees"`
}

// rawTree holds one tree's arrays; decodeTree fills it so that an error
// names the array it is in.
type rawTree struct {
	LeftChildren    i32s
	RightChildren   i32s
	SplitIndices    i32s
	SplitConditions f32s
	DefaultLeft     bools
	SplitType       i32s
	Categories      i32s
	CategoriesNodes i32s
	TreeParam       paramMap
}

func decodeTree(data []byte) (*rawTree, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, errors.New("expected a tree object")
	}
	t := &rawTree{}
	for _, f := range []struct {
		name string
		dst  json.Unmarshaler
	}{
		{"left_children", &t.LeftChildren},
		{"right_children", &t.RightChildren},
		{"split_indices", &t.SplitIndices},
		{"split_conditions", &t.SplitConditions},
		{"default_left", &t.DefaultLeft},
		{"split_type", &t.SplitType},
		{"categories", &t.Categories},
		{"categories_nodes", &t.CategoriesNodes},
		{"tree_param", &t.TreeParam},
	} {
		if err := decodeField(f.name, fields[f.name], f.dst); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// decodeField decodes raw (if present) into dst; errors name the field.
func decodeField(name string, raw json.RawMessage, dst json.Unmarshaler) error {
	if len(raw) == 0 {
		return nil
	}
	if err := dst.UnmarshalJSON(raw); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	return nil
}

// paramMap decodes XGBoost's parameter objects, whose values are strings
// ("num_feature": "30"); numbers and booleans are accepted too, nested
// values are ignored.
type paramMap map[string]string

func (p *paramMap) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return errors.New("expected an object of parameters")
	}
	m := make(paramMap, len(raw))
	for k, v := range raw {
		v = bytes.TrimSpace(v)
		if len(v) == 0 {
			continue
		}
		switch v[0] {
		case '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			m[k] = s
		case '{', '[', 'n':
			// nested parameters or null: not needed for prediction
		default:
			m[k] = string(v)
		}
	}
	*p = m
	return nil
}

// arrayItems calls fn with each element of a flat JSON array of scalars.
// It does not allocate: elements are sub-slices of data.
func arrayItems(data []byte, fn func(i int, tok []byte) error) error {
	data = bytes.TrimSpace(data)
	if len(data) < 2 || data[0] != '[' || data[len(data)-1] != ']' {
		return errors.New("expected an array")
	}
	body := data[1 : len(data)-1]
	i := 0
	for len(body) > 0 {
		var tok []byte
		if j := bytes.IndexByte(body, ','); j >= 0 {
			tok, body = body[:j], body[j+1:]
		} else {
			tok, body = body, nil
		}
		tok = bytes.TrimSpace(tok)
		if len(tok) == 0 {
			if i == 0 && len(body) == 0 {
				return nil // "[]" or "[ ]"
			}
			return fmt.Errorf("empty element %d in array", i)
		}
		if err := fn(i, tok); err != nil {
			return err
		}
		i++
	}
	return nil
}

func countItems(data []byte) int {
	return bytes.Count(data, []byte{','}) + 1
}

// f32s is an array of float32 values. Besides JSON numbers it accepts the
// strings "NaN", "Infinity" and "-Infinity", which is how the bare NaN and
// Infinity tokens XGBoost writes reach it (see quoteNonFinite).
type f32s []float32

func (a *f32s) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	out := make([]float32, 0, countItems(data))
	err := arrayItems(data, func(i int, tok []byte) error {
		if tok[0] == '"' {
			switch string(tok) {
			case `"NaN"`:
				out = append(out, float32(math.NaN()))
			case `"Infinity"`:
				out = append(out, float32(math.Inf(1)))
			case `"-Infinity"`:
				out = append(out, float32(math.Inf(-1)))
			default:
				return fmt.Errorf("expected a number, found the string %s at element %d", clip(tok), i)
			}
			return nil
		}
		f, err := strconv.ParseFloat(string(tok), 32)
		if err != nil && !isRange(err) {
			return fmt.Errorf("expected a number, found %s at element %d", clip(tok), i)
		}
		out = append(out, float32(f))
		return nil
	})
	if err != nil {
		return err
	}
	*a = out
	return nil
}

// i32s is an array of int32 values. Integral floats (2.0) are accepted.
type i32s []int32

func (a *i32s) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	out := make([]int32, 0, countItems(data))
	err := arrayItems(data, func(i int, tok []byte) error {
		n, err := strconv.ParseInt(string(tok), 10, 32)
		if err != nil {
			f, ferr := strconv.ParseFloat(string(tok), 64)
			if ferr != nil || f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
				return fmt.Errorf("expected an integer, found %s at element %d", clip(tok), i)
			}
			n = int64(f)
		}
		out = append(out, int32(n))
		return nil
	})
	if err != nil {
		return err
	}
	*a = out
	return nil
}

// bools is an array of flags written as 0/1 (XGBoost 1.x and later) or
// true/false.
type bools []bool

func (a *bools) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	out := make([]bool, 0, countItems(data))
	err := arrayItems(data, func(i int, tok []byte) error {
		switch string(tok) {
		case "0", "false":
			out = append(out, false)
		case "1", "true":
			out = append(out, true)
		default:
			return fmt.Errorf("expected 0, 1, true or false, found %s at element %d", clip(tok), i)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*a = out
	return nil
}

func isRange(err error) bool {
	var ne *strconv.NumError
	return errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange)
}

func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// quoteNonFinite rewrites the bare NaN, Infinity and -Infinity tokens that
// XGBoost writes for non-finite floats (not valid JSON) as strings, so that
// encoding/json accepts the document. Text inside strings is left alone.
// data is returned unchanged when it holds no such token.
func quoteNonFinite(data []byte) []byte {
	if !bytes.Contains(data, []byte("NaN")) && !bytes.Contains(data, []byte("Infinity")) {
		return data
	}
	out := make([]byte, 0, len(data)+64)
	inString, escaped := false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			out = append(out, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch {
		case c == '"':
			inString = true
		case bytes.HasPrefix(data[i:], []byte("NaN")):
			out = append(out, `"NaN"`...)
			i += len("NaN") - 1
			continue
		case bytes.HasPrefix(data[i:], []byte("Infinity")):
			out = append(out, `"Infinity"`...)
			i += len("Infinity") - 1
			continue
		case bytes.HasPrefix(data[i:], []byte("-Infinity")):
			out = append(out, `"-Infinity"`...)
			i += len("-Infinity") - 1
			continue
		}
		out = append(out, c)
	}
	return out
}

// decodeJSON decodes an XGBoost JSON model. Errors carry line and column.
func decodeJSON(data []byte) (*rawModel, error) {
	data = quoteNonFinite(data)
	var m rawModel
	if err := json.Unmarshal(data, &m); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := lineCol(data, se.Offset)
			return nil, fmt.Errorf("line %d, column %d: invalid JSON: %v", line, col, se)
		case errors.As(err, &te):
			line, col := lineCol(data, te.Offset)
			field := te.Field
			if field == "" {
				field = "value"
			}
			return nil, fmt.Errorf("line %d, column %d: %s: expected %s, found a JSON %s", line, col, field, te.Type, te.Value)
		}
		return nil, err
	}
	return &m, nil
}

func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}
