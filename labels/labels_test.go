package labels

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/errs"
)

// writeFile writes content to name in a fresh temporary directory.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// col is a traffic test column; vals are int64, float64, string or nil.
type col struct {
	name string
	typ  arrow.DataType
	vals []any
}

func makeBatch(t testing.TB, mem memory.Allocator, cols ...col) arrow.RecordBatch {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	n := 0
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
		b := array.NewBuilder(mem, c.typ)
		for _, v := range c.vals {
			switch v := v.(type) {
			case nil:
				b.AppendNull()
			case int64:
				b.(*array.Int64Builder).Append(v)
			case float64:
				b.(*array.Float64Builder).Append(v)
			case string:
				b.(*array.StringBuilder).Append(v)
			default:
				t.Fatalf("unsupported test value %T", v)
			}
		}
		arrs[i] = b.NewArray()
		b.Release()
		n = len(c.vals)
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

// floats reads a float64 column; nil stands for null.
func floats(t testing.TB, a arrow.Array) []any {
	t.Helper()
	f, ok := a.(*array.Float64)
	if !ok {
		t.Fatalf("label column is %s, want float64", a.DataType())
	}
	out := make([]any, f.Len())
	for i := range out {
		if !f.IsNull(i) {
			out[i] = f.Value(i)
		}
	}
	return out
}

func equalVals(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var (
	str = arrow.BinaryTypes.String
	i64 = arrow.PrimitiveTypes.Int64
	f64 = arrow.PrimitiveTypes.Float64
)

func TestJoin(t *testing.T) {
	tests := []struct {
		name      string
		file      string // label file, CSV with columns id and y
		ids       col    // traffic id column, named "rid"
		want      []any
		len       int
		matched   int64
		unmatched int64
	}{
		{
			name: "string ids, missing and null",
			file: "id,y\na,1\nb,0\nc,\n",
			ids:  col{"rid", str, []any{"a", "b", "c", "z", nil, "a"}},
			want: []any{1.0, 0.0, nil, nil, nil, 1.0},
			len:  3, matched: 3, unmatched: 3,
		},
		{
			name: "int ids in both files",
			file: "id,y\n1,0.5\n2,1.5\n-7,2\n",
			ids:  col{"rid", i64, []any{int64(2), int64(1), int64(3), int64(-7)}},
			want: []any{1.5, 0.5, nil, 2.0},
			len:  3, matched: 3, unmatched: 1,
		},
		{
			name: "int label ids, string traffic ids compare as base-10 text",
			file: "id,y\n1,0.5\n2,1.5\n",
			ids:  col{"rid", str, []any{"2", "01", "1", " 1"}},
			want: []any{1.5, nil, 0.5, nil},
			len:  2, matched: 2, unmatched: 2,
		},
		{
			name: "string label ids, int traffic ids",
			file: "id,y\nx9,1\n10,0\n0010,1\n",
			ids:  col{"rid", i64, []any{int64(10), int64(9)}},
			want: []any{0.0, nil},
			len:  3, matched: 1, unmatched: 1,
		},
		{
			name: "boolean labels",
			file: "id,y\na,true\nb,FALSE\nc,NA\n",
			ids:  col{"rid", str, []any{"c", "b", "a"}},
			want: []any{nil, 0.0, 1.0},
			len:  3, matched: 2, unmatched: 1,
		},
		{
			name: "NaN label is no label",
			file: "id,y\na,NaN\nb,0.25\n",
			ids:  col{"rid", str, []any{"a", "b"}},
			want: []any{nil, 0.25},
			len:  2, matched: 1, unmatched: 1,
		},
		{
			name: "header-only label file",
			file: "id,y\n",
			ids:  col{"rid", str, []any{"a"}},
			want: []any{nil},
			len:  0, matched: 0, unmatched: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := Load(context.Background(), writeFile(t, "labels.csv", tc.file), "id", "y")
			if err != nil {
				t.Fatal(err)
			}
			if tab.Len() != tc.len {
				t.Errorf("Len = %d, want %d", tab.Len(), tc.len)
			}
			b := makeBatch(t, memory.DefaultAllocator, tc.ids)
			defer b.Release()
			out, err := tab.Join(b, "rid", "label")
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			if out.NumCols() != 2 || out.Schema().Field(1).Name != "label" {
				t.Fatalf("schema = %s, want rid then label", out.Schema())
			}
			if got := floats(t, out.Column(1)); !equalVals(got, tc.want) {
				t.Errorf("labels = %v, want %v", got, tc.want)
			}
			want := Stats{Rows: int64(len(tc.want)), Matched: tc.matched, Unmatched: tc.unmatched}
			if got := tab.Stats(); got != want {
				t.Errorf("Stats = %+v, want %+v", got, want)
			}
		})
	}
}

func TestJoinReplaceOrAppend(t *testing.T) {
	tab, err := Load(context.Background(), writeFile(t, "l.csv", "request_id,clicked\nr1,1\nr2,0\n"), "request_id", "clicked")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		as      string
		names   []string
		labelAt int
	}{
		{"replaces the traffic column of the same name", "label", []string{"rid", "label", "x"}, 1},
		{"appends a new column", "clicked", []string{"rid", "label", "x", "clicked"}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := makeBatch(t, memory.DefaultAllocator,
				col{"rid", str, []any{"r2", "r1", "r3"}},
				col{"label", i64, []any{int64(7), int64(8), int64(9)}},
				col{"x", f64, []any{0.1, 0.2, 0.3}},
			)
			defer b.Release()
			out, err := tab.Join(b, "rid", tc.as)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			var names []string
			for _, f := range out.Schema().Fields() {
				names = append(names, f.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.names, ",") {
				t.Fatalf("columns = %v, want %v", names, tc.names)
			}
			if got, want := floats(t, out.Column(tc.labelAt)), []any{0.0, 1.0, nil}; !equalVals(got, want) {
				t.Errorf("labels = %v, want %v", got, want)
			}
			if got := out.Column(2).(*array.Float64).Value(2); got != 0.3 {
				t.Errorf("x[2] = %v, want 0.3 (other columns kept)", got)
			}
			if tc.labelAt == 3 {
				if got := out.Column(1).(*array.Int64).Value(0); got != 7 {
					t.Errorf("traffic label column changed: %v", got)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		idCol    string
		labelCol string
		want     []string // substrings of the message
		not      []string
	}{
		{
			name:  "duplicate ids with examples",
			file:  "id,y\na,1\nb,1\na,0\nc,1\nb,1\na,1\nd,1\nd,0\ne,1\ne,1\nf,1\nf,0\ng,1\ng,1\n",
			idCol: "id", labelCol: "y",
			want: []string{"labels.csv", `6 duplicate ids in column "id"`, `"a", "b", "d", "e", "f"`},
			not:  []string{`"g"`, `"c"`},
		},
		{
			name:  "duplicate int ids",
			file:  "id,y\n5,1\n5,1\n",
			idCol: "id", labelCol: "y",
			want: []string{"labels.csv", `1 duplicate ids`, `"5"`},
		},
		{
			name:  "non-numeric labels",
			file:  "id,y\na,yes\nb,no\n",
			idCol: "id", labelCol: "y",
			want: []string{"labels.csv", `label column "y"`, "not numeric"},
		},
		{
			name:  "float ids",
			file:  "id,y\n1.5,1\n",
			idCol: "id", labelCol: "y",
			want: []string{"labels.csv", `id column "id"`, "strings or integers"},
		},
		{
			name:  "null id",
			file:  "id,y\na,1\n,0\n",
			idCol: "id", labelCol: "y",
			want: []string{"labels.csv", "data row 2", "null id"},
		},
		{
			name:  "missing column",
			file:  "id,y\na,1\n",
			idCol: "id", labelCol: "label",
			want: []string{"labels.csv", "label"},
		},
		{
			name:  "same column twice",
			file:  "id,y\na,1\n",
			idCol: "id", labelCol: "id",
			want: []string{"labels.csv", `both "id"`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(context.Background(), writeFile(t, "labels.csv", tc.file), tc.idCol, tc.labelCol)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if errs.Code(err) != errs.CodeInput {
				t.Errorf("exit code %d, want %d (%v)", errs.Code(err), errs.CodeInput, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error %q names %q", err, w)
				}
			}
		})
	}
}

func TestJoinErrors(t *testing.T) {
	tab, err := Load(context.Background(), writeFile(t, "l.csv", "id,y\na,1\n"), "id", "y")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ids  col
		want string
	}{
		{"missing id column", col{"other", str, []any{"a"}}, `no id column "rid"`},
		{"float id column", col{"rid", f64, []any{1.0}}, "strings or integers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := makeBatch(t, memory.DefaultAllocator, tc.ids)
			defer b.Release()
			_, err := tab.Join(b, "rid", "label")
			if err == nil || errs.Code(err) != errs.CodeInput || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want an input error containing %q", err, tc.want)
			}
		})
	}
}

// sliceSource yields batches then io.EOF (or err).
type sliceSource struct {
	batches []arrow.RecordBatch
	err     error
}

func (s *sliceSource) Next() (arrow.RecordBatch, error) {
	if len(s.batches) == 0 {
		if s.err != nil {
			return nil, s.err
		}
		return nil, io.EOF
	}
	b := s.batches[0]
	s.batches = s.batches[1:]
	return b, nil
}

func TestSource(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	tab, err := Load(context.Background(), writeFile(t, "l.jsonl", `{"id":1,"y":0.9}
{"id":2,"y":null}
{"id":3,"y":0.1}
`), "id", "y")
	if err != nil {
		t.Fatal(err)
	}
	src := &sliceSource{batches: []arrow.RecordBatch{
		makeBatch(t, mem, col{"id", i64, []any{int64(1), int64(2)}}),
		makeBatch(t, mem, col{"id", i64, []any{int64(3)}}),
		makeBatch(t, mem, col{"id", i64, []any{int64(4), nil, int64(1)}}),
	}}
	js := tab.Source(src, "id", "label")
	want := [][]any{{0.9, nil}, {0.1}, {nil, nil, 0.9}}
	for i, w := range want {
		b, err := js.Next()
		if err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
		if got := floats(t, b.Column(1)); !equalVals(got, w) {
			t.Errorf("batch %d labels = %v, want %v", i, got, w)
		}
		b.Release()
	}
	for range 2 {
		if _, err := js.Next(); !errors.Is(err, io.EOF) {
			t.Fatalf("after the last batch: %v, want io.EOF", err)
		}
	}
	if got, want := tab.Stats(), (Stats{Rows: 6, Matched: 3, Unmatched: 3}); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}

	// A join error stops the source and releases the input batch.
	bad := &sliceSource{batches: []arrow.RecordBatch{makeBatch(t, mem, col{"other", i64, []any{int64(1)}})}}
	js = tab.Source(bad, "id", "label")
	if _, err := js.Next(); errs.Code(err) != errs.CodeInput {
		t.Fatalf("err = %v, want an input error", err)
	}
	if _, err := js.Next(); errs.Code(err) != errs.CodeInput {
		t.Fatalf("second Next: %v, want the same error", err)
	}

	// A source error passes through.
	boom := errors.New("boom")
	js = tab.Source(&sliceSource{err: boom}, "id", "label")
	if _, err := js.Next(); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
}
