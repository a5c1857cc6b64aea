package segments

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/models/xgboost"
	"github.com/replaygate/replaygate/traffic"
)

// scoredFixture reads the committed traffic and scores it with the
// committed candidate model, appending candidate_score to each batch.
func scoredFixture(t *testing.T) []arrow.RecordBatch {
	t.Helper()
	ctx := context.Background()
	booster, err := xgboost.LoadFile("../../fixtures/models/candidate.json")
	if err != nil {
		t.Fatal(err)
	}
	model, err := xgboost.New(booster, "../../fixtures/models/candidate.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := traffic.Open(ctx, "../../fixtures/traffic/*.parquet", traffic.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []arrow.RecordBatch
	for {
		b, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		sc, err := model.Predict(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		fb := array.NewFloat64Builder(memory.DefaultAllocator)
		fb.AppendValues(sc.Score, nil)
		col := fb.NewArray()
		fields := append(b.Schema().Fields(), arrow.Field{Name: "candidate_score", Type: arrow.PrimitiveTypes.Float64, Nullable: true})
		cols := append(b.Columns(), col)
		out = append(out, array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, b.NumRows()))
		b.Release()
	}
	t.Cleanup(func() {
		for _, b := range out {
			b.Release()
		}
	})
	return out
}

type oracleSeg struct {
	Rows      int64   `json:"rows"`
	Labelled  int64   `json:"labelled"`
	Positives int64   `json:"positives"`
	Logged    float64 `json:"production_logged"`
	Candidate float64 `json:"candidate"`
}

type oracleAUC struct {
	Overall  oracleSeg                       `json:"overall"`
	Segments map[string]map[string]oracleSeg `json:"segments"`
}

func fixtureConfig() Config {
	return Config{
		By:            []string{"country", "platform"},
		Metrics:       []string{"auc"},
		Gates:         map[string]Gate{"auc": {MaxDrop: fp(0.01)}},
		Label:         "clicked",
		BaselineScore: "prod_score",
		IDColumn:      "request_id",
		Seed:          42,
	}
}

func byName(out []checks.Outcome) map[string]checks.Outcome {
	m := map[string]checks.Outcome{}
	for _, o := range out {
		m[o.Name] = o
	}
	return m
}

// TestFixtureBRFails is the acceptance test: on the committed fixtures the
// candidate loses about 0.083 AUC on country=BR, significantly, and gains
// everywhere else; the point AUCs equal scikit-learn's.
func TestFixtureBRFails(t *testing.T) {
	batches := scoredFixture(t)
	c := mustNew(t, fixtureConfig())
	for _, b := range batches {
		if err := c.Observe(b); err != nil {
			t.Fatal(err)
		}
	}
	out := c.Result()
	got := byName(out)

	raw, err := os.ReadFile("../../fixtures/oracle/auc.json")
	if err != nil {
		t.Fatal(err)
	}
	var want oracleAUC
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	expect := map[string]oracleSeg{"auc[overall]": want.Overall}
	for col, vals := range want.Segments {
		for v, s := range vals {
			expect["auc["+col+"="+v+"]"] = s
		}
	}
	if len(out) != len(expect) {
		t.Errorf("%d outcomes, want %d", len(out), len(expect))
	}
	for name, w := range expect {
		o, ok := got[name]
		if !ok {
			t.Errorf("no outcome %s", name)
			continue
		}
		if o.Rows != w.Labelled {
			t.Errorf("%s: rows %d, want %d labelled", name, o.Rows, w.Labelled)
		}
		if w.Labelled < DefaultMinRows {
			if o.Status != checks.Skip {
				t.Errorf("%s: %s, want skip below min_rows (%s)", name, o.Status, o.Message)
			}
			continue
		}
		if o.Value == nil || o.Baseline == nil || o.Delta == nil || len(o.CI) != 2 {
			t.Fatalf("%s: missing numbers: %+v", name, o)
		}
		if math.Abs(*o.Value-w.Candidate) > 1e-9 || math.Abs(*o.Baseline-w.Logged) > 1e-9 {
			t.Errorf("%s: auc %.12f / %.12f, sklearn %.12f / %.12f", name, *o.Value, *o.Baseline, w.Candidate, w.Logged)
		}
		wantStatus := checks.Pass
		if name == "auc[country=BR]" {
			wantStatus = checks.Fail
		}
		if o.Status != wantStatus {
			t.Errorf("%s: %s, want %s (%s)", name, o.Status, wantStatus, o.Message)
		}
		if o.Limit != "max_drop 0.01" {
			t.Errorf("%s: limit %q", name, o.Limit)
		}
	}
	br := got["auc[country=BR]"]
	if br.CI[1] >= 0 || br.CI[0] > *br.Delta || br.CI[1] < *br.Delta {
		t.Errorf("BR: CI %v should exclude zero and hold the delta %v", br.CI, *br.Delta)
	}
	if math.Abs(*br.Delta-(-0.0834)) > 5e-4 {
		t.Errorf("BR: delta %v, want about -0.0834", *br.Delta)
	}
	t.Logf("BR: %s", br.Message)
	if want := "auc[overall]"; out[0].Name != want {
		t.Errorf("first outcome %s, want %s", out[0].Name, want)
	}
}

// TestFixtureCrosses: a cross makes one segment per value pair, after the
// single columns, and its rows add up to the labelled rows.
func TestFixtureCrosses(t *testing.T) {
	batches := scoredFixture(t)
	cfg := fixtureConfig()
	cfg.Crosses = [][]string{{"country", "platform"}}
	c := mustNew(t, cfg)
	for _, b := range batches {
		if err := c.Observe(b); err != nil {
			t.Fatal(err)
		}
	}
	out := c.Result()
	var sum int64
	crosses := 0
	for _, o := range out {
		if strings.Contains(o.Name, ",") {
			crosses++
			sum += o.Rows
		}
	}
	if sum != 17155 || crosses < 20 {
		t.Errorf("%d cross segments with %d labelled rows, want 17155", crosses, sum)
	}
	if _, ok := byName(out)["auc[country=BR,platform=ios]"]; !ok {
		t.Error("no auc[country=BR,platform=ios]")
	}
	if last := out[len(out)-1].Name; last != "auc[country=US,platform=web]" {
		t.Errorf("last outcome %s", last)
	}
}
