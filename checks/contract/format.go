package contract

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/replaygate/replaygate/checks"
)

// pct formats a share in [0, 1] as a percentage: one decimal from 1% up,
// two significant digits below: 0.0006 → "0.06%", 0.125 → "12.5%".
func pct(share float64) string {
	v := 100 * share
	switch {
	case v == 0:
		return "0%"
	case v >= 1:
		return trimZeros(strconv.FormatFloat(v, 'f', 1, 64)) + "%"
	}
	e := math.Floor(math.Log10(v))
	d := math.Pow(10, 1-e)
	r := math.Round(v*d) / d
	return strconv.FormatFloat(r, 'f', -1, 64) + "%"
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}

// ofRows is "12 of 20,000 rows (0.06%)".
func ofRows(k, n int64, noun string) string {
	return checks.Thousands(k) + " of " + checks.Thousands(n) + " " + noun + " (" + pct(float64(k)/float64(n)) + ")"
}

// num formats an observed or configured number exactly and without an
// exponent for everyday magnitudes: 120, 0.25, -3.5e-09, +Inf.
func num(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	a := math.Abs(v)
	if a == 0 || (a >= 1e-4 && a < 1e15) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// hours formats a duration for messages in the unit a person would pick:
// "45s", "49m", "30.5h" (under 72 hours), "12.5d".
func hours(d time.Duration) string {
	one := func(v float64, unit string) string {
		return trimZeros(strconv.FormatFloat(v, 'f', 1, 64)) + unit
	}
	switch a := d.Abs(); {
	case a < time.Minute:
		return one(d.Seconds(), "s")
	case a < time.Hour:
		return one(d.Minutes(), "m")
	case a < 72*time.Hour:
		return one(d.Hours(), "h")
	}
	return one(d.Hours()/24, "d")
}

// dur formats a configured duration the way a spec writes it: 24h, 90m, 1.5s.
func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}

// quote shows a data value in a message, shortened when long.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "…"
	}
	return strconv.Quote(s)
}

// stamp formats a time for messages.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// plural is "1 row", "2 rows".
func plural(n int64, one, many string) string {
	if n == 1 {
		return checks.Thousands(n) + " " + one
	}
	return checks.Thousands(n) + " " + many
}
