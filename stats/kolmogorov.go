package stats

import (
	"math"
)

// The null distributions of the Kolmogorov–Smirnov statistics, following
// the algorithms scipy 1.10 uses so that p-values agree with
// scipy.stats.ks_2samp(a, b) (alternative='two-sided', method='auto'):
//
//   - exact, when max(n, m) ≤ 10 000: the lattice-path counts of Hodges
//     (1958), in Viehmann's (2021) form for n ≠ m and the closed alternating
//     sum for n = m;
//   - otherwise the one-sample distribution kstwo.sf(D, round(nm/(n+m))),
//     which scipy evaluates with Simard & L'Ecuyer's (2011) choice among the
//     Ruben–Gambino closed forms, Durbin's matrix (Marsaglia, Tsang & Wang
//     2003), Pomeranz's recursion, the Pelz–Good expansion and the exact
//     one-sided Smirnov (Birnbaum–Tingey) sum.

const ksMaxExactN = 10000 // scipy's MAX_AUTO_N

// ksTwoSamplePValue returns scipy's two-sided ks_2samp p-value for the
// statistic d of samples of sizes n and m, the statistic as scipy reports
// it (the exact method rounds it to a multiple of 1/lcm(n, m)), and the
// method used: "exact" or "asymp".
//
// One shortcut: for n ≠ m the exact recursion takes O(n·m·d) steps, half a
// second at n ≈ m ≈ 10 000 and large d, where the p-value is vanishingly
// small. When Massart's form of the Dvoretzky–Kiefer–Wolfowitz inequality
// bounds it below 1e-12 (ksTinyBound), the recursion is skipped and the
// smaller of that bound and the asymptotic value is reported with method
// "asymp": within 1e-12 of scipy's exact value, and conservative.
func ksTwoSamplePValue(d float64, n, m int64) (p, dOut float64, method string) {
	a, b := float64(max(n, m)), float64(min(n, m))
	en := math.RoundToEven(a * b / (a + b))
	if max(n, m) <= ksMaxExactN {
		bound := ksTinyBound(d, n, m)
		if n == m || bound >= 1e-12 {
			if p, dd, ok := ksExact(d, n, m); ok {
				return p, dd, "exact"
			}
		} else {
			return math.Min(bound, clip01(kolmogorovSF(int64(en), d))), d, "asymp"
		}
	}
	return clip01(kolmogorovSF(int64(en), d)), d, "asymp"
}

// ksTinyBound is a rigorous upper bound on Pr(D_{n,m} ≥ d) under the null
// hypothesis: D_{n,m} ≤ D_n + D_m (both against the common continuous CDF,
// whose null distribution the exact method computes), and Massart's
// inequality Pr(D_k ≥ t) ≤ 2·exp(−2k·t²) applied with d split in
// proportion to √m : √n gives 4·exp(−2d²·nm/(√n+√m)²).
func ksTinyBound(d float64, n, m int64) float64 {
	fn, fm := float64(n), float64(m)
	s := math.Sqrt(fn) + math.Sqrt(fm)
	return 4 * math.Exp(-2*d*d*fn*fm/(s*s))
}

func clip01(p float64) float64 { return math.Min(1, math.Max(0, p)) }

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// ksExact is scipy's _attempt_exact_2kssamp for the two-sided alternative.
func ksExact(d float64, n, m int64) (p, dOut float64, ok bool) {
	g := gcd(n, m)
	lcm := (n / g) * m
	h := int64(math.RoundToEven(d * float64(lcm)))
	dOut = float64(h) / float64(lcm)
	if h == 0 {
		return 1, dOut, true
	}
	if n == m {
		p = probOutsideSquare(n, h)
	} else {
		p = outerProbInside(n, m, g, h)
	}
	if !(p >= 0 && p <= 1) {
		return p, dOut, false
	}
	return p, dOut, true
}

