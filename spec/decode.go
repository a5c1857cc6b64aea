package spec

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"github.com/replaygate/replaygate/errs"
)

// maxDepth bounds nesting (and alias chains) while decoding.
const maxDepth = 64

// loc is a 1-based line and column; the zero loc is unknown.
type loc struct{ line, col int }

// positions maps key paths ("checks.contract.features.age",
// "traffic.segments[1]") to where their key and value sit in the file.
type positions struct {
	file  string
	keys  map[string]loc    // the key that introduces a path
	vals  map[string]loc    // the value at a path
	shown map[string]scalar // scalars, to echo in messages (see scalar.show)
	first loc               // first key of the document
}

// decoder turns the YAML syntax tree into a Spec. It is strict: unknown keys,
// duplicate keys and values of the wrong type are errors that name the key
// path, the line and the column.
type decoder struct {
	file    string
	src     string
	lookup  func(string) (string, bool)
	pos     *positions
	anchors map[string][]*ast.AnchorNode
	depth   int
}

func (d *decoder) errAt(at loc, path, hint, format string, args ...any) error {
	return errs.Input(hint, "%w", &Error{File: d.file, Line: at.line, Col: at.col, Path: printable(path), Msg: fmt.Sprintf(format, args...)})
}

// printable escapes control characters (from quoted keys) so that an error
// stays on one line.
func printable(s string) string {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			q := strconv.Quote(s)
			return q[1 : len(q)-1]
		}
	}
	return s
}

// tokenLoc is the position of a token, or the zero loc.
func tokenLoc(tk *token.Token) loc {
	if tk == nil || tk.Position == nil {
		return loc{}
	}
	return loc{tk.Position.Line, tk.Position.Column}
}

