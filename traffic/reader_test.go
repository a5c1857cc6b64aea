package traffic

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The same three rows in every format.
const sampleCSV = `id,age,score,country,clicked,ts
1,34,0.25,US,true,2024-05-01T12:00:00Z
2,,-0.0015,NA,false,2024-05-01T12:00:01.5Z
3,51,,DE,,2024-05-02T00:00:00+00:00
`

const sampleJSONL = `{"id":1,"age":34,"score":0.25,"country":"US","clicked":true,"ts":"2024-05-01T12:00:00Z"}
{"id":2,"age":null,"score":-0.0015,"country":"NA","clicked":false,"ts":"2024-05-01T12:00:01.5Z"}

{"id":3,"age":51,"country":"DE","ts":"2024-05-02T02:00:00+02:00"}
`

var sampleWant = map[string][]any{
	"id":      {int64(1), int64(2), int64(3)},
	"age":     {int64(34), nil, int64(51)},
	"score":   {0.25, -0.0015, nil},
	"country": {"US", "NA", "DE"},
	"clicked": {true, false, nil},
	"ts":      {ts("2024-05-01T12:00:00Z"), ts("2024-05-01T12:00:01.5Z"), ts("2024-05-02T00:00:00Z")},
}

var sampleSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: tInt, Nullable: true},
	{Name: "age", Type: tInt, Nullable: true},
	{Name: "score", Type: tFloat, Nullable: true},
	{Name: "country", Type: tString, Nullable: true},
	{Name: "clicked", Type: tBool, Nullable: true},
	{Name: "ts", Type: tTSUTC, Nullable: true},
}, nil)

func sampleBatch(t testing.TB) arrow.RecordBatch {
	return makeBatch(t,
		col{"id", tInt, sampleWant["id"]},
		col{"age", tInt, sampleWant["age"]},
		col{"score", tFloat, sampleWant["score"]},
		col{"country", tString, sampleWant["country"]},
		col{"clicked", tBool, sampleWant["clicked"]},
		col{"ts", tTSUTC, sampleWant["ts"]},
	)
}

func TestFormats(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		format string
		write  func(t *testing.T, path string)
	}{
		{"parquet", "a.parquet", FormatParquet, func(t *testing.T, p string) { writeParquet(t, p, 1<<20, sampleBatch(t)) }},
		{"pq", "a.pq", FormatParquet, func(t *testing.T, p string) { writeParquet(t, p, 1<<20, sampleBatch(t)) }},
		{"arrow file", "a.arrow", FormatArrow, func(t *testing.T, p string) { writeIPC(t, p, false, sampleBatch(t)) }},
		{"feather", "a.feather", FormatArrow, func(t *testing.T, p string) { writeIPC(t, p, false, sampleBatch(t)) }},
		{"arrow zstd", "a.arrow", FormatArrow, func(t *testing.T, p string) {
			writeIPCWith(t, p, false, []ipc.Option{ipc.WithZstd()}, sampleBatch(t), sampleBatch(t).NewSlice(0, 0))
		}},
		{"arrow stream lz4", "a.arrows", FormatArrowStream, func(t *testing.T, p string) {
			writeIPCWith(t, p, true, []ipc.Option{ipc.WithLZ4()}, sampleBatch(t))
		}},
		{"arrow stream", "a.arrows", FormatArrowStream, func(t *testing.T, p string) { writeIPC(t, p, true, sampleBatch(t)) }},
		{"stream named .arrow", "a.arrow", FormatArrowStream, func(t *testing.T, p string) { writeIPC(t, p, true, sampleBatch(t)) }},
		{"csv", "a.csv", FormatCSV, func(t *testing.T, p string) { writeFile(t, p, sampleCSV) }},
		{"csv crlf bom", "a.csv", FormatCSV, func(t *testing.T, p string) {
			writeFile(t, p, "\ufeff"+strings.ReplaceAll(sampleCSV, "\n", "\r\n"))
		}},
		{"csv.gz", "a.csv.gz", FormatCSVGzip, func(t *testing.T, p string) { writeFile(t, p, gzipped(t, sampleCSV)) }},
		{"gzip csv without .gz", "a.csv", FormatCSVGzip, func(t *testing.T, p string) { writeFile(t, p, gzipped(t, sampleCSV)) }},
		{"jsonl", "a.jsonl", FormatJSONL, func(t *testing.T, p string) { writeFile(t, p, sampleJSONL) }},
		{"ndjson", "a.ndjson", FormatJSONL, func(t *testing.T, p string) { writeFile(t, p, sampleJSONL) }},
		{"json lines as .json", "a.json", FormatJSONL, func(t *testing.T, p string) { writeFile(t, p, sampleJSONL) }},
		{"jsonl.gz", "a.jsonl.gz", FormatJSONLGzip, func(t *testing.T, p string) { writeFile(t, p, gzipped(t, sampleJSONL)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			tt.write(t, path)
			got := mustReadAll(t, path, Options{})
			if !got.schema.Equal(sampleSchema) {
				t.Errorf("schema:\n%s\nwant:\n%s", got.schema, sampleSchema)
			}
			for name, want := range sampleWant {
				if !sameValues(got.cols[name], want) {
					t.Errorf("column %s = %v, want %v", name, got.cols[name], want)
				}
			}
			if len(got.files) != 1 {
				t.Fatalf("files = %v", got.files)
			}
			fi := got.files[0]
			if fi.Path != path || fi.Format != tt.format || fi.Rows != 3 || fi.SHA256 != sha256File(t, path) {
				t.Errorf("file info = %+v; want path %s, format %s, 3 rows, sha256 %s", fi, path, tt.format, sha256File(t, path))
			}
		})
	}
}

