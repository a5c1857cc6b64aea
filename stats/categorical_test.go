package stats

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func TestVocabulary(t *testing.T) {
	if _, err := NewVocabulary([]string{"a", "b", "a"}); !errors.Is(err, ErrArgument) {
		t.Errorf("repeated value: %v, want ErrArgument", err)
	}
	v, err := NewVocabulary([]string{"US", "", "DE"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		value string
		want  int
	}{{"US", 0}, {"", 1}, {"DE", 2}, {"FR", 3}, {"us", 3}}
	for _, tt := range tests {
		if got := v.Index(tt.value); got != tt.want {
			t.Errorf("Index(%q) = %d, want %d", tt.value, got, tt.want)
		}
	}
	if v.Bins() != 4 {
		t.Errorf("Bins = %d, want 4", v.Bins())
	}
}

func TestTopValues(t *testing.T) {
	counts := map[string]int64{"b": 5, "a": 5, "c": 9, "d": 1, "e": 0, "f": -3}
	tests := []struct {
		k    int
		want []string
	}{
		{1, []string{"c"}},
		{3, []string{"c", "a", "b"}}, // equal counts: by value
		{10, []string{"c", "a", "b", "d"}},
		{0, []string{}},
	}
	for _, tt := range tests {
		if got := TopValues(counts, tt.k); !slices.Equal(got, tt.want) {
			t.Errorf("TopValues(k=%d) = %q, want %q", tt.k, got, tt.want)
		}
	}
}

func TestCategoryCounts(t *testing.T) {
	v, _ := NewVocabulary([]string{"a", "b"})
	c := NewCategoryCounts(v)
	for _, s := range []string{"a", "b", "b", "z", ""} {
		c.Add(s)
	}
	c.AddIndex(7, 2) // out of range: other
	c.AddIndex(0, 3)
	c.AddNull(4)
	if got := c.Counts(); !slices.Equal(got, []int64{4, 2, 4}) {
		t.Errorf("counts %v", got)
	}
	if c.Total() != 10 || c.Other() != 4 || c.Nulls() != 4 {
		t.Errorf("total %d other %d nulls %d", c.Total(), c.Other(), c.Nulls())
	}
	w, _ := NewVocabulary([]string{"b", "a"})
	if err := c.Merge(NewCategoryCounts(w)); !errors.Is(err, ErrMismatch) {
		t.Errorf("Merge across vocabularies: %v", err)
	}
	same, _ := NewVocabulary([]string{"a", "b"})
	d := NewCategoryCounts(same)
	d.Add("a")
	d.AddNull(1)
	if err := c.Merge(d); err != nil || c.Counts()[0] != 5 || c.Nulls() != 5 {
		t.Errorf("Merge: %v, counts %v nulls %d", err, c.Counts(), c.Nulls())
	}
	if _, err := CompareCategories(c, NewCategoryCounts(w)); !errors.Is(err, ErrMismatch) {
		t.Errorf("CompareCategories across vocabularies: %v", err)
	}
	r, err := CompareCategories(c, d)
	if err != nil || r.RefNulls != 5 || r.CurNulls != 1 {
		t.Errorf("CompareCategories: %+v, %v", r, err)
	}
}

// An online-only category lands in the other bin, which L∞ then measures.
func TestOnlineOnlyCategory(t *testing.T) {
	v, _ := NewVocabulary(TopValues(map[string]int64{"x": 60, "y": 40}, DefaultTopValues))
	ref, cur := NewCategoryCounts(v), NewCategoryCounts(v)
	ref.AddIndex(v.Index("x"), 60)
	ref.AddIndex(v.Index("y"), 40)
	cur.AddIndex(v.Index("x"), 30)
	cur.AddIndex(v.Index("y"), 40)
	cur.AddIndex(v.Index("new"), 30)
	r, err := CompareCategories(ref, cur)
	if err != nil {
		t.Fatal(err)
	}
	if !closeTo(r.LInf, 0.3, 1e-15) || r.Bins != 3 || r.ChiSquare.DoF != 2 {
		t.Errorf("L∞ %v bins %d dof %d; want 0.3, 3, 2", r.LInf, r.Bins, r.ChiSquare.DoF)
	}
	if math.IsInf(r.PSI, 0) || r.PSI < 1 {
		t.Errorf("PSI %v: want large and finite (the other bin is floored at 1e-4)", r.PSI)
	}
}

func TestChiSquareQuantileRoundTrip(t *testing.T) {
	for _, dof := range []int{1, 2, 5, 30, 200, 5000} {
		for _, p := range []float64{1e-9, 0.001, 0.3, 0.5, 0.95, 0.999999, 1 - 1e-12} {
			x, err := ChiSquareQuantile(p, dof)
			if err != nil {
				t.Fatal(err)
			}
			back := chiSquareCDF(x, dof)
			if p > 0.5 {
				back = 1 - ChiSquareSF(x, dof)
			}
			if !closeTo(back, p, 1e-12) {
				t.Errorf("dof %d: cdf(ppf(%v)) = %v", dof, p, back)
			}
		}
	}
	if ChiSquareSF(3, 0) != 0 || ChiSquareSF(0, 0) != 1 || ChiSquareSF(-1, 4) != 1 {
		t.Error("chi-square SF edge cases")
	}
}
