package skew

import (
	"math"

	"github.com/replaygate/replaygate/stats"
)

var (
	nanValue = math.NaN()
	posInf   = math.Inf(1)
	negInf   = math.Inf(-1)
)

func addN(h *stats.Histogram, x float64, n int64) {
	for ; n > 0; n-- {
		h.Add(x)
	}
}

func finite(x float64) bool { return x-x == 0 }
