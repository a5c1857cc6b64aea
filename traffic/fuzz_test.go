package traffic

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/replaygate/replaygate/errs"
)

var update = flag.Bool("update", false, "rewrite the generated seed files under testdata/fuzz")

// fuzzRead reads data as a file of the given name: it must end in rows or
// an input error, never a panic or another kind of error.
func fuzzRead(t *testing.T, name string, data []byte, opts Options) {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	opts.BatchSize = 3
	tb, err := readAll(t, path, opts)
	if err != nil {
		if errs.Code(err) != errs.CodeInput {
			t.Fatalf("error of class %d, want an input error: %v", errs.Code(err), err)
		}
		return
	}
	if tb.files[0].Rows != int64(tb.rows) {
		t.Fatalf("Files() says %d rows, read %d", tb.files[0].Rows, tb.rows)
	}
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte(sampleCSV))
	f.Add([]byte("a,b\n1,2\n3,x\n"))
	f.Add([]byte("a\n1\n2\n2.5\n"))
	f.Add([]byte("t\n2024-01-01T00:00:00Z\n2024-01-01 10:00:00\nnope\n"))
	f.Add([]byte("a,b\n\"q\"\"\",2\n"))
	f.Add([]byte(gzipped(f, "a\ntrue\nfalse\n1\n")))
	lowInference(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, "f.csv", data, Options{})
	})
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte(sampleJSONL))
	f.Add([]byte("{\"a\":1}\n{\"a\":2}\n{\"a\":2.5}\n"))
	f.Add([]byte("{\"a\":{\"b\":[1,{\"c\":\"}\"}]}}\n{\"a\":\"x\\u00e9\"}\n"))
	f.Add([]byte("{\"a\":true}\n{\"a\":null}\n{\"a\":1}\n{\"b\":1}\n"))
	f.Add([]byte("[1]\n"))
	f.Add([]byte(gzipped(f, "{\"t\":\"2024-01-01T00:00:00Z\"}\n{\"t\":\"later\"}\n")))
	lowInference(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, "f.jsonl", data, Options{})
	})
}

// lowInference infers types from 2 rows, so small inputs reach the
// values-after-the-prefix paths.
func lowInference(f *testing.F) {
	inferRows = 2
	f.Cleanup(func() { inferRows = InferRows })
}

func FuzzParquet(f *testing.F) {
	f.Add(smallParquet(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, "f.parquet", data, Options{})
	})
}

func FuzzArrow(f *testing.F) {
	for _, stream := range []bool{false, true} {
		path := filepath.Join(f.TempDir(), "seed.arrow")
		writeIPC(f, path, stream, sampleBatch(f), sampleBatch(f))
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, "f.arrow", data, Options{})
	})
}

// smallParquet is a valid two-row-group Parquet file of the sample rows.
func smallParquet(tb testing.TB) []byte {
	path := filepath.Join(tb.TempDir(), "seed.parquet")
	writeParquet(tb, path, 2, sampleBatch(tb))
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// TestFuzzSeeds keeps the committed Parquet seed a valid file, and rewrites
// it with -update.
func TestFuzzSeeds(t *testing.T) {
	path := filepath.Join("testdata", "fuzz", "FuzzParquet", "valid-sample")
	if *update {
		data := smallParquet(t)
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "go test fuzz v1\n[]byte(%q)\n", data)
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var quoted string
	if _, err := fmt.Sscanf(string(bytes.TrimPrefix(raw, []byte("go test fuzz v1\n[]byte("))), "%q", &quoted); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	dir := t.TempDir()
	pq := filepath.Join(dir, "seed.parquet")
	if err := os.WriteFile(pq, []byte(quoted), 0o644); err != nil {
		t.Fatal(err)
	}
	got := mustReadAll(t, pq, Options{})
	for name, want := range sampleWant {
		if !sameValues(got.cols[name], want) {
			t.Errorf("seed column %s = %v, want %v", name, got.cols[name], want)
		}
	}
}
