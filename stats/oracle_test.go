package stats

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"strconv"
	"sync"
	"testing"
)

// The oracle: testdata/drift_oracle.json, written by testdata/gen_drift.py
// from numpy and scipy. Exact paths must agree to 1e-9 (relative for large
// values); histogram paths within their documented bounds.

// jfloat is a float64 that also decodes "nan", "inf" and "-inf".
type jfloat float64

func (f *jfloat) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		switch s {
		case "nan":
			*f = jfloat(math.NaN())
		case "inf":
			*f = jfloat(math.Inf(1))
		case "-inf":
			*f = jfloat(math.Inf(-1))
		default:
			return errors.New("bad float string " + strconv.Quote(s))
		}
		return nil
	}
	var x float64
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	*f = jfloat(x)
	return nil
}

func floats(js []jfloat) []float64 {
	out := make([]float64, len(js))
	for i, x := range js {
		out[i] = float64(x)
	}
	return out
}

type oracleChi2 struct {
	Statistic float64 `json:"statistic"`
	PValue    float64 `json:"pvalue"`
	DoF       int     `json:"dof"`
	Bins      int     `json:"bins"`
}

type oracleCritical struct {
	PSI  float64 `json:"psi"`
	JS   float64 `json:"js"`
	LInf float64 `json:"linf"`
	Chi2 float64 `json:"chi2"`
}

type numericCase struct {
	Name       string         `json:"name"`
	Ref        []jfloat       `json:"ref"`
	Cur        []jfloat       `json:"cur"`
	RefValues  []jfloat       `json:"ref_values"`
	RefCounts  []int          `json:"ref_counts"`
	CurValues  []jfloat       `json:"cur_values"`
	CurCounts  []int          `json:"cur_counts"`
	DecileCuts []jfloat       `json:"decile_cuts"`
	DecileRef  []int64        `json:"decile_ref"`
	DecileCur  []int64        `json:"decile_cur"`
	FineBins   int            `json:"fine_bins"`
	FineRef    []int64        `json:"fine_ref"`
	FineCur    []int64        `json:"fine_cur"`
	PSI        float64        `json:"psi"`
	JS         float64        `json:"js"`
	Chi2       oracleChi2     `json:"chi2"`
	Critical   oracleCritical `json:"critical"`
	KS         struct {
		D        float64 `json:"d"`
		PValue   float64 `json:"pvalue"`
		Method   string  `json:"method"`
		Critical float64 `json:"critical"`
	} `json:"ks"`
	KSHist struct {
		D      float64 `json:"d"`
		PValue float64 `json:"pvalue"`
	} `json:"ks_hist"`
	Wasserstein struct {
		Distance   float64 `json:"distance"`
		Scale      float64 `json:"scale"`
		Source     string  `json:"source"`
		Normalized float64 `json:"normalized"`
	} `json:"wasserstein"`
	RefStd    float64 `json:"ref_std"`
	NonFinite struct {
		Ref [3]int64 `json:"ref"`
		Cur [3]int64 `json:"cur"`
	} `json:"nonfinite"`
}

// samples returns the case's two samples, expanding value counts.
func (c *numericCase) samples() (ref, cur []float64) {
	expand := func(vs []jfloat, ks []int) []float64 {
		var out []float64
		for i, v := range vs {
			for range ks[i] {
				out = append(out, float64(v))
			}
		}
		return out
	}
	if c.RefValues != nil {
		return expand(c.RefValues, c.RefCounts), expand(c.CurValues, c.CurCounts)
	}
	return floats(c.Ref), floats(c.Cur)
}

type categoricalCase struct {
	Name      string           `json:"name"`
	K         int              `json:"k"`
	Ref       map[string]int64 `json:"ref"`
	Cur       map[string]int64 `json:"cur"`
	Vocab     []string         `json:"vocab"`
	RefCounts []int64          `json:"ref_counts"`
	CurCounts []int64          `json:"cur_counts"`
	LInf      float64          `json:"linf"`
	PSI       float64          `json:"psi"`
	JS        float64          `json:"js"`
	Chi2      oracleChi2       `json:"chi2"`
	Critical  oracleCritical   `json:"critical"`
}

