package xgboost

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/errs"
)

func tinyBooster(t testing.TB) *Booster {
	t.Helper()
	b, err := Parse(marshal(t, tinyModel()), "tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// column builds an Arrow array; nil entries are nulls.
func column[T any](t testing.TB, bld interface {
	array.Builder
	Append(T)
}, vals []*T) arrow.Array {
	t.Helper()
	for _, v := range vals {
		if v == nil {
			bld.AppendNull()
		} else {
			bld.Append(*v)
		}
	}
	return bld.NewArray()
}

func p[T any](v T) *T { return &v }

func batch(t testing.TB, fields []arrow.Field, cols []arrow.Array) arrow.RecordBatch {
	t.Helper()
	n := int64(0)
	if len(cols) > 0 {
		n = int64(cols[0].Len())
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, n)
}

func TestModelPredictColumnTypes(t *testing.T) {
	mem := memory.NewGoAllocator()
	b := tinyBooster(t)
	m, err := New(b, "tiny.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Columns in another order than the model's (b before a), an extra
	// string column that the model does not use, an int feature with a null
	// and a bool feature with a null.
	sb := array.NewStringBuilder(mem)
	sb.AppendValues([]string{"x", "y", "z", "w"}, nil)
	rec := batch(t,
		[]arrow.Field{
			{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
			{Name: "country", Type: arrow.BinaryTypes.String},
			{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		},
		[]arrow.Array{
			column(t, array.NewBooleanBuilder(mem), []*bool{p(true), p(false), nil, p(false)}),
			sb.NewArray(),
			column(t, array.NewInt32Builder(mem), []*int32{p(int32(0)), p(int32(-3)), p(int32(1)), nil}),
		})
	sc, err := m.Predict(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	rows := [][2]float64{{0, 1}, {-3, 0}, {1, math.NaN()}, {math.NaN(), 0}}
	if len(sc.Score) != len(rows) || len(sc.LatencyMS) != len(rows) || sc.Errors != nil || sc.Classes != nil {
		t.Fatalf("scores %+v", sc)
	}
	for i, r := range rows {
		want := 1 / (1 + math.Exp(-tinyMargin(r[0], r[1])))
		if math.Abs(sc.Score[i]-want) > 1e-7 {
			t.Errorf("row %d %v: score %v, want %v", i, r, sc.Score[i], want)
		}
		if !(sc.LatencyMS[i] >= 0) {
			t.Errorf("row %d: latency %v", i, sc.LatencyMS[i])
		}
	}
}

// TestModelMatchesPredictDense feeds every numeric Arrow type and compares
// with PredictDense on the same values.
func TestModelMatchesPredictDense(t *testing.T) {
	mem := memory.NewGoAllocator()
	b, err := LoadFile("testdata/models/multi_softprob.json")
	if err != nil {
		t.Fatal(err)
	}
	names := b.FeatureNames() // m0..m4
	n := 300
	x := make([]float64, n*5)
	for i := range x {
		x[i] = float64((i*7919)%41-20) / 4
		if i%13 == 0 {
			x[i] = math.NaN()
		}
	}
	value := func(r, j int) (float64, bool) {
		v := x[r*5+j]
		return v, !math.IsNaN(v)
	}
	f64 := array.NewFloat64Builder(mem)
	f32 := array.NewFloat32Builder(mem)
	i64 := array.NewInt64Builder(mem)
	u16 := array.NewUint16Builder(mem)
	i8 := array.NewInt8Builder(mem)
	for r := 0; r < n; r++ {
		// integer columns get integral values
		for j := 2; j < 5; j++ {
			if v, ok := value(r, j); ok {
				x[r*5+j] = math.Round(v)
				if j == 3 {
					x[r*5+j] = math.Abs(x[r*5+j])
				}
			}
		}
		app := func(j int, ok func(v float64), null func()) {
			if v, present := value(r, j); present {
				ok(v)
			} else {
				null()
			}
		}
		app(0, func(v float64) { f64.Append(v) }, f64.AppendNull)
		app(1, func(v float64) { f32.Append(float32(v)) }, f32.AppendNull)
		app(2, func(v float64) { i64.Append(int64(v)) }, i64.AppendNull)
		app(3, func(v float64) { u16.Append(uint16(v)) }, u16.AppendNull)
		app(4, func(v float64) { i8.Append(int8(v)) }, i8.AppendNull)
	}
	fields := []arrow.Field{
		{Name: names[4], Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: names[3], Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
		{Name: names[0], Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: names[2], Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: names[1], Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	}
	rec := batch(t, fields, []arrow.Array{i8.NewArray(), u16.NewArray(), f64.NewArray(), i64.NewArray(), f32.NewArray()})
	for r := 0; r < n; r++ { // the float32 column holds float32 values
		x[r*5+1] = float64(float32(x[r*5+1]))
	}
	want := make([]float64, n*3)
	b.PredictDense(x, n, want)

	m, err := New(b, "multi_softprob.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Bind(rec.Schema()); err != nil {
		t.Fatal(err)
	}
	// A slice of the batch too: arrays with an offset.
	for _, c := range []struct {
		rec    arrow.RecordBatch
		offset int
	}{{rec, 0}, {rec.NewSlice(70, 290), 70}} {
		sc, err := m.Predict(context.Background(), c.rec)
		if err != nil {
			t.Fatal(err)
		}
		if len(sc.Classes) != 3 {
			t.Fatalf("Classes has %d entries, want 3", len(sc.Classes))
		}
		for r := range sc.Score {
			best := 0.0
			for k := 0; k < 3; k++ {
				w := want[(r+c.offset)*3+k]
				if sc.Classes[k][r] != w {
					t.Fatalf("offset %d row %d class %d: %v, PredictDense %v", c.offset, r, k, sc.Classes[k][r], w)
				}
				best = math.Max(best, w)
			}
			if sc.Score[r] != best {
				t.Fatalf("row %d: score %v, want the top class probability %v", r, sc.Score[r], best)
			}
		}
	}
}

func TestModelBindErrors(t *testing.T) {
	b := tinyBooster(t)
	m, err := New(b, "tiny.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	schema := func(fields ...arrow.Field) *arrow.Schema { return arrow.NewSchema(fields, nil) }
	f := func(name string, typ arrow.DataType) arrow.Field { return arrow.Field{Name: name, Type: typ} }

	// missing column: the error names the closest column
	err = m.Bind(schema(f("a", arrow.PrimitiveTypes.Float64), f("bb", arrow.PrimitiveTypes.Float64), f("zzzz", arrow.PrimitiveTypes.Float64)))
	assertErr(t, err, `no column "b"`, `closest column: "bb"`, "tiny.json")
	// string column
	err = m.Bind(schema(f("a", arrow.PrimitiveTypes.Float64), f("b", arrow.BinaryTypes.String)))
	assertErr(t, err, `column "b"`, "utf8", "not numeric")
	if !strings.Contains(errs.HintOf(err), "one-hot") {
		t.Errorf("hint %q does not mention one-hot columns", errs.HintOf(err))
	}
	// dictionary-encoded strings (categories) are not numbers either
	err = m.Bind(schema(f("a", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}), f("b", arrow.PrimitiveTypes.Int64)))
	assertErr(t, err, `column "a"`, "not numeric")

	// Predict checks the batch's schema too.
	mem := memory.NewGoAllocator()
	sb := array.NewStringBuilder(mem)
	sb.Append("x")
	rec := batch(t, []arrow.Field{f("a", arrow.PrimitiveTypes.Float64), f("b", arrow.BinaryTypes.String)},
		[]arrow.Array{column(t, array.NewFloat64Builder(mem), []*float64{p(1.0)}), sb.NewArray()})
	_, err = m.Predict(context.Background(), rec)
	assertErr(t, err, `column "b"`, "not numeric")
}

func assertErr(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one saying %q", want)
	}
	if errs.Code(err) != errs.CodeInput {
		t.Errorf("error %q: exit code %d, want %d", err, errs.Code(err), errs.CodeInput)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

func TestModelFeaturesOverride(t *testing.T) {
	mem := memory.NewGoAllocator()
	b := tinyBooster(t)
	if _, err := New(b, "tiny.json", []string{"only_one"}); err == nil {
		t.Error("New with 1 feature column for 2 model features: no error")
	} else {
		assertErr(t, err, "2 features", "1 feature columns")
	}
	if _, err := New(b, "tiny.json", []string{"x", ""}); err == nil {
		t.Error("New with an empty feature column: no error")
	}
	// Model feature names that cannot name columns need an override.
	for _, names := range [][]any{{"a", "a"}, {"", "b"}} {
		m := tinyModel()
		learner(m)["feature_names"] = names
		dup, err := Parse(marshal(t, m), "dup.json")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := New(dup, "dup.json", nil); err == nil {
			t.Errorf("New with model feature names %q: no error", names)
		} else {
			assertErr(t, err, "dup.json")
		}
		if _, err := New(dup, "dup.json", []string{"x", "y"}); err != nil {
			t.Errorf("New with model feature names %q and an override: %v", names, err)
		}
	}
	m, err := New(b, "tiny.json", []string{"col_b", "col_a"}) // model a <- col_b, b <- col_a
	if err != nil {
		t.Fatal(err)
	}
	rec := batch(t,
		[]arrow.Field{{Name: "col_a", Type: arrow.PrimitiveTypes.Float64}, {Name: "col_b", Type: arrow.PrimitiveTypes.Float64}},
		[]arrow.Array{
			column(t, array.NewFloat64Builder(mem), []*float64{p(5.0), p(0.0)}),
			column(t, array.NewFloat64Builder(mem), []*float64{p(-2.0), p(1.0)}),
		})
	sc, err := m.Predict(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range [][2]float64{{-2, 5}, {1, 0}} {
		want := 1 / (1 + math.Exp(-tinyMargin(r[0], r[1])))
		if math.Abs(sc.Score[i]-want) > 1e-7 {
			t.Errorf("row %d: %v, want %v", i, sc.Score[i], want)
		}
	}
	info := m.Info()
	if info.Type != "xgboost" || info.Path != "tiny.json" || !strings.HasPrefix(info.Fingerprint, "sha256:") || len(info.Fingerprint) != 71 ||
		info.Details != b.Describe() || strings.Join(info.Features, ",") != "col_b,col_a" {
		t.Errorf("Info() = %+v", info)
	}
	// The missing-column error names the model feature too.
	err = m.Bind(arrow.NewSchema([]arrow.Field{{Name: "col_a", Type: arrow.PrimitiveTypes.Float64}}, nil))
	assertErr(t, err, `no column "col_b" (model feature "a")`, `closest column: "col_a"`)
}

func TestModelNonFinite(t *testing.T) {
	mem := memory.NewGoAllocator()
	m := tinyModel()
	// Leaves of 3e38 sum past float32's largest value to +Inf.
	learner(m)["objective"] = map[string]any{"name": "reg:squarederror"}
	tree(m, 0)["split_conditions"] = []any{0.5, 3e38, -0.5}
	tree(m, 1)["split_conditions"] = []any{1.0, 3e38, 0.125, -0.75, 3e38, 9.0}
	b, err := Parse(marshal(t, m), "inf.json")
	if err != nil {
		t.Fatal(err)
	}
	md, err := New(b, "inf.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := batch(t,
		[]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Float64}, {Name: "b", Type: arrow.PrimitiveTypes.Float64}},
		[]arrow.Array{
			column(t, array.NewFloat64Builder(mem), []*float64{p(0.0), p(2.0)}),
			column(t, array.NewFloat64Builder(mem), []*float64{p(0.0), p(2.0)}),
		})
	sc, err := md.Predict(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Errors == nil || sc.ErrorClass[0] != "non_finite" || !strings.Contains(sc.Errors[0], "Inf") {
		t.Fatalf("row 0 (leaves 3e38 + 3e38 overflow float32): errors %q %q, score %v", sc.Errors, sc.ErrorClass, sc.Score)
	}
	// row 1: base_score 0.5 + tree 0 right leaf -0.5 + tree 1 right leaf -0.75
	if sc.Errors[1] != "" || sc.ErrorClass[1] != "" || sc.Score[1] != -0.75 {
		t.Errorf("row 1: error %q, score %v, want -0.75", sc.Errors[1], sc.Score[1])
	}
}

func TestModelConcurrent(t *testing.T) {
	mem := memory.NewGoAllocator()
	b, err := LoadFile("testdata/models/reg_squarederror.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(b, "reg.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 500
	mk := func(seed int) (arrow.RecordBatch, []float64) {
		fields := make([]arrow.Field, 7)
		cols := make([]arrow.Array, 7)
		x := make([]float64, n*7)
		for j := range fields {
			fields[j] = arrow.Field{Name: b.FeatureNames()[j], Type: arrow.PrimitiveTypes.Float64}
			bl := array.NewFloat64Builder(mem)
			for r := 0; r < n; r++ {
				v := math.Sin(float64(seed*1000+r*7+j)) * 3
				x[r*7+j] = v
				bl.Append(v)
			}
			cols[j] = bl.NewArray()
		}
		want := make([]float64, n)
		b.PredictDense(x, n, want)
		return batch(t, fields, cols), want
	}
	var wg sync.WaitGroup
	errc := make(chan string, 8)
	for g := 0; g < 8; g++ {
		rec, want := mk(g) // a different schema pointer per goroutine
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := 0; it < 20; it++ {
				sc, err := m.Predict(context.Background(), rec)
				if err != nil {
					errc <- err.Error()
					return
				}
				for r := range want {
					if sc.Score[r] != want[r] {
						errc <- "concurrent predictions differ"
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for e := range errc {
		t.Error(e)
	}
}

func TestModelCanceled(t *testing.T) {
	m, err := New(tinyBooster(t), "tiny.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := batch(t, []arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Float64}, {Name: "b", Type: arrow.PrimitiveTypes.Float64}},
		[]arrow.Array{
			column(t, array.NewFloat64Builder(memory.NewGoAllocator()), []*float64{p(1.0)}),
			column(t, array.NewFloat64Builder(memory.NewGoAllocator()), []*float64{p(1.0)}),
		})
	if _, err := m.Predict(ctx, rec); err == nil {
		t.Error("Predict with a canceled context: no error")
	}
}
