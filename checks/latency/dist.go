package latency

import (
	"math"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The histogram records whole microseconds from 1 µs to 1 h with 3
// significant digits.
const (
	lowestUS  = 1
	highestUS = 3_600_000_000
	sigDigits = 3
)

// dist is one latency distribution: an HdrHistogram of microseconds plus the
// exact facts a histogram cannot give back (extremes, an integer sum for the
// mean) and the values it could not record.
type dist struct {
	h       *hdrhistogram.Histogram // nil until the first value
	n       int64                   // values recorded, clamped ones included
	sumUS   int64                   // sum of the recorded (rounded, clamped) microseconds
	min     float64                 // exact extremes of the recorded values, in ms
	max     float64
	under   int64 // values below 1 µs, recorded as 1 µs
	over    int64 // values above 1 h, recorded as 1 h
	missing int64 // null, or the column was absent from the batch
	invalid int64 // NaN, ±Inf or negative: not recorded
}

func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(lowestUS, highestUS, sigDigits) }

// add records one latency in milliseconds.
func (d *dist) add(ms float64) {
	if !(ms >= 0) || ms > math.MaxFloat64 { // NaN, negative, +Inf
		d.invalid++
		return
	}
	us := math.Round(ms * 1000)
	var v int64
	switch {
	case us < lowestUS:
		d.under++
		v = lowestUS
	case us > highestUS:
		d.over++
		v = highestUS
	default:
		v = int64(us)
	}
	if d.h == nil {
		d.h = newHist()
		d.min, d.max = ms, ms
	}
	// v is within the histogram's range, so RecordValue cannot fail.
	_ = d.h.RecordValue(v)
	d.n++
	d.sumUS += v
	if ms < d.min {
		d.min = ms
	}
	if ms > d.max {
		d.max = ms
	}
}

// merge folds o into d. Counts add, so the result equals one pass over both
// streams exactly.
func (d *dist) merge(o *dist) {
	if o.h != nil {
		if d.h == nil {
			d.h = newHist()
			d.min, d.max = o.min, o.max
		}
		d.h.Merge(o.h) // same geometry: nothing is dropped
		d.min = math.Min(d.min, o.min)
		d.max = math.Max(d.max, o.max)
	}
	d.n += o.n
	d.sumUS += o.sumUS
	d.under += o.under
	d.over += o.over
	d.missing += o.missing
	d.invalid += o.invalid
}

// quantile returns the p-th percentile (p in [0, 100]) in milliseconds: the
// histogram's value at that percentile, kept within the exact extremes.
func (d *dist) quantile(p float64) float64 {
	if d.n == 0 {
		return 0
	}
	v := float64(d.h.ValueAtQuantile(p)) / 1000
	return math.Min(math.Max(v, d.min), d.max)
}

// mean is the mean of the recorded microseconds, in milliseconds.
func (d *dist) mean() float64 {
	if d.n == 0 {
		return 0
	}
	return float64(d.sumUS) / float64(d.n) / 1000
}

// equivalent says whether two latencies in ms fall in the same histogram
// bucket: the histogram cannot tell them apart.
func (d *dist) equivalent(aMS, bMS float64) bool {
	h := d.h
	if h == nil {
		h = newHist()
	}
	a, b := clampUS(aMS), clampUS(bMS)
	return h.ValuesAreEquivalent(a, b)
}

func clampUS(ms float64) int64 {
	us := math.Round(ms * 1000)
	switch {
	case !(us >= lowestUS):
		return lowestUS
	case us > highestUS:
		return highestUS
	}
	return int64(us)
}

// Dist summarises one latency distribution in milliseconds, for reports and
// plots.
type Dist struct {
	Count                    int64   // rows with a recorded latency
	P50, P90, P95, P99, P999 float64 // histogram percentiles (see the package doc)
	Min, Max                 float64 // exact
	Mean                     float64 // of the recorded microseconds
	Missing, Invalid         int64   // null or absent; NaN, ±Inf or negative
	BelowRange, AboveRange   int64   // recorded as 1 µs; recorded as 1 h
}

func (d *dist) summary() Dist {
	s := Dist{Count: d.n, Missing: d.missing, Invalid: d.invalid, BelowRange: d.under, AboveRange: d.over}
	if d.n > 0 {
		s.P50, s.P90, s.P95, s.P99, s.P999 = d.quantile(50), d.quantile(90), d.quantile(95), d.quantile(99), d.quantile(99.9)
		s.Min, s.Max, s.Mean = d.min, d.max, d.mean()
	}
	return s
}
