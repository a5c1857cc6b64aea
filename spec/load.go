package spec

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/replaygate/replaygate/errs"
)

// SupportedVersions lists the spec versions this build reads.
var SupportedVersions = []int{1}

// MaxSize is the largest spec file Load and Parse accept.
const MaxSize = 1 << 20

// Error is a spec error at a place in the spec file. Load and Parse return it
// wrapped in an *errs.Error (exit code 3) that carries the hint; use
// errors.As to get at either.
type Error struct {
	File      string
	Line, Col int    // 1-based; 0 when unknown
	Path      string // key path, e.g. "checks.contract.features.age.min"; "" when none
	Msg       string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Load reads, decodes, defaults and validates the spec file at path. It reads
// nothing but the spec itself: input files are checked by the validate
// command. Errors carry file:line:col, the key path and a hint.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		hint := "check the --spec path"
		if errors.Is(err, os.ErrPermission) {
			hint = "make the spec file readable"
		}
		return nil, errs.Input(hint, "%s: cannot read spec: %v", path, unwrapPathError(err))
	}
	return Parse(data, path)
}

// Parse decodes, defaults and validates a spec held in memory. path names the
// spec in messages and sets Spec.Path; Spec.Dir is its absolute folder, the
// base of relative input paths. ${VAR} references are expanded from the
// process environment.
func Parse(data []byte, path string) (*Spec, error) {
	return parse(data, path, os.LookupEnv)
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func parse(data []byte, path string, lookup func(string) (string, bool)) (*Spec, error) {
	name := path
	if name == "" {
		name = "<spec>"
	}
	if len(data) > MaxSize {
		return nil, errs.Input("a spec is a short YAML file; check that --spec names the spec and not a data file",
			"%s: spec file is larger than %d bytes", name, MaxSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	d := &decoder{
		file:   name,
		src:    string(data),
		lookup: lookup,
		pos: &positions{
			file:  name,
			keys:  map[string]loc{},
			vals:  map[string]loc{},
			shown: map[string]scalar{},
		},
	}
	if err := d.checkShape(data); err != nil {
		return nil, err
	}
	root, err := d.parseYAML(data)
	if err != nil {
		return nil, err
	}
	s := &Spec{Path: path, pos: d.pos}
	if err := d.decodeRoot(root, s); err != nil {
		return nil, err
	}
	if err := d.finish(s); err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	s.Dir = dir
	s.resolveInputs()
	return s, nil
}

// parseYAML parses data into the body of its single document.
func (d *decoder) parseYAML(data []byte) (root ast.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root = nil
			err = errs.Input("check the YAML syntax of the spec", "%s: cannot parse YAML: the parser failed on this input (%v)", d.file, r)
		}
	}()
	f, perr := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if perr != nil {
		return nil, d.syntaxError(perr)
	}
	var docs []*ast.DocumentNode
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if _, directive := doc.Body.(*ast.DirectiveNode); directive {
			continue // %YAML 1.2 before ---
		}
		docs = append(docs, doc)
	}
	if len(docs) == 0 {
		return nil, d.errAt(loc{1, 1}, "", "start the spec with version: 1, then the traffic and candidate sections (see the README)",
			"spec is empty")
	}
	if len(docs) > 1 {
		at := locOf(docs[1].Body)
		if docs[1].Start != nil && docs[1].Start.Position != nil {
			at = loc{docs[1].Start.Position.Line, docs[1].Start.Position.Column}
		}
		return nil, d.errAt(at, "", "a spec file holds one YAML document: remove the --- separator, or put each spec in its own file",
			"found a second YAML document")
	}
	return docs[0].Body, nil
}

func (d *decoder) syntaxError(err error) error {
	var ye yaml.Error
	if !errors.As(err, &ye) {
		return errs.Input("check the YAML syntax of the spec", "%s: invalid YAML: %v", d.file, err)
	}
	at := loc{}
	if tk := ye.GetToken(); tk != nil && tk.Position != nil {
		at = loc{tk.Position.Line, tk.Position.Column}
	}
	hint := "check the indentation, quotes and brackets around this line"
	switch line := d.line(at.line); {
	case at.line > 0 && strings.Contains(line, "\t") || strings.Contains(ye.GetMessage(), "'\t'"):
		hint = "indent with spaces: YAML does not allow tabs for indentation"
	case strings.Contains(line, "${") || strings.Contains(d.line(at.line-1), "${"):
		hint = "quote values that use ${VAR} inside {...} or [...], e.g. {path: \"${DATA}/t.csv\"}"
	}
	msg := strings.ReplaceAll(ye.GetMessage(), "\t", `\t`)
	return d.errAt(at, "", hint, "invalid YAML: %s", msg)
}

// line returns source line n (1-based) without its newline.
func (d *decoder) line(n int) string {
	s := d.src
	for i := 1; i < n; i++ {
		k := strings.IndexByte(s, '\n')
		if k < 0 {
			return ""
		}
		s = s[k+1:]
	}
	if k := strings.IndexByte(s, '\n'); k >= 0 {
		s = s[:k]
	}
	return strings.TrimSuffix(s, "\r")
}
