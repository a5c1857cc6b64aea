package reports

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/replaygate/replaygate/errs"
)

func TestFormats(t *testing.T) {
	if got, want := Formats(), []string{"terminal", "json", "junit", "markdown", "html"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Formats() = %v, want %v", got, want)
	}
	Formats()[0] = "changed"
	if Formats()[0] != "terminal" {
		t.Errorf("Formats() shares its slice with the registry")
	}
}

func TestFileName(t *testing.T) {
	for format, want := range map[string]string{"json": "result.json", "junit": "junit.xml", "markdown": "summary.md", "html": "report.html", "terminal": "", "xml": ""} {
		if got := FileName(format); got != want {
			t.Errorf("FileName(%q) = %q, want %q", format, got, want)
		}
	}
}

func TestRender(t *testing.T) {
	r := sampleResult()
	for _, tt := range []struct {
		format string
		direct func(*bytes.Buffer) error
	}{
		{"terminal", func(b *bytes.Buffer) error { return Terminal(b, r, Options{Width: 80}) }},
		{"json", func(b *bytes.Buffer) error { return WriteJSON(b, r) }},
		{"junit", func(b *bytes.Buffer) error { return JUnit(b, r, Options{Width: 80}) }},
		{"markdown", func(b *bytes.Buffer) error { return Markdown(b, r, Options{Width: 80}) }},
		{"html", func(b *bytes.Buffer) error { return HTML(b, r, Options{Width: 80}) }},
	} {
		var got, want bytes.Buffer
		if err := Render(tt.format, &got, r, Options{Width: 80}); err != nil {
			t.Fatal(err)
		}
		if err := tt.direct(&want); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("Render(%q) differs from calling the renderer", tt.format)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	err := Render("xml", &bytes.Buffer{}, sampleResult(), Options{})
	if err == nil || errs.Code(err) != errs.CodeInput {
		t.Fatalf("Render(xml) = %v (exit code %d), want an input error", err, errs.Code(err))
	}
	if want := `unknown report format "xml"; known formats: terminal, json, junit, markdown, html`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	for _, f := range Formats() {
		var b bytes.Buffer
		if err := Render(f, &b, nil, Options{}); err == nil || !strings.Contains(err.Error(), "no result") || b.Len() != 0 {
			t.Errorf("Render(%q, nil result) = %v", f, err)
		}
	}
}
