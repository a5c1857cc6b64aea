// Package suggest finds the name a user most likely meant, for "did you
// mean ...?" hints on column names.
package suggest

import "strings"

// Closest returns the name in have closest to want by edit distance (case
// differences count as half an edit; ties go to the longer common prefix,
// then to the earlier name), or "" when none is close enough to be a
// plausible typo: at most 1 edit for names of up to 2 characters, 2 for up
// to 5 and 3 beyond.
func Closest(want string, have []string) string {
	if want == "" {
		return ""
	}
	n := len([]rune(want))
	limit := 3
	switch {
	case n <= 2:
		limit = 1
	case n <= 5:
		limit = 2
	}
	best, bestD, bestP := "", 2*limit+1, 0
	for _, h := range have {
		if h == want {
			continue
		}
		d := distance(want, h)
		p := commonPrefix(want, h)
		if d < bestD || d == bestD && p > bestP {
			best, bestD, bestP = h, d, p
		}
	}
	return best
}

// commonPrefix is the length in runes of the case-insensitive common prefix.
func commonPrefix(a, b string) int {
	ra, rb := []rune(strings.ToLower(a)), []rune(strings.ToLower(b))
	n := 0
	for n < len(ra) && n < len(rb) && ra[n] == rb[n] {
		n++
	}
	return n
}

// distance is the Levenshtein distance in half-edits: substituting a letter
// by the same letter in another case costs 1, any other edit 2.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = 2 * j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = 2 * i
		for j := 1; j <= len(rb); j++ {
			sub := 0
			if ra[i-1] != rb[j-1] {
				sub = 2
				if strings.EqualFold(string(ra[i-1]), string(rb[j-1])) {
					sub = 1
				}
			}
			cur[j] = min(prev[j]+2, cur[j-1]+2, prev[j-1]+sub)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
