package stats

import (
	"math"
	"slices"
)

// radixMin is the length from which sortFloats uses the radix sort: below
// it pdqsort is as fast.
const radixMin = 2048

// sortFloats sorts finite values ascending. Long slices are radix-sorted
// on their bit patterns (LSD, one byte a pass, passes whose byte is the
// same in every value skipped): the reference's quantile edges sort up to a
// million values per feature, and this is several times faster than a
// comparison sort there. -0 sorts before +0, which compare equal.
func sortFloats(xs []float64) {
	if len(xs) < radixMin {
		slices.Sort(xs)
		return
	}
	keys := make([]uint64, len(xs))
	for i, x := range xs {
		keys[i] = floatKey(x)
	}
	tmp := make([]uint64, len(xs))
	var counts [256]int
	for shift := uint(0); shift < 64; shift += 8 {
		counts = [256]int{}
		for _, k := range keys {
			counts[byte(k>>shift)]++
		}
		if counts[byte(keys[0]>>shift)] == len(keys) {
			continue // every key has this byte: the pass would not move anything
		}
		pos := 0
		for i, c := range counts {
			counts[i] = pos
			pos += c
		}
		for _, k := range keys {
			d := byte(k >> shift)
			tmp[counts[d]] = k
			counts[d]++
		}
		keys, tmp = tmp, keys
	}
	for i, k := range keys {
		xs[i] = keyFloat(k)
	}
}

// floatKey maps a float64 to a uint64 whose unsigned order is the float's
// order: negative values have every bit flipped, others the sign bit set.
func floatKey(x float64) uint64 {
	b := math.Float64bits(x)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

func keyFloat(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}
