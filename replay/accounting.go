package replay

import (
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/replaygate/replaygate/checks"
)

// maxErrorExamples is how many errored rows are kept per error class.
const maxErrorExamples = 5

// Accounting is the check that proves nothing was lost: every scored batch
// is counted, and every row is either scored or errored with a class.
// Its outcomes are replay.rows (a run over zero rows fails) and
// replay.errors (the errored share against MaxErrorRate).
type Accounting struct {
	Role         string  // column prefix, "candidate"
	IDColumn     string  // row ids for examples; "" = row numbers
	MaxErrorRate float64 // share of errored rows allowed; default 0

	rows     int64
	expected int64 // rows the engine handed over; -1 = not known
	errors   int64
	classes  map[string]int64
	examples []checks.ErrorExample
}

// NewAccounting returns the accounting check for a role's columns.
func NewAccounting(role, idColumn string, maxErrorRate float64) *Accounting {
	return &Accounting{Role: role, IDColumn: idColumn, MaxErrorRate: maxErrorRate, classes: map[string]int64{}, expected: -1}
}

// Expect records how many rows the engine scored and handed to the sink;
// Result fails replay.rows when the rows observed differ, so a lost batch
// cannot pass as "N rows in = N scored + 0 errored".
func (a *Accounting) Expect(n int64) { a.expected = n }

// Name implements checks.Check.
func (a *Accounting) Name() string { return "replay" }

// Observe implements checks.Check.
func (a *Accounting) Observe(b arrow.RecordBatch) error {
	col := ErrorColumn(a.Role)
	idx := b.Schema().FieldIndices(col)
	if len(idx) == 0 {
		return fmt.Errorf("column %q is missing: these rows were not replayed", col)
	}
	ec, ok := b.Column(idx[0]).(*array.String)
	if !ok {
		return fmt.Errorf("column %q is %s, want utf8", col, b.Column(idx[0]).DataType())
	}
	var ids arrow.Array
	if a.IDColumn != "" {
		if ix := b.Schema().FieldIndices(a.IDColumn); len(ix) > 0 {
			ids = b.Column(ix[0])
		}
	}
	for i := 0; i < ec.Len(); i++ {
		if ec.IsNull(i) || ec.Value(i) == "" {
			continue
		}
		a.errors++
		msg := ec.Value(i)
		class, detail, ok := strings.Cut(msg, ": ")
		if !ok {
			class, detail = "error", msg
		}
		a.classes[class]++
		if a.countClass(class) < maxErrorExamples {
			row := fmt.Sprintf("row %d", a.rows+int64(i))
			if ids != nil && ids.IsValid(i) {
				row = ids.ValueStr(i)
			}
			a.examples = append(a.examples, checks.ErrorExample{Row: row, Class: class, Error: detail})
		}
	}
	a.rows += b.NumRows()
	return nil
}

func (a *Accounting) countClass(class string) int {
	n := 0
	for _, e := range a.examples {
		if e.Class == class {
			n++
		}
	}
	return n
}

// Merge implements checks.Check.
func (a *Accounting) Merge(other checks.Check) error {
	o, ok := other.(*Accounting)
	if !ok {
		return fmt.Errorf("cannot merge %T into replay accounting", other)
	}
	a.rows += o.rows
	if a.expected >= 0 && o.expected >= 0 {
		a.expected += o.expected
	} else {
		a.expected = -1
	}
	a.errors += o.errors
	for k, v := range o.classes {
		a.classes[k] += v
	}
	for _, e := range o.examples {
		if a.countClass(e.Class) < maxErrorExamples {
			a.examples = append(a.examples, e)
		}
	}
	return nil
}

// Stats returns the row accounting: Rows = Scored + Errors.
func (a *Accounting) Stats() checks.ReplayStats {
	s := checks.ReplayStats{Rows: a.rows, Scored: a.rows - a.errors, Errors: a.errors, Timeouts: a.classes["timeout"]}
	if len(a.classes) > 0 {
		s.ErrorClasses = map[string]int64{}
		for k, v := range a.classes {
			s.ErrorClasses[k] = v
		}
	}
	s.ErrorExamples = append([]checks.ErrorExample(nil), a.examples...)
	return s
}

// Result implements checks.Check. For the candidate the outcomes are
// replay.rows and replay.errors; for another role (a production replica)
// only replay.<role>.errors, since its rows are the candidate's rows.
func (a *Accounting) Result() []checks.Outcome {
	var out []checks.Outcome
	if a.Role == "candidate" || a.Role == "" {
		rows := checks.Outcome{Check: "replay", Name: "replay.rows", Rows: a.rows, Value: checks.F(float64(a.rows)), Limit: "> 0", Status: checks.Pass}
		switch {
		case a.expected >= 0 && a.expected != a.rows:
			rows.Status = checks.Fail
			rows.Message = fmt.Sprintf("%d rows were scored but %d reached the checks: rows were lost", a.expected, a.rows)
		case a.rows == 0:
			rows.Status = checks.Fail
			rows.Message = "zero rows were replayed: a run over no traffic proves nothing"
		default:
			rows.Message = fmt.Sprintf("%d rows in = %d scored + %d errored", a.rows, a.rows-a.errors, a.errors)
		}
		out = append(out, rows)
		if a.rows == 0 {
			return out
		}
	} else if a.rows == 0 {
		return nil
	}

	name := "replay.errors"
	if a.Role != "candidate" && a.Role != "" {
		name = "replay." + a.Role + ".errors"
	}
	rate := float64(a.errors) / float64(a.rows)
	e := checks.Outcome{Check: "replay", Name: name, Rows: a.rows, Value: checks.F(rate),
		Limit: fmt.Sprintf("<= %g", a.MaxErrorRate), Status: checks.Pass}
	if a.errors == 0 {
		e.Message = "every row was scored"
	} else {
		keys := make([]string, 0, len(a.classes))
		for k := range a.classes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %d", k, a.classes[k]))
		}
		e.Message = fmt.Sprintf("%d of %d rows errored (%s)", a.errors, a.rows, strings.Join(parts, ", "))
		for _, ex := range a.examples {
			if len(e.Examples) < maxErrorExamples {
				e.Examples = append(e.Examples, ex.Row)
			}
		}
		if rate > a.MaxErrorRate {
			e.Status = checks.Fail
		}
	}
	return append(out, e)
}
