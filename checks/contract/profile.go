package contract

import (
	"errors"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/replaygate/replaygate/models"
)

// Bounds of a profile's memory, per column.
const (
	// DistinctCap is how many distinct values a column's profile tracks;
	// past it the column is high-cardinality and its values are dropped.
	DistinctCap = 1000
	// UniqueCap is how many non-null values of a string or int column are
	// checked for repeats (as 64-bit hashes, about 40 bytes each); past it
	// Unique means "no repeat among the first UniqueCap values".
	UniqueCap = 1 << 18
)

// BatchSource yields record batches until io.EOF. traffic.Reader is one.
type BatchSource interface {
	Next() (arrow.RecordBatch, error)
}

// Profile summarises a batch stream for `replaygate init`.
type Profile struct {
	Rows    int64
	Columns []ColumnProfile // in the order they first appeared
}

// Column returns the profile of the named column, or nil.
func (p *Profile) Column(name string) *ColumnProfile {
	for i := range p.Columns {
		if p.Columns[i].Name == name {
			return &p.Columns[i]
		}
	}
	return nil
}

// ColumnProfile summarises one column.
type ColumnProfile struct {
	Name      string
	ArrowType string   // as first seen
	Kind      Kind     // int, float, string, bool, timestamp; "null" for Arrow's null type; "" when no contract type fits
	Mixed     []string // other Arrow types seen in later batches that do not fit Kind
	Rows      int64    // rows of batches with the column
	Missing   int64    // rows of batches without it
	Nulls     int64    // nulls, NaN included
	NaNs      int64

	// Numbers (int and float): over the finite non-null values.
	HasRange       bool
	Min, Max       float64
	Integral       bool // every finite value is a whole number
	PosInf, NegInf int64

	// Times: timestamp columns, and string columns that are all RFC 3339.
	RFC3339          bool // a string column whose every non-null value is an RFC 3339 timestamp
	MinTime, MaxTime time.Time

	// Distinct values of int, float, string and bool columns (not
	// timestamps). Values holds every distinct value with its count, most
	// frequent first, unless there were more than DistinctCap of them.
	Distinct       int
	DistinctCapped bool
	Values         []ValueCount
	Unique         bool // no non-null value repeats (checked for the first UniqueCap values of int and string columns)
}

// ValueCount is one distinct value and how often it occurred.
type ValueCount struct {
	Value string // ints in base 10, bools as true/false, floats in shortest form
	Count int64
}

// NullRate is the share of rows where the column is null, NaN or missing.
func (c *ColumnProfile) NullRate() float64 {
	n := c.Rows + c.Missing
	if n == 0 {
		return 0
	}
	return float64(c.Nulls+c.Missing) / float64(n)
}

