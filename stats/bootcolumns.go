package stats

import "encoding/binary"

// bootColumns holds lanes-long columns of bootstrap counts: for each column
// (a score bin and label, say) one count per replicate. Adding a row's
// weights to a column is the bootstrap's innermost loop, so the counts are
// kept packed: eight 8-bit counters per uint64, filled by one add per eight
// weights (SWAR: no carry crosses a byte while every counter stays below
// 256). A column's packed counters are flushed into its uint32 counts after
// bootFlushRows rows, before any can overflow (weights are at most
// MaxBootstrapWeight).
type bootColumns struct {
	words int      // eight-lane groups per column
	pend  []uint64 // column i: pend[words·i:], packed 8-bit counters
	wide  []uint32 // column i: wide[8·words·i:], flushed counts
	since []uint8  // rows added to column i since its last flush
}

// bootFlushRows rows of weight ≤ MaxBootstrapWeight fit an 8-bit counter.
const bootFlushRows = 0xff / MaxBootstrapWeight

func newBootColumns(lanes int) bootColumns {
	return bootColumns{words: (lanes + 7) / 8}
}

// paddedLanes is the length of a weights buffer for columns of lanes lanes.
func bootPaddedLanes(lanes int) int { return (lanes + 7) / 8 * 8 }

// alloc appends a zero column and returns its index.
func (c *bootColumns) alloc() int {
	i := len(c.since)
	c.pend = append(c.pend, make([]uint64, c.words)...)
	c.wide = append(c.wide, make([]uint32, 8*c.words)...)
	c.since = append(c.since, 0)
	return i
}

// bootPack packs weights w (a multiple of 8 bytes, zero past the last lane)
// into dst as the columns hold them: eight lanes per word, lane 8k+b in
// byte b of word k.
func bootPack(dst []uint64, w []uint8) {
	dst = dst[:len(w)/8]
	for k := range dst {
		dst[k] = binary.LittleEndian.Uint64(w[8*k:])
	}
}

// add adds packed weights (bootPack) to column i.
func (c *bootColumns) add(i int, packed []uint64) {
	n := c.words
	p := c.pend[n*i : n*(i+1)]
	packed = packed[:n]
	for k, v := range packed {
		p[k] += v
	}
	c.since[i]++
	if c.since[i] >= bootFlushRows {
		c.flush(i)
	}
}

// flush moves column i's packed counters into its uint32 counts.
func (c *bootColumns) flush(i int) {
	n := c.words
	p := c.pend[n*i : n*(i+1)]
	wd := c.wide[8*n*i : 8*n*(i+1)]
	for k, x := range p {
		d := wd[8*k : 8*k+8 : 8*k+8]
		for b := range d {
			d[b] += uint32(x >> (8 * b) & 0xff)
		}
		p[k] = 0
	}
	c.since[i] = 0
}

func (c *bootColumns) flushAll() {
	for i, s := range c.since {
		if s > 0 {
			c.flush(i)
		}
	}
}

// column returns column i's counts; flush it first.
func (c *bootColumns) column(i int) []uint32 {
	return c.wide[8*c.words*i : 8*c.words*(i+1)]
}

// mergeColumn adds column j of o (flushed) to column i of c.
func (c *bootColumns) mergeColumn(i int, o *bootColumns, j int) {
	c.flush(i)
	dst, src := c.column(i), o.column(j)
	for l, v := range src {
		dst[l] += v
	}
}

func (c *bootColumns) sizeBytes() int {
	return 8*len(c.pend) + 4*len(c.wide) + 4*len(c.since)
}

// Float kernels: add w·t to each destination column, lane by lane, one
// pass for up to four columns.

func bootF1(d1 []float64, t1 float64, w []uint8) {
	d1 = d1[:len(w)]
	for i, u := range w {
		v := float64(u)
		d1[i] += v * t1
	}
}

func bootF2(d1 []float64, t1 float64, d2 []float64, t2 float64, w []uint8) {
	d1, d2 = d1[:len(w)], d2[:len(w)]
	for i, u := range w {
		v := float64(u)
		d1[i] += v * t1
		d2[i] += v * t2
	}
}

func bootF3(d1 []float64, t1 float64, d2 []float64, t2 float64, d3 []float64, t3 float64, w []uint8) {
	d1, d2, d3 = d1[:len(w)], d2[:len(w)], d3[:len(w)]
	for i, u := range w {
		v := float64(u)
		d1[i] += v * t1
		d2[i] += v * t2
		d3[i] += v * t3
	}
}

func bootF4(d1 []float64, t1 float64, d2 []float64, t2 float64, d3 []float64, t3 float64, d4 []float64, t4 float64, w []uint8) {
	d1, d2, d3, d4 = d1[:len(w)], d2[:len(w)], d3[:len(w)], d4[:len(w)]
	for i, u := range w {
		v := float64(u)
		d1[i] += v * t1
		d2[i] += v * t2
		d3[i] += v * t3
		d4[i] += v * t4
	}
}

// bootFloatBatch collects the float columns a row adds to, then adds them
// in fused passes.
type bootFloatBatch struct {
	n int
	d [8][]float64
	t [8]float64
}

func (b *bootFloatBatch) push(d []float64, t float64) {
	b.d[b.n], b.t[b.n] = d, t
	b.n++
}

func (b *bootFloatBatch) run(wf []uint8) {
	d, t := &b.d, &b.t
	i := 0
	for ; b.n-i >= 4; i += 4 {
		bootF4(d[i], t[i], d[i+1], t[i+1], d[i+2], t[i+2], d[i+3], t[i+3], wf)
	}
	switch b.n - i {
	case 3:
		bootF3(d[i], t[i], d[i+1], t[i+1], d[i+2], t[i+2], wf)
	case 2:
		bootF2(d[i], t[i], d[i+1], t[i+1], wf)
	case 1:
		bootF1(d[i], t[i], wf)
	}
	b.n = 0
}
