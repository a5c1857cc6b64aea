package reports

import (
	"math"
	"testing"

	"github.com/replaygate/replaygate/checks"
)

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{1, "1"},
		{-3, "-3"},
		{134, "134"},
		{0.7123, "0.7123"},
		{0.71234, "0.7123"},
		{0.71235001, "0.7124"},
		{0.00087, "0.00087"},
		{0.000012345, "1.234e-05"},
		{12.75, "12.75"},
		{999.94, "999.9"},
		{999.96, "1,000"}, // rounds up to the next decade
		{-999.96, "-1,000"},
		{1000, "1,000"},
		{4971.6, "4,972"},
		{-12345.4, "-12,345"},
		{1500000, "1,500,000"},
		{1e15, "1e+15"},
		{-2.5e20, "-2.5e+20"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "+Inf"},
		{math.Inf(-1), "-Inf"},
	}
	for _, tt := range tests {
		if got := formatNumber(tt.in); got != tt.want {
			t.Errorf("formatNumber(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := formatSigned(0.0014); got != "+0.0014" {
		t.Errorf("formatSigned(0.0014) = %q", got)
	}
	if got := formatSigned(-0.0308); got != "-0.0308" {
		t.Errorf("formatSigned(-0.0308) = %q", got)
	}
	if got := formatSigned(0); got != "0" {
		t.Errorf("formatSigned(0) = %q", got)
	}
}

func TestFormatInt(t *testing.T) {
	for in, want := range map[int64]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", 12345: "12,345", -1234567: "-1,234,567",
		math.MaxInt64: "9,223,372,036,854,775,807", math.MinInt64: "-9,223,372,036,854,775,808",
	} {
		if got := checks.Thousands(in); got != want {
			t.Errorf("checks.Thousands(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatSeconds(t *testing.T) {
	for in, want := range map[float64]string{
		0: "0s", 0.0004: "0s", 0.8514: "851ms", 2.4137: "2.41s", 59.996: "1m0s", 75.5: "1m16s", 3725: "1h2m5s",
		-1: "-1s", math.NaN(): "NaNs",
	} {
		if got := formatSeconds(in); got != want {
			t.Errorf("formatSeconds(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestShortHash(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"abc":                   "sha256:abc",
		trafficSHA:              "sha256:1a2b3c4d5e6f",
		"sha256:" + prodSHA:     "sha256:001122334455",
		"xxh3:0123456789abcdef": "xxh3:0123456789ab",
	} {
		if got := shortHash(in); got != want {
			t.Errorf("shortHash(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain text":              "plain text",
		"two\nlines\r\tand a tab": "two lines  and a tab",
		"\x1b[31mred\x1b[0m":      `\x1b[31mred\x1b[0m`,
		"bell\a and del\x7f":      `bell\x07 and del\x7f`,
		"c1 \u009b control":       `c1 \u009b control`,
		"bidi \u202eevil\u202c":   `bidi \u202eevil\u202c`,
		"bad utf8 \xff":           "bad utf8 \uFFFD",
		"東京 é":                    "東京 é",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly 10", 10, "exactly 10"},
		{"eleven char", 10, "eleven..."}, // trailing space dropped before the dots
		{"abcdefghijk", 10, "abcdefg..."},
		{"東京東京東京", 7, "東京..."}, // wide characters take two columns
		{"abcdef", 3, "..."},
		{"abcdef", 2, ".."},
	}
	for _, tt := range tests {
		got := truncate(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if w := displayWidth(got); w > tt.max {
			t.Errorf("truncate(%q, %d) is %d columns wide", tt.in, tt.max, w)
		}
	}
}