// locOf is where a node starts in the file: the first key of a block
// mapping, the bracket of a flow collection, the first character of a scalar.
func locOf(n ast.Node) loc {
	switch v := n.(type) {
	case nil:
		return loc{}
	case *ast.DocumentNode:
		if v.Start != nil {
			return tokenLoc(v.Start)
		}
		return locOf(v.Body)
	case *ast.MappingNode:
		if !v.IsFlowStyle && len(v.Values) > 0 && v.Values[0].Key != nil {
			return locOf(v.Values[0].Key)
		}
		return tokenLoc(v.Start)
	case *ast.MappingValueNode:
		if v.Key != nil {
			return locOf(v.Key)
		}
		return tokenLoc(v.Start)
	}
	return tokenLoc(n.GetToken())
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func lastKey(path string) string {
	if i := strings.LastIndexAny(path, ".]"); i >= 0 && i+1 < len(path) {
		return path[i+1:]
	}
	return path
}

// --- the root -----------------------------------------------------------------

func (d *decoder) decodeRoot(root ast.Node, s *Spec) error {
	d.collectAnchors(root, 0)
	n, _, err := d.resolve("", root)
	if err != nil {
		return err
	}
	m, ok := n.(*ast.MappingNode)
	if !ok {
		return d.errAt(locOf(n), "", "a spec is a mapping of keys: version, traffic, candidate, checks, ... (see the README)",
			"the spec must be a mapping of keys, got %s", d.describe(n))
	}
	d.pos.first = locOf(m)
	if d.pos.first.line == 0 {
		d.pos.first = loc{1, 1}
	}
	entries, err := d.entries("", m)
	if err != nil {
		return err
	}
	// The version decides how the rest reads, so it is checked first.
	var ver *entry
	for i := range entries {
		if entries[i].name == "version" {
			ver = &entries[i]
		}
	}
	if ver == nil {
		return d.errAt(d.pos.first, "version", "add version: 1 at the top of the spec", "required key is missing")
	}
	var v int
	if err := d.decode("version", ver.val, reflect.ValueOf(&v).Elem()); err != nil {
		return err
	}
	if _, null := d.isNull(ver.val); null {
		return d.errAt(ver.at, "version", "write version: 1", "version is empty")
	}
	supported := false
	for _, sv := range SupportedVersions {
		supported = supported || sv == v
	}
	if !supported {
		return d.errAt(d.pos.vals["version"], "version", "set version: 1 (the spec format this build of replaygate reads)",
			"unsupported spec version %d; this version of replaygate reads spec version %s", v, joinInts(SupportedVersions))
	}
	return d.decodeStruct("", entries, reflect.ValueOf(s).Elem())
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

// --- anchors, aliases, tags ---------------------------------------------------

func (d *decoder) collectAnchors(n ast.Node, depth int) {
	if n == nil || depth > 4*maxDepth {
		return
	}
	switch v := n.(type) {
	case *ast.AnchorNode:
		if v.Name != nil && v.Name.GetToken() != nil {
			if d.anchors == nil {
				d.anchors = map[string][]*ast.AnchorNode{}
			}
			name := v.Name.GetToken().Value
			d.anchors[name] = append(d.anchors[name], v)
		}
		d.collectAnchors(v.Value, depth+1)
	case *ast.MappingNode:
		for _, mv := range v.Values {
			d.collectAnchors(mv, depth+1)
		}
	case *ast.MappingValueNode:
		d.collectAnchors(v.Key, depth+1)
		d.collectAnchors(v.Value, depth+1)
	case *ast.SequenceNode:
		for _, e := range v.Values {
			d.collectAnchors(e, depth+1)
		}
	case *ast.TagNode:
		d.collectAnchors(v.Value, depth+1)
	case *ast.MappingKeyNode:
		d.collectAnchors(v.Value, depth+1)
	}
}

// anchor finds the anchor an alias at `at` refers to: the last one of that
// name defined before it.
func (d *decoder) anchor(name string, at loc) *ast.AnchorNode {
	var found *ast.AnchorNode
	for _, a := range d.anchors[name] {
		al := tokenLoc(a.GetToken())
		if al.line < at.line || al.line == at.line && al.col < at.col {
			found = a
		}
	}
	return found
}

// resolve follows anchors, aliases and tags to the node that holds the data.
// str reports a !!str tag: the scalar is a string whatever it looks like.
func (d *decoder) resolve(path string, n ast.Node) (out ast.Node, str bool, err error) {
	for hops := 0; ; hops++ {
		if hops > maxDepth {
			return nil, false, d.errAt(locOf(n), path, "simplify the anchors and aliases", "aliases nest too deep")
		}
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			name := ""
			if v.Value != nil && v.Value.GetToken() != nil {
				name = v.Value.GetToken().Value
			}
			a := d.anchor(name, locOf(v))
			if a == nil {
				return nil, false, d.errAt(locOf(v), path, "define the anchor with &"+name+" before this alias", "unknown alias *%s", name)
			}
			n = a.Value
		case *ast.TagNode:
			tag := ""
			if v.Start != nil {
				tag = v.Start.Value
			}
			switch tag {
			case "!!str", "tag:yaml.org,2002:str":
				str = true
			case "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq",
				"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
				"tag:yaml.org,2002:null", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq":
			default:
				return nil, false, d.errAt(locOf(v), path, "remove the tag; a spec uses plain YAML values", "unsupported YAML tag %s", tag)
			}
			n = v.Value
		default:
			return n, str, nil
		}
	}
}

// --- mappings -----------------------------------------------------------------

// entry is one key of a mapping after merge keys (<<) are applied.
type entry struct {
	name string
	at   loc // the key
	val  ast.Node
}

// entries lists the keys of a mapping in file order. Keys merged in with <<
// come first and are overridden by the mapping's own keys; a key written
// twice is an error.
func (d *decoder) entries(path string, m *ast.MappingNode) ([]entry, error) {
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		return nil, d.errAt(locOf(m), path, "simplify the spec", "mappings nest too deep")
	}
	var merged, own []entry
	seen := map[string]loc{}
	for _, mv := range m.Values {
		if mv == nil || mv.Key == nil {
			continue
		}
		if mv.Key.Type() == ast.MergeKeyType {
			es, err := d.mergeEntries(path, mv.Value)
			if err != nil {
				return nil, err
			}
			merged = append(merged, es...)
			continue
		}
		name, at, err := d.keyName(path, mv.Key)
		if err != nil {
			return nil, err
		}
		if first, dup := seen[name]; dup {
			return nil, d.errAt(at, join(path, name), "remove one of the two", "duplicate key (first defined at line %d:%d)", first.line, first.col)
		}
		seen[name] = at
		own = append(own, entry{name: name, at: at, val: mv.Value})
	}
	if len(merged) == 0 {
		return own, nil
	}
	var out []entry
	taken := map[string]bool{}
	for _, e := range own {
		taken[e.name] = true
	}
	for _, e := range merged {
		if !taken[e.name] {
			taken[e.name] = true
			out = append(out, e)
		}
	}
	return append(out, own...), nil
}

