package xgboost

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The benchmarks score a realistic model: REPLAYGATE_BENCH_MODEL, else the
// fixture candidate model, else a testdata model. Rows come from
// REPLAYGATE_BENCH_ROWS (raw little-endian float64, row-major, NumFeatures
// values a row; bench/xgboost.sh writes it and times XGBoost on the same
// rows), else they are drawn around the model's own split thresholds.
// REPLAYGATE_BENCH_OUT, when set, receives PredictDense's outputs (raw
// little-endian float64) for the script to compare with XGBoost's.

const benchBatchRows = 8192

func benchBooster(b *testing.B) (*Booster, string) {
	b.Helper()
	paths := []string{os.Getenv("REPLAYGATE_BENCH_MODEL"), "../../fixtures/models/candidate.json", "testdata/models/missing.json"}
	for _, p := range paths {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			if p == paths[0] {
				b.Fatalf("REPLAYGATE_BENCH_MODEL: %v", err)
			}
			continue
		}
		bst, err := LoadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		return bst, p
	}
	b.Fatal("no model to benchmark")
	return nil, ""
}

func benchRows(b *testing.B, bst *Booster) ([]float64, int) {
	b.Helper()
	nf := bst.NumFeatures()
	if p := os.Getenv("REPLAYGATE_BENCH_ROWS"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatalf("REPLAYGATE_BENCH_ROWS: %v", err)
		}
		if len(data)%(8*nf) != 0 {
			b.Fatalf("REPLAYGATE_BENCH_ROWS: %d bytes is not a whole number of rows of %d float64 features", len(data), nf)
		}
		x := make([]float64, len(data)/8)
		for i := range x {
			x[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
		return x, len(x) / nf
	}
	return syntheticRows(bst, 100_000, 42), 100_000
}

// syntheticRows draws n rows around the model's split thresholds (so that
// they take varied paths through the trees), 10% of the values missing.
func syntheticRows(bst *Booster, n int, seed uint64) []float64 {
	nf := bst.NumFeatures()
	th := make([][]float64, nf)
	for i, nd := range bst.nodes {
		if !bst.isLeaf(i) {
			f := nd.feat & featMask
			th[f] = append(th[f], float64(nd.cond))
		}
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	x := make([]float64, n*nf)
	for r := 0; r < n; r++ {
		for f := 0; f < nf; f++ {
			switch {
			case rng.Float64() < 0.1:
				x[r*nf+f] = math.NaN()
			case len(th[f]) == 0:
				x[r*nf+f] = rng.NormFloat64()
			default:
				t := th[f][rng.IntN(len(th[f]))]
				x[r*nf+f] = t + rng.NormFloat64()*(math.Abs(t)*0.05+0.01)
			}
		}
	}
	return x
}

func BenchmarkPredictDense(b *testing.B) {
	bst, path := benchBooster(b)
	x, n := benchRows(b, bst)
	out := make([]float64, n*bst.NumClass())
	b.Logf("%s: %s; %d rows", path, bst.Describe(), n)
	bst.PredictDense(x, n, out) // warm the pool
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		bst.PredictDense(x, n, out)
	}
	cpu = cpuTime() - cpu
	b.StopTimer()
	report(b, n, cpu)
	if p := os.Getenv("REPLAYGATE_BENCH_OUT"); p != "" {
		data := make([]byte, 8*len(out))
		for i, v := range out {
			binary.LittleEndian.PutUint64(data[8*i:], math.Float64bits(v))
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// report adds rows/s and ns/row from wall time, and cpu-rows/s from the
// process's CPU time (one core: run with -cpu 1).
func report(b *testing.B, n int, cpu time.Duration) {
	rows := float64(n) * float64(b.N)
	b.ReportMetric(rows/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/rows, "ns/row")
	if cpu > 0 {
		b.ReportMetric(rows/cpu.Seconds(), "cpu-rows/s")
	}
}

// BenchmarkModelPredict scores the same rows as Arrow record batches of
// 8192 rows with float64 columns, through Model.Predict.
func BenchmarkModelPredict(b *testing.B) {
	bst, path := benchBooster(b)
	x, n := benchRows(b, bst)
	nf := bst.NumFeatures()
	names := bst.FeatureNames()
	fields := make([]arrow.Field, nf)
	for j := range fields {
		fields[j] = arrow.Field{Name: names[j], Type: arrow.PrimitiveTypes.Float64, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	mem := memory.NewGoAllocator()
	var batches []arrow.RecordBatch
	for lo := 0; lo < n; lo += benchBatchRows {
		k := min(benchBatchRows, n-lo)
		cols := make([]arrow.Array, nf)
		for j := range cols {
			bl := array.NewFloat64Builder(mem)
			for r := lo; r < lo+k; r++ {
				if v := x[r*nf+j]; math.IsNaN(v) {
					bl.AppendNull()
				} else {
					bl.Append(v)
				}
			}
			cols[j] = bl.NewArray()
		}
		batches = append(batches, array.NewRecordBatch(schema, cols, int64(k)))
	}
	m, err := New(bst, path, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Bind(schema); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		for _, rec := range batches {
			if _, err := m.Predict(ctx, rec); err != nil {
				b.Fatal(err)
			}
		}
	}
	report(b, n, cpuTime()-cpu)
}
