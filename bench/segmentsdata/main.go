// Command segmentsdata writes the synthetic traffic of the segments
// benchmark (checks/segments BenchmarkSegments1M) as CSV, for the
// scikit-learn comparison in bench/segments.sh:
//
//	go run ./bench/segmentsdata -rows 1000000 -seed 42 -out bench/out/segments.csv
//
// The rows are the benchmark's: same generator, same order of draws.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
)

var values = []string{"v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9"}

func pick(rng *rand.Rand) int {
	u := rng.IntN(55)
	for k := 0; k < 10; k++ {
		if u < k+1 {
			return k
		}
		u -= k + 1
	}
	return 9
}

func main() {
	rows := flag.Int("rows", 1_000_000, "number of rows")
	seed := flag.Uint64("seed", 42, "generator seed")
	out := flag.String("out", "", "output CSV file")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "segmentsdata: no -out file")
		os.Exit(2)
	}
	if err := write(*out, *rows, *seed); err != nil {
		fmt.Fprintf(os.Stderr, "segmentsdata: %s: %v\n", *out, err)
		os.Exit(1)
	}
}

func write(path string, n int, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(seed, 1))
	fmt.Fprintln(w, "id,country,platform,candidate_score,baseline_score,label")
	buf := make([]byte, 0, 128)
	for i := 0; i < n; i++ {
		country := pick(rng)
		platform := pick(rng)
		var y int64
		if rng.Float64() < 0.3 {
			y = 1
		}
		s := float64(2*y - 1)
		zb := 1.2*s + rng.NormFloat64()
		zc := 1.3*s + rng.NormFloat64()
		if country == 3 {
			zc = 0.8*s + rng.NormFloat64()
		}
		buf = buf[:0]
		buf = fmt.Appendf(buf, "r%07d,%s,%s,", i, values[country], values[platform])
		buf = strconv.AppendFloat(buf, 1/(1+math.Exp(-zc)), 'g', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, 1/(1+math.Exp(-zb)), 'g', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, y, 10)
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
