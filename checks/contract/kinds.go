package contract

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Kind is the logical type of a column, as written in a contract's type.
type Kind string

// The kinds a contract's type may name.
const (
	KindInt       Kind = "int"
	KindFloat     Kind = "float"
	KindString    Kind = "string"
	KindBool      Kind = "bool"
	KindTimestamp Kind = "timestamp"

	kindNull Kind = "null" // Arrow's null type: every value is null
)

// kindOf maps an Arrow type to its kind, or "" when no contract type covers it.
func kindOf(dt arrow.DataType) Kind {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return KindInt
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		return KindFloat
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return KindString
	case arrow.DICTIONARY:
		if isStringType(dt.(*arrow.DictionaryType).ValueType) {
			return KindString
		}
	case arrow.BOOL:
		return KindBool
	case arrow.TIMESTAMP, arrow.DATE32, arrow.DATE64:
		return KindTimestamp
	case arrow.NULL:
		return kindNull
	}
	return ""
}

func isStringType(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return true
	}
	return false
}

// fits reports whether a column of kind have satisfies a declared type want.
// Integers are accepted as floats and strings as timestamps (each value is
// then parsed as RFC 3339).
func fits(want, have Kind) bool {
	switch {
	case have == kindNull || want == have:
		return true
	case want == KindFloat:
		return have == KindInt
	case want == KindTimestamp:
		return have == KindString
	}
	return false
}

// typeName is the Arrow type as shown in messages.
func typeName(dt arrow.DataType) string { return dt.String() }

// tickTime converts v ticks of unit since the epoch to a UTC time without
// overflowing for far-away dates.
func tickTime(v int64, u arrow.TimeUnit) time.Time {
	switch u {
	case arrow.Second:
		return time.Unix(v, 0).UTC()
	case arrow.Millisecond:
		return time.UnixMilli(v).UTC()
	case arrow.Microsecond:
		return time.UnixMicro(v).UTC()
	}
	return time.Unix(0, v).UTC()
}

// parseTime parses an RFC 3339 timestamp (fractional seconds allowed).
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
