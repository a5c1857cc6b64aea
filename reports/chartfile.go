package reports

import (
	"strings"

	"github.com/replaygate/replaygate/checks"
)

// ChartFile is the file name of a plot's PNG: its name with every character
// outside [A-Za-z0-9._-] replaced by '_', plus ".png". "reliability[overall]"
// becomes "reliability_overall_.png". The HTML report, the Markdown image
// links and --png-dir all use it.
func ChartFile(p checks.Plot) string {
	var b strings.Builder
	for _, r := range p.Name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		b.WriteString(p.Kind)
	}
	return b.String() + ".png"
}