func sha256File(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestProjection(t *testing.T) {
	dir := t.TempDir()
	writers := map[string]func(p string){
		"a.parquet": func(p string) { writeParquet(t, p, 1<<20, sampleBatch(t)) },
		"a.arrow":   func(p string) { writeIPC(t, p, false, sampleBatch(t)) },
		"a.csv":     func(p string) { writeFile(t, p, sampleCSV) },
		"a.jsonl":   func(p string) { writeFile(t, p, sampleJSONL) },
	}
	for name, write := range writers {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			write(path)
			got := mustReadAll(t, path, Options{Columns: []string{"score", "id", "score"}})
			want := arrow.NewSchema([]arrow.Field{
				{Name: "score", Type: tFloat, Nullable: true},
				{Name: "id", Type: tInt, Nullable: true},
			}, nil)
			if !got.schema.Equal(want) {
				t.Errorf("schema %s, want %s", got.schema, want)
			}
			if !sameValues(got.cols["score"], sampleWant["score"]) || !sameValues(got.cols["id"], sampleWant["id"]) {
				t.Errorf("values %v", got.cols)
			}
			if got.files[0].Rows != 3 {
				t.Errorf("rows = %d", got.files[0].Rows)
			}
		})
	}
}

func TestMissingColumnSuggestion(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.parquet", "a.csv", "a.jsonl"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			switch filepath.Ext(name) {
			case ".parquet":
				writeParquet(t, path, 100, sampleBatch(t))
			case ".csv":
				writeFile(t, path, sampleCSV)
			default:
				writeFile(t, path, sampleJSONL)
			}
			_, err := Open(context.Background(), path, Options{Columns: []string{"id", "agee"}})
			wantInput(t, err, fmt.Sprintf(`column "agee" not found in %s`, path), `did you mean "age"?`)
			_, err = Open(context.Background(), path, Options{Columns: []string{"zzzzzz"}})
			wantInput(t, err, `column "zzzzzz" not found`)
			if strings.Contains(err.Error(), "did you mean") {
				t.Errorf("unexpected suggestion: %v", err)
			}
		})
	}
}

