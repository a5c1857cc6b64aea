package checks

import "testing"

func TestVerdict(t *testing.T) {
	o := func(ss ...Status) []Outcome {
		var out []Outcome
		for _, s := range ss {
			out = append(out, Outcome{Status: s})
		}
		return out
	}
	tests := []struct {
		name       string
		outcomes   []Outcome
		incomplete bool
		want       Status
	}{
		{"all pass", o(Pass, Pass), false, Pass},
		{"skips beside a pass", o(Pass, Skip), false, Pass},
		{"a warning", o(Pass, Warn, Skip), false, Warn},
		{"a failure beats a warning", o(Warn, Fail, Pass), false, Fail},
		{"an error fails", o(Pass, Error), false, Fail},
		{"nothing evaluated fails", o(Skip, Skip), false, Fail},
		{"no outcomes fail", nil, false, Fail},
		{"incomplete fails", o(Pass), true, Fail},
	}
	for _, tc := range tests {
		if got := Verdict(tc.outcomes, tc.incomplete); got != tc.want {
			t.Errorf("%s: verdict %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestSortByStatus(t *testing.T) {
	out := []Outcome{{Name: "a", Status: Pass}, {Name: "b", Status: Fail}, {Name: "c", Status: Skip}, {Name: "d", Status: Warn}, {Name: "e", Status: Fail}, {Name: "f", Status: Error}}
	SortByStatus(out)
	got := ""
	for _, x := range out {
		got += x.Name
	}
	if got != "befdca" {
		t.Fatalf("order %s, want befdca", got)
	}
}
