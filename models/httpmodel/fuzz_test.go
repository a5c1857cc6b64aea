package httpmodel

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary response bodies to every protocol's decoder:
// it must never panic, and a decoded response has one score per row with
// a class on every row that is not a finite number.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"outputs":[{"name":"p","shape":[2,1],"data":[0.1,0.2]}]}`), uint8(2))
	f.Add([]byte(`{"predictions":[[NaN],[Infinity],{"score":-Infinity}]}`), uint8(3))
	f.Add([]byte(`{"results":[{"score":0.5}]}`), uint8(1))
	f.Add([]byte(`[0.5, "NaN", null]`), uint8(3))
	f.Add([]byte(`{"error":"boom"}`), uint8(1))
	var ms []*Model
	for _, o := range []Options{
		{Protocol: KServeV2},
		{Protocol: TFServing},
		{Protocol: MLflow, OutputName: "score"},
		{Protocol: JSON, Batch: 2, ScorePath: "results.*.score"},
		{Protocol: JSON, ScorePath: "0.score"},
	} {
		o.URL, o.Features = "http://127.0.0.1:1/x", []string{"x"}
		m, err := New(o)
		if err != nil {
			f.Fatal(err)
		}
		ms = append(ms, m)
	}
	f.Fuzz(func(t *testing.T, body []byte, rows uint8) {
		if fast, ok := parseFast(body); ok {
			std, err := parseStd(body)
			if err != nil || !reflect.DeepEqual(fast, std) {
				t.Fatalf("fast parse %#v, encoding/json %#v (%v)", fast, std, err)
			}
		}
		n := int(rows%8) + 1
		for _, m := range ms {
			scores, rerr, fl := m.decode(body, n)
			if fl != nil {
				if fl.class != "decode" && fl.class != "shape" || fl.msg == "" {
					t.Fatalf("%s: failure %+v", m.o.Protocol, fl)
				}
				continue
			}
			if len(scores) != n || rerr != nil && len(rerr) != n {
				t.Fatalf("%s: %d scores, %d errors for %d rows", m.o.Protocol, len(scores), len(rerr), n)
			}
			for i, s := range scores {
				bad := math.IsNaN(s) || math.IsInf(s, 0)
				if bad && (rerr == nil || rerr[i] == nil) {
					t.Fatalf("%s: row %d scored %v without a class", m.o.Protocol, i, s)
				}
			}
		}
	})
}

// TestParseFast: the fast reader gives encoding/json's value for plain
// JSON and declines everything else.
func TestParseFast(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{`{"predictions":[0.5,[1e-3,-2E+5],{"score":0}]}`, true},
		{` {"outputs":[{"name":"o","shape":[1,1],"data":[0.5]}], "id":"1"} `, true},
		{`[true,false,null,"é",[],{}]`, true},
		{`{"a":1,"a":2}`, true},
		{`0.5`, true},
		{`"a\"b"`, false},
		{`[NaN]`, false},
		{`[01]`, false},
		{`[1.]`, false},
		{`[.5]`, false},
		{`[-]`, false},
		{`[1e]`, false},
		{`{"a":1,}`, false},
		{`[1,]`, false},
		{`{"a" 1}`, false},
		{`[1] [2]`, false},
		{"\"\xff\"", false},
		{"\"a\tb\"", false},
		{``, false},
		{strings.Repeat("[", 100) + strings.Repeat("]", 100), false},
	} {
		fast, ok := parseFast([]byte(c.in))
		if ok != c.ok {
			t.Errorf("%q: fast read %v, want %v", c.in, ok, c.ok)
			continue
		}
		if ok {
			std, err := parseStd([]byte(c.in))
			if err != nil || !reflect.DeepEqual(fast, std) {
				t.Errorf("%q: fast %#v, encoding/json %#v (%v)", c.in, fast, std, err)
			}
		}
	}
}