func TestGlobDirectoryOrder(t *testing.T) {
	dir := t.TempDir()
	one := func(id int64) arrow.RecordBatch {
		return makeBatch(t, col{"id", tInt, []any{id}}, col{"x", tFloat, []any{float64(id) / 2}})
	}
	writeParquet(t, filepath.Join(dir, "b.parquet"), 10, one(2))
	writeParquet(t, filepath.Join(dir, "a.parquet"), 10, one(1))
	writeFile(t, filepath.Join(dir, "c.csv"), "id,x\n3,1.5\n")
	writeFile(t, filepath.Join(dir, "d.jsonl"), `{"id":4,"x":2.0}`+"\n")
	writeParquet(t, filepath.Join(dir, ".hidden.parquet"), 10, one(99))
	writeFile(t, filepath.Join(dir, "_SUCCESS"), "")
	writeFile(t, filepath.Join(dir, "README.md"), "not data")
	writeParquet(t, filepath.Join(dir, "sub", "e.parquet"), 10, one(5))
	writeParquet(t, filepath.Join(dir, "sub", "deeper", "f.parquet"), 10, one(6))
	writeParquet(t, filepath.Join(dir, ".git", "g.parquet"), 10, one(98))

	tests := []struct {
		pattern string
		ids     []any
	}{
		{dir, []any{int64(1), int64(2), int64(3), int64(4)}},
		{filepath.Join(dir, "*.parquet"), []any{int64(1), int64(2)}},
		{filepath.Join(dir, "*"), []any{int64(1), int64(2), int64(3), int64(4)}},
		{filepath.Join(dir, "[ab].parquet"), []any{int64(1), int64(2)}},
		{filepath.Join(dir, "**", "*.parquet"), []any{int64(1), int64(2), int64(6), int64(5)}},
		{filepath.Join(dir, "sub", "**"), []any{int64(6), int64(5)}},
		{filepath.Join(dir, "c.csv"), []any{int64(3)}},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.pattern, dir), func(t *testing.T) {
			got := mustReadAll(t, tt.pattern, Options{})
			if !sameValues(got.cols["id"], tt.ids) {
				t.Errorf("ids %v, want %v", got.cols["id"], tt.ids)
			}
			var paths []string
			for _, f := range got.files {
				paths = append(paths, f.Path)
				if f.Rows != 1 || len(f.SHA256) != 64 {
					t.Errorf("file info %+v", f)
				}
			}
			want, err := Resolve(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(paths, "|") != strings.Join(want, "|") {
				t.Errorf("files %v, Resolve %v", paths, want)
			}
		})
	}
}

func TestZeroFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "notes.txt"), "x")
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ pattern, want string }{
		{filepath.Join(dir, "*.parquet"), "no file matches"},
		{filepath.Join(dir, "missing.parquet"), "no file matches"},
		{filepath.Join(dir, "*.txt"), "unsupported extension"},
		{filepath.Join(dir, "notes.txt"), "unsupported file type"},
		{empty, "no traffic file in directory"},
		{filepath.Join(dir, "[.parquet"), "bad glob pattern"},
		{filepath.Join(dir, "**", "[.parquet"), "bad glob pattern"},
	}
	for _, tt := range tests {
		_, err := Open(context.Background(), tt.pattern, Options{})
		wantInput(t, err, tt.want, tt.pattern)
	}
}

func TestTypeUnification(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string // name -> content; "pq:int"/"pq:float" make Parquet
		typ   arrow.DataType
		x     []any
	}{
		{"csv int + csv float", map[string]string{"a.csv": "x\n1\n2\n", "b.csv": "x\n1.5\n"},
			tFloat, []any{1.0, 2.0, 1.5}},
		{"jsonl int + csv float", map[string]string{"a.jsonl": `{"x":1}`, "b.csv": "x\n2.5\n"},
			tFloat, []any{1.0, 2.5}},
		{"parquet int + csv float", map[string]string{"a.parquet": "pq:int", "b.csv": "x\n2.5\n"},
			tFloat, []any{7.0, 2.5}},
		{"csv int + parquet float", map[string]string{"a.csv": "x\n3\n", "b.parquet": "pq:float"},
			tFloat, []any{3.0, 0.5}},
		{"all-null csv column takes the other type", map[string]string{"a.csv": "x\nNA\nnull\n", "b.csv": "x\n4\n"},
			tInt, []any{nil, nil, int64(4)}},
		{"no value anywhere is string", map[string]string{"a.csv": "x\nNA\n"},
			tString, []any{"NA"}},
		{"jsonl without the key is nulls", map[string]string{"a.jsonl": `{"x":1}`, "b.jsonl": `{"y":1}`},
			tInt, []any{int64(1), nil}},
		{"naive and zoned timestamps", map[string]string{"a.csv": "x\n2024-01-01 10:00:00\n", "b.csv": "x\n2024-01-01T10:00:00+01:00\n"},
			tTSUTC, []any{ts("2024-01-01T10:00:00Z"), ts("2024-01-01T09:00:00Z")}},
		{"text timestamp takes parquet's unit", map[string]string{"a.parquet": "pq:ts", "b.csv": "x\n2024-01-01T00:00:00.123456789Z\n"},
			&arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, []any{ts("2024-01-01T00:00:00Z"), ts("2024-01-01T00:00:00.123456789Z")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				path := filepath.Join(dir, name)
				switch content {
				case "pq:int":
					writeParquet(t, path, 10, makeBatch(t, col{"x", tInt, []any{int64(7)}}))
				case "pq:float":
					writeParquet(t, path, 10, makeBatch(t, col{"x", tFloat, []any{0.5}}))
				case "pq:ts":
					writeParquet(t, path, 10, makeBatch(t, col{"x", &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, []any{ts("2024-01-01T00:00:00Z")}}))
				default:
					writeFile(t, path, content)
				}
			}
			got := mustReadAll(t, dir, Options{Columns: []string{"x"}})
			if f := got.schema.Field(0); !arrow.TypeEqual(f.Type, tt.typ) {
				t.Errorf("type %s, want %s", f.Type, tt.typ)
			}
			if !sameValues(got.cols["x"], tt.x) {
				t.Errorf("x = %v, want %v", got.cols["x"], tt.x)
			}
		})
	}
}

