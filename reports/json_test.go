package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

func encode(t *testing.T, r *checks.Result) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// writeFile writes data to a file in a fresh temporary folder.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWriteJSONGolden(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			got := encode(t, v.make())
			golden(t, v.name+".json.golden", got)
			if !bytes.HasSuffix(got, []byte("}\n")) {
				t.Errorf("result.json does not end with a newline")
			}
			if !bytes.Equal(got, encode(t, v.make())) {
				t.Errorf("two encodings of the same result differ")
			}
		})
	}
}

func TestWriteJSONLayout(t *testing.T) {
	got := string(encode(t, sampleResult()))
	// Limits are written as they read, not HTML-escaped.
	if !strings.Contains(got, `"limit": "<= 120"`) {
		t.Errorf("limit not written verbatim:\n%s", got)
	}
	// Keys in schema order, map keys sorted.
	order := []string{"schema_version", "tool", "verdict", "spec", "command", "inputs", "models", "replay", "checks", "plots", "warnings"}
	last := -1
	for _, k := range order {
		i := strings.Index(got, "\n  \""+k+"\": ")
		if i <= last {
			t.Fatalf("key %s out of order", k)
		}
		last = i
	}
	if strings.Index(got, `"http_503"`) > strings.Index(got, `"timeout": 40`) {
		t.Errorf("error_classes keys not sorted")
	}

	// Nil lists are written as empty lists, a zero schema version as the
	// current one.
	empty := string(encode(t, &checks.Result{Verdict: checks.Fail}))
	for _, want := range []string{`"schema_version": 1,`, `"inputs": [],`, `"models": [],`, `"checks": []`} {
		if !strings.Contains(empty, want) {
			t.Errorf("empty result lacks %s:\n%s", want, empty)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			want := v.make()
			path := writeFile(t, "result.json", encode(t, want))
			got, err := ReadJSON(path)
			if err != nil {
				t.Fatal(err)
			}
			// Plot data comes back as generic JSON values, whatever type
			// the check gave it.
			for i := range want.Plots {
				raw, err := json.Marshal(want.Plots[i].Data)
				if err != nil {
					t.Fatal(err)
				}
				var generic any
				if err := json.Unmarshal(raw, &generic); err != nil {
					t.Fatal(err)
				}
				want.Plots[i].Data = generic
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip changed the result:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestWriteJSONRefusesNonFinite(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(r *checks.Result)
		want  string
	}{
		{"value NaN", func(r *checks.Result) { r.Checks[1].Value = checks.F(math.NaN()) },
			"checks[1].value (contract age.max) is NaN"},
		{"baseline +Inf", func(r *checks.Result) { r.Checks[8].Baseline = checks.F(math.Inf(1)) },
			"checks[8].baseline (segments auc[country=DE]) is +Inf"},
		{"ci -Inf", func(r *checks.Result) { r.Checks[8].CI[1] = math.Inf(-1) },
			"checks[8].ci[1] (segments auc[country=DE]) is -Inf"},
		{"replay duration", func(r *checks.Result) { r.Replay.DurationS = math.NaN() },
			"replay.duration_s is NaN"},
		{"plot data", func(r *checks.Result) {
			r.Plots[0].Data = map[string]any{"x": []float64{1, 2}, "y": []float64{0.5, math.Inf(1)}}
		}, "plots[0].data.y[1] is +Inf"},
		{"plot struct", func(r *checks.Result) {
			r.Plots[0].Data = struct {
				Bins []float64 `json:"bins"`
			}{[]float64{math.NaN()}}
		}, "plots[0].data.bins[0] is NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleResult()
			tt.spoil(r)
			var b bytes.Buffer
			err := WriteJSON(&b, r)
			if err == nil {
				t.Fatal("WriteJSON accepted a non-finite number")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if errs.Code(err) != errs.CodeRun {
				t.Errorf("exit code %d, want %d", errs.Code(err), errs.CodeRun)
			}
			if b.Len() != 0 {
				t.Errorf("%d bytes written despite the error", b.Len())
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	for _, f := range Formats() {
		err := Render(f, failingWriter{}, sampleResult(), Options{})
		if err == nil || !strings.Contains(err.Error(), "disk full") || errs.Code(err) != errs.CodeRun {
			t.Errorf("%s: error %v (code %d), want the write error with exit code %d", f, err, errs.Code(err), errs.CodeRun)
		}
	}
	if err := WriteJSON(&bytes.Buffer{}, &checks.Result{SchemaVersion: 7}); err == nil {
		t.Errorf("WriteJSON wrote a schema_version it does not know")
	}
}

func TestReadJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string // after "<path>"
		hint string // part of the hint, if any
	}{
		{"empty file", "", ":1:1: invalid JSON: unexpected end of JSON input", "replaygate"},
		{"truncated", `{"schema_version": 1, "checks": [`, ":1:34: invalid JSON: unexpected end of JSON input", ""},
		{"bracket mismatch", "{\"schema_version\": 1,\n  \"verdict\": \"pass\",\n  \"checks\": [}", ":3:14: invalid JSON: invalid character '}' looking for beginning of value", ""},
		{"trailing comma", `{"schema_version": 1,}`, ":1:22: invalid JSON: invalid character '}' looking for beginning of object key string", ""},
		{"trailing garbage", "{\"schema_version\": 1}\nx", ":2:1: invalid JSON: invalid character 'x' after top-level value", ""},
		{"parquet file", "PAR1\x15\x00\x15", ":1:1: invalid JSON: invalid character 'P' looking for beginning of value", ""},
		{"column after wide text", "{\"spec\": \"東京\", x}", ":1:16: invalid JSON: invalid character 'x' looking for beginning of object key string", ""},
		{"array", `[1, 2]`, ":1:1: expected a JSON object, found array", ""},
		{"no version", `{"verdict": "pass"}`, ": no schema_version: not a replaygate result", "replaygate"},
		{"null version", `{"schema_version": null}`, ": no schema_version", ""},
		{"string version", `{"schema_version": "one"}`, `: schema_version "one" is not a version number`, ""},
		{"newer version", `{"schema_version": 2, "verdict": {"new": "layout"}}`, ": schema_version 2 is newer than this replaygate understands (1)", "upgrade replaygate"},
		{"zero version", `{"schema_version": 0}`, ": unknown schema_version 0 (this replaygate reads 1)", ""},
		{"wrong type", "{\"schema_version\": 1,\n\"checks\": [{\"check\": \"x\", \"rows\": \"many\"}]}", `:2:35: checks.rows: expected an integer, found string`, ""},
		{"fraction for integer", "{\"schema_version\": 1, \"replay\": {\"rows\": 1.5}}", `:1:42: replay.rows: expected an integer, found number 1.5`, ""},
		{"string with escapes for integer", `{"schema_version": 1, "replay": {"rows": "a\"b\\"}}`, `:1:42: replay.rows: expected an integer, found string`, ""},
		{"object for list", `{"schema_version": 1, "checks": {"a": 1}}`, `:1:33: checks: expected an array, found object`, ""},
		{"out of range", `{"schema_version": 1, "checks": [{"value": 1e999}]}`, `:1:44: checks.value: number 1e999 is out of range`, ""},
		{"unknown verdict", `{"schema_version": 1, "verdict": "great"}`, `: verdict: unknown status "great"`, "pass, warn, fail, skip, error"},
		{"unknown status", `{"schema_version": 1, "verdict": "pass", "checks": [{"check": "c", "name": "n", "status": "ok"}]}`, `: checks[0] (c n): unknown status "ok"`, ""},
		{"escape in status", "{\"schema_version\": 1, \"verdict\": \"\\u001b[31m\"}", `: verdict: unknown status "\\x1b[31m"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "result.json", []byte(tt.data))
			r, err := ReadJSON(path)
			if err == nil {
				t.Fatalf("ReadJSON accepted %q: %+v", tt.data, r)
			}
			if errs.Code(err) != errs.CodeInput {
				t.Errorf("exit code %d, want %d", errs.Code(err), errs.CodeInput)
			}
			if want := path + tt.want; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error\n  %s\nwant it to start with\n  %s", err, want)
			}
			if !strings.Contains(errs.HintOf(err), tt.hint) {
				t.Errorf("hint %q does not mention %q", errs.HintOf(err), tt.hint)
			}
		})
	}
}

func TestReadJSONUnreadable(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{filepath.Join(dir, "missing.json"), dir} {
		_, err := ReadJSON(path)
		if err == nil || errs.Code(err) != errs.CodeInput || !strings.HasPrefix(err.Error(), path+": cannot read result: ") {
			t.Errorf("ReadJSON(%s) = %v (exit code %d), want an input error naming the file", path, err, errs.Code(err))
		}
	}
}

// A result written by a newer build of the same schema may carry keys this
// build does not know: they are ignored.
func TestReadJSONIgnoresUnknownKeys(t *testing.T) {
	path := writeFile(t, "result.json", []byte(`{"schema_version": 1, "verdict": "warn", "shards": 4, "checks": [{"check": "c", "name": "n", "status": "warn", "rows": 3, "p_value": 0.2}]}`))
	r, err := ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	want := &checks.Result{SchemaVersion: 1, Verdict: checks.Warn, Checks: []checks.Outcome{{Check: "c", Name: "n", Status: checks.Warn, Rows: 3}}}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got %+v, want %+v", r, want)
	}
}

func TestPosition(t *testing.T) {
	data := []byte("ab\ncdé\nf")
	tests := []struct{ off, line, col int }{
		{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {7, 2, 4}, {8, 3, 1}, {9, 3, 2}, {99, 3, 2},
	}
	for _, tt := range tests {
		if line, col := position(data, tt.off); line != tt.line || col != tt.col {
			t.Errorf("position(%d) = %d:%d, want %d:%d", tt.off, line, col, tt.line, tt.col)
		}
	}
}

func FuzzReadJSON(f *testing.F) {
	f.Add([]byte(`{"schema_version": 1, "verdict": "pass", "checks": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeJSON("fuzz.json", data)
		if err != nil {
			if errs.Code(err) != errs.CodeInput {
				t.Fatalf("error %v has exit code %d, want %d", err, errs.Code(err), errs.CodeInput)
			}
			if strings.ContainsRune(err.Error(), 0x1b) {
				t.Fatalf("error message carries an escape byte: %q", err)
			}
			return
		}
		// Whatever reads back renders, without escape bytes when colour
		// is off, and writes back to the same bytes.
		for _, opts := range []Options{{}, {Verbose: true}, {Width: 1}} {
			var b bytes.Buffer
			if err := Terminal(&b, r, opts); err != nil {
				t.Fatal(err)
			}
			if bytes.IndexByte(b.Bytes(), 0x1b) >= 0 {
				t.Fatalf("escape byte in the terminal report:\n%q", b.String())
			}
		}
		var once bytes.Buffer
		if err := WriteJSON(&once, r); err != nil {
			t.Fatal(err)
		}
		again, err := decodeJSON("again.json", once.Bytes())
		if err != nil {
			t.Fatalf("written result does not read back: %v\n%s", err, once.String())
		}
		var twice bytes.Buffer
		if err := WriteJSON(&twice, again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatalf("write, read, write is not stable:\n%s\n---\n%s", once.String(), twice.String())
		}
	})
}
