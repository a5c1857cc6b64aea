package labels

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/errs"
	"github.com/replaygate/replaygate/models"
	"github.com/replaygate/replaygate/traffic"
)

// maxExamples is how many duplicate ids an error names.
const maxExamples = 5

// Table maps request ids to labels. It is read-only after Load, so Join may
// be called from several goroutines at once.
type Table struct {
	path   string
	labels map[string]float64 // NaN: the id is known but has no label

	rows, matched, unmatched atomic.Int64
}

// Stats counts the traffic rows joined so far.
type Stats struct {
	Rows      int64 // traffic rows seen
	Matched   int64 // rows whose id has a label
	Unmatched int64 // rows with a null id, an unknown id or a null label
}

// Load reads the id and label columns of the file (or files) at path into a
// Table. Labels must be numbers or booleans; null and NaN labels are kept
// as "no label". Duplicate ids, null ids and a non-numeric label column are
// input errors naming the file.
func Load(ctx context.Context, path, idCol, labelCol string) (*Table, error) {
	if idCol == "" || labelCol == "" {
		return nil, errs.Input("name both the id and the label column", "%s: labels need an id column and a label column", path)
	}
	if idCol == labelCol {
		return nil, errs.Input("the id and the label must be different columns", "%s: id column and label column are both %q", path, idCol)
	}
	r, err := traffic.Open(ctx, path, traffic.Options{Columns: []string{idCol, labelCol}})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	sch := r.Schema()
	if err := checkID(sch.Field(0).Type); err != nil {
		return nil, errs.Input("ids must be strings or integers", "%s: id column %q: %v", path, idCol, err)
	}
	if err := checkLabel(sch.Field(1).Type); err != nil {
		return nil, errs.Input("labels must be numbers or booleans (true = 1)", "%s: label column %q: %v", path, labelCol, err)
	}

	t := &Table{path: path, labels: make(map[string]float64)}
	var (
		row     int64
		dups    = map[string]bool{}
		buf     []byte
		example []string
	)
	for {
		b, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		ids, vals := b.Column(0), b.Column(1)
		for i := 0; i < int(b.NumRows()); i++ {
			row++
			var id []byte
			if id, buf = idText(ids, i, buf[:0]); id == nil {
				b.Release()
				return nil, errs.Input("every label row needs an id", "%s: data row %d: null id in column %q", path, row, idCol)
			}
			if _, seen := t.labels[string(id)]; seen {
				if !dups[string(id)] {
					dups[string(id)] = true
					if len(example) < maxExamples {
						example = append(example, strconv.Quote(string(id)))
					}
				}
				continue
			}
			t.labels[strings.Clone(string(id))] = models.FeatureValue(vals, i)
		}
		b.Release()
	}
	if len(dups) > 0 {
		return nil, errs.Input("keep one label per request id",
			"%s: %d duplicate ids in column %q (e.g. %s)", path, len(dups), idCol, strings.Join(example, ", "))
	}
	return t, nil
}

// Len is the number of ids in the table, labelled or not.
func (t *Table) Len() int { return len(t.labels) }

// Stats returns the counts of the rows joined so far.
func (t *Table) Stats() Stats {
	return Stats{Rows: t.rows.Load(), Matched: t.matched.Load(), Unmatched: t.unmatched.Load()}
}

