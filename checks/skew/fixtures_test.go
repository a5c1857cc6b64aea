package skew

import (
	"encoding/json"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/checks"
)

// fixtureConfig compares every feature and, against the logged prod_score,
// the replayed production model (as the candidate too: the same scores).
func fixtureConfig() Config {
	return Config{
		Exclude:       []string{"clicked"},
		BaselineScore: "prod_score",
		// The production replica plays the candidate: its distribution is
		// the logged one up to the 50 planted rows.
		CandidateScore: DefaultProductionScore,
		Prediction:     &PredictionConfig{Thresholds: []float64{0.1, 0.2, 0.5}},
		Consistency:    &ConsistencyConfig{Tolerance: 1e-6, MaxMismatchRate: 0.001},
	}
}

func runFixtures(t *testing.T) (*Check, []arrow.RecordBatch) {
	t.Helper()
	c, err := NewFromReference(openReference(t), fixtureConfig())
	if err != nil {
		t.Fatal(err)
	}
	bs := trafficBatches(t, true)
	for _, b := range bs {
		if err := c.Observe(b); err != nil {
			t.Fatal(err)
		}
	}
	return c, bs
}

func TestFixtures(t *testing.T) {
	c, _ := runFixtures(t)
	out := c.Result()

	// fixtures/README.md: PSI on training deciles 0.208 and 0.217, every
	// other numeric feature below 0.003.
	drifted := map[string]float64{"session_length_s": 0.208, "discount_pct": 0.217}
	numeric := 0
	for _, o := range out {
		if o.Value != nil && (math.IsNaN(*o.Value) || math.IsInf(*o.Value, 0)) {
			t.Errorf("%s: value %v is not finite", o.Name, *o.Value)
		}
		f, ok := strings.CutPrefix(o.Name, "skew.")
		if !ok || strings.Contains(f, ".") || strings.Contains(f, "@") {
			continue
		}
		switch f {
		case "drifted_share", "prediction", "consistency":
			continue
		case "request_id":
			if o.Status != checks.Skip || !strings.Contains(o.Message, "identifier") {
				t.Errorf("request_id: %s %q, want skip as an identifier", o.Status, o.Message)
			}
			continue
		case "country", "platform":
			continue
		}
		numeric++
		if want, ok := drifted[f]; ok {
			if o.Status != checks.Warn || math.Abs(*o.Value-want) > 0.0015 {
				t.Errorf("%s: %s PSI %v, want warn with PSI %v", f, o.Status, *o.Value, want)
			}
			continue
		}
		if o.Status != checks.Pass || o.Value == nil || *o.Value >= 0.01 {
			t.Errorf("%s: %s %v %q, want pass with PSI < 0.01", f, o.Status, o.Value, o.Message)
		}
	}
	if numeric != 30 {
		t.Errorf("%d numeric features compared, want 30", numeric)
	}

	country := byName(t, out, "skew.country")
	if country.Status != checks.Pass || !strings.Contains(country.Message, "unseen in the reference 1.09% (NG)") {
		t.Errorf("country: %s %q, want pass with 1.09%% unseen (NG)", country.Status, country.Message)
	}
	// NG is 218 of 20000 rows, all in the other bin; every other share
	// moves by less, so L∞ is at least 0.0109.
	if v := *country.Value; v < 0.0109 || v > 0.03 {
		t.Errorf("country L∞ %v, want about 0.0109", v)
	}

	ds := byName(t, out, "skew.drifted_share")
	if ds.Status != checks.Pass || *ds.Value != 0 {
		t.Errorf("drifted_share: %s %v, want pass 0 (nothing above fail)", ds.Status, *ds.Value)
	}
}

