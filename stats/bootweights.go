package stats

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// Poisson bootstrap weights.
//
// The Poisson bootstrap gives every row, in every replicate, an independent
// Poisson(1) weight instead of drawing n rows with replacement: the two agree
// as n grows, and Poisson weights need no knowledge of n, so rows can be
// weighted one at a time as they stream past. Here the weight is a pure
// function of (seed, row key, replicate), so a row gets the same weights
// whichever shard, worker or batch it lands in: shards merge into exactly
// the resamples a single pass would have drawn.
//
// The generator, precisely:
//
//  1. row state  s = splitmix64(seed ⊕ splitmix64(key ⊕ 0x6a09e667f3bcc909)),
//     splitmix64 being the finaliser of Steele, Lea and Flood's SplitMix64.
//  2. 64 random bits for replicates 5j … 5j+4: wyrand(s + (j+1)·γ), with
//     γ = 0xa0761d6478bd642f and wyrand(x) = hi ⊕ lo of the 128-bit product
//     x · (x ⊕ 0xe7037ed1a0b428db) (Wang Yi's wyrand: a counter-based
//     generator, so any draw is computed directly from its counter).
//  3. Replicate 5j+l takes bits 12l … 12l+11 of those bits as the top 12
//     bits of a 32-bit uniform u32 and inverts the Poisson(1) distribution
//     function: the weight is the smallest k with u32 < ⌈F(k)·2^32⌉, F the
//     Poisson(1) CDF. A table of the 4096 values of the top 12 bits gives k
//     directly unless a threshold ⌈F(k)·2^32⌉ falls inside that cell (7 cells
//     of 4096, 0.17 % of draws); only then are the low 20 bits of u32 drawn,
//     from wyrand((s ⊕ 0xbb67ae8584caa73b) + (r+1)·γ) for replicate r, and
//     the thresholds compared one by one.
//
// Each weight k therefore has probability P(k) to within 2^-32, and k never
// exceeds 12 (F(12) > 1 − 2^-32). The weights of different rows and
// replicates are as independent as wyrand's outputs.

// DefaultReplicates is the number of bootstrap replicates when none is set.
const DefaultReplicates = 200

// MaxBootstrapWeight is the largest weight the generator draws.
const MaxBootstrapWeight = 12

// poissonThresholds[k] = ⌈F(k)·2^32⌉: u32 < poissonThresholds[k] ⇔ weight ≤ k.
var poissonThresholds [MaxBootstrapWeight + 1]uint64

// poissonCell[c] is the weight of every u32 in [c·2^20, (c+1)·2^20), or
// poissonAmbiguous when a threshold splits that range.
var poissonCell [4096]uint8

const poissonAmbiguous = 0xff

func init() {
	f, term := 0.0, math.Exp(-1)
	for k := range poissonThresholds {
		if k > 0 {
			term /= float64(k)
		}
		f += term
		t := math.Ceil(f * (1 << 32))
		if t > 1<<32 || k == MaxBootstrapWeight {
			t = 1 << 32
		}
		poissonThresholds[k] = uint64(t)
	}
	for c := range poissonCell {
		lo := uint64(c) << 20
		hi := lo + 1<<20 - 1
		klo, khi := poissonInvert(lo), poissonInvert(hi)
		if klo == khi {
			poissonCell[c] = uint8(klo)
		} else {
			poissonCell[c] = poissonAmbiguous
		}
	}
}

// poissonInvert returns the smallest k with u32 < ⌈F(k)·2^32⌉.
func poissonInvert(u32 uint64) int {
	k := 0
	for u32 >= poissonThresholds[k] {
		k++
	}
	return k
}

// bootSplitmix64 is the finaliser of SplitMix64.
func bootSplitmix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

const (
	bootWyGamma = 0xa0761d6478bd642f
	bootWyMix   = 0xe7037ed1a0b428db
	bootKeySalt = 0x6a09e667f3bcc909
	bootLowSalt = 0xbb67ae8584caa73b
)

// bootWyrand returns the wyrand output for counter x.
func bootWyrand(x uint64) uint64 {
	hi, lo := bits.Mul64(x, x^bootWyMix)
	return hi ^ lo
}

