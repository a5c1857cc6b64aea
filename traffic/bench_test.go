package traffic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// wideBatch builds rows × 30 columns: 10 float64, 10 int64 and 10 string
// columns (50 distinct values each, like segment columns).
func wideBatch(rows int) arrow.RecordBatch {
	mem := memory.DefaultAllocator
	var fields []arrow.Field
	var cols []arrow.Array
	for c := 0; c < 10; c++ {
		b := array.NewFloat64Builder(mem)
		for i := 0; i < rows; i++ {
			b.Append(float64(i*(c+1)) * 0.37)
		}
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("f%d", c), Type: tFloat, Nullable: true})
		cols = append(cols, b.NewArray())
	}
	for c := 0; c < 10; c++ {
		b := array.NewInt64Builder(mem)
		for i := 0; i < rows; i++ {
			b.Append(int64(i * (c + 3)))
		}
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("i%d", c), Type: tInt, Nullable: true})
		cols = append(cols, b.NewArray())
	}
	for c := 0; c < 10; c++ {
		b := array.NewStringBuilder(mem)
		for i := 0; i < rows; i++ {
			b.Append(fmt.Sprintf("segment-%d-%d", c, (i*7+c)%50))
		}
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("s%d", c), Type: tString, Nullable: true})
		cols = append(cols, b.NewArray())
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(rows))
}

// benchRead reads path to the end b.N times and reports rows/s and the
// largest live heap seen while reading (sampled every 8 batches).
func benchRead(b *testing.B, path string, opts Options) {
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	var rows int64
	var peak uint64
	var ms runtime.MemStats
	for b.Loop() {
		r, err := Open(context.Background(), path, opts)
		if err != nil {
			b.Fatal(err)
		}
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows += rec.NumRows()
			rec.Release()
			if rows/rec.NumRows()%8 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		r.Close()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

const benchRows = 200_000

func BenchmarkReadParquet(b *testing.B) {
	path := filepath.Join(b.TempDir(), "wide.parquet")
	writeParquet(b, path, 64*1024, wideBatch(benchRows))
	b.Run("all-30-columns", func(b *testing.B) { benchRead(b, path, Options{}) })
	b.Run("3-columns", func(b *testing.B) { benchRead(b, path, Options{Columns: []string{"f0", "i0", "s0"}}) })
}

func BenchmarkReadCSV(b *testing.B) {
	path := filepath.Join(b.TempDir(), "wide.csv")
	writeWith(b, path, wideBatch(benchRows/4))
	benchRead(b, path, Options{})
}

func BenchmarkReadJSONL(b *testing.B) {
	path := filepath.Join(b.TempDir(), "wide.jsonl")
	writeWith(b, path, wideBatch(benchRows/4))
	benchRead(b, path, Options{})
}

func BenchmarkWriteParquet(b *testing.B) {
	rec := wideBatch(benchRows)
	path := filepath.Join(b.TempDir(), "out.parquet")
	b.ReportAllocs()
	for b.Loop() {
		writeWith(b, path, rec)
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// writeWith writes rec with Writer in batches of 8192 rows.
func writeWith(b *testing.B, path string, rec arrow.RecordBatch) {
	w, err := Create(path, rec.Schema())
	if err != nil {
		b.Fatal(err)
	}
	for off := int64(0); off < rec.NumRows(); off += 8192 {
		s := rec.NewSlice(off, min(off+8192, rec.NumRows()))
		if err := w.Write(s); err != nil {
			b.Fatal(err)
		}
		s.Release()
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}
