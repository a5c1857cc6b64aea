package httpmodel

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// appendValue writes v as a JSON number with every digit of its float64
// (fp32: float32) value. NaN, a missing value, is null; ±Inf, which JSON
// cannot carry, is ±MaxFloat64, which a float32 model reads as ±Inf.
func appendValue(b []byte, v float64, fp32 bool) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "null"...)
	case math.IsInf(v, 1):
		v = math.MaxFloat64
	case math.IsInf(v, -1):
		v = -math.MaxFloat64
	}
	if fp32 {
		f := float32(v)
		if math.IsInf(float64(f), 0) { // beyond float32: the largest float32 of that sign
			f = float32(math.Copysign(math.MaxFloat32, v))
		}
		return appendFloat(b, float64(f), 32)
	}
	return appendFloat(b, v, 64)
}

// appendFloat writes the shortest digits that read back as v, as
// encoding/json does: integers and ordinary magnitudes without an exponent
// (servers that parse integer features accept them), others with one.
func appendFloat(b []byte, v float64, bits int) []byte {
	a := math.Abs(v)
	format := byte('f')
	if a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(b, v, format, -1, bits)
}

// appendRow writes one row as a list of values, or as an object keyed by
// the quoted feature names when names is non-nil.
func appendRow(b []byte, row []float64, names [][]byte) []byte {
	if names == nil {
		b = append(b, '[')
	} else {
		b = append(b, '{')
	}
	for j, v := range row {
		if j > 0 {
			b = append(b, ',')
		}
		if names != nil {
			b = append(b, names[j]...)
			b = append(b, ':')
		}
		b = appendValue(b, v, false)
	}
	if names == nil {
		return append(b, ']')
	}
	return append(b, '}')
}

func appendRows(b []byte, rows [][]float64, names [][]byte) []byte {
	b = append(b, '[')
	for i, row := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRow(b, row, names)
	}
	return append(b, ']')
}

