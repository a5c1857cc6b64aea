package execmodel

import (
	"bufio"
	"math"
	"strings"
	"testing"
)

func TestDecodeLine(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		line  string
		id    string
		score float64
		class string
		bad   bool // not tied to a row
	}{
		{`{"id":"7","score":0.25}`, "7", 0.25, "", false},
		{`{"id":7,"score":-1e-3}`, "7", -0.001, "", false},
		{`{"score":1,"id":"x y"}`, "x y", 1, "", false},
		{`{"id":"7","score":0.1,"extra":[1,2]}`, "7", 0.1, "", false},
		{`{"id":"7","error":"bad input"}`, "7", nan, "model_error", false},
		{`{"id":"7","error":{"code":3}}`, "7", nan, "model_error", false},
		{`{"id":"7","score":null}`, "7", nan, "non_finite", false},
		{`{"id":"7","score":NaN}`, "7", nan, "non_finite", false},
		{`{"id":"7","score":-Infinity}`, "7", math.Inf(-1), "non_finite", false},
		{`{"id":"7","score":"Infinity"}`, "7", math.Inf(1), "non_finite", false},
		{`{"id":"7","score":1e999}`, "7", math.Inf(1), "non_finite", false},
		{`{"id":"7","score":1e-999}`, "7", 0, "", false},
		{`{"id":"7","score":"0.5"}`, "7", nan, "decode", false},
		{`{"id":"7"}`, "7", nan, "decode", false},
		{`{"id":"NaN","score":2}`, "NaN", 2, "", false},
		{`{"id":null,"score":2}`, "", 0, "", true},
		{`{"id":true,"score":2}`, "", 0, "", true},
		{`{"score":2}`, "", 0, "", true},
		{`[1,2]`, "", 0, "", true},
		{`"id"`, "", 0, "", true},
		{`not json`, "", 0, "", true},
		{`{"id":"7","score":0.5`, "", 0, "", true},
		{string(tooLong), "", 0, "", true},
	}
	for _, c := range cases {
		r, err := decodeLine([]byte(c.line))
		if c.bad {
			if err == nil {
				t.Fatalf("%s: decoded %+v, want an error", c.line, r)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.line, err)
		}
		same := r.score == c.score || math.IsNaN(r.score) && math.IsNaN(c.score)
		if r.id != c.id || !same || r.class != c.class || (r.class != "") != (r.msg != "") {
			t.Fatalf("%s: %+v, want id %q score %v class %q", c.line, r, c.id, c.score, c.class)
		}
	}
}

func TestReadLine(t *testing.T) {
	long := strings.Repeat("x", maxLine+10)
	r := bufio.NewReaderSize(strings.NewReader("a\r\n\n"+long+"\nb\nlast"), 16)
	var got []string
	for {
		line, err := readLine(r)
		if line != nil {
			got = append(got, string(line))
		}
		if err != nil {
			break
		}
	}
	want := []string{"a", "", string(tooLong), "b", "last"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("lines %q, want %q", got, want)
	}
}

func TestRing(t *testing.T) {
	var r ring
	for i := range 100 {
		r.Write([]byte(strings.Repeat("=", i%3) + "line\n"))
	}
	r.Write([]byte("partial"))
	if n := len(r.lines); n != tailLines {
		t.Fatalf("%d lines kept, want %d", n, tailLines)
	}
	if got := r.tail(2); len(got) != 2 || got[1] != "partial" || got[0] != "line" {
		t.Fatalf("tail %q", got)
	}
	var big ring
	for range 20 {
		big.Write([]byte(strings.Repeat("y", 1000) + "\n"))
	}
	big.Write([]byte(strings.Repeat("z", 3*tailBytes) + "\n"))
	if big.size > tailBytes || len(big.lines) != 1 || len(big.lines[0]) != tailBytes {
		t.Fatalf("ring of %d bytes, %d lines", big.size, len(big.lines))
	}
}

// FuzzDecodeLine: any line decodes to a row outcome or an error, never a
// panic; a row outcome with a class has a message, one without a class
// has a finite score.
func FuzzDecodeLine(f *testing.F) {
	for _, s := range []string{
		`{"id":"7","score":0.25}`, `{"id":7,"error":"x"}`, `{"id":"1","score":NaN}`,
		`{"id":"a\"NaN","score":-Infinity}`, `[1]`, `garbage`, `{"id":"7","score":1e999}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := decodeLine(line)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if r.class == "" && (r.msg != "" || math.IsNaN(r.score) || math.IsInf(r.score, 0)) {
			t.Fatalf("%q: %+v", line, r)
		}
		if r.class != "" && r.msg == "" {
			t.Fatalf("%q: class %s without a message", line, r.class)
		}
	})
}
