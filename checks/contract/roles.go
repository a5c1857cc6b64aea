package contract

import (
	"strings"
	"unicode"

	"github.com/replaygate/replaygate/checks"
)

// Roles are the columns `replaygate init` guesses a spec's traffic section
// from. Every guess comes with a one-line reason in Why, keyed by role:
// "id", "timestamp", "label", "segments", "score", "latency_ms".
type Roles struct {
	ID        string
	Timestamp string
	Label     string
	Segments  []string
	Score     string // the logged production (baseline) score
	LatencyMS string // the logged production latency in milliseconds
	Why       map[string]string
}

// Columns lists every column that has a role other than segment: the
// columns a contract's features should leave out.
func (r Roles) Columns() []string {
	var out []string
	for _, c := range []string{r.ID, r.Timestamp, r.Label, r.Score, r.LatencyMS} {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// Most values a segment column may have.
const maxSegmentValues = 20

// Name tokens that suggest a role.
var (
	idTokens    = set("id", "uuid", "guid")
	timeTokens  = set("ts", "time", "timestamp", "datetime")
	labelTokens = set("label", "target", "y", "clicked", "click", "converted", "conversion",
		"purchased", "churned", "fraud", "outcome")
)

// GuessRoles guesses column roles from a profile:
//
//   - id: a string column (or an int column whose name has an "id" token)
//     with no nulls whose values are all distinct; names with an id token
//     ("request_id", "userId", "uuid") first, then strings, then schema order.
//   - timestamp: the first Arrow timestamp or date column, else the first
//     string column of RFC 3339 timestamps named ts, time, timestamp or
//     datetime (as a token: "event_time" qualifies).
//   - label: an int, bool or whole-number float column with only 0/1 values,
//     named like label, target, y, clicked, converted (as a token).
//   - segments: string columns with 2 to 20 distinct values that repeat,
//     other than the id and timestamp, in schema order.
//   - score: a float column within [0, 1] whose name contains "score",
//     "pred" or "prob"; names with "prod", "baseline" or "served" first.
//   - latency_ms: a numeric column whose name contains "latency" and,
//     after it, "ms".
//
// The replay's own output columns (candidate_*, production_*), and columns
// a spec cannot name (blank or invalid UTF-8), never get a role.
func GuessRoles(p *Profile) Roles {
	r := Roles{Why: map[string]string{}}
	cols := make([]*ColumnProfile, 0, len(p.Columns))
	for i := range p.Columns {
		c := &p.Columns[i]
		if replayOutput(c.Name) || !nameable(c.Name) {
			continue
		}
		cols = append(cols, c)
	}

	// id
	best, bestRank := (*ColumnProfile)(nil), -1
	for _, c := range cols {
		named := hasToken(c.Name, idTokens)
		ok := c.Unique && c.Nulls == 0 && c.Missing == 0 && c.Rows >= 2 && !c.RFC3339 &&
			(c.Kind == KindString || (c.Kind == KindInt && named))
		if !ok {
			continue
		}
		rank := 0
		if named {
			rank += 2
		}
		if c.Kind == KindString {
			rank++
		}
		if rank > bestRank {
			best, bestRank = c, rank
		}
	}
	if best != nil {
		r.ID = best.Name
		why := "every one of its " + checks.Thousands(best.Rows) + " values is distinct"
		if best.Rows > UniqueCap {
			why = "no repeat among its first " + checks.Thousands(UniqueCap) + " values"
		}
		r.Why["id"] = why
	}

	// timestamp
	for _, c := range cols {
		if c.Kind == KindTimestamp {
			r.Timestamp = c.Name
			r.Why["timestamp"] = "the first timestamp column (" + c.ArrowType + ")"
			break
		}
	}
	if r.Timestamp == "" {
		for _, c := range cols {
			if c.RFC3339 && hasToken(c.Name, timeTokens) {
				r.Timestamp = c.Name
				r.Why["timestamp"] = "its values are RFC 3339 timestamps"
				break
			}
		}
	}

	// label
	for _, c := range cols {
		zeroOne := c.Kind == KindBool ||
			((c.Kind == KindInt || c.Kind == KindFloat) && c.Integral && c.HasRange && c.Min >= 0 && c.Max <= 1)
		if zeroOne && c.PosInf+c.NegInf == 0 && hasToken(c.Name, labelTokens) && c.Name != r.ID {
			r.Label = c.Name
			why := "only 0/1 values"
			if c.Kind == KindBool {
				why = "a bool column"
			}
			r.Why["label"] = why + ", named like a label"
			break
		}
	}

	// segments
	for _, c := range cols {
		if c.Kind == KindString && !c.RFC3339 && !c.DistinctCapped && !c.Unique &&
			c.Distinct >= 2 && c.Distinct <= maxSegmentValues && c.Name != r.ID && c.Name != r.Timestamp {
			r.Segments = append(r.Segments, c.Name)
		}
	}
	if len(r.Segments) > 0 {
		r.Why["segments"] = "string columns with 2 to " + checks.Thousands(maxSegmentValues) + " distinct values"
	}

	// baseline score
	best, bestRank = nil, -1
	for _, c := range cols {
		lower := strings.ToLower(c.Name)
		named := strings.Contains(lower, "score") || strings.Contains(lower, "pred") || strings.Contains(lower, "prob")
		if c.Kind != KindFloat || !named || !c.HasRange || c.Min < 0 || c.Max > 1 || c.PosInf+c.NegInf > 0 ||
			c.Name == r.Label {
			continue
		}
		rank := 0
		if strings.Contains(lower, "prod") || strings.Contains(lower, "baseline") || strings.Contains(lower, "served") {
			rank = 1
		}
		if rank > bestRank {
			best, bestRank = c, rank
		}
	}
	if best != nil {
		r.Score = best.Name
		r.Why["score"] = "a float column within [" + num(best.Min) + ", " + num(best.Max) + "] named like a score"
	}

	// latency
	for _, c := range cols {
		lower := strings.ToLower(c.Name)
		i := strings.Index(lower, "latency")
		if i >= 0 && strings.Contains(lower[i+len("latency"):], "ms") && (c.Kind == KindInt || c.Kind == KindFloat) {
			r.LatencyMS = c.Name
			r.Why["latency_ms"] = "named like a latency in milliseconds"
			break
		}
	}
	return r
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// hasToken reports whether one of name's words is in words. Words are split
// at non-alphanumerics and lower-to-upper case changes: "requestId" and
// "request_id" both have the word "id".
func hasToken(name string, words map[string]bool) bool {
	for _, t := range tokens(name) {
		if words[t] {
			return true
		}
	}
	return false
}

func tokens(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	var prev rune
	for _, r := range name {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return out
}
