package stats

import (
	"fmt"
	"math"
)

// Special functions behind the p-values and critical values: the
// regularized incomplete gamma function (chi-square), the normal quantile
// (Bonferroni bound of L∞), and the Kolmogorov–Smirnov distributions in
// kolmogorov.go.

// regGammaP returns the regularized lower incomplete gamma function
// P(a, x) = γ(a, x)/Γ(a), and regGammaQ its complement Q = 1 − P, each
// computed directly (series for x < a+1, Lentz's continued fraction
// otherwise) so that neither loses digits to cancellation. scipy's
// gammainc and gammaincc.
func regGammaP(a, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case math.IsInf(x, 1):
		return 1
	case x < a+1:
		return gammaSeries(a, x)
	default:
		return 1 - gammaCF(a, x)
	}
}

func regGammaQ(a, x float64) float64 {
	switch {
	case x <= 0:
		return 1
	case math.IsInf(x, 1):
		return 0
	case x < a+1:
		return 1 - gammaSeries(a, x)
	default:
		return gammaCF(a, x)
	}
}

// gammaPrefix returns x^a e^−x / Γ(a). For a ≥ 10 it uses Stirling's
// form sqrt(a/2π)·exp(a·(ln(1+δ) − δ))/Γ*(a), δ = (x−a)/a, which avoids the
// cancellation between a·ln x, x and ln Γ(a) (each about a·ln a) that
// costs digits for many degrees of freedom.
func gammaPrefix(a, x float64) float64 {
	if a < 10 {
		lg, _ := math.Lgamma(a)
		return math.Exp(a*math.Log(x) - x - lg)
	}
	d := (x - a) / a
	return math.Sqrt(a/(2*math.Pi)) * math.Exp(a*(math.Log1p(d)-d)-lnGammaStar(a))
}

// lnGammaStar is ln Γ(a) − ((a−½)·ln a − a + ½·ln 2π), Stirling's series
// Σ B_2k / (2k(2k−1)·a^(2k−1)), accurate to rounding for a ≥ 10.
func lnGammaStar(a float64) float64 {
	r := 1 / a
	r2 := r * r
	return r * (1.0/12 - r2*(1.0/360-r2*(1.0/1260-r2*(1.0/1680-r2*(1.0/1188-r2*(691.0/360360))))))
}

// gammaSeries is P(a, x) = x^a e^−x / Γ(a+1) · Σ_k x^k / ((a+1)…(a+k)).
func gammaSeries(a, x float64) float64 {
	term := 1 / a
	sum := term
	for k := 1; k < 100000; k++ {
		term *= x / (a + float64(k))
		sum += term
		if math.Abs(term) < math.Abs(sum)*1e-17 {
			break
		}
	}
	return sum * gammaPrefix(a, x)
}

// gammaCF is Q(a, x) by the continued fraction
// Q = x^a e^−x / Γ(a) · 1/(x+1−a− 1·(1−a)/(x+3−a− 2·(2−a)/(x+5−a− …))),
// evaluated with the modified Lentz method.
func gammaCF(a, x float64) float64 {
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i < 100000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return h * gammaPrefix(a, x)
}

// ChiSquareSF returns the survival function of the chi-square distribution
// with dof degrees of freedom at x, Pr(X ≥ x) = Q(dof/2, x/2):
// scipy.stats.chi2.sf(x, dof). It is 1 for x ≤ 0 and, by scipy's
// convention for dof = 0 (a point mass at 0), 0 for x > 0.
func ChiSquareSF(x float64, dof int) float64 {
	if dof <= 0 {
		if x > 0 {
			return 0
		}
		return 1
	}
	if math.IsNaN(x) {
		return math.NaN()
	}
	return regGammaQ(float64(dof)/2, x/2)
}

// chiSquareCDF is 1 − ChiSquareSF, computed without cancellation.
func chiSquareCDF(x float64, dof int) float64 {
	if x <= 0 {
		return 0
	}
	return regGammaP(float64(dof)/2, x/2)
}

// ChiSquareQuantile returns the p-quantile of the chi-square distribution
// with dof degrees of freedom, the x with Pr(X ≤ x) = p:
// scipy.stats.chi2.ppf(p, dof). It brackets the root and refines it by
// Newton steps, falling back to bisection, to a relative 1e-15. p must be in
// (0, 1) and dof ≥ 1 (ErrArgument otherwise).
func ChiSquareQuantile(p float64, dof int) (float64, error) {
	if !(p > 0 && p < 1) || dof < 1 {
		return 0, fmt.Errorf("%w: chi-square quantile needs 0 < p < 1 and dof ≥ 1, got p=%v, dof=%d", ErrArgument, p, dof)
	}
	k := float64(dof)
	// Wilson–Hilferty start.
	z := normalQuantile(p)
	t := 2 / (9 * k)
	x := k * math.Pow(1-t+z*math.Sqrt(t), 3)
	if !(x > 0) {
		x = 1e-3
	}
	// Bracket [lo, hi] with cdf(lo) < p < cdf(hi); work with whichever
	// tail is smaller for precision.
	upper := p > 0.5
	q := 1 - p
	f := func(x float64) float64 { // increasing in x, zero at the root
		if upper {
			return q - ChiSquareSF(x, dof)
		}
		return chiSquareCDF(x, dof) - p
	}
	lo, hi := 0.0, x
	for f(hi) < 0 {
		lo = hi
		hi *= 2
	}
	if lo == 0 {
		lo = hi / 2
		for f(lo) > 0 && lo > 1e-300 {
			hi = lo
			lo /= 2
		}
	}
	x = math.Min(math.Max(x, lo), hi)
	a := k / 2
	lg, _ := math.Lgamma(a)
	for range 200 {
		fx := f(x)
		if fx == 0 {
			return x, nil
		}
		if fx < 0 {
			lo = x
		} else {
			hi = x
		}
		// density of chi-square(k) at x
		pdf := math.Exp((a-1)*math.Log(x/2) - x/2 - lg - math.Ln2)
		nx := x - fx/pdf
		if !(nx > lo && nx < hi) || pdf == 0 {
			nx = (lo + hi) / 2
		}
		if math.Abs(nx-x) <= 1e-15*x || hi-lo <= 1e-15*hi {
			return nx, nil
		}
		x = nx
	}
	return x, nil
}

// normalQuantile returns the p-quantile of the standard normal
// distribution (scipy.stats.norm.ppf).
func normalQuantile(p float64) float64 {
	return -math.Sqrt2 * math.Erfcinv(2*p)
}
