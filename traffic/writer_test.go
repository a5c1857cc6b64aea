package traffic

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/errs"
)

// roundTripColumns exercise the awkward values: nulls, NaN, integral
// floats, quotes, commas, line breaks, non-ASCII text, strings that look
// like null tokens, naive and zoned timestamps.
func roundTripColumns() []col {
	return []col{
		{"id", tInt, []any{int64(1), int64(-2), int64(math.MaxInt64), nil}},
		{"score", tFloat, []any{0.1, 2.0, math.NaN(), nil}},
		{"tiny", tFloat, []any{1e-300, -1e21, 3.5, 0.0}},
		{"text", tString, []any{`a,b "q"`, "line\nbreak", "ünï ✓", nil}},
		{"code", tString, []any{"NA", "null", "x", "y"}},
		{"ok", tBool, []any{true, false, nil, true}},
		{"at", tTSUTC, []any{ts("2024-05-01T12:00:00Z"), ts("2024-05-01T12:00:00.000001Z"), nil, ts("1999-12-31T23:59:59Z")}},
		{"naive", &arrow.TimestampType{Unit: arrow.Microsecond}, []any{ts("2024-01-01T00:00:00Z"), nil, ts("2024-01-01T00:00:00.5Z"), ts("2024-01-02T00:00:00Z")}},
	}
}

func TestWriterRoundTrip(t *testing.T) {
	tests := []struct {
		file string
		// text formats: NaN -> null in JSON Lines
		nanIsNull bool
	}{
		{"out.parquet", false},
		{"out.pq", false},
		{"out.arrow", false},
		{"out.feather", false},
		{"out.arrows", false},
		{"out.csv", false},
		{"out.csv.gz", false},
		{"out.jsonl", true},
		{"out.ndjson", true},
		{"out.jsonl.gz", true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cols := roundTripColumns()
			rec := makeBatch(t, cols...)
			path := filepath.Join(t.TempDir(), tt.file)
			w, err := Create(path, rec.Schema())
			if err != nil {
				t.Fatal(err)
			}
			// Two batches, so the reader sees the rows twice in order.
			for i := 0; i < 2; i++ {
				if err := w.Write(rec); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got := mustReadAll(t, path, Options{})
			if got.rows != 8 {
				t.Fatalf("rows %d, want 8", got.rows)
			}
			if !got.schema.Equal(rec.Schema()) {
				t.Errorf("schema:\n%s\nwant:\n%s", got.schema, rec.Schema())
			}
			for _, c := range cols {
				want := append(append([]any(nil), c.vals...), c.vals...)
				if tt.nanIsNull && c.name == "score" {
					want[2], want[6] = nil, nil
				}
				if !sameValues(got.cols[c.name], want) {
					t.Errorf("%s = %#v\nwant %#v", c.name, got.cols[c.name], want)
				}
			}
		})
	}
}

func TestWriterTextTypes(t *testing.T) {
	// What text cannot carry: the documented changes on the way back.
	rec := makeBatch(t,
		col{"digits", tString, []any{"123", "456"}},
		col{"empty", tString, []any{"", nil}},
		col{"ns", &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "Europe/Paris"}, []any{ts("2024-01-01T00:00:00.123456789Z"), nil}},
		col{"i32", arrow.PrimitiveTypes.Int32, []any{int64(5), nil}},
	)
	for _, name := range []string{"t.csv", "t.jsonl"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			w, err := Create(path, rec.Schema())
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got := mustReadAll(t, path, Options{})
			want := map[string][]any{
				"digits": {int64(123), int64(456)},
				"ns":     {ts("2024-01-01T00:00:00.123456Z"), nil},
				"i32":    {int64(5), nil},
			}
			if name == "t.csv" {
				want["empty"] = []any{nil, nil}
			} else { // JSON keeps strings strings
				want["empty"] = []any{"", nil}
				want["digits"] = []any{"123", "456"}
			}
			for c, w := range want {
				if !sameValues(got.cols[c], w) {
					t.Errorf("%s = %#v, want %#v", c, got.cols[c], w)
				}
			}
			if typ := got.schema.Field(2).Type; !arrow.TypeEqual(typ, tTSUTC) {
				t.Errorf("ns came back as %s", typ)
			}
		})
	}
}

func TestWriterCSVText(t *testing.T) {
	rec := makeBatch(t, col{"only", tString, []any{"a", nil, " lead"}})
	path := filepath.Join(t.TempDir(), "one.csv")
	w, err := Create(path, rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if want := "only\na\n\"\"\n\" lead\"\n"; string(b) != want {
		t.Errorf("file %q, want %q", b, want)
	}
	got := mustReadAll(t, path, Options{})
	if !sameValues(got.cols["only"], []any{"a", nil, " lead"}) {
		t.Errorf("read back %v", got.cols["only"])
	}
}

func TestWriterEmpty(t *testing.T) {
	rec := makeBatch(t, col{"id", tInt, []any{}}, col{"s", tString, []any{}})
	for _, name := range []string{"e.parquet", "e.arrow", "e.csv", "e.jsonl"} {
		path := filepath.Join(t.TempDir(), name)
		w, err := Create(path, rec.Schema())
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got := mustReadAll(t, path, Options{})
		if got.rows != 0 {
			t.Errorf("%s: %d rows", name, got.rows)
		}
	}
}

func TestCreateErrors(t *testing.T) {
	dir := t.TempDir()
	rec := makeBatch(t, col{"id", tInt, []any{int64(1)}})
	nested := arrow.NewSchema([]arrow.Field{{Name: "l", Type: arrow.ListOf(tInt), Nullable: true}}, nil)
	tests := []struct {
		path   string
		schema *arrow.Schema
		want   []string
	}{
		{filepath.Join(dir, "out.txt"), rec.Schema(), []string{"out.txt", "cannot tell the output format"}},
		{filepath.Join(dir, "out.json"), rec.Schema(), []string{"cannot tell the output format"}},
		{filepath.Join(dir, "out.parquet.gz"), rec.Schema(), []string{"cannot tell the output format"}},
		{filepath.Join(dir, "out.csv"), nested, []string{`column "l"`, "CSV cannot hold"}},
		{filepath.Join(dir, "missing", "out.csv"), rec.Schema(), []string{"out.csv"}},
	}
	for _, tt := range tests {
		_, err := Create(tt.path, tt.schema)
		wantInput(t, err, tt.want...)
	}
	_, err := Create(filepath.Join(dir, "out.txt"), rec.Schema())
	if h := errs.HintOf(err); !strings.Contains(h, ".parquet") || !strings.Contains(h, ".jsonl") {
		t.Errorf("hint %q does not list the formats", h)
	}

	w, err := Create(filepath.Join(dir, "ok.parquet"), rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	other := makeBatch(t, col{"x", tInt, []any{int64(1)}})
	if err := w.Write(other); err == nil {
		t.Error("writing a batch of another schema: no error")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
