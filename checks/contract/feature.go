package contract

import (
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/float16"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/spec"
)

// feature is the configuration and state of one column's rules.
type feature struct {
	name string
	sev  checks.Status
	want Kind // declared type; "" when the rule names none

	hasMin, hasMax bool
	min, max       float64
	maxOOR         float64
	hasNull        bool
	maxNull        float64
	hasValues      bool
	nValues        int
	maxUnseen      float64
	set            valueSet

	st featureStats
}

// featureStats is everything Observe accumulates for one feature.
type featureStats struct {
	rows      int64 // rows of batches where the column was present and usable
	missing   int64 // rows of batches without the column
	wrong     int64 // rows of batches where the column's type does not fit
	wrongType string
	haveType  string // the column's Arrow type, first seen
	haveKind  Kind

	badTS      int64 // non-null strings that are not RFC 3339 (type timestamp)
	badTSFirst string
	badTSEx    exampleList

	nulls  int64 // including NaN
	nans   int64
	nullEx exampleList

	lo, hi  float64 // extremes of the non-null values; +Inf/-Inf before any
	below   int64
	above   int64
	belowEx exampleList
	aboveEx exampleList

	unseen     int64
	unseenEx   exampleList
	unseenVals []string // first distinct unseen values, at most maxExamples
}

// valueSet answers "is this value in the rule's values" without formatting
// integers or bools.
type valueSet struct {
	strs  map[string]struct{}
	ints  map[int64]struct{}
	uints map[uint64]struct{} // integers above MaxInt64
	t, f  bool
}

func newValueSet(values []string) valueSet {
	s := valueSet{
		strs:  make(map[string]struct{}, len(values)),
		ints:  make(map[int64]struct{}),
		uints: make(map[uint64]struct{}),
	}
	for _, v := range values {
		s.strs[v] = struct{}{}
		if i, err := strconv.ParseInt(v, 10, 64); err == nil && strconv.FormatInt(i, 10) == v {
			s.ints[i] = struct{}{}
		} else if u, err := strconv.ParseUint(v, 10, 64); err == nil && strconv.FormatUint(u, 10) == v {
			s.uints[u] = struct{}{}
		}
		switch v {
		case "true":
			s.t = true
		case "false":
			s.f = true
		}
	}
	return s
}

// hasString reports whether s is one of the values.
func (vs *valueSet) hasString(s string) bool {
	_, ok := vs.strs[s]
	return ok
}

func newFeature(name string, r spec.FeatureRule) (*feature, error) {
	where := "checks.contract.features." + name
	f := &feature{name: name, want: Kind(r.Type)}
	f.st.lo, f.st.hi = math.Inf(1), math.Inf(-1)
	sev, err := severity(r.Severity, where)
	if err != nil {
		return nil, err
	}
	f.sev = sev
	switch f.want {
	case "", KindInt, KindFloat, KindString, KindBool, KindTimestamp:
	default:
		return nil, inputErr("use one of int, float, string, bool, timestamp",
			"%s: unknown type %q", where, r.Type)
	}
	if r.Min != nil {
		if f.min, err = finite(*r.Min, where+".min"); err != nil {
			return nil, err
		}
		f.hasMin = true
	}
	if r.Max != nil {
		if f.max, err = finite(*r.Max, where+".max"); err != nil {
			return nil, err
		}
		f.hasMax = true
	}
	if f.hasMin && f.hasMax && f.min > f.max {
		return nil, inputErr("swap min and max", "%s: min %s is above max %s", where, num(f.min), num(f.max))
	}
	if (f.hasMin || f.hasMax) && f.want != "" && f.want != KindInt && f.want != KindFloat {
		return nil, inputErr("drop min/max or change the type to int or float",
			"%s: min/max apply to int and float columns, not %s", where, f.want)
	}
	if f.maxOOR, err = rate(r.MaxOutOfRange, where+".max_out_of_range_rate"); err != nil {
		return nil, err
	}
	if r.MaxOutOfRange != nil && !f.hasMin && !f.hasMax {
		return nil, inputErr("set min or max, or drop max_out_of_range_rate",
			"%s: max_out_of_range_rate without min or max", where)
	}
	if r.MaxNullRate != nil {
		f.hasNull = true
		if f.maxNull, err = rate(r.MaxNullRate, where+".max_null_rate"); err != nil {
			return nil, err
		}
	}
	if len(r.Values) > 0 {
		if f.want == KindTimestamp {
			return nil, inputErr("drop values or change the type",
				"%s: values do not apply to timestamp columns", where)
		}
		f.hasValues = true
		f.set = newValueSet(r.Values)
		f.nValues = len(f.set.strs)
	} else if r.MaxUnseenRate != nil {
		return nil, inputErr("list the allowed values, or drop max_unseen_rate",
			"%s: max_unseen_rate without values", where)
	}
	if f.maxUnseen, err = rate(r.MaxUnseenRate, where+".max_unseen_rate"); err != nil {
		return nil, err
	}
	return f, nil
}