// ProfileOf reads src to the end and profiles every column. Like any caller
// of traffic.Reader's Next, it releases each batch once profiled, and keeps
// nothing that points into it. Memory is bounded per column by DistinctCap
// and UniqueCap.
func ProfileOf(src BatchSource) (*Profile, error) {
	p := &Profile{}
	var accs []*colAcc
	byName := map[string]*colAcc{}
	for {
		b, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if b == nil {
			continue
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		n := b.NumRows()
		seen := make(map[string]bool, b.NumCols())
		for i, f := range b.Schema().Fields() {
			if seen[f.Name] {
				continue
			}
			seen[f.Name] = true
			a := byName[f.Name]
			if a == nil {
				a = newColAcc(f.Name, b.Column(i).DataType())
				a.c.Missing = p.Rows
				byName[f.Name] = a
				accs = append(accs, a)
			}
			a.observe(b.Column(i))
		}
		for _, a := range accs {
			if !seen[a.c.Name] {
				a.c.Missing += n
			}
		}
		p.Rows += n
		b.Release()
	}
	for _, a := range accs {
		p.Columns = append(p.Columns, a.finish())
	}
	return p, nil
}

// colAcc accumulates one column's profile.
type colAcc struct {
	c       ColumnProfile
	strs    map[string]int64
	ints    map[int64]int64
	floats  map[float64]int64
	hashes  map[uint64]struct{} // for Unique; nil once a repeat was seen or the cap reached
	checked int                 // values checked for Unique
	nonNull int64
}

func newColAcc(name string, dt arrow.DataType) *colAcc {
	a := &colAcc{c: ColumnProfile{Name: name, ArrowType: typeName(dt), Kind: kindOf(dt),
		Integral: true, Unique: true, RFC3339: true}}
	switch a.c.Kind {
	case KindString:
		a.strs = map[string]int64{}
		a.hashes = map[uint64]struct{}{}
	case KindInt:
		a.ints = map[int64]int64{}
		a.hashes = map[uint64]struct{}{}
	case KindBool:
		a.ints = map[int64]int64{}
	case KindFloat:
		a.floats = map[float64]int64{}
	}
	return a
}

func (a *colAcc) observe(col arrow.Array) {
	c := &a.c
	n := int64(col.Len())
	k := kindOf(col.DataType())
	switch {
	case k == c.Kind || k == kindNull:
	case c.Kind == kindNull:
		// The first batches were all null: adopt the first real type.
		rows, nulls, missing := c.Rows, c.Nulls, c.Missing
		*a = *newColAcc(c.Name, col.DataType())
		a.c.Rows, a.c.Nulls, a.c.Missing = rows, nulls, missing
		c = &a.c
	case c.Kind == KindInt && k == KindFloat:
		// Widen: the integers seen so far become floats.
		c.Kind = KindFloat
		a.floats = make(map[float64]int64, len(a.ints))
		if a.ints == nil {
			a.floats = nil
		}
		for v, cnt := range a.ints {
			a.floats[float64(v)] += cnt
		}
		a.ints, a.hashes = nil, nil
	case c.Kind == KindFloat && k == KindInt:
	default:
		name := typeName(col.DataType())
		for _, m := range c.Mixed {
			if m == name {
				name = ""
			}
		}
		if name != "" {
			c.Mixed = append(c.Mixed, name)
		}
		c.Rows += n
		c.Nulls += int64(col.NullN())
		return
	}
	c.Rows += n
	if k == kindNull {
		c.Nulls += n
		return
	}
	c.Nulls += int64(col.NullN())
	switch arr := col.(type) {
	case *array.Int8, *array.Int16, *array.Int32, *array.Int64,
		*array.Uint8, *array.Uint16, *array.Uint32, *array.Uint64:
		for i := 0; i < arr.Len(); i++ {
			if !arr.IsNull(i) {
				v, u := intAt(arr, i)
				a.addInt(v, u)
			}
		}
	case *array.Float16, *array.Float32, *array.Float64:
		for i := 0; i < arr.Len(); i++ {
			if !arr.IsNull(i) {
				a.addFloat(models.FeatureValue(arr, i))
			}
		}
	case *array.Boolean:
		for i := 0; i < arr.Len(); i++ {
			if !arr.IsNull(i) {
				v := int64(0)
				if arr.Value(i) {
					v = 1
				}
				a.addInt(v, false)
			}
		}
	case *array.String:
		a.addStrings(arr.Len(), arr.IsNull, arr.Value)
	case *array.LargeString:
		a.addStrings(arr.Len(), arr.IsNull, arr.Value)
	case *array.StringView:
		a.addStrings(arr.Len(), arr.IsNull, arr.Value)
	case *array.Dictionary:
		d := arr.Dictionary()
		val := d.ValueStr
		switch dv := d.(type) {
		case *array.String:
			val = dv.Value
		case *array.LargeString:
			val = dv.Value
		}
		isNull := func(i int) bool { return arr.IsNull(i) || d.IsNull(arr.GetValueIndex(i)) }
		for i := 0; i < arr.Len(); i++ {
			if !arr.IsNull(i) && d.IsNull(arr.GetValueIndex(i)) {
				c.Nulls++
			}
		}
		a.addStrings(arr.Len(), isNull, func(i int) string { return val(arr.GetValueIndex(i)) })
	case *array.Timestamp:
		unit := arr.DataType().(*arrow.TimestampType).Unit
		for i, v := range arr.Values() {
			if !arr.IsNull(i) {
				a.addTime(tickTime(int64(v), unit))
			}
		}
	case *array.Date32:
		for i, v := range arr.Values() {
			if !arr.IsNull(i) {
				a.addTime(v.ToTime())
			}
		}
	case *array.Date64:
		for i, v := range arr.Values() {
			if !arr.IsNull(i) {
				a.addTime(v.ToTime())
			}
		}
	}
}

// intAt reads an integer; u is true for a uint64 above MaxInt64.
func intAt(arr arrow.Array, i int) (int64, bool) {
	switch a := arr.(type) {
	case *array.Int8:
		return int64(a.Value(i)), false
	case *array.Int16:
		return int64(a.Value(i)), false
	case *array.Int32:
		return int64(a.Value(i)), false
	case *array.Int64:
		return a.Value(i), false
	case *array.Uint8:
		return int64(a.Value(i)), false
	case *array.Uint16:
		return int64(a.Value(i)), false
	case *array.Uint32:
		return int64(a.Value(i)), false
	case *array.Uint64:
		v := a.Value(i)
		return int64(v), v > math.MaxInt64
	}
	return 0, false
}

func (a *colAcc) addNumber(x float64) {
	c := &a.c
	if !c.HasRange {
		c.HasRange, c.Min, c.Max = true, x, x
	}
	c.Min = math.Min(c.Min, x)
	c.Max = math.Max(c.Max, x)
}

func (a *colAcc) addInt(v int64, big bool) {
	x := float64(v)
	if big {
		x = float64(uint64(v))
	}
	if a.c.Kind == KindFloat {
		a.addFloat(x)
		return
	}
	a.nonNull++
	if a.c.Kind == KindInt {
		a.addNumber(x)
	}
	if a.ints != nil && !big {
		a.ints[v]++
		if len(a.ints) > DistinctCap {
			a.ints = nil
			a.c.DistinctCapped = true
		}
	} else if big {
		a.ints = nil
		a.c.DistinctCapped = true
	}
	a.noteUnique(uint64(v))
}

func (a *colAcc) addFloat(x float64) {
	c := &a.c
	switch {
	case math.IsNaN(x):
		c.NaNs++
		c.Nulls++
		return
	case math.IsInf(x, 1):
		c.PosInf++
	case math.IsInf(x, -1):
		c.NegInf++
	default:
		a.addNumber(x)
		if x != math.Trunc(x) {
			c.Integral = false
		}
	}
	a.nonNull++
	if a.floats != nil {
		a.floats[x]++
		if len(a.floats) > DistinctCap {
			a.floats = nil
			c.DistinctCapped = true
		}
	}
}

func (a *colAcc) addStrings(n int, isNull func(int) bool, val func(int) string) {
	c := &a.c
	for i := 0; i < n; i++ {
		if isNull(i) {
			continue
		}
		s := val(i)
		a.nonNull++
		if a.strs != nil {
			if _, ok := a.strs[s]; ok {
				a.strs[s]++
			} else if len(a.strs) < DistinctCap {
				a.strs[strings.Clone(s)] = 1
			} else {
				a.strs = nil
				c.DistinctCapped = true
			}
		}
		if c.RFC3339 {
			if t, ok := parseTime(s); ok {
				a.noteTime(t)
			} else {
				c.RFC3339 = false
			}
		}
		if a.hashes != nil {
			a.noteUnique(fnv64(s))
		}
	}
}

func (a *colAcc) addTime(t time.Time) {
	a.nonNull++
	a.noteTime(t)
}

func (a *colAcc) noteTime(t time.Time) {
	c := &a.c
	if c.MinTime.IsZero() || t.Before(c.MinTime) {
		c.MinTime = t.UTC()
	}
	if c.MaxTime.IsZero() || t.After(c.MaxTime) {
		c.MaxTime = t.UTC()
	}
}

func (a *colAcc) noteUnique(h uint64) {
	if a.hashes == nil {
		return
	}
	if _, ok := a.hashes[h]; ok {
		a.c.Unique = false
		a.hashes = nil
		return
	}
	a.hashes[h] = struct{}{}
	if a.checked++; a.checked >= UniqueCap {
		a.hashes = nil
	}
}

func (a *colAcc) finish() ColumnProfile {
	c := a.c
	if c.Kind != KindString || a.nonNull == 0 {
		c.RFC3339 = false
	}
	if c.Kind != KindInt && c.Kind != KindFloat {
		c.Integral = false
	}
	if c.Kind != KindString && c.Kind != KindInt {
		c.Unique = c.Kind == KindFloat && !c.DistinctCapped && int64(len(a.floats)) == a.nonNull
	}
	var vals []ValueCount
	switch {
	case c.DistinctCapped:
		c.Distinct = DistinctCap
	case a.strs != nil:
		for v, n := range a.strs {
			vals = append(vals, ValueCount{v, n})
		}
	case a.ints != nil && c.Kind == KindBool:
		for v, n := range a.ints {
			vals = append(vals, ValueCount{strconv.FormatBool(v == 1), n})
		}
	case a.ints != nil:
		for v, n := range a.ints {
			vals = append(vals, ValueCount{strconv.FormatInt(v, 10), n})
		}
	case a.floats != nil:
		var buf []byte
		for v, n := range a.floats {
			buf = appendValueFloat(buf[:0], v, 64)
			vals = append(vals, ValueCount{string(buf), n})
		}
	}
	if !c.DistinctCapped {
		c.Distinct = len(vals)
		sort.Slice(vals, func(i, j int) bool {
			if vals[i].Count != vals[j].Count {
				return vals[i].Count > vals[j].Count
			}
			return vals[i].Value < vals[j].Value
		})
		c.Values = vals
	}
	if a.nonNull == 0 {
		c.Unique = false
	}
	return c
}

// fnv64 is the 64-bit FNV-1a hash of s.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
