// Command skewdata writes the synthetic data of checks/skew's
// BenchmarkSkew50x1M (the same generator and seed, so the same float64
// values bit for bit) as two NumPy .npy files, reference.npy (200k × 50)
// and traffic.npy (1M × 50), row-major little-endian float64, for the
// pandas + scipy side of bench/skew.sh.
//
//	go run ./bench/skewdata -out bench/out/skew
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Keep in step with checks/skew/bench_test.go.
const (
	features = 50
	refRows  = 200_000
	rows     = 1_000_000
	seed     = 20260101
)

func values(j int, traffic bool, n int) []float64 {
	d := uint64(0)
	if traffic {
		d = 1
	}
	rng := rand.New(rand.NewPCG(seed, uint64(j)<<1|d))
	out := make([]float64, n)
	for i := range out {
		var x float64
		switch j % 5 {
		case 0:
			x = rng.NormFloat64()
		case 1:
			x = math.Exp(0.5 * rng.NormFloat64())
		case 2:
			x = rng.ExpFloat64()
		case 3:
			x = 10 * rng.Float64()
		default:
			if rng.Float64() < 0.3 {
				x = rng.NormFloat64() - 2
			} else {
				x = 0.5*rng.NormFloat64() + 1
			}
		}
		if traffic && j%10 == 0 {
			x = 1.1*x + 0.2
		}
		out[i] = x
	}
	return out
}

func writeNpy(path string, traffic bool, n int) error {
	cols := make([][]float64, features)
	for j := range cols {
		cols[j] = values(j, traffic, n)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	hdr := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", n, features)
	pad := 64 - (10+len(hdr)+1)%64
	for range pad {
		hdr += " "
	}
	hdr += "\n"
	w.WriteString("\x93NUMPY\x01\x00")
	binary.Write(w, binary.LittleEndian, uint16(len(hdr)))
	w.WriteString(hdr)
	var buf [8]byte
	for i := range n {
		for j := range features {
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(cols[j][i]))
			w.Write(buf[:])
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func main() {
	out := flag.String("out", "bench/out/skew", "directory to write reference.npy and traffic.npy to")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "skewdata:", err)
		os.Exit(4)
	}
	for _, t := range []struct {
		name    string
		traffic bool
		n       int
	}{{"reference.npy", false, refRows}, {"traffic.npy", true, rows}} {
		if err := writeNpy(filepath.Join(*out, t.name), t.traffic, t.n); err != nil {
			fmt.Fprintln(os.Stderr, "skewdata:", err)
			os.Exit(4)
		}
	}
}