type oracle struct {
	Alpha     float64           `json:"alpha"`
	Numeric   []numericCase     `json:"numeric"`
	Category  []categoricalCase `json:"categorical"`
	Quantiles []struct {
		Name     string    `json:"name"`
		Sample   []jfloat  `json:"sample"`
		Q        []float64 `json:"q"`
		Expected []jfloat  `json:"expected"`
	} `json:"quantiles"`
	KStwoSF []struct {
		N  int64   `json:"n"`
		X  float64 `json:"x"`
		SF float64 `json:"sf"`
	} `json:"kstwo_sf"`
	KSPValue []struct {
		N      int64   `json:"n"`
		M      int64   `json:"m"`
		D      float64 `json:"d"`
		PValue float64 `json:"pvalue"`
		DOut   float64 `json:"d_out"`
		Method string  `json:"method"`
	} `json:"ks_pvalue"`
	Chi2SF []struct {
		X   float64 `json:"x"`
		DoF int     `json:"dof"`
		SF  float64 `json:"sf"`
	} `json:"chi2_sf"`
	Chi2PPF []struct {
		P   float64 `json:"p"`
		DoF int     `json:"dof"`
		X   float64 `json:"x"`
	} `json:"chi2_ppf"`
}

var loadOracle = sync.OnceValues(func() (*oracle, error) {
	b, err := os.ReadFile("testdata/drift_oracle.json")
	if err != nil {
		return nil, err
	}
	var o oracle
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, err
	}
	return &o, nil
})

func mustOracle(t *testing.T) *oracle {
	t.Helper()
	o, err := loadOracle()
	if err != nil {
		t.Fatalf("oracle: %v (regenerate with /usr/bin/python3 stats/testdata/gen_drift.py)", err)
	}
	return o
}

// close9 reports whether got agrees with want to 1e-9, absolute for values
// up to 1 and relative above.
func close9(got, want float64) bool { return closeTo(got, want, 1e-9) }

