package checkstest

import (
	"encoding/json"
	"testing"

	"github.com/replaygate/replaygate/checks"
)

// MaxPlotJSON is the most bytes of JSON one plot may take in result.json.
const MaxPlotJSON = 20_000

// DecodeBack writes p as result.json does, reads it back and decodes its
// data into T, as a renderer of a saved result does. A plot over
// MaxPlotJSON bytes is an error of the test.
func DecodeBack[T any](t testing.TB, p checks.Plot) T {
	t.Helper()
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) > MaxPlotJSON {
		t.Errorf("%s: %d bytes of JSON", p.Name, len(raw))
	}
	var back checks.Plot
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	d, err := checks.DecodePlot[T](back)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
