package latency

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/replaygate/replaygate/checks"
)

// plural is "1 row", "2 rows".
func plural(n int64, one, many string) string {
	if n == 1 {
		return checks.Thousands(n) + " " + one
	}
	return checks.Thousands(n) + " " + many
}

// pct formats a share in [0, 1] as a percentage: one decimal from 1% up,
// two significant digits below: 0.0001 → "0.01%", 0.125 → "12.5%".
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
	return strconv.FormatFloat(math.Round(v*d)/d, 'f', -1, 64) + "%"
}

// sig3 formats v with three significant digits, trailing zeros trimmed:
// 31.25 → "31.3", 2 → "2", 1234 → "1234".
func sig3(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	dec := 2 - int(math.Floor(math.Log10(math.Abs(v))))
	if dec < 0 {
		dec = 0
	}
	return trimZeros(strconv.FormatFloat(v, 'f', dec, 64))
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}

// human formats a latency in milliseconds in the unit a person would pick:
// "850 µs", "31.2 ms", "1.52 s".
func human(ms float64) string {
	switch a := math.Abs(ms); {
	case a < 1:
		return sig3(ms*1000) + " µs"
	case a < 1000:
		return sig3(ms) + " ms"
	}
	return sig3(ms/1000) + " s"
}

// humanDur formats a duration like human.
func humanDur(d time.Duration) string { return human(float64(d) / float64(time.Millisecond)) }

// limitDur is a gate on a duration as a spec writes it: "<= 25ms".
func limitDur(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return "<= " + d.String()
}

// limitNum is a gate on a number: "<= 0.001".
func limitNum(p *float64) string {
	if p == nil {
		return ""
	}
	return "<= " + strconv.FormatFloat(*p, 'f', -1, 64)
}
