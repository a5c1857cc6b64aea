package stats

import (
	"math/rand/v2"
)

// DefaultReservoirSize is the default capacity of a Reservoir: one million
// values, 8 MB of float64 per numeric feature while the reference is read.
// With it the quantile edges are exact for a reference of up to a million
// rows; beyond, the empirical CDF of a uniform sample of size s is within
// sqrt(ln(2/δ)/(2s)) of the reference's at every point with probability
// 1−δ (Dvoretzky–Kiefer–Wolfowitz–Massart): 0.0014 for s = 10⁶, δ = 0.05,
// so each of 1000 quantile bins holds 0.1% ± 0.14% of the reference.
const DefaultReservoirSize = 1_000_000

// Reservoir keeps a uniform random sample of at most Cap() finite values of
// a stream (Vitter's Algorithm R), for computing quantile edges of a
// reference that is read once. While no more than Cap() values were seen,
// the sample is every value and the quantiles are exact. NaN and ±Inf are
// counted and left out.
//
// The sample is deterministic for a given seed and order of values. Merge
// combines reservoirs of separate parts of the stream into a uniform sample
// of their union, so the reference can be read in parallel.
type Reservoir struct {
	cap       int
	seen      int64
	nonFinite int64
	values    []float64
	rng       *rand.Rand
}

// NewReservoir returns an empty reservoir of the given capacity (at least
// 1; DefaultReservoirSize when capacity ≤ 0) whose random choices are
// seeded with seed.
func NewReservoir(capacity int, seed uint64) *Reservoir {
	if capacity <= 0 {
		capacity = DefaultReservoirSize
	}
	return &Reservoir{
		cap: capacity,
		rng: rand.New(rand.NewPCG(seed, 0x5eed_5a3b1e)),
	}
}

// Cap returns the capacity.
func (r *Reservoir) Cap() int { return r.cap }

// Seen returns the number of finite values offered so far.
func (r *Reservoir) Seen() int64 { return r.seen }

// NonFinite returns the number of NaN and ±Inf values left out.
func (r *Reservoir) NonFinite() int64 { return r.nonFinite }

// Exact reports whether the sample holds every finite value seen.
func (r *Reservoir) Exact() bool { return r.seen <= int64(r.cap) }

// Values returns the sample, in no particular order. The slice is the
// reservoir's own: do not modify it, and do not use it after the next Add.
func (r *Reservoir) Values() []float64 { return r.values }

// Add offers one value.
func (r *Reservoir) Add(x float64) {
	if !isFinite(x) {
		r.nonFinite++
		return
	}
	r.seen++
	if len(r.values) < r.cap {
		r.values = append(r.values, x)
		return
	}
	if j := r.rng.Int64N(r.seen); j < int64(r.cap) {
		r.values[j] = x
	}
}

// AddSlice offers every value of xs, in order.
func (r *Reservoir) AddSlice(xs []float64) {
	for _, x := range xs {
		r.Add(x)
	}
}

// Merge replaces r's sample with a uniform sample of the union of both
// streams, of size min(k, r.Seen()+o.Seen()) where k is the smaller of the
// two capacities (r's capacity becomes k): it draws without replacement from
// the two streams in proportion to what each has seen (a hypergeometric
// split), taking each stream's share as a uniform subset of its own uniform
// sample. o is left unchanged.
func (r *Reservoir) Merge(o *Reservoir) {
	r.nonFinite += o.nonFinite
	if o.seen == 0 {
		return
	}
	k := min(r.cap, o.cap)
	total := r.seen + o.seen
	if total <= int64(k) {
		// Both samples hold every value they saw.
		r.values = append(r.values, o.values...)
		r.seen, r.cap = total, k
		return
	}
	a := r.values                            // permuted in place: it is being replaced
	b := append([]float64(nil), o.values...) // permuted: o stays intact
	remA, remB := r.seen, o.seen
	na, nb := len(a), len(b)
	out := make([]float64, 0, k)
	for len(out) < k {
		// Each draw takes a stream with probability proportional to its
		// values not drawn yet, so the count from each is hypergeometric;
		// at most k come from either, and each holds min(seen, k) values.
		if r.rng.Int64N(remA+remB) < remA {
			j := r.rng.IntN(na)
			out = append(out, a[j])
			a[j] = a[na-1]
			na--
			remA--
		} else {
			j := r.rng.IntN(nb)
			out = append(out, b[j])
			b[j] = b[nb-1]
			nb--
			remB--
		}
	}
	r.values = out
	r.seen, r.cap = total, k
}
