package spec

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// scalar is a YAML scalar after ${VAR} expansion.
type scalar struct {
	text     string // the value, expanded
	raw      string // the value as written
	plain    bool   // unquoted and untagged: may be read as a number
	expanded bool   // a variable was substituted: never echo text
}

// show is the value as it may appear in a message: quoted, shortened, and
// as written in the file when it came from the environment.
func (s scalar) show() string {
	v := s.text
	if s.expanded {
		v = s.raw
	}
	if utf8.RuneCountInString(v) > 60 {
		v = string([]rune(v)[:57]) + "..."
	}
	return strconv.Quote(v)
}

// bare is like show but leaves a value from the file unquoted, for numbers.
func (s scalar) bare() string {
	if s.expanded || utf8.RuneCountInString(s.text) > 60 {
		return s.show()
	}
	return s.text
}

// scalar reads n as a scalar and expands ${VAR} references in it. want
// names the expected type for the error when n is a mapping or list.
func (d *decoder) scalar(path string, n ast.Node, at loc, str bool, want string) (scalar, error) {
	var sc scalar
	switch v := n.(type) {
	case *ast.StringNode:
		sc.raw = v.Value
		sc.plain = !str && v.Token != nil && v.Token.Type != token.SingleQuoteType && v.Token.Type != token.DoubleQuoteType
	case *ast.LiteralNode:
		if v.Value != nil {
			sc.raw = v.Value.Value
		}
	case *ast.NullNode:
		sc.raw = ""
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode, *ast.MergeKeyNode:
		if tk := v.GetToken(); tk != nil {
			sc.raw = tk.Value
		}
		sc.plain = !str
	default:
		return sc, d.typeError(path, n, at, str, want)
	}
	out, used, xerr := expand(sc.raw, d.lookup)
	if xerr != nil {
		return sc, d.errAt(d.findRef(at, xerr.nth), path, xerr.hint, "%s", xerr.msg)
	}
	sc.text, sc.expanded = out, used
	d.pos.shown[path] = sc
	return sc, nil
}

// findRef finds the nth unescaped "${" at or after at in the source text, so
// that an error about a variable points at the variable, not the value.
func (d *decoder) findRef(at loc, nth int) loc {
	if at.line == 0 {
		return at
	}
	off := 0
	for l := 1; l < at.line; l++ {
		k := strings.IndexByte(d.src[off:], '\n')
		if k < 0 {
			return at
		}
		off += k + 1
	}
	for c := 1; c < at.col && off < len(d.src) && d.src[off] != '\n'; c++ {
		_, size := utf8.DecodeRuneInString(d.src[off:])
		off += size
	}
	line, col := at.line, at.col
	for i := off; i < len(d.src) && i < off+1<<16; {
		switch {
		case strings.HasPrefix(d.src[i:], "$$"):
			i += 2
			col += 2
			continue
		case strings.HasPrefix(d.src[i:], "${"):
			if nth == 0 {
				return loc{line, col}
			}
			nth--
		case d.src[i] == '\n':
			line, col = line+1, 1
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(d.src[i:])
		i += size
		col++
	}
	return at
}

// describe names a node for "got ..." in messages.
func (d *decoder) describe(n ast.Node) string {
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return "null"
	case *ast.MappingNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.MappingKeyNode:
		return "a complex key (?)"
	case *ast.StringNode:
		return scalar{text: v.Value, raw: v.Value, expanded: strings.Contains(v.Value, "${")}.show()
	case *ast.LiteralNode:
		if v.Value != nil {
			return scalar{text: v.Value.Value, raw: v.Value.Value, expanded: strings.Contains(v.Value.Value, "${")}.show()
		}
		return "a block of text"
	}
	if tk := n.GetToken(); tk != nil {
		return tk.Value
	}
	return n.Type().String()
}

func (d *decoder) typeError(path string, n ast.Node, at loc, str bool, want string) error {
	got := d.describe(n)
	if str {
		got = "a !!str " + got
	}
	var hint string
	switch want {
	case "a mapping":
		k := lastKey(path)
		if k == "model" {
			hint = "write " + k + ": {type: xgboost, path: model.json}, or the keys indented on the lines below"
		} else {
			hint = "write the keys of " + k + " indented on the lines below it, or inline as {key: value}"
		}
	case "a list":
		if sc, ok := n.(*ast.StringNode); ok {
			hint = fmt.Sprintf("write a list: [%s] or one item per line starting with \"- \"", sc.Value)
		} else {
			hint = "write a list like [a, b], or one item per line starting with \"- \""
		}
	case "a string", "a whole number", "a number", "a duration like 50ms, 1.5s, 24h or 7d":
		hint = "write a single value here; quote it if it contains \": \" or starts with {, [, * or &"
	}
	return d.errAt(at, path, hint, "expected %s, got %s", want, got)
}

func parseInt(s string) (int64, bool) {
	base := 10
	t := strings.TrimLeft(s, "+-")
	if len(t) > 2 && t[0] == '0' && strings.ContainsRune("xXoObB", rune(t[1])) {
		base = 0
	}
	x, err := strconv.ParseInt(s, base, 64)
	return x, err == nil
}

func parseFloat(s string) (float64, bool) {
	switch strings.ToLower(s) {
	case ".inf", "+.inf":
		return math.Inf(1), true
	case "-.inf":
		return math.Inf(-1), true
	case ".nan":
		return math.NaN(), true
	}
	if x, ok := parseInt(s); ok {
		return float64(x), true
	}
	x, err := strconv.ParseFloat(s, 64)
	return x, err == nil
}
