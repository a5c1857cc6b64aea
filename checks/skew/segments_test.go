package skew

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/replaygate/replaygate/checks"
)

func segmentConfig() Config {
	cfg := fixtureConfig()
	cfg.Segments = []string{"country", "platform"}
	cfg.SegmentTopK = 2
	return cfg
}

// TestSegmentsFixtures: with top-k 2 the two drifted features get one
// outcome per country and platform (fixtures/README.md: ten countries,
// three platforms; session_length_s and discount_pct drift in every
// segment by about +0.5 sd, PSI about 0.21 overall).
func TestSegmentsFixtures(t *testing.T) {
	c, err := NewFromReference(openReference(t), segmentConfig())
	if err != nil {
		t.Fatal(err)
	}
	bs := trafficBatches(t, false)
	for _, b := range bs {
		if err := c.Observe(b); err != nil {
			t.Fatal(err)
		}
	}
	out := c.Result()

	// Rows per segment from fixtures/README.md (the AUC table).
	segRows := map[string]int64{
		"country=BR": 2457, "country=CA": 811, "country=DE": 1940, "country=FR": 1513,
		"country=GB": 1806, "country=IN": 3333, "country=JP": 808, "country=MX": 1202,
		"country=NG": 218, "country=US": 5912,
		"platform=android": 9793, "platform=ios": 6349, "platform=web": 3858,
	}
	seg := 0
	for _, o := range out {
		if strings.Contains(o.Name, "[") {
			seg++
		}
	}
	if want := 2 * len(segRows); seg != want {
		t.Errorf("%d segment outcomes, want %d", seg, want)
	}
	for _, feat := range []string{"session_length_s", "discount_pct"} {
		warned := 0
		for s, rows := range segRows {
			o := byName(t, out, "skew."+feat+"["+s+"]")
			if o.Value == nil || math.IsNaN(*o.Value) || math.IsInf(*o.Value, 0) {
				t.Errorf("%s: value %v, want a finite distance", o.Name, o.Value)
				continue
			}
			// No nulls in either feature: every row of the segment is compared.
			if o.Rows != rows {
				t.Errorf("%s: %d rows, want %d", o.Name, o.Rows, rows)
			}
			if o.Limit != limitOf(DefaultNumeric) || !strings.HasPrefix(o.Message, "segment "+s+", ") {
				t.Errorf("%s: limit %q message %q", o.Name, o.Limit, o.Message)
			}
			if o.Status == checks.Warn {
				warned++
			}
			// The drift is planted everywhere: no segment looks undrifted.
			if *o.Value < 0.05 {
				t.Errorf("%s: PSI %v, want the planted drift (> 0.05)", o.Name, *o.Value)
			}
		}
		if warned == 0 {
			t.Errorf("%s: no segment warns", feat)
		}
	}
	// Features outside the top 2 get no segment outcome.
	for _, o := range out {
		if strings.Contains(o.Name, "[") && !strings.HasPrefix(o.Name, "skew.session_length_s[") && !strings.HasPrefix(o.Name, "skew.discount_pct[") {
			t.Errorf("unexpected segment outcome %s", o.Name)
		}
	}
}

// TestSegmentsMerge: two forks fed alternate batches and merged report
// what one pass reports, segment outcomes included.
func TestSegmentsMerge(t *testing.T) {
	one, err := NewFromReference(openReference(t), segmentConfig())
	if err != nil {
		t.Fatal(err)
	}
	bs := trafficBatches(t, false)
	a, b := one.Fork(), one.Fork()
	for i, x := range bs {
		if err := one.Observe(x); err != nil {
			t.Fatal(err)
		}
		w := a
		if i%2 == 1 {
			w = b
		}
		if err := w.Observe(x); err != nil {
			t.Fatal(err)
		}
	}
	if len(bs) < 2 {
		t.Fatalf("%d traffic batches, want at least 2", len(bs))
	}
	// Merge b into a in the reverse order: values first seen by b.
	if err := b.Merge(a); err != nil {
		t.Fatal(err)
	}
	want, got := one.Result(), b.Result()
	if len(want) != len(got) {
		t.Fatalf("%d outcomes after merge, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(want[i], got[i]) {
			t.Errorf("after merge:\n got %+v\nwant %+v", got[i], want[i])
		}
	}
}

// TestSegmentsSmall: values below MinSegmentRows are skip, a null segment
// value is "(null)", values past MaxSegmentValues go to "(other)", and a
// segment column absent from the traffic gives one skip per feature.
func TestSegmentsSmall(t *testing.T) {
	n := 300
	ref := make([]any, n)
	for i := range ref {
		ref[i] = float64(i % 100)
	}
	cfg := Config{Segments: []string{"g", "missing"}, SegmentTopK: 1}
	c, err := NewFromReference(src(batch(col("x", f64(ref...)))), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// 200 rows in "a", 50 in "b", 50 null; then 60 distinct values of 2 rows.
	// x is shifted, so that it drifts: only drifted features get segments.
	var xs []any
	var gs []string
	for i := 0; i < n; i++ {
		xs = append(xs, float64(i%100+40))
		switch {
		case i < 200:
			gs = append(gs, "a")
		case i < 250:
			gs = append(gs, "b")
		default:
			gs = append(gs, "")
		}
	}
	for i := 0; i < 120; i++ {
		xs = append(xs, float64(i%100+40))
		gs = append(gs, "v"+string(rune('A'+i/2%60/26))+string(rune('a'+i/2%26)))
	}
	if err := c.Observe(batch(col("x", f64(xs...)), col("g", strArr(gs...)))); err != nil {
		t.Fatal(err)
	}
	out := c.Result()
	if o := byName(t, out, "skew.x[g=a]"); o.Status != checks.Fail || o.Rows != 200 || *o.Value < 0.25 {
		t.Errorf("g=a: %s %v over %d rows, want the shift to fail over 200 rows", o.Status, o.Value, o.Rows)
	}
	if o := byName(t, out, "skew.x[g=b]"); o.Status != checks.Skip || !strings.Contains(o.Message, "50 rows: fewer than the 100") {
		t.Errorf("g=b: %s %q, want skip below 100 rows", o.Status, o.Message)
	}
	if o := byName(t, out, "skew.x[g=(null)]"); o.Status != checks.Skip {
		t.Errorf("g=(null): %s, want skip (50 rows)", o.Status)
	}
	// a, b, (null) and 47 of the 60 others have a slot; 13 values × 2 rows fall under (other).
	if o := byName(t, out, "skew.x[g=(other)]"); !strings.Contains(o.Message, "26 rows") {
		t.Errorf("g=(other): %q, want 26 rows", o.Message)
	}
	if o := byName(t, out, "skew.x[missing]"); o.Status != checks.Skip || !strings.Contains(o.Message, "not in the traffic") {
		t.Errorf("missing: %s %q", o.Status, o.Message)
	}
	if last := out[len(out)-1]; last.Name != "skew.x[missing]" {
		t.Errorf("last outcome %s, want skew.x[missing]", last.Name)
	}
}

func TestSegmentsConfig(t *testing.T) {
	ref := src(batch(col("x", f64(1, 2, 3))))
	for _, cfg := range []Config{
		{Segments: []string{""}},
		{Segments: []string{"g", "g"}},
		{SegmentTopK: -1},
	} {
		if _, err := NewFromReference(ref, cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}