// TestConsistency replays the production model in process: it must
// disagree with the logged score on exactly the 50 planted rows.
func TestConsistency(t *testing.T) {
	c, _ := runFixtures(t)
	out := c.Result()
	var oracle struct {
		Rows []struct {
			RequestID   string  `json:"request_id"`
			ProdScore   float64 `json:"prod_score"`
			ReplayScore float64 `json:"replay_score"`
		} `json:"rows"`
	}
	data, err := os.ReadFile(skewedRows)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &oracle); err != nil {
		t.Fatal(err)
	}
	type row struct {
		id string
		d  float64
	}
	var rows []row
	for _, r := range oracle.Rows {
		rows = append(rows, row{r.RequestID, math.Abs(r.ProdScore - r.ReplayScore)})
	}
	slices.SortFunc(rows, func(a, b row) int {
		if a.d != b.d {
			if a.d > b.d {
				return -1
			}
			return 1
		}
		return strings.Compare(a.id, b.id)
	})
	var worst []string
	for _, r := range rows[:5] {
		worst = append(worst, r.id)
	}

	o := byName(t, out, "skew.consistency")
	if o.Rows != 20000 || *o.Value != 50.0/20000 || o.Status != checks.Fail {
		t.Errorf("consistency: %s %v over %d rows, want fail 50/20000", o.Status, *o.Value, o.Rows)
	}
	if !reflect.DeepEqual(o.Examples, worst) {
		t.Errorf("examples %v, want the oracle's worst %v", o.Examples, worst)
	}
	// Each of the five worst rows is quoted with both scores and its diff.
	for _, r := range rows[:5] {
		if !strings.Contains(o.Message, "row "+r.id+": served ") || !strings.Contains(o.Message, "(|diff| "+num(r.d)+")") {
			t.Errorf("message %q does not quote worst row %s with |diff| %s", o.Message, r.id, num(r.d))
		}
	}
	if n := strings.Count(o.Message, "; row ") + strings.Count(o.Message, "worst rows: row "); n != 5 {
		t.Errorf("message quotes %d rows, want 5: %q", n, o.Message)
	}
	if !strings.Contains(o.Message, "max "+num(rows[0].d)) {
		t.Errorf("message %q lacks max |diff| %s", o.Message, num(rows[0].d))
	}

	// Decision flips at t between the logged and the replayed score,
	// counted from the oracle: 1 at 0.1, 4 at 0.2, 0 at 0.5.
	for _, tc := range []struct {
		name  string
		flips int
	}{{"skew.flip_rate@0.1", 1}, {"skew.flip_rate@0.2", 4}, {"skew.flip_rate@0.5", 0}} {
		f := byName(t, out, tc.name)
		if f.Rows != 20000 || *f.Value != float64(tc.flips)/20000 || f.Status != checks.Pass {
			t.Errorf("%s: %s %v over %d rows, want %d/20000", tc.name, f.Status, *f.Value, f.Rows, tc.flips)
		}
	}
	p := byName(t, out, "skew.prediction")
	if p.Status != checks.Pass || *p.Value > 0.001 {
		t.Errorf("prediction: %s %v, want pass near 0", p.Status, *p.Value)
	}
}

// TestMergeFixtures: two forks fed alternate batches and merged report
// what one pass reports.
func TestMergeFixtures(t *testing.T) {
	one, bs := runFixtures(t)
	a := one.Fork()
	b := one.Fork()
	for i, x := range bs {
		w := a
		if i%2 == 1 {
			w = b
		}
		if err := w.Observe(x); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	want, got := one.Result(), a.Result()
	if len(want) != len(got) {
		t.Fatalf("%d outcomes after merge, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(want[i], got[i]) {
			t.Errorf("after merge:\n got %+v\nwant %+v", got[i], want[i])
		}
	}
}

func TestPrintFixtures(t *testing.T) {
	if os.Getenv("SKEW_PRINT") == "" {
		t.Skip("set SKEW_PRINT=1 to print the outcomes")
	}
	c, _ := runFixtures(t)
	for _, o := range c.Result() {
		v := "-"
		if o.Value != nil {
			v = num(*o.Value)
		}
		t.Logf("%-28s %-5s %-10s %s %v", o.Name, o.Status, v, o.Message, o.Examples)
	}
}