// Join returns b with a float64 column named as holding each row's label,
// null when the row's id (in column trafficID) has none. A column of b
// named as is replaced in place; otherwise the column is appended. b is
// not released; the result shares b's other columns and must be released
// by the caller.
func (t *Table) Join(b arrow.RecordBatch, trafficID, as string) (arrow.RecordBatch, error) {
	sch := b.Schema()
	idx := sch.FieldIndices(trafficID)
	if len(idx) == 0 {
		return nil, errs.Input("set the traffic's request id column", "traffic has no id column %q to join labels from %s", trafficID, t.path)
	}
	ids := b.Column(idx[0])
	if err := checkID(ids.DataType()); err != nil {
		return nil, errs.Input("ids must be strings or integers", "traffic id column %q: %v", trafficID, err)
	}

	n := int(b.NumRows())
	bld := array.NewFloat64Builder(memory.DefaultAllocator)
	defer bld.Release()
	bld.Reserve(n)
	var buf []byte
	var matched int64
	for i := 0; i < n; i++ {
		var id []byte
		id, buf = idText(ids, i, buf[:0])
		if id == nil {
			bld.UnsafeAppendBoolToBitmap(false)
			continue
		}
		v, ok := t.labels[string(id)]
		if !ok || math.IsNaN(v) {
			bld.UnsafeAppendBoolToBitmap(false)
			continue
		}
		bld.UnsafeAppend(v)
		matched++
	}
	labels := bld.NewArray()
	defer labels.Release()
	t.rows.Add(int64(n))
	t.matched.Add(matched)
	t.unmatched.Add(int64(n) - matched)

	field := arrow.Field{Name: as, Type: arrow.PrimitiveTypes.Float64, Nullable: true}
	fields := append([]arrow.Field(nil), sch.Fields()...)
	cols := append([]arrow.Array(nil), b.Columns()...)
	if pos := sch.FieldIndices(as); len(pos) > 0 {
		fields[pos[0]] = field
		cols[pos[0]] = labels
	} else {
		fields = append(fields, field)
		cols = append(cols, labels)
	}
	meta := sch.Metadata()
	out := arrow.NewSchema(fields, &meta)
	return array.NewRecordBatch(out, cols, int64(n)), nil
}

// JoinedSource yields the batches of another source with labels joined.
type JoinedSource struct {
	t   *Table
	src interface {
		Next() (arrow.RecordBatch, error)
	}
	id, as string
	err    error
}

// Source wraps src so that every batch it yields is joined (see Join).
// src's Next returns io.EOF at the end.
func (t *Table) Source(src interface {
	Next() (arrow.RecordBatch, error)
}, trafficID, as string) *JoinedSource {
	return &JoinedSource{t: t, src: src, id: trafficID, as: as}
}

// Next returns the next joined batch, or src's error (io.EOF at the end).
// The input batch is released; the caller releases the returned one.
// After an error Next keeps returning it.
func (s *JoinedSource) Next() (arrow.RecordBatch, error) {
	if s.err != nil {
		return nil, s.err
	}
	b, err := s.src.Next()
	if err != nil {
		s.err = err
		return nil, err
	}
	out, err := s.t.Join(b, s.id, s.as)
	b.Release()
	if err != nil {
		s.err = err
		return nil, err
	}
	return out, nil
}

// checkID accepts the id types that compare as text.
func checkID(t arrow.DataType) error {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING,
		arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.NULL:
		return nil
	}
	return fmt.Errorf("type %s, want strings or integers", t)
}

// checkLabel accepts the label types that convert to float64.
func checkLabel(t arrow.DataType) error {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.BOOL, arrow.NULL:
		return nil
	}
	return fmt.Errorf("type %s is not numeric", t)
}

// idText appends row i's id as text to buf and returns the text (nil when
// the id is null) and the grown buffer.
func idText(a arrow.Array, i int, buf []byte) ([]byte, []byte) {
	if a.IsNull(i) {
		return nil, buf
	}
	switch a := a.(type) {
	case *array.String:
		buf = append(buf, a.Value(i)...)
	case *array.LargeString:
		buf = append(buf, a.Value(i)...)
	case *array.Int8:
		buf = strconv.AppendInt(buf, int64(a.Value(i)), 10)
	case *array.Int16:
		buf = strconv.AppendInt(buf, int64(a.Value(i)), 10)
	case *array.Int32:
		buf = strconv.AppendInt(buf, int64(a.Value(i)), 10)
	case *array.Int64:
		buf = strconv.AppendInt(buf, a.Value(i), 10)
	case *array.Uint8:
		buf = strconv.AppendUint(buf, uint64(a.Value(i)), 10)
	case *array.Uint16:
		buf = strconv.AppendUint(buf, uint64(a.Value(i)), 10)
	case *array.Uint32:
		buf = strconv.AppendUint(buf, uint64(a.Value(i)), 10)
	case *array.Uint64:
		buf = strconv.AppendUint(buf, a.Value(i), 10)
	default:
		return nil, buf
	}
	if buf == nil {
		buf = []byte{}
	}
	return buf, buf
}