func TestSchemaConflicts(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]func(t *testing.T, path string)
		cols  []string
		want  []string
	}{
		{"parquet int vs parquet float",
			map[string]func(*testing.T, string){
				"a.parquet": func(t *testing.T, p string) { writeParquet(t, p, 10, makeBatch(t, col{"x", tInt, []any{int64(1)}})) },
				"b.parquet": func(t *testing.T, p string) { writeParquet(t, p, 10, makeBatch(t, col{"x", tFloat, []any{1.0}})) },
			}, nil, []string{`column "x" is int64 in`, "a.parquet", "but float64 in", "b.parquet"}},
		{"string vs int",
			map[string]func(*testing.T, string){
				"a.csv":     func(t *testing.T, p string) { writeFile(t, p, "x\nabc\n") },
				"b.parquet": func(t *testing.T, p string) { writeParquet(t, p, 10, makeBatch(t, col{"x", tInt, []any{int64(1)}})) },
			}, []string{"x"}, []string{`column "x" is utf8 in`, "a.csv", "b.parquet"}},
		{"column missing in second csv",
			map[string]func(*testing.T, string){
				"a.csv": func(t *testing.T, p string) { writeFile(t, p, "x,y\n1,2\n") },
				"b.csv": func(t *testing.T, p string) { writeFile(t, p, "x\n1\n") },
			}, nil, []string{`column "y" is in`, "a.csv", "but not in", "b.csv"}},
		{"extra column in second parquet",
			map[string]func(*testing.T, string){
				"a.parquet": func(t *testing.T, p string) { writeParquet(t, p, 10, makeBatch(t, col{"x", tInt, []any{int64(1)}})) },
				"b.parquet": func(t *testing.T, p string) {
					writeParquet(t, p, 10, makeBatch(t, col{"x", tInt, []any{int64(1)}}, col{"z", tInt, []any{int64(1)}}))
				},
			}, nil, []string{`column "z" is in`, "b.parquet", "but not in", "a.parquet"}},
		{"projected column missing in one file",
			map[string]func(*testing.T, string){
				"a.csv": func(t *testing.T, p string) { writeFile(t, p, "x,y\n1,2\n") },
				"b.csv": func(t *testing.T, p string) { writeFile(t, p, "x,yy\n1,2\n") },
			}, []string{"y"}, []string{`column "y" not found in`, "b.csv", `did you mean "yy"?`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, write := range tt.files {
				write(t, filepath.Join(dir, name))
			}
			_, err := Open(context.Background(), dir, Options{Columns: tt.cols})
			wantInput(t, err, tt.want...)
			_, _, err = Inspect(context.Background(), dir)
			if err == nil && tt.cols == nil {
				t.Errorf("Inspect: no error")
			}
		})
	}
}

func TestNullability(t *testing.T) {
	dir := t.TempDir()
	req := arrow.NewSchema([]arrow.Field{{Name: "x", Type: tInt, Nullable: false}}, nil)
	b := array.NewInt64Builder(memory.DefaultAllocator)
	b.AppendValues([]int64{1, 2}, nil)
	arr := b.NewArray()
	writeParquet(t, filepath.Join(dir, "a.parquet"), 10, array.NewRecordBatch(req, []arrow.Array{arr}, 2))
	writeParquet(t, filepath.Join(dir, "b.parquet"), 10, makeBatch(t, col{"x", tInt, []any{nil}}))
	got := mustReadAll(t, dir, Options{})
	if !got.schema.Field(0).Nullable || !sameValues(got.cols["x"], []any{int64(1), int64(2), nil}) {
		t.Errorf("got %s %v", got.schema, got.cols["x"])
	}
	one := mustReadAll(t, filepath.Join(dir, "a.parquet"), Options{})
	if one.schema.Field(0).Nullable {
		t.Errorf("a required column alone should stay non-nullable: %s", one.schema)
	}
}