// encode appends the request body for rows (each len(Features) values,
// NaN missing) to b.
func (m *Model) encode(b []byte, rows [][]float64, id uint64) []byte {
	nf := len(m.o.Features)
	b = slices.Grow(b, 64+len(rows)*nf*20)
	switch m.o.Protocol {
	case KServeV2:
		fp32 := m.o.Datatype == "FP32"
		b = append(b, `{"id":"`...)
		b = strconv.AppendUint(b, id, 10)
		b = append(b, `","inputs":[`...)
		if m.o.PerFeature {
			for j := range nf {
				if j > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"name":`...)
				b = append(b, m.names[j]...)
				b = fmt.Appendf(b, `,"shape":[%d],"datatype":"%s","data":[`, len(rows), m.o.Datatype)
				for i, row := range rows {
					if i > 0 {
						b = append(b, ',')
					}
					b = appendValue(b, row[j], fp32)
				}
				b = append(b, "]}"...)
			}
		} else {
			b = append(b, `{"name":`...)
			b = append(b, m.inputName...)
			b = fmt.Appendf(b, `,"shape":[%d,%d],"datatype":"%s","data":[`, len(rows), nf, m.o.Datatype)
			for i, row := range rows {
				for j, v := range row {
					if i > 0 || j > 0 {
						b = append(b, ',')
					}
					b = appendValue(b, v, fp32)
				}
			}
			b = append(b, "]}"...)
		}
		b = append(b, ']')
		if m.o.OutputName != "" {
			b = append(b, `,"outputs":[{"name":`...)
			b = append(b, m.outputName...)
			b = append(b, "}]"...)
		}
		b = append(b, '}')
	case TFServing:
		b = append(b, `{"signature_name":"serving_default","instances":`...)
		if m.o.Lists {
			b = appendRows(b, rows, nil)
		} else {
			b = appendRows(b, rows, m.names)
		}
		b = append(b, '}')
	case MLflow:
		b = append(b, `{"dataframe_split":{"columns":[`...)
		for j, name := range m.names {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, name...)
		}
		b = append(b, `],"data":`...)
		b = appendRows(b, rows, nil)
		b = append(b, "}}"...)
	case JSON:
		if m.o.Batch == 1 && len(rows) == 1 {
			b = appendRow(b, rows[0], m.names)
		} else {
			b = appendRows(b, rows, m.names)
		}
	}
	return b
}

func quote(s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

// failure is a request-level failure: every row of the request gets it.
type failure struct {
	class string
	msg   string
	retry bool
}

// decode reads n rows' scores from a 2xx response body. A request-level
// failure (not JSON, field missing, wrong count) is returned as *failure;
// per-row failures are in the returned errors (nil when none).
func (m *Model) decode(body []byte, n int) ([]float64, []*rowErr, *failure) {
	v, err := parseJSON(body)
	if err != nil {
		return nil, nil, &failure{class: "decode", msg: err.Error()}
	}
	var ents []any
	switch m.o.Protocol {
	case KServeV2:
		return m.decodeKServe(v, n)
	case TFServing, MLflow:
		ents, err = predictions(v)
	case JSON:
		var vals []any
		var wild bool
		vals, wild, err = walk(v, m.path)
		if err == nil {
			ents = vals
			if !wild && len(vals) == 1 {
				if l, ok := vals[0].([]any); ok {
					ents = l
				}
			}
		}
	}
	if err != nil {
		return nil, nil, &failure{class: "decode", msg: err.Error()}
	}
	if len(ents) != n {
		return nil, nil, &failure{class: "shape", msg: fmt.Sprintf("response holds %d predictions for %d rows", len(ents), n)}
	}
	scores := make([]float64, n)
	var rerr []*rowErr
	for i, e := range ents {
		f, re := entry(e, m.o.OutputName)
		scores[i] = f
		if re != nil {
			if rerr == nil {
				rerr = make([]*rowErr, n)
			}
			rerr[i] = re
		}
	}
	return scores, rerr, nil
}

// predictions finds the prediction list of a TensorFlow Serving or MLflow
// response: "predictions", else "outputs" (TF Serving's columnar form),
// else the response itself when it is a list (older MLflow servers).
func predictions(v any) ([]any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case map[string]any:
		for _, k := range []string{"predictions", "outputs"} {
			if p, ok := x[k]; ok {
				if l, ok := p.([]any); ok {
					return l, nil
				}
				return nil, fmt.Errorf("response field %q is not a list", k)
			}
		}
		if msg, ok := x["error"].(string); ok {
			return nil, fmt.Errorf("response has no predictions: %s", clip(msg))
		}
		return nil, fmt.Errorf("response has no field \"predictions\" (fields: %s)", keys(x))
	}
	return nil, fmt.Errorf("response is %s, not an object with \"predictions\"", kind(v))
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	}
	return "an object"
}

// decodeKServe reads an Open Inference Protocol response.
func (m *Model) decodeKServe(v any, n int) ([]float64, []*rowErr, *failure) {
	bad := func(format string, args ...any) ([]float64, []*rowErr, *failure) {
		return nil, nil, &failure{class: "decode", msg: fmt.Sprintf(format, args...)}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return bad("response is %s, not an object with \"outputs\"", kind(v))
	}
	outs, ok := obj["outputs"].([]any)
	if !ok {
		if msg, ok := obj["error"].(string); ok {
			return bad("response has no outputs: %s", clip(msg))
		}
		return bad("response has no list \"outputs\" (fields: %s)", keys(obj))
	}
	var out map[string]any
	var names []string
	for _, o := range outs {
		t, ok := o.(map[string]any)
		if !ok {
			return bad("response output is %s, not a tensor object", kind(o))
		}
		name, _ := t["name"].(string)
		names = append(names, strconv.Quote(name))
		if out == nil && (m.o.OutputName == "" || name == m.o.OutputName) {
			out = t
		}
	}
	if out == nil {
		if m.o.OutputName == "" {
			return bad("response has no outputs")
		}
		return bad("response has no output %q (outputs: %s)", m.o.OutputName, strings.Join(names, ", "))
	}
	raw, ok := out["data"].([]any)
	if !ok {
		return bad("response output has no list \"data\"")
	}
	data := flatten(raw, nil)
	k := 0
	if sh, ok := out["shape"].([]any); ok && len(sh) > 0 {
		dims := make([]int, len(sh))
		for i, d := range sh {
			num, ok := d.(json.Number)
			x, err := strconv.Atoi(string(num))
			if !ok || err != nil || x < 0 {
				return bad("response output shape %v is not a list of sizes", sh)
			}
			dims[i] = x
		}
		if dims[0] != n {
			return nil, nil, &failure{class: "shape", msg: fmt.Sprintf("response output shape %v is for %d rows, sent %d", dims, dims[0], n)}
		}
		k = 1
		for _, d := range dims[1:] {
			k *= d
		}
		if len(data) != n*k {
			return nil, nil, &failure{class: "shape", msg: fmt.Sprintf("response output shape %v holds %d values, not %d", dims, len(data), n*k)}
		}
	} else if n > 0 && len(data)%n == 0 {
		k = len(data) / n
	}
	if k == 0 {
		return nil, nil, &failure{class: "shape", msg: fmt.Sprintf("response output holds %d values for %d rows", len(data), n)}
	}
	scores := make([]float64, n)
	var rerr []*rowErr
	for i := range n {
		var f float64
		var re *rowErr
		switch k {
		case 1:
			f, re = scalar(data[i])
		case 2:
			f, re = scalar(data[2*i+1])
		default:
			f, re = entry(data[i*k:(i+1)*k], "")
		}
		scores[i] = f
		if re != nil {
			if rerr == nil {
				rerr = make([]*rowErr, n)
			}
			rerr[i] = re
		}
	}
	return scores, rerr, nil
}

// flatten appends the leaves of nested lists (some servers send tensor data
// nested by shape) to dst.
func flatten(v []any, dst []any) []any {
	for _, e := range v {
		if l, ok := e.([]any); ok {
			dst = flatten(l, dst)
		} else {
			dst = append(dst, e)
		}
	}
	return dst
}

// serverMessage is the error a non-2xx response carries: {"error": ...}
// (Open Inference Protocol, TF Serving), {"message": ...} (MLflow), else
// the start of the body.
func serverMessage(body []byte) string {
	if v, err := parseJSON(body); err == nil {
		if obj, ok := v.(map[string]any); ok {
			for _, k := range []string{"error", "message", "detail"} {
				if s, ok := obj[k].(string); ok && s != "" {
					return strconv.Quote(clipN(s, 200))
				}
			}
		}
	}
	return snippet(body)
}

func clipN(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
