package contract

import (
	"fmt"
	"io"
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/replaygate/replaygate/spec"
)

// benchBatch is a scored batch of rows rows: 10 int64, 10 float64 (1% NaN),
// 5 utf8 with values rules, 4 bool and 1 timestamp feature, plus the
// candidate's score and error columns and a string id.
func benchBatch(rows int) (arrow.RecordBatch, *spec.Contract) {
	cfg := &spec.Contract{
		Features:  map[string]spec.FeatureRule{},
		Output:    &spec.OutputRule{Min: fp(0), Max: fp(1)},
		Freshness: &spec.Freshness{Column: "f29", MaxAge: spec.Duration{Duration: 24 * time.Hour}},
	}
	var fields []arrow.Field
	var cols []arrow.Array
	add := func(name string, a arrow.Array) {
		fields = append(fields, arrow.Field{Name: name, Type: a.DataType(), Nullable: true})
		cols = append(cols, a)
	}
	cats := []string{"US", "DE", "FR", "BR", "IN", "JP", "GB", "XX"}
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for c := 0; c < 30; c++ {
		name := fmt.Sprintf("f%02d", c)
		switch {
		case c < 10:
			b := array.NewInt64Builder(mem)
			for i := 0; i < rows; i++ {
				if i%97 == 0 {
					b.AppendNull()
				} else {
					b.Append(int64((i * (c + 7)) % 130))
				}
			}
			add(name, b.NewArray())
			cfg.Features[name] = spec.FeatureRule{Type: "int", Min: fp(0), Max: fp(120), MaxNullRate: fp(0.02)}
		case c < 20:
			b := array.NewFloat64Builder(mem)
			for i := 0; i < rows; i++ {
				if i%101 == 0 {
					b.Append(math.NaN())
				} else {
					b.Append(float64(i%1000) * 1.25)
				}
			}
			add(name, b.NewArray())
			cfg.Features[name] = spec.FeatureRule{Type: "float", Min: fp(0), Max: fp(1200), MaxNullRate: fp(0.02)}
		case c < 25:
			b := array.NewStringBuilder(mem)
			for i := 0; i < rows; i++ {
				b.Append(cats[(i*(c+1))%len(cats)])
			}
			add(name, b.NewArray())
			cfg.Features[name] = spec.FeatureRule{Type: "string", Values: cats[:7], MaxUnseenRate: fp(0.2)}
		case c < 29:
			b := array.NewBooleanBuilder(mem)
			for i := 0; i < rows; i++ {
				b.Append(i%3 == 0)
			}
			add(name, b.NewArray())
			cfg.Features[name] = spec.FeatureRule{Type: "bool", MaxNullRate: fp(0)}
		default:
			b := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"})
			for i := 0; i < rows; i++ {
				b.Append(arrow.Timestamp(t0 + int64(i)))
			}
			add(name, b.NewArray())
			cfg.Features[name] = spec.FeatureRule{Type: "timestamp", MaxNullRate: fp(0)}
		}
	}
	sb := array.NewFloat64Builder(mem)
	eb := array.NewStringBuilder(mem)
	ib := array.NewStringBuilder(mem)
	for i := 0; i < rows; i++ {
		sb.Append(float64(i%1000) / 999)
		if i%500 == 0 {
			eb.Append("timeout")
		} else {
			eb.AppendNull()
		}
		ib.Append(fmt.Sprintf("req-%08d", i))
	}
	add("candidate_score", sb.NewArray())
	add("candidate_error", eb.NewArray())
	add("request_id", ib.NewArray())
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(rows)), cfg
}

// BenchmarkObserve measures Observe on 30 feature columns × 64k rows.
func BenchmarkObserve(b *testing.B) {
	const rows = 1 << 16
	rec, cfg := benchBatch(rows)
	c, err := New(cfg, Options{IDColumn: "request_id", Now: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.Observe(rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	if len(c.Result()) == 0 {
		b.Fatal("no outcomes")
	}
}

// repeatSource yields the same batch n times.
type repeatSource struct {
	b arrow.RecordBatch
	n int
}

func (s *repeatSource) Next() (arrow.RecordBatch, error) {
	if s.n == 0 {
		return nil, io.EOF
	}
	s.n--
	s.b.Retain()
	return s.b, nil
}

// BenchmarkProfileOf measures the profile behind `init` on the same batch.
func BenchmarkProfileOf(b *testing.B) {
	const rows = 1 << 16
	rec, _ := benchBatch(rows)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ProfileOf(&repeatSource{b: rec, n: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
