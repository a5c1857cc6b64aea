package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter/pkg/twwidth"

	"github.com/replaygate/replaygate/checks"
)

// Number and text formatting shared by the human-readable renderers. Every
// function here is deterministic: same input, same output, on any machine.

// formatNumber formats a measured value compactly: integers and values of
// magnitude 1000 or more as whole numbers with thousands separators, smaller
// values with 4 significant digits.
func formatNumber(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case v == 0:
		return "0" // also -0
	case math.Abs(v) >= 1e15:
		return strconv.FormatFloat(v, 'g', 4, 64)
	case math.Abs(v) >= 1000 || v == math.Trunc(v):
		return checks.Thousands(int64(math.Round(v)))
	}
	s := strconv.FormatFloat(v, 'g', 4, 64)
	if r, _ := strconv.ParseFloat(s, 64); math.Abs(r) >= 1000 {
		return checks.Thousands(int64(r)) // 999.96 rounds to 1000: write it as 1,000
	}
	return s
}

// formatSigned is formatNumber with an explicit sign, for differences.
func formatSigned(v float64) string {
	s := formatNumber(v)
	if v > 0 && !math.IsInf(v, 1) {
		return "+" + s
	}
	return s
}

// formatInterval formats a confidence interval: "[-0.05, -0.01]".
func formatInterval(ci []float64) string {
	parts := make([]string, len(ci))
	for i, v := range ci {
		parts[i] = formatNumber(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// formatSeconds formats a duration given in seconds the way Go prints
// durations, rounded to what a reader cares about: "850ms", "2.41s", "3m12s".
func formatSeconds(s float64) string {
	if math.IsNaN(s) || math.IsInf(s, 0) || s < 0 || s > 1e9 {
		return formatNumber(s) + "s"
	}
	d := time.Duration(s * float64(time.Second))
	switch {
	case d < time.Second:
		d = d.Round(time.Millisecond)
	case d < time.Minute:
		d = d.Round(10 * time.Millisecond)
	default:
		d = d.Round(time.Second)
	}
	return d.String()
}

// plural returns "1 warning" or "2 warnings".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// shortHash shortens a fingerprint for display: "sha256:" (or the
// fingerprint's own algorithm prefix) and the first 12 hex digits.
func shortHash(fp string) string {
	if fp == "" {
		return ""
	}
	algo, digest, ok := strings.Cut(fp, ":")
	if !ok {
		algo, digest = "sha256", fp
	}
	if len(digest) > 12 {
		digest = digest[:12]
	}
	return algo + ":" + digest
}

// clean makes a string from a Result safe to print on one line of a
// terminal: invalid UTF-8 becomes U+FFFD, tabs and line breaks become
// spaces, and every other control character (ESC included) and every
// bidirectional override is shown escaped, e.g. `\x1b`. A Result read back
// from a file is outside input: it must not be able to move the cursor,
// recolour the terminal or reorder what the reader sees.
func clean(s string) string {
	if isPlain(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case (r >= 0x80 && r <= 0x9f) || isBidiControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isPlain reports whether s is printable ASCII, the common case.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

func isBidiControl(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// displayWidth is the number of terminal columns s takes, measured the way
// the table layout measures it.
func displayWidth(s string) int { return twwidth.Width(s) }

// truncate cuts s to at most max terminal columns, ending it with "..."
// when something was cut. s must already be clean.
func truncate(s string, max int) string {
	if displayWidth(s) <= max {
		return s
	}
	const ellipsis = "..."
	if max <= len(ellipsis) {
		return strings.Repeat(".", max)
	}
	budget := max - len(ellipsis)
	var b strings.Builder
	w := 0
	for len(s) > 0 {
		_, size := utf8.DecodeRuneInString(s)
		rw := displayWidth(s[:size])
		if w+rw > budget {
			break
		}
		b.WriteString(s[:size])
		w += rw
		s = s[size:]
	}
	return strings.TrimRightFunc(b.String(), unicode.IsSpace) + ellipsis
}