// usable reports whether a column of kind k can carry this feature's rules.
func (f *feature) usable(k Kind) bool {
	if k == "" {
		return false
	}
	if f.want != "" {
		return fits(f.want, k)
	}
	if f.hasMin || f.hasMax {
		if k != KindInt && k != KindFloat && k != kindNull {
			return false
		}
	}
	if f.hasValues && k == KindTimestamp {
		return false
	}
	return true
}

// needs says what kind of column this feature needs, for messages.
func (f *feature) needs() string {
	switch {
	case f.want != "":
		return "want " + string(f.want)
	case f.hasMin || f.hasMax:
		return "min/max need an int or float column"
	case f.hasValues:
		return "values need an int, float, string or bool column"
	}
	return "no contract type covers it"
}

// scanNeeded reports whether the rows must be visited one by one; otherwise
// Arrow's null count is all a batch contributes.
func (f *feature) scanNeeded(k Kind) bool {
	return f.hasMin || f.hasMax || f.hasValues || k == KindFloat ||
		(f.want == KindTimestamp && k == KindString)
}

func (f *feature) observe(b arrow.RecordBatch, ids *rowIDs, sc *scratch) {
	n := b.NumRows()
	st := &f.st
	idx := b.Schema().FieldIndices(f.name)
	if len(idx) == 0 {
		st.missing += n
		return
	}
	col := b.Column(idx[0])
	k := kindOf(col.DataType())
	if !f.usable(k) {
		st.wrong += n
		if st.wrongType == "" {
			st.wrongType = typeName(col.DataType())
		}
		return
	}
	if st.haveType == "" && k != kindNull {
		st.haveType, st.haveKind = typeName(col.DataType()), k
	}
	st.rows += n
	if k == kindNull {
		st.nulls += n
		f.nullExamples(col, ids, true)
		return
	}
	if !f.scanNeeded(k) {
		st.nulls += int64(col.NullN())
		f.nullExamples(col, ids, false)
		return
	}
	m := maskOf(col)
	switch a := col.(type) {
	case *array.Int8:
		scanInts(f, a.Values(), m, ids, false)
	case *array.Int16:
		scanInts(f, a.Values(), m, ids, false)
	case *array.Int32:
		scanInts(f, a.Values(), m, ids, false)
	case *array.Int64:
		scanInts(f, a.Values(), m, ids, false)
	case *array.Uint8:
		scanInts(f, a.Values(), m, ids, false)
	case *array.Uint16:
		scanInts(f, a.Values(), m, ids, false)
	case *array.Uint32:
		scanInts(f, a.Values(), m, ids, false)
	case *array.Uint64:
		scanInts(f, a.Values(), m, ids, true)
	case *array.Float16:
		scanFloats(f, sc.float32s(a.Values()), m, ids, 32)
	case *array.Float32:
		scanFloats(f, a.Values(), m, ids, 32)
	case *array.Float64:
		scanFloats(f, a.Values(), m, ids, 64)
	case *array.String:
		f.scanStrings(a.Len(), a.Value, m, ids)
	case *array.LargeString:
		f.scanStrings(a.Len(), a.Value, m, ids)
	case *array.StringView:
		f.scanStrings(a.Len(), a.Value, m, ids)
	case *array.Dictionary:
		f.scanDictionary(a, m, ids, sc)
	case *array.Boolean:
		f.scanBools(a, m, ids)
	default:
		// Timestamps and dates: only nulls matter here.
		st.nulls += int64(col.NullN())
		f.nullExamples(col, ids, false)
	}
}

