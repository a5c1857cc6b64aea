package spec

// MaxSiblings is the most lines one block mapping may hold. The
// YAML parser takes time quadratic in the number of keys of a block mapping
// (4,000 keys parse in 0.14 s, 16,000 in 3 s), so an absurd spec is
// refused up front instead of hanging the run.
const MaxSiblings = 10000

// checkShape is a quick scan, before parsing, for input the YAML parser
// would take too long over: brackets or "- " items nested deeper than
// maxDepth, and more than MaxSiblings lines (other than list items) at one
// indentation under one parent. It errs on the side of accepting: brackets inside quotes and
// comments are skipped, and brackets in plain values only count while they
// are unbalanced.
func (d *decoder) checkShape(data []byte) error {
	type level struct{ indent, count int }
	var stack []level
	depth := 0
	line, col := 1, 0
	var quote byte
	lineStart, indent, dashes := true, 0, 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		col++
		if c == '\n' {
			line, col = line+1, 0
			lineStart, indent, dashes = true, 0, 0
			continue
		}
		if lineStart && quote == 0 && depth == 0 {
			switch {
			case c == ' ':
				indent++
				continue
			case c == '-' && (i+1 == len(data) || data[i+1] == ' '):
				if dashes++; dashes > maxDepth {
					return d.errAt(loc{line, col}, "", "a spec nests a few levels deep", "nesting deeper than %d levels", maxDepth)
				}
				continue
			case c == '\r' || c == '#' || dashes > 0:
				// blank line, comment, or list item (lists parse fast)
			default:
				for len(stack) > 0 && stack[len(stack)-1].indent > indent {
					stack = stack[:len(stack)-1]
				}
				if n := len(stack); n > 0 && stack[n-1].indent == indent {
					if stack[n-1].count++; stack[n-1].count > MaxSiblings {
						return d.errAt(loc{line, col}, "", "split the spec: no spec needs this many keys or items in one place",
							"more than %d lines at one level", MaxSiblings)
					}
				} else {
					stack = append(stack, level{indent, 1})
				}
			}
		}
		lineStart = false
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
				col++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == 0 || data[i-1] == ' ' || data[i-1] == '\t'):
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case c == '[' || c == '{':
			if depth++; depth > maxDepth {
				return d.errAt(loc{line, col}, "", "a spec nests a few levels deep; check for unbalanced [ or {", "nesting deeper than %d levels", maxDepth)
			}
		case c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}