func (d *decoder) mergeEntries(path string, v ast.Node) ([]entry, error) {
	n, _, err := d.resolve(path, v)
	if err != nil {
		return nil, err
	}
	switch n := n.(type) {
	case *ast.MappingNode:
		return d.entries(path, n)
	case *ast.SequenceNode:
		// Earlier mappings take precedence.
		var out []entry
		taken := map[string]bool{}
		for _, e := range n.Values {
			m, _, err := d.resolve(path, e)
			if err != nil {
				return nil, err
			}
			mm, ok := m.(*ast.MappingNode)
			if !ok {
				return nil, d.errAt(locOf(e), path, "merge (<<) takes an alias of a mapping or a list of them", "cannot merge %s", d.describe(m))
			}
			es, err := d.entries(path, mm)
			if err != nil {
				return nil, err
			}
			for _, x := range es {
				if !taken[x.name] {
					taken[x.name] = true
					out = append(out, x)
				}
			}
		}
		return out, nil
	}
	return nil, d.errAt(locOf(v), path, "merge (<<) takes an alias of a mapping or a list of them", "cannot merge %s", d.describe(n))
}

func (d *decoder) keyName(path string, k ast.Node) (string, loc, error) {
	at := locOf(k)
	n, _, err := d.resolve(path, k)
	if err != nil {
		return "", at, err
	}
	switch v := n.(type) {
	case *ast.StringNode:
		if v.Value == "" {
			return "", at, d.errAt(at, path, "write a name before the colon", "empty key")
		}
		return v.Value, at, nil
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		if tk := v.GetToken(); tk != nil {
			return tk.Value, at, nil
		}
	case *ast.NullNode:
		return "", at, d.errAt(at, path, "write a name before the colon", "empty key")
	}
	return "", at, d.errAt(at, path, "keys are plain names such as path or max_null_rate", "unsupported key %s", d.describe(n))
}

// --- values -------------------------------------------------------------------

// isNull reports whether n (after aliases) is a YAML null.
func (d *decoder) isNull(n ast.Node) (ast.Node, bool) {
	r, str, err := d.resolve("", n)
	if err != nil || r == nil {
		return n, r == nil && err == nil
	}
	_, null := r.(*ast.NullNode)
	return r, null && !str
}

var (
	durationType         = reflect.TypeFor[Duration]()
	featureSelectionType = reflect.TypeFor[FeatureSelection]()
	modelType            = reflect.TypeFor[Model]()
)

