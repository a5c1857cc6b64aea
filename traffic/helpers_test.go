package traffic

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/replaygate/replaygate/errs"
)

// col is a test column: a name, an Arrow type and Go values (nil = null).
type col struct {
	name string
	typ  arrow.DataType
	vals []any
}

// makeBatch builds a batch from test columns. Values: int64, float64,
// string, bool, time.Time, nil.
func makeBatch(t testing.TB, cols ...col) arrow.RecordBatch {
	t.Helper()
	mem := memory.DefaultAllocator
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	n := -1
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
		if n >= 0 && len(c.vals) != n {
			t.Fatalf("column %s has %d values, want %d", c.name, len(c.vals), n)
		}
		n = len(c.vals)
		b := array.NewBuilder(mem, c.typ)
		for _, v := range c.vals {
			if v == nil {
				b.AppendNull()
				continue
			}
			switch bb := b.(type) {
			case *array.Int64Builder:
				bb.Append(v.(int64))
			case *array.Int32Builder:
				bb.Append(int32(v.(int64)))
			case *array.Float64Builder:
				bb.Append(v.(float64))
			case *array.StringBuilder:
				bb.Append(v.(string))
			case *array.LargeStringBuilder:
				bb.Append(v.(string))
			case *array.BooleanBuilder:
				bb.Append(v.(bool))
			case *array.TimestampBuilder:
				ts, err := arrow.TimestampFromTime(v.(time.Time), c.typ.(*arrow.TimestampType).Unit)
				if err != nil {
					t.Fatal(err)
				}
				bb.Append(ts)
			case *array.BinaryDictionaryBuilder:
				if err := bb.AppendString(v.(string)); err != nil {
					t.Fatal(err)
				}
			default:
				t.Fatalf("makeBatch: unsupported builder %T", b)
			}
		}
		arrs[i] = b.NewArray()
		b.Release()
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

// writeParquet writes batches with pqarrow directly (not with Writer), at
// most rowGroup rows per row group.
func writeParquet(t testing.TB, path string, rowGroup int64, recs ...arrow.RecordBatch) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithMaxRowGroupLength(rowGroup))
	fw, err := pqarrow.NewFileWriter(recs[0].Schema(), f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := fw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeIPC writes batches with arrow's ipc package directly.
func writeIPC(t testing.TB, path string, stream bool, recs ...arrow.RecordBatch) {
	t.Helper()
	writeIPCWith(t, path, stream, nil, recs...)
}

func writeIPCWith(t testing.TB, path string, stream bool, opts []ipc.Option, recs ...arrow.RecordBatch) {
	t.Helper()
	var buf bytes.Buffer
	opts = append(opts, ipc.WithSchema(recs[0].Schema()))
	if stream {
		w := ipc.NewWriter(&buf, opts...)
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	} else {
		w, err := ipc.NewFileWriter(&buf, opts...)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, path, buf.String())
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func gzipped(t testing.TB, s string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// table is a read result: the schema, the values by column and the files.
type table struct {
	schema  *arrow.Schema
	cols    map[string][]any
	rows    int
	batches []int64
	files   []FileInfo
}

// readAll reads a pattern to the end.
func readAll(t testing.TB, pattern string, opts Options) (*table, error) {
	t.Helper()
	r, err := Open(context.Background(), pattern, opts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	tb := &table{schema: r.Schema(), cols: map[string][]any{}}
	for {
		b, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return tb, err
		}
		if !b.Schema().Equal(r.Schema()) {
			t.Fatalf("batch schema %s differs from reader schema %s", b.Schema(), r.Schema())
		}
		tb.batches = append(tb.batches, b.NumRows())
		for j, f := range b.Schema().Fields() {
			for i := 0; i < int(b.NumRows()); i++ {
				tb.cols[f.Name] = append(tb.cols[f.Name], valueAt(t, b.Column(j), i))
			}
		}
		tb.rows += int(b.NumRows())
		b.Release()
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("Next after the end: %v, want io.EOF", err)
	}
	tb.files = r.Files()
	return tb, nil
}

func mustReadAll(t testing.TB, pattern string, opts Options) *table {
	t.Helper()
	tb, err := readAll(t, pattern, opts)
	if err != nil {
		t.Fatalf("reading %s: %v", pattern, err)
	}
	return tb
}

// valueAt returns row i of arr as a Go value (int64, float64, string, bool,
// time.Time in UTC, or nil).
func valueAt(t testing.TB, arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.Int64:
		return a.Value(i)
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.Timestamp:
		return a.Value(i).ToTime(a.DataType().(*arrow.TimestampType).Unit)
	}
	// Anything else (fuzzed files can hold any type): its text, which
	// also exercises the buffers the way a consumer would.
	return fmt.Sprintf("%s:%s", arr.DataType(), arr.ValueStr(i))
}

// sameValues compares value slices; NaN equals NaN, times compare instants.
func sameValues(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameValue(a[i], b[i]) {
			return false
		}
	}
	return true
}

func sameValue(x, y any) bool {
	if fx, ok := x.(float64); ok {
		fy, ok := y.(float64)
		return ok && (fx == fy || math.IsNaN(fx) && math.IsNaN(fy))
	}
	if tx, ok := x.(time.Time); ok {
		ty, ok := y.(time.Time)
		return ok && tx.Equal(ty)
	}
	return x == y
}

// wantInput asserts err is an input error (exit 3) whose text contains
// every want string.
func wantInput(t testing.TB, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", want)
	}
	if code := errs.Code(err); code != errs.CodeInput {
		t.Errorf("exit code %d, want %d (error: %v)", code, errs.CodeInput, err)
	}
	for _, w := range want {
		if !bytes.Contains([]byte(err.Error()), []byte(w)) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

var (
	tInt    = arrow.PrimitiveTypes.Int64
	tFloat  = arrow.PrimitiveTypes.Float64
	tString = arrow.BinaryTypes.String
	tBool   = arrow.FixedWidthTypes.Boolean
	tTSUTC  = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
)
