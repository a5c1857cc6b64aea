package suggest

import "testing"

func TestClosest(t *testing.T) {
	have := []string{"age", "income", "incomes", "country", "platform", "ts"}
	tests := []struct{ want, got string }{
		{"agee", "age"},
		{"Income", "income"},     // a case difference is half an edit
		{"contry", "country"},    // one deletion
		{"platfrom", "platform"}, // a transposition is two edits, within 3
		{"tz", "ts"},
		{"zzzzzz", ""}, // nothing plausible
		{"age", ""},    // an exact name is not a suggestion
		{"", ""},
	}
	for _, tc := range tests {
		if got := Closest(tc.want, have); got != tc.got {
			t.Errorf("Closest(%q) = %q, want %q", tc.want, got, tc.got)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int // in half-edits
	}{{"", "", 0}, {"abc", "", 6}, {"kitten", "sitting", 6}, {"income", "incme", 2}, {"äb", "ab", 2}, {"Age", "age", 1}} {
		if got := distance(c.a, c.b); got != c.d {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}
