package starter

import (
	"math"
	"strconv"
	"strings"
)

// scalar writes s as a YAML value that reads back as the same string:
// plain when that is unambiguous, double-quoted otherwise. A spec expands
// ${VAR} in values, so "$" is written "$$".
func scalar(s string) string {
	if plainSafe(s) {
		return s
	}
	return strconv.Quote(strings.ReplaceAll(s, "$", "$$"))
}

// key writes s as a mapping key; keys are not expanded.
func key(s string) string {
	if plainSafe(s) {
		return s
	}
	return strconv.Quote(s)
}

// plainSafe reports whether s can be written unquoted: it starts with a
// letter or underscore, holds only letters, digits and _ . / -, and is not a
// word YAML reads as a bool or null.
func plainSafe(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '.' || c == '/' || c == '-'):
		default:
			return false
		}
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null":
		return false
	}
	return true
}

// flowList writes a flow sequence of scalars: [a, "b c"].
func flowList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = scalar(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// number writes a float exactly, without an exponent for everyday
// magnitudes: 132, 0.001, 8e-08.
func number(v float64) string {
	if a := math.Abs(v); a == 0 || (a >= 1e-4 && a < 1e15) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// comment makes s safe to end a line comment with: one line.
func comment(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