func TestEmptyFiles(t *testing.T) {
	tests := []struct {
		name, file, content string
		schema              string
	}{
		{"csv header only", "a.csv", "id,score\n", "id:null,score:null"},
		{"csv zero bytes", "a.csv", "", ""},
		{"jsonl zero bytes", "a.jsonl", "", ""},
		{"jsonl blank lines", "a.jsonl", "\n\n  \n", ""},
		{"csv.gz header only", "a.csv.gz", "gz:id\n", "id:null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			content := tt.content
			if strings.HasPrefix(content, "gz:") {
				content = gzipped(t, strings.TrimPrefix(content, "gz:"))
			}
			writeFile(t, path, content)
			got := mustReadAll(t, path, Options{})
			if got.rows != 0 || got.files[0].Rows != 0 || got.files[0].SHA256 != sha256File(t, path) {
				t.Errorf("rows %d, files %+v", got.rows, got.files)
			}
			var fs []string
			for _, f := range got.schema.Fields() {
				fs = append(fs, f.Name+":"+f.Type.String())
			}
			if s := strings.Join(fs, ","); s != tt.schema {
				t.Errorf("schema %q, want %q", s, tt.schema)
			}
		})
	}

	// A header-only CSV joins other files without conflict.
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.csv"), "id,score\n")
	writeFile(t, filepath.Join(dir, "b.csv"), "id,score\n1,0.5\n")
	writeFile(t, filepath.Join(dir, "c.jsonl"), "")
	got := mustReadAll(t, dir, Options{})
	if got.rows != 1 || got.schema.Field(1).Type.ID() != arrow.FLOAT64 {
		t.Errorf("rows %d schema %s", got.rows, got.schema)
	}
}

func TestMalformedCSV(t *testing.T) {
	var long strings.Builder
	long.WriteString("id,x\n")
	for i := 0; i < InferRows+5; i++ {
		fmt.Fprintf(&long, "%d,%d\n", i, i)
	}
	// Line 1 is the header, so data row k is on line k+1.
	bad := strings.Replace(long.String(), fmt.Sprintf("\n%d,%d\n", InferRows+2, InferRows+2), fmt.Sprintf("\n%d,1.5\n", InferRows+2), 1)

	tests := []struct {
		name, content string
		want          []string
	}{
		{"ragged row", "a,b,c\n1,2,3\n4,5\n", []string{"x.csv:3: row has 2 fields, header has 3"}},
		{"ragged long row in prefix", "a,b\n1,2\n3,4,5\n", []string{"x.csv:3: row has 3 fields, header has 2"}},
		{"bad number after the prefix", bad, []string{fmt.Sprintf("x.csv:%d:", InferRows+4), `column "x"`, `cannot read "1.5" as int64`}},
		{"bad bool", "a\ntrue\nmaybe\n", nil}, // inferred string, not an error
		{"bare quote", "a,b\n1,x\"y\n", []string{"x.csv:2:", `bare "`}},
		{"unterminated quote", "a,b\n1,\"abc\n", []string{"x.csv:", "extraneous or missing"}},
		{"empty header name", ",a\n1,2\n", []string{"x.csv:1: column 1 has an empty name"}},
		{"duplicate header", "a,a\n1,2\n", []string{`column "a" appears twice`}},
		{"not gzip", "gzname", []string{"not gzip-compressed"}},
		{"truncated gzip", "gztrunc", []string{"x.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "x.csv")
			switch tt.content {
			case "gzname":
				path += ".gz"
				writeFile(t, path, "a\n1\n")
			case "gztrunc":
				z := gzipped(t, long.String())
				writeFile(t, path, z[:len(z)/2])
			default:
				writeFile(t, path, tt.content)
			}
			_, err := readAll(t, path, Options{})
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantInput(t, err, tt.want...)
		})
	}
}