// probOutsideSquare is Pr(D_{n,n} ≥ h/n) = 2·Σ_k (−1)^(k+1) C(2n, n−kh)/C(2n, n),
// evaluated as a Horner-like product to avoid cancellation (scipy's
// _compute_prob_outside_square).
func probOutsideSquare(n, h int64) float64 {
	p := 0.0
	for k := n / h; k >= 0; k-- {
		p1 := 1.0
		for j := int64(0); j < h; j++ {
			p1 = float64(n-k*h-j) * p1 / float64(n+k*h+j+1)
		}
		p = p1 * (1 - p)
	}
	return 2 * p
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

// outerProbInside is the proportion of lattice paths from (0,0) to (m,n)
// that leave the band |x/m − y/n| < h/lcm(m,n), computed column by column
// as 1 − (paths inside)/(all paths) with Viehmann's recursion (scipy's
// _compute_outer_prob_inside_method).
func outerProbInside(m, n, g, h int64) float64 {
	if m < n {
		m, n = n, m
	}
	mg, ng := m/g, n/g
	minj, maxj := int64(0), min(ceilDiv(h, mg), n+1)
	curlen := maxj - minj
	lenA := min(2*maxj+2, n+1)
	A := make([]float64, lenA)
	for i := range A {
		A[i] = 1
	}
	for j := minj; j < maxj; j++ {
		A[j] = 0
	}
	for i := int64(1); i <= m; i++ {
		lastminj, lastlen := minj, curlen
		minj = max(floorDiv(ng*i-h, mg)+1, 0)
		minj = min(minj, n)
		maxj = min(ceilDiv(ng*i+h, mg), n+1)
		if maxj <= minj {
			return 1
		}
		val := 1.0
		if minj == 0 {
			val = 0
		}
		fi := float64(i)
		for jj := int64(0); jj < maxj-minj; jj++ {
			j := jj + minj
			val = (A[jj+minj-lastminj]*fi + val*float64(j)) / (fi + float64(j))
			A[jj] = val
		}
		curlen = maxj - minj
		if lastlen > curlen {
			for k := maxj - minj; k < maxj-minj+(lastlen-curlen) && k < lenA; k++ {
				A[k] = 1
			}
		}
	}
	return A[maxj-minj-1]
}

// kolmogorovSF returns Pr(D_n ≥ x) for the two-sided one-sample statistic
// D_n: scipy.stats.kstwo.sf(x, n), i.e. scipy's _kolmogn(n, x, cdf=False).
func kolmogorovSF(n int64, x float64) float64 {
	if n <= 0 || math.IsNaN(x) {
		return math.NaN()
	}
	if x >= 1 {
		return 0
	}
	if x <= 0 {
		return 1
	}
	fn := float64(n)
	t := fn * x
	if t <= 1 { // Ruben–Gambino: 1/2n ≤ x ≤ 1/n
		if t <= 0.5 {
			return 1
		}
		var prob float64
		if n <= 140 {
			prob = 1
			for i := int64(1); i <= n; i++ {
				prob *= float64(i) * (1 / fn) * (2*t - 1)
			}
		} else {
			prob = math.Exp(logFactorialDivPow(fn) + fn*math.Log(2*t-1))
		}
		return clip01(1 - prob)
	}
	if t >= fn-1 { // Ruben–Gambino
		return clip01(2 * math.Pow(1-x, fn))
	}
	if x >= 0.5 { // exact: 2·smirnov
		return clip01(2 * smirnovSF(n, x))
	}
	nxsq := t * x
	if n <= 140 {
		if nxsq <= 0.754693 {
			return clip01(1 - kolmogorovDurbin(n, x))
		}
		if nxsq <= 4 {
			return clip01(1 - kolmogorovPomeranz(n, x))
		}
		return clip01(2 * smirnovSF(n, x))
	}
	if nxsq >= 370 {
		return 0
	}
	if nxsq >= 2.2 {
		return clip01(2 * smirnovSF(n, x))
	}
	var cdf float64
	if n <= 100000 && fn*math.Pow(x, 1.5) <= 1.4 {
		cdf = kolmogorovDurbin(n, x)
	} else {
		cdf = kolmogorovPelzGood(n, x)
	}
	return clip01(1 - cdf)
}

// logFactorialDivPow is log(n!/nⁿ) by Stirling's series.
func logFactorialDivPow(n float64) float64 {
	coeffs := [...]float64{-2.955065359477124183e-2, 6.4102564102564102564e-3,
		-1.9175269175269175269e-3, 8.4175084175084175084e-4,
		-5.952380952380952381e-4, 7.9365079365079365079e-4,
		-2.7777777777777777778e-3, 8.3333333333333333333e-2}
	rn := 1 / n
	y := rn / n
	poly := 0.0
	for _, c := range coeffs {
		poly = poly*y + c
	}
	return math.Log(n)/2 - n + math.Log(2*math.Pi)/2 + rn*poly
}

const (
	exp128   = 128
	scaleUp  = 0x1p128
	scaleDn  = 0x1p-128
	minLogSF = -7.08396418532264106224e2 // cephes MINLOG
)

// kolmogorovDurbin is Pr(D_n ≤ d) by Durbin's matrix method as arranged by
// Marsaglia, Tsang & Wang (2003): the k-th diagonal entry of (n!/nⁿ)·Hⁿ,
// with powers of 2 pulled out to stay in range.
func kolmogorovDurbin(n int64, d float64) float64 {
	if d >= 1 {
		return 1
	}
	nd := float64(n) * d
	if nd <= 0.5 {
		return 0
	}
	k := int(math.Ceil(nd))
	h := float64(k) - nd
	m := 2*k - 1
	H := make([]float64, m*m)
	v := make([]float64, m)
	w := make([]float64, m)
	fac := 1.0
	for j := 1; j <= m; j++ {
		v[j-1] = 1 - math.Pow(h, float64(j))
		w[j-1] = fac
		fac /= float64(j)
		v[j-1] *= fac
	}
	tt := math.Pow(math.Max(2*h-1, 0), float64(m)) - 2*math.Pow(h, float64(m))
	v[m-1] = (1 + tt) * fac
	for i := 1; i < m; i++ {
		for r := i - 1; r < m; r++ {
			H[r*m+i] = w[r-(i-1)]
		}
	}
	for r := 0; r < m; r++ {
		H[r*m] = v[r]
	}
	for c := 0; c < m; c++ {
		H[(m-1)*m+c] = v[m-1-c]
	}
	P := make([]float64, m*m) // identity
	for i := 0; i < m; i++ {
		P[i*m+i] = 1
	}
	tmp := make([]float64, m*m)
	nn := n
	expnt, hexpnt := 0, 0
	for nn > 0 {
		if nn%2 == 1 {
			matMul(tmp, P, H, m)
			P, tmp = tmp, P
			expnt += hexpnt
		}
		matMul(tmp, H, H, m)
		H, tmp = tmp, H
		hexpnt *= 2
		if math.Abs(H[(k-1)*m+(k-1)]) > scaleUp {
			for i := range H {
				H[i] *= scaleDn
			}
			hexpnt += exp128
		}
		nn /= 2
	}
	p := P[(k-1)*m+(k-1)]
	fn := float64(n)
	for i := int64(1); i <= n; i++ {
		p = float64(i) * p / fn
		if math.Abs(p) < scaleDn {
			p *= scaleUp
			expnt -= exp128
		}
	}
	if expnt != 0 {
		p = math.Ldexp(p, expnt)
	}
	return clip01(p)
}

// matMul sets dst = a·b for m×m row-major matrices.
func matMul(dst, a, b []float64, m int) {
	for i := 0; i < m; i++ {
		row := dst[i*m : (i+1)*m]
		clear(row)
		for k := 0; k < m; k++ {
			aik := a[i*m+k]
			if aik == 0 {
				continue
			}
			bk := b[k*m : (k+1)*m]
			for j, bv := range bk {
				row[j] += aik * bv
			}
		}
	}
}

func pomeranzJ1J2(i, n, ll, ceilf, roundf int) (int, int) {
	var j1, j2 int
	if i == 0 {
		j1, j2 = -ll-ceilf-1, ll+ceilf-1
	} else {
		ip1div2, ip1mod2 := (i+1)/2, (i+1)%2
		if ip1mod2 == 0 {
			if ip1div2 == n+1 {
				j1, j2 = n-ll-ceilf-1, n+ll+ceilf-1
			} else {
				j1, j2 = ip1div2-1-ll-roundf-1, ip1div2+ll-1+ceilf-1
			}
		} else {
			j1, j2 = ip1div2-1-ll-1, ip1div2+ll+roundf-1
		}
	}
	return max(j1+2, 0), min(j2, n)
}

// kolmogorovPomeranz is Pr(D_n ≤ x) by Pomeranz's (1974) recursion.
func kolmogorovPomeranz(n64 int64, x float64) float64 {
	n := int(n64)
	fn := float64(n)
	t := fn * x
	ll := int(math.Floor(t))
	f := t - float64(ll)
	g := math.Min(f, 1-f)
	ceilf, roundf := 0, 0
	if f > 0 {
		ceilf = 1
	}
	if f > 0.5 {
		roundf = 1
	}
	npwrs := 2 * (ll + 1)
	gpower := make([]float64, npwrs)
	twogpower := make([]float64, npwrs)
	onem2gpower := make([]float64, npwrs)
	gpower[0], twogpower[0], onem2gpower[0] = 1, 1, 1
	expnt := 0
	gn, g2n, om2gn := g/fn, 2*g/fn, (1-2*g)/fn
	for m := 1; m < npwrs; m++ {
		fm := float64(m)
		gpower[m] = gpower[m-1] * gn / fm
		twogpower[m] = twogpower[m-1] * g2n / fm
		onem2gpower[m] = onem2gpower[m-1] * om2gn / fm
	}
	V0 := make([]float64, npwrs)
	V1 := make([]float64, npwrs)
	V1[0] = 1
	V0s, V1s := 0, 0
	j1, j2 := pomeranzJ1J2(0, n, ll, ceilf, roundf)
	conv := make([]float64, 0, 2*npwrs)
	for i := 1; i < 2*n+2; i++ {
		k1 := j1
		V0, V1 = V1, V0
		V0s, V1s = V1s, V0s
		clear(V1)
		j1, j2 = pomeranzJ1J2(i, n, ll, ceilf, roundf)
		var pwrs []float64
		switch {
		case i == 1 || i == 2*n+1:
			pwrs = gpower
		case i%2 == 1:
			pwrs = twogpower
		default:
			pwrs = onem2gpower
		}
		ln2 := j2 - k1 + 1
		if ln2 > 0 {
			// np.convolve(V0[k1-V0s:k1-V0s+ln2], pwrs[:ln2]); numpy slices
			// stop at the end of the array.
			a := V0[k1-V0s : min(k1-V0s+ln2, len(V0))]
			b := pwrs[:min(ln2, len(pwrs))]
			conv = conv[:0]
			for q := 0; q < len(a)+len(b)-1; q++ {
				s := 0.0
				for r := max(0, q-len(b)+1); r <= min(q, len(a)-1); r++ {
					s += a[r] * b[q-r]
				}
				conv = append(conv, s)
			}
			convStart := j1 - k1
			convLen := j2 - j1 + 1
			copy(V1[:convLen], conv[min(convStart, len(conv)):min(convStart+convLen, len(conv))])
			mx := 0.0
			for _, vv := range V1 {
				mx = math.Max(mx, vv)
			}
			if mx > 0 && mx < scaleDn {
				for q := range V1 {
					V1[q] *= scaleUp
				}
				expnt -= exp128
			}
			V1s = V0s + j1 - k1
		}
	}
	ans := V1[n-V1s]
	for m := 1; m <= n; m++ {
		if math.Abs(ans) > scaleUp {
			ans *= scaleDn
			expnt += exp128
		}
		ans *= float64(m)
	}
	if expnt != 0 {
		ans = math.Ldexp(ans, expnt)
	}
	return clip01(ans)
}

// kolmogorovPelzGood is the Pelz–Good (1976) approximation of
// Pr(D_n ≤ x).
func kolmogorovPelzGood(n int64, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	fn := float64(n)
	z := math.Sqrt(fn) * x
	z2, z3, z4, z6 := z*z, z*z*z, z*z*z*z, math.Pow(z, 6)
	pi2 := math.Pi * math.Pi
	pi4 := pi2 * pi2
	pi6 := pi4 * pi2
	qlog := -pi2 / 8 / z2
	if qlog < -708 {
		return 0
	}
	q := math.Exp(qlog)
	k1a := -z2
	k1b := pi2 / 4
	k2a := 6*z6 + 2*z4
	k2b := (2*z4 - 5*z2) * pi2 / 4
	k2c := pi4 * (1 - 2*z2) / 16
	k3d := pi6 * (5 - 30*z2) / 64
	k3c := pi4 * (-60*z2 + 212*z4) / 16
	k3b := pi2 * (135*z4 - 96*z6) / 4
	k3a := -30*z6 - 90*math.Pow(z, 8)
	var K [4]float64
	maxk := int(math.Ceil(16 * z / math.Pi))
	for k := maxk; k > 0; k-- {
		m := float64(2*k - 1)
		m2 := m * m
		m4 := m2 * m2
		m6 := m4 * m2
		qp := math.Pow(q, float64(8*k))
		c := [4]float64{1, k1a + k1b*m2, k2a + k2b*m2 + k2c*m4, k3a + k3b*m2 + k3c*m4 + k3d*m6}
		for i := range K {
			K[i] = K[i]*qp + c[i]
		}
	}
	sqrt2pi := math.Sqrt(2 * math.Pi)
	den := [4]float64{z, 6 * z4, 72 * math.Pow(z, 7), 6480 * math.Pow(z, 10)}
	for i := range K {
		K[i] = K[i] * q * sqrt2pi / den[i]
	}
	q = math.Exp(-pi2 / 2 / z2)
	var k2extra, k3extra float64
	sqrt3z := math.Sqrt(3) * z
	for k := maxk; k > 0; k-- {
		fk := float64(k)
		ksq := fk * fk
		qp := math.Pow(q, ksq)
		k2extra += ksq * qp
		kspi := math.Pi * fk
		k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp
	}
	K[2] += k2extra * pi2 * sqrt2pi / (-36 * z3)
	K[3] += k3extra * pi2 * sqrt2pi / (216 * z6)
	sum := 0.0
	for i := range K {
		sum += K[i] / math.Pow(fn, float64(i)/2)
	}
	return sum
}

// smirnovSF returns Pr(D_n⁺ ≥ x) for the one-sided one-sample statistic,
// scipy.special.smirnov(n, x): the Birnbaum–Tingey sum
//
//	x · Σ_{v=0}^{⌊n(1−x)⌋} C(n,v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v),
//
// term by term in logarithms, with cephes' special cases and its
// approximation exp(−(6nx+1)²/(18n)) for n > 10⁶.
func smirnovSF(n int64, x float64) float64 {
	if !(n > 0 && x >= 0 && x <= 1) {
		return math.NaN()
	}
	if n == 1 {
		return 1 - x
	}
	if x == 0 {
		return 1
	}
	if x == 1 {
		return 0
	}
	fn := float64(n)
	// n·x = nxfl + alpha with 0 ≤ alpha < 1, from the exact product (the
	// rounded one can land on an integer that n·x is not, as for 5·0.6).
	nx := fn * x
	r := math.FMA(fn, x, -nx)
	nxflF := math.Floor(nx)
	alpha := (nx - nxflF) + r
	if alpha < 0 {
		nxflF--
		alpha++
	} else if alpha >= 1 {
		nxflF++
		alpha--
	}
	nxfl := int64(nxflF)
	if nxfl == 0 || (nxfl == 1 && alpha == 0) { // x ≤ 1/n
		cdf := x * math.Pow(1+x, fn-1)
		return 1 - cdf
	}
	if -2*fn*x*x < minLogSF {
		return 0
	}
	if nxfl >= n-1 {
		return math.Pow(1-x, fn)
	}
	if n > 1000000 {
		logp := -math.Pow(6*fn*x+1, 2) / 18 / fn
		if logp < -math.Ln2 {
			return math.Exp(logp)
		}
		return 1 - (-math.Expm1(logp))
	}
	// Terms v = 0..⌊n(1−x)⌋; when n·x is an integer the last of them,
	// v = n(1−x), is zero and is left out.
	last := n - nxfl - 1
	nTerms := last + 1
	logn := math.Log(fn)
	logC := 0.0 // log C(n, v)
	sum := 0.0
	vmid := n / 2
	for v := int64(0); v <= last; v++ {
		if v > 0 {
			logC += math.Log(float64(n-v+1)) - math.Log(float64(v))
		}
		// x + v/n = (nxfl + v + alpha)/n ; 1 − x − v/n = (n − v − nxfl − alpha)/n
		up := float64(nxfl+v) + alpha
		dn := float64(n-v-nxfl) - alpha
		lt := logC + float64(v-1)*(math.Log(up)-logn) + float64(n-v)*(math.Log(dn)-logn)
		a := 0.0
		if lt > minLogSF {
			a = math.Exp(lt)
		}
		sum += a
		if a != 0 {
			if 4*float64(nTerms-v)*a < 0x1p-52*sum && v != last {
				break
			}
		} else if v > vmid {
			break
		}
	}
	return clip01(x * sum)
}