// decode stores the YAML node n into v, which has a spec field's type.
func (d *decoder) decode(path string, n ast.Node, v reflect.Value) error {
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		return d.errAt(locOf(n), path, "simplify the spec", "values nest too deep")
	}
	at := locOf(n)
	r, str, err := d.resolve(path, n)
	if err != nil {
		return err
	}
	if r != nil {
		if _, isAlias := n.(*ast.AliasNode); !isAlias {
			at = locOf(r)
		}
	}
	if at.line > 0 {
		d.pos.vals[path] = at
	}
	n = r
	_, null := n.(*ast.NullNode)
	null = null && !str || n == nil

	if v.Type() == durationType {
		if null {
			return nil
		}
		sc, err := d.scalar(path, n, at, str, "a duration like 50ms, 1.5s, 24h or 7d")
		if err != nil {
			return err
		}
		dur, perr := ParseDuration(strings.TrimSpace(sc.text))
		if perr != nil {
			hint := "write a number with a unit: ns, us, ms, s, m, h or d (for example 50ms, 1.5s, 24h, 7d)"
			return d.errAt(at, path, hint, "expected a duration like 50ms, 1.5s, 24h or 7d, got %s", sc.show())
		}
		v.Set(reflect.ValueOf(Duration{dur}))
		return nil
	}

	switch v.Kind() {
	case reflect.Pointer:
		if null && v.Type().Elem().Kind() != reflect.Struct {
			return nil
		}
		p := reflect.New(v.Type().Elem())
		if err := d.decode(path, n, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil

	case reflect.Struct:
		if null {
			return nil
		}
		m, ok := n.(*ast.MappingNode)
		if !ok {
			return d.typeError(path, n, at, str, "a mapping")
		}
		es, err := d.entries(path, m)
		if err != nil {
			return err
		}
		return d.decodeStruct(path, es, v)

	case reflect.Map:
		if null {
			return nil
		}
		m, ok := n.(*ast.MappingNode)
		if !ok {
			return d.typeError(path, n, at, str, "a mapping")
		}
		es, err := d.entries(path, m)
		if err != nil {
			return err
		}
		out := reflect.MakeMapWithSize(v.Type(), len(es))
		for _, e := range es {
			p := join(path, e.name)
			d.pos.keys[p] = e.at
			if e.name == "" {
				return d.errAt(e.at, p, "write a name before the colon", "empty name")
			}
			ev := reflect.New(v.Type().Elem()).Elem()
			if err := d.decode(p, e.val, ev); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(e.name), ev)
		}
		v.Set(out)
		return nil

	case reflect.Slice:
		if null {
			return nil
		}
		if v.Type() == featureSelectionType {
			if sc, err := d.scalar(path, n, at, str, "all or a list of names"); err == nil && strings.TrimSpace(sc.text) == "all" {
				return nil
			}
		}
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			return d.typeError(path, n, at, str, "a list")
		}
		out := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
		for i, e := range seq.Values {
			if err := d.decode(fmt.Sprintf("%s[%d]", path, i), e, out.Index(i)); err != nil {
				return err
			}
		}
		v.Set(out)
		return nil

	case reflect.String:
		if null {
			return nil
		}
		sc, err := d.scalar(path, n, at, str, "a string")
		if err != nil {
			return err
		}
		v.SetString(sc.text)
		return nil

	case reflect.Int, reflect.Int64:
		if null {
			return nil
		}
		sc, err := d.scalar(path, n, at, str, "a whole number")
		if err != nil {
			return err
		}
		if !sc.plain && !sc.expanded {
			return d.errAt(at, path, "remove the quotes around the number", "expected a whole number, got string %s", sc.show())
		}
		x, ok := parseInt(strings.TrimSpace(sc.text))
		if !ok || v.OverflowInt(x) {
			return d.errAt(at, path, "write a whole number such as 8", "expected a whole number, got %s", sc.show())
		}
		v.SetInt(x)
		return nil

	case reflect.Float64:
		if null {
			return nil
		}
		sc, err := d.scalar(path, n, at, str, "a number")
		if err != nil {
			return err
		}
		if !sc.plain && !sc.expanded {
			return d.errAt(at, path, "remove the quotes around the number", "expected a number, got string %s", sc.show())
		}
		x, ok := parseFloat(strings.TrimSpace(sc.text))
		if !ok {
			return d.errAt(at, path, "write a number such as 0.5, 10 or 1e-6", "expected a number, got %s", sc.show())
		}
		v.SetFloat(x)
		return nil

	case reflect.Bool:
		if null {
			return nil
		}
		sc, err := d.scalar(path, n, at, str, "true or false")
		if err != nil {
			return err
		}
		if !sc.plain && !sc.expanded {
			return d.errAt(at, path, "remove the quotes: write true or false", "expected true or false, got string %s", sc.show())
		}
		// YAML 1.2's booleans only: yes, no, on and off are YAML 1.1's,
		// and a spec that reads differently in another tool is a trap.
		switch strings.TrimSpace(sc.text) {
		case "true", "True", "TRUE":
			v.SetBool(true)
		case "false", "False", "FALSE":
			v.SetBool(false)
		default:
			return d.errAt(at, path, "write true or false", "expected true or false, got %s", sc.show())
		}
		return nil

	case reflect.Interface:
		x, err := d.generic(path, n, str, 0)
		if err != nil {
			return err
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
		return nil
	}
	return d.errAt(at, path, "", "internal error: cannot decode into %s", v.Type())
}