func TestCSVValues(t *testing.T) {
	content := "i,f,b,s,n,e\n" +
		"1,NaN,TRUE,\"a,b\",NA,\n" +
		" 2 ,1e3,False,\"say \"\"hi\"\"\",null,\n" +
		"-3,-Inf,true,,N/A,\n" +
		"NA,7,NULL,NA,,\n" +
		"  ,\t,  ,  , ,\n"
	path := filepath.Join(t.TempDir(), "v.csv")
	writeFile(t, path, content)
	got := mustReadAll(t, path, Options{})
	want := map[string][]any{
		"i": {int64(1), int64(2), int64(-3), nil, nil},
		"f": {nanValue(), 1000.0, negInf(), 7.0, nil},
		"b": {true, false, true, nil, nil},
		"s": {"a,b", `say "hi"`, nil, "NA", "  "},
		"n": {"NA", "null", "N/A", nil, " "},
		"e": {nil, nil, nil, nil, nil},
	}
	for name, w := range want {
		if !sameValues(got.cols[name], w) {
			t.Errorf("%s = %v, want %v", name, got.cols[name], w)
		}
	}
	types := "i:int64 f:float64 b:bool s:utf8 n:utf8 e:utf8"
	var have []string
	for _, f := range got.schema.Fields() {
		have = append(have, f.Name+":"+f.Type.String())
	}
	if strings.Join(have, " ") != types {
		t.Errorf("types %v, want %s", have, types)
	}
}

func TestJSONLValues(t *testing.T) {
	content := `{"n": {"a": [1, 2]}, "mix": 1, "s": "caf\u00e9 \"q\"", "big": 12345678901234567890, "f": 1.0, "u\u00e9": true}` + "\n" +
		`{"n": [true], "mix": "two", "s": null, "big": 1, "f": 2, "ué": false}` + "\r\n"
	path := filepath.Join(t.TempDir(), "v.jsonl")
	writeFile(t, path, content)
	got := mustReadAll(t, path, Options{})
	want := map[string][]any{
		"n":   {`{"a": [1, 2]}`, `[true]`},
		"mix": {"1", "two"},
		"s":   {`café "q"`, nil},
		"big": {12345678901234567890.0, 1.0},
		"f":   {1.0, 2.0},
		"ué":  {true, false},
	}
	for name, w := range want {
		if !sameValues(got.cols[name], w) {
			t.Errorf("%s = %#v, want %#v", name, got.cols[name], w)
		}
	}
}

func TestMalformedJSONL(t *testing.T) {
	var long strings.Builder
	for i := 0; i < InferRows+3; i++ {
		fmt.Fprintf(&long, "{\"id\":%d,\"s\":\"x\"}\n", i)
	}
	tests := []struct {
		name, content string
		cols          []string
		want          []string
	}{
		{"bad json on line 3", "{\"a\":1}\n{\"a\":2}\n{\"a\":3,}\n", nil, []string{"x.jsonl:3:", "invalid JSON"}},
		{"bad json after prefix", long.String() + "{\"id\":1,\n", nil, []string{fmt.Sprintf("x.jsonl:%d:", InferRows+4), "invalid JSON"}},
		{"non-object line", "{\"a\":1}\n[1,2]\n", nil, []string{"x.jsonl:2: expected a JSON object, found an array"}},
		{"number line", "{\"a\":1}\n\n42\n", nil, []string{"x.jsonl:3: expected a JSON object, found a number"}},
		{"json array file", "[{\"a\":1},\n{\"a\":2}]\n", nil, []string{"x.jsonl:1: a JSON array, not JSON Lines"}},
		{"pretty-printed json", "{\n  \"a\": 1\n}\n", nil, []string{"x.jsonl:1:", "invalid JSON"}},
		{"type change after prefix", long.String() + "{\"id\":\"seven\",\"s\":\"x\"}\n", nil,
			[]string{fmt.Sprintf("x.jsonl:%d:", InferRows+4), `column "id"`, `cannot read "seven" as int64`}},
		{"float after int prefix", long.String() + "{\"id\":1.5}\n", nil,
			[]string{fmt.Sprintf("x.jsonl:%d:", InferRows+4), `column "id"`}},
		{"new key after prefix", long.String() + "{\"id\":1,\"late\":2}\n", nil,
			[]string{fmt.Sprintf("x.jsonl:%d:", InferRows+4), `key "late" is not a column`}},
		{"new key after prefix, projected away", long.String() + "{\"id\":1,\"late\":2}\n", []string{"id"}, nil},
		{"duplicate key", "{\"a\":1,\"a\":2}\n", nil, []string{"x.jsonl:1:", `key "a" appears twice`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.jsonl")
			writeFile(t, path, tt.content)
			_, err := readAll(t, path, Options{Columns: tt.cols})
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantInput(t, err, tt.want...)
		})
	}
}

