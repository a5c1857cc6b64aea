package spec

import (
	"fmt"
	"strings"
)

// expandError is a bad or unset ${...} reference in a scalar value. nth
// counts the unescaped "${" before it in the value, so that the caller can
// find it in the source text.
type expandError struct {
	msg, hint string
	nth       int
}

// expand replaces ${NAME} and ${NAME:-default} in s with values from lookup.
// "$$" is a literal "$"; a "$" not followed by "{" or "$" is kept as is.
// ${NAME:-default} uses default when NAME is unset or empty; ${NAME} with
// NAME unset is an error. used reports whether a variable was substituted,
// so that callers never echo the expanded text (it may hold a secret).
func expand(s string, lookup func(string) (string, bool)) (out string, used bool, xerr *expandError) {
	if !strings.Contains(s, "$") {
		return s, false, nil
	}
	var b strings.Builder
	nth := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 < len(s) && s[i+1] == '$' {
			b.WriteByte('$')
			i += 2
			continue
		}
		if i+1 >= len(s) || s[i+1] != '{' {
			b.WriteByte('$')
			i++
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return "", false, &expandError{
				msg:  "unterminated ${ (no closing })",
				hint: "close the reference with }, or write $$ for a literal $",
				nth:  nth,
			}
		}
		body := s[i+2 : i+2+end]
		name, def, hasDef := body, "", false
		if k := strings.Index(body, ":-"); k >= 0 {
			name, def, hasDef = body[:k], body[k+2:], true
		}
		if !validVarName(name) {
			return "", false, &expandError{
				msg:  fmt.Sprintf("%q is not a valid variable reference", "${"+body+"}"),
				hint: "write ${NAME} or ${NAME:-default} (NAME is letters, digits and _), or $$ for a literal $",
				nth:  nth,
			}
		}
		val, ok := lookup(name)
		switch {
		case hasDef && (!ok || val == ""):
			val = def
		case !ok:
			return "", false, &expandError{
				msg:  fmt.Sprintf("${%s} is not set", name),
				hint: fmt.Sprintf("export %s before running replaygate, or give a default with ${%s:-value}", name, name),
				nth:  nth,
			}
		}
		b.WriteString(val)
		used = true
		nth++
		i += 2 + end + 1
	}
	return b.String(), used, nil
}

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