// nullExamples records the first null rows of col while examples are missing.
func (f *feature) nullExamples(col arrow.Array, ids *rowIDs, all bool) {
	st := &f.st
	if st.nullEx.full() || (!all && col.NullN() == 0) {
		return
	}
	for i := 0; i < col.Len() && !st.nullEx.full(); i++ {
		if all || col.IsNull(i) {
			st.nullEx.add(ids.at(i))
		}
	}
}

// nullMask reads an Arrow validity bitmap; the zero value means no nulls.
type nullMask struct {
	bm  []byte
	off int
}

func maskOf(a arrow.Array) nullMask {
	if a.NullN() == 0 {
		return nullMask{}
	}
	return nullMask{bm: a.NullBitmapBytes(), off: a.Data().Offset()}
}

func (m nullMask) null(i int) bool {
	j := m.off + i
	return m.bm[j>>3]&(1<<(j&7)) == 0
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

func scanInts[T integer](f *feature, vals []T, m nullMask, ids *rowIDs, u64 bool) {
	st := &f.st
	lo, hi := st.lo, st.hi
	var nulls, below, above, unseen int64
	hasMask := m.bm != nil
	var buf [24]byte
	for i, v := range vals {
		if hasMask && m.null(i) {
			nulls++
			if !st.nullEx.full() {
				st.nullEx.add(ids.at(i))
			}
			continue
		}
		x := float64(v)
		if x < lo {
			lo = x
		}
		if x > hi {
			hi = x
		}
		if f.hasMin && x < f.min {
			below++
			if !st.belowEx.full() {
				st.belowEx.add(ids.at(i))
			}
		}
		if f.hasMax && x > f.max {
			above++
			if !st.aboveEx.full() {
				st.aboveEx.add(ids.at(i))
			}
		}
		if f.hasValues {
			var ok bool
			if s := int64(v); u64 && s < 0 {
				_, ok = f.set.uints[uint64(v)]
			} else {
				_, ok = f.set.ints[s]
			}
			if !ok {
				unseen++
				if u64 {
					f.noteUnseenBytes(ids, i, strconv.AppendUint(buf[:0], uint64(v), 10))
				} else {
					f.noteUnseenBytes(ids, i, strconv.AppendInt(buf[:0], int64(v), 10))
				}
			}
		}
	}
	st.lo, st.hi = lo, hi
	st.nulls += nulls
	st.below += below
	st.above += above
	st.unseen += unseen
}

func scanFloats[T float32 | float64](f *feature, vals []T, m nullMask, ids *rowIDs, bits int) {
	st := &f.st
	lo, hi := st.lo, st.hi
	var nulls, nans, below, above, unseen int64
	hasMask := m.bm != nil
	var buf [64]byte
	for i, v := range vals {
		if hasMask && m.null(i) {
			nulls++
			if !st.nullEx.full() {
				st.nullEx.add(ids.at(i))
			}
			continue
		}
		x := float64(v)
		if x != x {
			nans++
			if !st.nullEx.full() {
				st.nullEx.add(ids.at(i))
			}
			continue
		}
		if x < lo {
			lo = x
		}
		if x > hi {
			hi = x
		}
		if f.hasMin && x < f.min {
			below++
			if !st.belowEx.full() {
				st.belowEx.add(ids.at(i))
			}
		}
		if f.hasMax && x > f.max {
			above++
			if !st.aboveEx.full() {
				st.aboveEx.add(ids.at(i))
			}
		}
		if f.hasValues {
			s := appendValueFloat(buf[:0], x, bits)
			if _, ok := f.set.strs[string(s)]; !ok {
				unseen++
				f.noteUnseenBytes(ids, i, s)
			}
		}
	}
	st.lo, st.hi = lo, hi
	st.nulls += nulls + nans
	st.nans += nans
	st.below += below
	st.above += above
	st.unseen += unseen
}

// appendValueFloat formats a float the way values compare it: shortest
// decimal form, without an exponent for everyday magnitudes.
func appendValueFloat(dst []byte, x float64, bits int) []byte {
	if math.IsInf(x, 0) {
		return append(dst, num(x)...)
	}
	if a := math.Abs(x); a == 0 || (a >= 1e-4 && a < 1e15) {
		return strconv.AppendFloat(dst, x, 'f', -1, bits)
	}
	return strconv.AppendFloat(dst, x, 'g', -1, bits)
}

func (f *feature) scanStrings(n int, val func(int) string, m nullMask, ids *rowIDs) {
	st := &f.st
	hasMask := m.bm != nil
	ts := f.want == KindTimestamp
	for i := 0; i < n; i++ {
		if hasMask && m.null(i) {
			st.nulls++
			if !st.nullEx.full() {
				st.nullEx.add(ids.at(i))
			}
			continue
		}
		s := val(i)
		if ts {
			if _, ok := parseTime(s); !ok {
				f.noteBadTS(ids, i, s)
			}
		}
		if f.hasValues && !f.set.hasString(s) {
			st.unseen++
			f.noteUnseen(ids, i, s)
		}
	}
}

// Entry flags of a dictionary's values, computed once per batch.
const (
	entryNull = 1 << iota
	entryUnseen
	entryBadTS
)

func (f *feature) scanDictionary(a *array.Dictionary, m nullMask, ids *rowIDs, sc *scratch) {
	dict := a.Dictionary()
	var val func(int) string
	switch d := dict.(type) {
	case *array.String:
		val = d.Value
	case *array.LargeString:
		val = d.Value
	case *array.StringView:
		val = d.Value
	default:
		val = dict.ValueStr
	}
	flags := sc.flags(dict.Len())
	for j := range flags {
		switch {
		case dict.IsNull(j):
			flags[j] = entryNull
			continue
		}
		s := val(j)
		if f.hasValues {
			if _, ok := f.set.strs[s]; !ok {
				flags[j] |= entryUnseen
			}
		}
		if f.want == KindTimestamp {
			if _, ok := parseTime(s); !ok {
				flags[j] |= entryBadTS
			}
		}
	}
	d := dictScan{f: f, m: m, ids: ids, flags: flags, val: val}
	switch ix := a.Indices().(type) {
	case *array.Int8:
		scanDict(&d, ix.Values())
	case *array.Int16:
		scanDict(&d, ix.Values())
	case *array.Int32:
		scanDict(&d, ix.Values())
	case *array.Int64:
		scanDict(&d, ix.Values())
	case *array.Uint8:
		scanDict(&d, ix.Values())
	case *array.Uint16:
		scanDict(&d, ix.Values())
	case *array.Uint32:
		scanDict(&d, ix.Values())
	case *array.Uint64:
		scanDict(&d, ix.Values())
	default:
		idx := make([]int, a.Len())
		for i := range idx {
			if !a.IsNull(i) {
				idx[i] = a.GetValueIndex(i)
			}
		}
		scanDict(&d, idx)
	}
}

type dictScan struct {
	f     *feature
	m     nullMask
	ids   *rowIDs
	flags []uint8
	val   func(int) string
}

func scanDict[T integer | ~int](d *dictScan, idx []T) {
	f, st := d.f, &d.f.st
	hasMask := d.m.bm != nil
	for i, ix := range idx {
		if hasMask && d.m.null(i) {
			st.nulls++
			if !st.nullEx.full() {
				st.nullEx.add(d.ids.at(i))
			}
			continue
		}
		fl := d.flags[ix]
		if fl == 0 {
			continue
		}
		if fl&entryNull != 0 {
			st.nulls++
			if !st.nullEx.full() {
				st.nullEx.add(d.ids.at(i))
			}
			continue
		}
		if fl&entryBadTS != 0 {
			f.noteBadTS(d.ids, i, d.val(int(ix)))
		}
		if fl&entryUnseen != 0 {
			st.unseen++
			f.noteUnseen(d.ids, i, d.val(int(ix)))
		}
	}
}

func (f *feature) scanBools(a *array.Boolean, m nullMask, ids *rowIDs) {
	st := &f.st
	hasMask := m.bm != nil
	for i := 0; i < a.Len(); i++ {
		if hasMask && m.null(i) {
			st.nulls++
			if !st.nullEx.full() {
				st.nullEx.add(ids.at(i))
			}
			continue
		}
		if !f.hasValues {
			continue
		}
		if v := a.Value(i); (v && !f.set.t) || (!v && !f.set.f) {
			st.unseen++
			f.noteUnseen(ids, i, strconv.FormatBool(v))
		}
	}
}

// noteUnseen records row i as an example and s among the first distinct
// unseen values; s may point into Arrow memory or a scratch buffer, and is
// copied only when it is kept.
func (f *feature) noteUnseen(ids *rowIDs, i int, s string) {
	st := &f.st
	if !st.unseenEx.full() {
		st.unseenEx.add(ids.at(i))
	}
	if len(st.unseenVals) >= maxExamples {
		return
	}
	for _, v := range st.unseenVals {
		if v == s {
			return
		}
	}
	st.unseenVals = append(st.unseenVals, strings.Clone(s))
}

// noteUnseenBytes is noteUnseen for a value formatted into a buffer.
func (f *feature) noteUnseenBytes(ids *rowIDs, i int, b []byte) {
	st := &f.st
	if !st.unseenEx.full() {
		st.unseenEx.add(ids.at(i))
	}
	if len(st.unseenVals) >= maxExamples {
		return
	}
	for _, v := range st.unseenVals {
		if v == string(b) {
			return
		}
	}
	st.unseenVals = append(st.unseenVals, string(b))
}

func (f *feature) noteBadTS(ids *rowIDs, i int, s string) {
	st := &f.st
	st.badTS++
	if st.badTS == 1 {
		st.badTSFirst = strings.Clone(s)
	}
	if !st.badTSEx.full() {
		st.badTSEx.add(ids.at(i))
	}
}

// merge folds o's state into f's; o's rows follow f's, which start at offset
// rows before o's in the stream.
func (f *feature) merge(o *feature, offset int64) {
	a, b := &f.st, &o.st
	a.rows += b.rows
	a.missing += b.missing
	a.wrong += b.wrong
	if a.wrongType == "" {
		a.wrongType = b.wrongType
	}
	if a.haveType == "" {
		a.haveType, a.haveKind = b.haveType, b.haveKind
	}
	if a.badTS == 0 {
		a.badTSFirst = b.badTSFirst
	}
	a.badTS += b.badTS
	a.badTSEx.merge(b.badTSEx, offset)
	a.nulls += b.nulls
	a.nans += b.nans
	a.nullEx.merge(b.nullEx, offset)
	a.lo = math.Min(a.lo, b.lo)
	a.hi = math.Max(a.hi, b.hi)
	a.below += b.below
	a.above += b.above
	a.belowEx.merge(b.belowEx, offset)
	a.aboveEx.merge(b.aboveEx, offset)
	a.unseen += b.unseen
	a.unseenEx.merge(b.unseenEx, offset)
	for _, v := range b.unseenVals {
		if len(a.unseenVals) >= maxExamples {
			break
		}
		dup := false
		for _, w := range a.unseenVals {
			dup = dup || w == v
		}
		if !dup {
			a.unseenVals = append(a.unseenVals, v)
		}
	}
}

// scratch holds buffers reused across batches.
type scratch struct {
	f32 []float32
	fl  []uint8
}

func (s *scratch) float32s(v []float16.Num) []float32 {
	if cap(s.f32) < len(v) {
		s.f32 = make([]float32, len(v))
	}
	s.f32 = s.f32[:len(v)]
	for i, x := range v {
		s.f32[i] = x.Float32()
	}
	return s.f32
}

func (s *scratch) flags(n int) []uint8 {
	if cap(s.fl) < n {
		s.fl = make([]uint8, n)
	}
	s.fl = s.fl[:n]
	clear(s.fl)
	return s.fl
}
