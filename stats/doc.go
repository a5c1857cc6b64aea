// Package stats holds replaygate's statistics on plain []float64 values,
// with no Arrow and no I/O, each checked against reference values computed
// by scipy and scikit-learn.
//
// # Distribution drift
//
// The skew check compares each feature of the live traffic with the
// reference (training) data. Every statistic is a distance (the effect
// size the gates use) reported with a p-value where one exists and with the
// smallest value the sample sizes can tell from noise at the 5% level:
//
//   - PSI, Σ (p−q)·ln(p/q) over the decile bins of the reference (one bin
//     per value for categorical features: the top 50 + other), shares
//     floored at 1e-4 (PSI, PSICritical);
//   - the Jensen–Shannon distance, base 2, on the same bins (JSDistance,
//     JSCritical; scipy.spatial.distance.jensenshannon);
//   - Pearson's chi-square test of homogeneity on the same bins (ChiSquare;
//     scipy.stats.chi2_contingency, correction=False);
//   - the two-sample Kolmogorov–Smirnov statistic and p-value (KS,
//     KSCritical; scipy.stats.ks_2samp);
//   - the Wasserstein-1 distance divided by the reference's standard
//     deviation (NormalizedWasserstein; scipy.stats.wasserstein_distance);
//   - the L∞ distance of categorical shares (LInf, TFDV's measure).
//
// CompareSamples computes all numeric ones exactly from raw samples,
// CompareCounts and CompareCategories the categorical ones.
//
// # Bounded state
//
// A run never keeps the rows. The reference is read once into a Reservoir
// (a uniform sample of up to a million values per feature, exact for
// smaller references) from which QuantileEdges makes 1000 quantile bins
// (np.quantile, method='linear'). Each numeric feature then keeps a
// Histogram on those shared edges for the reference and one for the live
// traffic (per worker or shard, merged exactly): 4 KB of uint32 counts plus
// counts of NaN, ±Inf and nulls, the range, mean, variance and the sums of
// the two outer bins; the 999 cuts (8 KB) are shared, so a feature's state
// stays under 16 KiB. Categorical features keep CategoryCounts over a
// Vocabulary of the reference's top values.
//
// From the histograms, CompareHistograms gives PSI, JS and chi-square
// exactly (the decile cuts are a subset of the 1000 cuts, so Rebin is
// exact), and KS and Wasserstein with error bounds it reports
// (KSHistograms, WassersteinHistograms): the exact KS statistic lies in
// [D, D+Bound], Bound being at most the largest share of either sample in
// one bin (about 0.001 with 1000 quantile bins of a continuous feature).
//
// NaN and ±Inf are never part of a statistic: they are counted apart
// (ValueCounts). Empty samples give ErrEmpty, never NaN; a constant
// reference gives a finite normalised Wasserstein distance (see
// WassersteinResult).
//
// testdata/gen_drift.py writes the scipy/numpy reference values the tests
// compare with (testdata/drift_oracle.json).
package stats