func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func checkClose(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !close9(got, want) {
		t.Errorf("%s = %.17g, scipy/numpy %.17g (diff %.3g)", what, got, want, got-want)
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestOracleQuantiles(t *testing.T) {
	o := mustOracle(t)
	for _, c := range o.Quantiles {
		t.Run(c.Name, func(t *testing.T) {
			got, err := Quantiles(floats(c.Sample), c.Q)
			if err != nil {
				t.Fatal(err)
			}
			for i, q := range c.Q {
				// numpy's method, bit for bit
				if want := float64(c.Expected[i]); got[i] != want {
					t.Errorf("q=%v: got %.17g, np.quantile %.17g", q, got[i], want)
				}
			}
		})
	}
}

func TestOracleNumericExact(t *testing.T) {
	o := mustOracle(t)
	for _, c := range o.Numeric {
		t.Run(c.Name, func(t *testing.T) {
			ref, cur := c.samples()
			dec, err := QuantileEdges(ref, PSIBins)
			if err != nil {
				t.Fatal(err)
			}
			if want := floats(c.DecileCuts); !equalFloats(dec.Cuts(), want) {
				t.Fatalf("decile cuts %v, numpy %v", dec.Cuts(), want)
			}
			got, err := CompareSamples(ref, cur)
			if err != nil {
				t.Fatal(err)
			}
			checkClose(t, "PSI", got.PSI, c.PSI)
			checkClose(t, "JS", got.JS, c.JS)
			checkClose(t, "chi2 statistic", got.ChiSquare.Statistic, c.Chi2.Statistic)
			checkClose(t, "chi2 p-value", got.ChiSquare.PValue, c.Chi2.PValue)
			if got.ChiSquare.DoF != c.Chi2.DoF || got.Bins != c.Chi2.Bins {
				t.Errorf("chi2 dof %d bins %d, scipy %d and %d", got.ChiSquare.DoF, got.Bins, c.Chi2.DoF, c.Chi2.Bins)
			}
			checkClose(t, "chi2 critical", got.ChiSquare.Critical, c.Critical.Chi2)
			checkClose(t, "PSI critical", got.PSICritical, c.Critical.PSI)
			checkClose(t, "JS critical", got.JSCritical, c.Critical.JS)
			checkClose(t, "KS D", got.KS.D, c.KS.D)
			checkClose(t, "KS p-value", got.KS.PValue, c.KS.PValue)
			checkClose(t, "KS critical", got.KS.Critical, c.KS.Critical)
			if got.KS.Method == "asymp" && c.KS.Method == "exact" && got.KS.PValue < 1e-12 {
				got.KS.Method = "exact" // the recursion was skipped: p < 1e-12
			}
			if got.KS.Method != c.KS.Method || got.KS.Bound != 0 {
				t.Errorf("KS method %q bound %v, want %q and 0", got.KS.Method, got.KS.Bound, c.KS.Method)
			}
			w := got.Wasserstein
			checkClose(t, "Wasserstein", w.Distance, c.Wasserstein.Distance)
			checkClose(t, "Wasserstein scale", w.Scale, c.Wasserstein.Scale)
			checkClose(t, "normalised Wasserstein", w.Normalized, c.Wasserstein.Normalized)
			if w.ScaleSource != c.Wasserstein.Source {
				t.Errorf("scale source %q, want %q", w.ScaleSource, c.Wasserstein.Source)
			}
			nf := c.NonFinite
			if got.Ref.NaN != nf.Ref[0] || got.Ref.PosInf != nf.Ref[1] || got.Ref.NegInf != nf.Ref[2] ||
				got.Cur.NaN != nf.Cur[0] || got.Cur.PosInf != nf.Cur[1] || got.Cur.NegInf != nf.Cur[2] {
				t.Errorf("set aside %+v %+v, want %v %v", got.Ref, got.Cur, nf.Ref, nf.Cur)
			}
			// The decile histograms themselves.
			hr, hc := NewHistogram(dec), NewHistogram(dec)
			hr.AddSlice(ref)
			hc.AddSlice(cur)
			if !equalInts(hr.Counts(), c.DecileRef) || !equalInts(hc.Counts(), c.DecileCur) {
				t.Errorf("decile counts %v / %v, numpy %v / %v", hr.Counts(), hc.Counts(), c.DecileRef, c.DecileCur)
			}
		})
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestOracleNumericHistograms checks the bounded-state path: 1000-bin
// histograms counted in batches, merged from two shards, coarsened to
// deciles; statistics on the deciles are exact, KS and Wasserstein within
// their bounds of the exact scipy values.
func TestOracleNumericHistograms(t *testing.T) {
	o := mustOracle(t)
	for _, c := range o.Numeric {
		t.Run(c.Name, func(t *testing.T) {
			ref, cur := c.samples()
			fine, err := QuantileEdges(ref, FineBins)
			if err != nil {
				t.Fatal(err)
			}
			coarse, err := QuantileEdges(ref, PSIBins)
			if err != nil {
				t.Fatal(err)
			}
			if fine.Bins() != c.FineBins {
				t.Fatalf("fine bins %d, numpy %d", fine.Bins(), c.FineBins)
			}
			hr := shardedHistogram(t, fine, ref)
			hc := shardedHistogram(t, fine, cur)
			if !equalInts(hr.Counts(), c.FineRef) || !equalInts(hc.Counts(), c.FineCur) {
				t.Fatalf("fine counts differ from numpy")
			}
			got, err := CompareHistograms(hr, hc, coarse)
			if err != nil {
				t.Fatal(err)
			}
			checkClose(t, "PSI", got.PSI, c.PSI)
			checkClose(t, "JS", got.JS, c.JS)
			checkClose(t, "chi2 statistic", got.ChiSquare.Statistic, c.Chi2.Statistic)
			checkClose(t, "chi2 p-value", got.ChiSquare.PValue, c.Chi2.PValue)
			checkClose(t, "PSI critical", got.PSICritical, c.Critical.PSI)

			ks := got.KS
			checkClose(t, "histogram KS D", ks.D, c.KSHist.D)
			checkClose(t, "histogram KS p-value", ks.PValue, c.KSHist.PValue)
			maxShare := 0.0
			for i := range c.FineRef {
				maxShare = max(maxShare, float64(c.FineRef[i])/float64(hr.Total()), float64(c.FineCur[i])/float64(hc.Total()))
			}
			if ks.Bound > maxShare+1e-12 {
				t.Errorf("KS bound %v exceeds the largest bin share %v", ks.Bound, maxShare)
			}
			if exact := c.KS.D; exact < ks.D-1e-12 || exact > ks.D+ks.Bound+1e-12 {
				t.Errorf("exact KS D %v outside [%v, %v]", exact, ks.D, ks.D+ks.Bound)
			}

			w := got.Wasserstein
			if w.ScaleSource != c.Wasserstein.Source {
				t.Errorf("scale source %q, want %q", w.ScaleSource, c.Wasserstein.Source)
			}
			if w.ScaleSource == ScaleReference && !closeTo(w.Scale, c.RefStd, 1e-12) {
				t.Errorf("histogram std %v, np.std %v", w.Scale, c.RefStd)
			}
			if d := math.Abs(w.Normalized - c.Wasserstein.Normalized); d > w.Bound*(1+1e-9)+1e-12 {
				t.Errorf("normalised Wasserstein %v, exact %v: off by %v, bound %v", w.Normalized, c.Wasserstein.Normalized, d, w.Bound)
			}
			t.Logf("KS D %.5f exact %.5f bound %.5f; W %.5f exact %.5f bound %.5f", ks.D, c.KS.D, ks.Bound, w.Normalized, c.Wasserstein.Normalized, w.Bound)
		})
	}
}

// shardedHistogram counts xs as two shards, the first value by value and
// the second in batches, and merges them.
func shardedHistogram(t *testing.T, e *Edges, xs []float64) *Histogram {
	t.Helper()
	a, b := NewHistogram(e), NewHistogram(e)
	half := len(xs) / 2
	for _, x := range xs[:half] {
		a.Add(x)
	}
	for i := half; i < len(xs); i += 7 {
		b.AddSlice(xs[i:min(i+7, len(xs))])
	}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestOracleCategorical(t *testing.T) {
	o := mustOracle(t)
	for _, c := range o.Category {
		t.Run(c.Name, func(t *testing.T) {
			vocab, err := NewVocabulary(TopValues(c.Ref, c.K))
			if err != nil {
				t.Fatal(err)
			}
			if got := vocab.Values(); len(got) != len(c.Vocab) || (len(got) > 0 && !equalStrings(got, c.Vocab)) {
				t.Fatalf("vocabulary %q, want %q", got, c.Vocab)
			}
			ref, cur := NewCategoryCounts(vocab), NewCategoryCounts(vocab)
			for v, k := range c.Ref {
				ref.AddIndex(vocab.Index(v), k)
			}
			// the current side one value at a time, in two merged shards
			shard := NewCategoryCounts(vocab)
			i := 0
			for v, k := range c.Cur {
				for range k {
					if i%2 == 0 {
						cur.Add(v)
					} else {
						shard.Add(v)
					}
					i++
				}
			}
			if err := cur.Merge(shard); err != nil {
				t.Fatal(err)
			}
			if !equalInts(ref.Counts(), c.RefCounts) || !equalInts(cur.Counts(), c.CurCounts) {
				t.Fatalf("counts %v / %v, want %v / %v", ref.Counts(), cur.Counts(), c.RefCounts, c.CurCounts)
			}
			got, err := CompareCategories(ref, cur)
			if err != nil {
				t.Fatal(err)
			}
			checkClose(t, "L-infinity", got.LInf, c.LInf)
			checkClose(t, "PSI", got.PSI, c.PSI)
			checkClose(t, "JS", got.JS, c.JS)
			checkClose(t, "chi2 statistic", got.ChiSquare.Statistic, c.Chi2.Statistic)
			checkClose(t, "chi2 p-value", got.ChiSquare.PValue, c.Chi2.PValue)
			if got.ChiSquare.DoF != c.Chi2.DoF {
				t.Errorf("dof %d, scipy %d", got.ChiSquare.DoF, c.Chi2.DoF)
			}
			checkClose(t, "PSI critical", got.PSICritical, c.Critical.PSI)
			checkClose(t, "JS critical", got.JSCritical, c.Critical.JS)
			checkClose(t, "L-infinity critical", got.LInfCritical, c.Critical.LInf)
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestOracleKolmogorovSF(t *testing.T) {
	t.Parallel()
	o := mustOracle(t)
	for _, c := range o.KStwoSF {
		if got := KolmogorovSF(c.N, c.X); !close9(got, c.SF) {
			t.Errorf("kstwo.sf(%v, %d) = %.17g, scipy %.17g", c.X, c.N, got, c.SF)
		}
	}
}

func TestOracleKSPValue(t *testing.T) {
	t.Parallel()
	o := mustOracle(t)
	for _, c := range o.KSPValue {
		p, dd, method := ksTwoSamplePValue(c.D, c.N, c.M)
		if method != c.Method && c.Method == "exact" && p < 1e-12 && c.PValue < 1e-12 {
			// the exact recursion was skipped as the p-value is below 1e-12
			method, dd = c.Method, c.DOut
		}
		if !close9(p, c.PValue) || method != c.Method || dd != c.DOut {
			t.Errorf("ks_2samp p-value(d=%v, %d, %d) = %.17g %s (d %v), scipy %.17g %s (d %v)",
				c.D, c.N, c.M, p, method, dd, c.PValue, c.Method, c.DOut)
		}
		if c.Method == "exact" && c.PValue > ksTinyBound(c.D, c.N, c.M) {
			t.Errorf("d=%v, %d, %d: exact p-value %v above the DKW bound %v", c.D, c.N, c.M, c.PValue, ksTinyBound(c.D, c.N, c.M))
		}
	}
}

func TestOracleChiSquare(t *testing.T) {
	o := mustOracle(t)
	for _, c := range o.Chi2SF {
		if got := ChiSquareSF(c.X, c.DoF); !close9(got, c.SF) {
			t.Errorf("chi2.sf(%v, %d) = %.17g, scipy %.17g", c.X, c.DoF, got, c.SF)
		}
	}
	for _, c := range o.Chi2PPF {
		got, err := ChiSquareQuantile(c.P, c.DoF)
		if err != nil || !close9(got, c.X) {
			t.Errorf("chi2.ppf(%v, %d) = %.17g (%v), scipy %.17g", c.P, c.DoF, got, err, c.X)
		}
	}
}
