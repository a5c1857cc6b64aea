package labels

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// labelFile writes n rows of 12-byte ids ("req-00000001") and 0/1 labels.
func labelFile(b *testing.B, n int) string {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("id,y\n")
	for i := range n {
		fmt.Fprintf(&sb, "req-%08d,%d\n", i, i%2)
	}
	p := filepath.Join(b.TempDir(), "labels.csv")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkLoadMemory reports the heap a loaded table of one million
// labels keeps, per row.
func BenchmarkLoadMemory(b *testing.B) {
	const n = 1_000_000
	path := labelFile(b, n)
	b.ResetTimer()
	for range b.N {
		before := heapInUse()
		tab, err := Load(context.Background(), path, "id", "y")
		if err != nil {
			b.Fatal(err)
		}
		after := heapInUse()
		b.ReportMetric(float64(after-before)/n, "bytes/row")
		runtime.KeepAlive(tab)
	}
}

// BenchmarkJoin joins 8192-row batches of string ids, half of them labelled.
func BenchmarkJoin(b *testing.B) {
	const n = 100_000
	tab, err := Load(context.Background(), labelFile(b, n), "id", "y")
	if err != nil {
		b.Fatal(err)
	}
	bld := array.NewStringBuilder(memory.DefaultAllocator)
	for i := range 8192 {
		bld.Append(fmt.Sprintf("req-%08d", i*2*n/8192))
	}
	ids := bld.NewArray()
	sch := arrow.NewSchema([]arrow.Field{{Name: "rid", Type: arrow.BinaryTypes.String}}, nil)
	batch := array.NewRecordBatch(sch, []arrow.Array{ids}, int64(ids.Len()))
	b.SetBytes(0)
	b.ResetTimer()
	for range b.N {
		out, err := tab.Join(batch, "rid", "label")
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
	b.ReportMetric(float64(b.N)*8192/b.Elapsed().Seconds(), "rows/s")
}
