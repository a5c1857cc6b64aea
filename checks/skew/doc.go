// Package skew implements the skew check: training/serving skew of every
// feature against a reference (the training data), drift of the
// candidate's score distribution against the logged production score, and
// consistency of the replayed production replica with what production
// logged for the same rows.
//
// # Outcomes
//
//	skew.<feature>          one per feature, always: Value is the configured
//	                        distance (psi, js, ks, wasserstein for numeric
//	                        features; linf, psi, js, chi2 for string ones);
//	                        warn above Method.Warn, fail above Method.Fail
//	skew.drifted_share      features above their fail gate / features
//	                        compared; gated by MaxDriftedShare, else informational
//	skew.<feature>[<col>=<value>]
//	                        per value of each Segments column, for the
//	                        SegmentTopK (default 3) features with the largest
//	                        distance: the feature's method and gates over the
//	                        segment's traffic against the whole reference;
//	                        skip under MinSegmentRows (100) rows. Values
//	                        after the first MaxSegmentValues (50) are counted
//	                        under "(other)", nulls under "(null)"
//	skew.prediction         candidate score vs logged baseline score (Prediction)
//	skew.flip_rate@<t>      rows whose decision score >= t differs between the
//	                        two / rows with both scores (informational unless
//	                        MaxFlipRate is set)
//	skew.flip_rate@<t>[<col>=<value>]
//	                        with Segments, the same per segment value, after
//	                        the overall flip rates; skip under MinSegmentRows
//	skew.consistency        replayed production score vs logged score, Value the
//	                        mismatch rate (|diff| > Tolerance, or one side
//	                        missing); Examples the up to 5 worst row ids, and
//	                        the message quotes each with both scores, |diff|
//	                        and the numeric features whose value lies outside
//	                        the reference's [min, max]
//
// Gates are on distances, which are effect sizes; p-values are never
// gated. Each message lists the other statistics (PSI, JS, KS with its
// p-value, Wasserstein over the reference standard deviation; for string
// features L∞, PSI, JS, chi-square with p-value and Cohen's w), the
// smallest distance the sample sizes can detect at the 5% level, the null
// rate of reference and traffic and, for string features, the share of
// traffic values never seen in the reference. A broken gate is fail, or
// warn when Severity is "warn"; the warn gate is always warn.
//
// Never NaN: a feature with no finite reference value, no finite traffic
// value, or (automatic feature list only) a string column that looks like
// an identifier is skip with the reason; NaN and ±Inf are counted and left
// out of the statistics; a constant column compares fine. A column whose
// traffic type is not the reference's kind (a number logged as a string)
// breaks the gate with a "type mismatch" message. A feature missing from
// the traffic is skip when the feature list is automatic and error when it
// was named. Over zero rows every outcome is skip "no rows".
//
// # State
//
// NewFromReference reads the reference once. Each numeric feature keeps a
// uniform reservoir (stats.NewReservoir, Config.ReservoirSize values,
// default stats.DefaultReservoirSize) and exact counts of nulls, NaN and
// ±Inf; at the end the reservoir gives stats.FineBins (960) quantile bins and the
// decile edges of PSI, and the reference histogram is built from the
// reservoir. That histogram is exact while the reference has no more
// finite values than the reservoir holds (a million by default); beyond,
// it is the histogram of a uniform sample, and the outcome carries a
// warning saying so (its shares are within the DKW bound of
// stats.DefaultReservoirSize; sample sizes of the p-values and detectable
// effects are the sample's). String features keep a stats.ValueSketch,
// from which the top Config.TopValues values (default 50) get a bin each
// and the rest share an "other" bin; the set of all reference values is
// kept while the sketch is exact, for the unseen share.
//
// Observing traffic adds to a stats.Histogram on the shared fine edges per
// numeric feature and to stats.CategoryCounts per string feature, so
// Merge is exact: forks (Check.Fork) fed any split of the batches merge
// into the result of one pass. Small samples are compared exactly: while
// the reference and the traffic each hold at most ExactValues finite values
// of a numeric feature, both sides keep the values and KS and Wasserstein
// are computed from them (the traffic's are dropped at the next value, and
// merged forks keep them only while their sum stays within the limit). With Segments, every compared feature also
// keeps that state per segment value (about 4 KB per numeric feature and
// value, a few hundred bytes per string one), since the top features are
// known only at the end; merging it is exact while each segment column has
// at most MaxSegmentValues values. Prediction keeps two reservoirs and
// compares them with stats.CompareSamples (exact while they hold every
// score); consistency keeps counts, sums and a bounded top-5 of the worst
// rows, ordered by |diff| and then id, each with a copy of its numeric
// feature values (5 × features × 8 bytes); the reference keeps each
// numeric feature's exact minimum and maximum. Decision flips per segment
// value are counted alongside the segment state and merge like it.
package skew
