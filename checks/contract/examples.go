package contract

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// maxExamples is how many example rows an outcome carries.
const maxExamples = 5

// example is one row that broke a rule: its id, or its position in the
// stream when there is no id.
type example struct {
	row   int64 // 0-based position in the observed stream
	id    string
	hasID bool
}

func (e example) String() string {
	if e.hasID {
		return e.id
	}
	return "row " + strconv.FormatInt(e.row, 10)
}

// exampleList keeps the first maxExamples examples in stream order.
type exampleList []example

func (l *exampleList) full() bool { return len(*l) >= maxExamples }

func (l *exampleList) add(e example) {
	if len(*l) < maxExamples {
		*l = append(*l, e)
	}
}

// merge appends other's examples, whose row positions start at offset.
func (l *exampleList) merge(other exampleList, offset int64) {
	for _, e := range other {
		if l.full() {
			return
		}
		l.add(e.shift(offset))
	}
}

func (e example) shift(offset int64) example {
	if !e.hasID {
		e.row += offset
	}
	return e
}

func (l exampleList) strings() []string {
	if len(l) == 0 {
		return nil
	}
	out := make([]string, len(l))
	for i, e := range l {
		out[i] = e.String()
	}
	return out
}

// rowIDs turns a row index of the current batch into an example.
type rowIDs struct {
	base int64       // stream position of the batch's first row
	id   arrow.Array // nil: use the row position
}

func (r *rowIDs) at(i int) example {
	e := example{row: r.base + int64(i)}
	if r.id == nil || r.id.IsNull(i) {
		return e
	}
	e.hasID = true
	switch a := r.id.(type) {
	case *array.String:
		e.id = strings.Clone(a.Value(i))
	case *array.LargeString:
		e.id = strings.Clone(a.Value(i))
	case *array.Int64:
		e.id = strconv.FormatInt(a.Value(i), 10)
	case *array.Int32:
		e.id = strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Uint64:
		e.id = strconv.FormatUint(a.Value(i), 10)
	default:
		e.id = strings.Clone(a.ValueStr(i))
	}
	return e
}