// RowKey hashes a row's identifier (the traffic's id column) to the key the
// bootstrap weights are drawn from: 64-bit FNV-1a. Any uint64 that identifies
// a row uniquely and stably across shards may serve as a key instead (it is
// mixed again before use); rows that share a key share their weights, which
// resamples them together as one cluster.
func RowKey(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return h
}

// PoissonWeights draws the Poisson(1) bootstrap weights of rows, for a seed
// and a number of replicates (see the package notes above for the exact
// generator). It is a value without mutable state: safe for concurrent use.
type PoissonWeights struct {
	seed uint64
	reps int
}

// NewPoissonWeights returns the generator for seed and replicates (1 to
// 65536).
func NewPoissonWeights(seed uint64, replicates int) (PoissonWeights, error) {
	if replicates < 1 || replicates > 1<<16 {
		return PoissonWeights{}, fmt.Errorf("bootstrap: %d replicates: want 1 to 65536", replicates)
	}
	return PoissonWeights{seed: seed, reps: replicates}, nil
}

// Replicates is the number of weights per row.
func (g PoissonWeights) Replicates() int { return g.reps }

// Seed is the generator's seed.
func (g PoissonWeights) Seed() uint64 { return g.seed }

func (g PoissonWeights) rowState(key uint64) uint64 {
	return bootSplitmix64(g.seed ^ bootSplitmix64(key^bootKeySalt))
}

// Fill writes the weights of the row with key for replicates 0 …
// Replicates()−1 into dst, which must hold at least Replicates() values.
func (g PoissonWeights) Fill(dst []uint8, key uint64) {
	s := g.rowState(key)
	dst = dst[:g.reps]
	n := len(dst) - len(dst)%poissonLanes
	ctr := s
	for j := 0; j < n; j += poissonLanes {
		ctr += bootWyGamma
		h := bootWyrand(ctr)
		c4 := poissonCell[(h>>48)&0xfff]
		v := uint32(poissonCell[h&0xfff]) | uint32(poissonCell[(h>>12)&0xfff])<<8 |
			uint32(poissonCell[(h>>24)&0xfff])<<16 | uint32(poissonCell[(h>>36)&0xfff])<<24
		d := dst[j : j+poissonLanes : j+poissonLanes]
		binary.LittleEndian.PutUint32(d, v)
		d[4] = c4
		if (v|uint32(c4))&0x80808080 != 0 {
			g.resolve(d, h, s, j)
		}
	}
	if n < len(dst) {
		h := bootWyrand(ctr + bootWyGamma)
		d := dst[n:]
		for l := range d {
			d[l] = poissonCell[(h>>(12*l))&0xfff]
		}
		g.resolve(d, h, s, n)
	}
}

// poissonLanes is the number of replicates drawn from one 64-bit output.
const poissonLanes = 5

// resolve replaces the ambiguous lanes of d (replicates j …) by exact
// inversion of their 32-bit uniform.
func (g PoissonWeights) resolve(d []uint8, h, s uint64, j int) {
	for l := range d {
		if d[l] == poissonAmbiguous {
			d[l] = uint8(poissonExact(h, s, j+l, l))
		}
	}
}

// poissonExact inverts the full 32-bit uniform of replicate r, lane l of
// the output h.
func poissonExact(h, s uint64, r, l int) int {
	low := bootWyrand((s^bootLowSalt)+uint64(r+1)*bootWyGamma) & (1<<20 - 1)
	return poissonInvert((h>>(12*l))&0xfff<<20 | low)
}

// Weight returns the weight of the row with key in replicate r, equal to
// what Fill writes at dst[r].
func (g PoissonWeights) Weight(key uint64, r int) int {
	s := g.rowState(key)
	h := bootWyrand(s + uint64(r/poissonLanes+1)*bootWyGamma)
	l := r % poissonLanes
	if k := poissonCell[(h>>(12*l))&0xfff]; k != poissonAmbiguous {
		return int(k)
	}
	return poissonExact(h, s, r, l)
}
