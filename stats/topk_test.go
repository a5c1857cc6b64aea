package stats

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestValueSketchExact(t *testing.T) {
	s := NewValueSketch(5)
	want := map[string]int64{"a": 3, "b": 1, "c": 7, "": 2}
	for v, k := range want {
		for range k {
			s.Add(v)
		}
	}
	s.AddN("skipped", 0)
	if !s.Exact() || !maps.Equal(s.Counts(), want) || s.Total() != 13 {
		t.Errorf("counts %v exact %v total %d, want %v", s.Counts(), s.Exact(), s.Total(), want)
	}
	if got := s.Top(2); !slices.Equal(got, []string{"c", "a"}) {
		t.Errorf("Top(2) = %q", got)
	}
	v, _ := NewVocabulary(s.Top(2))
	if got := s.CategoryCounts(v).Counts(); !slices.Equal(got, []int64{7, 3, 3}) {
		t.Errorf("category counts %v, want [7 3 3]", got)
	}
}

// TestValueSketchBound: on a long-tailed stream with far more distinct
// values than counters, split into shards and merged, every count is low
// by at most ErrorBound() ≤ N/(cap+1), and every value more frequent than
// that is kept.
func TestValueSketchBound(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const capacity = 50
	exact := map[string]int64{}
	shards := []*ValueSketch{NewValueSketch(capacity), NewValueSketch(capacity), NewValueSketch(capacity)}
	var n int64
	for range 60000 {
		var v string
		if r.IntN(2) == 0 {
			v = fmt.Sprintf("head%d", r.IntN(20)) // frequent
		} else {
			v = fmt.Sprintf("tail%d", r.IntN(5000)) // rare
		}
		exact[v]++
		n++
		shards[r.IntN(len(shards))].Add(v)
	}
	s := shards[0]
	s.Merge(shards[1])
	s.Merge(shards[2])
	if s.Total() != n || s.Exact() {
		t.Fatalf("total %d exact %v", s.Total(), s.Exact())
	}
	bound := s.ErrorBound()
	if bound > n/(capacity+1) {
		t.Errorf("error bound %d exceeds N/(cap+1) = %d", bound, n/(capacity+1))
	}
	got := s.Counts()
	if len(got) > capacity {
		t.Errorf("%d counters kept, want at most %d", len(got), capacity)
	}
	for v, k := range exact {
		est := got[v]
		if est > k || k-est > bound {
			t.Errorf("%s: estimate %d, true %d, bound %d", v, est, k, bound)
		}
		if k > bound && est == 0 {
			t.Errorf("%s (count %d > bound %d) was dropped", v, k, bound)
		}
	}
	top := s.Top(20)
	for _, v := range top {
		if v[:4] != "head" {
			t.Errorf("top values %q include a tail value", top)
			break
		}
	}
}