func TestParquetRowGroupsBounded(t *testing.T) {
	const n = 10_000
	ids := make([]any, n)
	xs := make([]any, n)
	for i := range ids {
		ids[i] = int64(i)
		xs[i] = fmt.Sprintf("v%d", i%7)
	}
	path := filepath.Join(t.TempDir(), "rg.parquet")
	writeParquet(t, path, 1000, makeBatch(t, col{"id", tInt, ids}, col{"s", tString, xs}))

	got := mustReadAll(t, path, Options{BatchSize: 300})
	if got.rows != n || !sameValues(got.cols["id"], ids) || !sameValues(got.cols["s"], xs) {
		t.Fatalf("read %d rows, values differ", got.rows)
	}
	for _, b := range got.batches {
		if b > 300 || b <= 0 {
			t.Fatalf("batch of %d rows (limit 300): %v", b, got.batches)
		}
	}
	if len(got.batches) < n/300 {
		t.Errorf("%d batches", len(got.batches))
	}
	if fi := got.files[0]; fi.Rows != n || fi.SHA256 != sha256File(t, path) {
		t.Errorf("file info %+v", fi)
	}
	files, _, err := Inspect(context.Background(), path)
	if err != nil || files[0].Rows != n {
		t.Errorf("Inspect rows: %+v %v", files, err)
	}
}

func TestLargeBatchesAreSliced(t *testing.T) {
	ids := make([]any, 1000)
	for i := range ids {
		ids[i] = int64(i)
	}
	path := filepath.Join(t.TempDir(), "big.arrow")
	writeIPC(t, path, false, makeBatch(t, col{"id", tInt, ids}))
	got := mustReadAll(t, path, Options{BatchSize: 64})
	if got.rows != 1000 || !sameValues(got.cols["id"], ids) {
		t.Fatalf("rows %d", got.rows)
	}
	for _, b := range got.batches {
		if b > 64 {
			t.Fatalf("batch of %d rows", b)
		}
	}
}

func TestTruncatedParquet(t *testing.T) {
	ids := make([]any, 5000)
	ss := make([]any, 5000)
	for i := range ids {
		ids[i] = int64(i * 7)
		ss[i] = fmt.Sprintf("row-%d", i)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.parquet")
	writeParquet(t, good, 1000, makeBatch(t, col{"id", tInt, ids}, col{"s", tString, ss}))
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{0, 3, 4, 100, len(data) / 2, len(data) - 8, len(data) - 1} {
		t.Run(fmt.Sprintf("first %d bytes", cut), func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("cut%d.parquet", cut))
			writeFile(t, path, string(data[:cut]))
			_, err := readAll(t, path, Options{})
			wantInput(t, err, path)
		})
	}
	// Damaged pages (footer intact): an input error or plausible rows, never a panic.
	for _, at := range []int{8, len(data) / 3, len(data) / 2} {
		t.Run(fmt.Sprintf("garbage at %d", at), func(t *testing.T) {
			bad := append([]byte(nil), data...)
			for i := at; i < at+64 && i < len(bad)-8; i++ {
				bad[i] ^= 0x5a
			}
			path := filepath.Join(dir, fmt.Sprintf("bad%d.parquet", at))
			writeFile(t, path, string(bad))
			if _, err := readAll(t, path, Options{}); err != nil {
				wantInput(t, err, path)
			}
		})
	}
}

func TestCorruptArrow(t *testing.T) {
	dir := t.TempDir()
	for _, stream := range []bool{false, true} {
		good := filepath.Join(dir, fmt.Sprintf("good%v.arrow", stream))
		writeIPC(t, good, stream, sampleBatch(t), sampleBatch(t))
		data, _ := os.ReadFile(good)
		for _, cut := range []int{2, 10, len(data) / 2, len(data) - 3} {
			path := filepath.Join(dir, fmt.Sprintf("cut%v%d.arrow", stream, cut))
			writeFile(t, path, string(data[:cut]))
			if _, err := readAll(t, path, Options{}); err != nil {
				wantInput(t, err, path)
			} else if stream && cut < len(data)/2 {
				t.Errorf("%s: truncated stream read without error", path)
			}
		}
	}
	path := filepath.Join(dir, "v1.feather")
	writeFile(t, path, "FEA1\x00\x00\x00\x00")
	_, err := readAll(t, path, Options{})
	wantInput(t, err, "Feather v1")
}

