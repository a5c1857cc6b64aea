package traffic

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/errs"
)

// column is one column of one file as probed, before unification.
type column struct {
	name     string
	typ      arrow.DataType // normalized (see normalizeType); nil: no value seen in a text file's inference prefix
	nullable bool
	inferred bool // the type was guessed from text (CSV, JSON Lines)
}

// probe is what Open learns about a file without reading it in full.
type probe struct {
	path   string
	format string
	rows   int64 // -1 when unknown without a full read
	cols   []column
	// sparse: a column this file lacks is all nulls rather than a schema
	// conflict (JSON Lines, where an absent key means null, and text files
	// with no header or no lines at all).
	sparse bool
	index  map[string]int // column by name, built on first use
}

func (p *probe) col(name string) (column, bool) {
	if p.index == nil {
		p.index = make(map[string]int, len(p.cols))
		for i, c := range p.cols {
			p.index[c.name] = i
		}
	}
	i, ok := p.index[name]
	if !ok {
		return column{}, false
	}
	return p.cols[i], true
}

func (p *probe) names() []string {
	out := make([]string, len(p.cols))
	for i, c := range p.cols {
		out[i] = c.name
	}
	return out
}

// normalizeType is the type the reader hands out for a stored type:
// dictionary-encoded columns are decoded to their value type and large
// strings become plain strings.
func normalizeType(t arrow.DataType) arrow.DataType {
	switch tt := t.(type) {
	case *arrow.DictionaryType:
		return normalizeType(tt.ValueType)
	case *arrow.LargeStringType:
		return arrow.BinaryTypes.String
	}
	return t
}

// unified is a column of the stream's schema and where its type came from.
type unified struct {
	column
	from string // the first file that gave the column its current type
}

// unifySchemas builds the stream's schema from the probed files: the
// requested columns in order (or every column when want is empty), each
// present in every file that is not sparse and typed consistently. See
// doc.go for the type rules.
func unifySchemas(probes []*probe, want []string) (*arrow.Schema, error) {
	names, err := selectColumns(probes, want)
	if err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, 0, len(names))
	for _, name := range names {
		var u *unified
		for _, p := range probes {
			c, ok := p.col(name)
			if !ok {
				continue
			}
			if u == nil {
				u = &unified{column: c, from: p.path}
				continue
			}
			if err := u.merge(c, p.path); err != nil {
				return nil, err
			}
		}
		typ := arrow.DataType(arrow.BinaryTypes.String) // no value anywhere: strings
		if allEmpty(probes, name) {
			// Only header rows: there is no value to type, and none will
			// come. The null type fits any consumer's expectation.
			typ = arrow.Null
		}
		nullable := true
		if u != nil {
			if u.typ != nil {
				typ = u.typ
			}
			nullable = u.nullable || u.typ == nil
			// A sparse file that lacks the column contributes nulls.
			for _, p := range probes {
				if _, ok := p.col(name); !ok {
					nullable = true
				}
			}
		}
		fields = append(fields, arrow.Field{Name: name, Type: typ, Nullable: nullable})
	}
	return arrow.NewSchema(fields, nil), nil
}

// allEmpty says whether every file that has the column is known to have no
// data rows at all.
func allEmpty(probes []*probe, name string) bool {
	any := false
	for _, p := range probes {
		if _, ok := p.col(name); !ok {
			continue
		}
		if p.rows != 0 {
			return false
		}
		any = true
	}
	return any
}

// selectColumns returns the stream's column names and checks that each
// file that must have them has them.
func selectColumns(probes []*probe, want []string) ([]string, error) {
	if len(want) > 0 {
		var names []string
		seen := map[string]bool{}
		for _, w := range want {
			if seen[w] {
				continue
			}
			seen[w] = true
			names = append(names, w)
		}
		for _, name := range names {
			found := false
			for _, p := range probes {
				if _, ok := p.col(name); ok {
					found = true
				}
			}
			for _, p := range probes {
				if _, ok := p.col(name); ok || (p.sparse && found) {
					continue
				}
				return nil, missingColumn(name, p)
			}
		}
		return names, nil
	}

	// Every column: the first file's order, then columns that only later
	// files have.
	var names []string
	owner := map[string]string{}
	for _, p := range probes {
		for _, c := range p.cols {
			if _, ok := owner[c.name]; !ok {
				owner[c.name] = p.path
				names = append(names, c.name)
			}
		}
	}
	for _, name := range names {
		for _, p := range probes {
			if _, ok := p.col(name); ok || p.sparse {
				continue
			}
			msg := fmt.Sprintf("column %q is in %s but not in %s", name, owner[name], p.path)
			if s := ClosestName(name, p.names()); s != "" {
				msg += fmt.Sprintf(" (which has %q)", s)
			}
			return nil, errs.Input("make the files share the same columns, or select only the columns you need", "%s", msg)
		}
	}
	return names, nil
}

func missingColumn(name string, p *probe) error {
	msg := fmt.Sprintf("column %q not found in %s", name, p.path)
	if p.sparse && len(p.cols) > 0 {
		msg += fmt.Sprintf(" (in its first %d lines)", inferRows)
	}
	if s := ClosestName(name, p.names()); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	hint := ""
	if len(p.cols) > 0 {
		hint = "columns in the file: " + joinNames(p.names(), 20)
	}
	return errs.Input(hint, "%s", msg)
}

func joinNames(names []string, max int) string {
	out := ""
	for i, n := range names {
		if i == max {
			out += fmt.Sprintf(", ... (%d more)", len(names)-max)
			break
		}
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

// merge folds another file's column into u, or reports the conflict.
func (u *unified) merge(c column, path string) error {
	u.nullable = u.nullable || c.nullable
	switch {
	case c.typ == nil:
		return nil
	case u.typ == nil:
		u.typ, u.inferred, u.from = c.typ, c.inferred, path
		return nil
	case arrow.TypeEqual(u.typ, c.typ):
		u.inferred = u.inferred && c.inferred
		return nil
	}
	a, b := u.typ, c.typ
	// Integer and float columns widen to float64 when either side's type
	// was guessed from text.
	if (u.inferred || c.inferred) && isIntOrFloat64(a) && isIntOrFloat64(b) {
		u.typ, u.inferred = arrow.PrimitiveTypes.Float64, u.inferred && c.inferred
		return nil
	}
	// Timestamps guessed from text take a declared timestamp type, and two
	// guessed ones (naive and zoned) settle on UTC.
	if ta, ok := a.(*arrow.TimestampType); ok {
		if tb, ok := b.(*arrow.TimestampType); ok {
			switch {
			case u.inferred && !c.inferred:
				u.typ, u.inferred, u.from = tb, false, path
				return nil
			case c.inferred && !u.inferred:
				return nil
			case u.inferred && c.inferred:
				u.typ = &arrow.TimestampType{Unit: ta.Unit, TimeZone: "UTC"}
				return nil
			}
		}
	}
	return errs.Input("make the files agree on the column's type, or select only the columns you need",
		"column %q is %s in %s but %s in %s", u.name, typeName(a), u.from, typeName(b), path)
}

func isIntOrFloat64(t arrow.DataType) bool {
	return t.ID() == arrow.INT64 || t.ID() == arrow.FLOAT64
}

func typeName(t arrow.DataType) string {
	if t == nil {
		return "unknown"
	}
	return t.String()
}