// field is a struct field addressed by its yaml key.
type field struct {
	name  string
	index int
}

func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "-" {
			continue
		}
		if tag == "" {
			tag = strings.ToLower(f.Name)
		}
		out = append(out, field{tag, i})
	}
	return out
}

func (d *decoder) decodeStruct(path string, es []entry, v reflect.Value) error {
	fields := fieldsOf(v.Type())
	byName := map[string]int{}
	var valid []string
	for _, f := range fields {
		byName[f.name] = f.index
		if _, later := notYet[join(path, f.name)]; !later {
			valid = append(valid, f.name)
		}
	}
	var allowed map[string]bool
	var modelKind string
	if v.Type() == modelType {
		kind, err := d.modelType(path, es)
		if err != nil {
			return err
		}
		modelKind = kind
		allowed = map[string]bool{}
		valid = modelKeys[kind]
		for _, k := range valid {
			allowed[k] = true
		}
	}
	for _, e := range es {
		p := join(path, e.name)
		d.pos.keys[p] = e.at
		if why, later := notYet[p]; later {
			return d.errAt(e.at, p, "remove "+p+" from the spec for now: "+why,
				"not supported by this version of replaygate yet")
		}
		if path == "" && strings.HasPrefix(e.name, "x-") {
			continue // extension keys, e.g. to hold anchors: x-models: &m {...}
		}
		idx, known := byName[e.name]
		if known && allowed != nil && !allowed[e.name] {
			return d.errAt(e.at, p, fmt.Sprintf("keys of a type: %s model: %s", modelKind, strings.Join(valid, ", ")),
				"%s is not used by %s models", e.name, modelKind)
		}
		if !known {
			return d.errAt(e.at, p, unknownKeyHint(e.name, path, valid), "unknown key")
		}
		if err := d.decode(p, e.val, v.Field(idx)); err != nil {
			return err
		}
	}
	return nil
}

func unknownKeyHint(key, path string, valid []string) string {
	if s := suggest(key, valid); s != "" {
		return "did you mean " + s + "?"
	}
	where := "here"
	if path != "" {
		where = "under " + path
	} else {
		where = "at the top level"
	}
	sorted := append([]string(nil), valid...)
	sort.Strings(sorted)
	return "valid keys " + where + ": " + strings.Join(sorted, ", ")
}

// generic decodes n into plain Go values (map[string]any, []any, string,
// int64, float64, bool, nil) for the free-form fields of later checks.
func (d *decoder) generic(path string, n ast.Node, str bool, depth int) (any, error) {
	if depth > maxDepth {
		return nil, d.errAt(locOf(n), path, "simplify the spec", "values nest too deep")
	}
	r, s2, err := d.resolve(path, n)
	if err != nil {
		return nil, err
	}
	str = str || s2
	switch v := r.(type) {
	case nil:
		return nil, nil
	case *ast.NullNode:
		if !str {
			return nil, nil
		}
	case *ast.MappingNode:
		es, err := d.entries(path, v)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(es))
		for _, e := range es {
			p := join(path, e.name)
			d.pos.keys[p] = e.at
			x, err := d.generic(p, e.val, false, depth+1)
			if err != nil {
				return nil, err
			}
			out[e.name] = x
		}
		return out, nil
	case *ast.SequenceNode:
		out := make([]any, len(v.Values))
		for i, e := range v.Values {
			x, err := d.generic(fmt.Sprintf("%s[%d]", path, i), e, false, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	sc, err := d.scalar(path, r, locOf(r), str, "a value")
	if err != nil {
		return nil, err
	}
	if !sc.plain {
		return sc.text, nil
	}
	t := strings.TrimSpace(sc.text)
	if x, ok := parseInt(t); ok {
		return x, nil
	}
	if lower := strings.ToLower(strings.TrimLeft(t, "+-")); strings.ContainsAny(t, "0123456789") || lower == ".inf" || lower == ".nan" {
		if x, ok := parseFloat(t); ok {
			return x, nil
		}
	}
	switch t {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return sc.text, nil
}