func TestDictionaryDecoded(t *testing.T) {
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: tString}
	rec := makeBatch(t, col{"c", dt, []any{"US", nil, "DE", "US"}}, col{"l", arrow.BinaryTypes.LargeString, []any{"a", "b", nil, ""}})
	dir := t.TempDir()
	writeParquet(t, filepath.Join(dir, "d.parquet"), 10, rec)
	writeIPC(t, filepath.Join(dir, "d.arrow"), false, rec)
	for _, name := range []string{"d.parquet", "d.arrow"} {
		got := mustReadAll(t, filepath.Join(dir, name), Options{})
		if got.schema.Field(0).Type.ID() != arrow.STRING || !sameValues(got.cols["c"], []any{"US", nil, "DE", "US"}) {
			t.Errorf("%s: %s %v", name, got.schema, got.cols["c"])
		}
		if got.schema.Field(1).Type.ID() != arrow.STRING || !sameValues(got.cols["l"], []any{"a", "b", nil, ""}) {
			t.Errorf("%s: %s %v", name, got.schema, got.cols["l"])
		}
	}
	// And both files together: same unified type.
	got := mustReadAll(t, dir, Options{})
	if got.rows != 8 {
		t.Errorf("rows %d", got.rows)
	}
}

func TestTimestampsKept(t *testing.T) {
	typ := &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "Europe/Berlin"}
	rec := makeBatch(t, col{"t", typ, []any{ts("2024-03-01T10:00:00.123456789Z"), nil}})
	path := filepath.Join(t.TempDir(), "t.parquet")
	writeParquet(t, path, 10, rec)
	got := mustReadAll(t, path, Options{})
	if !arrow.TypeEqual(got.schema.Field(0).Type, typ) || !sameValues(got.cols["t"], []any{ts("2024-03-01T10:00:00.123456789Z"), nil}) {
		t.Errorf("%s %v", got.schema, got.cols["t"])
	}
}

func TestInspect(t *testing.T) {
	dir := t.TempDir()
	writeParquet(t, filepath.Join(dir, "a.parquet"), 2, sampleBatch(t))
	writeFile(t, filepath.Join(dir, "b.csv"), sampleCSV)
	var long strings.Builder
	long.WriteString(`{"id":1,"age":2,"score":0.5,"country":"x","clicked":true,"ts":"2024-01-01T00:00:00Z"}` + "\n")
	for i := 0; i < InferRows; i++ {
		long.WriteString(`{"id":1}` + "\n")
	}
	writeFile(t, filepath.Join(dir, "c.jsonl"), long.String())
	files, schema, err := Inspect(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if !schema.Equal(sampleSchema) {
		t.Errorf("schema %s", schema)
	}
	want := []FileInfo{
		{Path: filepath.Join(dir, "a.parquet"), Format: FormatParquet, Rows: 3},
		{Path: filepath.Join(dir, "b.csv"), Format: FormatCSV, Rows: 3},
		{Path: filepath.Join(dir, "c.jsonl"), Format: FormatJSONL, Rows: -1},
	}
	if fmt.Sprint(files) != fmt.Sprint(want) {
		t.Errorf("files %+v, want %+v", files, want)
	}
}

func TestFilesBeforeEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.csv")
	writeFile(t, path, sampleCSV)
	r, err := Open(context.Background(), path, Options{BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if fi := r.Files(); len(fi) != 1 || fi[0].Path != path || fi[0].Format != FormatCSV || fi[0].SHA256 != "" {
		t.Errorf("files before reading %+v", fi)
	}
}

func TestCloseEarlyAndCancel(t *testing.T) {
	ids := make([]any, 5000)
	for i := range ids {
		ids[i] = int64(i)
	}
	path := filepath.Join(t.TempDir(), "a.parquet")
	writeParquet(t, path, 500, makeBatch(t, col{"id", tInt, ids}))

	r, err := Open(context.Background(), path, Options{BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err == nil {
		t.Error("Next after Close: no error")
	}

	ctx, cancel := context.WithCancel(context.Background())
	r, err = Open(ctx, path, Options{BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cancel()
	for i := 0; i < 1000; i++ {
		b, err := r.Next()
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("after cancel: %v", err)
			}
			return
		}
		b.Release()
	}
	t.Error("reading went on after cancel")
}

func TestClosestName(t *testing.T) {
	have := []string{"age", "income", "country", "platform", "Clicked", "id"}
	tests := []struct{ want, got string }{
		{"agee", "age"},
		{"ag", "age"},
		{"incme", "income"},
		{"contry", "country"},
		{"clicked", "Clicked"},
		{"platfrom", "platform"},
		{"ix", "id"},
		{"zzz", ""},
		{"label", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ClosestName(tt.want, have); got != tt.got {
			t.Errorf("ClosestName(%q) = %q, want %q", tt.want, got, tt.got)
		}
	}
}

func nanValue() float64 { return math.NaN() }
func negInf() float64   { return math.Inf(-1) }
